/**
 * DES and triple DES (EDE, 2-key and 3-key) in ECB, on Uint8Array, allocation-free per block.
 *
 * Memory (Espruino Pico): the S-boxes and the bit permutations are string literals (in flash when
 * the bundle is pretokenised, read with charCodeAt); so is SP (the P permutation folded into
 * 8 x 16 words that spread each S-box output nibble to its permuted bit positions), read through
 * an Int32Array view of its literal on Espruino. IP and FP use the classic swap-mask sequence and
 * need no table. A key schedule is 16 rounds x 8 six-bit subkeys = 128 bytes, written into the
 * key's preallocated buffer.
 *
 * Keys never leave these buffers; nothing here logs or persists them. `DesKey.clear()` zeroes a key.
 */
import { CRYPTO_OK, E_KEY_LENGTH } from "./errors";

/**
 * S1..S8 (FIPS 46-3) indexed directly by box * 64 + the 6-bit input (row = outer bits, column =
 * inner bits already resolved), each output v as the character code 64 + v ("@".."O").
 */
const SBOX =
  "N@DOMGADBNOBKMHACJJFFLLKEIIE@CGHDOALNHHBMDFIBAKGOELKICGNCJJ@EF@M" + // S1
  "OCAMHDNGFOKBCHDNILG@BAMJLF@IEKJE@MNHGJKAJCDOMDABEKHFLGFLI@CEBNOI" + // S2
  "JM@GI@NIFCCDOFEJABMHLEGNKLDKBOHAMAFJDMI@HFOICH@GKDAOBNLCEKJENBGL" + // S3
  "GMMHNKCE@FFOI@JCADBGHBELKALJDNOIJCFOI@@FLJKAGMMHOIADCENKELBGHBDN" + // S4
  "BNLKDBALGDJGKMFAHEE@COOJMC@INHIFDKBHALKGJAMNGBHMOFIOL@EIFJCD@ENC" + // S5
  "LJAOJDOBIGBLFIHE@FMACMDNN@GKECKHIDNCOBELBIHELOCJGK@NDAJGAFM@KHFM" + // S6
  "DMK@BKNGOD@IHAMJCNLCIEGLEBJOFHAFAFDKKMMHLACDGJNGJIOEF@HO@NEBICBL" + // S7
  "MABOHMDHFJOCKGADJLIECFNKE@@NLIGBGBKADNAGIDLJNHBM@OFLJIM@OCCEEFHK"; // S8
/**
 * PC-1 (56 key bits) then PC-2 (48 bits of C||D) as 0-based bit numbers in character codes:
 * FIPS 46-3's tables minus one (PC-1: 57 49 41 .. 12 4, bit 0 = the high bit of key byte 0;
 * PC-2: 14 17 11 .. 29 32, bit 0 = C's first). PC-2's first 24 come from C, the rest from D.
 */
const PC = "\x38\x30\x28\x20\x18\x10\x08\x00\x39\x31\x29\x21\x19\x11\x09\x01\x3A\x32\x2A\x22\x1A\x12\x0A\x02\x3B\x33\x2B\x23\x3E\x36\x2E\x26\x1E\x16\x0E\x06\x3D\x35\x2D\x25\x1D\x15\x0D\x05\x3C\x34\x2C\x24\x1C\x14\x0C\x04\x1B\x13\x0B\x03" + "\x0D\x10\x0A\x17\x00\x04\x02\x1B\x0E\x05\x14\x09\x16\x12\x0B\x03\x19\x07\x0F\x06\x1A\x13\x0C\x01\x28\x33\x1E\x24\x2E\x36\x1D\x27\x32\x2C\x20\x2F\x2B\x30\x26\x37\x21\x34\x2D\x29\x31\x23\x1C\x1F";
/** Bit i set: round i rotates C and D by 1, else by 2. */
const ONE_SHIFT_ROUNDS = (1 << 0) | (1 << 1) | (1 << 8) | (1 << 15);

/** Size of one key schedule in bytes (16 rounds x 8 subkeys of 6 bits). */
export const SCHEDULE_BYTES = 128;

/**
 * SP: 8 x 16 words, row g = S-box g's 4-bit output spread to the bit positions the P permutation
 * (FIPS 46-3: 16 7 20 21 .. 4 25) sends them to, as 512 bytes of little-endian words. On Espruino
 * the Int32Array is a view of the literal itself (E.toArrayBuffer: no copy, the bytes stay in
 * flash); elsewhere (Node) the words are decoded once. test/crypto/des.test.ts holds DES to OpenSSL.
 */
const SP_BYTES =
  "\x00\x00\x00\x00\x02\x00\x00\x00\x00\x02\x00\x00\x02\x02\x00\x00\x00\x80\x00\x00\x02\x80\x00\x00\x00\x82\x00\x00\x02\x82\x00\x00\x00\x00\x80\x00\x02\x00\x80\x00\x00\x02\x80\x00\x02\x02\x80\x00\x00\x80\x80\x00\x02\x80\x80\x00\x00\x82\x80\x00\x02\x82\x80\x00" + // S1
  "\x00\x00\x00\x00\x00\x40\x00\x00\x00\x00\x00\x40\x00\x40\x00\x40\x10\x00\x00\x00\x10\x40\x00\x00\x10\x00\x00\x40\x10\x40\x00\x40\x00\x00\x08\x00\x00\x40\x08\x00\x00\x00\x08\x40\x00\x40\x08\x40\x10\x00\x08\x00\x10\x40\x08\x00\x10\x00\x08\x40\x10\x40\x08\x40" + // S2
  "\x00\x00\x00\x00\x00\x00\x00\x04\x04\x00\x00\x00\x04\x00\x00\x04\x00\x00\x01\x00\x00\x00\x01\x04\x04\x00\x01\x00\x04\x00\x01\x04\x00\x01\x00\x00\x00\x01\x00\x04\x04\x01\x00\x00\x04\x01\x00\x04\x00\x01\x01\x00\x00\x01\x01\x04\x04\x01\x01\x00\x04\x01\x01\x04" + // S3
  "\x00\x00\x00\x00\x00\x00\x00\x80\x00\x00\x40\x00\x00\x00\x40\x80\x00\x10\x00\x00\x00\x10\x00\x80\x00\x10\x40\x00\x00\x10\x40\x80\x40\x00\x00\x00\x40\x00\x00\x80\x40\x00\x40\x00\x40\x00\x40\x80\x40\x10\x00\x00\x40\x10\x00\x80\x40\x10\x40\x00\x40\x10\x40\x80" + // S4
  "\x00\x00\x00\x00\x00\x00\x00\x20\x80\x00\x00\x00\x80\x00\x00\x20\x00\x00\x04\x00\x00\x00\x04\x20\x80\x00\x04\x00\x80\x00\x04\x20\x00\x00\x00\x01\x00\x00\x00\x21\x80\x00\x00\x01\x80\x00\x00\x21\x00\x00\x04\x01\x00\x00\x04\x21\x80\x00\x04\x01\x80\x00\x04\x21" + // S5
  "\x00\x00\x00\x00\x00\x20\x00\x00\x00\x00\x20\x00\x00\x20\x20\x00\x08\x00\x00\x00\x08\x20\x00\x00\x08\x00\x20\x00\x08\x20\x20\x00\x00\x00\x00\x10\x00\x20\x00\x10\x00\x00\x20\x10\x00\x20\x20\x10\x08\x00\x00\x10\x08\x20\x00\x10\x08\x00\x20\x10\x08\x20\x20\x10" + // S6
  "\x00\x00\x00\x00\x00\x00\x00\x02\x00\x04\x00\x00\x00\x04\x00\x02\x00\x00\x10\x00\x00\x00\x10\x02\x00\x04\x10\x00\x00\x04\x10\x02\x01\x00\x00\x00\x01\x00\x00\x02\x01\x04\x00\x00\x01\x04\x00\x02\x01\x00\x10\x00\x01\x00\x10\x02\x01\x04\x10\x00\x01\x04\x10\x02" + // S7
  "\x00\x00\x00\x00\x00\x08\x00\x00\x00\x00\x02\x00\x00\x08\x02\x00\x20\x00\x00\x00\x20\x08\x00\x00\x20\x00\x02\x00\x20\x08\x02\x00\x00\x00\x00\x08\x00\x08\x00\x08\x00\x00\x02\x08\x00\x08\x02\x08\x20\x00\x00\x08\x20\x08\x00\x08\x20\x00\x02\x08\x20\x08\x02\x08"; // S8
declare const E: { toArrayBuffer(s: string): ArrayBuffer } | undefined;
const SP = (function spTable(): Int32Array {
  // (an emulation without E.toArrayBuffer throws on reading it: decode instead)
  try {
    if (typeof E !== "undefined" && E) return new Int32Array(E.toArrayBuffer(SP_BYTES));
  } catch (x) {
    // decoded below
  }
  const sp = new Int32Array(128);
  for (let i = 0; i < 512; i++) sp[i >> 2] |= SP_BYTES.charCodeAt(i) << (8 * (i & 3));
  return sp;
})();

/**
 * One DES block: 8 bytes from src[so] to dst[dOff] (may be the same place) under the schedule
 * at ks[ko]. `decrypt` runs the subkeys backwards.
 * @hot
 */
export function desBlock(
  ks: Uint8Array,
  ko: number,
  decrypt: boolean,
  src: Uint8Array,
  so: number,
  dst: Uint8Array,
  dOff: number
): void {
  // SP as a local: Espruino finds a local at once, a module-level name by walking the scope's
  // names (SBOX stays module-level: as a single-use local terser would copy the literal in here)
  const sp = SP;
  let l = (src[so] << 24) | (src[so + 1] << 16) | (src[so + 2] << 8) | src[so + 3];
  let r = (src[so + 4] << 24) | (src[so + 5] << 16) | (src[so + 6] << 8) | src[so + 7];
  let t = 0;
  // Initial permutation as five bit-group swaps.
  t = ((l >>> 4) ^ r) & 0x0f0f0f0f;
  r ^= t;
  l ^= t << 4;
  t = ((l >>> 16) ^ r) & 0x0000ffff;
  r ^= t;
  l ^= t << 16;
  t = ((r >>> 2) ^ l) & 0x33333333;
  l ^= t;
  r ^= t << 2;
  t = ((r >>> 8) ^ l) & 0x00ff00ff;
  l ^= t;
  r ^= t << 8;
  t = ((l >>> 1) ^ r) & 0x55555555;
  r ^= t;
  l ^= t << 1;
  for (let round = 0; round < 16; round++) {
    const k = ko + (decrypt ? 15 - round : round) * 8;
    // E expansion: group g is bits 4g..4g+5 of R rotated right by one (R32 R1 .. R5 first).
    // S-box g's character code c = 64 + output: SP row g is at c - 64 + 16g.
    const e = (r >>> 1) | (r << 31);
    const f =
      sp[SBOX.charCodeAt(((e >>> 26) & 63) ^ ks[k]) - 64] |
      sp[SBOX.charCodeAt(64 + (((e >>> 22) & 63) ^ ks[k + 1])) - 48] |
      sp[SBOX.charCodeAt(128 + (((e >>> 18) & 63) ^ ks[k + 2])) - 32] |
      sp[SBOX.charCodeAt(192 + (((e >>> 14) & 63) ^ ks[k + 3])) - 16] |
      sp[SBOX.charCodeAt(256 + (((e >>> 10) & 63) ^ ks[k + 4]))] |
      sp[SBOX.charCodeAt(320 + (((e >>> 6) & 63) ^ ks[k + 5])) + 16] |
      sp[SBOX.charCodeAt(384 + (((e >>> 2) & 63) ^ ks[k + 6])) + 32] |
      sp[SBOX.charCodeAt(448 + ((((e & 15) << 2) | ((e >>> 30) & 3)) ^ ks[k + 7])) + 48];
    t = l ^ f;
    l = r;
    r = t;
  }
  // Undo the last swap, then the final permutation (the IP swaps in reverse order).
  t = l;
  l = r;
  r = t;
  t = ((l >>> 1) ^ r) & 0x55555555;
  r ^= t;
  l ^= t << 1;
  t = ((r >>> 8) ^ l) & 0x00ff00ff;
  l ^= t;
  r ^= t << 8;
  t = ((r >>> 2) ^ l) & 0x33333333;
  l ^= t;
  r ^= t << 2;
  t = ((l >>> 16) ^ r) & 0x0000ffff;
  r ^= t;
  l ^= t << 16;
  t = ((l >>> 4) ^ r) & 0x0f0f0f0f;
  r ^= t;
  l ^= t << 4;
  dst[dOff] = l >>> 24;
  dst[dOff + 1] = (l >>> 16) & 255;
  dst[dOff + 2] = (l >>> 8) & 255;
  dst[dOff + 3] = l & 255;
  dst[dOff + 4] = r >>> 24;
  dst[dOff + 5] = (r >>> 16) & 255;
  dst[dOff + 6] = (r >>> 8) & 255;
  dst[dOff + 7] = r & 255;
}

/**
 * A DES key (8 bytes) or triple-DES EDE key (16 bytes = K1 K2 K1, 24 bytes = K1 K2 K3), held only
 * as key schedules in one preallocated buffer. Allocate once at boot, reload with `load`.
 * Room for 16-byte keys by default (2 schedules, 256 bytes); `new DesKey(24)` for 3-key 3DES;
 * `new DesKey(0, buf)` keeps its schedules in `buf` (as many keys fit as its length allows).
 * Encryption is one block at a time (MAC, PIN block, check values); decryption is ECB over a
 * range (working keys under the master key): what the terminal needs, as few methods as that.
 */
export class DesKey {
  /** Schedules of K1, K2 (and K3) at 0, 128 (and 256). */
  readonly ks: Uint8Array;
  /** Key length in bytes: 0 (none), 8, 16 or 24. */
  size = 0;

  /** `buf`: schedules in a buffer the caller owns (shared, or borrowed scratch) instead of a new one. */
  constructor(maxKeyBytes?: number, buf?: Uint8Array) {
    this.ks = buf || new Uint8Array((maxKeyBytes === 24 ? 3 : 2) * SCHEDULE_BYTES);
  }

  /** Load key bytes (parity bits ignored); returns CRYPTO_OK or E_KEY_LENGTH (and then holds no key). */
  load(key: Uint8Array, off: number, len: number): number {
    const ks = this.ks;
    if ((len !== 8 && len !== 16 && len !== 24) || len / 8 > ks.length / SCHEDULE_BYTES || off < 0 || off + len > key.length) {
      this.clear();
      return E_KEY_LENGTH;
    }
    // one schedule per 8 key bytes; C and D (28 bits each) as integers
    for (let part = 0; part < len; part += 8) {
      let c = 0;
      let d = 0;
      for (let i = 0; i < 56; i++) {
        const bit = PC.charCodeAt(i);
        const v = (key[off + part + (bit >> 3)] >> (7 - (bit & 7))) & 1;
        if (i < 28) c = (c << 1) | v;
        else d = (d << 1) | v;
      }
      for (let round = 0; round < 16; round++) {
        const s = (ONE_SHIFT_ROUNDS >> round) & 1 ? 1 : 2;
        c = ((c << s) | (c >>> (28 - s))) & 0xfffffff;
        d = ((d << s) | (d >>> (28 - s))) & 0xfffffff;
        const at = part * 16 + round * 8; // (part / 8) * SCHEDULE_BYTES
        let w = 0;
        for (let j = 0; j < 48; j++) {
          const p = PC.charCodeAt(56 + j);
          w = (w << 1) | (p < 28 ? (c >> (27 - p)) & 1 : (d >> (55 - p)) & 1);
          if (j % 6 === 5) {
            ks[at + ((j / 6) | 0)] = w;
            w = 0;
          }
        }
      }
    }
    this.size = len;
    return CRYPTO_OK;
  }

  clear(): void {
    this.ks.fill(0);
    this.size = 0;
  }

  /** Encrypt one 8-byte block (single DES or EDE; K3 is K1 for a 16-byte key). @hot */
  encryptBlock(src: Uint8Array, so: number, dst: Uint8Array, dOff: number): void {
    desBlock(this.ks, 0, false, src, so, dst, dOff);
    if (this.size > 8) {
      desBlock(this.ks, SCHEDULE_BYTES, true, dst, dOff, dst, dOff);
      desBlock(this.ks, this.size === 24 ? 2 * SCHEDULE_BYTES : 0, false, dst, dOff, dst, dOff);
    }
  }

  /** Decrypt `len` bytes (a multiple of 8) in ECB, single DES or EDE. @hot */
  decryptEcb(src: Uint8Array, so: number, len: number, dst: Uint8Array, dOff: number): void {
    const ks = this.ks;
    const k3 = this.size === 24 ? 2 * SCHEDULE_BYTES : 0;
    for (let i = 0; i + 8 <= len; i += 8) {
      if (this.size > 8) {
        desBlock(ks, k3, true, src, so + i, dst, dOff + i);
        desBlock(ks, SCHEDULE_BYTES, false, dst, dOff + i, dst, dOff + i);
        desBlock(ks, 0, true, dst, dOff + i, dst, dOff + i);
      } else desBlock(ks, 0, true, src, so + i, dst, dOff + i);
    }
  }
}
