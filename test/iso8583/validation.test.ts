// Strict unpack accepts exactly the bytes a field's format allows: every byte of a field's body is
// set to each of the 256 values in turn, and unpack's verdict is compared with a slow reference
// written nibble by nibble from the format (BCD digits, the track separator D, an odd count's pad
// nibble 0 or F at its end, printable ASCII, any byte). The codec checks whole bytes at a time
// (fewer statements on Espruino); this holds it to the nibble-level rule. The getters, which also
// read a byte (two digits) at a time, are held to the digits written for every n and z shape.
import { strict as assert } from "node:assert";
import {
  createUnionPayTable,
  E_BAD_BCD,
  E_BAD_CHAR,
  fieldFlags,
  fieldFormat,
  fieldLenType,
  FLAG_LEFT,
  FMT_AN,
  FMT_ANS,
  FMT_N,
  FMT_Z,
  ISO_OK,
  LEN_FIXED,
  LEN_LL,
  Message,
  unpack,
} from "../../firmware/txn/iso8583/index";
import { referenceEncode } from "./helpers";

const table = createUnionPayTable();
const view = new Message(table, 512);

/** The reference: is `body` (the field's wire bytes) a valid value of `n` digits/characters of field f? */
function allowed(f: number, n: number, body: Uint8Array): boolean {
  const fmt = fieldFormat(table, f);
  const lt = fieldLenType(table, f);
  if (fmt === FMT_N || fmt === FMT_Z) {
    const left = lt !== LEN_FIXED || (fieldFlags(table, f) & FLAG_LEFT) !== 0;
    const nibbles = body.length * 2;
    const padAt = n % 2 === 0 ? -1 : left ? nibbles - 1 : 0;
    for (let k = 0; k < nibbles; k++) {
      const v = k % 2 === 0 ? body[k >> 1] >> 4 : body[k >> 1] & 15;
      if (k === padAt) {
        if (v !== 0 && v !== 15) return false;
      } else if (!(v <= 9 || (fmt === FMT_Z && v === 13))) return false;
    }
    return true;
  }
  if (fmt === FMT_AN) return body.every((c) => c >= 32 && c <= 126);
  return true; // ans, b: any byte
}

const CASES: Array<[number, string]> = [
  [2, "6222021234567890123"], // n LL, odd: pad nibble last
  [2, "6222021234567890"], // n LL, even
  [4, "000000012345"], // n fixed, even
  [22, "021"], // n fixed, odd, left-aligned: pad last
  [23, "001"], // n fixed, odd, right-aligned: pad first
  [35, "6222021234567890123=2512"], // z LL, even
  [35, "622202123456789012=2512"], // z LL, odd
  [37, "123456789012"], // an
  [39, "00"], // an
  [41, "12345678"], // ans: anything
  [60, "2200000200012"], // n LLL, odd
  [60, "220000020001"], // n LLL, even
];

describe("ISO 8583 strict unpack: the bytes each format allows", () => {
  for (const [f, v] of CASES) {
    it(`field ${f} (${v.length} ${fieldFormat(table, f) === FMT_N ? "digits" : "characters"}): every value of every body byte`, () => {
      const wire = referenceEncode("0210", { [f]: v });
      const lt = fieldLenType(table, f);
      const at = 2 + 11 + 2 + 8 + (lt === LEN_FIXED ? 0 : lt === LEN_LL ? 1 : 2);
      const buf = new Uint8Array(wire);
      assert.equal(unpack(buf, buf.length, view), ISO_OK, "the valid value unpacks");
      const bcd = fieldFormat(table, f) === FMT_N || fieldFormat(table, f) === FMT_Z;
      let refused = 0;
      for (let i = at; i < buf.length; i++) {
        const was = buf[i];
        for (let c = 0; c < 256; c++) {
          buf[i] = c;
          const want = allowed(f, v.length, buf.subarray(at));
          const e = unpack(buf, buf.length, view);
          assert.equal(e, want ? ISO_OK : bcd ? E_BAD_BCD : E_BAD_CHAR, `byte ${i - at} = 0x${c.toString(16)}`);
          if (!want) {
            refused++;
            assert.equal(view.errorField, f);
          }
        }
        buf[i] = was;
      }
      // the reference itself refuses something in every checked format (ans takes anything)
      if (fieldFormat(table, f) !== FMT_ANS) assert.ok(refused > 0);
    });
  }
});

describe("ISO 8583 getDigits / getNumeric: every n and z field shape read back", () => {
  // [field, value]: odd and even LL/LLL, fixed even, fixed odd left-aligned (22) and
  // right-aligned (23), track data with its separator
  const SHAPES: Array<[number, string]> = [
    [2, "6222021234567890123"],
    [2, "6222021234567890"],
    [4, "000000012345"],
    [11, "000042"],
    [22, "021"],
    [23, "107"],
    [35, "6222021234567890123=2512"],
    [35, "622202123456789012=2512"],
    [60, "2200000200012"],
    [60, "220000020001"],
    [13, "1231"],
  ];
  for (const [f, v] of SHAPES) {
    it(`field ${f}, ${v.length} digits`, () => {
      const wire = referenceEncode("0210", { [f]: v });
      const buf = new Uint8Array(wire);
      assert.equal(unpack(buf, buf.length, view), ISO_OK);
      const out = new Uint8Array(40).fill(0xee);
      assert.equal(view.getDigits(f, out, 3), v.length);
      assert.equal(Buffer.from(out.subarray(3, 3 + v.length)).toString("latin1"), v, "the digits, '=' for the separator");
      assert.equal(out[2], 0xee, "nothing before dOff");
      assert.equal(out[3 + v.length], 0xee, "nothing after the last digit");
      if (fieldFormat(table, f) === FMT_N && v.length <= 15) assert.equal(view.getNumeric(f), Number(v), "the value");
      else assert.equal(view.getNumeric(f), -1, "no value: z, or over 15 digits");
    });
  }
});
