// Cross-check against the npm package iso_8583 (zemuldo/iso_8583 2.6), an independent codec.
//
// What that library supports: MTI as 4 ASCII digits, a binary bitmap (it always sends 16 bytes,
// bit 1 set), every field as ASCII text with ASCII LL/LLL prefixes; 'b' only for FIXED fields
// (hex string <-> bytes). No BCD, no TPDU/header. So the check has two parts:
//  A. Our codec driven by an ASCII profile table (same field numbers, formats and lengths as the
//     UnionPay table, n/z as ASCII digits, ASCII prefixes, no head): ours packs -> theirs decodes,
//     theirs packs -> ours decodes, for every message of PROTOCOL.md; and the bytes are identical
//     except for their always-present secondary bitmap. Variable binary fields (55, 62) carry
//     printable bytes here, as that library treats them as text; 63 carries ASCII (it encodes
//     UTF-8, so GBK bytes would change length).
//  B. The real UnionPay (BCD) profile on the fields where both agree -- the FIXED-length fields:
//     our packed message with the TPDU/header dropped and the BCD MTI swapped for ASCII is read by
//     the library with BCD n fields declared as fixed binary; its hex must be the BCD we meant
//     (right-aligned 23 -> "0001", left-aligned 22 -> "0210", amount as 12 digits).
import { strict as assert } from "node:assert";
import { createRequire } from "node:module";
import { Mac, MAC_UNIONPAY_ECB } from "../../firmware/txn/crypto/mac";
import {
  createUnionPayTable,
  defineField,
  fieldAttr,
  fieldFormat,
  fieldIsBcd,
  fieldLenType,
  fieldMax,
  FieldTable,
  FLAG_ASCII,
  FMT_B,
  FMT_N,
  FMT_Z,
  ISO_OK,
  isoErrorName,
  LEN_FIXED,
  LEN_LL,
  Message,
  pack,
  unpack,
} from "../../firmware/txn/iso8583/index";
import { fill, readAll, samples, type Fields } from "./helpers";

const Iso8583 = createRequire(import.meta.url)("iso_8583");

const union = createUnionPayTable();

/** The UnionPay field set with n/z as ASCII digits, ASCII prefixes, no TPDU/header. */
function asciiProfile(): FieldTable {
  const t = new FieldTable({ headLength: 0, asciiMti: true, asciiPrefix: true });
  for (let f = 2; f <= 128; f++) {
    if (fieldAttr(union, f) === 0) continue;
    const fmt = fieldFormat(union, f);
    defineField(t, f, fmt, fieldLenType(union, f), fieldMax(union, f), fmt === FMT_N || fmt === FMT_Z ? FLAG_ASCII : 0);
  }
  return t;
}

type IsoFormat = { ContentType: string; Label: string; LenType: string; MaxLen: number };

/** iso_8583 custom formats matching a table; BCD n fields as fixed binary when `bcdAsBinary`. */
function isoFormats(t: FieldTable, bcdAsBinary: boolean): Record<string, IsoFormat> {
  const r: Record<string, IsoFormat> = {};
  for (let f = 2; f <= 128; f++) {
    if (fieldAttr(t, f) === 0) continue;
    const fmt = fieldFormat(t, f);
    const lt = fieldLenType(t, f);
    const max = fieldMax(t, f);
    const LenType = lt === LEN_FIXED ? "fixed" : lt === LEN_LL ? "llvar" : "lllvar";
    let ContentType = fmt === FMT_N ? "n" : fmt === FMT_Z ? "z" : "ans";
    let MaxLen = max;
    if (fmt === FMT_B && lt === LEN_FIXED) {
      ContentType = "b";
      MaxLen = 2 * max; // hex characters
    }
    if (bcdAsBinary && fieldIsBcd(t, f)) {
      if (lt !== LEN_FIXED) continue; // no BCD prefixes in that library
      ContentType = "b";
      MaxLen = 2 * ((max + 1) >> 1);
    }
    r[String(f)] = { ContentType, Label: `field ${f}`, LenType, MaxLen };
  }
  return r;
}

/** A sample's fields made text-safe for the library (see the header comment). */
function textSafe(fields: Fields): Fields {
  const r: Fields = { ...fields };
  for (const f of [55, 58, 62]) if (r[f] !== undefined) r[f] = Buffer.from(`DATA-${f}-${r[f].slice(0, 20)}`).toString("hex").toUpperCase();
  if (r[63] !== undefined) r[63] = "CUP BANK OF CHINA";
  return r;
}

/** Our Fields (hex for b) as the library's JSON values. */
function toIsoJson(t: FieldTable, mti: number, fields: Fields): Record<string, string> {
  const r: Record<string, string> = { 0: String(mti).padStart(4, "0") };
  for (const k of Object.keys(fields)) {
    const f = Number(k);
    const fixedB = fieldFormat(t, f) === FMT_B && fieldLenType(t, f) === LEN_FIXED;
    r[k] = fieldFormat(t, f) === FMT_B && !fixedB ? Buffer.from(fields[f], "hex").toString("latin1") : fields[f];
  }
  return r;
}

describe("cross-check with the npm iso_8583 codec", () => {
  describe("A. ASCII profile: every PROTOCOL.md message, both directions", () => {
    const t = asciiProfile();
    const formats = isoFormats(t, false);
    const msg = new Message(t, 1024);
    const view = new Message(t, 0);
    const mac = new Mac(MAC_UNIONPAY_ECB);
    mac.key.load(Buffer.from("0123456789ABCDEF", "hex"), 0, 8);

    for (const s of samples()) {
      const fields = textSafe(s.fields);

      it(`${s.name}: packed by ours, decoded by iso_8583`, () => {
        fill(msg, s.mti, fields);
        const out = new Uint8Array(2048);
        assert.equal(isoErrorName(pack(msg, out, s.mac ? mac : null)), "OK");
        const wire = Buffer.from(out.subarray(0, msg.packedLength));
        const theirs = new Iso8583({}, formats).getIsoJSON(wire, {});
        assert.equal(theirs.error, undefined, theirs.error);
        const expected = toIsoJson(t, s.mti, fields);
        if (s.mac) {
          assert.equal(unpack(wire, wire.length, view), ISO_OK);
          expected[64] = Buffer.from(out.subarray(msg.packedLength - 8, msg.packedLength)).toString("hex");
        }
        const got = { ...theirs };
        for (const f of [52, 64]) if (got[f]) got[f] = String(got[f]).toUpperCase();
        for (const f of [52, 64]) if (expected[f]) expected[f] = expected[f].toUpperCase();
        assert.deepEqual(got, expected);
      });

      it(`${s.name}: packed by iso_8583, decoded by ours; same bytes but for its secondary bitmap`, () => {
        const theirs = new Iso8583(toIsoJson(t, s.mti, fields), formats).getBufferMessage();
        assert.ok(Buffer.isBuffer(theirs), JSON.stringify(theirs));
        assert.equal(isoErrorName(unpack(theirs, theirs.length, view)), "OK");
        assert.equal(view.mti, s.mti);
        assert.ok(view.has(1) || (theirs[6] & 0x80) !== 0, "their bitmap flags a secondary bitmap");
        assert.deepEqual(readAll(view), fields);
        // ours, packed the same, equals theirs with the empty secondary bitmap taken out
        fill(msg, s.mti, fields);
        const out = new Uint8Array(2048);
        assert.equal(pack(msg, out, null), ISO_OK);
        const stripped = Buffer.concat([theirs.subarray(0, 14), theirs.subarray(22)]);
        assert.deepEqual(theirs.subarray(14, 22), Buffer.alloc(8), "their secondary bitmap is empty");
        stripped[6] &= 0x7f;
        stripped.writeUInt16BE(stripped.length - 2, 0);
        assert.deepEqual(Buffer.from(out.subarray(0, msg.packedLength)), stripped);
      });
    }
  });

  describe("B. UnionPay BCD profile, fixed-length fields (BCD n read as fixed binary)", () => {
    const formats = isoFormats(union, true);
    const mac = new Mac(MAC_UNIONPAY_ECB);
    mac.key.load(Buffer.from("0123456789ABCDEF", "hex"), 0, 8);
    const msg = new Message(union, 512);

    /** The hex a BCD n field of `digits` must have: left-aligned for 22, right-aligned otherwise. */
    function bcdHex(f: number, v: string): string {
      if (v.length % 2 === 0) return v;
      return f === 22 ? v + "0" : "0" + v;
    }

    for (const s of samples()) {
      const fixed: Fields = {};
      for (const k of Object.keys(s.fields)) if (fieldLenType(union, Number(k)) === LEN_FIXED) fixed[Number(k)] = s.fields[Number(k)];
      fixed[23] = fixed[23] ?? "001";
      fixed[22] = fixed[22] ?? "051";
      it(`${s.name}: fixed fields ${Object.keys(fixed).join(",")}`, () => {
        fill(msg, s.mti, fixed);
        const out = new Uint8Array(1024);
        assert.equal(pack(msg, out, mac), ISO_OK);
        const afterMti = Buffer.from(out.subarray(2 + 11 + 2, msg.packedLength));
        const body = Buffer.concat([Buffer.from(String(s.mti).padStart(4, "0")), afterMti]);
        const frame = Buffer.concat([Buffer.from([body.length >> 8, body.length & 255]), body]);
        const theirs = new Iso8583({}, formats).getIsoJSON(frame, {});
        assert.equal(theirs.error, undefined, theirs.error);
        const expected: Record<string, string> = { 0: String(s.mti).padStart(4, "0") };
        for (const k of Object.keys(fixed)) {
          const f = Number(k);
          const fmt = fieldFormat(union, f);
          expected[k] = fmt === FMT_N ? bcdHex(f, fixed[f]) : fmt === FMT_B ? fixed[f].toUpperCase() : fixed[f];
        }
        expected[64] = Buffer.from(out.subarray(msg.packedLength - 8, msg.packedLength)).toString("hex").toUpperCase();
        const got: Record<string, string> = {};
        for (const k of Object.keys(theirs)) {
          const fmt = fieldFormat(union, Number(k));
          got[k] = fmt === FMT_N || fmt === FMT_B ? String(theirs[k]).toUpperCase() : theirs[k];
        }
        assert.deepEqual(got, expected);
      });
    }
  });
});
