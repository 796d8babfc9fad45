// Every strict-unpack error and every setter/pack refusal, each with a named code, nothing thrown,
// and nothing lost: a refused setter leaves the field as it was; a failed unpack leaves no fields.
import { strict as assert } from "node:assert";
import { E_NO_KEY } from "../../firmware/txn/crypto/errors";
import { Mac, MAC_UNIONPAY_ECB } from "../../firmware/txn/crypto/mac";
import {
  copyField,
  createUnionPayTable,
  E_BAD_BCD,
  E_BAD_CHAR,
  E_BAD_LENGTH_PREFIX,
  E_BAD_MTI,
  E_FIELD_FORMAT,
  E_FIELD_TOO_LONG,
  E_FRAME_LENGTH,
  E_MAC_MISMATCH,
  E_MAC_MISSING,
  E_MAC_PLACEMENT,
  E_MESSAGE_FULL,
  E_OUTPUT_FULL,
  E_READ_ONLY_VIEW,
  E_SHORT_FRAME,
  E_STAN_MISMATCH,
  E_TID_MISMATCH,
  E_TRAILING_DATA,
  E_TRUNCATED,
  E_UNEXPECTED_MTI,
  E_UNKNOWN_FIELD,
  E_VALUE_CHAR,
  E_VALUE_RANGE,
  defineField,
  FieldTable,
  FMT_N,
  frameLength,
  ISO_OK,
  isoErrorName,
  LEN_FIXED,
  Message,
  pack,
  unpack,
  unpackReply,
  wipeMessage,
} from "../../firmware/txn/iso8583/index";
import { fill, read, referenceEncode, TERMINAL_ID } from "./helpers";

const table = createUnionPayTable();
const mac = new Mac(MAC_UNIONPAY_ECB);
mac.key.load(Buffer.from("0123456789ABCDEF", "hex"), 0, 8);

const SALE = {
  2: "6222021234567890123",
  3: "000000",
  4: "000000012345",
  11: "000042",
  22: "021",
  25: "00",
  41: TERMINAL_ID,
  42: "898440358120001",
  49: "156",
  60: "22000002000",
};
const REPLY = { ...SALE, 37: "101112654321", 38: "A1B2C3", 39: "00" };

function packOf(msg: Message, m: Mac | null): Buffer {
  const out = new Uint8Array(1024);
  assert.equal(pack(msg, out, m), ISO_OK);
  return Buffer.from(out.subarray(0, msg.packedLength));
}

/** Rewrite the 2-byte length prefix after editing a wire message. */
function relength(b: Buffer): Buffer {
  b.writeUInt16BE(b.length - 2, 0);
  return b;
}

describe("ISO 8583 strict unpack: each malformed reply gets its named code", () => {
  const req = fill(new Message(table, 512), 200, SALE);
  packOf(req, mac);
  const rep = new Message(table, 512);
  const view = new Message(table, 0);
  const good = () => packOf(fill(rep, 210, REPLY), mac);

  function expectCode(buf: Buffer, len: number, code: number, field?: number): void {
    const e = unpackReply(buf, len, view, req, mac);
    assert.equal(isoErrorName(e), isoErrorName(code));
    if (field !== undefined) assert.equal(view.errorField, field, "errorField");
    if (code <= E_TRAILING_DATA) {
      // a failed unpack leaves a view with no fields and no MTI
      for (let f = 2; f <= 128; f++) assert.equal(view.has(f), false);
      assert.equal(view.mti, -1);
    }
  }

  it("the good reply passes", () => {
    const b = good();
    assert.equal(unpackReply(b, b.length, view, req, mac), ISO_OK);
    assert.equal(read(view, 39), "00");
  });

  it("SHORT_FRAME: fewer than 2 bytes, or a length beyond the array", () => {
    const b = good();
    expectCode(b, 1, E_SHORT_FRAME);
    expectCode(b, 0, E_SHORT_FRAME);
    expectCode(b, b.length + 1, E_SHORT_FRAME);
  });

  it("FRAME_LENGTH: the length prefix does not match the bytes received", () => {
    const b = good();
    b.writeUInt16BE(b.length - 1, 0);
    expectCode(b, b.length, E_FRAME_LENGTH);
    const c = good();
    expectCode(c, c.length - 3, E_FRAME_LENGTH); // a short read
  });

  it("TRUNCATED: a frame that stops inside the header, the bitmap, or a field the bitmap names", () => {
    const b = good();
    expectCode(relength(Buffer.from(b.subarray(0, 10))), 10, E_TRUNCATED, 0);
    expectCode(relength(Buffer.from(b.subarray(0, 20))), 20, E_TRUNCATED, 0);
    // drop the last field (64, the MAC): bitmap still names it
    expectCode(relength(Buffer.from(b.subarray(0, b.length - 8))), b.length - 8, E_TRUNCATED, 64);
    // drop 3 bytes: field 64 is cut short
    expectCode(relength(Buffer.from(b.subarray(0, b.length - 3))), b.length - 3, E_TRUNCATED, 64);
    // secondary bitmap flagged but absent
    const s = referenceEncode("0210", {});
    s[15] |= 0x80;
    expectCode(s, s.length, E_TRUNCATED, 1);
  });

  it("BAD_MTI: a nibble that is not a digit", () => {
    const b = good();
    b[13] = 0x0a;
    expectCode(b, b.length, E_BAD_MTI, 0);
  });

  it("UNKNOWN_FIELD: the bitmap names a field the profile does not define", () => {
    const b = good();
    b[15] |= 0x08; // field 5
    expectCode(b, b.length, E_UNKNOWN_FIELD, 5);
  });

  it("BAD_LENGTH_PREFIX: an LL or LLL prefix that is not BCD", () => {
    const b = good();
    const at = 2 + 11 + 2 + 8; // field 2's LL prefix
    assert.equal(b[at], 0x19);
    b[at] = 0x1a;
    expectCode(b, b.length, E_BAD_LENGTH_PREFIX, 2);
    const w = referenceEncode("0210", { 11: "000042", 41: TERMINAL_ID, 63: "ABC" });
    w[w.length - 5] = 0x10; // LLL "1003"
    expectCode(w, w.length, E_BAD_LENGTH_PREFIX, 63);
  });

  it("FIELD_TOO_LONG: an LLVAR over its maximum (PAN of 20 digits, field 60 of 18)", () => {
    const w = referenceEncode("0210", { 2: "62220212345678901234" });
    expectCode(w, w.length, E_FIELD_TOO_LONG, 2);
    const x = referenceEncode("0210", { 60: "220000020001234567" });
    expectCode(x, x.length, E_FIELD_TOO_LONG, 60);
  });

  it("BAD_BCD: a non-digit nibble in an n field, a bad pad nibble, a bad track nibble", () => {
    const b = good();
    const amountAt = 2 + 11 + 2 + 8 + 1 + 10 + 3; // after field 2 (LL + 10 bytes) and 3
    b[amountAt + 5] = 0x4b;
    expectCode(b, b.length, E_BAD_BCD, 4);
    const pad = good();
    pad[2 + 11 + 2 + 8 + 10] = 0x35; // PAN's last byte "3" + pad nibble 5
    expectCode(pad, pad.length, E_BAD_BCD, 2);
    const f = good();
    f[2 + 11 + 2 + 8 + 10] = 0x3f; // pad nibble F is accepted
    assert.equal(unpack(f, f.length, view), ISO_OK);
    const t = referenceEncode("0210", { 35: "6222021234567890123=2512" });
    assert.equal(unpack(t, t.length, view), ISO_OK);
    t[t.length - 3] = 0xe2; // 'E' is not a track nibble (D is)
    expectCode(t, t.length, E_BAD_BCD, 35);
  });

  it("BAD_CHAR: a control byte in an an field", () => {
    const w = referenceEncode("0210", { 11: "000042", 39: "0\x01", 41: TERMINAL_ID });
    expectCode(w, w.length, E_BAD_CHAR, 39);
  });

  it("TRAILING_DATA: bytes after the last field", () => {
    const b = relength(Buffer.concat([good(), Buffer.from([0])]));
    expectCode(b, b.length, E_TRAILING_DATA, 0);
  });

  it("UNEXPECTED_MTI: 0230 (or 0200) in answer to 0200", () => {
    expectCode(packOf(fill(rep, 230, REPLY), mac), rep.packedLength, E_UNEXPECTED_MTI);
    expectCode(packOf(fill(rep, 200, REPLY), mac), rep.packedLength, E_UNEXPECTED_MTI);
  });

  it("STAN_MISMATCH: another STAN, or none", () => {
    expectCode(packOf(fill(rep, 210, { ...REPLY, 11: "000043" }), mac), rep.packedLength, E_STAN_MISMATCH);
    const noStan: Record<number, string> = { ...REPLY };
    delete noStan[11];
    expectCode(packOf(fill(rep, 210, noStan), mac), rep.packedLength, E_STAN_MISMATCH);
  });

  it("TID_MISMATCH: another terminal id, or none", () => {
    expectCode(packOf(fill(rep, 210, { ...REPLY, 41: "87654321" }), mac), rep.packedLength, E_TID_MISMATCH);
    const noTid: Record<number, string> = { ...REPLY };
    delete noTid[41];
    expectCode(packOf(fill(rep, 210, noTid), mac), rep.packedLength, E_TID_MISMATCH);
  });

  it("MAC_MISMATCH: a changed byte, a wrong key, a forged field 64", () => {
    const b = good();
    b[2 + 11 + 2 + 8 + 3] ^= 0x01; // a PAN digit
    expectCode(b, b.length, E_MAC_MISMATCH);
    const other = new Mac(MAC_UNIONPAY_ECB);
    other.key.load(Buffer.from("FEDCBA9876543210", "hex"), 0, 8);
    expectCode(packOf(fill(rep, 210, REPLY), other), rep.packedLength, E_MAC_MISMATCH);
    expectCode(packOf(fill(rep, 210, { ...REPLY, 64: "3030303030303030" }), null), rep.packedLength, E_MAC_MISMATCH);
  });

  it("MAC_MISSING: an approval without field 64; a decline without it is accepted", () => {
    expectCode(packOf(fill(rep, 210, REPLY), null), rep.packedLength, E_MAC_MISSING);
    const declined = packOf(fill(rep, 210, { ...REPLY, 39: "51" }), null);
    assert.equal(unpackReply(declined, declined.length, view, req, mac), ISO_OK);
    assert.equal(read(view, 39), "51");
    // without a MAC key the caller has chosen not to check
    const plain = packOf(fill(rep, 210, REPLY), null);
    assert.equal(unpackReply(plain, plain.length, view, req, null), ISO_OK);
  });

  it("a MAC key that is not loaded is a named crypto error, from pack and from verify", () => {
    const none = new Mac(MAC_UNIONPAY_ECB);
    const out = new Uint8Array(512);
    assert.equal(pack(fill(rep, 210, REPLY), out, none), E_NO_KEY);
    assert.equal(isoErrorName(E_NO_KEY), "NO_KEY");
    const b = good();
    assert.equal(unpackReply(b, b.length, view, req, none), E_NO_KEY);
  });

  it("frameLength tells a receiver how many bytes to collect before unpacking", () => {
    const b = good();
    assert.equal(frameLength(b, 0), -1);
    assert.equal(frameLength(b, 1), -1);
    assert.equal(frameLength(b, 2), b.length);
  });

  it("never reads past len: the bytes after len in a longer array are not looked at", () => {
    const b = good();
    const big = Buffer.concat([b, Buffer.alloc(64, 0x99)]);
    assert.equal(unpackReply(big, b.length, view, req, mac), ISO_OK);
  });
});

describe("ISO 8583 building and packing: refusals are named and lose nothing", () => {
  const msg = new Message(table, 512);
  const view = new Message(table, 0);

  beforeEach(() => fill(msg, 200, SALE));

  it("FIELD_FORMAT: a setter that does not suit the field, or an undefined field", () => {
    assert.equal(msg.setNumeric(41, 1), E_FIELD_FORMAT);
    assert.equal(msg.setNumeric(2, 1), E_FIELD_FORMAT, "PAN is variable: setNumericDigits or setDigits");
    assert.equal(msg.setText(4, "12"), E_FIELD_FORMAT);
    assert.equal(msg.setBytes(4, Buffer.alloc(6), 0, 6), E_FIELD_FORMAT);
    assert.equal(msg.setNumeric(5, 1), E_FIELD_FORMAT);
    assert.equal(msg.setDigits(1, Buffer.from("1"), 0, 1), E_FIELD_FORMAT);
    assert.equal(msg.setText(200, "x"), E_FIELD_FORMAT);
    assert.equal(read(msg, 4), "000000012345");
  });

  it("VALUE_RANGE: too many digits, negative, fractional, wrong fixed length, too long", () => {
    assert.equal(msg.setNumeric(4, 1e12), E_VALUE_RANGE);
    assert.equal(msg.setNumeric(4, -1), E_VALUE_RANGE);
    assert.equal(msg.setNumeric(4, 1.5), E_VALUE_RANGE);
    assert.equal(msg.setNumeric(4, NaN), E_VALUE_RANGE);
    assert.equal(msg.setNumericDigits(4, 5, 6), E_VALUE_RANGE);
    assert.equal(msg.setDigits(4, Buffer.from("12345"), 0, 5), E_VALUE_RANGE);
    assert.equal(msg.setDigits(2, Buffer.from("62220212345678901234"), 0, 20), E_VALUE_RANGE);
    assert.equal(msg.setText(41, "123456789"), E_VALUE_RANGE);
    assert.equal(msg.setBytes(52, Buffer.alloc(7), 0, 7), E_VALUE_RANGE);
    assert.equal(msg.setDigits(2, Buffer.from("6222"), 2, 4), E_VALUE_RANGE, "source range outside the buffer");
    assert.equal(read(msg, 4), "000000012345");
    assert.equal(read(msg, 2), SALE[2]);
    assert.equal(read(msg, 41), TERMINAL_ID);
  });

  it("VALUE_CHAR: a letter in digits, a control byte in an an field", () => {
    assert.equal(msg.setDigits(2, Buffer.from("62220212345A"), 0, 12), E_VALUE_CHAR);
    assert.equal(msg.setDigits(2, Buffer.from("6222=2"), 0, 6), E_VALUE_CHAR, "'=' only in track fields");
    assert.equal(msg.setText(39, "0\n"), E_VALUE_CHAR);
    assert.equal(read(msg, 2), SALE[2]);
  });

  it("a fixed an/ans field shorter than its length is space-padded; track 'D' is the separator", () => {
    assert.equal(msg.setText(42, "SHOP1"), ISO_OK);
    assert.equal(read(msg, 42), "SHOP1          ");
    assert.equal(msg.setDigits(35, Buffer.from("6222D2512"), 0, 9), ISO_OK);
    assert.equal(read(msg, 35), "6222=2512");
  });

  it("MESSAGE_FULL: the data buffer is full; the old value stays; overwriting in place needs no room", () => {
    const small = new Message(table, 12);
    assert.equal(small.setNumeric(4, 5), ISO_OK); // 6 bytes
    assert.equal(small.setNumeric(11, 7), ISO_OK); // 3 bytes
    assert.equal(small.setText(41, "ABCDEFGH"), E_MESSAGE_FULL);
    assert.equal(small.has(41), false);
    for (let i = 0; i < 100; i++) assert.equal(small.setNumeric(4, i), ISO_OK, "rewrites reuse the slot");
    assert.equal(small.getNumeric(4), 99);
    assert.equal(small.getNumeric(11), 7);
  });

  it("OUTPUT_FULL: the output buffer is too small (at any size up to the message)", () => {
    const full = new Uint8Array(512);
    assert.equal(pack(msg, full, mac), ISO_OK);
    const need = msg.packedLength;
    for (let size = 0; size < need; size++) {
      assert.equal(pack(msg, new Uint8Array(size), mac), E_OUTPUT_FULL, `size ${size}`);
      assert.equal(msg.packedLength, 0);
    }
    assert.equal(pack(msg, new Uint8Array(need), mac), ISO_OK);
  });

  it("READ_ONLY_VIEW: a received message is not written through; clear() makes it a message again", () => {
    const b = packOf(msg, null);
    const rx = new Message(table, 64);
    assert.equal(unpack(b, b.length, rx), ISO_OK);
    assert.equal(rx.setNumeric(4, 1), E_READ_ONLY_VIEW);
    assert.equal(rx.getNumeric(4), 12345);
    assert.equal(b.readUInt16BE(0), b.length - 2, "the receive buffer is untouched");
    rx.clear();
    assert.equal(rx.setNumeric(4, 1), ISO_OK);
  });

  it("MAC_PLACEMENT: a MAC with a secondary bitmap is refused", () => {
    const t = defineField(createUnionPayTable(), 70, FMT_N, LEN_FIXED, 3, 0);
    const m = new Message(t, 64);
    m.mti = 800;
    assert.equal(m.setNumeric(70, 1), ISO_OK);
    assert.equal(pack(m, new Uint8Array(128), mac), E_MAC_PLACEMENT);
    assert.equal(pack(m, new Uint8Array(128), null), ISO_OK);
  });

  it("BAD_MTI on pack: an MTI that is not 0..9999", () => {
    msg.mti = 10000;
    assert.equal(pack(msg, new Uint8Array(512), null), E_BAD_MTI);
  });

  it("copyField builds a reversal from a request without the fields it must not carry", () => {
    const withTrack = fill(new Message(table, 512), 200, { ...SALE, 35: "6222021234567890123=2512" });
    const rev = new Message(table, 512);
    rev.mti = 400;
    for (const f of [2, 3, 4, 11, 22, 25, 41, 42, 49, 60]) assert.equal(copyField(rev, withTrack, f), ISO_OK);
    assert.equal(rev.setText(39, "98"), ISO_OK);
    assert.equal(rev.has(35), false);
    assert.equal(read(rev, 2), SALE[2]);
    assert.equal(rev.getNumeric(11), 42);
    assert.equal(copyField(rev, withTrack, 36), ISO_OK, "absent there = absent here");
    assert.equal(copyField(rev, withTrack, 5), E_FIELD_FORMAT);
    const packed = packOf(withTrack, null);
    const view = new Message(table, 0);
    assert.equal(unpack(packed, packed.length, view), ISO_OK);
    assert.equal(copyField(view, withTrack, 2), E_READ_ONLY_VIEW, "not into a received message");
  });

  it("wipeMessage forgets the fields and zeroes the body storage", () => {
    const m = fill(new Message(table, 512), 200, { ...SALE, 35: "6222021234567890123=2512" });
    assert.ok(m.used > 0 && m.data.some((b) => b !== 0));
    wipeMessage(m);
    assert.equal(m.has(2), false);
    assert.equal(m.used, 0);
    assert.ok(m.data.every((b) => b === 0), "PAN and track bytes gone");
  });

  it("error names cover every code", () => {
    const names = [];
    for (let c = 0; c <= 27; c++) names.push(isoErrorName(c));
    assert.ok(names.includes("TRAILING_DATA") && names.includes("MAC_MISSING") && names.includes("READ_ONLY_VIEW"));
    assert.equal(isoErrorName(17), "ERROR");
    assert.equal(isoErrorName(42), "KCV_PIN_KEY");
  });

  it("an ASCII-profile table refuses non-digits in n fields on unpack (BAD_CHAR)", () => {
    const t = defineField(new FieldTable({ headLength: 0, asciiMti: true, asciiPrefix: true }), 11, FMT_N, LEN_FIXED, 6, 1);
    const w = Buffer.from("\x00\x120800\x00\x20\x00\x00\x00\x00\x00\x000000A1", "latin1");
    const v = new Message(t, 0);
    assert.equal(isoErrorName(unpack(w, w.length, v)), "BAD_CHAR");
    w[w.length - 2] = 0x30;
    assert.equal(unpack(w, w.length, v), ISO_OK);
    assert.equal(v.getNumeric(11), 1);
  });
});

describe("error names", () => {
  it("every code up to READ_ONLY_VIEW and every crypto code has its own name; others are ERROR", () => {
    const seen = new Set<string>();
    for (const c of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 25, 26, 27, 40, 41, 42, 43, 44, 45, 46, 47]) {
      const n = isoErrorName(c);
      assert.match(n, /^[A-Z_]+$/);
      assert.notEqual(n, "ERROR", `code ${c}`);
      seen.add(n);
    }
    assert.equal(seen.size, 32, "no two codes share a name");
    for (const c of [-1, 16, 19, 28, 39, 48, 1000]) assert.equal(isoErrorName(c), "ERROR", `code ${c}`);
    assert.equal(isoErrorName(E_TRAILING_DATA), "TRAILING_DATA");
    assert.equal(isoErrorName(E_READ_ONLY_VIEW), "READ_ONLY_VIEW");
    assert.equal(isoErrorName(47), "NO_KEY");
  });
});
