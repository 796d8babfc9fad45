/**
 * dist/models.js + dist/firmware.js together on the Node virtual board booted as "LINUX": the
 * firmware's linux profile finds the models' `global.hilBuses`, boots to its idle screen on the
 * LCD MODEL that runs inside the same context, and a key tapped through the inside `hil` is seen
 * by the firmware. This is the interpreter arrangement (test/inside/interpreter.test.ts) without
 * the interpreter, so CI covers it.
 */
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { VirtualBoard } from "../../hil/virtual/board";
import { firmwareCode, isBootScreen, PROBE_KEY, showsProbeReaction, uncaughtLines } from "../terminal/helpers";

describe("hil/inside: models bundle beside the firmware on the virtual board (BOARD=LINUX)", function () {
  this.timeout(60000);
  let board: VirtualBoard | null = null;
  afterEach(() => {
    if (board) board.powerOff();
    board = null;
  });

  function boot(): VirtualBoard {
    const firmware = firmwareCode(); // rebuilds dist/ when a firmware source is newer
    if (!existsSync("dist/models.js")) throw new Error("dist/models.js is missing: run npm run build");
    const b = new VirtualBoard({ boardName: "LINUX", clockStartMs: Date.UTC(2024, 2, 5, 6, 7, 0) });
    b.load(readFileSync("dist/models.js", "utf8") + "\n" + firmware);
    board = b;
    return b;
  }

  const lcd = (b: VirtualBoard) => JSON.parse(String(b.eval("JSON.stringify(hil.lcd())"))) as string[];

  it("boots to the idle screen on the inside LCD model and answers a hil.key tap", () => {
    const b = boot();
    b.sched.advance(1500);
    assert.ok(isBootScreen(lcd(b)), "LCD: " + JSON.stringify(lcd(b)));
    const ms = Number(b.eval('hil.key("' + PROBE_KEY + '")'));
    assert.equal(ms, 160);
    b.sched.advance(ms + 300);
    assert.ok(showsProbeReaction(lcd(b)), "LCD: " + JSON.stringify(lcd(b)));
    assert.deepEqual(uncaughtLines(b.console.output), []);
  });

  it("without the models bundle the linux profile refuses to boot and says why", () => {
    const b = new VirtualBoard({ boardName: "LINUX" });
    board = b;
    b.load(firmwareCode());
    b.sched.advance(100);
    assert.match(b.console.output, /no parts/);
  });
});
