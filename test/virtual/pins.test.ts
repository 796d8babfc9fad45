import { strict as assert } from "node:assert";
import { VirtualBoard } from "../../hil/virtual/board";
import { TestNet, boardWith } from "./helpers";

/** A board with a TestNet on B3 and a watch log. */
function watched(opts: string): { b: VirtualBoard; net: TestNet; log: () => string } {
  const b = new VirtualBoard();
  const net = new TestNet();
  b.attachPin("B3", net);
  b.load("var log = []; pinMode(B3, 'input_pullup'); setWatch(function (e) {" +
    " log.push((e.state ? 'H' : 'L') + '@' + Math.round(e.time * 1000) + (e.lastTime === undefined ? '' : '/' + Math.round(e.lastTime * 1000))); }, B3, " + opts + ");");
  return { b, net, log: () => b.eval("log.join()") as string };
}

function setLevel(b: VirtualBoard, net: TestNet, level: boolean | null): void {
  net.device = level;
  b.pinChanged("B3");
}

describe("virtual board: pins and setWatch", () => {
  it("has Espruino's Pin objects, with the Pico's LED and button pins", () => {
    const b = boardWith("");
    assert.equal(b.eval("String(LED1)"), "B2");
    assert.equal(b.eval("LED2 === B12 && BTN === C13 && BTN1 === BTN"), true);
    assert.equal(b.eval("getPinMode(A0)"), "analog");
    assert.equal(b.eval("getPinMode(BTN)"), "input_pulldown");
    assert.equal(b.eval("A5.getInfo().num"), 5);
  });

  it("tells the net what the MCU drives, with Espruino's automatic pin modes", () => {
    const b = new VirtualBoard();
    const net = new TestNet();
    b.attachPin("A1", net);
    b.load("");
    assert.ok(net.mcu.length > 0 && net.mcu.every((v) => v === null), "released before and at boot");
    b.eval("digitalWrite(A1, 1)");
    assert.equal(b.eval("getPinMode(A1)"), "output");
    assert.equal(net.mcu.at(-1), true);
    b.eval("A1.reset()");
    assert.equal(net.mcu.at(-1), false);
    assert.equal(b.eval("A1.toggle()"), true);
    // digitalRead on a pin whose mode was not set by pinMode makes it an input again
    net.device = false;
    assert.equal(b.eval("digitalRead(A1)"), 0);
    assert.equal(net.mcu.at(-1), null);
    assert.equal(b.eval("getPinMode(A1)"), "input");
    // pinMode makes the mode stick: reading keeps driving
    b.eval("pinMode(A1, 'output'); A1.set()");
    assert.equal(b.eval("A1.read()"), true);
    assert.equal(net.mcu.at(-1), true);
  });

  it("reads pull-ups and open-drain outputs through the net", () => {
    const b = new VirtualBoard();
    const net = new TestNet();
    b.attachPin("B4", net);
    b.load("");
    assert.equal(b.eval("pinMode(B4, 'input_pullup'); B4.read()"), true);
    assert.equal(b.eval("pinMode(B4, 'input'); B4.read()"), false);
    b.eval("pinMode(B4, 'opendrain_pullup'); B4.write(1)");
    assert.equal(net.mcu.at(-1), null, "open-drain high releases the line");
    net.device = false;
    assert.equal(b.eval("B4.read()"), false, "the device pulls it low");
    b.eval("B4.write(0)");
    assert.equal(net.mcu.at(-1), false);
    assert.equal(b.eval("digitalRead([B4, C0])"), 0);
  });

  it("fires on both edges by default, with state, time and lastTime", () => {
    const { b, net, log } = watched("{ repeat: true }");
    b.sched.advance(10);
    setLevel(b, net, false);
    b.sched.advance(5);
    setLevel(b, net, null); // released: the pull-up brings it high
    b.sched.advance(0);
    assert.equal(log(), "L@10,H@15/10");
  });

  it("edge 'rising' / 'falling' pick one edge; lastTime still tracks every change", () => {
    const { b, net, log } = watched("{ repeat: true, edge: 'rising' }");
    for (let i = 0; i < 2; i++) {
      b.sched.advance(10);
      setLevel(b, net, false);
      b.sched.advance(10);
      setLevel(b, net, true);
    }
    b.sched.advance(0);
    assert.equal(log(), "H@20/10,H@40/30");
    const f = watched("{ repeat: true, edge: 'falling' }");
    setLevel(f.b, f.net, false);
    f.b.sched.advance(1);
    setLevel(f.b, f.net, true);
    f.b.sched.advance(1);
    assert.equal(f.log(), "L@0");
  });

  it("without repeat the watch goes after its first call", () => {
    const { b, net, log } = watched("{ edge: 'falling' }");
    for (let i = 0; i < 3; i++) {
      setLevel(b, net, false);
      b.sched.advance(5);
      setLevel(b, net, true);
      b.sched.advance(5);
    }
    assert.equal(log(), "L@0");
    assert.throws(() => b.eval("clearWatch(1)"), /Unknown Watch 1/);
  });

  it("debounce: bounces inside the window give one call, timed at the last edge", () => {
    const { b, net, log } = watched("{ repeat: true, edge: 'falling', debounce: 20 }");
    b.sched.advance(100);
    // a switch closing with bounce: L H L H L within 6 ms, then stays low
    const steps: Array<[boolean, number]> = [[false, 1], [true, 2], [false, 1], [true, 2], [false, 0]];
    for (const [lvl, wait] of steps) {
      setLevel(b, net, lvl);
      b.sched.advance(wait);
    }
    b.sched.advance(19);
    assert.equal(log(), "", "the debounce window restarts at every edge");
    b.sched.advance(1);
    assert.equal(log(), "L@106");
    // a glitch shorter than the window that returns to the settled level fires nothing
    setLevel(b, net, true);
    b.sched.advance(5);
    setLevel(b, net, false);
    b.sched.advance(100);
    assert.equal(log(), "L@106");
  });

  it("the button defaults to rising edge with 25 ms debounce", () => {
    const b = new VirtualBoard();
    const btn = new TestNet();
    b.attachPin("BTN", btn);
    b.load("var presses = 0; setWatch(function () { presses++; }, BTN, { repeat: true });");
    btn.device = true;
    b.pinChanged("C13");
    b.sched.advance(24);
    assert.equal(b.eval("presses"), 0);
    b.sched.advance(1);
    assert.equal(b.eval("presses"), 1);
  });

  it("an MCU write to a watched pin is an edge too; clearWatch() removes all", () => {
    const b = boardWith("var n = 0; pinMode(A2, 'output'); setWatch(function () { n++; }, A2, true);");
    b.eval("A2.set()");
    b.sched.advance(1);
    assert.equal(b.eval("n"), 1);
    b.eval("clearWatch(); A2.reset()");
    b.sched.advance(1);
    assert.equal(b.eval("n"), 1);
    assert.throws(() => b.eval("clearWatch(undefined)"), /clearWatch\(undefined\) not allowed/);
  });

  it("rejects bad edges and options it does not emulate", () => {
    const b = boardWith("");
    assert.throws(() => b.eval("setWatch(function () {}, A0, { edge: 'up' })"), /'edge' in setWatch should be/);
    assert.throws(() => b.eval("setWatch(function () {}, A0, { irq: true })"), /does not provide setWatch option 'irq'/);
    assert.throws(() => b.eval("pinMode(A0, 'analog')"), /does not provide pinMode 'analog'/);
    assert.throws(() => b.eval("pinMode(A0, 'sideways')"), /Unknown pin mode/);
  });
});
