/**
 * The device models bundle and the firmware on the REAL Espruino interpreter (ESPRUINO_BIN, an
 * Espruino for Linux binary; skipped with a message when unset). Both bundles are written to
 * Storage and booted from flash by `.bootcde`, as a board boots (bench/espruino/interpreter.ts);
 * the firmware's linux profile takes the models' buses. Then, over the interpreter's console:
 * the LCD model shows the idle screen and a key tapped with hil.key reaches the firmware.
 */
import { strict as assert } from "node:assert";
import { rmSync } from "node:fs";
import { bootCodeFor, bundleForInterpreter, espruinoBin, installStorage, memoryErrors, newWorkDir, startInterpreter } from "../../bench/espruino/interpreter";
import type { EspruinoLinuxTarget } from "../../hil/rig/espruino-linux-target";
import { firmwareCode, isBootScreen, PROBE_KEY, showsProbeReaction } from "../terminal/helpers";

describe("hil/inside on the real interpreter (ESPRUINO_BIN)", function () {
  this.timeout(120000);
  const bin = espruinoBin();
  let target: EspruinoLinuxTarget | null = null;
  let dir = "";

  before(function () {
    if (!bin) {
      console.log("      (skipped: set ESPRUINO_BIN to an Espruino for Linux binary to run the models and firmware on the real interpreter)");
      this.skip();
    }
  });

  after(async () => {
    if (target) await target.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("boots models + firmware from Storage; the LCD model shows the idle screen; hil.key reaches the firmware", async function () {
    firmwareCode(); // rebuilds dist/ when a firmware source is newer
    const models = bundleForInterpreter("dist/models.js");
    const firmware = bundleForInterpreter("dist/firmware.js");
    assert.equal(models.functionHazards + firmware.functionHazards, 0, "a function used before its declaration: Espruino would fail there");
    dir = newWorkDir("espruino-inside-");
    await installStorage(bin!, dir, [{ name: "models.js", data: models.code }, { name: "fw.js", data: firmware.code }], bootCodeFor(["models.js", "fw.js"]));
    target = await startInterpreter(bin!, dir);
    const oom = memoryErrors(target.takeOutput());
    const total = ((await target.eval("process.memory().total")) as number) || 0;
    assert.deepEqual(oom, [], `the interpreter ran out of memory booting models + firmware (${total} blocks): npm run bench shows where it goes`);
    let lines: string[] = [];
    // generous deadlines: the interpreter's first ticks are long, and the machine may be busy
    for (let i = 0; i < 120 && !isBootScreen(lines); i++) {
      await target.wait(250);
      lines = (await target.eval("hil.lcd()")) as string[];
    }
    assert.ok(isBootScreen(lines), "LCD model: " + JSON.stringify(lines));
    assert.deepEqual(await target.eval("T.screen()"), lines, "the firmware's frame buffer is what the LCD model shows");
    const ms = (await target.eval(`hil.key(${JSON.stringify(PROBE_KEY)})`)) as number;
    assert.ok(ms > 0);
    for (let i = 0; i < 300 && !showsProbeReaction(lines); i++) {
      await target.wait(100);
      lines = (await target.eval("hil.lcd()")) as string[];
    }
    assert.ok(showsProbeReaction(lines), "after " + PROBE_KEY + ", LCD model: " + JSON.stringify(lines));
    assert.deepEqual(target.takeErrors(), [], "no Uncaught errors on the interpreter");
  });
});
