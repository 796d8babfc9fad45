/**
 * firmware/main.ts as built: the bundle booted on the virtual board with the device models on
 * the pins firmware/boards/virtual.ts names, pos.cfg in its flash. Checks the boot path
 * (config -> buses -> drivers -> stores -> engine -> loop), the refusal on a bad pos.cfg, the
 * watchdog, global.T over the console, and the language setting kept across a reset.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFirmware } from "../../tools/build";
import { VirtualBoard } from "../../hil/virtual/board";
import { Hd44780Pcf8574Model } from "../../hil/models/hd44780-pcf8574";
import { KeypadMatrixModel } from "../../hil/models/keypad-matrix";
import { EscPosPrinterModel } from "../../hil/models/escpos-printer";
import { IccReaderModule } from "../../hil/models/icc-reader-module";
import { MsrModule } from "../../hil/models/msr-module";
import { CONFIG_FILE } from "../../firmware/config";

let bundle = "";

interface Booted {
  board: VirtualBoard;
  lcd: Hd44780Pcf8574Model;
  pad: KeypadMatrixModel;
}

function boot(cfg: object | string | null, board?: VirtualBoard): Booted {
  const b = board || new VirtualBoard({ clockStartMs: Date.UTC(2024, 2, 5, 14, 7, 0) });
  const lcd = new Hd44780Pcf8574Model({ cols: 20, rows: 4 });
  const pad = new KeypadMatrixModel({ sched: b.sched });
  const printer = new EscPosPrinterModel(b.sched);
  const icc = new IccReaderModule({ timers: b.sched });
  if (!board) {
    // the Pico pin map of firmware/boards/virtual.ts
    b.attachI2C("I2C1", lcd);
    b.attachUart("Serial1", printer);
    b.attachUart("Serial2", icc);
    b.attachUart("Serial3", new MsrModule());
    b.attachPin("A1", icc.presentSwitch);
    b.attachPin("A8", printer.busyNet);
    ["B15", "B14", "B13", "B10"].forEach((p, i) => b.attachPin(p, pad.rows[i]));
    ["B1", "A7", "A6", "A5"].forEach((p, i) => b.attachPin(p, pad.cols[i]));
  }
  if (cfg !== null) b.storage.write(CONFIG_FILE, typeof cfg === "string" ? cfg : JSON.stringify(cfg));
  b.load(bundle);
  b.sched.advance(500);
  return { board: b, lcd, pad };
}

function tap(x: Booted, key: string): void {
  x.pad.tap(key, 60);
  x.board.sched.advance(150);
}

describe("firmware/main.ts on the virtual board", function () {
  this.timeout(120000);

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), "pos-boot-"));
    try {
      const r = await buildFirmware({ outDir: dir, warn: () => undefined });
      assert.deepEqual(r.violations, [], "the bundle passes the ES5 guard");
      bundle = readFileSync(join(dir, "firmware.js"), "utf8");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("boots to the idle screen with a watchdog kicked by the loop; T answers over the console", () => {
    const x = boot({ tid: "20000002" });
    assert.deepEqual(x.lcd.lines(), ["2024-03-05     14:07", "TID 20000002        ", "SWIPE/INSERT OR F1  ", "NOT SIGNED IN       "]);
    assert.equal(x.board.eval("T.state()"), "IDLE");
    assert.deepEqual(JSON.parse(x.board.eval("JSON.stringify(T.screen())") as string)[1].trim(), "TID 20000002");
    assert.deepEqual(x.board.watchdog(), { timeoutMs: 5000, auto: false });
    x.board.sched.advance(12000);
    assert.equal(x.board.lastResetCause, "load", "no watchdog reset while the loop runs");
    tap(x, "F1");
    assert.equal(x.board.eval("T.state()"), "MENU");
    assert.equal(x.lcd.lines()[0].trim(), "1 SALE");
  });

  it("a bad pos.cfg is shown on the LCD and the terminal refuses to transact", () => {
    const x = boot({ tid: "123" });
    assert.deepEqual(x.lcd.lines().map((l) => l.trim()), ["CONFIG ERROR", "TID MUST BE 8", "PRINTABLE CHARACTERS", ""]);
    assert.equal(x.board.eval("T.state()"), "FAULT");
    tap(x, "F1");
    assert.equal(x.lcd.lines()[0].trim(), "CONFIG ERROR");
    const y = boot("{not json");
    assert.deepEqual(y.lcd.lines().map((l) => l.trim()), ["CONFIG ERROR", "POS.CFG IS NOT VALID", "JSON", ""]);
  });

  it("the printer language chosen in the menu survives a reset (pos.lang)", () => {
    const x = boot({});
    assert.equal(x.board.eval("T.lang()"), "en");
    tap(x, "F1");
    tap(x, "0");
    assert.equal(x.lcd.lines()[3].trim(), "PRINTER CHINESE");
    assert.equal(x.board.storage.read("pos.lang"), "zh");
    x.board.reset();
    x.board.sched.advance(500);
    assert.equal(x.board.eval("T.lang()"), "zh");
  });
});
