import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FlashStorage } from "../../hil/virtual/flash-storage";
import { VirtualBoard } from "../../hil/virtual/board";
import { boardWith, uncaught } from "./helpers";

describe("virtual board: flash through require('Storage')", () => {
  it("is the board's FlashStorage and returns the firmware's own types", () => {
    const b = boardWith("var S = require('Storage');");
    b.eval("S.write('bin', new Uint8Array([1, 2, 250]))");
    assert.equal(b.eval("S.read('bin')"), "\x01\x02\xfa");
    assert.equal(b.eval("S.readArrayBuffer('bin') instanceof ArrayBuffer"), true);
    assert.equal(b.eval("new Uint8Array(S.readArrayBuffer('bin'))[2]"), 250);
    assert.equal(b.eval("Array.isArray(S.list()) && S.list() instanceof Array"), true);
    assert.equal(b.storage.read("bin"), "\x01\x02\xfa");
  });

  it("refuses, like Espruino, to write over bytes that are not erased", () => {
    const b = boardWith("var S = require('Storage'); S.write('f', 'AB', 0, 4);");
    const r = b.eval("try { S.write('f', 'X', 1); 'no error' } catch (e) { (e instanceof Error) + ' ' + e.message }");
    assert.equal(r, "true File already written with different data");
    assert.equal(b.eval("S.read('f')"), "AB\xff\xff");
  });

  it("a write can only clear bits (raw flash without Espruino's check ANDs the data in)", () => {
    const storage = new FlashStorage({ bytes: 16 * 1024, verifyErased: false });
    const b = boardWith("var S = require('Storage'); S.write('h', '\\x0f\\xf3', 0, 4);", { storage: storage });
    b.eval("S.write('h', '\\x3c', 1)");
    assert.equal(b.eval("S.read('h').charCodeAt(1)"), 0xf3 & 0x3c, "programming ANDs");
    b.eval("S.write('h', '\\xff', 1)");
    assert.equal(b.eval("S.read('h').charCodeAt(1)"), 0x30, "a 1 cannot come back without an erase");
    assert.equal(b.eval("S.read('h')"), "\x0f\x30\xff\xff");
  });

  it("erase removes a file and list/getFree see it", () => {
    const b = boardWith("var S = require('Storage'); S.write('a', 'hello'); S.write('b', 'world');");
    assert.deepEqual([...(b.eval("S.list()") as string[])], ["a", "b"]);
    b.eval("S.erase('a')");
    assert.equal(b.eval("S.read('a')"), undefined);
    assert.deepEqual([...(b.eval("S.list()") as string[])], ["b"]);
    const before = b.eval("S.getFree()") as number;
    b.eval("S.compact()");
    assert.ok((b.eval("S.getFree()") as number) > before, "compaction gives the erased space back");
  });

  it("has a capacity: writing past it throws and keeps what was there", () => {
    const storage = new FlashStorage({ bytes: 4 * 1024 });
    const b = boardWith("var S = require('Storage'); var n = 0, err = '';" +
      "try { for (;;) { S.write('f' + n, new Uint8Array(200)); n++; } } catch (e) { err = e.message; }", { storage: storage });
    assert.equal(b.eval("err"), "Unable to find or create file");
    const n = b.eval("n") as number;
    assert.ok(n > 10 && n < 20, "about 4 KiB / 232 bytes per file, got " + n);
    assert.equal(b.eval("S.list().length"), n);
    assert.equal(uncaught(b).length, 0);
  });

  it("a power cut at byte N leaves a torn write; the board is off until reset", () => {
    const b = boardWith("var S = require('Storage'); if (!S.read('rec')) S.write('rec', 'AAAA', 0, 16); setInterval(function () { print('tick'); }, 10);");
    b.storage.cutAfterBytes(6);
    b.console.send("\x10S.write('rec', 'BBBBBBBBBBBB', 4); print('after write');\n");
    assert.equal(b.poweredOn, false);
    assert.doesNotMatch(b.console.output, /after write|Uncaught/);
    const len = b.console.output.length;
    b.sched.advance(100);
    assert.equal(b.console.output.length, len, "no timers, no output while off");
    b.reset();
    assert.equal(b.poweredOn, true);
    assert.equal(b.eval("S.read('rec')"), "AAAA" + "BBBBBB" + "\xff".repeat(6));
  });

  it("a power cut the firmware catches still switches the board off", () => {
    const b = boardWith("var S = require('Storage'); if (!S.read('x')) S.write('x', 'ok', 0, 8);");
    b.storage.cutAfterBytes(1);
    b.console.send("\x10try { S.write('x', 'zz', 2); } catch (e) { print('caught'); } S.write('y', 'more');\n");
    assert.equal(b.poweredOn, false);
    assert.doesNotMatch(b.console.output, /caught/);
    b.reset();
    assert.equal(b.eval("S.read('x')"), "okz" + "\xff".repeat(5));
    assert.equal(b.eval("S.read('y')"), undefined);
  });

  it("a cut armed before a reboot strikes during the boot code (recovery writes)", () => {
    const b = boardWith("var S = require('Storage'); var boots = (S.read('n') || '').length; S.write('n' + boots, 'x'); S.write('n', 'x'.repeat(boots + 1)); print('booted ' + boots);");
    b.storage.cutAfterBytes(10);
    b.powerCut();
    assert.equal(b.poweredOn, false, "the cut hit while the boot code wrote");
    b.reset();
    assert.equal(b.poweredOn, true);
    assert.match(b.console.output, /booted 1/);
  });

  it("keeps its contents across reset and power cut, and in its image file", () => {
    const dir = mkdtempSync(join(tmpdir(), "vb-flash-"));
    try {
      const file = join(dir, "flash.bin");
      const code = "var S = require('Storage'); var c = +(S.read('count') || 0); S.erase('count'); S.write('count', String(c + 1)); print('count ' + (c + 1));";
      const b = boardWith(code, { storage: new FlashStorage({ bytes: 8 * 1024, file: file }) });
      b.reset();
      b.powerCut();
      assert.match(b.console.output, /count 1\r\n[\s\S]*count 2\r\n[\s\S]*count 3\r\n/);
      // The image file is written when the board goes down (reset, power cut): it holds count 3 now.
      b.reset();
      const again = new VirtualBoard({ storage: new FlashStorage({ bytes: 8 * 1024, file: file }) });
      again.load(code);
      assert.match(again.console.output, /count 4/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
