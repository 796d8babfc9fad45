import { strict as assert } from "node:assert";
import { Scheduler } from "../../hil/sim/scheduler";
import { boardWith } from "./helpers";

describe("virtual board: timers on stepped time", () => {
  it("runs timeouts at their time, in order, with their arguments", () => {
    const b = boardWith("var log = []; function at(tag) { log.push(tag + '@' + Math.round(getTime() * 1000)); }" +
      "setTimeout(at, 30, 'c'); setTimeout(at, 10, 'a'); setTimeout(at, 20, 'b'); setTimeout(at, 20, 'b2');");
    b.sched.advance(19);
    assert.equal(b.eval("log.join()"), "a@10");
    b.sched.advance(100);
    assert.equal(b.eval("log.join()"), "a@10,b@20,b2@20,c@30");
  });

  it("repeats intervals until cleared; clearTimeout() with no id clears all", () => {
    const b = boardWith("var n = 0, m = 0; var iv = setInterval(function () { n++; }, 100); setTimeout(function () { m++; }, 1000);");
    b.sched.advance(350);
    assert.equal(b.eval("n"), 3);
    b.eval("clearInterval(iv)");
    b.sched.advance(1000);
    assert.equal(b.eval("n"), 3);
    assert.equal(b.eval("m"), 1);
    b.eval("setInterval(function () { n++; }, 10); setTimeout(function () { m++; }, 10); clearTimeout();");
    b.sched.advance(100);
    assert.deepEqual([b.eval("n"), b.eval("m")], [3, 1]);
  });

  it("follows Espruino on ids: from 1, unknown ids ignored, undefined refused", () => {
    const b = boardWith("");
    assert.equal(b.eval("setTimeout(function () {}, 5)"), 1);
    assert.equal(b.eval("setTimeout('1', 5)"), 2);
    b.eval("clearTimeout(99)");
    assert.throws(() => b.eval("clearTimeout(undefined)"), /clearTimeout\(undefined\) not allowed/);
    assert.throws(() => b.eval("setTimeout(5)"), /Function or String not supplied/);
  });

  it("changeInterval moves the next call and the period", () => {
    const b = boardWith("var t = []; var iv = setInterval(function () { t.push(Math.round(getTime() * 1000)); }, 100);");
    b.sched.advance(150);
    b.eval("changeInterval(iv, 20)");
    b.sched.advance(50);
    assert.equal(b.eval("t.join()"), "100,170,190");
  });

  it("getTime, setTime and Date follow the board clock", () => {
    const b = boardWith("", { clockStartMs: Date.UTC(2024, 0, 2, 3, 4, 5) });
    b.sched.advance(1500);
    assert.equal(b.eval("Date.now()"), Date.UTC(2024, 0, 2, 3, 4, 6, 500));
    assert.equal(b.eval("new Date().toISOString()"), "2024-01-02T03:04:06.500Z");
    assert.equal(b.eval("new Date(0).getTime()"), 0);
    assert.equal(b.eval("new Date() instanceof Date"), true);
    b.eval("setTime(1000)");
    b.sched.advance(250);
    assert.equal(b.eval("getTime()"), 1000.25);
    assert.equal(b.eval("new Date().getTime()"), 1000250);
  });

  it("a reset cancels the firmware's timers but not the models' timers on the same scheduler", () => {
    const sched = new Scheduler();
    let modelTicks = 0;
    sched.setInterval(() => modelTicks++, 100);
    const b = boardWith("var n = 0; setInterval(function () { n++; }, 100);", { sched: sched });
    b.sched.advance(250);
    b.eval("setTimeout(function () { print('stale'); }, 10)");
    b.reset();
    b.sched.advance(1000);
    assert.equal(b.eval("n"), 10, "only the new boot's interval counts");
    assert.equal(modelTicks, 12);
    assert.doesNotMatch(b.console.output, /stale/);
  });

  it("runRealTime follows the host clock until stopped", async () => {
    const b = boardWith("var n = 0; setInterval(function () { n++; }, 1);");
    const stop = b.runRealTime(2);
    await new Promise((r) => setTimeout(r, 40));
    stop();
    const at = b.sched.now();
    assert.ok(at > 0 && (b.eval("n") as number) > 0, "simulated time moved with real time");
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(b.sched.now(), at, "stopped");
  });
});
