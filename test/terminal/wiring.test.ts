import { strict as assert } from "node:assert";
import { VIRTUAL_WIRING } from "../../hil/terminal/wiring";

/**
 * The virtual terminal's wiring table must be the device-side mirror of what the firmware's
 * virtual profile sets up: run the profile's wire() against stub board globals and compare.
 */
describe("virtual terminal wiring", () => {
  const names: string[] = [];
  const setups: Record<string, unknown[]> = {};
  const g = globalThis as Record<string, unknown>;

  before(() => {
    for (const port of ["A", "B", "C"]) for (let i = 0; i < 16; i++) names.push(port + i);
    for (const n of names) g[n] = { pin: n };
    for (const bus of ["I2C1", "Serial1", "Serial2", "Serial3"]) {
      names.push(bus);
      g[bus] = {
        bus: bus,
        setup: (...a: unknown[]) => {
          setups[bus] = a;
        },
      };
    }
  });
  after(() => {
    for (const n of names) delete g[n];
  });

  it("matches firmware/boards/virtual.ts pin for pin and baud for baud", async () => {
    // firmware/boards is type-checked with the Espruino types, not the Node ones: load it at run time
    const path = "../../firmware/boards/virtual.ts";
    const { virtual } = (await import(path)) as { virtual: any };
    const buses = virtual.wire();
    const w = VIRTUAL_WIRING;
    assert.deepEqual(virtual.lcd, { address: w.lcd.address, cols: w.lcd.cols, rows: w.lcd.rows });
    assert.equal(buses.lcdI2c.bus, w.lcd.bus);
    assert.equal(buses.printerSerial.bus, w.printer.uart);
    assert.equal(setups[w.printer.uart][0], w.printer.baud);
    assert.equal(buses.printerBaud, w.printer.baud);
    assert.equal(buses.printerBusy.pin, w.printer.busyPin);
    assert.equal(buses.iccSerial.bus, w.icc.uart);
    assert.equal(setups[w.icc.uart][0], w.icc.baud);
    assert.equal(buses.iccPresent.pin, w.icc.presentPin);
    assert.equal(buses.msrSerial.bus, w.msr.uart);
    assert.equal(setups[w.msr.uart][0], w.msr.baud);
    assert.deepEqual(buses.keypadRows.map((p: { pin: string }) => p.pin), w.keypad.rows);
    assert.deepEqual(buses.keypadCols.map((p: { pin: string }) => p.pin), w.keypad.cols);
  });
});
