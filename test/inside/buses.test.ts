/**
 * The device models bundle's wiring (hil/inside), in plain Node on simulated time: the same
 * buildInsideRig and the HilControl that run inside the interpreter, with a hil/sim Scheduler as the
 * time source, driven by the real firmware drivers. CI covers the code this way; the
 * interpreter run is test/inside/interpreter.test.ts.
 */
import { strict as assert } from "node:assert";
import { Scheduler } from "../../hil/sim/scheduler";
import { buildInsideRig, type InsideRig } from "../../hil/inside/rig";
import { HilControl, HIL_METHODS } from "../../hil/inside/control";
import { insideCards } from "../../hil/inside/cards";
import type { TimeSource } from "../../hil/inside/timers";
import { EventRing } from "../../firmware/lib/event-ring";
import { Hd44780Lcd } from "../../firmware/drivers/hd44780-lcd";
import { MatrixKeypad } from "../../firmware/drivers/keypad";
import { MagStripeReader } from "../../firmware/drivers/msr";
import { EscPosPrinter } from "../../firmware/drivers/escpos-printer";
import { EV_CARD_SWIPED, EV_KEY } from "../../firmware/events";
import { KEY_ENTER, KEY_F1 } from "../../firmware/drivers/keypad-keys";
import type { NetLike } from "../../firmware/hal/socket";

/** The hil inside the interpreter over `rig` (as hil/inside/main.ts makes it). */
function insideHil(rig: InsideRig): HilControl {
  return new HilControl({ models: rig.models, timers: rig.timers, timing: { holdMs: 80, gapMs: 80, scans: rig.scans, bounceMs: 5 }, cards: insideCards(), inside: true });
}

function setup(net: NetLike | null = null): { sched: Scheduler; rig: InsideRig; hil: HilControl; ring: EventRing } {
  const sched = new Scheduler();
  const rig = buildInsideRig(sched, { keyBounceMs: 5 }, () => net);
  const hil = insideHil(rig);
  return { sched, rig, hil, ring: new EventRing(32) };
}

/**
 * Timers as the interpreter runs them beside a firmware loop slower than its interval: a loop
 * tick, then at most one due timer callback (the earliest set first), then a tick again, since
 * a callback that sets a timer makes Espruino run the overdue interval before the next timer.
 * So the keypad model's 5 ms of contact bounce can spread over several scans.
 */
class OneTimerPerTick implements TimeSource {
  private t = 0;
  private seq = 0;
  private readonly due: { at: number; seq: number; fn: () => void }[] = [];
  setTimeout(fn: () => void, ms: number): number {
    this.due.push({ at: this.t + ms, seq: ++this.seq, fn });
    return this.seq;
  }
  now(): number {
    return this.t;
  }
  /** Time moves on by `ms`; then the first timer (in the order set) that is due runs. */
  tick(ms: number): void {
    this.t += ms;
    let k = -1;
    for (let i = 0; i < this.due.length; i++) if (this.due[i].at <= this.t && (k < 0 || this.due[i].seq < this.due[k].seq)) k = i;
    if (k >= 0) this.due.splice(k, 1)[0].fn();
  }
}

/** Drain the ring into [kind, a] pairs. */
function events(ring: EventRing): number[][] {
  const out: number[][] = [];
  while (ring.shift()) out.push([ring.kind, ring.a]);
  return out;
}

describe("hil/inside: the models' buses, driven by the firmware drivers", function () {
  it("the LCD driver initialises the LCD model over the I2C bus and its text shows on hil.lcd()", () => {
    const { sched, rig, hil, ring } = setup();
    const lcd = new Hd44780Lcd({ i2c: rig.buses.lcdI2c, address: 0x27, cols: 20, rows: 4, ring, clock: { now: () => sched.now() } });
    lcd.init();
    lcd.setLine(0, "HELLO INSIDE");
    for (let i = 0; i < 100; i++) {
      sched.advance(10);
      lcd.flush();
    }
    assert.equal(hil.lcd()[0], "HELLO INSIDE        ");
    assert.deepEqual(rig.models.lcd.errors, [], "no HD44780 timing or protocol error");
  });

  it("hil.unplugLcd makes the bus NACK (the driver faults), hil.plugLcd brings it back", () => {
    const { sched, rig, hil, ring } = setup();
    const lcd = new Hd44780Lcd({ i2c: rig.buses.lcdI2c, address: 0x27, cols: 20, rows: 4, ring, clock: { now: () => sched.now() } });
    lcd.init();
    hil.unplugLcd();
    assert.throws(() => rig.buses.lcdI2c.writeTo(0x27, 0), /No ACK/);
    hil.plugLcd();
    rig.buses.lcdI2c.writeTo(0x27, 0);
  });

  it("a tap lasts until the keypad driver has scanned it a few times, however slow the firmware's loop", () => {
    const { sched, rig, hil, ring } = setup();
    const kp = new MatrixKeypad({ rows: rig.buses.keypadRows, cols: rig.buses.keypadCols, ring, clock: { now: () => sched.now() } });
    hil.key("5");
    // a loop that scans only every 400 ms: the tap's 80 ms hold stretches over the scans
    for (let t = 0; t < 4000; t += 400) {
      sched.advance(400);
      kp.scan();
    }
    assert.deepEqual(events(ring), [[EV_KEY, 53]]);
    assert.equal(hil.status().keysBusyMs, 0);
  });

  it("taps are not lost when the model's contact bounce spreads over the firmware's scans", () => {
    const timers = new OneTimerPerTick();
    const rig = buildInsideRig(timers, { keyBounceMs: 5 }, () => null);
    const hil = insideHil(rig);
    const ring = new EventRing(32);
    const kp = new MatrixKeypad({ rows: rig.buses.keypadRows, cols: rig.buses.keypadCols, ring, clock: { now: () => timers.now() } });
    hil.keys("1002\n");
    const got: number[] = [];
    for (let i = 0; i < 2000 && (hil.status().keysBusyMs > 0 || got.length < 5); i++) {
      kp.scan();
      while (ring.shift()) got.push(ring.a);
      timers.tick(40);
    }
    assert.deepEqual(got, [49, 48, 48, 50, KEY_ENTER], "each tap one key press, the repeated 0 too");
  });

  it("a hil.key tap is scanned by the keypad driver as one key press; hil.keys queues taps", () => {
    const { sched, rig, hil, ring } = setup();
    const kp = new MatrixKeypad({ rows: rig.buses.keypadRows, cols: rig.buses.keypadCols, ring, clock: { now: () => sched.now() } });
    const busy = hil.key("F1");
    assert.equal(busy, 160);
    for (let t = 0; t < 400; t += 5) {
      sched.advance(5);
      kp.scan();
    }
    assert.deepEqual(events(ring), [[EV_KEY, KEY_F1]]);
    assert.equal(hil.keys("12\n"), 480);
    for (let t = 0; t < 600; t += 5) {
      sched.advance(5);
      kp.scan();
    }
    assert.deepEqual(events(ring).map((e) => e[1]), [49, 50, KEY_ENTER]);
    assert.equal(hil.status().keysBusyMs, 0);
  });

  it("a swipe crosses the MSR UART at 9600 baud: nothing before its wire time, the card after", () => {
    const { sched, rig, hil, ring } = setup();
    const msr = new MagStripeReader({ serial: rig.buses.msrSerial, ring, clock: { now: () => sched.now() } });
    const bytes = hil.swipe("mag-debit");
    assert.ok(bytes > 40, "the module sent both tracks");
    const wireMs = (bytes * 10000) / 9600;
    sched.advance(Math.floor(wireMs) - 1);
    assert.equal(rig.links.msr.bytesToFirmware, bytes);
    assert.equal(msr.busy(), false, "no byte has reached the driver yet");
    sched.advance(2);
    for (let t = 0; t < 200; t += 5) {
      sched.advance(5);
      msr.tick(sched.now());
    }
    assert.deepEqual(events(ring).map((e) => e[0]), [EV_CARD_SWIPED]);
  });

  it("the printer driver prints through the UART link; hil.receipts splits at the cut; hil.tearOff forgets the paper", () => {
    const { sched, rig, hil, ring } = setup();
    const printer = new EscPosPrinter({ serial: rig.buses.printerSerial, ring, clock: { now: () => sched.now() }, baud: 9600, busyPin: rig.buses.printerBusy || undefined });
    assert.ok(printer.begin() > 0);
    printer.text("INSIDE RECEIPT");
    printer.line();
    printer.cut();
    printer.end();
    for (let t = 0; t < 10000; t += 10) {
      sched.advance(10);
      printer.tick(sched.now());
    }
    assert.deepEqual(hil.receipts().length, 1);
    assert.ok(hil.printed().indexOf("INSIDE RECEIPT") >= 0, JSON.stringify(hil.printed()));
    const lines = hil.printed().length;
    assert.equal(hil.tearOff(), lines);
    assert.deepEqual(hil.printed(), []);
    assert.deepEqual(hil.receipts(), []);
  });

  it("printerInstant: a receipt's lines print in one batch on one interpreter timer, not one timer a line", () => {
    const run = (instant: boolean) => {
      const sched = new Scheduler();
      let timers = 0;
      const source: TimeSource = { setTimeout: (fn, ms) => (timers++, sched.setTimeout(fn, ms)), now: () => sched.now() };
      const rig = buildInsideRig(source, { printerInstant: instant }, () => null);
      const ring = new EventRing(32);
      const printer = new EscPosPrinter({ serial: rig.buses.printerSerial, ring, clock: { now: () => sched.now() }, baud: 9600, busyPin: rig.buses.printerBusy || undefined });
      printer.begin();
      for (let i = 0; i < 20; i++) {
        printer.text("LINE " + i);
        printer.line();
      }
      printer.cut();
      printer.end();
      for (let t = 0; t < 20000 && rig.models.printer.cuts() === 0; t += 10) {
        sched.advance(10);
        printer.tick(sched.now());
      }
      const lines = rig.models.printer.lines().filter((l) => /^LINE /.test(l)).length;
      return { lines, timers, errors: rig.models.printer.errors.length };
    };
    const paced = run(false);
    const instant = run(true);
    assert.equal(paced.lines, 20);
    assert.equal(instant.lines, 20, "the same paper");
    assert.equal(instant.errors, 0);
    assert.ok(paced.timers >= 20, `paced: ${paced.timers} timers`);
    assert.ok(instant.timers < paced.timers / 2, `instant: ${instant.timers} timers (paced ${paced.timers})`);
  });

  it("paperOut / loadPaper / printerSilent reach the printer model; BUSY reads high without paper", () => {
    const { hil, rig } = setup();
    assert.equal(rig.buses.printerBusy!.read(), false);
    hil.paperOut();
    assert.equal(hil.status().paperOut, true);
    assert.equal(rig.buses.printerBusy!.read(), true);
    hil.loadPaper();
    assert.equal(hil.status().paperOut, false);
    assert.equal(hil.printerSilent(true), true);
    assert.equal(hil.printerSilent(false), false);
  });

  it("a chip card seats, the present switch reads closed through the pin, and pulls out", () => {
    const { hil, rig } = setup();
    const pin = rig.buses.iccPresent;
    pin.mode("input_pullup");
    assert.equal(pin.read(), true, "open switch with pull-up reads high");
    assert.equal(hil.insert("chip-debit"), "chip-debit");
    assert.equal(pin.read(), false, "seated card closes the switch to GND");
    assert.equal(hil.status().card, "chip-debit");
    assert.equal(hil.pull(), true);
    assert.equal(hil.pull(), false);
    assert.equal(pin.read(), true);
  });

  it("bad input throws a clear error and changes nothing", () => {
    const { hil, rig } = setup();
    assert.throws(() => hil.key("NOPE"), /hil.key: no key "NOPE"/);
    assert.throws(() => hil.keys("12x"), /hil.keys: no key for "x"/);
    assert.equal(hil.status().keysBusyMs, 0, "no key of '12x' was typed");
    assert.throws(() => hil.swipe("no-such-card"), /no test card 'no-such-card'/);
    assert.throws(() => hil.insert("mag-debit"), /has no chip/);
    hil.insert("chip-debit");
    assert.throws(() => hil.insert("chip-credit"), /chip-debit is still in the reader/);
    assert.equal(hil.status().card, "chip-debit");
    assert.throws(() => hil.readerSilent(true, "printer"), /reader must be "icc" or "msr"/);
    assert.equal(rig.models.icc.silent, false);
    assert.throws(() => hil.paperOut(-1), /afterLines must be a number >= 0/);
    assert.equal(hil.status().paperOut, false);
  });

  it("cards() lists every card with a masked PAN; help() names every method", () => {
    const { hil } = setup();
    const cards = hil.cards();
    assert.ok(cards.some((c) => c.id === "frozen" && !c.chip));
    const debit = cards.find((c) => c.id === "mag-debit")!;
    assert.equal(debit.pan, "622202******9873");
    for (const name of HIL_METHODS) assert.equal(typeof (hil as unknown as Record<string, unknown>)[name], "function", name);
    assert.ok(hil.help().indexOf("tearOff") >= 0);
  });

  it("net hands the firmware what the interpreter's require('net') gives, or says there is none", () => {
    const fake = { connect: () => null } as unknown as NetLike;
    let got: [NetLike | null, string] | null = null;
    setup(fake).rig.buses.net({ wifiSsid: "", wifiPassword: "" }, (n, err) => (got = [n, err]));
    assert.deepEqual(got, [fake, ""]);
    setup(null).rig.buses.net({ wifiSsid: "", wifiPassword: "" }, (n, err) => (got = [n, err]));
    assert.deepEqual(got, [null, "no network module"]);
  });
});
