// DES / 3DES against published vectors and Node's OpenSSL (des-ede3-ecb; single DES as K1=K2=K3,
// since plain 'des-ecb' is disabled in OpenSSL 3's default provider).
import { strict as assert } from "node:assert";
import { nodeEcb } from "./openssl-des";
import { prng } from "../prng";
import { DesKey, desBlock, SBOX, SP_BYTES, SPBOX, SPBOX_BYTES } from "../../firmware/txn/crypto/des";
import { CRYPTO_OK, E_KEY_LENGTH } from "../../firmware/txn/crypto/errors";

const hex = (s: string) => Buffer.from(s, "hex");

function bytes(rnd: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}
function ours(k: Buffer, data: Buffer, decrypt: boolean): Buffer {
  const key = new DesKey(24);
  assert.equal(key.load(k, 0, k.length), CRYPTO_OK);
  const out = new Uint8Array(data.length);
  if (decrypt) key.decryptEcb(data, 0, data.length, out, 0);
  else for (let i = 0; i < data.length; i += 8) key.encryptBlock(data, i, out, i);
  return Buffer.from(out);
}

describe("DES / 3DES", () => {
  it("SPBOX is the S-boxes (FIPS 46-3, as SBOX) with the P permutation (SP) applied, rotated right by one bit", () => {
    assert.equal(SPBOX_BYTES.length, 2048);
    const sp = new Int32Array(128);
    for (let i = 0; i < 512; i++) sp[i >> 2] |= SP_BYTES.charCodeAt(i) << (8 * (i & 3));
    for (let g = 0; g < 8; g++) {
      for (let x = 0; x < 64; x++) {
        const out = SBOX.charCodeAt(g * 64 + x) - 64;
        assert.ok(out >= 0 && out < 16);
        const v = sp[g * 16 + out];
        assert.equal(SPBOX[g * 64 + x], (v >>> 1) | (v << 31), `S${g + 1} input ${x}`);
      }
    }
  });

  it("published single-DES vectors", () => {
    // the classic worked example (J. Orlin Grabbe, "The DES Algorithm Illustrated")
    assert.equal(ours(hex("133457799BBCDFF1"), hex("0123456789ABCDEF"), false).toString("hex"), "85e813540f0ab405");
    // FIPS 81 appendix B, ECB mode: "Now is the time for all "
    assert.equal(
      ours(hex("0123456789ABCDEF"), Buffer.from("Now is the time for all "), false).toString("hex"),
      "3fa40e8a984d48156a271787ab8883f9893d51ec4b563b53"
    );
    // NBS known-answer tests (SP 800-17 style): key 0101..01, one plaintext bit set
    assert.equal(ours(hex("0101010101010101"), hex("8000000000000000"), false).toString("hex"), "95f8a5e5dd31d900");
    assert.equal(ours(hex("0101010101010101"), hex("0000000000000001"), false).toString("hex"), "166b40b44aba4bd6");
    assert.equal(ours(hex("0101010101010101"), hex("95F8A5E5DD31D900"), true).toString("hex"), "8000000000000000");
  });

  it("matches Node's OpenSSL for 1000 random keys and blocks, single, 2-key and 3-key, both ways", () => {
    const rnd = prng(1977);
    for (let i = 0; i < 1000; i++) {
      const k = bytes(rnd, 24);
      const data = bytes(rnd, 8 * (1 + (i % 3)));
      for (const n of [8, 16, 24]) {
        const key = k.subarray(0, n);
        const enc = nodeEcb(key, data, false);
        assert.deepEqual(ours(key, data, false), enc, `encrypt, ${n}-byte key`);
        assert.deepEqual(ours(key, enc, true), data, `decrypt, ${n}-byte key`);
      }
    }
  });

  it("works in place and at offsets; desBlock on a key's schedule is single DES with that key", () => {
    const key = new DesKey();
    const k = hex("0123456789ABCDEFFEDCBA9876543210");
    key.load(k, 0, 16);
    const buf = Buffer.concat([Buffer.alloc(3), Buffer.from("12345678"), Buffer.alloc(3)]);
    key.encryptBlock(buf, 3, buf, 3);
    assert.deepEqual(buf.subarray(3, 11), nodeEcb(k, Buffer.from("12345678"), false));
    key.decryptEcb(buf, 3, 8, buf, 3);
    assert.equal(buf.subarray(3, 11).toString(), "12345678");
    const single = new DesKey();
    single.load(hex("00133457799BBCDFF1"), 1, 8);
    const out = new Uint8Array(8);
    desBlock(single.ks, 0, false, hex("0123456789ABCDEF"), 0, out, 0);
    assert.equal(Buffer.from(out).toString("hex"), "85e813540f0ab405");
    desBlock(key.ks, 32, false, hex("0123456789ABCDEF"), 0, out, 0);
    assert.deepEqual(Buffer.from(out), nodeEcb(k.subarray(8, 16), hex("0123456789ABCDEF"), false), "K2's schedule at word 32");
  });

  it("triple DES leaves nothing of its passes behind: a chained pass after it starts from zeros", () => {
    const k = hex("0123456789ABCDEFFEDCBA9876543210");
    const key = new DesKey();
    key.load(k, 0, 16);
    key.encryptBlock(hex("0412AC89ABCDEF67"), 0, new Uint8Array(8), 0);
    key.decryptEcb(hex("0412AC89ABCDEF67"), 0, 8, new Uint8Array(8), 0);
    // a pass taking the chained halves (src null) now sees the all-zero block (IP of zeros)
    const out = new Uint8Array(8);
    desBlock(key.ks, 0, false, null, 0, out, 0);
    assert.deepEqual(Buffer.from(out), nodeEcb(k.subarray(0, 8), Buffer.alloc(8), false));
  });

  it("refuses a key of the wrong length and then holds no key", () => {
    const key = new DesKey();
    assert.equal(key.load(hex("0123456789ABCDEF"), 0, 8), CRYPTO_OK);
    assert.equal(key.size, 8);
    assert.equal(key.load(hex("0123456789ABCDEF00"), 0, 9), E_KEY_LENGTH);
    assert.equal(key.size, 0);
    assert.equal(key.load(hex("0123456789ABCDEF"), 4, 8), E_KEY_LENGTH, "beyond the buffer");
    const k24 = hex("0123456789ABCDEFFEDCBA987654321001020304050607F8");
    assert.equal(key.load(k24, 0, 24), E_KEY_LENGTH, "a default DesKey has room for 16 bytes");
    assert.equal(key.ks.length, 64);
    const big = new DesKey(24);
    assert.equal(big.load(k24, 0, 24), CRYPTO_OK);
    assert.equal(big.ks.length, 96);
    assert.ok(key.ks.every((b) => b === 0), "schedule wiped");
  });

  it("parity bits do not matter (as in DES)", () => {
    const a = ours(hex("0123456789ABCDEF"), hex("1122334455667788"), false);
    const b = ours(hex("0022446688AACCEE"), hex("1122334455667788"), false);
    assert.deepEqual(a, b);
  });
});
