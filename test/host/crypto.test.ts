import { strict as assert } from "node:assert";
import {
  checkValue,
  ecbDecrypt,
  ecbEncrypt,
  parsePinBlockFormat0,
  pinBlockFormat0,
  unionPayMac,
  unwrapWorkingKeys,
  withOddParity,
  wrapWorkingKeys,
} from "../../hil/host/crypto";

const hex = (s: string) => Buffer.from(s, "hex");

describe("host crypto", () => {
  it("single DES matches the FIPS 81 known answer (via 3DES with K1 = K2)", () => {
    // "Now is t" under 0123456789ABCDEF -> 3FA40E8A984D4815
    const c = ecbEncrypt(hex("0123456789ABCDEF"), Buffer.from("Now is t", "ascii"));
    assert.equal(c.toString("hex").toUpperCase(), "3FA40E8A984D4815");
    assert.equal(ecbDecrypt(hex("0123456789ABCDEF"), c).toString("ascii"), "Now is t");
  });

  it("check values: single and double length keys (computed with the openssl CLI)", () => {
    assert.equal(checkValue(hex("0123456789ABCDEF")).toString("hex").toUpperCase(), "D5D44FF7");
    assert.equal(checkValue(hex("0123456789ABCDEFFEDCBA9876543210")).toString("hex").toUpperCase(), "08D7B4FB");
  });

  it("rejects keys and data of the wrong size", () => {
    assert.throws(() => ecbEncrypt(Buffer.alloc(7), Buffer.alloc(8)), /8, 16 or 24/);
    assert.throws(() => ecbEncrypt(Buffer.alloc(8), Buffer.alloc(9)), /multiple of 8/);
  });

  it("UnionPay ECB MAC, hand-checked vector", () => {
    // Input 01..13 (19 bytes). XOR of the blocks:
    //   01 02 03 04 05 06 07 08 ^ 09 0A 0B 0C 0D 0E 0F 10 ^ 11 12 13 00 00 00 00 00
    //   = 19 1A 1B 08 08 08 08 18 -> "191A1B0808080818"
    // DES(K, "191A1B08") = AB73CA428AD6ADE5 (openssl des-ecb); XOR "08080818"
    //   = 9B4BFA7ABAEE9CDD; DES(K, that) = 5D0E6F227BBBB8B7 -> MAC "5D0E6F22".
    const data = Buffer.from(Array.from({ length: 19 }, (_, i) => i + 1));
    const mac = unionPayMac(hex("0123456789ABCDEF"), data);
    assert.equal(mac.toString("ascii"), "5D0E6F22");
  });

  it("MAC changes when one input bit changes, and is 8 ASCII hex characters", () => {
    const key = hex("0123456789ABCDEF");
    const a = Buffer.from("0200 some message bytes", "ascii");
    const b = Buffer.from(a);
    b[3] ^= 1;
    const ma = unionPayMac(key, a);
    assert.match(ma.toString("ascii"), /^[0-9A-F]{8}$/);
    assert.notDeepEqual(ma, unionPayMac(key, b));
  });

  it("PIN block format 0: the ISO 9564 example, and back", () => {
    const block = pinBlockFormat0("1234", "4000001234562000");
    assert.equal(block.toString("hex").toUpperCase(), "041234FEDCBA9DFF");
    assert.deepEqual(parsePinBlockFormat0(block, "4000001234562000"), { ok: true, pin: "1234" });
  });

  it("PIN block check refuses a wrong PAN, bad format and bad padding", () => {
    const block = pinBlockFormat0("123456", "6222020000000007");
    const wrongPan = parsePinBlockFormat0(block, "6222020000000015");
    assert.equal(wrongPan.ok, false);
    const notFormat0 = Buffer.from(block);
    notFormat0[0] ^= 0x10;
    assert.deepEqual(parsePinBlockFormat0(notFormat0, "6222020000000007"), { ok: false, reason: "not format 0" });
    const badPad = Buffer.from(block);
    badPad[7] ^= 0x01;
    assert.equal(parsePinBlockFormat0(badPad, "6222020000000007").ok, false);
    assert.throws(() => pinBlockFormat0("12", "6222020000000007"), /4..12/);
  });

  it("odd parity on every byte", () => {
    const k = withOddParity(hex("0000000000000000FEFEFEFEFEFEFEFE"));
    for (const b of k) {
      let ones = 0;
      for (let v = b; v; v >>= 1) ones += v & 1;
      assert.equal(ones % 2, 1);
    }
  });

  it("working keys wrap under the TMK with check values (3DES layout 40 bytes, DES 24)", () => {
    const tmk = hex("0123456789ABCDEFFEDCBA9876543210");
    const keys = { pinKey: hex("1111111111111111AAAAAAAAAAAAAAAA"), macKey: hex("2222222222222222") };
    const f62 = wrapWorkingKeys(tmk, keys);
    assert.equal(f62.length, 40);
    assert.deepEqual(f62.subarray(0, 16), ecbEncrypt(tmk, keys.pinKey));
    assert.deepEqual(f62.subarray(16, 20), checkValue(keys.pinKey));
    assert.deepEqual(f62.subarray(28, 36), Buffer.alloc(8));
    assert.deepEqual(f62.subarray(36, 40), checkValue(keys.macKey));
    const back = unwrapWorkingKeys(tmk, f62);
    assert.ok(back.ok);
    if (back.ok) assert.deepEqual(back.keys, keys);

    const single = wrapWorkingKeys(tmk, { pinKey: hex("1111111111111111"), macKey: hex("2222222222222222") });
    assert.equal(single.length, 24);
    assert.ok(unwrapWorkingKeys(tmk, single).ok);
  });

  it("a key whose check value does not match is refused", () => {
    const tmk = hex("0123456789ABCDEFFEDCBA9876543210");
    const f62 = wrapWorkingKeys(tmk, { pinKey: hex("1111111111111111AAAAAAAAAAAAAAAA"), macKey: hex("2222222222222222") });
    const bad = Buffer.from(f62);
    bad[37] ^= 0xff;
    assert.deepEqual(unwrapWorkingKeys(tmk, bad), { ok: false, reason: "MAC key check value mismatch" });
    const wrongTmk = unwrapWorkingKeys(hex("00112233445566778899AABBCCDDEEFF"), f62);
    assert.equal(wrongTmk.ok, false);
  });
});
