/**
 * The short soak (bench/soak.ts) inside npm test: 60 random transactions with host faults and
 * power cuts on the virtual terminal, settled at the end; runSoak throws on any broken
 * invariant (books disagree, a reversal left pending, anything Uncaught).
 */
import { strict as assert } from "node:assert";
import { runSoak } from "../../bench/soak";
import { firmwareCode } from "../terminal/helpers";

describe("soak (short): random transactions, host faults and power cuts", function () {
  this.timeout(300000);

  it("60 transactions, seed 7: terminal and host agree, nothing pending, nothing uncaught", async () => {
    const f = await runSoak({ count: 60, seed: 7, firmware: firmwareCode(), faultRate: 0.3, powerCutRate: 0.08 });
    assert.equal(f.transactions, 60);
    assert.ok(f.settlements >= 1, "settled at least once");
    assert.ok(Object.keys(f.faults).length > 0, "faults were injected");
    assert.ok(f.powerCuts > 0, "power was cut");
    assert.ok(f.reversalsSent > 0, "reversals were needed and sent");
  });
});
