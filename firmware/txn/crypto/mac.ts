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
import { DesKey, desBlock, SCHEDULE_WORDS } from "./des";
import { CRYPTO_OK, E_NO_KEY } from "./errors";
import { flashBytes } from "../../lib/flash-bytes";

export const MAC_UNIONPAY_ECB = 1;
export const MAC_RETAIL = 2;
/** Both algorithms produce 8 bytes for field 64. */
export const MAC_LENGTH = 8;

const work = new Uint8Array(16);
/** Upper-case hex digits by value (a view of the literal: in flash on a board). */
const HEX = flashBytes("0123456789ABCDEF");

/**
 * A MAC key plus the algorithm the host expects; the codec takes one of these. Both algorithms
 * are written out in `compute` (one function: on Espruino each function costs RAM).
 */
export class Mac {
  /** The MAC key; the engine points it at its working MAC key (or pass that key here). */
  key: DesKey;
  mode: number;

  constructor(mode: number, key?: DesKey) {
    this.key = key || new DesKey();
    this.mode = mode;
  }

  /**
   * 8-byte MAC of data[off, off+len) into out[outOff..]; CRYPTO_OK or E_NO_KEY. @hot
   * `fold` (UnionPay ECB only; the retail MAC chains its blocks and cannot): out gets the XOR of
   * the 8-byte blocks instead, the MAC's whole dependence on the data. The MAC of a message is
   * then the MAC of those 8 bytes with any change to the message XORed in at its offset modulo 8
   * (the engine folds a request before its PIN block is known, then MACs 16 bytes at Enter).
   */
  compute(data: Uint8Array, off: number, len: number, out: Uint8Array, outOff: number, fold?: boolean): number {
    const key = this.key;
    if (key.size === 0) return E_NO_KEY;
    // fill() is one native call (on Espruino a loop step costs ~10,000 instructions)
    work.fill(0);
    if (this.mode === MAC_RETAIL) {
      // CBC-MAC with K1, zero padding; then decrypt with K2, encrypt with K1
      const ks = key.ks;
      const padded = len === 0 ? 8 : (len + 7) & ~7;
      for (let i = 0; i < padded; i++) {
        if (i < len) work[i & 7] ^= data[off + i];
        if ((i & 7) === 7) desBlock(ks, 0, false, work, 0, work, 0);
      }
      if (key.size > 8) {
        desBlock(ks, SCHEDULE_WORDS, true, work, 0, work, 0);
        desBlock(ks, 0, false, work, 0, work, 0);
      }
      for (let i = 0; i < 8; i++) out[outOff + i] = work[i];
    } else {
      // UnionPay ECB: XOR of the 8-byte blocks as 16 hex characters, expanded in place from the
      // end (no unread byte is overwritten); encrypt the first 8, XOR the last 8, encrypt; the
      // first 4 bytes as 8 hex characters
      // eight bytes a pass as two 32-bit words, one statement each (on Espruino a statement
      // costs ~10,000 instructions: a block 168,000 -> 122,000), then the rest byte by byte
      let i = 0;
      let a = 0;
      let b = 0;
      for (let d = off; i + 8 <= len; i += 8, d += 8) {
        a ^= data[d] | (data[d + 1] << 8) | (data[d + 2] << 16) | (data[d + 3] << 24);
        b ^= data[d + 4] | (data[d + 5] << 8) | (data[d + 6] << 16) | (data[d + 7] << 24);
      }
      for (let k = 0; k < 4; k++) {
        work[k] = (a >> (8 * k)) & 255;
        work[4 + k] = (b >> (8 * k)) & 255;
      }
      for (; i < len; i++) work[i & 7] ^= data[off + i];
      if (fold === true) {
        for (let k = 0; k < 8; k++) out[outOff + k] = work[k];
        work.fill(0);
        return CRYPTO_OK;
      }
      // a byte (two hex digits) per step, from the last: byte j becomes 2j and 2j + 1 (>= j)
      for (let j = 7; j >= 0; j--) {
        const x = work[j];
        work[2 * j + 1] = HEX[x & 15];
        work[2 * j] = HEX[x >> 4];
      }
      key.encryptBlock(work, 0, work, 0);
      for (let i = 0; i < 8; i++) work[i] ^= work[8 + i];
      key.encryptBlock(work, 0, work, 0);
      for (let j = 0; j < 4; j++) {
        const x = work[j];
        out[outOff + 2 * j] = HEX[x >> 4];
        out[outOff + 2 * j + 1] = HEX[x & 15];
      }
    }
    work.fill(0);
    return CRYPTO_OK;
  }
}

/** For tests and tools (the firmware calls Mac.compute): one Mac made on first use. */
let loose: Mac | null = null;

/** UnionPay ECB MAC of data[off, off+len) under `key` into out[outOff .. +8) (ASCII hex). */
export function unionPayEcbMac(key: DesKey, data: Uint8Array, off: number, len: number, out: Uint8Array, outOff: number): void {
  if (loose === null) loose = new Mac(MAC_UNIONPAY_ECB, key);
  loose.key = key;
  loose.mode = MAC_UNIONPAY_ECB;
  loose.compute(data, off, len, out, outOff);
}

/** ISO 9797-1 algorithm 3 (X9.19 retail MAC) of data[off, off+len) under `key` into out[outOff .. +8). */
export function retailMac(key: DesKey, data: Uint8Array, off: number, len: number, out: Uint8Array, outOff: number): void {
  if (loose === null) loose = new Mac(MAC_RETAIL, key);
  loose.key = key;
  loose.mode = MAC_RETAIL;
  loose.compute(data, off, len, out, outOff);
}
