import { strict as assert } from "node:assert";
import { Scheduler } from "../../hil/sim/scheduler";
import { ModelI2C } from "../../hil/models/buses";
import { Hd44780Pcf8574Model, UNKNOWN_GLYPH, type Hd44780ModelOptions } from "../../hil/models/hd44780-pcf8574";
import { EventRing } from "../../firmware/lib/event-ring";
import { EV_LCD_FAULT, EV_LCD_OK } from "../../firmware/events";
import {
  Hd44780Lcd, LCD_ERR_FAULT, LCD_ERR_INIT, LCD_ERR_RANGE, LCD_GLYPH_BITMAPS, LCD_YUAN, lcdCharCode,
  type Hd44780LcdOptions,
} from "../../firmware/drivers/hd44780-lcd";

type Ev = [number, number, number];

function rig(model: Hd44780ModelOptions = {}, driver: Partial<Hd44780LcdOptions> = {}, useClock = true) {
  const sched = new Scheduler();
  const lcdModel = new Hd44780Pcf8574Model({ clock: sched, ...model });
  const i2c = new ModelI2C();
  i2c.attach(lcdModel);
  const ring = new EventRing(8);
  const lcd = new Hd44780Lcd({
    i2c,
    address: lcdModel.address,
    cols: lcdModel.cols,
    rows: lcdModel.rows,
    ring,
    clock: useClock ? sched : undefined,
    ...driver,
  });
  const drain = (): Ev[] => {
    const out: Ev[] = [];
    while (ring.shift()) out.push([ring.kind, ring.a, ring.b]);
    return out;
  };
  return { sched, model: lcdModel, i2c, ring, lcd, drain };
}

/** init, then flush on a UI tick until the display is up. A fast tick leaves the init waits to the driver. */
function boot(r: ReturnType<typeof rig>, tickMs = 1): void {
  r.lcd.init();
  r.sched.setInterval(() => r.lcd.flush(), tickMs);
  r.sched.advance(200);
}

/** Feed raw PCF8574 bytes (common backpack map) to the model, as a bad driver might. */
function nibbles(model: Hd44780Pcf8574Model, list: [number, boolean][]): void {
  for (const [n, rs] of list) {
    const ctl = 0x08 | (rs ? 0x01 : 0); // backlight, RS; RS set before E rises
    model.onWrite(new Uint8Array([ctl, ctl | (n << 4) | 0x04, ctl | (n << 4)]));
  }
}

describe("Hd44780Lcd against the HD44780 + PCF8574 model", () => {
  it("runs the datasheet init; the model accepts it with no errors", () => {
    const r = rig();
    assert.equal(r.lcd.flush(), LCD_ERR_INIT, "before init()");
    boot(r);
    assert.deepEqual(r.model.errors, []);
    assert.equal(r.lcd.flush(), 0, "ready: nothing to send");
    assert.equal(r.model.mode8, false);
    assert.ok(r.model.twoLine && r.model.displayOn && r.model.backlight);
    assert.deepEqual(r.model.lines(), ["                ", "                "]);
    assert.deepEqual(r.drain(), [], "a clean boot reports nothing");
  });

  it("shows text on a 16x2, padding, clipping and mapping what the ROM lacks to '?'", () => {
    const r = rig();
    boot(r);
    assert.equal(r.lcd.setLine(0, "SALE"), 4);
    assert.equal(r.lcd.setLine(1, "0123456789ABCDEFGH"), 16);
    r.sched.advance(40);
    assert.deepEqual(r.model.lines(), ["SALE            ", "0123456789ABCDEF"]);
    r.lcd.setLine(0, "a\\b~c\u00e9");
    r.sched.advance(40);
    assert.equal(r.model.lines()[0], "a?b?c?          ");
    assert.equal(r.lcd.text(0), "a?b?c?          ");
    assert.equal(r.lcd.setLine(2, "x"), LCD_ERR_RANGE);
    assert.equal(r.lcd.cursor(0, 16), LCD_ERR_RANGE);
    assert.deepEqual(r.model.errors, []);
  });

  it("shows text on a 20x4 (rows 3 and 4 at DDRAM 0x14 / 0x54)", () => {
    const r = rig({ cols: 20, rows: 4 });
    boot(r);
    const text = ["Row one", "Row two", "Row three", "Row four 12345678901"];
    text.forEach((t, i) => r.lcd.setLine(i, t));
    r.sched.advance(40);
    assert.deepEqual(r.model.lines(), text.map((t) => t.padEnd(20).slice(0, 20)));
    assert.equal(r.model.ddram[0x14], "R".charCodeAt(0));
    assert.equal(r.model.ddram[0x54 + 19], "1".charCodeAt(0));
    assert.deepEqual(r.model.errors, []);
  });

  it("flush writes only the changed cells (counted in I2C bytes)", () => {
    const r = rig();
    r.lcd.init();
    for (let i = 0; i < 20; i++) { r.sched.advance(10); r.lcd.flush(); }
    r.lcd.setLine(0, "TOTAL 100.00");
    r.lcd.flush();
    const before = r.model.bytesReceived;
    assert.equal(r.lcd.flush(), 0);
    assert.equal(r.model.bytesReceived, before, "nothing changed: nothing sent");
    r.lcd.setLine(0, "TOTAL 100.50");
    assert.equal(r.lcd.flush(), 1);
    assert.equal(r.model.bytesReceived - before, 6 + 4, "one address command + one data byte");
    const b2 = r.model.bytesReceived;
    r.lcd.setLine(0, "TOTAL 999.50");
    assert.equal(r.lcd.flush(), 3);
    assert.equal(r.model.bytesReceived - b2, 6 + 3 * 4, "one run of three adjacent cells");
    const b3 = r.model.bytesReceived;
    r.lcd.frame[0] = lcdCharCode(0x74); // "t"
    r.lcd.frame[31] = lcdCharCode(0x21); // "!" at row 1, col 15
    assert.equal(r.lcd.flush(), 2);
    assert.equal(r.model.bytesReceived - b3, 2 * (6 + 4), "two separate cells: two addresses");
    assert.deepEqual(r.model.lines(), ["tOTAL 999.50    ", "               !"]);
    assert.deepEqual(r.model.errors, []);
  });

  it("loads the custom glyphs at init and shows the yuan sign from CGRAM", () => {
    const r = rig();
    boot(r);
    assert.deepEqual(r.model.glyph(0), Array.from(LCD_GLYPH_BITMAPS.subarray(0, 8)));
    r.lcd.setLine(0, LCD_YUAN + "12.50");
    r.lcd.setLine(1, "\u00a5 \u2713 \u2717 \uffe5");
    r.sched.advance(40);
    assert.equal(r.model.cellCode(0, 0), 0, "slot 0, not the ROM's 0x5C");
    assert.equal(r.model.lines()[0], "\u00a512.50          ");
    assert.equal(r.model.lines()[1], "\u00a5 \u2713 \u2717 \u00a5         ");
    assert.equal(r.lcd.text(1), "\u00a5 \u2713 \u2717 \u00a5         ");
    assert.equal(lcdCharCode(5), 0x3f, "an empty CGRAM slot is not used");
  });

  it("a glyph that was never loaded shows as unknown in the model", () => {
    const model = new Hd44780Pcf8574Model();
    assert.equal(model.glyph(0).length, 8);
    model.displayOn = true;
    model.ddram[0] = 0;
    assert.equal(model.lines()[0][0], UNKNOWN_GLYPH);
  });

  it("sets backlight and cursor", () => {
    const r = rig();
    boot(r);
    r.lcd.backlight(false);
    r.lcd.cursor(1, 4);
    r.sched.advance(40);
    assert.equal(r.model.backlight, false);
    assert.deepEqual(r.model.cursor(), { row: 1, col: 4 });
    r.lcd.setLine(0, "PIN ****");
    r.sched.advance(40);
    assert.deepEqual(r.model.cursor(), { row: 1, col: 4 }, "put back after writing cells");
    r.lcd.cursor(-1, 0);
    r.sched.advance(40);
    assert.equal(r.model.cursor(), null);
    assert.equal(r.model.backlight, false, "backlight stays off through later writes");
    assert.deepEqual(r.model.errors, []);
  });

  it("an unplugged display gives one fault event, no throw; replugged it is re-initialised and redrawn", () => {
    const r = rig();
    boot(r);
    r.lcd.setLine(0, "APPROVED");
    r.lcd.setLine(1, "AUTH 123456");
    r.sched.advance(40);
    r.model.unplug();
    r.lcd.setLine(1, "AUTH 654321");
    assert.equal(r.lcd.flush(), LCD_ERR_FAULT);
    r.sched.advance(2000); // many flushes and probes: none throws
    assert.equal(r.lcd.flush(), LCD_ERR_FAULT, "still faulted");
    const evs = r.drain();
    assert.equal(evs.length, 1);
    assert.equal(evs[0][0], EV_LCD_FAULT);
    assert.ok(r.lcd.faults >= 4, "probes kept failing and were counted");
    assert.ok(r.lcd.failRun >= 4);
    r.model.plug(); // powered again: blank, 8-bit, needs the full init
    r.sched.advance(1000);
    assert.deepEqual(r.drain(), [[EV_LCD_OK, 0, 0]]);
    assert.ok(r.lcd.flush() >= 0, "answering again");
    assert.deepEqual(r.model.lines(), ["APPROVED        ", "AUTH 654321     "]);
    assert.deepEqual(r.model.errors, [], "the re-init waited out the power-on reset");
  });

  it("recovers from a marginal bus (every Nth write NACKed) with the full text", () => {
    const r = rig();
    boot(r);
    r.model.ackFaultEvery = 7;
    r.lcd.setLine(0, "CONNECTING...");
    r.lcd.setLine(1, "PLEASE WAIT");
    r.sched.advance(100);
    r.model.ackFaultEvery = 0;
    r.sched.advance(1000);
    assert.ok(r.lcd.flush() >= 0, "answering again");
    assert.ok(r.lcd.faults > 0);
    assert.deepEqual(r.model.lines(), ["CONNECTING...   ", "PLEASE WAIT     "]);
    assert.deepEqual(r.model.errors, []);
    const kinds = r.drain().map((e) => e[0]);
    assert.equal(kinds[0], EV_LCD_FAULT);
    assert.equal(kinds[kinds.length - 1], EV_LCD_OK);
  });

  it("a display missing at boot is a fault, and it comes up when connected", () => {
    const r = rig();
    r.model.unplug();
    boot(r);
    assert.equal(r.lcd.flush(), LCD_ERR_FAULT);
    r.lcd.setLine(0, "READY");
    r.model.plug();
    r.sched.advance(1000);
    assert.deepEqual(r.drain().map((e) => e[0]), [EV_LCD_FAULT, EV_LCD_OK]);
    assert.equal(r.model.lines()[0], "READY           ");
    assert.deepEqual(r.model.errors, []);
  });

  it("works without a clock, one init step per flush call", () => {
    const r = rig({}, {}, false);
    boot(r, 20);
    r.lcd.setLine(0, "NO CLOCK");
    r.sched.advance(40);
    assert.equal(r.model.lines()[0], "NO CLOCK        ");
    assert.deepEqual(r.model.errors, []);
  });

  it("works with another backpack bit map and address 0x3F", () => {
    const bits = { rs: 6, rw: 5, e: 4, bl: 7, d4: 0, d5: 1, d6: 2, d7: 3 };
    const r = rig({ address: 0x3f, bits }, { bits });
    boot(r);
    r.lcd.setLine(1, "mjkdz map");
    r.sched.advance(40);
    assert.equal(r.model.lines()[1], "mjkdz map       ");
    assert.deepEqual(r.model.errors, []);
  });

  it("the model flags data before init", () => {
    const s = new Scheduler();
    const m = new Hd44780Pcf8574Model({ clock: s });
    s.advance(50);
    nibbles(m, [[4, true], [1, true]]);
    assert.ok(m.errors.some((e) => /data before init/.test(e)), m.errors.join("; "));
  });

  it("the model flags skipping the reset nibbles, commands in 8-bit mode, and busy writes", () => {
    const s = new Scheduler();
    const m = new Hd44780Pcf8574Model({ clock: s });
    s.advance(50);
    nibbles(m, [[0x2, false], [0x2, false], [0x8, false]]);
    assert.ok(m.errors.some((e) => /without the 0x3, 0x3, 0x3/.test(e)), m.errors.join("; "));

    const m2 = new Hd44780Pcf8574Model({ clock: s });
    s.advance(50);
    nibbles(m2, [[0x3, false], [0x3, false]]); // no 4.1 ms wait
    assert.ok(m2.errors.some((e) => /busy/.test(e)), m2.errors.join("; "));
    nibbles(m2, [[0x8, false]]);
    assert.ok(m2.errors.some((e) => /in 8-bit mode/.test(e)), m2.errors.join("; "));

    const m3 = new Hd44780Pcf8574Model({ clock: s });
    nibbles(m3, [[0x3, false]]); // straight after power-on
    assert.ok(m3.errors.some((e) => /power-on/.test(e)), m3.errors.join("; "));

    const m4 = new Hd44780Pcf8574Model();
    m4.onWrite(new Uint8Array([0x08, 0x3c | 0x01])); // RS rises together with E
    assert.ok(m4.errors.some((e) => /set-up/.test(e)), m4.errors.join("; "));
  });
});
