// Key check values and the sign-in working keys (field 62) decrypted under the TMK.
import { strict as assert } from "node:assert";
import { createCipheriv } from "node:crypto";
import { DesKey } from "../../firmware/txn/crypto/des";
import {
  CRYPTO_OK,
  cryptoErrorName,
  E_KCV_DATA_KEY,
  E_KCV_MAC_KEY,
  E_KCV_PIN_KEY,
  E_KEY_FIELD_LENGTH,
  E_NO_KEY,
} from "../../firmware/txn/crypto/errors";
import { kcvMatches, keyCheckValue } from "../../firmware/txn/crypto/kcv";
import { WORKING_KEYS_SCRATCH, WorkingKeys } from "../../firmware/txn/crypto/working-keys";

const hex = (s: string) => Buffer.from(s, "hex");

function ecb(k: Buffer, data: Buffer): Buffer {
  const key = k.length === 8 ? Buffer.concat([k, k, k]) : k.length === 16 ? Buffer.concat([k, k.subarray(0, 8)]) : k;
  const c = createCipheriv("des-ede3-ecb", key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}
const kcv = (k: Buffer) => ecb(k, Buffer.alloc(8)).subarray(0, 4);

const TMK = hex("11223344556677888877665544332211");
const PIN_KEY = hex("0123456789ABCDEFFEDCBA9876543210");
const MAC_KEY = hex("1C2D3E4F5A6B7C8D");
const MAC_KEY_3DES = hex("1C2D3E4F5A6B7C8D0F1E2D3C4B5A6978");
const DATA_KEY = hex("A1A2A3A4A5A6A7A8B1B2B3B4B5B6B7B8");

/** Field 62 as a host builds it. */
function field62(layout: 24 | 40 | 60, macKey: Buffer = MAC_KEY, tmk: Buffer = TMK): Buffer {
  if (layout === 24) {
    const pin8 = PIN_KEY.subarray(0, 8);
    return Buffer.concat([ecb(tmk, pin8), kcv(pin8), ecb(tmk, macKey), kcv(macKey)]);
  }
  const mac16 = macKey.length === 8 ? Buffer.concat([ecb(tmk, macKey), Buffer.alloc(8)]) : ecb(tmk, macKey);
  const parts = [ecb(tmk, PIN_KEY), kcv(PIN_KEY), mac16, kcv(macKey)];
  if (layout === 60) parts.push(ecb(tmk, DATA_KEY), kcv(DATA_KEY));
  return Buffer.concat(parts);
}

/** The key a DesKey holds, observed through encryption of a test block. */
function sameKey(k: DesKey, expected: Buffer): boolean {
  const out = new Uint8Array(8);
  k.encryptBlock(hex("0011223344556677"), 0, out, 0);
  return Buffer.from(out).equals(ecb(expected, hex("0011223344556677")));
}

describe("key check values", () => {
  it("KCV of 0123456789ABCDEF is D5D44FF7 (first 4 bytes of E(0))", () => {
    const k = new DesKey();
    k.load(hex("0123456789ABCDEF"), 0, 8);
    const out = new Uint8Array(4);
    keyCheckValue(k, out, 0);
    assert.equal(Buffer.from(out).toString("hex"), "d5d44ff7");
    assert.equal(kcvMatches(k, hex("D5D44FF7"), 0), true);
    assert.equal(kcvMatches(k, hex("D5D44FF6"), 0), false);
  });

  it("KCV of double- and triple-length keys = OpenSSL's E(0)", () => {
    for (const kb of [PIN_KEY, Buffer.concat([PIN_KEY, MAC_KEY])]) {
      const k = new DesKey(24);
      k.load(kb, 0, kb.length);
      const out = new Uint8Array(4);
      keyCheckValue(k, out, 0);
      assert.deepEqual(Buffer.from(out), kcv(kb));
    }
  });
});

describe("working keys from sign-in field 62", () => {
  const tmk = new DesKey();
  tmk.load(TMK, 0, 16);

  it("40-byte layout: PIN key 16 + KCV, MAC key 8 (+8 zero) + KCV", () => {
    const wk = new WorkingKeys();
    const f = field62(40);
    assert.equal(wk.load(tmk, f, 0, f.length), CRYPTO_OK);
    assert.ok(sameKey(wk.pinKey, PIN_KEY));
    assert.equal(wk.macKey.size, 8);
    assert.ok(sameKey(wk.macKey, MAC_KEY));
  });

  it("3DES MAC key variant: 16 encrypted MAC key bytes", () => {
    const wk = new WorkingKeys();
    const f = field62(40, MAC_KEY_3DES);
    assert.equal(wk.load(tmk, f, 0, f.length), CRYPTO_OK);
    assert.equal(wk.macKey.size, 16);
    assert.ok(sameKey(wk.macKey, MAC_KEY_3DES));
  });

  it("60-byte layout adds the data key (checked, not kept); 24-byte layout is single DES; at an offset in a reply", () => {
    const wk = new WorkingKeys();
    const f = Buffer.concat([Buffer.alloc(3), field62(60)]);
    assert.equal(wk.load(tmk, f, 3, 60), CRYPTO_OK);
    assert.ok(sameKey(wk.pinKey, PIN_KEY) && sameKey(wk.macKey, MAC_KEY));
    const s = field62(24);
    assert.equal(wk.load(tmk, s, 0, 24), CRYPTO_OK);
    assert.equal(wk.pinKey.size, 8);
    assert.ok(sameKey(wk.pinKey, PIN_KEY.subarray(0, 8)));
    assert.ok(sameKey(wk.macKey, MAC_KEY));
    // single-length TMK too
    const tmk8 = new DesKey();
    tmk8.load(TMK, 0, 8);
    const s8 = field62(24, MAC_KEY, TMK.subarray(0, 8));
    assert.equal(wk.load(tmk8, s8, 0, 24), CRYPTO_OK);
    assert.ok(sameKey(wk.macKey, MAC_KEY));
  });

  it("a wrong check value refuses the load with the key's code, and the old keys stay", () => {
    const wk = new WorkingKeys();
    const good = field62(60);
    assert.equal(wk.load(tmk, good, 0, 60), CRYPTO_OK);
    const cases: [number, number][] = [
      [16, E_KCV_PIN_KEY],
      [36, E_KCV_MAC_KEY],
      [56, E_KCV_DATA_KEY],
      [0, E_KCV_PIN_KEY], // the encrypted key itself damaged
      [21, E_KCV_MAC_KEY],
    ];
    for (const [at, code] of cases) {
      const bad = Buffer.from(field62(60, MAC_KEY_3DES));
      bad[at] ^= 0x01;
      assert.equal(cryptoErrorName(wk.load(tmk, bad, 0, 60)), cryptoErrorName(code), `byte ${at}`);
      assert.ok(sameKey(wk.pinKey, PIN_KEY) && sameKey(wk.macKey, MAC_KEY));
    }
    // keys encrypted under another TMK
    const other = field62(40, MAC_KEY, hex("99999999999999998888888888888888"));
    assert.equal(wk.load(tmk, other, 0, 40), E_KCV_PIN_KEY);
    assert.ok(sameKey(wk.macKey, MAC_KEY));
  });

  it("a lent scratch: the TMK scheduled in it works, and what it used is all zero after a load (good or bad)", () => {
    // lent at an odd offset, as the engine's request body is: the schedules start at the next
    // 4-byte boundary (lent[3]) and take 312 bytes; nothing outside them is touched
    const whole = new Uint8Array(481).fill(0x5a);
    const lent = whole.subarray(1);
    const used = (i: number): boolean => i >= 3 && i < 3 + 312;
    const wiped = (): boolean => lent.every((b, i) => b === (used(i) ? 0 : 0x5a));
    assert.ok(WORKING_KEYS_SCRATCH <= 315);
    const wk = new WorkingKeys(lent);
    assert.equal(wk.scratch.load(TMK, 0, 16), CRYPTO_OK);
    const f = field62(60, MAC_KEY_3DES);
    assert.equal(wk.load(wk.scratch, f, 0, 60), CRYPTO_OK);
    assert.ok(sameKey(wk.pinKey, PIN_KEY) && sameKey(wk.macKey, MAC_KEY_3DES));
    assert.ok(wiped(), "scratch wiped");
    assert.equal(wk.scratch.size, 0);
    lent.fill(0x5a);
    wk.scratch.load(TMK, 0, 16);
    const bad = Buffer.from(f);
    bad[56] ^= 1;
    assert.equal(wk.load(wk.scratch, bad, 0, 60), E_KCV_DATA_KEY);
    assert.ok(wiped(), "scratch wiped after a refusal");
    assert.ok(sameKey(wk.pinKey, PIN_KEY) && sameKey(wk.macKey, MAC_KEY_3DES), "old keys stay");
    // too small to lend: the keys use their own
    const small = new Uint8Array(100);
    const wk2 = new WorkingKeys(small);
    assert.equal(wk2.load(tmk, f, 0, 60), CRYPTO_OK);
    assert.ok(sameKey(wk2.macKey, MAC_KEY_3DES));
  });

  it("refuses unknown field lengths and a missing TMK", () => {
    const wk = new WorkingKeys();
    const f = field62(40);
    assert.equal(wk.load(tmk, f, 0, 39), E_KEY_FIELD_LENGTH);
    assert.equal(wk.load(tmk, f, 1, 40), E_KEY_FIELD_LENGTH, "beyond the buffer");
    assert.equal(wk.load(new DesKey(), f, 0, 40), E_NO_KEY);
    assert.equal(wk.pinKey.size, 0);
    assert.equal(cryptoErrorName(E_KEY_FIELD_LENGTH), "KEY_FIELD_LENGTH");
  });
});
