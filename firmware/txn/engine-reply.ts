/**
 * Reading what the engine needs out of an unpacked host reply (a Message view over the receive
 * buffer) into the preallocated result, and small field helpers. All allocation-free.
 */
import type { TxnResult } from "./engine-api";
import { civilFromMs, hostYear, msFromCivil, stampOf } from "./engine-time";
import type { Message } from "./iso8583/index";
import type { MaskedPan } from "./store/masked-pan";

/** Field 39 into result.rc0/rc1; false (rc 0) when the reply has no usable 39. @hot */
export function readResponseCode(rsp: Message, result: TxnResult): boolean {
  const c0 = rsp.byteAt(39, 0);
  const c1 = rsp.byteAt(39, 1);
  if (c0 < 0 || c1 < 0) {
    result.rc0 = 0;
    result.rc1 = 0;
    return false;
  }
  result.rc0 = c0;
  result.rc1 = c1;
  return true;
}

/** RRN (37) and auth code (38) into the result when present. @hot */
export function readReference(rsp: Message, result: TxnResult): void {
  if (rsp.length(37) === 12) rsp.getBytes(37, result.rrn, 0);
  if (rsp.length(38) === 6) rsp.getBytes(38, result.authCode, 0);
}

/**
 * Balance from field 54 (account type 2, amount type 2, currency 3, sign C/D, amount n12), in
 * fen; false (result untouched) when 54 is absent or malformed. @hot
 */
export function readBalance(rsp: Message, result: TxnResult): boolean {
  if (rsp.length(54) < 20) return false;
  let v = 0;
  for (let i = 8; i < 20; i++) {
    const c = rsp.byteAt(54, i);
    if (c < 48 || c > 57) return false;
    v = v * 10 + (c - 48);
  }
  const sign = rsp.byteAt(54, 7);
  if (sign !== 67 && sign !== 68) return false; // 'C' / 'D'
  result.balance = sign === 68 ? -v : v;
  return true;
}

/** Settlement reply flag (digit 31 of field 48): 1 balanced, 2 not balanced, 3 error; -1 absent. @hot */
export function settlementFlag(rsp: Message, scratch: Uint8Array): number {
  if (rsp.length(48) < 31 || rsp.length(48) > scratch.length) return -1;
  rsp.getDigits(48, scratch, 0);
  return scratch[30] - 48;
}

/** Batch number (60.2) of a reply, -1 when absent. @hot */
export function replyBatch(rsp: Message, scratch: Uint8Array): number {
  const n = rsp.length(60);
  if (n < 8 || n > scratch.length) return -1;
  rsp.getDigits(60, scratch, 0);
  let v = 0;
  for (let i = 2; i < 8; i++) v = v * 10 + (scratch[i] - 48);
  return v;
}

/**
 * Host local time of the reply (13 MMDD + 12 hhmmss; the year from the terminal clock) as epoch
 * ms, or -1 when 12/13 are missing or not a date. `civil` is an Int32Array(6) scratch. @hot
 */
export function replyTimeMs(rsp: Message, localMs: number, civil: Int32Array): number {
  const mmdd = rsp.getNumeric(13);
  const hms = rsp.getNumeric(12);
  if (mmdd < 0 || hms < 0) return -1;
  const mo = Math.floor(mmdd / 100);
  const d = mmdd % 100;
  const hh = Math.floor(hms / 10000);
  const mi = Math.floor(hms / 100) % 100;
  const ss = hms % 100;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mi > 59 || ss > 59) return -1;
  civilFromMs(localMs, civil);
  return msFromCivil(hostYear(civil, mo), mo, d, hh, mi, ss);
}

/** YYMMDDhhmmss of epoch ms. @hot */
export function stampOfMs(ms: number, civil: Int32Array): number {
  civilFromMs(ms, civil);
  return stampOf(civil);
}

/** Masked PAN as ASCII ("622202******9873") into out; returns its length. @hot */
export function writeMaskedPan(p: MaskedPan, out: Uint8Array): number {
  const len = p.length > out.length ? out.length : p.length;
  const head = len < 6 ? len : 6;
  const tail = len - head < 4 ? len - head : 4;
  for (let i = 0; i < len; i++) out[i] = 42; // '*'
  for (let i = 0; i < head; i++) out[i] = p.first6[i];
  for (let i = 0; i < tail; i++) out[len - tail + i] = p.last4[4 - tail + i];
  for (let i = len; i < out.length; i++) out[i] = 0;
  return len;
}
