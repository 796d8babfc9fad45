/**
 * The host simulator's codec/crypto (hil/host, written without looking at firmware/) against
 * the firmware's: both directions must agree byte for byte. The host code never imports the
 * firmware; only this test puts the two side by side, so a disagreement shows up here instead
 * of as a mysterious 30/A0 in a scenario.
 */
import { strict as assert } from "node:assert";
import { createUnionPayTable, Message, pack, unpack, verifyMac, ISO_OK } from "../../firmware/txn/iso8583/index";
import { Mac, MAC_UNIONPAY_ECB } from "../../firmware/txn/crypto/mac";
import { DesKey } from "../../firmware/txn/crypto/des";
import { WorkingKeys } from "../../firmware/txn/crypto/working-keys";
import { pinBlockEncrypted } from "../../firmware/txn/crypto/pin-block";
import { decodeBody, encodeBodyWithMac, str } from "../../hil/host/codec";
import { ecbDecrypt, parsePinBlockFormat0, unionPayMac, wrapWorkingKeys } from "../../hil/host/crypto";

const ascii = (s: string) => Uint8Array.from(Buffer.from(s, "ascii"));
const hex = (s: string) => Buffer.from(s, "hex");

describe("host codec/crypto vs firmware codec/crypto", () => {
  const macKey = hex("0123456789ABCDEF");
  const mac = new Mac(MAC_UNIONPAY_ECB);
  before(() => assert.equal(mac.key.load(Uint8Array.from(macKey), 0, 8), 0));

  it("a firmware-packed sale (odd PAN, field 22, track 2, MAC) decodes and verifies on the host", () => {
    const m = new Message(createUnionPayTable(), 512);
    m.mti = 200;
    m.head.set(Uint8Array.from(hex("6000010000603100310000")));
    const digits: Array<[number, string]> = [
      [2, "6228480000000000018"],
      [3, "000000"],
      [4, "000000001234"],
      [11, "000042"],
      [22, "021"],
      [23, "001"],
      [25, "00"],
      [35, "6228480000000000018=29081200000000"],
      [60, "2200000100050"],
    ];
    for (const [f, v] of digits) assert.equal(m.setDigits(f, ascii(v), 0, v.length), ISO_OK, "field " + f);
    for (const [f, v] of [[41, "10000001"], [42, "898100012340001"], [49, "156"]] as Array<[number, string]>) assert.equal(m.setText(f, v), ISO_OK);
    const out = new Uint8Array(1024);
    assert.equal(pack(m, out, mac), ISO_OK);
    const d = decodeBody(Buffer.from(out.subarray(2, m.packedLength)));
    for (const [f, v] of digits) assert.equal(d.message.fields[f], v, "field " + f);
    assert.equal(str(d.message, 41), "10000001");
    assert.ok(unionPayMac(macKey, d.macInput!).equals(d.message.fields[64] as Buffer), "host verifies the firmware MAC");
  });

  it("a host-encoded, MACed reply unpacks and verifies in the firmware", () => {
    const body = encodeBodyWithMac(
      {
        tpdu: hex("6000000001"),
        header: hex("603100310000"),
        mti: "0210",
        fields: { 2: "6228480000000000018", 3: "000000", 4: "000000001234", 11: "000042", 12: "101010", 13: "0315", 37: "000000000001", 38: "000001", 39: "00", 41: "10000001", 42: "898100012340001", 54: "1002156C000000010000", 60: "2200000100050", 63: "CUP" },
      },
      (input) => unionPayMac(macKey, input),
    );
    const buf = Uint8Array.from(Buffer.concat([Buffer.from([body.length >> 8, body.length & 255]), body]));
    const v = new Message(createUnionPayTable(), 512);
    assert.equal(unpack(buf, buf.length, v), ISO_OK);
    assert.equal(verifyMac(v, mac), ISO_OK);
    assert.equal(v.mti, 210);
    assert.equal(String.fromCharCode(v.byteAt(39, 0), v.byteAt(39, 1)), "00");
  });

  for (const single of [true, false]) {
    it("sign-in keys wrapped by the host load in the firmware with their check values (" + (single ? "DES" : "3DES") + ")", () => {
      const tmk = hex("0123456789ABCDEFFEDCBA9876543210");
      const keys = { pinKey: single ? hex("1C1C1C1C1C1C1C1C") : hex("1C1C1C1C1C1C1C1C2A2A2A2A2A2A2A2A"), macKey: hex("4C4C4C4C4C4C4C4C") };
      const f62 = Uint8Array.from(wrapWorkingKeys(tmk, keys));
      const fwTmk = new DesKey();
      assert.equal(fwTmk.load(Uint8Array.from(tmk), 0, 16), 0);
      const wk = new WorkingKeys();
      assert.equal(wk.load(fwTmk, f62, 0, f62.length), 0);
      // A PIN block made by the firmware with those keys decrypts to the PIN on the host.
      const pan = ascii("6228480000000000018");
      const block = new Uint8Array(8);
      assert.equal(pinBlockEncrypted(wk.pinKey, ascii("888888"), 0, 6, pan, 0, pan.length, block, 0), 0);
      const clear = ecbDecrypt(keys.pinKey, Buffer.from(block));
      assert.deepEqual(parsePinBlockFormat0(clear, "6228480000000000018"), { ok: true, pin: "888888" });
      // And a tampered KCV is refused by the firmware.
      f62[f62.length - 1] ^= 1;
      assert.notEqual(new WorkingKeys().load(fwTmk, f62, 0, f62.length), 0);
    });
  }
});
