/**
 * BER-TLV and DOL reading/writing as EMV uses them (EMV 4.3 Book 3, Annex B and 5.4), for the
 * chip reader (icc.ts). Everything works in place on the caller's buffers: no copies, no
 * allocation, every length checked against its enclosing template. Malformed data gives a
 * negative TLV_ERR_* code, never an exception and never a read past the end.
 *
 * Tags are handled as numbers: 1..3 tag bytes big-endian (0x5A, 0x9F26, 0xBF0C, 0xDF8101).
 * Lengths: short form (0..127) or 0x81 / 0x82 long form. 0x00 and 0xFF bytes between TLVs are
 * padding (ISO 7816-4) and skipped.
 *
 * Usage:
 *   const r = new TlvReader();
 *   r.reset(buf, 0, n);
 *   let rc;
 *   while ((rc = r.next()) === TLV_OK) if (r.tag === 0x5A) usePan(buf, r.valOff, r.len);
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

/**
 * Walks a TLV buffer depth-first: each `next()` yields one TLV (constructed templates too),
 * and the walk enters every constructed template it yields unless `skip()` is called.
 */
export class TlvReader {
  buf: Uint8Array = new Uint8Array(0);
  tag = 0;
  len = 0;
  valOff = 0;
  constructed = false;
  /** 0 for TLVs at the top level of the walked range, 1 inside one template, ... */
  depth = 0;
  private pos = 0;
  private enter = false;
  private readonly ends = new Int32Array(TLV_MAX_DEPTH + 1);

  /** @hot */
  reset(buf: Uint8Array, off: number, end: number): void {
    this.buf = buf;
    this.pos = off;
    this.depth = 0;
    this.ends[0] = end;
    this.enter = false;
    this.tag = 0;
    this.len = 0;
  }

  /** Do not enter the constructed TLV just returned. @hot */
  skip(): void {
    this.enter = false;
  }

  /** Next TLV: TLV_OK (fields set), TLV_END, or a TLV_ERR_* code. @hot */
  next(): number {
    const buf = this.buf;
    if (this.enter) {
      this.enter = false;
      if (this.depth >= TLV_MAX_DEPTH) return TLV_ERR_DEPTH;
      this.depth++;
      this.ends[this.depth] = this.valOff + this.len;
      this.pos = this.valOff;
    }
    let end = this.ends[this.depth];
    for (;;) {
      while (this.pos < end && (buf[this.pos] === 0x00 || buf[this.pos] === 0xff)) this.pos++;
      if (this.pos < end) break;
      if (this.depth === 0) return TLV_END;
      this.depth--;
      end = this.ends[this.depth];
    }
    let p = this.pos;
    const first = buf[p++];
    let tag = first;
    if ((first & 0x1f) === 0x1f) {
      let n = 1;
      let b = 0x80;
      while (b & 0x80) {
        if (p >= end || n >= 3) return TLV_ERR_TAG;
        b = buf[p++];
        tag = tag * 256 + b;
        n++;
      }
    }
    if (p >= end) return TLV_ERR_LEN;
    let len = buf[p++];
    if (len & 0x80) {
      const nb = len & 0x7f;
      if (nb === 0 || nb > 2) return TLV_ERR_LEN;
      len = 0;
      for (let k = 0; k < nb; k++) {
        if (p >= end) return TLV_ERR_LEN;
        len = len * 256 + buf[p++];
      }
    }
    if (p + len > end) return TLV_ERR_OVERRUN;
    this.tag = tag;
    this.len = len;
    this.valOff = p;
    this.constructed = (first & 0x20) !== 0;
    this.enter = this.constructed;
    this.pos = p + len;
    return TLV_OK;
  }
}

/**
 * Reads a Data Object List (PDOL, CDOL1, ...): a list of tag + one-byte length, no values.
 * `next()` gives TLV_OK with `tag`/`len`, TLV_END, or TLV_ERR_TAG / TLV_ERR_LEN (entry cut short).
 */
export class DolReader {
  tag = 0;
  len = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private end = 0;

  /** @hot */
  reset(buf: Uint8Array, off: number, end: number): void {
    this.buf = buf;
    this.pos = off;
    this.end = end;
  }

  /** @hot */
  next(): number {
    const buf = this.buf;
    let p = this.pos;
    if (p >= this.end) return TLV_END;
    const first = buf[p++];
    let tag = first;
    if ((first & 0x1f) === 0x1f) {
      let n = 1;
      let b = 0x80;
      while (b & 0x80) {
        if (p >= this.end || n >= 3) return TLV_ERR_TAG;
        b = buf[p++];
        tag = tag * 256 + b;
        n++;
      }
    }
    if (p >= this.end) return TLV_ERR_LEN;
    // A DOL length is always a single byte (EMV Book 3, 5.4), even above 127.
    this.tag = tag;
    this.len = buf[p++];
    this.pos = p;
    return TLV_OK;
  }
}

/** Bytes a tag number takes when encoded. @hot */
export function tagSize(tag: number): number {
  return tag > 0xffff ? 3 : tag > 0xff ? 2 : 1;
}

/**
 * Write a tag and a length at `pos` in `out` (capacity `cap`); returns the position after
 * them, or -1 when they (plus `len` value bytes) would not fit. @hot
 */
export function tlvPutHeader(out: Uint8Array, pos: number, cap: number, tag: number, len: number): number {
  const need = tagSize(tag) + (len < 0x80 ? 1 : len < 0x100 ? 2 : 3) + len;
  if (pos < 0 || pos + need > cap) return -1;
  if (tag > 0xffff) out[pos++] = (tag >> 16) & 0xff;
  if (tag > 0xff) out[pos++] = (tag >> 8) & 0xff;
  out[pos++] = tag & 0xff;
  if (len >= 0x100) {
    out[pos++] = 0x82;
    out[pos++] = (len >> 8) & 0xff;
  } else if (len >= 0x80) {
    out[pos++] = 0x81;
  }
  out[pos++] = len & 0xff;
  return pos;
}
