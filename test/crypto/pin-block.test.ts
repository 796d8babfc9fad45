// ISO 9564 format 0 PIN blocks: published vectors, every PIN length, encryption, refusals.
import { strict as assert } from "node:assert";
import { createCipheriv } from "node:crypto";
import { DesKey } from "../../firmware/txn/crypto/des";
import { CRYPTO_OK, E_NO_KEY, E_PAN_FORMAT, E_PIN_FORMAT } from "../../firmware/txn/crypto/errors";
import { pinBlockEncrypted, pinBlockFormat0 } from "../../firmware/txn/crypto/pin-block";

/** Inputs and output at offsets, between digits: a read outside its range would change the block. */
function block(pin: string, pan: string): string | number {
  const out = new Uint8Array(10);
  const e = pinBlockFormat0(Buffer.from("77" + pin + "77"), 2, pin.length, Buffer.from("777" + pan + "77"), 3, pan.length, out, 1);
  return e === CRYPTO_OK ? Buffer.from(out.subarray(1, 9)).toString("hex").toUpperCase() : e;
}

/** Format 0 the long way: hex strings. */
function ref(pin: string, pan: string): string {
  const p = ("0" + pin.length.toString(16) + pin).padEnd(16, "F");
  const digits = pan.slice(0, -1).slice(-12).padStart(12, "0");
  const a = Buffer.from(p, "hex");
  const b = Buffer.from("0000" + digits, "hex");
  for (let i = 0; i < 8; i++) a[i] ^= b[i];
  return a.toString("hex").toUpperCase();
}

describe("ISO 9564 format 0 PIN block", () => {
  it("published examples", () => {
    // Wikipedia / EFTlab example: PIN 1234, PAN 43219876543210987
    assert.equal(block("1234", "43219876543210987"), "0412AC89ABCDEF67");
    assert.equal(block("1234", "4111111111111111"), "041225EEEEEEEEEE");
  });

  it("every PIN length 4..12 and short PANs (left-padded) agree with the string reference", () => {
    for (let n = 4; n <= 12; n++) {
      const pin = "927364018273".slice(0, n);
      for (const pan of ["6222021234567890123", "4000001234562000", "1234567890128", "12345", "12"]) {
        assert.equal(block(pin, pan), ref(pin, pan), `${pin} / ${pan}`);
      }
    }
  });

  it("encrypted under the PIN key (3DES) equals OpenSSL's encryption of the clear block", () => {
    const kb = Buffer.from("0123456789ABCDEFFEDCBA9876543210", "hex");
    const key = new DesKey();
    key.load(kb, 0, 16);
    const out = new Uint8Array(10);
    const pin = Buffer.from("123456");
    const pan = Buffer.from("6222021234567890123");
    assert.equal(pinBlockEncrypted(key, pin, 0, 6, pan, 0, pan.length, out, 2), CRYPTO_OK);
    const c = createCipheriv("des-ede3-ecb", Buffer.concat([kb, kb.subarray(0, 8)]), null);
    c.setAutoPadding(false);
    assert.deepEqual(Buffer.from(out.subarray(2)), c.update(Buffer.from(ref("123456", "6222021234567890123"), "hex")));
    assert.equal(pinBlockEncrypted(new DesKey(), pin, 0, 6, pan, 0, pan.length, out, 0), E_NO_KEY);
  });

  it("refuses bad PINs and PANs with a code and leaves the output alone", () => {
    const out = new Uint8Array(8).fill(0xaa);
    const pan = Buffer.from("6222021234567890123");
    for (const pin of ["123", "1234567890123", "12a4", "12 4"]) {
      const p = Buffer.from(pin);
      assert.equal(pinBlockFormat0(p, 0, p.length, pan, 0, pan.length, out, 0), E_PIN_FORMAT, pin);
    }
    for (const bad of ["1", "62220212345678901X3", "62220212345678901234"]) {
      const p = Buffer.from(bad);
      assert.equal(pinBlockFormat0(Buffer.from("1234"), 0, 4, p, 0, p.length, out, 0), E_PAN_FORMAT, bad);
    }
    assert.ok(out.every((b) => b === 0xaa));
  });
});
