/**
 * DES and triple DES (EDE, 2-key and 3-key) in ECB, on Uint8Array, allocation-free per block.
 *
 * Memory (Espruino Pico): the tables are built once at module load from compact strings:
 * S-boxes as 512 bytes indexed directly by the 6-bit input (Uint8Array), and the P permutation
 * folded into 8 x 16 words (Int32Array(128), 512 bytes) that spread each S-box output nibble to
 * its permuted bit positions. IP and FP use the classic swap-mask sequence and need no table.
 * A key schedule is 16 rounds x 8 six-bit subkeys = 128 bytes, written into a preallocated buffer.
 *
 * Keys never leave these buffers; nothing here logs or persists them. `DesKey.clear()` zeroes a key.
 */
import { CRYPTO_OK, E_KEY_LENGTH } from "./errors";

const SBOX_HEX =
  "E4D12FB83A6C59070F74E2D1A6CB953841E8D62BFC973A50FC8249175B3EA06D" +
  "F18E6B34972DC05A3D47F28EC01A69B50E7BA4D158C6932FD8A13F42B67C05E9" +
  "A09E63F51DC7B428D709346A285ECBF1D6498F30B12C5AE71AD069874FE3B52C" +
  "7DE3069A1285BC4FD8B56F03472C1AE9A690CB7DF13E52843F06A1D8945BC72E" +
  "2C417AB6853FD0E9EB2C47D150FA3986421BAD78F9C5630EB8C71E2D6F09A453" +
  "C1AF92680D34E75BAF427C9561DE0B389EF528C3704A1DB6432C95FABE17608D" +
  "4B2EF08D3C975A61D0B7491AE35C2F8614BDC37EAF6805926BD814A7950FE23C" +
  "D2846FB1A93E50C71FD8A374C56B0E927B419CE206ADF35821E74A8DFC90356B";
const PC1_TEXT =
  "57 49 41 33 25 17 9 1 58 50 42 34 26 18 10 2 59 51 43 35 27 19 11 3 60 52 44 36 " +
  "63 55 47 39 31 23 15 7 62 54 46 38 30 22 14 6 61 53 45 37 29 21 13 5 28 20 12 4";
const PC2_TEXT =
  "14 17 11 24 1 5 3 28 15 6 21 10 23 19 12 4 26 8 16 7 27 20 13 2 " +
  "41 52 31 37 47 55 30 40 51 45 33 48 44 49 39 56 34 53 46 42 50 36 29 32";
const P_TEXT = "16 7 20 21 29 12 28 17 1 15 23 26 5 18 31 10 2 8 24 14 32 27 3 9 19 13 30 6 22 11 4 25";
/** Bit i set: round i rotates C and D by 1, else by 2. */
const ONE_SHIFT_ROUNDS = (1 << 0) | (1 << 1) | (1 << 8) | (1 << 15);

/** Size of one key schedule in bytes (16 rounds x 8 subkeys of 6 bits). */
export const SCHEDULE_BYTES = 128;

function parseDecimals(text: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let k = 0;
  let v = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (c >= 48 && c <= 57) v = (v < 0 ? 0 : v * 10) + (c - 48);
    else if (v >= 0) {
      out[k++] = v;
      v = -1;
    }
  }
  return out;
}

function hexNibble(c: number): number {
  return c <= 57 ? c - 48 : c - 55;
}

const SB = new Uint8Array(512);
const SP = new Int32Array(128);
const PC1 = parseDecimals(PC1_TEXT, 56);
const PC2 = parseDecimals(PC2_TEXT, 48);
(function buildTables(): void {
  for (let box = 0; box < 8; box++) {
    for (let x = 0; x < 64; x++) {
      const row = ((x >> 4) & 2) | (x & 1);
      const col = (x >> 1) & 15;
      SB[box * 64 + x] = hexNibble(SBOX_HEX.charCodeAt(box * 64 + row * 16 + col));
    }
  }
  const p = parseDecimals(P_TEXT, 32);
  for (let box = 0; box < 8; box++) {
    for (let v = 0; v < 16; v++) {
      // S-box `box` output occupies pre-P bits 4*box+1 .. 4*box+4 (1 = most significant).
      let w = 0;
      for (let j = 0; j < 32; j++) {
        const src = p[j] - 1 - 4 * box; // 0..3 when output bit j comes from this box
        if (src >= 0 && src < 4 && (v >> (3 - src)) & 1) w |= 1 << (31 - j);
      }
      SP[box * 16 + v] = w;
    }
  }
})();

const cd = new Uint8Array(56);

/** Expand an 8-byte DES key at key[off] into 128 subkey bytes at ks[ksOff]. Parity bits are ignored. */
export function desKeySchedule(key: Uint8Array, off: number, ks: Uint8Array, ksOff: number): void {
  for (let i = 0; i < 56; i++) {
    const bit = PC1[i] - 1;
    cd[i] = (key[off + (bit >> 3)] >> (7 - (bit & 7))) & 1;
  }
  for (let round = 0; round < 16; round++) {
    const shifts = (ONE_SHIFT_ROUNDS >> round) & 1 ? 1 : 2;
    for (let s = 0; s < shifts; s++) {
      const c0 = cd[0];
      const d0 = cd[28];
      for (let i = 0; i < 27; i++) {
        cd[i] = cd[i + 1];
        cd[28 + i] = cd[29 + i];
      }
      cd[27] = c0;
      cd[55] = d0;
    }
    for (let g = 0; g < 8; g++) {
      let v = 0;
      for (let b = 0; b < 6; b++) v = (v << 1) | cd[PC2[g * 6 + b] - 1];
      ks[ksOff + round * 8 + g] = v;
    }
  }
  cd.fill(0);
}

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
    const e = (r >>> 1) | (r << 31);
    const f =
      SP[SB[((e >>> 26) & 63) ^ ks[k]]] |
      SP[16 + SB[64 + (((e >>> 22) & 63) ^ ks[k + 1])]] |
      SP[32 + SB[128 + (((e >>> 18) & 63) ^ ks[k + 2])]] |
      SP[48 + SB[192 + (((e >>> 14) & 63) ^ ks[k + 3])]] |
      SP[64 + SB[256 + (((e >>> 10) & 63) ^ ks[k + 4])]] |
      SP[80 + SB[320 + (((e >>> 6) & 63) ^ ks[k + 5])]] |
      SP[96 + SB[384 + (((e >>> 2) & 63) ^ ks[k + 6])]] |
      SP[112 + SB[448 + ((((e & 15) << 2) | ((e >>> 30) & 3)) ^ ks[k + 7])]];
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
 * Room for 16-byte keys by default (2 schedules, 256 bytes); `new DesKey(24)` for 3-key 3DES.
 */
export class DesKey {
  /** Schedules of K1, K2 (and K3) at 0, 128 (and 256). */
  readonly ks: Uint8Array;
  /** Key length in bytes: 0 (none), 8, 16 or 24. */
  size = 0;
  /** Where K3's schedule is: K1's (0) for 16-byte keys. */
  private k3 = 0;

  constructor(maxKeyBytes?: number) {
    this.ks = new Uint8Array((maxKeyBytes === 24 ? 3 : 2) * SCHEDULE_BYTES);
  }

  /** Load key bytes; returns CRYPTO_OK or E_KEY_LENGTH (and then holds no key). */
  load(key: Uint8Array, off: number, len: number): number {
    const room = this.ks.length / SCHEDULE_BYTES;
    if ((len !== 8 && len !== 16 && len !== 24) || len / 8 > room || off < 0 || off + len > key.length) {
      this.clear();
      return E_KEY_LENGTH;
    }
    desKeySchedule(key, off, this.ks, 0);
    if (len > 8) desKeySchedule(key, off + 8, this.ks, SCHEDULE_BYTES);
    if (len === 24) desKeySchedule(key, off + 16, this.ks, 2 * SCHEDULE_BYTES);
    this.k3 = len === 24 ? 2 * SCHEDULE_BYTES : 0;
    this.size = len;
    return CRYPTO_OK;
  }

  clear(): void {
    this.ks.fill(0);
    this.size = 0;
    this.k3 = 0;
  }

  /** Encrypt one 8-byte block (single DES or EDE). @hot */
  encryptBlock(src: Uint8Array, so: number, dst: Uint8Array, dOff: number): void {
    desBlock(this.ks, 0, false, src, so, dst, dOff);
    if (this.size > 8) {
      desBlock(this.ks, SCHEDULE_BYTES, true, dst, dOff, dst, dOff);
      desBlock(this.ks, this.k3, false, dst, dOff, dst, dOff);
    }
  }

  /** Decrypt one 8-byte block (single DES or EDE). @hot */
  decryptBlock(src: Uint8Array, so: number, dst: Uint8Array, dOff: number): void {
    if (this.size > 8) {
      desBlock(this.ks, this.k3, true, src, so, dst, dOff);
      desBlock(this.ks, SCHEDULE_BYTES, false, dst, dOff, dst, dOff);
      desBlock(this.ks, 0, true, dst, dOff, dst, dOff);
    } else desBlock(this.ks, 0, true, src, so, dst, dOff);
  }

  /** ECB over `len` bytes (a multiple of 8). @hot */
  encryptEcb(src: Uint8Array, so: number, len: number, dst: Uint8Array, dOff: number): void {
    for (let i = 0; i + 8 <= len; i += 8) this.encryptBlock(src, so + i, dst, dOff + i);
  }

  /** ECB over `len` bytes (a multiple of 8). @hot */
  decryptEcb(src: Uint8Array, so: number, len: number, dst: Uint8Array, dOff: number): void {
    for (let i = 0; i + 8 <= len; i += 8) this.decryptBlock(src, so + i, dst, dOff + i);
  }
}
