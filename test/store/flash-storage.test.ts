import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FlashStorage, PowerCut } from "../../hil/virtual/flash-storage";

const PAGE = 1024;

function bytesOf(s: string | undefined): number[] {
  assert.ok(s !== undefined);
  return Array.from(s as string, (c) => c.charCodeAt(0));
}

function expectPowerCut(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => e instanceof PowerCut);
}

describe("FlashStorage: Espruino Storage on emulated flash", () => {
  it("creates a file at full size (0xFF except the data) and fills it at offsets (Espruino docs example)", () => {
    const f = new FlashStorage({ bytes: 8 * PAGE });
    assert.equal(f.write("a", "Hello", 0, 14), true);
    assert.equal(f.read("a"), "Hello" + "\xFF".repeat(9));
    f.write("a", " ", 5);
    f.write("a", "World!!!", 6);
    assert.equal(f.read("a"), "Hello World!!!");
    // writing at offset 0 again re-creates the file
    f.write("a", " ", 0);
    assert.equal(f.read("a"), " ");
    assert.deepEqual(f.list(), ["a"]);
    assert.equal(f.getStats().trashCount, 1);
  });

  it("lays files out like jsflash.c: 32-byte header (size LE, 28-byte name), data, 4-byte alignment", () => {
    const f = new FlashStorage({ bytes: 4 * PAGE });
    f.write("cfg", new Uint8Array([1, 2, 3]));
    f.write("b", "x");
    const img = f.image();
    assert.deepEqual(Array.from(img.subarray(0, 4)), [3, 0, 0, 0]);
    assert.equal(Buffer.from(img.subarray(4, 7)).toString("latin1"), "cfg");
    assert.equal(img[7], 0);
    assert.deepEqual(Array.from(img.subarray(32, 35)), [1, 2, 3]);
    assert.equal(img[35], 0xff); // padding up to the 4-byte boundary stays erased
    assert.deepEqual(Array.from(img.subarray(36, 40)), [1, 0, 0, 0]); // next header at 32 + 4
    assert.equal(f.getFree(), 4 * PAGE - 72);
  });

  it("refuses an offset write over written bytes like Espruino (throws, nothing changes)", () => {
    const f = new FlashStorage({ bytes: 4 * PAGE });
    f.write("a", "AAAA", 0, 8);
    const before = f.image();
    assert.throws(() => f.write("a", "\x0F", 1), /File already written with different data/);
    assert.deepEqual(f.image(), before);
    assert.throws(() => f.write("a", "123456789", 1), /Too much data for file size/);
    assert.throws(() => f.write("nofile", "x", 4), /Unable to find or create file/);
    assert.throws(() => f.write("z", ""), /zero length/);
  });

  it("programming only clears bits: without the erased check a second write ANDs (silent corruption)", () => {
    const g = new FlashStorage({ bytes: 4 * PAGE, verifyErased: false });
    g.write("a", new Uint8Array([0xf0, 0xff, 0xff]), 0, 4);
    g.write("a", new Uint8Array([0x3c, 0x0f]), 1);
    assert.deepEqual(bytesOf(g.read("a")), [0xf0, 0xff & 0x3c, 0xff & 0x0f, 0xff]);
    g.write("a", new Uint8Array([0x0f]), 1);
    assert.deepEqual(bytesOf(g.read("a")), [0xf0, 0x3c & 0x0f, 0x0f, 0xff]);
  });

  it("writing identical contents again programs nothing", () => {
    const f = new FlashStorage({ bytes: 4 * PAGE });
    f.write("a", "same");
    const n = f.bytesProgrammed;
    assert.equal(f.write("a", "same"), true);
    assert.equal(f.bytesProgrammed, n);
    assert.equal(f.getStats().trashCount, 0);
  });

  it("erase marks the file deleted; the space returns only with compact(), other files intact", () => {
    const f = new FlashStorage({ bytes: 8 * PAGE });
    f.write("a", "A".repeat(1500));
    f.write("b", "B".repeat(700));
    const free0 = f.getFree();
    f.erase("a");
    assert.equal(f.read("a"), undefined);
    assert.deepEqual(f.list(), ["b"]);
    assert.equal(f.getFree(), free0, "erase gives no space back");
    assert.equal(f.getStats().trashBytes, 1500 + 32);
    f.erase("nothing"); // no-op, like Espruino
    assert.equal(f.compact(), true);
    assert.equal(f.getStats().trashBytes, 0);
    assert.equal(f.getFree(), 8 * PAGE - (700 + 32));
    assert.equal(f.read("b"), "B".repeat(700));
    assert.ok(f.pagesErased > 0);
    assert.equal(f.compact(), false, "nothing left to compact");
  });

  it("enforces capacity: a file that does not fit throws 'Unable to find or create file' and loses nothing", () => {
    const f = new FlashStorage({ bytes: 4 * PAGE });
    f.write("a", "A".repeat(2000));
    f.write("b", "B".repeat(1000));
    const img = f.image();
    assert.throws(() => f.write("c", "C".repeat(1200)), /Unable to find or create file/);
    assert.deepEqual(f.image(), img);
    assert.equal(f.read("a"), "A".repeat(2000));
    assert.equal(f.read("b"), "B".repeat(1000));
    assert.ok(f.getFree() < 1200);
  });

  it("compacts by itself when a new file fits only without the trash (as jsfCreateFile does)", () => {
    const f = new FlashStorage({ bytes: 4 * PAGE });
    f.write("a", "A".repeat(2000));
    f.write("b", "B".repeat(1000));
    f.erase("a");
    f.write("c", "C".repeat(1500));
    assert.equal(f.compactions, 1);
    assert.equal(f.read("b"), "B".repeat(1000));
    assert.equal(f.read("c"), "C".repeat(1500));
    assert.deepEqual(f.list().sort(), ["b", "c"]);
  });

  it("lets a file run over page boundaries when the pages after are empty (Espruino 2v1x+, no page alignment)", () => {
    const f = new FlashStorage({ bytes: 4 * PAGE });
    f.write("a", "A".repeat(PAGE - 32 - 100)); // page 0 has 100 bytes left
    f.write("b", "B".repeat(2 * PAGE)); // does not fit in those 100 bytes, but the next pages are empty
    const img = f.image();
    assert.equal(img[PAGE - 100], 0, "b's header right after a (size 2048 LE: 00 08 00 00)");
    assert.equal(img[PAGE - 99], 8);
    assert.equal(f.read("b"), "B".repeat(2 * PAGE));
    assert.equal(f.getFree(), 4 * PAGE - (PAGE - 100) - 32 - 2 * PAGE);
  });

  it("list(regex) filters names; names are cut to 28 characters like Espruino", () => {
    const f = new FlashStorage({ bytes: 4 * PAGE });
    f.write("jnA", "1");
    f.write("jnB", "2");
    f.write("rvA", "3");
    f.write("x".repeat(40), "4");
    assert.deepEqual(f.list(/^jn/), ["jnA", "jnB"]);
    assert.equal(f.read("x".repeat(28)), "4");
    assert.equal(f.read("x".repeat(40)), "4");
  });

  it("read clips offset and length; readArrayBuffer returns the bytes", () => {
    const f = new FlashStorage({ bytes: 4 * PAGE });
    f.write("a", "0123456789");
    assert.equal(f.read("a", 3, 4), "3456");
    assert.equal(f.read("a", 8, 10), "89");
    assert.equal(f.read("a", 20), "");
    assert.equal(f.read("a", -5, 2), "01");
    assert.deepEqual(Array.from(new Uint8Array(f.readArrayBuffer("a") as ArrayBuffer)), Array.from(Buffer.from("0123456789")));
    assert.equal(f.readArrayBuffer("none"), undefined);
  });

  it("power cut at byte N programs exactly N bytes of the write, then everything throws until powerOn", () => {
    for (const n of [1, 7, 31, 32, 33, 50, 99]) {
      const f = new FlashStorage({ bytes: 4 * PAGE });
      f.write("keep", "K".repeat(10));
      f.write("a", new Uint8Array(0), 0, 100); // header only: 32 bytes programmed
      const before = f.image();
      const base = f.bytesProgrammed;
      f.cutAfterBytes(n);
      const data = new Uint8Array(100).fill(0x11);
      // offset 0 into an erased file of the same size: Espruino programs into it in place
      expectPowerCut(() => f.write("a", data, 0, 100));
      assert.equal(f.bytesProgrammed - base, n);
      assert.equal(f.poweredOff, true);
      const after = f.image();
      let changed = 0;
      for (let i = 0; i < after.length; i++) if (after[i] !== before[i]) changed++;
      assert.ok(changed <= n, "no more than n bytes changed");
      expectPowerCut(() => f.write("b", "x"));
      expectPowerCut(() => f.erase("keep"));
      expectPowerCut(() => f.compact());
      f.powerOn();
      assert.equal(f.read("keep"), "K".repeat(10));
      f.write("b", "x");
      assert.equal(f.read("b"), "x");
    }
  });

  it("power cut inside an offset write leaves the first N bytes programmed and the rest erased", () => {
    const f = new FlashStorage({ bytes: 4 * PAGE });
    f.write("a", "", 0, 16);
    f.cutAfterBytes(5);
    expectPowerCut(() => f.write("a", "ABCDEFGHIJ", 3));
    f.powerOn();
    assert.equal(f.read("a"), "\xFF\xFF\xFFABCDE" + "\xFF".repeat(8));
  });

  it("cutAfterBytes(0) cuts at once; a write that ends exactly at the cut still throws", () => {
    const f = new FlashStorage({ bytes: 4 * PAGE });
    f.cutAfterBytes(0);
    expectPowerCut(() => f.write("a", "x"));
    assert.equal(f.bytesProgrammed, 0);
    f.powerOn();
    f.write("a", "", 0, 8);
    f.cutAfterBytes(4);
    expectPowerCut(() => f.write("a", "1234", 2));
    f.powerOn();
    assert.equal(f.read("a"), "\xFF\xFF1234\xFF\xFF");
  });

  it("a power cut during compaction can lose moved files, as on a real board (why the core never lets it happen mid-transaction)", () => {
    // count the bytes the compaction programs
    const setup = () => {
      const f = new FlashStorage({ bytes: 8 * PAGE });
      f.write("t", "T".repeat(900));
      f.write("a", "A".repeat(1500));
      f.write("b", "B".repeat(1500));
      f.erase("t");
      return f;
    };
    const probe = setup();
    const n0 = probe.bytesProgrammed;
    probe.compact();
    const total = probe.bytesProgrammed - n0;
    assert.ok(total > 3000);
    let lost = 0;
    for (let n = 1; n <= total; n += 97) {
      const f = setup();
      f.cutAfterBytes(n);
      expectPowerCut(() => f.compact());
      f.powerOn();
      const okA = f.read("a") === "A".repeat(1500);
      const okB = f.read("b") === "B".repeat(1500);
      if (!okA || !okB) lost++;
    }
    assert.ok(lost > 0, "some cut points lose data: Espruino's compaction is not power-safe");
  });

  it("persists the image in a file: save(), load(), constructor with file, autoSave", () => {
    const dir = mkdtempSync(join(tmpdir(), "flash-"));
    try {
      const file = join(dir, "espruino.flash");
      const f = new FlashStorage({ bytes: 4 * PAGE, file });
      f.write("a", "persisted", 0, 20);
      f.save();
      const g = FlashStorage.load(file);
      assert.equal(g.bytes, 4 * PAGE);
      assert.equal(g.read("a"), "persisted" + "\xFF".repeat(11));
      g.write("a", "!", 9);
      const h = new FlashStorage({ bytes: 4 * PAGE, file });
      assert.equal(h.read("a"), "persisted" + "\xFF".repeat(11), "not saved without save()/autoSave");
      const auto = new FlashStorage({ bytes: 4 * PAGE, file, autoSave: true });
      auto.cutAfterBytes(1);
      expectPowerCut(() => auto.write("a", "XY", 9));
      const after = FlashStorage.load(file);
      assert.equal(after.read("a"), "persistedX" + "\xFF".repeat(10), "the cut image is what a reboot sees");
      assert.throws(() => FlashStorage.load(join(dir, "missing")), /no image/);
      assert.ok(existsSync(file));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects a size that is not whole pages", () => {
    assert.throws(() => new FlashStorage({ bytes: 1000 }), /multiple of pageSize/);
  });
});
