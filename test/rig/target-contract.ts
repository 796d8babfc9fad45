/**
 * What every Target must do, as one set of mocha tests run against each target (virtual,
 * Espruino for Linux (fake, and real when ESPRUINO_BIN is set), a board over a fake serial port).
 * The same lines a HIL scenario sends, on every target.
 */
import { strict as assert } from "node:assert";
import { TargetEvalError } from "../../hil/rig/console-protocol";
import type { Target } from "../../hil/rig/target";

/** A tiny ES5 firmware: counts its boots in Storage, ticks a timer, prints a boot line. */
export const TINY_BUNDLE = [
  'var S = require("Storage");',
  'var boots = (S.read("boots") | 0) + 1;',
  'S.write("boots", String(boots));',
  "var ticks = 0;",
  "setInterval(function () { ticks++; }, 50);",
  'function greet(name) { return "hi " + name; }',
  'print("tiny boot " + boots);',
].join("\n");

export function targetContract(label: string, make: () => Promise<Target> | Target): void {
  describe(`Target contract: ${label}`, function () {
    this.timeout(60000);
    let t: Target;
    before(async () => {
      t = await make();
      await t.upload(TINY_BUNDLE);
    });
    after(async () => {
      if (t) await t.close();
    });

    it("boots the uploaded bundle", async () => {
      // (a board prints its first boot line to the CLI, which has the port during the upload)
      assert.equal(await t.eval("boots"), 1);
      assert.deepEqual(t.takeErrors(), [], "no request was cut by the reboots of the upload");
    });

    it("evaluates expressions and returns JSON values", async () => {
      assert.equal(await t.eval('greet("rig")'), "hi rig");
      assert.deepEqual(await t.eval("({ n: 1 + 2, list: [true, null, 'x'] })"), { n: 3, list: [true, null, "x"] });
      assert.equal(await t.eval("undefined"), null);
    });

    it("rejects with the target's error when the expression throws", async () => {
      await assert.rejects(t.eval("nosuch.value"), (e: unknown) => e instanceof TargetEvalError && /nosuch/.test(e.remote));
    });

    it("lets time pass: timers run", async () => {
      const before = (await t.eval("ticks")) as number;
      await t.wait(400);
      const after = (await t.eval("ticks")) as number;
      assert.ok(after > before, `ticks ${before} -> ${after}`);
    });

    it("collects Uncaught errors from timers", async () => {
      t.takeErrors();
      await t.eval("setTimeout(function () { nosuch.later; }, 10), 0");
      await t.wait(200);
      await t.eval("0");
      const errs = t.takeErrors();
      assert.equal(errs.length, 1, JSON.stringify(errs));
      assert.match(errs[0], /^Uncaught ReferenceError:.*nosuch/);
    });

    it("reset reboots from flash: RAM cleared, the boot file runs again", async () => {
      await t.eval("ticks = -1000, 0");
      t.takeOutput();
      await t.reset();
      assert.equal(await t.eval("boots"), 2);
      assert.ok(t.takeOutput().indexOf("tiny boot 2") >= 0, "the boot line is printed");
      assert.deepEqual(t.takeErrors(), [], "no request was cut by the reboot");
      assert.ok(((await t.eval("ticks")) as number) >= 0);
    });

    it("powerCut keeps what was written to Storage and boots again", async () => {
      await t.eval('S.write("kept", "across the cut")');
      await t.powerCut();
      assert.equal(await t.eval("boots"), 3);
      assert.equal(await t.eval('require("Storage").read("kept")'), "across the cut");
      assert.deepEqual(t.takeErrors(), []);
    });

    it("a new upload replaces the firmware", async () => {
      await t.upload('var version = 2; print("v2 up");');
      assert.equal(await t.eval("version"), 2);
      assert.equal(await t.eval("typeof greet"), "undefined");
    });
  });
}
