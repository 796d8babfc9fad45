/**
 * Pack a Message into a preallocated buffer and unpack a received buffer into a Message view,
 * driven by the message's FieldTable. Frame: `[len 2 BE][head][MTI][bitmap 8|16][fields][64 MAC]`.
 * Everything returns ISO_OK or a code from ./errors; nothing throws and nothing reads outside
 * buf[0, len) on unpack (the fuzz test in test/iso8583 holds it to that).
 *
 * MAC (PROTOCOL.md): computed over MTI .. the last field before 64, placed in field 64.
 *
 * The field table and the BCD layout are read inline (field-table.ts, bcd.ts): on Espruino each
 * helper function would cost RAM and a call per field. On the Pico and WiFi, unpack's walk over
 * the fields runs as Thumb-2 machine code (../native/thumb.c) once the board has called
 * useThumb(); the TypeScript walk below is the reference it is tested against.
 */
import { Mac } from "../crypto/mac";
import { CRYPTO_OK } from "../crypto/errors";
import {
  E_BAD_CHAR,
  E_BAD_BCD,
  E_BAD_LENGTH_PREFIX,
  E_BAD_MTI,
  E_FIELD_TOO_LONG,
  E_FRAME_LENGTH,
  E_MAC_MISMATCH,
  E_MAC_MISSING,
  E_MAC_PLACEMENT,
  E_OUTPUT_FULL,
  E_SHORT_FRAME,
  E_STAN_MISMATCH,
  E_TID_MISMATCH,
  E_TRAILING_DATA,
  E_TRUNCATED,
  E_UNEXPECTED_MTI,
  E_UNKNOWN_FIELD,
  ISO_OK,
} from "./errors";
import { FLAG_ASCII, FLAG_LEFT, FMT_AN, FMT_B, FMT_N, FMT_Z, LEN_FIXED, LEN_LL, SPEC_CHARS } from "./field-table";
import { Message } from "./message";
import { flashBytes } from "../../lib/flash-bytes";
import { thumb } from "../native/thumb";

/** Espruino's own (read only once `thumb` is set, which needs it). */
declare const E: { getAddressOf(v: any, flat: boolean): number } | undefined;

/**
 * HIGH_BIT[b]: the field offset (1..8) of the first bit set in bitmap byte b, counted from its
 * high bit (0 for none): one read instead of three comparisons and a ternary chain a field.
 * A view of the literal (in flash on a board).
 */
const HIGH_BIT = flashBytes(
  "\x00\x08\x07\x07\x06\x06\x06\x06\x05\x05\x05\x05\x05\x05\x05\x05\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02" +
  "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01"
);

export const MAC_FIELD = 64;
const macScratch = new Uint8Array(8);

/**
 * Pack `msg` into out[0..]; on ISO_OK `msg.packedLength` is the byte count to send. With `mac`
 * given, field 64 is computed and appended (any 64 set on the message is ignored).
 *
 * With `imgMti` > 0 the same pass also writes a second frame into `img`: the same head, MTI
 * `imgMti`, and only the fields set in `keep` (a primary bitmap, 8 bytes; 64 never), copied as
 * packed - a request's reversal image without its sensitive fields, for the price of copying its
 * bytes (packing it on its own walked every field again: ~8 M instructions on Espruino). Its
 * length is in its own 2-byte prefix. Primary-bitmap messages only.
 * @hot
 */
export function pack(msg: Message, out: Uint8Array, mac: Mac | null, img?: Uint8Array, keep?: Uint8Array, imgMti?: number): number {
  const t = msg.table;
  const cap = out.length;
  msg.packedLength = 0;
  let secondary = false;
  for (let i = 8; i < 16; i++) if (msg.bitmap[i] !== 0) secondary = true;
  // im: the image is written (a number: on Espruino comparing a typed array walks its contents)
  const im = imgMti !== undefined && imgMti > 0 ? 1 : 0;
  if ((mac !== null || im === 1) && secondary) return E_MAC_PLACEMENT;
  const hl = t.headLength;
  const mtiBytes = t.asciiMti ? 4 : 2;
  const mapBytes = secondary ? 16 : 8;
  let pos = 2;
  if (pos + hl + mtiBytes + mapBytes > cap || (im === 1 && pos + hl + mtiBytes + mapBytes > img!.length)) return E_OUTPUT_FULL;
  for (let i = 0; i < hl; i++) out[pos + i] = msg.head[i];
  pos += hl;
  const mtiAt = pos;
  // the MTI into out, then (im) the image's into img
  for (let w = 0; w <= im; w++) {
    const m = w === 0 ? msg.mti : imgMti!;
    const o = w === 0 ? out : img!;
    if (!(m >= 0 && m <= 9999)) return E_BAD_MTI;
    const d0 = Math.floor(m / 1000) % 10;
    const d1 = Math.floor(m / 100) % 10;
    const d2 = Math.floor(m / 10) % 10;
    const d3 = m % 10;
    if (t.asciiMti) {
      o[pos] = 48 + d0;
      o[pos + 1] = 48 + d1;
      o[pos + 2] = 48 + d2;
      o[pos + 3] = 48 + d3;
    } else {
      o[pos] = (d0 << 4) | d1;
      o[pos + 1] = (d2 << 4) | d3;
    }
  }
  pos += mtiBytes;
  for (let i = 0; i < mapBytes; i++) out[pos + i] = msg.bitmap[i];
  out[pos] = secondary ? out[pos] | 0x80 : out[pos] & 0x7f;
  if (mac !== null) out[pos + 7] |= 1;
  // the image: the head as out's, its bitmap the kept fields (bit 1 and 64 clear)
  let ip = pos + mapBytes;
  if (im === 1) {
    img!.set(msg.head, 2);
    for (let i = 0; i < 8; i++) img![pos + i] = msg.bitmap[i] & keep![i];
    img![pos] &= 0x7f;
    img![pos + 7] &= 0xfe;
  }
  pos += mapBytes;
  const src = msg.src;
  const spec = t.spec;
  const last = secondary ? 128 : 64;
  // Espruino steps over a loop body it does not run by reading through it: absent fields are
  // passed in a small loop of their own, not by `continue` through this one. The next present
  // field: the rest of f's bitmap byte, whole zero bytes skipped, then that byte's highest set bit
  // from HIGH_BIT (a bit at a time cost ~40,000 instructions an absent field)
  let b = 0;
  for (let f = 2; f <= last; f++) {
    b = msg.bitmap[(f - 1) >> 3] & (0xff >> ((f - 1) & 7));
    while (b === 0 && f <= last) {
      f = ((f - 1) | 7) + 2;
      b = f <= last ? msg.bitmap[(f - 1) >> 3] : 0;
    }
    if (f > last) break;
    f = ((f - 1) & ~7) + HIGH_BIT[b];
    if (mac !== null && f === MAC_FIELD) break; // with a MAC, 64 is the last field
    const a = spec[SPEC_CHARS * f] | 0;
    const lt = (a >> 3) & 3;
    const n = msg.len[f];
    const bytes = ((a & 7) === FMT_N || (a & 7) === FMT_Z) && (a & (FLAG_ASCII << 5)) === 0 ? (n + 1) >> 1 : n;
    const prefix = lt === LEN_FIXED ? 0 : t.asciiPrefix ? lt + 1 : lt;
    if (pos + prefix + bytes > cap) return E_OUTPUT_FULL;
    if (lt !== LEN_FIXED) {
      if (t.asciiPrefix) {
        if (lt !== LEN_LL) out[pos++] = 48 + Math.floor(n / 100);
        out[pos++] = 48 + (Math.floor(n / 10) % 10);
        out[pos++] = 48 + (n % 10);
      } else {
        if (lt !== LEN_LL) out[pos++] = Math.floor(n / 100);
        out[pos++] = ((Math.floor(n / 10) % 10) << 4) | n % 10;
      }
    }
    // post-increments, no sums: ~18% less a byte on Espruino
    let i = msg.off[f];
    const end = i + bytes;
    const at = pos - prefix;
    while (i < end) out[pos++] = src[i++];
    if (im === 1 && (keep![(f - 1) >> 3] & (0x80 >> ((f - 1) & 7))) !== 0 && f !== MAC_FIELD) {
      if (ip + pos - at > img!.length) return E_OUTPUT_FULL;
      for (i = at; i < pos; ) img![ip++] = out[i++];
    }
  }
  if (mac !== null) {
    if (pos + 8 > cap) return E_OUTPUT_FULL;
    const e = mac.compute(out, mtiAt, pos - mtiAt, out, pos);
    if (e !== CRYPTO_OK) return e;
    pos += 8;
  }
  if (pos - 2 > 0xffff) return E_OUTPUT_FULL;
  out[0] = (pos - 2) >> 8;
  out[1] = (pos - 2) & 255;
  if (im === 1) {
    img![0] = (ip - 2) >> 8;
    img![1] = (ip - 2) & 255;
  }
  msg.packedLength = pos;
  return ISO_OK;
}

/**
 * For a receiver collecting a reply: total bytes the frame in buf[0, have) needs (the 2-byte
 * length included), or -1 while fewer than 2 bytes have arrived. Call unpack once have >= it.
 * @hot
 */
export function frameLength(buf: Uint8Array, have: number): number {
  return have < 2 ? -1 : 2 + ((buf[0] << 8) | buf[1]);
}

/**
 * Strictly unpack buf[0, len) (length prefix included) into `view`, which then indexes into `buf`
 * without copying. On failure the view holds no fields and `view.errorField` names the field.
 * (Each check sets `e` and the rest is skipped; the failure is undone in one place at the end,
 * not by a helper function: on Espruino each costs RAM.)
 * @hot
 */
export function unpack(buf: Uint8Array, len: number, view: Message): number {
  const t = view.table;
  view.clear();
  view.src = buf;
  view.isView = true;
  const hl = t.headLength;
  const mtiBytes = t.asciiMti ? 4 : 2;
  let e = ISO_OK;
  let ef = 0; // the field being read (0: framing, MTI; 1: bitmap)
  let pos = 2;
  let mti = 0;
  if (len < 2 || len > buf.length) e = E_SHORT_FRAME;
  else if (((buf[0] << 8) | buf[1]) !== len - 2) e = E_FRAME_LENGTH;
  else if (pos + hl + mtiBytes + 8 > len) e = E_TRUNCATED;
  else {
    for (let i = 0; i < hl; i++) view.head[i] = buf[pos + i];
    pos += hl;
    view.mtiOffset = pos;
    if (t.asciiMti) {
      for (let k = 0; k < 4; k++) {
        const d = buf[pos + k] - 48;
        if (d < 0 || d > 9) e = E_BAD_MTI;
        mti = mti * 10 + d;
      }
    } else {
      // two BCD bytes at once (a digit a statement costs ~30,000 instructions on Espruino)
      const h = buf[pos];
      const l = buf[pos + 1];
      if (h > 0x99 || (h & 15) > 9 || l > 0x99 || (l & 15) > 9) e = E_BAD_MTI;
      mti = (h >> 4) * 1000 + (h & 15) * 100 + (l >> 4) * 10 + (l & 15);
    }
    pos += mtiBytes;
  }
  const mapBytes = e !== ISO_OK ? 0 : buf[pos] & 0x80 ? 16 : 8;
  if (e === ISO_OK && pos + mapBytes > len) {
    e = E_TRUNCATED;
    ef = 1;
  }
  if (e === ISO_OK) {
    for (let i = 0; i < mapBytes; i++) view.bitmap[i] = buf[pos + i];
    pos += mapBytes;
  }
  const spec = t.spec;
  const bm = view.bitmap;
  const offs = view.off;
  const lens = view.len;
  // Espruino reads through a loop's whole body on every pass, the branches it does not take too
  // (~100 ARM instructions a byte of code): the fields most messages are made of (fixed length:
  // BCD n of even length, an, ans, b) go through a short loop of their own, and any other kind
  // (variable length, odd or left-aligned BCD, z, ASCII digits, undefined) stops it to be read
  // after it, one at a time (the 0210: 6.6 M -> 5.7 M ARM instructions). Both end with the bitmap
  // (64 fields without the secondary: walking 65-128 bit by bit cost ~2.6 M instructions), and
  // stop at the first failure with f the field it is in
  const last = mapBytes * 8;
  let f = 2;
  let b = 0;
  let a = 0;
  let n = 0;
  let max = 0;
  let k = 0;
  let to = 0;
  const before = e;
  // as machine code (native/thumb.c: the same walk, checks and errors) when the buffers have flat
  // addresses below 0x40000000 and the spec covers every field the bitmap can name
  let r = -1;
  if (thumb !== null && e === ISO_OK && t.lastField >= last && len < 65536) {
    const ba = E!.getAddressOf(buf, true);
    const sa = E!.getAddressOf(spec, true);
    const oa = E!.getAddressOf(offs, true);
    if (ba !== 0 && sa !== 0 && oa !== 0 && (ba | sa | oa) >>> 30 === 0 && pos - mapBytes < 256 && lens.length === offs.length) {
      r = thumb(ba, sa | (t.asciiPrefix ? 0xc0000000 : 0x80000000), oa, len | ((pos - mapBytes) << 16) | (offs.length << 24));
    }
  }
  if (r !== -1) {
    e = r & 255;
    f = (r >>> 8) & 255;
    pos = r >>> 16;
  }
  while (r === -1 && e === ISO_OK && f <= last) {
    for (; f <= last; f++) {
      // the next present field, as in pack
      b = bm[(f - 1) >> 3] & (0xff >> ((f - 1) & 7));
      while (b === 0 && f <= last) {
        f = ((f - 1) | 7) + 2;
        b = f <= last ? bm[(f - 1) >> 3] : 0;
      }
      if (f > last) break;
      f = ((f - 1) & ~7) + HIGH_BIT[b];
      // an attribute byte of 1 to 4 is a fixed n (BCD), an, ans or b field, with no flags
      a = spec[SPEC_CHARS * f] | 0;
      n = (spec[SPEC_CHARS * f + 1] << 8) | spec[SPEC_CHARS * f + 2];
      to = pos + (a === FMT_N ? n >> 1 : n);
      if (a === 0 || a > FMT_B || (a === FMT_N && (n & 1) === 1) || to > len) break;
      // one comparison a byte: a BCD byte's both digits, an an byte - 32 as unsigned
      if (a === FMT_N) for (k = pos; k < to; k++) if (buf[k] > 0x99 || (buf[k] & 15) > 9) e = E_BAD_BCD;
      if (a === FMT_AN) for (k = pos; k < to; k++) if ((buf[k] - 32) >>> 0 > 94) e = E_BAD_CHAR;
      if (e !== ISO_OK) break;
      offs[f] = pos;
      lens[f] = n;
      pos = to;
    }
    if (f > last || e !== ISO_OK) break;
    // field f of any other kind (or a fixed one that runs past the end)
    const fmt = a & 7;
    const lt = (a >> 3) & 3;
    max = n;
    if (a === 0) {
      e = E_UNKNOWN_FIELD;
      break;
    }
    if (lt !== LEN_FIXED) {
      k = t.asciiPrefix ? lt + 1 : lt;
      if (pos + k > len) {
        e = E_TRUNCATED;
        break;
      }
      n = 0;
      if (t.asciiPrefix) {
        for (to = 0; to < k; to++) {
          b = buf[pos + to];
          if (b < 48 || b > 57) e = E_BAD_LENGTH_PREFIX;
          n = n * 10 + b - 48;
        }
      } else {
        b = buf[pos + k - 1];
        if (b >> 4 > 9 || (b & 15) > 9) e = E_BAD_LENGTH_PREFIX;
        n = (b >> 4) * 10 + (b & 15);
        if (k === 2) {
          if (buf[pos] > 9) e = E_BAD_LENGTH_PREFIX;
          n += buf[pos] * 100;
        }
      }
      if (e !== ISO_OK) break;
      pos += k;
      if (n > max) {
        e = E_FIELD_TOO_LONG;
        break;
      }
    }
    const bcd = (fmt === FMT_N || fmt === FMT_Z) && (a & (FLAG_ASCII << 5)) === 0;
    to = pos + (bcd ? (n + 1) >> 1 : n);
    if (to > len) {
      e = E_TRUNCATED;
      break;
    }
    if (bcd) {
      // digits (and, in track data, the separator D) a byte per step, both nibbles at once; an
      // odd count's pad nibble (first when right-aligned, last when left-aligned) is 0 or F:
      // its byte is checked apart
      const left = lt !== LEN_FIXED || (a & (FLAG_LEFT << 5)) !== 0;
      const pad = n & 1 ? (left ? to - 1 : pos) : -1;
      const end = to - (pad >= 0 && left ? 1 : 0);
      k = pad === pos ? pos + 1 : pos;
      if (fmt === FMT_N) {
        for (; k < end; k++) if (buf[k] > 0x99 || (buf[k] & 15) > 9) e = E_BAD_BCD;
      } else {
        for (; k < end; k++) {
          b = buf[k];
          if ((b >> 4 > 9 && b >> 4 !== 13) || ((b & 15) > 9 && (b & 15) !== 13)) e = E_BAD_BCD;
        }
      }
      if (pad >= 0) {
        // the pad nibble, then the digit beside it
        b = buf[pad];
        k = left ? b & 15 : b >> 4;
        b = left ? b >> 4 : b & 15;
        if ((k !== 0 && k !== 15) || (b > 9 && !(fmt === FMT_Z && b === 13))) e = E_BAD_BCD;
      }
    } else if (fmt === FMT_N || fmt === FMT_AN) {
      // ASCII digits or an: one comparison a byte
      b = fmt === FMT_AN ? 32 : 48;
      max = fmt === FMT_AN ? 94 : 9;
      for (k = pos; k < to; k++) if ((buf[k] - b) >>> 0 > max) e = E_BAD_CHAR;
    } else if (fmt === FMT_Z) {
      for (k = pos; k < to; k++) if ((buf[k] - 48) >>> 0 > 9 && buf[k] !== 61) e = E_BAD_CHAR;
    }
    if (e !== ISO_OK) break;
    offs[f] = pos;
    lens[f] = n;
    pos = to;
    f++;
  }
  if (before === ISO_OK && e !== ISO_OK) ef = f;
  if (e === ISO_OK && pos !== len) {
    e = E_TRAILING_DATA;
    ef = 0;
  }
  if (e !== ISO_OK) {
    for (let i = 0; i < 16; i++) view.bitmap[i] = 0;
    view.mti = -1;
    view.errorField = ef;
    return e;
  }
  view.mti = mti;
  return ISO_OK;
}

/**
 * Check field 64 of an unpacked message against the MAC of MTI .. the byte before field 64.
 * ISO_OK, E_MAC_MISSING, E_MAC_MISMATCH or a crypto code (no MAC key).
 * @hot
 */
export function verifyMac(view: Message, mac: Mac): number {
  if (!view.has(MAC_FIELD) || view.mtiOffset < 0) return E_MAC_MISSING;
  const at = view.off[MAC_FIELD];
  const e = mac.compute(view.src, view.mtiOffset, at - view.mtiOffset, macScratch, 0);
  if (e !== CRYPTO_OK) return e;
  let diff = 0;
  for (let i = 0; i < 8; i++) diff |= macScratch[i] ^ view.src[at + i];
  return diff === 0 ? ISO_OK : E_MAC_MISMATCH;
}

/**
 * Unpack a host reply and check it answers `request`: MTI = request MTI + 10, the same STAN (11)
 * and terminal id (41) when the request carried them, and, with `mac` given, a valid field 64.
 * With `mac` given a reply without field 64 is accepted only as a decline (39 present and not
 * "00"): hosts send some declines unMACed, but an approval without a MAC is E_MAC_MISSING.
 * @hot
 */
export function unpackReply(buf: Uint8Array, len: number, view: Message, request: Message, mac: Mac | null): number {
  const e = unpack(buf, len, view);
  if (e !== ISO_OK) return e;
  if (view.mti !== request.mti + 10) return E_UNEXPECTED_MTI;
  // the same STAN (11) and terminal id (41): same length and wire body
  for (let k = 0; k < 2; k++) {
    const f = k === 0 ? 11 : 41;
    if (!request.has(f)) continue;
    let same = view.has(f) && view.len[f] === request.len[f];
    const bytes = same ? view.bodyBytes(f) : 0;
    for (let i = 0; i < bytes; i++) if (view.src[view.off[f] + i] !== request.src[request.off[f] + i]) same = false;
    if (!same) return k === 0 ? E_STAN_MISMATCH : E_TID_MISMATCH;
  }
  if (mac === null) return ISO_OK;
  if (view.has(MAC_FIELD)) return verifyMac(view, mac);
  const approved = view.byteAt(39, 0) === 48 && view.byteAt(39, 1) === 48; // "00" (or no 39)
  return view.has(39) && !approved ? ISO_OK : E_MAC_MISSING;
}
