import { strict as assert } from "node:assert";
import zlib from "node:zlib";
import { crc32 } from "../../hil/virtual/espruino-E";
import { boardWith } from "./helpers";
import { pretokenise } from "../../tools/pretokenise";

describe("virtual board: E and process", () => {
  const b = boardWith("");

  it("E.CRC32 is Espruino's (standard CRC-32, unsigned, any iterable)", () => {
    assert.equal(b.eval("E.CRC32('123456789')"), 0xcbf43926);
    assert.equal(b.eval("E.CRC32([49, 50, 51, 52, 53, 54, 55, 56, 57])"), 0xcbf43926);
    assert.equal(b.eval("E.CRC32(new Uint8Array([0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39]).buffer)"), 0xcbf43926);
    assert.equal(b.eval("E.CRC32('')"), 0);
    const bytes = Uint8Array.from({ length: 300 }, (_v, i) => (i * 73 + 11) & 255);
    assert.equal(crc32(bytes), zlib.crc32(bytes), "agrees with zlib over every byte value");
    // the same value zlib-style CRC-32 gives for a binary string
    assert.equal(b.eval("E.CRC32('The quick brown fox jumps over the lazy dog')"), 0x414fa339);
  });

  it("E.nativeCall is absent (no machine code here), and eval reads pretokenised code as Espruino does", () => {
    assert.equal(b.eval("typeof E.nativeCall"), "undefined");
    // pretokenised: a token byte for `var`, the rest as it was
    const tok = Buffer.from(pretokenise("var tokenised = 7 * 6;")).toString("latin1");
    assert.ok(/[\x80-\xff]/.test(tok), "there is a token byte in it");
    assert.equal(b.eval("eval(" + JSON.stringify(tok) + "), tokenised"), 42);
    assert.equal(b.eval("eval('1 + 2')"), 3, "plain code as before");
  });

  it("E.toString makes a binary string from bytes", () => {
    assert.equal(b.eval("E.toString([72, 105], 33, new Uint8Array([0, 255]))"), "Hi!\x00\xff");
    assert.equal(b.eval("E.toString({ data: 'ab', count: 3 })"), "ababab");
  });

  it("E.getSizeOf estimates blocks: {a:1} is 2, bigger data grows", () => {
    assert.equal(b.eval("E.getSizeOf({ a: 1 })"), 2);
    const small = b.eval("E.getSizeOf('x')") as number;
    const big = b.eval("E.getSizeOf('x'.repeat(100))") as number;
    assert.equal(small, 1);
    assert.ok(big >= 9 && big <= 12, "a 100-char string is about 10 blocks, got " + big);
    assert.ok((b.eval("E.getSizeOf(new Uint8Array(120))") as number) > (b.eval("E.getSizeOf(new Uint8Array(12))") as number));
  });

  it("process.memory() is an estimate, says so, and grows with retained data", () => {
    const c = boardWith("var keep = [];");
    const m0 = c.eval("process.memory()") as { free: number; usage: number; total: number; approximate: boolean };
    assert.equal(m0.approximate, true);
    assert.equal(m0.total, 5100);
    assert.equal(m0.free + m0.usage, 5100);
    c.eval("for (var i = 0; i < 100; i++) keep.push({ n: i, s: 'entry ' + i })");
    const m1 = c.eval("process.memory(false)") as { usage: number };
    assert.ok(m1.usage - m0.usage > 300, "100 small objects cost several hundred blocks, got " + (m1.usage - m0.usage));
    assert.equal(c.memoryUsage().usage, m1.usage);
  });

  it("process.memory() also sees state kept in closures (the bundle is one IIFE)", () => {
    const empty = boardWith("(function () { setInterval(function () {}, 1000); })();").memoryUsage().usage;
    const c = boardWith("(function () { var ring = new Uint8Array(1200), names = []; for (var i = 0; i < 20; i++) names.push('name ' + i);" +
      " setInterval(function () { ring[0]++; names.length; }, 1000); })();");
    const used = c.memoryUsage().usage - empty;
    assert.ok(used > 100 + 40, "1200 bytes (~100 blocks) and 20 strings are counted, got " + used);
  });

  it("process.env names the board and version", () => {
    const c = boardWith("", { boardName: "PICO_TEST", version: "2v29" });
    assert.equal(c.eval("process.env.BOARD + ' ' + process.env.VERSION"), "PICO_TEST 2v29");
  });
});
