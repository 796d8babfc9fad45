/**
 * One ISO 8583 message, preallocated once and reused. Field bodies are kept in their WIRE
 * encoding (BCD digits, ASCII, raw bytes) so packing is a copy and the same getters work on:
 * - a message being built: bodies live in its own `data` buffer (setters append or overwrite);
 * - a received message after `unpack`: `src` points at the receive buffer and `off`/`len` index
 *   into it (no copies). Setters refuse to touch such a view (E_READ_ONLY_VIEW): `clear()` first.
 * Presence is the wire bitmap itself (`bitmap`, 16 bytes, bit 0x80 of byte 0 = field 1).
 * `len[f]` is the logical length: digits (n, z), characters (an, ans) or bytes (b).
 *
 * Setters return ISO_OK or an error code and change nothing when they fail.
 */
import { digitNibble, getNibble, setNibble } from "./bcd";
import {
  E_FIELD_FORMAT,
  E_MESSAGE_FULL,
  E_READ_ONLY_VIEW,
  E_VALUE_CHAR,
  E_VALUE_RANGE,
  ISO_OK,
} from "./errors";
import { FieldTable, FLAG_LEFT, FMT_AN, FMT_ANS, FMT_B, FMT_N, FMT_Z, LEN_FIXED } from "./field-table";

export class Message {
  readonly table: FieldTable;
  /** MTI as a number: 200 for "0200". -1 when unknown (after a failed unpack). */
  mti = 0;
  /** TPDU + header (table.headLength bytes), copied in by unpack, sent as is by pack. */
  readonly head: Uint8Array;
  readonly bitmap = new Uint8Array(16);
  /** Per field (up to table.lastField): body offset in `src` and logical length. */
  readonly off: Uint16Array;
  readonly len: Uint16Array;
  /** Buffer the bodies are in: `data` for a built message, the receive buffer for a view. */
  src: Uint8Array;
  /** This message's own body storage. */
  readonly data: Uint8Array;
  /** Bytes of `data` in use. */
  used = 0;
  /** Offset of the MTI in `src` after unpack (start of the MAC input); -1 otherwise. */
  mtiOffset = -1;
  /** After a failed unpack: the field being read when it failed (0 = framing/MTI/bitmap). */
  errorField = 0;
  /** After a successful pack: the number of bytes written (including the 2-byte length). */
  packedLength = 0;

  /** `capacity`: bytes for field bodies (a sale request needs about 200, settlement upload more). */
  constructor(table: FieldTable, capacity: number) {
    this.table = table;
    this.head = new Uint8Array(table.headLength);
    this.off = new Uint16Array(table.lastField + 1);
    this.len = new Uint16Array(table.lastField + 1);
    this.data = new Uint8Array(capacity);
    this.src = this.data;
  }

  /** Forget all fields (and detach from a receive buffer). @hot */
  clear(): void {
    for (let i = 0; i < 16; i++) this.bitmap[i] = 0;
    this.src = this.data;
    this.used = 0;
    this.mtiOffset = -1;
    this.errorField = 0;
    this.packedLength = 0;
  }

  /** clear() and zero the body storage (after a message held PAN, track or PIN data). */
  wipe(): void {
    this.clear();
    this.data.fill(0);
  }

  /** Copy TPDU + header from src[off..]. @hot */
  setHead(src: Uint8Array, off: number): void {
    for (let i = 0; i < this.head.length; i++) this.head[i] = src[off + i];
  }

  /** Header "processing requirement" digit (UnionPay: 3 sign in again, 4..6 downloads), -1 if none. @hot */
  processingRequirement(): number {
    return this.head.length >= 8 ? this.head[7] & 15 : -1;
  }

  /** @hot */
  has(field: number): boolean {
    if (field < 1 || field > 128) return false;
    return ((this.bitmap[(field - 1) >> 3] >> (7 - ((field - 1) & 7))) & 1) === 1;
  }

  /** Logical length (digits / characters / bytes), 0 when absent. @hot */
  length(field: number): number {
    return this.has(field) ? this.len[field] : 0;
  }

  /** Offset of the field's body in `src`, -1 when absent. @hot */
  bodyOffset(field: number): number {
    return this.has(field) ? this.off[field] : -1;
  }

  /** Bytes of the field's body in `src` (0 when absent). @hot */
  bodyBytes(field: number): number {
    return this.has(field) ? this.table.bodyBytes(field, this.len[field]) : 0;
  }

  /** Drop a field. @hot */
  remove(field: number): void {
    if (field < 1 || field > 128) return;
    this.bitmap[(field - 1) >> 3] &= ~(0x80 >> ((field - 1) & 7)) & 255;
  }

  // ---------------------------------------------------------------- setters

  /** Fixed-length n field from a number, zero-padded to its length (<= 15 digits). @hot */
  setNumeric(field: number, value: number): number {
    const t = this.table;
    if (field < 2 || field > 128 || t.format(field) !== FMT_N || t.lenType(field) !== LEN_FIXED) return E_FIELD_FORMAT;
    return this.setNumericDigits(field, value, t.max[field]);
  }

  /** n field from a number written with exactly `digits` digits (variable fields: their length). @hot */
  setNumericDigits(field: number, value: number, digits: number): number {
    const t = this.table;
    if (field < 2 || field > 128 || t.format(field) !== FMT_N) return E_FIELD_FORMAT;
    if (this.src !== this.data) return E_READ_ONLY_VIEW;
    if (digits < 1 || digits > 15 || digits > t.max[field]) return E_VALUE_RANGE;
    if (t.lenType(field) === LEN_FIXED && digits !== t.max[field]) return E_VALUE_RANGE;
    let limit = 1;
    for (let i = 0; i < digits; i++) limit *= 10;
    if (!(value >= 0 && value < limit) || value !== Math.floor(value)) return E_VALUE_RANGE;
    const at = this.reserve(field, digits);
    if (at < 0) return E_MESSAGE_FULL;
    const bcd = t.isBcd(field);
    const left = this.leftAligned(field);
    let v = value;
    for (let i = digits - 1; i >= 0; i--) {
      const d = v % 10;
      v = (v - d) / 10;
      if (bcd) setNibble(this.data, at, digitNibble(i, digits, left), d);
      else this.data[at + i] = 48 + d;
    }
    return ISO_OK;
  }

  /**
   * n or z field from ASCII digits src[off, off+len) (z also takes '=' or 'D' as separator).
   * Fixed fields need exactly their length. @hot
   */
  setDigits(field: number, src: Uint8Array, off: number, len: number): number {
    const t = this.table;
    const fmt = field >= 2 && field <= 128 ? t.format(field) : 0;
    if (fmt !== FMT_N && fmt !== FMT_Z) return E_FIELD_FORMAT;
    if (this.src !== this.data) return E_READ_ONLY_VIEW;
    if (len < 0 || len > t.max[field] || off < 0 || off + len > src.length) return E_VALUE_RANGE;
    if (t.lenType(field) === LEN_FIXED && len !== t.max[field]) return E_VALUE_RANGE;
    for (let i = 0; i < len; i++) {
      const c = src[off + i];
      if (!((c >= 48 && c <= 57) || (fmt === FMT_Z && (c === 61 || c === 68)))) return E_VALUE_CHAR;
    }
    const at = this.reserve(field, len);
    if (at < 0) return E_MESSAGE_FULL;
    const bcd = t.isBcd(field);
    const left = this.leftAligned(field);
    for (let i = 0; i < len; i++) {
      const c = src[off + i];
      if (bcd) setNibble(this.data, at, digitNibble(i, len, left), c >= 48 && c <= 57 ? c - 48 : 13);
      else this.data[at + i] = c === 68 ? 61 : c;
    }
    return ISO_OK;
  }

  /** an/ans field from bytes src[off, off+len); a fixed field shorter than its length is space-padded. @hot */
  setAscii(field: number, src: Uint8Array, off: number, len: number): number {
    const e = this.checkText(field, len);
    if (e !== ISO_OK) return e;
    if (off < 0 || off + len > src.length) return E_VALUE_RANGE;
    const an = this.table.format(field) === FMT_AN;
    for (let i = 0; i < len; i++) if (an && !printable(src[off + i])) return E_VALUE_CHAR;
    const at = this.reserveText(field, len);
    if (at < 0) return E_MESSAGE_FULL;
    for (let i = 0; i < len; i++) this.data[at + i] = src[off + i];
    return ISO_OK;
  }

  /** an/ans field from a string constant (char codes < 256), as setAscii. @hot */
  setText(field: number, s: string): number {
    const len = s.length;
    const e = this.checkText(field, len);
    if (e !== ISO_OK) return e;
    const an = this.table.format(field) === FMT_AN;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c > 255 || (an && !printable(c))) return E_VALUE_CHAR;
    }
    const at = this.reserveText(field, len);
    if (at < 0) return E_MESSAGE_FULL;
    for (let i = 0; i < len; i++) this.data[at + i] = s.charCodeAt(i);
    return ISO_OK;
  }

  /** b field (or raw ans bytes) from src[off, off+len); fixed b fields need exactly their length. @hot */
  setBytes(field: number, src: Uint8Array, off: number, len: number): number {
    const t = this.table;
    const fmt = field >= 2 && field <= 128 ? t.format(field) : 0;
    if (fmt !== FMT_B && fmt !== FMT_ANS) return E_FIELD_FORMAT;
    if (this.src !== this.data) return E_READ_ONLY_VIEW;
    if (len < 0 || len > t.max[field] || off < 0 || off + len > src.length) return E_VALUE_RANGE;
    if (t.lenType(field) === LEN_FIXED && len !== t.max[field]) return E_VALUE_RANGE;
    const at = this.reserve(field, len);
    if (at < 0) return E_MESSAGE_FULL;
    for (let i = 0; i < len; i++) this.data[at + i] = src[off + i];
    return ISO_OK;
  }

  /** Copy one field (wire body) from another message of the same profile; absent there = removed here. @hot */
  copyField(from: Message, field: number): number {
    if (field < 2 || field > 128 || this.table.attr[field] === 0) return E_FIELD_FORMAT;
    if (this.src !== this.data) return E_READ_ONLY_VIEW;
    if (!from.has(field)) {
      this.remove(field);
      return ISO_OK;
    }
    const n = from.len[field];
    const bytes = this.table.bodyBytes(field, n);
    const at = this.reserve(field, n);
    if (at < 0) return E_MESSAGE_FULL;
    const s = from.src;
    const so = from.off[field];
    for (let i = 0; i < bytes; i++) this.data[at + i] = s[so + i];
    return ISO_OK;
  }

  // ---------------------------------------------------------------- getters

  /** Value of an n field of up to 15 digits; -1 when absent, not n, or longer. @hot */
  getNumeric(field: number): number {
    const t = this.table;
    if (!this.has(field) || t.format(field) !== FMT_N) return -1;
    const n = this.len[field];
    if (n > 15) return -1;
    const s = this.src;
    const at = this.off[field];
    const bcd = t.isBcd(field);
    const left = this.leftAligned(field);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 10 + (bcd ? getNibble(s, at, digitNibble(i, n, left)) : s[at + i] - 48);
    return v;
  }

  /** ASCII digits of an n/z field into dst[dOff..] (track separator as '='); count, or -1. @hot */
  getDigits(field: number, dst: Uint8Array, dOff: number): number {
    const t = this.table;
    const fmt = t.format(field);
    if (!this.has(field) || (fmt !== FMT_N && fmt !== FMT_Z)) return -1;
    const n = this.len[field];
    if (dOff < 0 || dOff + n > dst.length) return -1;
    const s = this.src;
    const at = this.off[field];
    const bcd = t.isBcd(field);
    const left = this.leftAligned(field);
    for (let i = 0; i < n; i++) {
      if (bcd) {
        const v = getNibble(s, at, digitNibble(i, n, left));
        dst[dOff + i] = v === 13 ? 61 : 48 + v;
      } else dst[dOff + i] = s[at + i];
    }
    return n;
  }

  /** Wire body bytes into dst[dOff..]; count, or -1 when absent or it does not fit. @hot */
  getBytes(field: number, dst: Uint8Array, dOff: number): number {
    if (!this.has(field)) return -1;
    const n = this.table.bodyBytes(field, this.len[field]);
    if (dOff < 0 || dOff + n > dst.length) return -1;
    const s = this.src;
    const at = this.off[field];
    for (let i = 0; i < n; i++) dst[dOff + i] = s[at + i];
    return n;
  }

  /** Byte i of the field's wire body (-1 outside it): e.g. response code characters. @hot */
  byteAt(field: number, i: number): number {
    if (!this.has(field) || i < 0 || i >= this.table.bodyBytes(field, this.len[field])) return -1;
    return this.src[this.off[field] + i];
  }

  /** True when an an/ans/b field's body equals the string's char codes. @hot */
  textEquals(field: number, s: string): boolean {
    if (!this.has(field) || this.table.isBcd(field)) return false;
    const n = this.len[field];
    if (n !== s.length) return false;
    const at = this.off[field];
    for (let i = 0; i < n; i++) if (this.src[at + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  /** True when both messages hold the field with the same length and wire body. @hot */
  sameField(other: Message, field: number): boolean {
    if (!this.has(field) || !other.has(field)) return false;
    const n = this.len[field];
    if (other.len[field] !== n) return false;
    const bytes = this.table.bodyBytes(field, n);
    const a = this.off[field];
    const b = other.off[field];
    for (let i = 0; i < bytes; i++) if (this.src[a + i] !== other.src[b + i]) return false;
    return true;
  }

  // ---------------------------------------------------------------- internals

  /** @hot */
  private leftAligned(field: number): boolean {
    const t = this.table;
    return t.lenType(field) !== LEN_FIXED || (t.flags(field) & FLAG_LEFT) !== 0;
  }

  /** @hot */
  private checkText(field: number, len: number): number {
    const t = this.table;
    const fmt = field >= 2 && field <= 128 ? t.format(field) : 0;
    if (fmt !== FMT_AN && fmt !== FMT_ANS) return E_FIELD_FORMAT;
    if (this.src !== this.data) return E_READ_ONLY_VIEW;
    if (len < 0 || len > t.max[field]) return E_VALUE_RANGE;
    return ISO_OK;
  }

  /** reserve() a text field; a fixed one gets its full length, space-padded. @hot */
  private reserveText(field: number, len: number): number {
    const t = this.table;
    const full = t.lenType(field) === LEN_FIXED ? t.max[field] : len;
    const at = this.reserve(field, full);
    if (at >= 0) for (let i = len; i < full; i++) this.data[at + i] = 32;
    return at;
  }

  /**
   * Room for a body of `units` in `data`: the field's old slot when it is big enough, else the
   * end. Zeroes it, marks the field present, sets len. Returns the offset, or -1 when full.
   * @hot
   */
  private reserve(field: number, units: number): number {
    const t = this.table;
    const bytes = t.bodyBytes(field, units);
    let at = -1;
    if (this.has(field) && t.bodyBytes(field, this.len[field]) >= bytes) at = this.off[field];
    else {
      if (this.used + bytes > this.data.length) return -1;
      at = this.used;
      this.used += bytes;
    }
    for (let i = 0; i < bytes; i++) this.data[at + i] = 0;
    this.off[field] = at;
    this.len[field] = units;
    this.bitmap[(field - 1) >> 3] |= 0x80 >> ((field - 1) & 7);
    return at;
  }
}

/** @hot */
function printable(c: number): boolean {
  return c >= 32 && c <= 126;
}
