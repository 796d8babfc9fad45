/**
 * One ISO 8583 message, preallocated once and reused. Field bodies are kept in their WIRE
 * encoding (BCD digits, ASCII, raw bytes) so packing is a copy and the same getters work on:
 * - a message being built: bodies live in its own `data` buffer (setters append or overwrite);
 * - a received message after `unpack`: `src` points at the receive buffer and `off`/`len` index
 *   into it (no copies). Setters refuse to touch such a view (E_READ_ONLY_VIEW): `clear()` first.
 * Presence is the wire bitmap itself (`bitmap`, 16 bytes, bit 0x80 of byte 0 = field 1).
 * The header's "processing requirement" digit (UnionPay: 3 sign in again, 4..6 downloads) is
 * `head[7] & 15`; a field's body is at `off[f]` in `src` when `has(f)`.
 * `len[f]` is the logical length: digits (n, z), characters (an, ans) or bytes (b).
 *
 * Setters return ISO_OK or an error code and change nothing when they fail.
 *
 * Memory (Espruino): every method costs RAM whatever its length, so the field table is read
 * inline (`spec`, see field-table.ts) and the BCD nibble arithmetic is written out where it is
 * used (bcd.ts says the layout); setNumeric, setText and getNumeric are the same functions as
 * setNumericDigits, setAscii and getDigits (an optional argument tells them apart).
 */
import {
  E_FIELD_FORMAT,
  E_MESSAGE_FULL,
  E_READ_ONLY_VIEW,
  E_VALUE_CHAR,
  E_VALUE_RANGE,
  ISO_OK,
} from "./errors";
import { FieldTable, FLAG_ASCII, FLAG_LEFT, FMT_AN, FMT_ANS, FMT_B, FMT_N, FMT_Z, SPEC_CHARS } from "./field-table";

/** Attribute bits (field-table.ts): length type, FLAG_ASCII and FLAG_LEFT. */
const A_LEN = 3 << 3;
const A_ASCII = FLAG_ASCII << 5;
const A_LEFT = FLAG_LEFT << 5;

export class Message {
  readonly table: FieldTable;
  /** MTI as a number: 200 for "0200". -1 when unknown (after a failed unpack). */
  mti = 0;
  /** TPDU + header (table.headLength bytes), copied in by unpack or by the caller, sent as is by pack. */
  readonly head: Uint8Array;
  readonly bitmap: Uint8Array;
  /** Per field (up to table.lastField): body offset in `src` and logical length. */
  readonly off: Uint16Array;
  readonly len: Uint16Array;
  /** Buffer the bodies are in: `data` for a built message, the receive buffer for a view. */
  src: Uint8Array;
  /**
   * True while `src` is a receive buffer (after unpack): setters refuse to write. A flag, not
   * `src !== data`: Espruino compares two typed arrays by their contents, as strings (its
   * jsvMathsOp), which cost ~4 M instructions and a transient string per setter call.
   */
  isView = false;
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

  /** Fixed-length n field from a number, zero-padded to its length (<= 15 digits): setNumericDigits without `digits`. */
  declare setNumeric: (field: number, value: number) => number;
  /** an/ans field from a string constant (char codes < 256): setAscii with a string. */
  declare setText: (field: number, s: string) => number;
  /** Value of an n field of up to 15 digits; -1 when absent, not n, or longer: getDigits without `dst`. */
  declare getNumeric: (field: number) => number;

  /** `capacity`: bytes for field bodies (a sale request needs about 200, settlement upload more). */
  constructor(table: FieldTable, capacity: number) {
    this.table = table;
    // views of two buffers (on Espruino each typed array of its own costs its buffer's blocks too)
    const hl = table.headLength;
    const b = new Uint8Array(hl + 16 + capacity);
    this.head = b.subarray(0, hl);
    this.bitmap = b.subarray(hl, hl + 16);
    this.data = b.subarray(hl + 16);
    const n = table.lastField + 1;
    const u = new Uint16Array(2 * n);
    this.off = u.subarray(0, n);
    this.len = u.subarray(n);
    this.src = this.data;
  }

  /** Forget all fields (and detach from a receive buffer). @hot */
  clear(): void {
    // one native fill of the 16-byte view (a loop: a statement a byte on Espruino)
    this.bitmap.fill(0);
    this.src = this.data;
    this.isView = false;
    this.used = 0;
    this.mtiOffset = -1;
    this.errorField = 0;
    this.packedLength = 0;
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

  /** Bytes of the field's body in `src` (0 when absent). @hot */
  bodyBytes(field: number): number {
    if (!this.has(field)) return 0;
    const a = this.table.spec[SPEC_CHARS * field] | 0;
    const n = this.len[field];
    return ((a & 7) === FMT_N || (a & 7) === FMT_Z) && (a & A_ASCII) === 0 ? (n + 1) >> 1 : n;
  }

  /** Drop a field. @hot */
  remove(field: number): void {
    if (field < 1 || field > 128) return;
    this.bitmap[(field - 1) >> 3] &= ~(0x80 >> ((field - 1) & 7)) & 255;
  }

  // ---------------------------------------------------------------- setters

  /**
   * n field from a number written with exactly `digits` digits (variable fields: their length).
   * Without `digits` (setNumeric): a fixed-length field, zero-padded to its length. @hot
   */
  setNumericDigits(field: number, value: number, digits?: number): number {
    const s = this.table.spec;
    const a = s[SPEC_CHARS * field] | 0;
    const fixed = (a & A_LEN) === 0;
    if (field < 2 || field > 128 || (a & 7) !== FMT_N || (digits === undefined && !fixed)) return E_FIELD_FORMAT;
    const max = ((s[SPEC_CHARS * field + 1] << 8) | s[SPEC_CHARS * field + 2]) | 0;
    const n = digits === undefined ? max : digits;
    if (this.isView) return E_READ_ONLY_VIEW;
    if (n < 1 || n > 15 || n > max) return E_VALUE_RANGE;
    if (fixed && n !== max) return E_VALUE_RANGE;
    // 10^n, exact: Espruino's Math.pow multiplies out exponents below 10 (others go by exp/log)
    const half = Math.pow(10, n >> 1);
    const limit = (n & 1 ? 10 : 1) * half * half;
    if (!(value >= 0 && value < limit) || value !== Math.floor(value)) return E_VALUE_RANGE;
    const at = this.reserve(field, n);
    if (at < 0) return E_MESSAGE_FULL;
    const d = this.data;
    // digit i sits at nibble i (left-aligned) or i + (n & 1) (right-aligned)
    const shift = !fixed || (a & A_LEFT) !== 0 ? 0 : n & 1;
    const ascii = (a & A_ASCII) !== 0;
    let v = value;
    if (ascii) {
      for (let i = at + n - 1; i >= at; i--) {
        const digit = v % 10;
        v = (v - digit) / 10;
        d[i] = 48 + digit;
      }
      return ISO_OK;
    }
    // BCD a byte (two digits) per step from the last, as setDigits: on Espruino every statement
    // costs ~10,000 instructions. A pad nibble is 0: a left-aligned odd count's last, and a
    // right-aligned one's first (v has no digit left by then).
    let j = at + ((n + shift + 1) >> 1) - 1;
    if (((n + shift) & 1) !== 0) {
      const digit = v % 10;
      v = (v - digit) / 10;
      d[j--] = digit << 4;
    }
    for (; j >= at; j--) {
      const two = v % 100;
      v = (v - two) / 100;
      d[j] = (((two / 10) | 0) << 4) | two % 10;
    }
    return ISO_OK;
  }

  /**
   * n or z field from ASCII digits src[off, off+len) (z also takes '=' or 'D' as separator).
   * Fixed fields need exactly their length. @hot
   */
  setDigits(field: number, src: Uint8Array, off: number, len: number): number {
    const s = this.table.spec;
    const a = field >= 2 && field <= 128 ? s[SPEC_CHARS * field] | 0 : 0;
    const fmt = a & 7;
    if (fmt !== FMT_N && fmt !== FMT_Z) return E_FIELD_FORMAT;
    if (this.isView) return E_READ_ONLY_VIEW;
    const max = (s[SPEC_CHARS * field + 1] << 8) | s[SPEC_CHARS * field + 2];
    const fixed = (a & A_LEN) === 0;
    if (len < 0 || len > max || off < 0 || off + len > src.length) return E_VALUE_RANGE;
    if (fixed && len !== max) return E_VALUE_RANGE;
    for (let i = 0; i < len; i++) {
      const c = src[off + i];
      if (!((c >= 48 && c <= 57) || (fmt === FMT_Z && (c === 61 || c === 68)))) return E_VALUE_CHAR;
    }
    const at = this.reserve(field, len);
    if (at < 0) return E_MESSAGE_FULL;
    const d = this.data;
    let c = 0;
    if ((a & A_ASCII) !== 0) {
      for (let i = 0; i < len; i++) d[at + i] = (c = src[off + i]) === 68 ? 61 : c;
      return ISO_OK;
    }
    // a byte (two digits; the separator '=' or 'D' is nibble 13) per step: on Espruino every
    // statement costs ~10,000 instructions. Right-aligned odd counts start with a pad nibble.
    let i = off;
    let j = at;
    const end = off + len;
    if (fixed && (a & A_LEFT) === 0 && (len & 1) !== 0) d[j++] = (c = src[i++]) <= 57 ? c - 48 : 13;
    for (; i + 1 < end; i += 2) d[j++] = (((c = src[i]) <= 57 ? c - 48 : 13) << 4) | ((c = src[i + 1]) <= 57 ? c - 48 : 13);
    if (i < end) d[j] = ((c = src[i]) <= 57 ? c - 48 : 13) << 4;
    return ISO_OK;
  }

  /**
   * an/ans field from bytes src[off, off+len), or from a string constant (setText: char codes
   * < 256); a fixed field shorter than its length is space-padded. @hot
   */
  setAscii(field: number, src: Uint8Array | string, off?: number, len?: number): number {
    const str = typeof src === "string";
    const o = str ? 0 : (off as number);
    const n = str ? src.length : (len as number);
    const s = this.table.spec;
    const a = field >= 2 && field <= 128 ? s[SPEC_CHARS * field] | 0 : 0;
    if ((a & 7) !== FMT_AN && (a & 7) !== FMT_ANS) return E_FIELD_FORMAT;
    if (this.isView) return E_READ_ONLY_VIEW;
    const max = (s[SPEC_CHARS * field + 1] << 8) | s[SPEC_CHARS * field + 2];
    if (n < 0 || n > max) return E_VALUE_RANGE;
    if (!str && (o < 0 || o + n > src.length)) return E_VALUE_RANGE;
    // an: printable ASCII; ans: any byte (a string's characters must be bytes)
    const lo = (a & 7) === FMT_AN ? 32 : 0;
    const hi = lo ? 126 : 255;
    let c = 0;
    if (str) {
      for (let i = 0; i < n; i++) if ((c = (src as string).charCodeAt(i)) < lo || c > hi) return E_VALUE_CHAR;
    } else for (let i = o; i < o + n; i++) if ((c = (src as Uint8Array)[i]) < lo || c > hi) return E_VALUE_CHAR;
    const full = (a & A_LEN) === 0 ? max : n;
    const at = this.reserve(field, full);
    if (at < 0) return E_MESSAGE_FULL;
    const d = this.data;
    if (str) for (let i = 0; i < n; i++) d[at + i] = (src as string).charCodeAt(i);
    else for (let i = 0; i < n; i++) d[at + i] = (src as Uint8Array)[o + i];
    for (let i = n; i < full; i++) d[at + i] = 32; // (not fill(): Espruino's walks the whole buffer)
    return ISO_OK;
  }

  /** b field (or raw ans bytes) from src[off, off+len); fixed b fields need exactly their length. @hot */
  setBytes(field: number, src: Uint8Array, off: number, len: number): number {
    const s = this.table.spec;
    const a = field >= 2 && field <= 128 ? s[SPEC_CHARS * field] | 0 : 0;
    if ((a & 7) !== FMT_B && (a & 7) !== FMT_ANS) return E_FIELD_FORMAT;
    if (this.isView) return E_READ_ONLY_VIEW;
    const max = (s[SPEC_CHARS * field + 1] << 8) | s[SPEC_CHARS * field + 2];
    if (len < 0 || len > max || off < 0 || off + len > src.length) return E_VALUE_RANGE;
    if ((a & A_LEN) === 0 && len !== max) return E_VALUE_RANGE;
    const at = this.reserve(field, len);
    if (at < 0) return E_MESSAGE_FULL;
    for (let i = 0; i < len; i++) this.data[at + i] = src[off + i];
    return ISO_OK;
  }

  // ---------------------------------------------------------------- getters

  /**
   * ASCII digits of an n/z field into dst[dOff..] (track separator as '='); count, or -1.
   * Without `dst` (getNumeric): the value of an n field of up to 15 digits; -1 when absent, not
   * n, or longer. @hot
   */
  getDigits(field: number, dst?: Uint8Array, dOff?: number): number {
    const a = this.table.spec[SPEC_CHARS * field] | 0;
    const fmt = a & 7;
    const value = dst === undefined;
    if (!this.has(field) || (fmt !== FMT_N && (value || fmt !== FMT_Z))) return -1;
    const n = this.len[field];
    const o = dOff as number;
    if (value ? n > 15 : o < 0 || o + n > (dst as Uint8Array).length) return -1;
    const s = this.src;
    const at = this.off[field];
    let v = 0;
    let i = 0;
    if ((a & A_ASCII) !== 0) {
      for (; i < n; i++) {
        if (value) v = v * 10 + s[at + i] - 48;
        else (dst as Uint8Array)[o + i] = s[at + i];
      }
      return value ? v : n;
    }
    // BCD a byte (two digits) a step (on Espruino a statement costs ~10,000 instructions); a
    // right-aligned odd count starts with its pad nibble, a left-aligned one ends with it. A
    // nibble as its character is 48 + digit, and the track separator D is 48 + 13 = '='.
    let p = at;
    if ((a & A_LEN) === 0 && (a & A_LEFT) === 0 && (n & 1) === 1) {
      if (value) v = s[p] & 15;
      else (dst as Uint8Array)[o] = 48 + (s[p] & 15);
      p++;
      i = 1;
    }
    for (; i + 1 < n; i += 2, p++) {
      if (value) v = v * 100 + (s[p] >> 4) * 10 + (s[p] & 15);
      else {
        (dst as Uint8Array)[o + i] = 48 + (s[p] >> 4);
        (dst as Uint8Array)[o + i + 1] = 48 + (s[p] & 15);
      }
    }
    if (i < n) {
      if (value) v = v * 10 + (s[p] >> 4);
      else (dst as Uint8Array)[o + i] = 48 + (s[p] >> 4);
    }
    return value ? v : n;
  }

  /** Wire body bytes into dst[dOff..]; count, or -1 when absent or it does not fit. @hot */
  getBytes(field: number, dst: Uint8Array, dOff: number): number {
    if (!this.has(field)) return -1;
    const n = this.bodyBytes(field);
    if (dOff < 0 || dOff + n > dst.length) return -1;
    const s = this.src;
    const at = this.off[field];
    for (let i = 0; i < n; i++) dst[dOff + i] = s[at + i];
    return n;
  }

  /** Byte i of the field's wire body (-1 outside it): e.g. response code characters. @hot */
  byteAt(field: number, i: number): number {
    if (i < 0 || i >= this.bodyBytes(field)) return -1;
    return this.src[this.off[field] + i];
  }

  // ---------------------------------------------------------------- internals

  /**
   * Room for a body of `units` in `data`: the field's old slot when it is big enough, else the
   * end; marks the field present, sets len. Returns the offset, or -1 when full.
   * (For this module's setters and copyField.) @hot
   */
  reserve(field: number, units: number): number {
    const a = this.table.spec[SPEC_CHARS * field] | 0;
    const bcd = ((a & 7) === FMT_N || (a & 7) === FMT_Z) && (a & A_ASCII) === 0;
    const bytes = bcd ? (units + 1) >> 1 : units;
    const old = this.len[field];
    const bit = 0x80 >> ((field - 1) & 7);
    let at = -1;
    if ((this.bitmap[(field - 1) >> 3] & bit) !== 0 && (bcd ? (old + 1) >> 1 : old) >= bytes) at = this.off[field];
    else {
      if (this.used + bytes > this.data.length) return -1;
      at = this.used;
      this.used += bytes;
    }
    // not zeroed: every caller (the setters, copyField) writes each byte it reserves, and on
    // Espruino a byte of a loop costs ~20,000 instructions
    this.off[field] = at;
    this.len[field] = units;
    this.bitmap[(field - 1) >> 3] |= bit;
    return at;
  }
}

Message.prototype.setNumeric = Message.prototype.setNumericDigits;
Message.prototype.setText = Message.prototype.setAscii;
Message.prototype.getNumeric = Message.prototype.getDigits;

// Not methods: the firmware does not call these (tests, benches and tools do), and a method
// would cost RAM on Espruino whether called or not; a function nobody imports stays out of the
// bundle.

/**
 * Copy one field (wire body) from another message of the same profile into `to`; absent there =
 * removed here. @hot
 */
export function copyField(to: Message, from: Message, field: number): number {
  if (field < 2 || field > 128 || (to.table.spec[SPEC_CHARS * field] | 0) === 0) return E_FIELD_FORMAT;
  if (to.isView) return E_READ_ONLY_VIEW;
  const byte = (field - 1) >> 3;
  const bit = 0x80 >> ((field - 1) & 7);
  if ((from.bitmap[byte] & bit) === 0) {
    to.bitmap[byte] &= ~bit & 255;
    return ISO_OK;
  }
  const at = to.reserve(field, from.len[field]);
  if (at < 0) return E_MESSAGE_FULL;
  const s = from.src;
  const so = from.off[field];
  const bytes = to.bodyBytes(field); // the reserved body, now present
  for (let i = 0; i < bytes; i++) to.data[at + i] = s[so + i];
  return ISO_OK;
}

/** clear() and zero the body storage (after a message held PAN, track or PIN data). */
export function wipeMessage(m: Message): void {
  m.clear();
  m.data.fill(0);
}
