/**
 * Message authentication codes over ISO 8583 messages.
 *
 * UnionPay "ECB" MAC (what UnionPay terminal applications compute, e.g. openpos
 * UTIL_CalcGoldenCardSHMAC_Single): XOR the input in 8-byte blocks (last block zero-padded);
 * write the 8-byte result as 16 upper-case hex characters; encrypt the first 8 characters with the
 * MAC key; XOR with the last 8 characters; encrypt again; the MAC is the first 8 upper-case hex
 * characters of that result (8 ASCII bytes, which go into field 64 as they are).
 * With a 16-byte MAC key the two encryptions are 2-key triple DES; with 8 bytes single DES.
 *
 * ISO 9797-1 MAC algorithm 3 ("retail MAC", ANSI X9.19), padding method 1 (zeros): CBC-MAC with
 * K1 (single DES), then decrypt with K2 and encrypt with K1. An 8-byte key gives K2 = K1, which
 * is MAC algorithm 1 (X9.9). The MAC is the full 8-byte result.
 */
import { DesKey, desBlock, SCHEDULE_BYTES } from "./des";
import { CRYPTO_OK, E_NO_KEY } from "./errors";

export const MAC_UNIONPAY_ECB = 1;
export const MAC_RETAIL = 2;
/** Both algorithms produce 8 bytes for field 64. */
export const MAC_LENGTH = 8;

const work = new Uint8Array(16);

/** @hot */
function hexDigit(n: number): number {
  return n < 10 ? 48 + n : 55 + n;
}

/** UnionPay ECB MAC of data[off, off+len) into out[outOff .. +8) (ASCII hex). @hot */
export function unionPayEcbMac(
  key: DesKey,
  data: Uint8Array,
  off: number,
  len: number,
  out: Uint8Array,
  outOff: number
): void {
  for (let i = 0; i < 8; i++) work[i] = 0;
  for (let i = 0; i < len; i++) work[i & 7] ^= data[off + i];
  // Expand to hex in place, from the end, so no unread byte is overwritten.
  for (let i = 7; i >= 0; i--) {
    const b = work[i];
    work[2 * i + 1] = hexDigit(b & 15);
    work[2 * i] = hexDigit(b >> 4);
  }
  key.encryptBlock(work, 0, work, 0);
  for (let i = 0; i < 8; i++) work[i] ^= work[8 + i];
  key.encryptBlock(work, 0, work, 0);
  for (let i = 0; i < 4; i++) {
    out[outOff + 2 * i] = hexDigit(work[i] >> 4);
    out[outOff + 2 * i + 1] = hexDigit(work[i] & 15);
  }
  for (let i = 0; i < 16; i++) work[i] = 0;
}

/** ISO 9797-1 algorithm 3 (X9.19 retail MAC) of data[off, off+len) into out[outOff .. +8). @hot */
export function retailMac(
  key: DesKey,
  data: Uint8Array,
  off: number,
  len: number,
  out: Uint8Array,
  outOff: number
): void {
  const ks = key.ks;
  for (let i = 0; i < 8; i++) work[i] = 0;
  const padded = len === 0 ? 8 : (len + 7) & ~7;
  for (let i = 0; i < padded; i++) {
    if (i < len) work[i & 7] ^= data[off + i];
    if ((i & 7) === 7) desBlock(ks, 0, false, work, 0, work, 0);
  }
  if (key.size > 8) {
    desBlock(ks, SCHEDULE_BYTES, true, work, 0, work, 0);
    desBlock(ks, 0, false, work, 0, work, 0);
  }
  for (let i = 0; i < 8; i++) {
    out[outOff + i] = work[i];
    work[i] = 0;
  }
}

/** A MAC key plus the algorithm the host expects; the codec takes one of these. */
export class Mac {
  readonly key = new DesKey();
  mode: number;

  constructor(mode: number) {
    this.mode = mode;
  }

  /** 8-byte MAC of data[off, off+len) into out[outOff..]; CRYPTO_OK or E_NO_KEY. @hot */
  compute(data: Uint8Array, off: number, len: number, out: Uint8Array, outOff: number): number {
    if (this.key.size === 0) return E_NO_KEY;
    if (this.mode === MAC_RETAIL) retailMac(this.key, data, off, len, out, outOff);
    else unionPayEcbMac(this.key, data, off, len, out, outOff);
    return CRYPTO_OK;
  }
}
