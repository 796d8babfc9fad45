/**
 * The bench's pure parts (no interpreter needed): the boot file, the stub buses the module-cost
 * boot uses, the probes' arithmetic and the module-cost differences.
 */
import { strict as assert } from "node:assert";
import { runInNewContext } from "node:vm";
import { bootCodeFor } from "../../bench/espruino/interpreter";
import { STUB_BUSES } from "../../bench/espruino/boot";
import { moduleCosts } from "../../bench/espruino/module-costs";
import { firmwareSeconds, probeSnapshot } from "../../bench/espruino/probes";

describe("bench/espruino: harness arithmetic", () => {
  it("the boot file evals each Storage file in order, from flash", () => {
    assert.equal(bootCodeFor(["models.js", "fw.js"]), 'eval(require("Storage").read("models.js"));eval(require("Storage").read("fw.js"));');
  });

  it("the stub buses give the linux profile every member it wires", () => {
    const g: Record<string, unknown> = {};
    runInNewContext(STUB_BUSES, { global: g, Uint8Array });
    const b = g.hilBuses as Record<string, unknown>;
    for (const k of ["keypadRows", "keypadCols", "lcdI2c", "msrSerial", "iccSerial", "iccPresent", "printerSerial", "printerBaud", "printerBusy", "net"]) assert.ok(k in b, k);
    assert.equal((b.keypadRows as unknown[]).length, 4);
    let got: unknown[] = [];
    (b.net as (c: unknown, r: (...a: unknown[]) => void) => void)({}, (...a) => (got = a));
    assert.deepEqual(got, [null, "stub"]);
  });

  it("module costs are the differences between consecutive markers, in run order, stopping at the first unreached", () => {
    const build = { code: "", labels: ["a.ts", "b.ts", "main.ts: x = new X", "c.ts"], order: [1, 0, 3, 2], renamed: {} };
    const all = moduleCosts(build, [130, 110, 200, 160], 100);
    assert.deepEqual(all.costs.map((c) => [c.label, c.blocks]), [["b.ts", 10], ["a.ts", 20], ["c.ts", 30], ["main.ts: x = new X", 40]]);
    assert.equal(all.reached, 4);
    const oom = moduleCosts(build, [130, 110, 0, 0], 100);
    assert.equal(oom.reached, 2);
    assert.equal(oom.lastLabel, "a.ts");
  });

  it("the firmware's CPU time is the loop and callbacks minus the models'", () => {
    const s = probeSnapshot([900, 3, 10, 0.5, 0.1, 4, 0.25, 0.3, 99, 800, 310, 290]);
    assert.equal(s.peak, 900);
    assert.equal(s.firmwarePeak, 310);
    assert.equal(s.firmwareUsage, 290);
    assert.equal(s.peakWhere, 3);
    assert.equal(s.usage, 800);
    assert.equal(firmwareSeconds(s), 0.45);
  });
});
