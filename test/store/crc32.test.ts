import { strict as assert } from "node:assert";
import * as zlib from "node:zlib";
import { crc32, crc32Update } from "../../firmware/lib/crc32";
import { crc32 as espruinoCrc32 } from "../../hil/virtual/espruino-E";

/** Bit-by-bit reference, written from the definition (reflected, poly 0xEDB88320). */
function reference(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

const ascii = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

describe("crc32 (IEEE, as zlib / E.CRC32)", () => {
  it("matches the published check values", () => {
    const v = ascii("123456789");
    assert.equal(crc32(v, 0, v.length), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0), 0, 0), 0);
    const fox = ascii("The quick brown fox jumps over the lazy dog");
    assert.equal(crc32(fox, 0, fox.length), 0x414fa339);
    assert.equal(crc32(new Uint8Array([0]), 0, 1), 0xd202ef8d);
  });

  it("covers exactly the range given (no slicing needed)", () => {
    const buf = ascii("xx123456789yy");
    assert.equal(crc32(buf, 2, 11), 0xcbf43926);
    assert.notEqual(crc32(buf, 2, 12), 0xcbf43926);
  });

  it("agrees with the reference and with zlib on random data and ranges", () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const zcrc = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
    for (let n = 0; n < 300; n++) {
      const len = n * 7;
      const d = new Uint8Array(len + 10);
      for (let i = 0; i < d.length; i++) d[i] = rnd();
      const part = d.subarray(5, 5 + len);
      const want = reference(part);
      assert.equal(crc32(d, 5, 5 + len), want);
      if (zcrc) assert.equal(zcrc(part) >>> 0, want);
    }
  });

  it("can be continued across chunks", () => {
    const v = ascii("123456789");
    const c = crc32Update(crc32Update(0, v, 0, 4), v, 4, 9);
    assert.equal(c, 0xcbf43926);
  });
});

describe("crc32 where Espruino's E.CRC32 is there", () => {
  const g = globalThis as { E?: unknown };
  let calls = 0;
  beforeEach(() => {
    calls = 0;
    // E.CRC32 as the interpreter computes it (hil/virtual/espruino-E.ts), over the whole view given
    g.E = {
      CRC32: (d: Uint8Array) => {
        calls++;
        return espruinoCrc32(d) | 0; // the interpreter's int may come back signed
      },
    };
  });
  afterEach(() => {
    delete g.E;
  });

  it("hands it exactly the range and returns the same unsigned value", () => {
    const buf = ascii("xx123456789yy");
    assert.equal(crc32(buf, 2, 11), 0xcbf43926);
    assert.equal(calls, 1);
    const fox = ascii("The quick brown fox jumps over the lazy dog");
    assert.equal(crc32(fox, 0, fox.length), 0x414fa339);
    assert.equal(crc32(new Uint8Array(0), 0, 0), 0);
    assert.equal(calls, 2, "an empty range needs no call");
  });

  it("continues a CRC with the loop (E.CRC32 has no starting value)", () => {
    const v = ascii("123456789");
    assert.equal(crc32Update(crc32Update(0, v, 0, 4), v, 4, 9), 0xcbf43926);
    assert.equal(calls, 1);
  });
});
