// The UnionPay field table is one string literal (so it stays in flash on the board): check it,
// field by field, against the profile written out as definitions, and check the readers and
// defineField that tests and other profiles use.
import { strict as assert } from "node:assert";
import {
  createUnionPayTable,
  defineField,
  fieldAttr,
  fieldFlags,
  fieldFormat,
  fieldIsBcd,
  fieldLenType,
  fieldMax,
  FieldTable,
  FLAG_ASCII,
  FLAG_LEFT,
  FMT_AN,
  FMT_ANS,
  FMT_B,
  FMT_N,
  FMT_Z,
  LEN_FIXED,
  LEN_LL,
  LEN_LLL,
  Message,
  UNIONPAY_HEAD_LENGTH,
} from "../../firmware/txn/iso8583/index";

/** PROTOCOL.md's UnionPay profile: [field, format, length type, max, flags]. */
const UNIONPAY: [number, number, number, number, number][] = [
  [2, FMT_N, LEN_LL, 19, 0],
  [3, FMT_N, LEN_FIXED, 6, 0],
  [4, FMT_N, LEN_FIXED, 12, 0],
  [11, FMT_N, LEN_FIXED, 6, 0],
  [12, FMT_N, LEN_FIXED, 6, 0],
  [13, FMT_N, LEN_FIXED, 4, 0],
  [14, FMT_N, LEN_FIXED, 4, 0],
  [15, FMT_N, LEN_FIXED, 4, 0],
  [22, FMT_N, LEN_FIXED, 3, FLAG_LEFT],
  [23, FMT_N, LEN_FIXED, 3, 0],
  [25, FMT_N, LEN_FIXED, 2, 0],
  [26, FMT_N, LEN_FIXED, 2, 0],
  [32, FMT_N, LEN_LL, 11, 0],
  [35, FMT_Z, LEN_LL, 37, 0],
  [36, FMT_Z, LEN_LLL, 104, 0],
  [37, FMT_AN, LEN_FIXED, 12, 0],
  [38, FMT_AN, LEN_FIXED, 6, 0],
  [39, FMT_AN, LEN_FIXED, 2, 0],
  [41, FMT_ANS, LEN_FIXED, 8, 0],
  [42, FMT_ANS, LEN_FIXED, 15, 0],
  [44, FMT_ANS, LEN_LL, 25, 0],
  [48, FMT_N, LEN_LLL, 322, 0],
  [49, FMT_AN, LEN_FIXED, 3, 0],
  [52, FMT_B, LEN_FIXED, 8, 0],
  [53, FMT_N, LEN_FIXED, 16, 0],
  [54, FMT_AN, LEN_LLL, 20, 0],
  [55, FMT_B, LEN_LLL, 255, 0],
  [58, FMT_B, LEN_LLL, 100, 0],
  [60, FMT_N, LEN_LLL, 17, 0],
  [61, FMT_N, LEN_LLL, 29, 0],
  [62, FMT_B, LEN_LLL, 512, 0],
  [63, FMT_ANS, LEN_LLL, 163, 0],
  [64, FMT_B, LEN_FIXED, 8, 0],
];

describe("ISO 8583 field table", () => {
  it("the UnionPay literal defines exactly PROTOCOL.md's fields, with their formats, lengths and flags", () => {
    const t = createUnionPayTable();
    assert.equal(t.headLength, UNIONPAY_HEAD_LENGTH);
    assert.equal(t.asciiMti, false);
    assert.equal(t.asciiPrefix, false);
    assert.equal(t.lastField, 64);
    const byField = new Map(UNIONPAY.map((d) => [d[0], d]));
    for (let f = 0; f <= 130; f++) {
      const d = byField.get(f);
      if (!d) {
        assert.equal(fieldAttr(t, f), 0, `field ${f} is not defined`);
        assert.equal(fieldMax(t, f), 0, `field ${f} has no length`);
        continue;
      }
      assert.deepEqual([f, fieldFormat(t, f), fieldLenType(t, f), fieldMax(t, f), fieldFlags(t, f)], d, `field ${f}`);
    }
  });

  it("BCD fields are the n and z fields without FLAG_ASCII", () => {
    const t = createUnionPayTable();
    assert.equal(fieldIsBcd(t, 2), true);
    assert.equal(fieldIsBcd(t, 35), true);
    assert.equal(fieldIsBcd(t, 41), false);
    assert.equal(fieldIsBcd(t, 52), false);
    defineField(t, 11, FMT_N, LEN_FIXED, 6, FLAG_ASCII);
    assert.equal(fieldIsBcd(t, 11), false);
  });

  it("defineField adds and replaces fields; messages built after it size their tables by the last field", () => {
    const t = new FieldTable({ headLength: 0, asciiMti: true, asciiPrefix: true });
    assert.equal(t.lastField, 1);
    assert.equal(fieldAttr(t, 11), 0);
    defineField(t, 11, FMT_N, LEN_FIXED, 6, 0);
    defineField(t, 70, FMT_ANS, LEN_LLL, 999, 0);
    assert.equal(t.lastField, 70);
    assert.deepEqual([fieldFormat(t, 70), fieldLenType(t, 70), fieldMax(t, 70)], [FMT_ANS, LEN_LLL, 999]);
    defineField(t, 11, FMT_AN, LEN_LL, 300, 0);
    assert.deepEqual([fieldFormat(t, 11), fieldLenType(t, 11), fieldMax(t, 11)], [FMT_AN, LEN_LL, 300]);
    assert.equal(fieldAttr(t, 12), 0, "its neighbours stay undefined");
    const m = new Message(t, 16);
    assert.equal(m.off.length, 71);
    assert.equal(m.setText(70, "x"), 0);
  });
});
