/**
 * ISO 8583, China UnionPay terminal profile, as the HOST sees it (PROTOCOL.md "Framing",
 * "Field encodings"). Written independently of firmware/txn: it must not import it.
 *
 * Frame: [len 2 bytes big-endian][TPDU 5][header 6][MTI 2 BCD][bitmap 8][fields]
 *
 * Encoding choices (from jPOS ISO87BPackager and public UnionPay terminal code:
 * CaoEnXin/LiaoYang_POS Src/pack8583.c + st8583.c, yinxiongjun/oxxogas st8583.c):
 * - n, fixed length: packed BCD, RIGHT-aligned; an odd length gets a leading 0 nibble
 *   (field 23 "001" -> 00 01). A non-zero pad nibble is refused. EXCEPTION: field 22 is
 *   LEFT-aligned ("021" -> 02 10), as UnionPay terminals send it (LiaoYang_POS st8583.h sizes
 *   it 4 digits "为了处理左对齐方式" = to get left alignment, and packs "%3.3s0").
 * - n / z, LL or LLL: the length is the number of DIGITS, itself BCD (LL = 1 byte,
 *   LLL = 2 bytes "0L LL"); the digits are LEFT-aligned, an odd count gets a trailing pad
 *   nibble (0 on encode; 0 or F accepted on decode). z (tracks) maps '=' to nibble D.
 * - an / ans: ASCII; fixed fields are space-padded on the right; LL/LLL count bytes.
 * - b: binary; LL/LLL count bytes.
 * Field 64 (MAC) is the last field; the MAC covers MTI .. the byte before field 64, with the
 * bitmap already carrying bit 64.
 */

export type FieldFormat = "n" | "z" | "an" | "ans" | "b";
export type LengthKind = "fixed" | "LL" | "LLL";

export interface FieldSpec {
  name: string;
  format: FieldFormat;
  length: LengthKind;
  /** Fixed length, or the maximum for LL/LLL (digits for n/z, bytes otherwise). */
  max: number;
  /** Fixed n of odd length packed with the pad nibble LAST (UnionPay field 22). */
  leftAligned?: boolean;
}

function f(name: string, format: FieldFormat, length: LengthKind, max: number, leftAligned?: boolean): FieldSpec {
  const spec: FieldSpec = { name: name, format: format, length: length, max: max };
  if (leftAligned) spec.leftAligned = true;
  return spec;
}

/** The fields this profile defines; any other bit in a bitmap is a format error. */
export const FIELDS: { readonly [field: number]: FieldSpec } = {
  2: f("PAN", "n", "LL", 19),
  3: f("processing code", "n", "fixed", 6),
  4: f("amount", "n", "fixed", 12),
  11: f("STAN", "n", "fixed", 6),
  12: f("local time", "n", "fixed", 6),
  13: f("local date", "n", "fixed", 4),
  14: f("expiry", "n", "fixed", 4),
  15: f("settlement date", "n", "fixed", 4),
  22: f("entry mode", "n", "fixed", 3, true),
  23: f("PAN sequence", "n", "fixed", 3),
  25: f("condition code", "n", "fixed", 2),
  26: f("PIN capture code", "n", "fixed", 2),
  32: f("acquirer id", "n", "LL", 11),
  35: f("track 2", "z", "LL", 37),
  36: f("track 3", "z", "LLL", 104),
  37: f("RRN", "an", "fixed", 12),
  38: f("auth code", "an", "fixed", 6),
  39: f("response code", "an", "fixed", 2),
  41: f("terminal id", "ans", "fixed", 8),
  42: f("merchant id", "ans", "fixed", 15),
  44: f("additional response", "ans", "LL", 25),
  48: f("additional data", "n", "LLL", 322),
  49: f("currency", "an", "fixed", 3),
  52: f("PIN block", "b", "fixed", 8),
  53: f("security control", "n", "fixed", 16),
  54: f("balance", "ans", "LLL", 20),
  55: f("ICC data", "b", "LLL", 255),
  60: f("reserved private 60", "n", "LLL", 17),
  61: f("original data", "n", "LLL", 29),
  62: f("reserved private 62", "b", "LLL", 512),
  63: f("reserved private 63", "ans", "LLL", 163),
  64: f("MAC", "b", "fixed", 8),
};

export type FieldValue = string | Buffer;

export interface IsoMessage {
  /** 5 bytes: 0x60, destination (2), source (2). */
  tpdu: Buffer;
  /** 6 bytes BCD: app type, version, terminal status + processing requirement, version. */
  header: Buffer;
  /** 4 digits, e.g. "0200". */
  mti: string;
  /** n, z, an, ans fields as strings; b fields as Buffers. */
  fields: { [field: number]: FieldValue };
}

/** A decoding/encoding failure; `code` says what, `field` where (0 = framing/MTI/bitmap). */
export class CodecError extends Error {
  constructor(
    readonly code: "truncated" | "bad-bcd" | "bad-length" | "unknown-field" | "too-long" | "bad-value" | "trailing-bytes" | "bad-frame",
    readonly field: number,
    detail: string,
  ) {
    super("ISO 8583 " + code + (field ? " in field " + field : "") + ": " + detail);
  }
}

function packDigits(s: string, field: number, z: boolean, alignRight: boolean): Buffer {
  const nibbles: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c >= "0" && c <= "9") nibbles.push(c.charCodeAt(0) - 48);
    else if (z && c === "=") nibbles.push(0xd);
    else throw new CodecError("bad-value", field, "character '" + c + "' not allowed");
  }
  if (nibbles.length % 2) {
    if (alignRight) nibbles.unshift(0);
    else nibbles.push(0);
  }
  const out = Buffer.alloc(nibbles.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (nibbles[2 * i] << 4) | nibbles[2 * i + 1];
  return out;
}

function unpackDigits(buf: Buffer, count: number, field: number, z: boolean, alignRight: boolean): string {
  const total = buf.length * 2;
  const skip = alignRight ? total - count : 0;
  let s = "";
  for (let i = 0; i < total; i++) {
    const nib = i % 2 === 0 ? buf[i >> 1] >> 4 : buf[i >> 1] & 0xf;
    const inData = i >= skip && i < skip + count;
    if (!inData) {
      // Pad nibble: fixed fields lead with 0; variable fields trail with 0 (or F, seen on tracks).
      if (nib !== 0 && !(nib === 0xf && !alignRight)) throw new CodecError("bad-bcd", field, "pad nibble " + nib.toString(16));
      continue;
    }
    if (nib <= 9) s += String.fromCharCode(48 + nib);
    else if (z && nib === 0xd) s += "=";
    else throw new CodecError("bad-bcd", field, "nibble " + nib.toString(16).toUpperCase() + " is not a digit");
  }
  return s;
}

function encodeLength(len: number, kind: LengthKind, field: number): Buffer {
  if (kind === "LL") {
    if (len > 99) throw new CodecError("too-long", field, "LL length " + len);
    return Buffer.from([((len / 10) | 0) * 16 + (len % 10)]);
  }
  if (len > 999) throw new CodecError("too-long", field, "LLL length " + len);
  const h = (len / 100) | 0;
  const t = ((len % 100) / 10) | 0;
  return Buffer.from([h, t * 16 + (len % 10)]);
}

function bcdByte(b: number, field: number): number {
  const hi = b >> 4;
  const lo = b & 0xf;
  if (hi > 9 || lo > 9) throw new CodecError("bad-length", field, "length byte " + b.toString(16) + " is not BCD");
  return hi * 10 + lo;
}

function encodeField(n: number, spec: FieldSpec, value: FieldValue): Buffer {
  if (spec.format === "b") {
    if (!Buffer.isBuffer(value)) throw new CodecError("bad-value", n, "binary field needs a Buffer");
    if (spec.length === "fixed") {
      if (value.length !== spec.max) throw new CodecError("bad-value", n, "must be " + spec.max + " bytes");
      return Buffer.from(value);
    }
    if (value.length > spec.max) throw new CodecError("too-long", n, value.length + " > " + spec.max);
    return Buffer.concat([encodeLength(value.length, spec.length, n), value]);
  }
  if (typeof value !== "string") throw new CodecError("bad-value", n, "field needs a string");
  if (spec.format === "n" || spec.format === "z") {
    let s = value;
    if (spec.length === "fixed") {
      if (s.length > spec.max) throw new CodecError("too-long", n, s.length + " > " + spec.max);
      s = s.padStart(spec.max, "0");
      return packDigits(s, n, false, !spec.leftAligned);
    }
    if (s.length > spec.max) throw new CodecError("too-long", n, s.length + " > " + spec.max);
    return Buffer.concat([encodeLength(s.length, spec.length, n), packDigits(s, n, spec.format === "z", false)]);
  }
  // an / ans: printable ASCII only.
  if (!/^[\x20-\x7e]*$/.test(value)) throw new CodecError("bad-value", n, "not printable ASCII");
  if (spec.length === "fixed") {
    if (value.length > spec.max) throw new CodecError("too-long", n, value.length + " > " + spec.max);
    return Buffer.from(value.padEnd(spec.max, " "), "ascii");
  }
  if (value.length > spec.max) throw new CodecError("too-long", n, value.length + " > " + spec.max);
  return Buffer.concat([encodeLength(value.length, spec.length, n), Buffer.from(value, "ascii")]);
}

/** Encodes MTI + bitmap + fields (no TPDU/header, no length). */
export function encodeMtiAndFields(mti: string, fields: { [field: number]: FieldValue }): Buffer {
  if (!/^[0-9]{4}$/.test(mti)) throw new CodecError("bad-value", 0, "MTI must be 4 digits");
  const bitmap = Buffer.alloc(8);
  const parts: Buffer[] = [];
  const numbers = Object.keys(fields)
    .map(Number)
    .sort((a, b) => a - b);
  for (const n of numbers) {
    const value = fields[n];
    if (value === undefined) continue;
    const spec = FIELDS[n];
    if (!spec) throw new CodecError("unknown-field", n, "not in the profile");
    bitmap[(n - 1) >> 3] |= 0x80 >> ((n - 1) & 7);
    parts.push(encodeField(n, spec, value));
  }
  return Buffer.concat([packDigits(mti, 0, false, true), bitmap].concat(parts));
}

function checkEnvelope(msg: IsoMessage): void {
  if (!Buffer.isBuffer(msg.tpdu) || msg.tpdu.length !== 5) throw new CodecError("bad-value", 0, "TPDU must be 5 bytes");
  if (!Buffer.isBuffer(msg.header) || msg.header.length !== 6) throw new CodecError("bad-value", 0, "header must be 6 bytes");
}

/** Body = TPDU + header + MTI + bitmap + fields (everything after the 2 length bytes). */
export function encodeBody(msg: IsoMessage): Buffer {
  checkEnvelope(msg);
  return Buffer.concat([msg.tpdu, msg.header, encodeMtiAndFields(msg.mti, msg.fields)]);
}

/**
 * Encodes a body whose field 64 is computed by `mac` over MTI .. the byte before field 64.
 * Any field 64 already in `msg` is replaced.
 */
export function encodeBodyWithMac(msg: IsoMessage, mac: (input: Buffer) => Buffer): Buffer {
  const fields = Object.assign({}, msg.fields);
  fields[64] = Buffer.alloc(8);
  const body = encodeBody({ tpdu: msg.tpdu, header: msg.header, mti: msg.mti, fields: fields });
  const value = mac(body.subarray(11, body.length - 8));
  if (value.length !== 8) throw new CodecError("bad-value", 64, "MAC must be 8 bytes");
  value.copy(body, body.length - 8);
  return body;
}

/** Prefixes a body with its 2-byte big-endian length. */
export function frame(body: Buffer): Buffer {
  if (body.length > 0xffff) throw new CodecError("too-long", 0, "frame longer than 65535");
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length, 0);
  return Buffer.concat([len, body]);
}

export interface DecodedBody {
  message: IsoMessage;
  /** MTI .. the byte before field 64 when field 64 is present, else null. */
  macInput: Buffer | null;
}

/** What could be read of a body before a CodecError (to answer a malformed request). */
export interface PartialMessage {
  tpdu?: Buffer;
  header?: Buffer;
  mti?: string;
  fields: { [field: number]: FieldValue };
}

/**
 * Decodes a body (TPDU onwards). Throws CodecError. When `partial` is given, everything read
 * before the error is left in it.
 */
export function decodeBody(body: Buffer, partial?: PartialMessage): DecodedBody {
  const fields: { [field: number]: FieldValue } = partial ? partial.fields : {};
  if (body.length >= 5 && partial) partial.tpdu = Buffer.from(body.subarray(0, 5));
  if (body.length >= 11 && partial) partial.header = Buffer.from(body.subarray(5, 11));
  if (body.length < 5 + 6 + 2 + 8) throw new CodecError("truncated", 0, "body of " + body.length + " bytes is shorter than TPDU+header+MTI+bitmap");
  const tpdu = Buffer.from(body.subarray(0, 5));
  const header = Buffer.from(body.subarray(5, 11));
  const mti = unpackDigits(body.subarray(11, 13), 4, 0, false, true);
  if (partial) partial.mti = mti;
  let pos = 13;
  const bitmap = body.subarray(pos, pos + 8);
  pos += 8;
  if (bitmap[0] & 0x80) throw new CodecError("unknown-field", 1, "secondary bitmap is not used in this profile");
  let macStart = -1;
  for (let n = 2; n <= 64; n++) {
    if (!(bitmap[(n - 1) >> 3] & (0x80 >> ((n - 1) & 7)))) continue;
    const spec = FIELDS[n];
    if (!spec) throw new CodecError("unknown-field", n, "not in the profile");
    if (n === 64) macStart = pos;
    let count = spec.max;
    if (spec.length !== "fixed") {
      const lenBytes = spec.length === "LL" ? 1 : 2;
      if (pos + lenBytes > body.length) throw new CodecError("truncated", n, "length prefix missing");
      if (spec.length === "LL") count = bcdByte(body[pos], n);
      else {
        if (body[pos] > 9) throw new CodecError("bad-length", n, "LLL first byte " + body[pos].toString(16));
        count = body[pos] * 100 + bcdByte(body[pos + 1], n);
      }
      pos += lenBytes;
      if (count > spec.max) throw new CodecError("too-long", n, count + " > " + spec.max);
    }
    const isDigits = spec.format === "n" || spec.format === "z";
    const size = isDigits ? (count + 1) >> 1 : count;
    if (pos + size > body.length) throw new CodecError("truncated", n, "needs " + size + " bytes, " + (body.length - pos) + " left");
    const raw = body.subarray(pos, pos + size);
    pos += size;
    if (spec.format === "b") fields[n] = Buffer.from(raw);
    else if (isDigits) fields[n] = unpackDigits(raw, count, n, spec.format === "z", spec.length === "fixed" && !spec.leftAligned);
    else {
      const s = raw.toString("latin1");
      if (!/^[\x20-\x7e]*$/.test(s)) throw new CodecError("bad-value", n, "not printable ASCII");
      fields[n] = s;
    }
  }
  if (pos !== body.length) throw new CodecError("trailing-bytes", 0, body.length - pos + " bytes after the last field");
  return {
    message: { tpdu: tpdu, header: header, mti: mti, fields: fields },
    macInput: macStart >= 0 ? Buffer.from(body.subarray(11, macStart)) : null,
  };
}

/**
 * Splits a TCP byte stream into frame bodies (2-byte length prefix). Keeps partial frames
 * between chunks; a zero or over-long length is a framing error (the stream cannot be
 * resynchronised, so the caller should answer what it can and close).
 */
export class FrameReader {
  private buf = Buffer.alloc(0);

  constructor(private readonly maxBody = 4096) {}

  /** Adds bytes; returns complete bodies, or throws CodecError("bad-frame") on a bad length. */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    const out: Buffer[] = [];
    while (this.buf.length >= 2) {
      const len = this.buf.readUInt16BE(0);
      if (len === 0 || len > this.maxBody) {
        this.buf = Buffer.alloc(0);
        throw new CodecError("bad-frame", 0, "frame length " + len);
      }
      if (this.buf.length < 2 + len) break;
      out.push(Buffer.from(this.buf.subarray(2, 2 + len)));
      this.buf = this.buf.subarray(2 + len);
    }
    return out;
  }

  /** Bytes received that do not yet form a whole frame. */
  get pending(): number {
    return this.buf.length;
  }
}

/** TPDU of a reply: same id, destination and source swapped. */
export function swapTpdu(tpdu: Buffer): Buffer {
  return Buffer.from([tpdu[0], tpdu[3], tpdu[4], tpdu[1], tpdu[2]]);
}

/** Processing-requirement digit: low nibble of header byte 2 (after app type and version). */
export function processingRequirement(header: Buffer): number {
  return header[2] & 0x0f;
}

/** A copy of `header` with the processing-requirement digit set (0 none, 3 sign in again...). */
export function withProcessingRequirement(header: Buffer, digit: number): Buffer {
  const out = Buffer.from(header);
  out[2] = (out[2] & 0xf0) | (digit & 0x0f);
  return out;
}

/** Reply MTI for a request MTI: third digit + 1 (0200 -> 0210, 0220 -> 0230). */
export function replyMti(mti: string): string {
  const d = Number(mti[2]);
  return mti.slice(0, 2) + String((d + 1) % 10) + mti[3];
}

/** First 6 and last 4 digits, the rest masked (PROTOCOL/RULES: never log a whole PAN). */
export function maskPan(pan: string): string {
  if (pan.length < 11) return "*".repeat(pan.length);
  return pan.slice(0, 6) + "*".repeat(pan.length - 10) + pan.slice(-4);
}

/** String value of a text/digit field, or undefined. */
export function str(msg: IsoMessage, n: number): string | undefined {
  const v = msg.fields[n];
  return typeof v === "string" ? v : undefined;
}

/** Binary value of a b field, or undefined. */
export function bin(msg: IsoMessage, n: number): Buffer | undefined {
  const v = msg.fields[n];
  return Buffer.isBuffer(v) ? v : undefined;
}

// Exposed for tests of the nibble rules.
export const __test = { packDigits: packDigits, unpackDigits: unpackDigits };
