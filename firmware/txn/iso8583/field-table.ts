/**
 * The field table that drives pack and unpack: per field number its format, length type, maximum
 * length and encoding flags, plus the framing of the profile (header bytes after the 2-byte
 * length, MTI and length-prefix encodings).
 *
 * Memory: the definitions are ONE string, 3 characters per field number from 0 (attribute,
 * maximum length high byte, low byte; an undefined field is 3 NULs). A profile written as a
 * string literal (unionpay-table.ts) stays in flash when the bundle is pretokenised; hot code
 * reads it with charCodeAt and allocates nothing. `defineField` (tests, other profiles) builds a
 * new string in RAM instead.
 *
 * Lengths are counted as ISO 8583 writes them: digits for n and z, characters for an/ans,
 * BYTES for b (PROTOCOL.md's "b64" for fields 52/64 is 64 bits = 8 bytes here).
 */

import { flashBytes } from "../../lib/flash-bytes";

export const FMT_NONE = 0;
/** Numeric digits: BCD (two per byte) unless FLAG_ASCII. */
export const FMT_N = 1;
/** Alphanumeric (printable ASCII, checked on unpack). */
export const FMT_AN = 2;
/** Alphanumeric + special: any byte (UnionPay hosts put GBK text in 63). */
export const FMT_ANS = 3;
/** Binary bytes. */
export const FMT_B = 4;
/** Track data: digits and the separator ('=' in ASCII, nibble D in BCD). */
export const FMT_Z = 5;

export const LEN_FIXED = 0;
export const LEN_LL = 1;
export const LEN_LLL = 2;

/** n/z field carried as ASCII digits instead of BCD. */
export const FLAG_ASCII = 1;
/** Fixed n field of odd length packed left-aligned (pad nibble last), e.g. UnionPay field 22. */
export const FLAG_LEFT = 2;

/** Characters per field in `FieldTable.spec`. */
export const SPEC_CHARS = 3;

export interface FieldTableOptions {
  /** Bytes between the 2-byte length and the MTI (UnionPay: TPDU 5 + header 6 = 11). */
  headLength: number;
  /** MTI as 4 ASCII digits instead of 2 BCD bytes. */
  asciiMti: boolean;
  /** LL/LLL prefixes as 2/3 ASCII digits instead of 1/2 BCD bytes. */
  asciiPrefix: boolean;
  /** Field definitions in the `spec` layout (none when absent: add them with defineField). */
  fields?: string;
}

export class FieldTable {
  /**
   * Per field number f from 0: byte 3f = format (bits 0-2) | length type << 3 | flags << 5,
   * bytes 3f+1, 3f+2 = maximum length (big-endian). Past the end: undefined, read as 0 with `| 0`
   * (undefined field). A view of the table's literal (in flash on a board): an index read is a
   * fifth of a charCodeAt call there, and the codec reads three a field.
   */
  spec: Uint8Array;
  readonly headLength: number;
  readonly asciiMti: boolean;
  readonly asciiPrefix: boolean;
  /** Highest field the spec covers: messages size their offset tables by it (define all before use). */
  lastField: number;

  constructor(options: FieldTableOptions) {
    this.headLength = options.headLength;
    this.asciiMti = options.asciiMti;
    this.asciiPrefix = options.asciiPrefix;
    this.spec = flashBytes(options.fields || "");
    this.lastField = Math.max(1, this.spec.length / SPEC_CHARS - 1);
  }
}

// Readers for tests, tools and code off the hot path (hot code reads `spec` inline). They are
// left out of the firmware bundle when nothing there calls them. Allocation-free.

/** The field's attribute byte (0 = undefined). @hot */
export function fieldAttr(t: FieldTable, field: number): number {
  return t.spec[SPEC_CHARS * field] | 0;
}

/** @hot */
export function fieldFormat(t: FieldTable, field: number): number {
  return fieldAttr(t, field) & 7;
}

/** @hot */
export function fieldLenType(t: FieldTable, field: number): number {
  return (fieldAttr(t, field) >> 3) & 3;
}

/** @hot */
export function fieldFlags(t: FieldTable, field: number): number {
  return fieldAttr(t, field) >> 5;
}

/** @hot */
export function fieldMax(t: FieldTable, field: number): number {
  return ((t.spec[SPEC_CHARS * field + 1] << 8) | t.spec[SPEC_CHARS * field + 2]) | 0;
}

/** True when the field's digits are BCD nibbles (n or z without FLAG_ASCII). @hot */
export function fieldIsBcd(t: FieldTable, field: number): boolean {
  const a = fieldAttr(t, field);
  return ((a & 7) === FMT_N || (a & 7) === FMT_Z) && (a & (FLAG_ASCII << 5)) === 0;
}

/** Define field `field` (2..128) of `t` (a new spec, in RAM). Returns t for chaining. */
export function defineField(t: FieldTable, field: number, format: number, lenType: number, maxLen: number, flags: number): FieldTable {
  const s = new Uint8Array(Math.max(t.spec.length, SPEC_CHARS * (field + 1)));
  s.set(t.spec);
  s[SPEC_CHARS * field] = format | (lenType << 3) | (flags << 5);
  s[SPEC_CHARS * field + 1] = maxLen >> 8;
  s[SPEC_CHARS * field + 2] = maxLen & 255;
  t.spec = s;
  t.lastField = Math.max(1, s.length / SPEC_CHARS - 1);
  return t;
}
