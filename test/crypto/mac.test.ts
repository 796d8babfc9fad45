// MACs: UnionPay ECB MAC and ISO 9797-1 algorithm 3 (retail / X9.19) against independent
// implementations built on Node's crypto here, and against published vectors.
import { strict as assert } from "node:assert";
import { createCipheriv, createDecipheriv } from "node:crypto";
import { CRYPTO_OK, E_NO_KEY } from "../../firmware/txn/crypto/errors";
import { Mac, MAC_RETAIL, MAC_UNIONPAY_ECB, retailMac, unionPayEcbMac } from "../../firmware/txn/crypto/mac";
import { DesKey } from "../../firmware/txn/crypto/des";

const hex = (s: string) => Buffer.from(s, "hex");

function ede(k: Buffer, block: Buffer, decrypt = false): Buffer {
  const key = k.length === 8 ? Buffer.concat([k, k, k]) : k.length === 16 ? Buffer.concat([k, k.subarray(0, 8)]) : k;
  const c = decrypt ? createDecipheriv("des-ede3-ecb", key, null) : createCipheriv("des-ede3-ecb", key, null);
  c.setAutoPadding(false);
  return c.update(block);
}

/** PROTOCOL.md's UnionPay ECB MAC, written the plain way with strings. */
function refUnionPay(k: Buffer, data: Buffer): string {
  const x = Buffer.alloc(8);
  for (let i = 0; i < data.length; i++) x[i % 8] ^= data[i];
  const h = x.toString("hex").toUpperCase();
  const a = ede(k, Buffer.from(h.slice(0, 8), "latin1"));
  const b = Buffer.from(h.slice(8), "latin1");
  for (let i = 0; i < 8; i++) a[i] ^= b[i];
  return ede(k, a).toString("hex").toUpperCase().slice(0, 8);
}

/** ISO 9797-1 MAC algorithm 3, padding method 1, via OpenSSL CBC + ECB. */
function refRetail(k: Buffer, data: Buffer): Buffer {
  const k1 = k.subarray(0, 8);
  const k2 = k.length >= 16 ? k.subarray(8, 16) : k1;
  const padded = Buffer.concat([data, Buffer.alloc(data.length === 0 ? 8 : (8 - (data.length % 8)) % 8)]);
  const cbc = createCipheriv("des-ede3-cbc", Buffer.concat([k1, k1, k1]), Buffer.alloc(8));
  cbc.setAutoPadding(false);
  const all = Buffer.concat([cbc.update(padded), cbc.final()]);
  const last = all.subarray(all.length - 8);
  return ede(k1, ede(k2, last, true));
}

function rnd(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
}

describe("MAC", () => {
  it("UnionPay ECB MAC = the reference, for 8- and 16-byte keys and 0..200-byte inputs", () => {
    const r = rnd(7);
    const out = new Uint8Array(8);
    for (let n = 0; n <= 200; n++) {
      const data = Buffer.alloc(n);
      for (let i = 0; i < n; i++) data[i] = r(256);
      for (const klen of [8, 16]) {
        const kb = Buffer.alloc(klen);
        for (let i = 0; i < klen; i++) kb[i] = r(256);
        const key = new DesKey();
        key.load(kb, 0, klen);
        unionPayEcbMac(key, data, 0, n, out, 0);
        assert.equal(Buffer.from(out).toString("latin1"), refUnionPay(kb, data), `n=${n}, key ${klen}`);
      }
    }
  });

  it("UnionPay ECB fold: the XOR of the blocks; 8 bytes changed after folding, XORed in at their offset mod 8, give the changed data's MAC", () => {
    const r = rnd(11);
    const key = new DesKey();
    key.load(hex("0123456789ABCDEF"), 0, 8);
    const mac = new Mac(MAC_UNIONPAY_ECB, key);
    for (let n = 8; n <= 160; n += 3) {
      const msg = new Uint8Array(n);
      for (let i = 0; i < n; i++) msg[i] = r(256);
      const at = r(n - 7); // where 8 zero bytes sit when folded, written later (a PIN block)
      msg.fill(0, at, at + 8);
      const fold = new Uint8Array(16);
      assert.equal(mac.compute(msg, 0, n, fold, 0, true), CRYPTO_OK);
      const x = Buffer.alloc(8);
      for (let i = 0; i < n; i++) x[i % 8] ^= msg[i];
      assert.deepEqual(Buffer.from(fold.subarray(0, 8)), x, `n=${n}: the fold is the blocks' XOR`);
      const pb = Buffer.alloc(8);
      for (let i = 0; i < 8; i++) pb[i] = r(256);
      for (let i = 0; i < 8; i++) {
        msg[at + i] = pb[i];
        fold[(at & 7) + i] ^= pb[i];
      }
      const whole = new Uint8Array(8);
      const folded = new Uint8Array(8);
      mac.compute(msg, 0, n, whole, 0);
      mac.compute(fold, 0, 16, folded, 0);
      assert.deepEqual(folded, whole, `n=${n}, at=${at}`);
      assert.equal(Buffer.from(whole).toString("latin1"), refUnionPay(hex("0123456789ABCDEF"), Buffer.from(msg)));
    }
  });

  it("UnionPay ECB MAC of a fixed input, worked by hand: XOR 0C73760F093B4530 -> MAC A7DBC63C", () => {
    const key = new DesKey();
    key.load(hex("0123456789ABCDEF"), 0, 8);
    const data = Buffer.from("0200702406C020C09A1119622202123456789012300000000000000012345", "latin1");
    const out = new Uint8Array(8);
    unionPayEcbMac(key, data, 0, data.length, out, 0);
    assert.equal(Buffer.from(out).toString("latin1"), "A7DBC63C");
    assert.equal(refUnionPay(hex("0123456789ABCDEF"), data), "A7DBC63C");
  });

  it("retail MAC: ISO 9797-1 annex B and X9.9 published vectors", () => {
    const key = new DesKey();
    const out = new Uint8Array(8);
    key.load(hex("0123456789ABCDEFFEDCBA9876543210"), 0, 16);
    const a = Buffer.from("Now is the time for all ");
    retailMac(key, a, 0, a.length, out, 0);
    assert.equal(Buffer.from(out).toString("hex"), "a1c72e74ea3fa9b6");
    const b = Buffer.from("Now is the time for it");
    retailMac(key, b, 0, b.length, out, 0);
    assert.equal(Buffer.from(out).toString("hex"), "2e2b1428cc78254f");
    // single-length key: algorithm 1 (ANSI X9.9 / FIPS 113 example, MAC F1D30F68...)
    key.load(hex("0123456789ABCDEF"), 0, 8);
    const c = Buffer.from("7654321 Now is the time for ");
    retailMac(key, c, 0, c.length, out, 0);
    assert.equal(Buffer.from(out).toString("hex"), "f1d30f6849312ca4");
  });

  it("retail MAC = the OpenSSL reference, random keys and lengths, at an offset", () => {
    const r = rnd(99);
    const out = new Uint8Array(10);
    for (let n = 0; n < 300; n++) {
      const data = Buffer.alloc(n + 5);
      for (let i = 0; i < data.length; i++) data[i] = r(256);
      const kb = Buffer.alloc(16);
      for (let i = 0; i < 16; i++) kb[i] = r(256);
      const klen = n % 3 === 0 ? 8 : 16;
      const key = new DesKey();
      key.load(kb, 0, klen);
      retailMac(key, data, 5, n, out, 2);
      assert.deepEqual(Buffer.from(out.subarray(2)), refRetail(kb.subarray(0, klen), data.subarray(5)), `n=${n}`);
    }
  });

  it("Mac picks the algorithm and refuses to work without a key", () => {
    const data = Buffer.from("abcdefghij");
    const out = new Uint8Array(8);
    const m = new Mac(MAC_UNIONPAY_ECB);
    assert.equal(m.compute(data, 0, data.length, out, 0), E_NO_KEY);
    m.key.load(hex("0123456789ABCDEF"), 0, 8);
    assert.equal(m.compute(data, 0, data.length, out, 0), CRYPTO_OK);
    assert.equal(Buffer.from(out).toString("latin1"), refUnionPay(hex("0123456789ABCDEF"), data));
    const r = new Mac(MAC_RETAIL);
    r.key.load(hex("0123456789ABCDEFFEDCBA9876543210"), 0, 16);
    assert.equal(r.compute(data, 0, data.length, out, 0), CRYPTO_OK);
    assert.deepEqual(Buffer.from(out), refRetail(hex("0123456789ABCDEFFEDCBA9876543210"), data));
  });
});
