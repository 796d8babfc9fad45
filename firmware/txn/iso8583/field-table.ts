/**
 * The field table that drives pack and unpack: per field number 1..128 its format, length type,
 * maximum length and encoding flags, plus the framing of the profile (header bytes after the
 * 2-byte length, MTI and length-prefix encodings). Two typed arrays, built once at boot.
 *
 * Lengths are counted as ISO 8583 writes them: digits for n and z, characters for an/ans,
 * BYTES for b (PROTOCOL.md's "b64" for fields 52/64 is 64 bits = 8 bytes here).
 */

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

export interface FieldTableOptions {
  /** Bytes between the 2-byte length and the MTI (UnionPay: TPDU 5 + header 6 = 11). */
  headLength: number;
  /** MTI as 4 ASCII digits instead of 2 BCD bytes. */
  asciiMti: boolean;
  /** LL/LLL prefixes as 2/3 ASCII digits instead of 1/2 BCD bytes. */
  asciiPrefix: boolean;
}

export class FieldTable {
  /** Per field: format (bits 0-2), length type (bits 3-4), flags (bits 5-6). */
  readonly attr = new Uint8Array(129);
  readonly max = new Uint16Array(129);
  readonly headLength: number;
  readonly asciiMti: boolean;
  readonly asciiPrefix: boolean;
  /** Highest defined field: messages size their offset tables by it (define all before use). */
  lastField = 1;

  constructor(options: FieldTableOptions) {
    this.headLength = options.headLength;
    this.asciiMti = options.asciiMti;
    this.asciiPrefix = options.asciiPrefix;
  }

  /** Define field `field` (2..128). Returns this for chaining at boot. */
  define(field: number, format: number, lenType: number, maxLen: number, flags: number): FieldTable {
    this.attr[field] = format | (lenType << 3) | (flags << 5);
    this.max[field] = maxLen;
    if (field > this.lastField) this.lastField = field;
    return this;
  }

  /** @hot */
  format(field: number): number {
    return this.attr[field] & 7;
  }

  /** @hot */
  lenType(field: number): number {
    return (this.attr[field] >> 3) & 3;
  }

  /** @hot */
  flags(field: number): number {
    return this.attr[field] >> 5;
  }

  /** True when the field's digits are BCD nibbles (n or z without FLAG_ASCII). @hot */
  isBcd(field: number): boolean {
    const f = this.attr[field] & 7;
    return (f === FMT_N || f === FMT_Z) && ((this.attr[field] >> 5) & FLAG_ASCII) === 0;
  }

  /** Bytes a body of `len` units takes on the wire. @hot */
  bodyBytes(field: number, len: number): number {
    return this.isBcd(field) ? (len + 1) >> 1 : len;
  }
}
