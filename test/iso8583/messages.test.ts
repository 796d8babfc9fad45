// Round trips of every message type in PROTOCOL.md through the UnionPay profile: pack (with MAC
// where the terminal MACs), unpack strictly, read every field back; and the same wire bytes read
// by the independent reference decoder in helpers.ts (and reference-encoded replies read by ours).
import { strict as assert } from "node:assert";
import { Mac, MAC_UNIONPAY_ECB } from "../../firmware/txn/crypto/mac";
import {
  createUnionPayTable,
  ISO_OK,
  isoErrorName,
  Message,
  pack,
  unpack,
  unpackReply,
  verifyMac,
} from "../../firmware/txn/iso8583/index";
import { fill, readAll, referenceDecode, referenceEncode, samples, TPDU_HEADER, type Fields } from "./helpers";

const table = createUnionPayTable();
const mac = new Mac(MAC_UNIONPAY_ECB);
mac.key.load(Buffer.from("1C2D3E4F5A6B7C8D", "hex"), 0, 8);

function packed(msg: Message, withMac: boolean): Buffer {
  const out = new Uint8Array(2048);
  const e = pack(msg, out, withMac ? mac : null);
  assert.equal(isoErrorName(e), "OK");
  return Buffer.from(out.subarray(0, msg.packedLength));
}

describe("ISO 8583 UnionPay profile: every message type round-trips", () => {
  const msg = new Message(table, 1024);
  const view = new Message(table, 0);

  for (const s of samples()) {
    it(`${s.name}: pack -> unpack gives every field back`, () => {
      fill(msg, s.mti, s.fields);
      const wire = packed(msg, s.mac);
      assert.equal(wire.readUInt16BE(0), wire.length - 2, "length prefix");
      assert.deepEqual(wire.subarray(2, 13), TPDU_HEADER, "TPDU + header sent as set");
      assert.equal(unpack(wire, wire.length, view), ISO_OK);
      assert.equal(view.mti, s.mti);
      const expected = { ...s.fields };
      const got = readAll(view);
      if (s.mac) {
        assert.equal(got[64]?.length, 16, "field 64 present, 8 bytes");
        assert.match(Buffer.from(got[64], "hex").toString("latin1"), /^[0-9A-F]{8}$/, "MAC = 8 hex chars");
        assert.equal(verifyMac(view, mac), ISO_OK);
        delete got[64];
      } else assert.equal(view.has(64), false);
      assert.deepEqual(got, expected);
    });

    it(`${s.name}: the reference decoder reads our wire bytes the same`, () => {
      fill(msg, s.mti, s.fields);
      const wire = packed(msg, s.mac);
      const ref = referenceDecode(wire);
      assert.equal(ref.mti, String(s.mti).padStart(4, "0"));
      const fields = { ...ref.fields };
      delete fields[64];
      assert.deepEqual(fields, s.fields);
    });

    it(`${s.name}: a reference-encoded message unpacks with ours`, () => {
      const wire = referenceEncode(String(s.mti).padStart(4, "0"), s.fields);
      assert.equal(isoErrorName(unpack(wire, wire.length, view)), "OK");
      assert.deepEqual(readAll(view), s.fields);
      // and our packing of the same values is byte-identical when there is no MAC, over stale
      // bytes (a setter writes every byte it reserves)
      msg.clear();
      msg.data.fill(0xa5);
      fill(msg, s.mti, s.fields);
      assert.deepEqual(packed(msg, false), wire);
    });
  }

  it("request/reply pairs pass unpackReply (MTI + 10, STAN, terminal id, MAC)", () => {
    const list = samples();
    const pairs: [string, string][] = [
      ["sign-in 0800", "sign-in reply 0810"],
      ["sale 0200 (swipe + PIN)", "sale reply 0210"],
      ["void 0200", "void reply 0210"],
      ["refund 0220", "refund reply 0230"],
      ["balance inquiry 0200", "balance reply 0210"],
      ["pre-authorisation 0100", "pre-auth reply 0110"],
      ["reversal 0400", "reversal reply 0410"],
      ["settlement 0500", "settlement reply 0510"],
      ["batch upload 0320", "batch upload reply 0330"],
    ];
    const req = new Message(table, 1024);
    const rep = new Message(table, 1024);
    for (const [a, b] of pairs) {
      const sa = list.find((x) => x.name === a)!;
      const sb = list.find((x) => x.name === b)!;
      fill(req, sa.mti, sa.fields);
      packed(req, sa.mac);
      fill(rep, sb.mti, { ...sb.fields, 11: sa.fields[11] });
      const wire = packed(rep, sb.mac);
      const e = unpackReply(wire, wire.length, view, req, sb.mac ? mac : null);
      assert.equal(isoErrorName(e), "OK", `${a} -> ${b}`);
    }
  });

  it("field 22 is left-aligned BCD (021 -> 02 10), field 23 right-aligned (001 -> 00 01)", () => {
    fill(msg, 200, { 22: "021", 23: "001" });
    const wire = packed(msg, false);
    // len 2 + head 11 + MTI 2 + bitmap 8 = 23: then 22, then 23
    assert.equal(wire.subarray(23).toString("hex"), "0210" + "0001");
  });

  it("numbers go in by arithmetic: amount, STAN, entry mode, and come back out", () => {
    msg.clear();
    msg.head.set(TPDU_HEADER.subarray(0, msg.head.length));
    msg.mti = 200;
    assert.equal(msg.setNumeric(4, 999999999999), ISO_OK);
    assert.equal(msg.setNumeric(11, 42), ISO_OK);
    assert.equal(msg.setNumeric(22, 51), ISO_OK);
    assert.equal(msg.setNumericDigits(60, 22000002, 8), ISO_OK);
    const wire = packed(msg, false);
    assert.equal(wire.subarray(23).toString("hex"), "999999999999" + "000042" + "0510" + "0008" + "22000002");
    assert.equal(unpack(wire, wire.length, view), ISO_OK);
    assert.equal(view.getNumeric(4), 999999999999);
    assert.equal(view.getNumeric(11), 42);
    assert.equal(view.getNumeric(22), 51);
    assert.equal(view.getNumeric(60), 22000002);
  });

  it("setNumericDigits packs every n field at every length exactly as setDigits does with the digits", () => {
    const byNumber = new Message(table, 1024);
    const byDigits = new Message(table, 1024);
    let seed = 99;
    const digit = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) % 10;
    let compared = 0;
    const odd = new Set<string>();
    for (let f = 2; f <= 128; f++) {
      for (let n = 1; n <= 15; n++) {
        let text = String(1 + (digit() % 9));
        while (text.length < n) text += String(digit());
        for (const m of [byNumber, byDigits]) {
          m.clear();
          m.data.fill(m === byNumber ? 0xa5 : 0x5a); // stale bytes: a setter writes all it reserves
          m.head.set(TPDU_HEADER.subarray(0, m.head.length));
          m.mti = 200;
        }
        if (byNumber.setNumericDigits(f, Number(text), n) !== ISO_OK) continue;
        assert.equal(isoErrorName(byDigits.setDigits(f, new Uint8Array(Buffer.from(text, "latin1")), 0, n)), "OK", `field ${f}, ${n} digits`);
        assert.equal(packed(byNumber, false).toString("hex"), packed(byDigits, false).toString("hex"), `field ${f} = ${text}`);
        compared++;
        byNumber.clear();
        assert.equal(byNumber.setNumericDigits(f, 10 ** n - 1, n), ISO_OK, `field ${f}: ${n} nines`);
        byNumber.clear();
        assert.equal(isoErrorName(byNumber.setNumericDigits(f, 10 ** n, n)), "VALUE_RANGE", `field ${f}: 10^${n} has ${n + 1} digits`);
        if (n % 2 === 1) odd.add(f === 22 || f === 23 ? `fixed ${f}` : n < 15 ? "variable" : "15");
      }
    }
    assert.ok(compared > 30, `${compared} compared`);
    assert.ok(odd.has("fixed 22") && odd.has("fixed 23") && odd.has("variable"), [...odd].join(", "));
  });

  it("getNumeric is -1 for an absent, non-n or longer-than-15-digit field; getDigits reads z fields and refuses a short buffer", () => {
    fill(msg, 200, { 2: "6222021234567890123", 11: "000042", 35: "6222021234567890123=2512", 41: "12345678", 48: "1".repeat(62) });
    const wire = packed(msg, false);
    assert.equal(unpack(wire, wire.length, view), ISO_OK);
    assert.equal(view.getNumeric(4), -1, "absent");
    assert.equal(view.getNumeric(35), -1, "z");
    assert.equal(view.getNumeric(41), -1, "ans");
    assert.equal(view.getNumeric(2), -1, "19 digits");
    assert.equal(view.getNumeric(48), -1, "62 digits");
    const out = new Uint8Array(40);
    assert.equal(view.getDigits(35, out, 1), 24);
    assert.equal(Buffer.from(out.subarray(1, 25)).toString(), "6222021234567890123=2512");
    assert.equal(view.getDigits(35, out, 17), -1, "does not fit");
    assert.equal(view.getDigits(41, out, 0), -1, "not n or z");
    assert.equal(view.getDigits(4, out, 0), -1, "absent");
  });

  it("the header's processing-requirement digit is readable from a reply", () => {
    const head = Buffer.from("6000000300" + "603103310000", "hex"); // status 0, requirement 3
    const wire = referenceEncode("0810", { 11: "000001", 39: "00", 41: "12345678" }, head.toString("hex"));
    assert.equal(unpack(wire, wire.length, view), ISO_OK);
    assert.equal(view.head[7] & 15, 3, "processing requirement");
    assert.deepEqual(Buffer.from(view.head), head);
  });

  it("a secondary bitmap is read (and unknown secondary fields are refused)", () => {
    // Build by hand: MTI 0800, bitmap with bit 1 set, secondary all zero, field 11.
    const body = Buffer.from("0800" + "8020000000000000" + "0000000000000000" + "000001", "hex");
    const wire = Buffer.concat([Buffer.from([0, 11 + body.length]), TPDU_HEADER, body]);
    assert.equal(unpack(wire, wire.length, view), ISO_OK);
    assert.equal(view.getNumeric(11), 1);
    wire[2 + 11 + 2 + 8] = 0x40; // field 66
    assert.equal(isoErrorName(unpack(wire, wire.length, view)), "UNKNOWN_FIELD");
    assert.equal(view.errorField, 66);
  });

  it("every combination of bitmap positions: any subset of the profile's fields packs and unpacks (ours and the reference)", () => {
    // one value per field, from the samples; then each field alone, and 400 seeded random subsets
    const values: Fields = {};
    for (const s of samples()) for (const k of Object.keys(s.fields)) if (Number(k) !== 64) values[Number(k)] = s.fields[Number(k)];
    const all = Object.keys(values).map(Number);
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const sets: number[][] = all.map((f) => [f]);
    for (let i = 0; i < 400; i++) sets.push(all.filter(() => rnd() < (i % 4) / 4 + 0.1));
    for (const set of sets) {
      const fields: Fields = {};
      for (const f of set) fields[f] = values[f];
      fill(msg, 200, fields);
      const wire = packed(msg, set.length % 2 === 0);
      const ref = referenceDecode(wire);
      const want = set.slice().sort((a, b) => a - b);
      assert.deepEqual(Object.keys(ref.fields).map(Number).filter((f) => f !== 64), want, "reference reads the fields packed");
      assert.equal(unpack(wire, wire.length, view), ISO_OK);
      const got = readAll(view);
      delete got[64];
      assert.deepEqual(got, fields, "fields " + want.join(","));
    }
  });
});
