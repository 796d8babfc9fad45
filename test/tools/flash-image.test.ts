/**
 * tools/flash-image.ts: the firmware image in a Pico's free flash. The upload script runs over
 * the console of a virtual Pico terminal (48 KB Storage in 16 KB pages, the 128 KB free sector at
 * 0x08060000: hil/virtual/mcu-flash.ts), then the board powers on from its .bootcde, which checks
 * the image's CRC and evals it in place, and does a sale against the host simulator. Faults: a
 * damaged image, a power cut in the middle of the upload, a board without the free sector.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFirmware } from "../../tools/build";
import { BOARD_FLASH, FlashPlanError, IMAGE_DAMAGED, LOG_STORAGE_BYTES, imageBootCode, imageWriterScript, planFlash } from "../../tools/flash-image";
import { pretokenise } from "../../tools/pretokenise";
import { crc32 as espruinoCrc32 } from "../../hil/virtual/espruino-E";
import { FlashStorage } from "../../hil/virtual/flash-storage";
import { McuFlash, PICO_FREE_FLASH } from "../../hil/virtual/mcu-flash";
import { VirtualTerminal } from "../../hil/terminal/virtual-terminal";
import { signInAndSwipeSale, uncaughtLines } from "../terminal/helpers";
import { CONFIG_FILE } from "../../firmware/config";
import { TxnStores, storesFootprint } from "../../firmware/txn/store/txn-stores";
import { picoStorage, runSales } from "../../bench/store-sales";

const PICO = BOARD_FLASH.pico.freeArea!;

/** A virtual Pico terminal: 48 KB Storage in 16 KB pages, the free sector, the devices, pos.cfg at boot(). */
function pico(flash = new McuFlash(PICO_FREE_FLASH), ownHost = false): VirtualTerminal {
  return new VirtualTerminal({
    firmware: "",
    flashBytes: BOARD_FLASH.pico.storageBytes,
    flashPageBytes: 16 * 1024,
    mcuFlash: flash,
    ownHost: ownHost,
    config: { merchantName: "PICO SHOP" },
  });
}

/**
 * What the espruino CLI does: reset() (RAM cleared, no boot code run: a bare prompt), then the
 * script's lines, each with "\x10" (echo off) in front. Returns what the board printed.
 */
function upload(vt: VirtualTerminal, script: string): string {
  vt.board.load("");
  const before = vt.board.console.output.length;
  for (const line of script.split("\n")) if (line) vt.board.console.send("\x10" + line + "\n");
  return vt.board.console.output.slice(before);
}

/** Power on as a board does: .bootcde from Storage. */
async function powerOn(vt: VirtualTerminal): Promise<string> {
  const before = vt.board.console.output.length;
  vt.board.bootFromStorage();
  await vt.advance(1500);
  return vt.board.console.output.slice(before);
}

describe("tools/flash-image: the firmware image in a Pico's free flash", function () {
  this.timeout(120000);
  const terminals = {
    list: [] as VirtualTerminal[],
    open(vt: VirtualTerminal): VirtualTerminal {
      this.list.push(vt);
      return vt;
    },
  };
  afterEach(async () => {
    for (const vt of terminals.list.splice(0)) await vt.close();
  });
  let bundle = new Uint8Array(0);
  let tokenisedBytes = 0;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), "pos-image-"));
    try {
      const r = await buildFirmware({ outDir: dir, warn: () => undefined });
      assert.deepEqual(r.violations, [], "the bundle passes the ES5 guard");
      const text = readFileSync(join(dir, "firmware.js"), "utf8");
      // the image a Pico gets: the pretokenised form (the virtual board's eval reads it back)
      bundle = new Uint8Array(pretokenise(text));
      tokenisedBytes = bundle.length;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("plans the Pico's image in its free sector and leaves its Storage to the logs", () => {
    const plan = planFlash("pico", tokenisedBytes);
    assert.equal(plan.layout, "image");
    assert.deepEqual(plan.area, { addr: 0x08060000, bytes: 131072, pageBytes: 131072 });
    assert.ok(bundle.length <= PICO.bytes - 16 * 1024, `the image (${bundle.length} B) fits the 128 KB sector with room to grow`);
    // a firmware small enough for Storage beside the logs stays in Storage; forced layouts say why they cannot
    assert.equal(planFlash("pico", 8000).layout, "storage");
    assert.equal(planFlash("pico", 8000, "image").layout, "image");
    assert.throws(() => planFlash("pico", tokenisedBytes, "storage"), /does not fit the storage layout: its Storage is 48 KB, 32 KB of it for the transaction logs/);
    assert.throws(() => planFlash("pico", 200 * 1024), (e: unknown) => e instanceof FlashPlanError && /its free flash outside Storage is 128 KB/.test(e.message));
  });

  it("refuses the Espruino WiFi, whose Storage and free flash are both too small, saying so", () => {
    assert.throws(
      () => planFlash("wifi", tokenisedBytes),
      new RegExp(`the firmware \\(${tokenisedBytes} bytes stored\\) does not fit this board: its Storage is 64 KB, 32 KB of it for the transaction logs, and its free flash outside Storage is 48 KB`),
    );
  });

  it("keeps room for the logs: both files of every log (a compaction's worst moment) fit LOG_STORAGE_BYTES", () => {
    const s = new TxnStores(new FlashStorage({ bytes: 256 * 1024 }), {});
    assert.equal(s.open(), 0);
    const need = storesFootprint(s);
    assert.ok(need > 20000, `the footprint is measured (${need} B)`);
    assert.ok(need + 1024 <= LOG_STORAGE_BYTES, `logs ${need} B + pos.cfg and headers fit ${LOG_STORAGE_BYTES}`);
  });

  it("1,000 sales' records live in a Pico's 48 KB Storage beside pos.cfg and .bootcde: none refused, Storage compacted at idle", () => {
    const flash = picoStorage();
    const s = new TxnStores(flash, {});
    assert.equal(s.open(), 0);
    const r = runSales(flash, s, 1000); // throws if a sale is refused for lack of flash
    assert.equal(r.settlements, 9, "the journal filled and settled 9 times");
    assert.ok(r.storageCompactions >= 30, `Storage was compacted at idle (${r.storageCompactions} times)`);
    assert.ok(flash.getStats().total === 48 * 1024);
    // the records are all there after a reboot
    const again = new TxnStores(flash, {});
    assert.equal(again.open(), 0);
    assert.equal(again.journal.nextKey, s.journal.nextKey);
  });

  it("the boot file checks the image against the value Espruino's E.CRC32 gives for it", () => {
    const data = new Uint8Array([0, 1, 2, 250, 255, 128, 7]);
    assert.equal(imageBootCode(PICO, data), `if(E.CRC32(E.memoryArea(0x8060000,7))==${espruinoCrc32(data)})eval(E.memoryArea(0x8060000,7));else print(${JSON.stringify(IMAGE_DAMAGED)});`);
    assert.equal(espruinoCrc32(new Uint8Array(Buffer.from("123456789"))), 0xcbf43926);
  });

  it("uploads over the console, verifies, installs .bootcde; the Pico boots the firmware from the image and does a sale", async () => {
    const vt = terminals.open(pico(undefined, true));
    await vt.boot(); // provisions pos.cfg with the host's port; no firmware in RAM yet
    vt.board.storage.write("fw.js", "print('an old Storage-mode bundle')");
    const out = upload(vt, imageWriterScript(bundle, PICO));
    assert.match(out, new RegExp(`FWIMAGE OK ${bundle.length} bytes at 0x8060000, CRC 0x${espruinoCrc32(bundle).toString(16)}`));
    assert.doesNotMatch(out, /FAIL|Uncaught/);
    assert.deepEqual(vt.mcuFlash().read(bundle.length, PICO.addr), bundle, "the sector holds the bundle byte for byte");
    assert.equal(vt.board.storage.read(".bootcde"), imageBootCode(PICO, bundle));
    assert.equal(vt.board.storage.read("fw.js"), undefined, "the old Storage copy is dropped");
    // the script ends with load(): the board restarts from .bootcde
    await vt.advance(2000);
    assert.deepEqual(vt.hil.lcd().map((l) => l.trim()), ["2024-03-05     06:07", "TID 10000001", "SWIPE/INSERT OR F1", "NOT SIGNED IN"]);
    assert.equal(vt.board.eval("T.state()"), "IDLE");
    // a sale, its logs in the Pico's Storage
    const host = vt.host!;
    await signInAndSwipeSale(vt, "1250", "123456");
    const txns = host.ledger.snapshot().transactions.filter((t) => t.kind === "sale");
    assert.equal(txns.length, 1, "LCD: " + JSON.stringify(vt.hil.lcd()));
    assert.equal(txns[0].code, "00");
    await vt.advance(15000);
    assert.match(vt.hil.printed().join("\n"), /12\.50/);
    assert.deepEqual(uncaughtLines(vt.board.console.output), []);
    const st = vt.board.storage.getStats();
    assert.ok(st.free >= LOG_STORAGE_BYTES - st.fileBytes, `Storage after a sale: ${JSON.stringify(st)}`);
    // the next power-on boots it again, with the sale in its journal
    vt.powerCut();
    await vt.advance(1500);
    assert.equal(vt.board.lastResetCause, "powerCut");
    assert.equal(vt.board.eval("T.state()"), "IDLE");
  });

  it("refuses a damaged image at power-on with a message, and runs none of it", async () => {
    const vt = terminals.open(pico());
    await vt.boot();
    upload(vt, imageWriterScript(bundle, PICO));
    await vt.advance(2000);
    assert.equal(vt.board.eval("T.state()"), "IDLE");
    // a bit cleared in the middle of the code (flash wear, a stray write): programming only clears bits
    const at = PICO.addr + (bundle.length >> 1);
    const old = vt.mcuFlash().read(1, at)[0];
    vt.mcuFlash().write(new Uint8Array([old & (old - 1)]), at);
    assert.notEqual(vt.mcuFlash().read(1, at)[0], old);
    const out = await powerOn(vt);
    assert.ok(out.includes(IMAGE_DAMAGED), out);
    assert.equal(vt.board.eval("typeof T"), "undefined", "no firmware code ran");
    assert.ok(vt.board.storage.read(CONFIG_FILE), "Storage (pos.cfg, logs) untouched");
    // flashing again repairs it
    assert.match(upload(vt, imageWriterScript(bundle, PICO)), /FWIMAGE OK/);
    await vt.advance(2000);
    assert.equal(vt.board.eval("T.state()"), "IDLE");
  });

  it("a power cut in the middle of the upload leaves no boot file pointing at half an image; the next upload succeeds", async () => {
    const vt = terminals.open(pico());
    await vt.boot();
    upload(vt, imageWriterScript(bundle, PICO));
    await vt.advance(2000);
    const logsBefore = vt.board.storage.list().filter((n) => n !== ".bootcde").sort();
    assert.ok(logsBefore.length >= 4, "pos.cfg and the logs: " + logsBefore.join(" "));
    // flash a new build; the power goes 40 KB into programming it
    const next = new Uint8Array(bundle.length + 1);
    next.set(bundle);
    next[bundle.length] = 0x3b; // a different build (one more empty statement): another CRC
    vt.mcuFlash().cutAfterBytes(40000);
    upload(vt, imageWriterScript(next, PICO));
    assert.equal(vt.board.poweredOn, false, "the cut switched the board off");
    await powerOn(vt);
    assert.equal(vt.board.storage.read(".bootcde"), undefined, "the old boot file was erased before the image");
    assert.equal(vt.board.eval("typeof T"), "undefined", "nothing half-written ran");
    assert.deepEqual(vt.board.storage.list().filter((n) => n !== ".bootcde").sort(), logsBefore, "pos.cfg and the logs are all still there");
    assert.match(upload(vt, imageWriterScript(next, PICO)), /FWIMAGE OK/);
    await vt.advance(2000);
    assert.equal(vt.board.eval("T.state()"), "IDLE");
  });

  it("on a board without the free sector the upload says so and changes nothing", async () => {
    const vt = terminals.open(pico(new McuFlash([])));
    await vt.boot();
    vt.board.storage.write(".bootcde", 'print("previous firmware")');
    const out = upload(vt, imageWriterScript(bundle, PICO));
    assert.match(out, /FWIMAGE FAIL: no free flash for \d+ bytes at 0x8060000 on this board \(\[\]\)/);
    assert.doesNotMatch(out, /FWIMAGE OK|Uncaught/);
    assert.equal(vt.board.storage.read(".bootcde"), 'print("previous firmware")', "the previous boot file stays");
  });

  it("refuses an image larger than the area before anything is sent", () => {
    assert.throws(() => imageWriterScript(new Uint8Array(PICO.bytes + 1), PICO), /larger than the free flash at 0x8060000/);
    assert.throws(() => imageWriterScript(new Uint8Array(0), PICO), /empty firmware image/);
  });
});
