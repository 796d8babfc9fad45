import { strict as assert } from "node:assert";
import { Scheduler } from "../hil/sim/scheduler";
import { EventRing } from "../firmware/lib/event-ring";

describe("Scheduler (simulated time)", () => {
  it("runs timers at their due time, in order, and repeats intervals", () => {
    const s = new Scheduler();
    const seen: string[] = [];
    s.setTimeout(() => seen.push("b@" + s.now()), 20);
    s.setTimeout(() => seen.push("a@" + s.now()), 10);
    const iv = s.setInterval(() => seen.push("i@" + s.now()), 15);
    s.advance(31);
    assert.deepEqual(seen, ["a@10", "i@15", "b@20", "i@30"]);
    s.clear(iv);
    s.advance(100);
    assert.equal(seen.length, 4);
    assert.equal(s.now(), 131);
  });
});

describe("EventRing", () => {
  it("keeps order, wraps, and counts what it drops when full", () => {
    const r = new EventRing(2);
    assert.ok(r.push(1, 10, 0));
    assert.ok(r.push(2, 20, 0));
    assert.equal(r.push(3, 30, 0), false);
    assert.equal(r.dropped, 1);
    assert.ok(r.shift());
    assert.deepEqual([r.kind, r.a], [1, 10]);
    assert.ok(r.push(4, 40, 7));
    assert.ok(r.shift());
    assert.equal(r.kind, 2);
    assert.ok(r.shift());
    assert.deepEqual([r.kind, r.a, r.b], [4, 40, 7]);
    assert.equal(r.shift(), false);
  });
});
