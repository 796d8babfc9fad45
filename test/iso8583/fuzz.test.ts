// Fuzz: 100,000 random and mutated replies (seeded, deterministic) through unpack/unpackReply.
// Each buffer is wrapped in a Proxy that throws on any index read outside [0, len) -- and the
// array is longer than len, so a read past len would be caught, not silently return undefined.
// Asserted: no exception, a known error code every time, and for accepted messages every field
// range lies inside the buffer, the getters work, and the fields survive a repack.
import { strict as assert } from "node:assert";
import { Mac, MAC_UNIONPAY_ECB } from "../../firmware/txn/crypto/mac";
import {
  copyField,
  createUnionPayTable,
  E_MAC_MISMATCH,
  E_STAN_MISMATCH,
  ISO_OK,
  isoErrorName,
  Message,
  pack,
  unpack,
  unpackReply,
} from "../../firmware/txn/iso8583/index";
import { fill, packedSamples, readAll, TERMINAL_ID } from "./helpers";
import { prng } from "../prng";

const CASES = 100_000;


/** A view of `arr` that throws on an element read outside [0, limit). */
function guarded(arr: Uint8Array, limit: number): Uint8Array {
  return new Proxy(arr, {
    get(target, prop) {
      if (typeof prop === "string") {
        const c = prop.charCodeAt(0);
        if ((c >= 48 && c <= 57) || c === 45) {
          const i = Number(prop);
          if (!(i >= 0 && i < limit)) throw new RangeError(`read outside [0, ${limit}): ${prop}`);
          return target[i];
        }
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

describe("ISO 8583 unpack fuzz (100k random and mutated replies)", function () {
  this.timeout(120_000);

  it("the guard itself catches a read at or past len (so the fuzz can fail)", () => {
    const g = guarded(new Uint8Array([1, 2, 3, 4]), 2);
    assert.equal(g[1], 2);
    assert.throws(() => g[2], RangeError);
    assert.throws(() => g[-1], RangeError);
  });

  it("never throws, never reads outside the buffer, reports only in-range fields", () => {
    const table = createUnionPayTable();
    const mac = new Mac(MAC_UNIONPAY_ECB);
    mac.key.load(Buffer.from("0123456789ABCDEF", "hex"), 0, 8);
    const rnd = prng(0x8583);
    const int = (n: number) => Math.floor(rnd() * n);

    // Corpus of valid messages: every sample, with and without MAC, STAN/TID of the request.
    const req = fill(new Message(table, 512), 200, { 11: "000042", 41: TERMINAL_ID });
    pack(req, new Uint8Array(512), mac);
    const corpus = packedSamples(table, mac);

    const view = new Message(table, 0);
    const again = new Message(table, 1024);
    const repackBuf = new Uint8Array(2048);
    const counts: Record<string, number> = {};
    let checkedFields = 0;

    for (let n = 0; n < CASES; n++) {
      let b: Buffer;
      if (rnd() < 0.25) {
        // random bytes, often with a plausible frame
        b = Buffer.alloc(int(300));
        for (let i = 0; i < b.length; i++) b[i] = int(256);
        if (b.length >= 15 && rnd() < 0.6) {
          b[13] = 0x02;
          b[14] = 0x10;
        }
      } else {
        b = Buffer.from(corpus[int(corpus.length)]);
        const edits = 1 + int(4);
        for (let k = 0; k < edits; k++) {
          const what = int(8);
          if (b.length === 0) break;
          const at = int(b.length);
          if (what === 0) b[at] ^= 1 << int(8);
          else if (what === 1) b[at] = int(256);
          else if (what === 2) b = b.subarray(0, at);
          else if (what === 3) b = Buffer.concat([b.subarray(0, at), Buffer.from([int(256), int(256)]), b.subarray(at)]);
          else if (what === 4) b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(6)))]);
          else if (what === 5 && b.length > 23) b[15 + int(8)] = int(256); // bitmap
          else if (what === 6 && b.length > 24) b[23 + int(b.length - 23)] = [0x99, 0xff, 0x00, 0x10][int(4)];
          else b[at] = [0x0a, 0xd0, 0xf0, 0x3d][int(4)];
        }
      }
      if (b.length >= 2 && rnd() < 0.7) b.writeUInt16BE((b.length - 2) & 0xffff, 0);

      const len = b.length;
      const arr = new Uint8Array(len + 1 + int(16));
      arr.set(b);
      for (let i = len; i < arr.length; i++) arr[i] = int(256);
      const buf = guarded(arr, len);
      let code: number;
      try {
        code = n & 1 ? unpackReply(buf, len, view, req, mac) : unpack(buf, len, view);
      } catch (e) {
        assert.fail(`case ${n}: threw ${(e as Error).message} on ${b.toString("hex")}`);
      }
      const name = isoErrorName(code);
      assert.notEqual(name, "ERROR", `case ${n}: unknown code ${code}`);
      counts[name] = (counts[name] ?? 0) + 1;

      // after a successful unpack (and after reply-matching codes, which come after it)
      if (code === ISO_OK || code >= 11) {
        for (let f = 2; f <= 128; f++) {
          if (!view.has(f)) continue;
          const off = view.has(f) ? view.off[f] : -1;
          const bytes = view.bodyBytes(f);
          assert.ok(off >= view.mtiOffset && off + bytes <= len, `case ${n}: field ${f} [${off}, +${bytes}) outside ${len}`);
          checkedFields++;
        }
        const fields = readAll(view); // getters through the guarded buffer
        if (code === ISO_OK || code === E_STAN_MISMATCH || code === E_MAC_MISMATCH) {
          again.clear();
          again.mti = view.mti;
          for (let f = 2; f <= 128; f++) if (view.has(f)) assert.equal(copyField(again, view, f), ISO_OK);
          assert.equal(pack(again, repackBuf, null), ISO_OK);
          assert.equal(unpack(repackBuf, again.packedLength, view), ISO_OK);
          assert.deepEqual(readAll(view), fields, `case ${n}: fields survive a repack`);
        }
      }
    }

    if (process.env.FUZZ_STATS) console.log(counts, checkedFields);
    const total = Object.values(counts).reduce((a, c) => a + c, 0);
    assert.equal(total, CASES);
    assert.ok(counts.OK > 1000, `some mutated replies are still valid: ${counts.OK}`);
    assert.ok(checkedFields > 10_000);
    for (const name of ["FRAME_LENGTH", "TRUNCATED", "UNKNOWN_FIELD", "BAD_BCD", "BAD_LENGTH_PREFIX",
      "FIELD_TOO_LONG", "TRAILING_DATA", "BAD_MTI", "MAC_MISMATCH", "BAD_CHAR"]) {
      assert.ok(counts[name] > 0, `the fuzz reaches ${name}: ${JSON.stringify(counts)}`);
    }
  });
});
