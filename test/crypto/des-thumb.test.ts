/**
 * DesKey's calls into the Thumb-2 machine code (firmware/txn/native/thumb.c), in Node: a
 * stand-in for Espruino's E.getAddressOf / E.nativeCall keeps thumb.c's DES contract (addresses,
 * mode bits, SPBOX) and runs each block through OpenSSL. DesKey's results must be OpenSSL's, so
 * every address, offset and mode bit it passes is checked; buffers without a flat address, or
 * above 0x40000000, must go the interpreted way. (test/native/thumb.test.ts: the code itself,
 * and on a real ARM Espruino.)
 */
import { strict as assert } from "node:assert";
import { DesKey, SPBOX } from "../../firmware/txn/crypto/des";
import { useThumb } from "../../firmware/txn/native/thumb";
import { THUMB_CODE, THUMB_ENTRY, THUMB_LENGTH } from "../../firmware/txn/native/thumb.gen";
import { CRYPTO_OK } from "../../firmware/txn/crypto/errors";
import { nodeEcb } from "./openssl-des";
import { emulateWalk } from "../native/walk-emulator";
import { FakeMemory } from "../native/fake-memory";

const g = globalThis as any;

/**
 * Espruino's E as far as useThumb and DesKey use it: flat addresses for typed arrays (one base
 * per ArrayBuffer) and for the code's string; a native function that runs thumb.c's DES contract
 * through OpenSSL, reading and writing the buffers behind the addresses.
 */
class FakeEspruino extends FakeMemory {
  /** Raw key bytes by the schedule's buffer: the stand-in encrypts with OpenSSL. */
  keys = new Map<ArrayBuffer, Buffer>();
  /** The code gives a wrong answer (a CPU or build that runs it otherwise). */
  brokenWalk = false;
  nativeAddr = 0;
  calls: { ksMode: number; srcK3: number; dst: number; sp: number }[] = [];

  constructor() {
    super();
    this.codeAt = 0x08004001; // odd: the second copy must be chosen
  }

  nativeCall(addr: number, sig: string): any {
    assert.equal(sig, "int(int,int,int,int)");
    this.nativeAddr = addr;
    const self = this;
    return function (ksMode: number, srcK3: number, dst: number, sp: number) {
      // the field walk (useThumb's known answer): as thumb.c
      if (srcK3 >>> 31 === 1) return self.brokenWalk ? 0 : emulateWalk((addr, len) => self.at(addr, len), ksMode, srcK3, dst, sp);
      self.calls.push({ ksMode, srcK3, dst, sp });
      assert.equal(sp, self.getAddressOf(SPBOX, true), "SPBOX's address");
      const ks = (ksMode & 0x3fffffff) >>> 0;
      const keyBuf = self.bufferAt(ks);
      const raw = self.keys.get(keyBuf.buf);
      assert.ok(raw, "ks points at a known key's schedule");
      assert.equal(ks, keyBuf.base, "ks is the schedule's start");
      const decrypt = ((ksMode >>> 30) & 1) === 1;
      const ede = ksMode >>> 31 === 1;
      const k3 = ((srcK3 >>> 30) & 1) === 1;
      const key = !ede ? raw!.subarray(0, 8) : k3 ? raw!.subarray(0, 24) : raw!.subarray(0, 16);
      const src = Buffer.from(self.at((srcK3 & 0x3fffffff) >>> 0, 8));
      self.at(dst, 8).set(nodeEcb(Buffer.from(key), src, decrypt));
      return 0;
    };
  }
}

describe("Thumb-2 DES: DesKey's calls into the machine code (Node, a stand-in for E)", () => {
  let fake: FakeEspruino;
  const saved = g.E;

  beforeEach(() => {
    fake = new FakeEspruino();
    g.E = fake;
  });
  afterEach(() => {
    // useThumb() without nativeCall turns the machine code off again
    g.E = { getAddressOf: () => 0 };
    assert.equal(useThumb(), false);
    g.E = saved;
  });

  function keyOf(bytes: Buffer, maxKeyBytes = 24): DesKey {
    const k = new DesKey(maxKeyBytes);
    assert.equal(k.load(bytes, 0, bytes.length), CRYPTO_OK);
    fake.keys.set(k.ks.buffer as ArrayBuffer, bytes);
    return k;
  }

  it("is off without E.nativeCall or after a wrong known answer, and the code's odd address takes the second copy", () => {
    g.E = { getAddressOf: fake.getAddressOf.bind(fake) };
    assert.equal(useThumb(), false);
    g.E = fake;
    assert.equal(useThumb(), true);
    // second copy: odd start + length + 1 is even; + entry; + 1 for Thumb
    assert.equal(fake.nativeAddr, fake.codeAt + THUMB_LENGTH + 1 + THUMB_ENTRY + 1);
    fake.codeAt = 0x08004000;
    assert.equal(useThumb(), true);
    assert.equal(fake.nativeAddr, 0x08004000 + THUMB_ENTRY + 1);
    fake.codeAt = 0;
    assert.equal(useThumb(), false, "no flat address for the code: stays interpreted");
    fake.codeAt = 0x08004000;
    fake.brokenWalk = true;
    assert.equal(useThumb(), false, "a wrong known answer at boot: stays interpreted");
    fake.calls.length = 0;
    const k = new DesKey();
    k.load(Buffer.from("0123456789abcdef", "hex"), 0, 8);
    const b = new Uint8Array(32);
    k.encryptBlock(b, 0, b, 8);
    assert.equal(fake.calls.length, 0, "and DES runs interpreted");
    assert.deepEqual(Buffer.from(b.subarray(8, 16)), nodeEcb(Buffer.from("0123456789abcdef", "hex"), Buffer.alloc(8), false));
  });

  it("gives OpenSSL's blocks for 8, 16 and 24-byte keys, encrypting and decrypting, at odd offsets", () => {
    assert.equal(useThumb(), true);
    const big = new Uint8Array(96);
    const out = new Uint8Array(96);
    for (let i = 0; i < big.length; i++) big[i] = (i * 37 + 11) & 255;
    for (const size of [8, 16, 24]) {
      const raw = Buffer.alloc(size);
      for (let i = 0; i < size; i++) raw[i] = (i * 53 + size) & 255;
      const k = keyOf(raw);
      for (const [so, dOff] of [[0, 40], [3, 41], [17, 66]]) {
        fake.calls.length = 0;
        k.encryptBlock(big, so, out, dOff);
        assert.equal(fake.calls.length, 1, "one call to the machine code");
        assert.deepEqual(Buffer.from(out.subarray(dOff, dOff + 8)), nodeEcb(raw, Buffer.from(big.subarray(so, so + 8)), false), `encrypt, ${size}-byte key`);
        k.decryptEcb(big, so, 24, out, dOff);
        assert.equal(fake.calls.length, 4, "a call a block");
        for (let b = 0; b < 24; b += 8) {
          assert.deepEqual(Buffer.from(out.subarray(dOff + b, dOff + b + 8)), nodeEcb(raw, Buffer.from(big.subarray(so + b, so + b + 8)), true), `decrypt, ${size}-byte key`);
        }
      }
      // in place, as the MAC and the PIN block use it
      const copy = Buffer.from(big.subarray(8, 16));
      k.encryptBlock(big, 8, big, 8);
      assert.deepEqual(Buffer.from(big.subarray(8, 16)), nodeEcb(raw, copy, false));
    }
  });

  it("goes the interpreted way, with the same result, for a buffer with no flat address or one above 0x40000000", () => {
    assert.equal(useThumb(), true);
    const raw = Buffer.from("0123456789abcdeffedcba9876543210", "hex");
    const k = keyOf(raw, 16);
    for (const set of [fake.noAddress, fake.highAddress]) {
      const small = new Uint8Array(8);
      small.set([1, 2, 3, 4, 5, 6, 7, 8]);
      set.add(small.buffer as ArrayBuffer);
      const plain = Buffer.from(small);
      const dst = new Uint8Array(8);
      fake.calls.length = 0;
      k.encryptBlock(small, 0, dst, 0);
      assert.deepEqual(Buffer.from(dst), nodeEcb(raw, plain, false));
      small.fill(0);
      k.decryptEcb(dst, 0, 8, small, 0);
      assert.deepEqual(Buffer.from(small), plain);
      assert.equal(fake.calls.length, 0, "no call with an unusable address");
    }
  });
});
