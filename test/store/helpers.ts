/**
 * Test helpers for the store: a hand-packed UnionPay 0400 frame (so these tests do not depend
 * on the codec under construction elsewhere) and filled-in entries.
 */
import { JournalEntry, J_APPROVED, TXN_SALE } from "../../firmware/txn/store/journal";
import { ReversalSlip } from "../../firmware/txn/store/reversal-queue";

export const TEST_PAN = "6228480402564890018";

function bcd(digits: string, out: number[]): void {
  const d = digits.length & 1 ? digits + "0" : digits;
  for (let i = 0; i < d.length; i += 2) out.push((parseInt(d[i], 10) << 4) | parseInt(d[i + 1], 10));
}

function ascii(s: string, out: number[]): void {
  for (const c of s) out.push(c.charCodeAt(0));
}

export interface FrameOptions {
  stan: number;
  amount: number;
  pan?: string;
  /** Extra (forbidden) fields to put in the bitmap: 26, 35, 36, 52, 53. */
  sensitive?: number[];
  mti?: number[];
}

/** `[len 2][TPDU 5][header 6][MTI][bitmap 8][2][3][4][11][22][25][26?][35?][36?][41][42][49][52?][53?][60]`. */
export function build0400(o: FrameOptions): Uint8Array {
  const s = o.sensitive || [];
  const fields: [number, number[]][] = [];
  const f = (n: number, bytes: number[]) => fields.push([n, bytes]);
  if (o.pan) {
    const b = [((o.pan.length / 10) | 0) * 16 + (o.pan.length % 10)];
    bcd(o.pan, b);
    f(2, b);
  }
  f(3, [0, 0, 0]);
  const amt: number[] = [];
  bcd(String(o.amount).padStart(12, "0"), amt);
  f(4, amt);
  const st: number[] = [];
  bcd(String(o.stan).padStart(6, "0"), st);
  f(11, st);
  f(22, [0x02, 0x10]);
  f(25, [0x00]);
  if (s.includes(26)) f(26, [0x12]);
  if (s.includes(35)) {
    const b = [0x37];
    bcd("6228480402564890018D49121010000000000".replace("D", "0"), b);
    f(35, b);
  }
  if (s.includes(36)) f(36, [0x00, 0x04, 0x12, 0x34]);
  const tid: number[] = [];
  ascii("12345678", tid);
  f(41, tid);
  const mid: number[] = [];
  ascii("123456789012345", mid);
  f(42, mid);
  const cur: number[] = [];
  ascii("156", cur);
  f(49, cur);
  if (s.includes(52)) f(52, [1, 2, 3, 4, 5, 6, 7, 8]);
  if (s.includes(53)) f(53, [0x26, 0, 0, 0, 0, 0, 0, 0]);
  f(60, [0x00, 0x08, 0x22, 0x00, 0x00, 0x01]);
  fields.sort((a, b) => a[0] - b[0]);
  const bitmap = new Array(8).fill(0);
  for (const [n] of fields) bitmap[(n - 1) >> 3] |= 0x80 >> ((n - 1) & 7);
  const body: number[] = [0x60, 0x00, 0x03, 0x00, 0x00, 0x60, 0x31, 0x00, 0x31, 0x00, 0x00];
  body.push(...(o.mti || [0x04, 0x00]), ...bitmap);
  for (const [, b] of fields) body.push(...b);
  return new Uint8Array([body.length >> 8, body.length & 255, ...body]);
}

export function slipFor(stan: number, amount: number): ReversalSlip {
  const s = new ReversalSlip();
  s.type = TXN_SALE;
  s.stan = stan;
  s.amount = amount;
  s.time = 1700000000 + stan;
  const pan = new Uint8Array(Buffer.from(TEST_PAN, "latin1"));
  s.pan.fromPan(pan, pan.length);
  return s;
}

export function entryFor(stan: number, amount: number, type = TXN_SALE, status = J_APPROVED): JournalEntry {
  const e = new JournalEntry();
  e.type = type;
  e.status = status;
  e.amount = amount;
  e.stan = stan;
  e.batch = 1;
  e.time = 1700000000 + stan;
  e.entryMode = 21;
  e.respCode = 0x3030;
  const pan = new Uint8Array(Buffer.from(TEST_PAN, "latin1"));
  e.pan.fromPan(pan, pan.length);
  e.rrn.set(Buffer.from(String(stan).padStart(12, "0"), "latin1"));
  e.authCode.set(Buffer.from("A1B2C3", "latin1"));
  return e;
}

/** True if `needle` occurs anywhere in `hay`. */
export function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** The PAN as field 2 packs it (BCD, padded), to look for it in a flash image. */
export function panBcd(pan: string): Uint8Array {
  const b: number[] = [];
  bcd(pan, b);
  return new Uint8Array(b);
}
