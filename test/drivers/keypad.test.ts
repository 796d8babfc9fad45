import { strict as assert } from "node:assert";
import { Scheduler } from "../../hil/sim/scheduler";
import { ModelPin } from "../../hil/models/buses";
import { KeypadMatrixModel, type KeypadMatrixOptions } from "../../hil/models/keypad-matrix";
import type { PinNet } from "../../hil/models/ports";
import { EventRing } from "../../firmware/lib/event-ring";
import { EV_KEY, EV_KEY_AMBIGUOUS } from "../../firmware/events";
import { MatrixKeypad, type MatrixKeypadOptions } from "../../firmware/drivers/keypad";
import {
  KEY_1, KEY_2, KEY_3, KEY_5, KEY_7, KEY_ENTER, KEY_CANCEL, KEY_CLEAR, KEY_F1, KEY_NONE,
  KEYMAP_OK, KEYMAP_ERR_LENGTH, KEYMAP_ERR_UNKNOWN_KEY, keyName, keyFromName, parseKeymap,
} from "../../firmware/drivers/keypad-keys";

type Ev = [number, number, number];

function rig(model: Partial<KeypadMatrixOptions> = {}, driver: Partial<MatrixKeypadOptions> = {}, ringSize = 16) {
  const sched = new Scheduler();
  const pad = new KeypadMatrixModel({ sched, ...model });
  const ring = new EventRing(ringSize);
  const kp = new MatrixKeypad({
    rows: pad.rows.map((n) => new ModelPin(n)),
    cols: pad.cols.map((n) => new ModelPin(n)),
    ring,
    clock: sched,
    ...driver,
  });
  sched.setInterval(() => kp.scan(), 5);
  const drain = (): Ev[] => {
    const out: Ev[] = [];
    while (ring.shift()) out.push([ring.kind, ring.a, ring.b]);
    return out;
  };
  return { sched, pad, ring, kp, drain };
}

describe("MatrixKeypad against the membrane matrix model", () => {
  it("gives one EV_KEY per press of a bouncing key", () => {
    const { sched, pad, drain } = rig({ bounceMs: 8, bounceCount: 3 });
    pad.tap("5", 120);
    sched.advance(300);
    pad.tap("#", 80);
    sched.advance(300);
    assert.ok(pad.transitions >= 2 * 2 * 7, "the model really bounced");
    assert.deepEqual(drain(), [[EV_KEY, KEY_5, 0], [EV_KEY, KEY_ENTER, 0]]);
  });

  it("without debounce the same bouncing press gives several keys (the KeyPad module's problem)", () => {
    const { sched, pad, drain } = rig({ bounceMs: 30, bounceCount: 3 }, { debounceMs: 0 });
    sched.advance(2); // contact edges every 5 ms from t=2, between the scans at 5, 10, 15 ...
    pad.tap("5", 120);
    sched.advance(300);
    assert.ok(drain().length > 1);
  });

  it("respects the debounce time: a press counts only after reading stable for debounceMs", () => {
    const { sched, pad, drain } = rig({}, { debounceMs: 30 });
    sched.advance(3);
    pad.press("1");
    sched.advance(25);
    assert.deepEqual(drain(), [], "not yet: stable for less than 30 ms");
    sched.advance(15);
    assert.deepEqual(drain(), [[EV_KEY, KEY_1, 0]]);
    pad.release("1");
    sched.advance(100);
    assert.deepEqual(drain(), []);
  });

  it("ignores a glitch shorter than the debounce time", () => {
    const { sched, pad, drain } = rig();
    pad.tap("7", 12);
    sched.advance(200);
    assert.deepEqual(drain(), []);
    pad.tap("7", 60);
    sched.advance(200);
    assert.deepEqual(drain(), [[EV_KEY, KEY_7, 0]]);
  });

  it("does not repeat a held key unless asked", () => {
    const { sched, pad, kp, drain } = rig({ bounceMs: 5 });
    pad.press("ENTER");
    sched.advance(3000);
    assert.equal(kp.held, KEY_ENTER);
    pad.release("ENTER");
    sched.advance(100);
    assert.deepEqual(drain(), [[EV_KEY, KEY_ENTER, 0]]);
    assert.equal(kp.held, KEY_NONE);
  });

  it("repeats a held key every repeatMs when asked, numbering the repeats", () => {
    const { sched, pad, drain } = rig({ bounceMs: 5 }, { repeatMs: 100 });
    pad.tap("D", 350);
    sched.advance(1000);
    assert.deepEqual(drain(), [
      [EV_KEY, KEY_CLEAR, 0],
      [EV_KEY, KEY_CLEAR, 1],
      [EV_KEY, KEY_CLEAR, 2],
      [EV_KEY, KEY_CLEAR, 3],
    ]);
  });

  it("reports two keys at once as ambiguous, and nothing until all are released", () => {
    const { sched, pad, drain } = rig({ bounceMs: 6 });
    pad.press("1");
    pad.press("2");
    sched.advance(100);
    pad.release("2");
    sched.advance(100);
    assert.deepEqual(drain(), [[EV_KEY_AMBIGUOUS, 2, 0]], "no guess, and 1 alone after the chord is not a press");
    pad.release("1");
    sched.advance(100);
    pad.tap("3", 50);
    sched.advance(100);
    assert.deepEqual(drain(), [[EV_KEY, KEY_3, 0]]);
  });

  it("a second key pressed while one is held is ambiguous too (the first was already reported)", () => {
    const { sched, pad, drain } = rig();
    pad.press("*");
    sched.advance(100);
    pad.press("A");
    sched.advance(100);
    assert.deepEqual(drain(), [[EV_KEY, KEY_CANCEL, 0], [EV_KEY_AMBIGUOUS, 2, 0]]);
  });

  it("reports ghosting without diodes (3 corner keys read as 4) as ambiguous, flagged", () => {
    const { sched, pad, drain } = rig();
    pad.pressAt(0, 0);
    pad.pressAt(0, 1);
    pad.pressAt(1, 0);
    sched.advance(100);
    assert.deepEqual(drain(), [[EV_KEY_AMBIGUOUS, 4, 1]]);
  });

  it("the model's ghost is real: with row 0 low, column 1 reads low via three closed keys", () => {
    const pad = new KeypadMatrixModel();
    const rows = pad.rows.map((n) => new ModelPin(n));
    const cols = pad.cols.map((n) => new ModelPin(n));
    cols.forEach((p) => p.mode("input_pullup"));
    rows.forEach((p) => { p.mode("opendrain"); p.write(true); });
    pad.pressAt(0, 0);
    pad.pressAt(1, 0);
    pad.pressAt(1, 1);
    rows[0].write(false);
    assert.deepEqual(cols.map((p) => p.read()), [false, false, true, true]);
    const diode = new KeypadMatrixModel({ diodes: true });
    const dRows = diode.rows.map((n) => new ModelPin(n));
    const dCols = diode.cols.map((n) => new ModelPin(n));
    dCols.forEach((p) => p.mode("input_pullup"));
    dRows.forEach((p) => { p.mode("opendrain"); p.write(true); });
    diode.pressAt(0, 0);
    diode.pressAt(1, 0);
    diode.pressAt(1, 1);
    dRows[0].write(false);
    assert.deepEqual(dCols.map((p) => p.read()), [false, true, true, true]);
  });

  it("with diodes the same three keys are three, and not flagged as ghosting", () => {
    const { sched, pad, drain } = rig({ diodes: true });
    pad.pressAt(0, 0);
    pad.pressAt(0, 1);
    pad.pressAt(1, 0);
    sched.advance(100);
    assert.deepEqual(drain(), [[EV_KEY_AMBIGUOUS, 3, 0]]);
  });

  it("counts events dropped when the app does not drain the ring, keeping the oldest", () => {
    const { sched, pad, ring, drain } = rig({}, {}, 2);
    for (const k of ["1", "2", "3"]) {
      pad.tap(k, 50);
      sched.advance(100);
    }
    assert.equal(ring.dropped, 1);
    assert.deepEqual(drain(), [[EV_KEY, KEY_1, 0], [EV_KEY, KEY_2, 0]]);
  });

  it("idles with rows low, so a press changes a column level (for setWatch) and scanning may pause", () => {
    const { sched, pad, kp } = rig();
    const seen: [number, boolean][] = [];
    pad.onChange((net: PinNet, level: boolean) => {
      const c = pad.cols.indexOf(net);
      if (c >= 0) seen.push([c, level]);
    });
    sched.advance(12);
    assert.ok(kp.isIdle());
    assert.deepEqual(seen, []);
    pad.pressAt(2, 3); // between scans
    assert.deepEqual(seen, [[3, false]]);
    assert.equal(pad.levelOf(pad.cols[3], true), false);
    sched.advance(5); // the next scan sees it
    assert.equal(kp.isIdle(), false);
  });

  it("takes a profile key map; bad maps are refused with a clear code", () => {
    const map = "F1,F2,F3,CANCEL, 7,8,9,CLEAR, 4,5,6,-, 1,2,3,ENTER";
    const { sched, pad, drain } = rig({ keymap: map }, { keymap: map });
    pad.pressAt(0, 0);
    sched.advance(60);
    pad.releaseAt(0, 0);
    sched.advance(60);
    pad.pressAt(2, 3); // no key there: nothing to report
    sched.advance(60);
    pad.releaseAt(2, 3);
    sched.advance(60);
    assert.deepEqual(drain(), [[EV_KEY, KEY_F1, 0]]);

    const out = new Uint8Array(16);
    assert.equal(parseKeymap("123A456B789C*0#", out), KEYMAP_ERR_LENGTH);
    assert.equal(parseKeymap("123A456B789C*0#X", out), KEYMAP_ERR_UNKNOWN_KEY);
    assert.equal(parseKeymap(map.replace("F2", "F9"), out), KEYMAP_ERR_UNKNOWN_KEY);
    assert.deepEqual(Array.from(out), new Array(16).fill(0), "a refused map leaves the table untouched");
    assert.equal(parseKeymap("123A456B789C*0#D", out), KEYMAP_OK);
    assert.equal(out[15], KEY_CLEAR);
    assert.throws(
      () => new MatrixKeypad({ rows: [], cols: [], ring: new EventRing(1), clock: { now: () => 0 } }),
      /rows x cols/,
    );
    const p = new KeypadMatrixModel();
    assert.throws(
      () => new MatrixKeypad({
        rows: p.rows.map((n) => new ModelPin(n)),
        cols: p.cols.map((n) => new ModelPin(n)),
        keymap: [KEY_1, 999],
        ring: new EventRing(1),
        clock: { now: () => 0 },
      }),
      /bad keymap \(-1\)/,
    );
  });

  it("names keys for the UI and back", () => {
    assert.equal(keyName(KEY_ENTER), "ENTER");
    assert.equal(keyName(KEY_5), "5");
    assert.equal(keyName(200), "?");
    assert.equal(keyFromName("F1"), KEY_F1);
    assert.equal(keyFromName("nope"), KEY_NONE);
  });
});
