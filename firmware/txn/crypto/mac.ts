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

/** 16 bytes used; 24 so that Espruino gives it one flat piece of memory (a Thumb DES reads it by address). */
const work = new Uint8Array(24);
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
    if (this.mode === MAC_RETAIL) {
      // CBC-MAC with K1, zero padding; then decrypt with K2, encrypt with K1 (fill() is one
      // native call: on Espruino a loop step costs ~10,000 instructions)
      work.fill(0);
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
      // UnionPay ECB: the XOR of the 8-byte blocks as 16 hex characters; encrypt the first 8,
      // XOR the last 8, encrypt; the first 4 bytes as 8 hex characters. The XOR is kept as two
      // little-endian 32-bit words (bytes 0-3 in a, 4-7 in b), eight bytes a statement, and the
      // steps after it are written out: on Espruino a statement costs ~10,000 instructions and a
      // loop step as much again (8.5 M -> 7.8 M a 16-byte MAC, 6.8 M of it two DES blocks)
      let i = 0;
      let a = 0;
      let b = 0;
      for (let d = off; i + 8 <= len; i += 8, d += 8) {
        a ^= data[d] | (data[d + 1] << 8) | (data[d + 2] << 16) | (data[d + 3] << 24);
        b ^= data[d + 4] | (data[d + 5] << 8) | (data[d + 6] << 16) | (data[d + 7] << 24);
      }
      // the last partial block, zero-padded
      for (; i < len; i++) {
        if ((i & 7) < 4) a ^= data[off + i] << (8 * (i & 3));
        else b ^= data[off + i] << (8 * (i & 3));
      }
      if (fold === true) {
        for (let k = 0; k < 4; k++) {
          out[outOff + k] = (a >> (8 * k)) & 255;
          out[outOff + 4 + k] = (b >> (8 * k)) & 255;
        }
        return CRYPTO_OK;
      }
      // byte j as hex characters 2j (high nibble) and 2j + 1
      work[0] = HEX[(a >> 4) & 15];
      work[1] = HEX[a & 15];
      work[2] = HEX[(a >> 12) & 15];
      work[3] = HEX[(a >> 8) & 15];
      work[4] = HEX[(a >> 20) & 15];
      work[5] = HEX[(a >> 16) & 15];
      work[6] = HEX[(a >>> 28) & 15];
      work[7] = HEX[(a >> 24) & 15];
      work[8] = HEX[(b >> 4) & 15];
      work[9] = HEX[b & 15];
      work[10] = HEX[(b >> 12) & 15];
      work[11] = HEX[(b >> 8) & 15];
      work[12] = HEX[(b >> 20) & 15];
      work[13] = HEX[(b >> 16) & 15];
      work[14] = HEX[(b >>> 28) & 15];
      work[15] = HEX[(b >> 24) & 15];
      key.encryptBlock(work, 0, work, 0);
      work[0] ^= work[8];
      work[1] ^= work[9];
      work[2] ^= work[10];
      work[3] ^= work[11];
      work[4] ^= work[12];
      work[5] ^= work[13];
      work[6] ^= work[14];
      work[7] ^= work[15];
      key.encryptBlock(work, 0, work, 0);
      out[outOff] = HEX[work[0] >> 4];
      out[outOff + 1] = HEX[work[0] & 15];
      out[outOff + 2] = HEX[work[1] >> 4];
      out[outOff + 3] = HEX[work[1] & 15];
      out[outOff + 4] = HEX[work[2] >> 4];
      out[outOff + 5] = HEX[work[2] & 15];
      out[outOff + 6] = HEX[work[3] >> 4];
      out[outOff + 7] = HEX[work[3] & 15];
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
