import { strict as assert } from "node:assert";
import {
  CodecError,
  FrameReader,
  decodeBody,
  encodeBody,
  encodeBodyWithMac,
  frame,
  maskPan,
  processingRequirement,
  replyMti,
  swapTpdu,
  withProcessingRequirement,
  type IsoMessage,
} from "../../hil/host/codec";

const TPDU = Buffer.from("6000010000", "hex");
const HEADER = Buffer.from("603100310000", "hex");

function msg(mti: string, fields: IsoMessage["fields"]): IsoMessage {
  return { tpdu: TPDU, header: HEADER, mti: mti, fields: fields };
}

function roundTrip(m: IsoMessage): IsoMessage {
  const body = encodeBody(m);
  const back = decodeBody(body).message;
  assert.deepEqual(back, m);
  // And re-encoding gives the same bytes.
  assert.deepEqual(encodeBody(back), body);
  return back;
}

const base = { 41: "10000001", 42: "898100012340001" };

describe("host codec: every message type round-trips", () => {
  const cases: Array<[string, IsoMessage]> = [
    ["0800 sign-in", msg("0800", Object.assign({ 11: "000001", 60: "00000001004", 63: "01 " }, base))],
    [
      "0810 sign-in reply",
      msg("0810", Object.assign({ 11: "000001", 12: "101530", 13: "0315", 32: "01020000", 39: "00", 60: "00000001004", 62: Buffer.alloc(40, 7) }, base)),
    ],
    [
      "0200 sale (track 2, PIN)",
      msg(
        "0200",
        Object.assign(
          { 3: "000000", 4: "000000001000", 11: "000002", 22: "021", 25: "00", 26: "12", 35: "6222020000000007=30121010000000", 49: "156", 52: Buffer.alloc(8, 1), 53: "2600000000000000", 60: "2200000100050", 64: Buffer.from("ABCDEF01") },
          base,
        ),
      ),
    ],
    [
      "0210 sale reply",
      msg(
        "0210",
        Object.assign(
          { 2: "6222020000000000125", 3: "000000", 4: "000000001000", 11: "000002", 12: "101530", 13: "0315", 15: "0315", 25: "00", 32: "01020000", 37: "000000000001", 38: "000001", 39: "00", 49: "156", 60: "2200000100050", 63: "CUP" },
          base,
        ),
      ),
    ],
    ["0200 balance", msg("0200", Object.assign({ 2: "6222020000000007", 3: "310000", 11: "000003", 14: "3012", 22: "011", 25: "00", 49: "156", 60: "0100000100050" }, base))],
    ["0210 balance reply", msg("0210", Object.assign({ 3: "310000", 11: "000003", 39: "00", 54: "1002156C000010000000" }, base))],
    ["0200 void", msg("0200", Object.assign({ 2: "6222020000000007", 3: "200000", 4: "000000001000", 11: "000004", 22: "012", 25: "00", 37: "000000000001", 38: "000001", 60: "2300000100050", 61: "000001000002" }, base))],
    ["0220 refund", msg("0220", Object.assign({ 2: "6222020000000007", 3: "200000", 4: "000000000500", 11: "000005", 22: "012", 25: "00", 37: "000000000001", 60: "2500000100050", 61: "0000010000020315" }, base))],
    ["0100 pre-auth", msg("0100", Object.assign({ 2: "6222020000000007", 3: "030000", 4: "000000020000", 11: "000006", 22: "051", 23: "001", 25: "06", 55: Buffer.from("9F2608AABBCCDDEEFF0011", "hex"), 60: "1000000100050" }, base))],
    ["0400 reversal", msg("0400", Object.assign({ 2: "6222020000000007", 3: "000000", 4: "000000001000", 11: "000002", 22: "021", 25: "00", 39: "98", 49: "156", 60: "2200000100050" }, base))],
    [
      "0500 settlement",
      msg("0500", Object.assign({ 11: "000007", 48: "00000000100000100000000050000100000000000000000000000000000000".slice(0, 62), 49: "156", 60: "00000001201", 63: "01 " }, base)),
    ],
    ["0320 batch upload", msg("0320", Object.assign({ 11: "000008", 48: "01" + "00" + "000002" + "00006222020000000007" + "000000001000", 60: "00000001201" }, base))],
    ["0320 batch close", msg("0320", Object.assign({ 11: "000009", 48: "0001", 60: "00000001202" }, base))],
    ["0820 sign-off", msg("0820", Object.assign({ 11: "000010", 60: "00000001002" }, base))],
    ["0200 with track 3 (LLL z)", msg("0200", Object.assign({ 3: "000000", 4: "000000000001", 11: "000011", 36: "996222020000000007=1561560000000000000003000000214=0000000000000=000000000000=000000000000000", 60: "22000001" }, base))],
  ];
  for (const [name, m] of cases) it(name, () => roundTrip(m));
});

describe("host codec: packing rules", () => {
  it("fixed n of odd length is right-aligned with a leading 0 nibble (field 23 '001' -> 00 01)", () => {
    const body = encodeBody(msg("0200", { 23: "001" }));
    assert.equal(body.subarray(21).toString("hex"), "0001");
  });

  it("except field 22, left-aligned as UnionPay terminals send it ('021' -> 02 10)", () => {
    const body = encodeBody(msg("0200", { 22: "021" }));
    assert.equal(body.subarray(21).toString("hex"), "0210");
    const rightAligned = Buffer.from(body);
    rightAligned[21] = 0x00;
    rightAligned[22] = 0x21;
    assert.throws(() => decodeBody(rightAligned), (e: CodecError) => e.code === "bad-bcd" && e.field === 22);
  });

  it("LL n of odd length: BCD digit count, digits left-aligned, trailing 0 pad", () => {
    const body = encodeBody(msg("0200", { 2: "6222020000000000125" }));
    assert.equal(body.subarray(21).toString("hex"), "19" + "6222020000000000125" + "0");
  });

  it("LL z maps '=' to nibble D; LLL length is 2 BCD bytes '0L LL'", () => {
    const b35 = encodeBody(msg("0200", { 35: "6222020000000007=30121010" }));
    assert.equal(b35.subarray(21).toString("hex").toUpperCase(), "256222020000000007D301210100");
    const b60 = encodeBody(msg("0200", { 60: "2200000100050" }));
    assert.equal(b60.subarray(21).toString("hex"), "0013" + "2200000100050" + "0");
  });

  it("an fixed fields are space-padded; ans LLL counts bytes", () => {
    const b = encodeBody(msg("0210", { 38: "1234", 63: "CUP" }));
    assert.equal(b.subarray(21).toString("latin1"), "1234  " + "\x00\x03" + "CUP");
  });

  it("bitmap bit order: field 2 is the top bit of byte 0, 64 the low bit of byte 7", () => {
    const b = encodeBody(msg("0200", { 2: "6222020000000007", 64: Buffer.alloc(8) }));
    assert.equal(b.subarray(13, 21).toString("hex"), "4000000000000001");
  });

  it("MAC input is MTI .. the byte before field 64, bitmap already carrying bit 64", () => {
    let seen: Buffer | undefined;
    const body = encodeBodyWithMac(msg("0200", { 3: "000000", 11: "000001" }), (input) => {
      seen = Buffer.from(input);
      return Buffer.from("12345678");
    });
    assert.ok(seen);
    assert.deepEqual(seen, body.subarray(11, body.length - 8));
    assert.equal(seen![2 + 7] & 1, 1);
    const d = decodeBody(body);
    assert.deepEqual(d.macInput, seen);
    assert.equal((d.message.fields[64] as Buffer).toString(), "12345678");
  });

  it("header processing requirement and TPDU swap", () => {
    const h = withProcessingRequirement(HEADER, 3);
    assert.equal(processingRequirement(h), 3);
    assert.equal(h.toString("hex"), "603103310000");
    assert.equal(swapTpdu(TPDU).toString("hex"), "6000000001");
    assert.equal(replyMti("0200"), "0210");
    assert.equal(replyMti("0220"), "0230");
    assert.equal(replyMti("0800"), "0810");
  });

  it("masks PANs as first 6 + last 4", () => {
    assert.equal(maskPan("6222020000000007"), "622202******0007");
    assert.equal(maskPan("6222020000000000125"), "622202*********0125");
  });
});

describe("host codec: bad input gives a CodecError, never a crash", () => {
  const good = encodeBody(msg("0200", Object.assign({ 2: "6222020000000007", 3: "000000", 4: "000000001000", 11: "000001", 60: "2200000100050" }, base)));

  function codeOf(body: Buffer): string {
    try {
      decodeBody(body);
    } catch (e) {
      assert.ok(e instanceof CodecError, String(e));
      return e.code + ":" + e.field;
    }
    return "decoded";
  }

  it("truncated body", () => assert.equal(codeOf(good.subarray(0, good.length - 3)), "truncated:60"));
  it("too short for the envelope", () => assert.equal(codeOf(good.subarray(0, 15)), "truncated:0"));
  it("trailing bytes", () => assert.equal(codeOf(Buffer.concat([good, Buffer.from([0])])), "trailing-bytes:0"));
  it("undefined field in the bitmap", () => {
    const b = Buffer.from(good);
    b[13] |= 0x08; // field 5
    assert.equal(codeOf(b), "unknown-field:5");
  });
  it("secondary bitmap", () => {
    const b = Buffer.from(good);
    b[13] |= 0x80;
    assert.equal(codeOf(b), "unknown-field:1");
  });
  it("non-BCD digit in a numeric field", () => {
    const b = Buffer.from(good);
    b[22] = 0x6a; // inside the PAN
    assert.equal(codeOf(b), "bad-bcd:2");
  });
  it("LL length over the field maximum", () => {
    const b = Buffer.from(good);
    b[21] = 0x20; // PAN length 20 > 19
    assert.equal(codeOf(b), "too-long:2");
  });
  it("non-zero leading pad nibble in a fixed odd field", () => {
    const b = encodeBody(msg("0200", { 23: "001" }));
    b[21] = 0x10;
    assert.equal(codeOf(b), "bad-bcd:23");
  });
  it("encoding refuses letters in n fields and over-long values", () => {
    assert.throws(() => encodeBody(msg("0200", { 4: "12A" })), CodecError);
    assert.throws(() => encodeBody(msg("0200", { 2: "12345678901234567890" })), CodecError);
    assert.throws(() => encodeBody(msg("0200", { 7: "0101010101" })), /unknown-field/);
  });
});

describe("host codec: FrameReader", () => {
  it("joins split frames and splits joined ones", () => {
    const a = frame(Buffer.from("first frame"));
    const b = frame(Buffer.from("second"));
    const all = Buffer.concat([a, b]);
    const r = new FrameReader();
    assert.deepEqual(r.push(all.subarray(0, 1)), []);
    assert.deepEqual(r.push(all.subarray(1, 5)), []);
    const out = r.push(all.subarray(5));
    assert.deepEqual(out.map((x) => x.toString()), ["first frame", "second"]);
    assert.equal(r.pending, 0);
  });

  it("refuses a zero or over-long length", () => {
    assert.throws(() => new FrameReader().push(Buffer.from([0, 0])), /bad-frame/);
    assert.throws(() => new FrameReader(100).push(Buffer.from([0x10, 0x00])), /bad-frame/);
  });
});
