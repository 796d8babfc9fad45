/*
 * One DES or triple-DES (EDE) block in Thumb-2 machine code, for the Cortex-M boards (Espruino
 * Pico, WiFi): the same algorithm, key schedule layout and SPBOX table as desBlock() in des.ts,
 * which stays the reference and the fallback everywhere else. On the interpreter a DES block is
 * ~2.3 M ARM instructions; here it is ~1,000. tools/thumb/generate.ts compiles this file into
 * des-thumb.gen.ts (the machine code as a string literal: in flash with the rest of the image).
 *
 * des_block(ksMode, srcK3, dst, sp):
 *   ksMode  the key's schedules (DesKey.ks: K1 at word 0, K2 at 32, K3 at 64), bit 30 set to
 *           decrypt, bit 31 for EDE (K1 K2 K3, or K1 K2 K1)
 *   srcK3   8 bytes in; bit 30 set: EDE's K3 at word 64
 *   dst     8 bytes out (may be where they came from)
 *   sp      SPBOX, 512 words
 * E.nativeCall passes four arguments at most, so the mode rides in the top bits of two
 * addresses: on a Cortex-M every byte Espruino can point at (flash, SRAM) lies below 0x40000000,
 * and des.ts checks that before it calls.
 *
 * Rules for this file, so the code runs wherever its string lands: no data but the arguments
 * (no globals, no tables of its own, no literal pools: -mpure-code), no library calls, and
 * word loads that may be unaligned (Espruino's buffers and flash strings sit at any byte; a
 * Cortex-M3/M4 LDR allows that, LDRD/LDM do not, hence the aligned(1) type).
 */
typedef unsigned int u32;
typedef u32 __attribute__((aligned(1))) uw;
typedef unsigned char u8;

/* Sixteen rounds on the halves, kept rotated right by one bit as des.ts keeps them; swaps the
 * halves back at the end, ready for the next pass or the final permutation. */
static void rounds(const uw *ks, const uw *sp, u32 *lp, u32 *rp, int decrypt) {
  u32 l = *lp, r = *rp, u, v;
  int k = decrypt ? 30 : 0, step = decrypt ? -2 : 2, n;
  for (n = 0; n < 8; n++, k += 2 * step) {
    u = r ^ ks[k];
    v = ((r << 4) | (r >> 28)) ^ ks[k + 1];
    l ^= sp[u >> 26] | sp[64 + (v >> 26)] | sp[128 + ((u >> 18) & 63)] | sp[192 + ((v >> 18) & 63)] |
         sp[256 + ((u >> 10) & 63)] | sp[320 + ((v >> 10) & 63)] | sp[384 + ((u >> 2) & 63)] |
         sp[448 + ((v >> 2) & 63)];
    u = l ^ ks[k + step];
    v = ((l << 4) | (l >> 28)) ^ ks[k + step + 1];
    r ^= sp[u >> 26] | sp[64 + (v >> 26)] | sp[128 + ((u >> 18) & 63)] | sp[192 + ((v >> 18) & 63)] |
         sp[256 + ((u >> 10) & 63)] | sp[320 + ((v >> 10) & 63)] | sp[384 + ((u >> 2) & 63)] |
         sp[448 + ((v >> 2) & 63)];
  }
  *lp = r;
  *rp = l;
}

void des_block(u32 ksMode, u32 srcK3, u8 *dst, const uw *sp) {
  const uw *ks = (const uw *)(ksMode & 0x3fffffff);
  const u8 *src = (const u8 *)(srcK3 & 0x3fffffff);
  int d = (ksMode >> 30) & 1;
  u32 l = ((u32)src[0] << 24) | ((u32)src[1] << 16) | ((u32)src[2] << 8) | src[3];
  u32 r = ((u32)src[4] << 24) | ((u32)src[5] << 16) | ((u32)src[6] << 8) | src[7];
  u32 t;
  /* initial permutation as five bit-group swaps */
  t = ((l >> 4) ^ r) & 0x0f0f0f0f; r ^= t; l ^= t << 4;
  t = ((l >> 16) ^ r) & 0x0000ffff; r ^= t; l ^= t << 16;
  t = ((r >> 2) ^ l) & 0x33333333; l ^= t; r ^= t << 2;
  t = ((r >> 8) ^ l) & 0x00ff00ff; l ^= t; r ^= t << 8;
  t = ((l >> 1) ^ r) & 0x55555555; r ^= t; l ^= t << 1;
  l = (l >> 1) | (l << 31);
  r = (r >> 1) | (r << 31);
  if (ksMode >> 31) {
    /* FP then IP between passes is no permutation at all: the passes chain on the halves */
    const uw *k3 = (srcK3 >> 30) & 1 ? ks + 64 : ks;
    rounds(d ? k3 : ks, sp, &l, &r, d);
    rounds(ks + 32, sp, &l, &r, !d);
    rounds(d ? ks : k3, sp, &l, &r, d);
  } else {
    rounds(ks, sp, &l, &r, d);
  }
  l = (l << 1) | (l >> 31);
  r = (r << 1) | (r >> 31);
  /* final permutation: the swaps in reverse */
  t = ((l >> 1) ^ r) & 0x55555555; r ^= t; l ^= t << 1;
  t = ((r >> 8) ^ l) & 0x00ff00ff; l ^= t; r ^= t << 8;
  t = ((r >> 2) ^ l) & 0x33333333; l ^= t; r ^= t << 2;
  t = ((l >> 16) ^ r) & 0x0000ffff; r ^= t; l ^= t << 16;
  t = ((l >> 4) ^ r) & 0x0f0f0f0f; r ^= t; l ^= t << 4;
  dst[0] = l >> 24; dst[1] = l >> 16; dst[2] = l >> 8; dst[3] = l;
  dst[4] = r >> 24; dst[5] = r >> 16; dst[6] = r >> 8; dst[7] = r;
}
