/**
 * The engine on the REAL Espruino interpreter (runs when ESPRUINO_BIN names an Espruino for
 * Linux binary; skipped otherwise). A session - sign-in, sales, a decline, balance, void, an
 * unanswered sale and its reversal, more sales, settlement - is first run in Node against the
 * host simulator's request handler (deterministic keys and clock) and recorded. The same
 * session is then replayed through test/engine/espruino/replay-entry.ts on the interpreter, with
 * the engine's stores on Espruino's own Storage: every request must be byte-identical to Node's
 * (so codec, MAC, PIN block and the state machine behave the same there), every result equal,
 * and the memory in use after 8 further sales must not have grown (nothing retained per
 * transaction). (test/engine/espruino/measure.ts replays the same session to print the engine's
 * blocks.)
 */
import { strict as assert } from "node:assert";
import { EspruinoLinuxTarget } from "../../hil/rig/espruino-linux-target";
import { checkScript } from "../../tools/es5-guard";
import { buildReplayBundle } from "./espruino/build";
import { INIT, record, replay, session } from "./espruino/session";

const BIN = process.env.ESPRUINO_BIN;

(BIN ? describe : describe.skip)("TxnEngine on the real Espruino interpreter (ESPRUINO_BIN)", function () {
  this.timeout(180000);
  let target: EspruinoLinuxTarget;

  after(async () => {
    if (target) await target.close();
  });

  it("replays a recorded session byte for byte, on Espruino's Storage, retaining nothing per sale", async () => {
    const steps = session();
    const recorded = record(steps);
    assert.equal(recorded[1].result.split(",")[0], "1", "Node: the first sale is approved");
    // with the project's post-minification Espruino fixes: see build.ts
    const bundle = await buildReplayBundle();
    assert.deepEqual(checkScript(bundle).map((v) => v.construct), [], "bundle is ES5 Espruino can run");
    // The interpreter sometimes dies during a fast console upload (ASSERT(len <= 64) in its IO
    // ring, src/jsdevices.c): that is the rig's transport, not the engine - start again, 3 tries.
    for (let attempt = 1; ; attempt++) {
      target = new EspruinoLinuxTarget({ bin: BIN, timeoutMs: 20000 });
      try {
        await target.upload(bundle);
        break;
      } catch (e) {
        const out = target.takeOutput().join("\n");
        await target.close();
        if (attempt >= 3 || !/ASSERT\(len <= 64\)/.test(out)) throw new Error((e as Error).message + "\n" + out.slice(-2000));
      }
    }
    assert.equal(await target.eval("R('stores', 14)"), true, "stores on Espruino's Storage (journal of 30: RAM is tight)");
    assert.equal(await target.eval(INIT), true);
    const { mem, requests } = await replay(target, steps, recorded);
    assert.equal(await target.eval("R('busy')"), false);
    assert.equal(requests, 18, "sign-in, 2 sales, balance, void, unanswered sale + its 0400, 10 sales, settlement");
    const grown = mem["after 10 sales"] - mem["after 2 sales"];
    console.log(`      Espruino: ${requests} requests byte-identical to Node; blocks in use after 2 sales ${mem["after 2 sales"]}, after 10 sales ${mem["after 10 sales"]}`);
    assert.equal(grown, 0, "memory retained by 8 sales: " + grown + " blocks");
  });
});
