/*
 * The firmware's two hottest loops in Thumb-2 machine code, for the Cortex-M boards (Espruino
 * Pico, WiFi): a DES / triple-DES block, and the walk over an ISO 8583 message's fields that
 * unpack() makes. Each is the same algorithm as its TypeScript original (desBlock() in
 * crypto/des.ts, the field loop of unpack() in iso8583/codec.ts), which stays the reference and
 * what every other target runs. On the interpreter a DES block is ~2.3 M ARM instructions and a
 * 0210's fields ~5 M; here each is a few thousand. tools/thumb/generate.ts compiles this file
 * into thumb.gen.ts (the machine code as a string literal: in flash with the rest of the image);
 * thumb.ts turns it into one native function.
 *
 * thumb_call(a, b, c, d): E.nativeCall passes four int arguments at most, so the job and its
 * modes ride in the top bits of addresses: on a Cortex-M every byte Espruino can point at (flash,
 * SRAM) lies below 0x40000000, and the callers check that first.
 *   b bit 31 clear: DES, returns 0
 *     a  the key's schedules (DesKey.ks: K1 at word 0, K2 at 32, K3 at 64), bit 30 set to
 *        decrypt, bit 31 for EDE (K1 K2 K3, or K1 K2 K1)
 *     b  8 bytes in; bit 30 set: EDE's K3 at word 64
 *     c  8 bytes out (may be where they came from)
 *     d  SPBOX, 512 words
 *   b bit 31 set: the fields of a received message, returns e | f << 8 | pos << 16
 *     a  the frame (buf[0] is its 2-byte length)
 *     b  the table's spec (3 bytes a field), bit 30 set for ASCII length prefixes
 *     c  the message's offsets (n little-endian halfwords), its lengths right after them
 *     d  the frame's length | the bitmap's offset << 16 | n << 24
 *
 * Rules for this file, so the code runs wherever its string lands: no data but the arguments
 * (no globals, no tables of its own, no literal pools: -mpure-code), no library calls, and
 * word loads that may be unaligned (Espruino's buffers and flash strings sit at any byte; a
 * Cortex-M3/M4 LDR/LDRH allows that, LDRD/LDM do not, hence the aligned(1) types).
 */
typedef unsigned int u32;
typedef u32 __attribute__((aligned(1))) uw;
typedef unsigned char u8;
typedef unsigned short __attribute__((aligned(1))) uh;

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

static void des_block(u32 ksMode, u32 srcK3, u8 *dst, const uw *sp) {
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

/* iso8583/errors.ts and field-table.ts */
#define ISO_OK 0
#define E_TRUNCATED 4
#define E_UNKNOWN_FIELD 5
#define E_BAD_LENGTH_PREFIX 6
#define E_FIELD_TOO_LONG 7
#define E_BAD_BCD 8
#define E_BAD_CHAR 9
#define FMT_N 1
#define FMT_AN 2
#define FMT_Z 5
#define LEN_FIXED 0
#define FLAG_ASCII 1
#define FLAG_LEFT 2

/*
 * unpack()'s field loop: fields 2 .. 64 (or 128 with the secondary bitmap) as the bitmap at
 * buf[bm] says, each checked as codec.ts checks it (same errors, same order), its offset and
 * length written. Stops at the first failure, with f the field it is in. The caller has checked
 * that the spec covers every field up to the last the bitmap can name.
 */
static u32 unpack_fields(const u8 *buf, const u8 *spec, int asciiPrefix, uh *offs, u32 packed) {
  u32 len = packed & 0xffff;
  u32 bm = (packed >> 16) & 0xff;
  u32 n = packed >> 24;
  uh *lens = offs + n;
  u32 last = buf[bm] & 0x80 ? 128 : 64;
  u32 pos = bm + (last >> 3);
  u32 e = ISO_OK;
  u32 f, a, fmt, lt, max, k, to, b, c, left, pad, end, cnt;
  for (f = 2; f <= last; f++) {
    if (!(buf[bm + ((f - 1) >> 3)] & (0x80 >> ((f - 1) & 7)))) continue;
    a = spec[3 * f];
    cnt = (spec[3 * f + 1] << 8) | spec[3 * f + 2];
    fmt = a & 7;
    lt = (a >> 3) & 3;
    max = cnt;
    if (a == 0) {
      e = E_UNKNOWN_FIELD;
      break;
    }
    if (lt != LEN_FIXED) {
      k = asciiPrefix ? lt + 1 : lt;
      if (pos + k > len) {
        e = E_TRUNCATED;
        break;
      }
      cnt = 0;
      if (asciiPrefix) {
        for (to = 0; to < k; to++) {
          b = buf[pos + to];
          if (b < 48 || b > 57) e = E_BAD_LENGTH_PREFIX;
          cnt = cnt * 10 + b - 48;
        }
      } else {
        b = buf[pos + k - 1];
        if ((b >> 4) > 9 || (b & 15) > 9) e = E_BAD_LENGTH_PREFIX;
        cnt = (b >> 4) * 10 + (b & 15);
        if (k == 2) {
          if (buf[pos] > 9) e = E_BAD_LENGTH_PREFIX;
          cnt += buf[pos] * 100;
        }
      }
      if (e != ISO_OK) break;
      pos += k;
      if (cnt > max) {
        e = E_FIELD_TOO_LONG;
        break;
      }
    }
    b = (fmt == FMT_N || fmt == FMT_Z) && (a & (FLAG_ASCII << 5)) == 0; /* BCD */
    to = pos + (b ? (cnt + 1) >> 1 : cnt);
    if (to > len) {
      e = E_TRUNCATED;
      break;
    }
    if (b) {
      left = lt != LEN_FIXED || (a & (FLAG_LEFT << 5)) != 0;
      pad = cnt & 1 ? (left ? to - 1 : pos) : 0xffffffff;
      end = to - (pad != 0xffffffff && left ? 1 : 0);
      k = pad == pos ? pos + 1 : pos;
      if (fmt == FMT_N) {
        for (; k < end; k++) if (buf[k] > 0x99 || (buf[k] & 15) > 9) e = E_BAD_BCD;
      } else {
        for (; k < end; k++) {
          b = buf[k];
          if (((b >> 4) > 9 && (b >> 4) != 13) || ((b & 15) > 9 && (b & 15) != 13)) e = E_BAD_BCD;
        }
      }
      if (pad != 0xffffffff) {
        b = buf[pad];
        k = left ? b & 15 : b >> 4;
        c = left ? b >> 4 : b & 15;
        if ((k != 0 && k != 15) || (c > 9 && !(fmt == FMT_Z && c == 13))) e = E_BAD_BCD;
      }
    } else if (fmt == FMT_N || fmt == FMT_AN) {
      b = fmt == FMT_AN ? 32 : 48;
      c = fmt == FMT_AN ? 94 : 9;
      for (k = pos; k < to; k++) if ((u32)(buf[k] - b) > c) e = E_BAD_CHAR;
    } else if (fmt == FMT_Z) {
      for (k = pos; k < to; k++) if ((u32)(buf[k] - 48) > 9 && buf[k] != 61) e = E_BAD_CHAR;
    }
    if (e != ISO_OK) break;
    offs[f] = pos;
    lens[f] = cnt;
    pos = to;
  }
  return e | (f << 8) | (pos << 16);
}

/* The one entry point: see the top of the file. */
u32 thumb_call(u32 a, u32 b, u32 c, u32 d) {
  if (b >> 31) return unpack_fields((const u8 *)a, (const u8 *)(b & 0x3fffffff), (b >> 30) & 1, (uh *)c, d);
  des_block(a, b, (u8 *)c, (const uw *)d);
  return 0;
}
