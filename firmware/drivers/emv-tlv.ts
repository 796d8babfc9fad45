/**
 * BER-TLV reading as EMV uses it (EMV 4.3 Book 3, Annex B), for the chip reader (icc.ts).
 * Works in place on the caller's buffer: no copies, no allocation, every length checked against
 * its enclosing template. Malformed data gives a negative TLV_ERR_* code, never an exception and
 * never a read past the end.
 *
 * Tags are handled as numbers: 1..3 tag bytes big-endian (0x5A, 0x9F26, 0xBF0C, 0xDF8101).
 * Lengths: short form (0..127) or 0x81 / 0x82 long form. 0x00 and 0xFF bytes between TLVs are
 * padding (ISO 7816-4) and skipped.
 *
 * The walk's state is a small Int32Array the caller owns (W_SIZE slots; the W_* constants name
 * them): one function instead of a reader object with methods (RAM, see notes/MEMORY.md).
 *
 * Usage:
 *   const w = new Int32Array(W_SIZE);
 *   let rc = tlvNext(buf, w, 0, n);              // start at 0, end at n: the first TLV
 *   while (rc === TLV_OK) {
 *     if (w[W_TAG] === 0x5a) usePan(buf, w[W_VAL], w[W_LEN]);
 *     rc = tlvNext(buf, w, -1, 0);              // the next one, depth first
 *   }
 *   if (rc < 0) fail(rc);
 */

export const TLV_END = 0;
export const TLV_OK = 1;
/** Tag bytes run past the end of their template, or the tag is longer than 3 bytes. */
export const TLV_ERR_TAG = -1;
/** Length field missing or longer than the 0x82 form. */
export const TLV_ERR_LEN = -2;
/** The value runs past the end of its enclosing template. */
export const TLV_ERR_OVERRUN = -3;
/** Templates nested deeper than TLV_MAX_DEPTH. */
export const TLV_ERR_DEPTH = -4;
/** Index by -code. */
export const TLV_ERR_NAMES = ["ok", "bad tag", "bad length", "value overruns template", "nested too deep"];

export const TLV_MAX_DEPTH = 6;

// Slots of the walk's state array.
export const W_TAG = 0; // the TLV just returned: tag, value length, value offset
export const W_LEN = 1;
export const W_VAL = 2;
export const W_CONS = 3; // 1: constructed (a template)
/** 0 for TLVs at the top level of the walked range, 1 inside one template, ... */
export const W_DEPTH = 4;
const W_POS = 5; // next byte to read
const W_ENTER = 6; // 1: enter the template just returned on the next call
const W_ENDS = 7; // end of the range at each depth, TLV_MAX_DEPTH + 1 slots
export const W_SIZE = W_ENDS + TLV_MAX_DEPTH + 1;

/**
 * The next TLV of a depth-first walk (constructed templates are returned, then entered):
 * TLV_OK (w's W_TAG, W_LEN, W_VAL, W_CONS, W_DEPTH set), TLV_END, or a TLV_ERR_* code.
 * `off` >= 0 starts a new walk of buf[off, end); -1 goes on with the current one.
 * @hot
 */
export function tlvNext(buf: Uint8Array, w: Int32Array, off: number, end: number): number {
  if (off >= 0) {
    w[W_POS] = off;
    w[W_DEPTH] = 0;
    w[W_ENDS] = end;
    w[W_ENTER] = 0;
  } else if (w[W_ENTER]) {
    w[W_ENTER] = 0;
    if (w[W_DEPTH] >= TLV_MAX_DEPTH) return TLV_ERR_DEPTH;
    w[W_DEPTH]++;
    w[W_ENDS + w[W_DEPTH]] = w[W_VAL] + w[W_LEN];
    w[W_POS] = w[W_VAL];
  }
  end = w[W_ENDS + w[W_DEPTH]];
  let p = w[W_POS];
  for (;;) {
    while (p < end && (buf[p] === 0x00 || buf[p] === 0xff)) p++;
    if (p < end) break;
    if (w[W_DEPTH] === 0) return TLV_END;
    w[W_DEPTH]--;
    end = w[W_ENDS + w[W_DEPTH]];
  }
  // tag: 1 byte, or more when the low 5 bits are all set (then while bit 8 is set), at most 3
  let tag = buf[p++];
  off = tag; // the first byte: its bit 6 says constructed
  if ((tag & 0x1f) === 0x1f) {
    do {
      if (p >= end || tag > 0xffff) return TLV_ERR_TAG;
      tag = tag * 256 + buf[p++];
    } while (buf[p - 1] & 0x80);
  }
  if (p >= end) return TLV_ERR_LEN;
  let len = buf[p++];
  if (len & 0x80) {
    if (len === 0x80 || len > 0x82) return TLV_ERR_LEN;
    if (p + (len & 0x7f) > end) return TLV_ERR_LEN;
    len = len === 0x81 ? buf[p++] : buf[p++] * 256 + buf[p++];
  }
  if (p + len > end) return TLV_ERR_OVERRUN;
  w[W_TAG] = tag;
  w[W_LEN] = len;
  w[W_VAL] = p;
  w[W_CONS] = off & 0x20 ? 1 : 0;
  w[W_ENTER] = w[W_CONS];
  w[W_POS] = p + len;
  return TLV_OK;
}
