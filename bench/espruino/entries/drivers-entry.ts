/**
 * Bench entry (runs inside the interpreter): the hot drivers alone, on stub buses, so the bench
 * can measure what one keypad scan tick, one received card byte and one printer chunk cost
 * (time, retained and transient blocks). The firmware bundle does not expose its driver
 * instances, hence this separate bundle of the same driver code. Test glue only: the stubs
 * and tables are built once, at load.
 *
 *   D("none")            one() doing nothing but drain the ring (the baseline of the calls below)
 *   D("scan", held)      one MatrixKeypad.scan(); held = 1: one key (row 1, col 2) is down
 *   D("press")           key up for 6 scans, then down for 6: the scan that reports the press
 *   D("msr")             the MSR's receive handler with the next byte of a swipe (cycling)
 *   D("swipe")           a whole swipe, one byte per handler call, then a tick: the worst byte
 *                        (the end of the swipe, where it is checked and the card record filled)
 *   D("job")             build a receipt-sized print job and let its status query answer
 *   D("chunk")           one EscPosPrinter.tick() that sends one 32-byte chunk
 *   D("loop", what, n, arg)  n of them in a loop: [blocks retained, microseconds per call]
 */
import { EventRing } from "../../../firmware/lib/event-ring";
import { MatrixKeypad } from "../../../firmware/drivers/keypad";
import { MagStripeReader } from "../../../firmware/drivers/msr";
import { EscPosPrinter } from "../../../firmware/drivers/escpos-printer";
import type { PinLike, PinMode } from "../../../firmware/hal/pin";

declare const global: { [k: string]: unknown };
declare const process: { memory(gc?: boolean): { usage: number } };
declare function getTime(): number;

let now = 1000;
function nowMs(): number {
  return now;
}
function nothing(): void {}
const clock = { now: nowMs };

// Espruino does not hoist function declarations: every function is declared before it is used.
const rowLow = [false, false, false, false];
let held = 0;
let msrHandler: ((d: string) => void) | null = null;
let prnHandler: ((d: string) => void) | null = null;
function onMsr(_e: string, h: (d: string) => void): void {
  msrHandler = h;
}
function onPrn(_e: string, h: (d: string) => void): void {
  prnHandler = h;
}

function rowPin(r: number): PinLike {
  return {
    read: function () {
      return !rowLow[r];
    },
    write: function (v: boolean) {
      rowLow[r] = !v;
    },
    mode: function (m: PinMode) {
      if (m === "input" || m === "input_pullup") rowLow[r] = false;
    },
  };
}

function colPin(c: number): PinLike {
  return {
    read: function () {
      return !(held === 1 && c === 2 && rowLow[1]);
    },
    write: nothing,
    mode: nothing,
  };
}

const ring = new EventRing(32);
const rows: PinLike[] = [];
const cols: PinLike[] = [];
for (let r = 0; r < 4; r++) rows.push(rowPin(r));
for (let c = 0; c < 4; c++) cols.push(colPin(c));
const keypad = new MatrixKeypad({ rows: rows, cols: cols, ring: ring, clock: clock });

const msr = new MagStripeReader({
  serial: { write: nothing, on: onMsr },
  ring: ring,
  clock: clock,
});
const SWIPE = "%B6222021000009873^ZHANG/SAN^3012101000000000000?\r;6222021000009873=301210112345678?\r\n";
const BYTES: string[] = [];
for (let i = 0; i < SWIPE.length; i++) BYTES.push(SWIPE.charAt(i));
let msrAt = 0;

const printer = new EscPosPrinter({ serial: { write: nothing, on: onPrn }, ring: ring, clock: clock, baud: 115200, lineMs: 0 });
const STATUS_OK = "\x12";
const PRINTER_IDLE = printer.state();
const LINE = "AMOUNT:              RMB 12.50";

function drain(): void {
  while (ring.shift()) {
    // events are not the subject here
  }
}

function one(what: string, arg: number): number {
  if (what === "scan") {
    held = arg;
    now += 5;
    keypad.scan();
  } else if (what === "press") {
    for (let i = 0; i < 12; i++) {
      held = i < 6 ? 0 : 1;
      now += 5;
      keypad.scan();
    }
  } else if (what === "msr") {
    now += 1;
    if (msrHandler) msrHandler(BYTES[msrAt]);
    msrAt++;
    if (msrAt === BYTES.length) {
      msrAt = 0;
      now += 100;
      msr.tick(now);
    }
  } else if (what === "swipe") {
    for (let i = 0; i < BYTES.length; i++) {
      now += 1;
      if (msrHandler) msrHandler(BYTES[i]);
    }
    now += 100;
    msr.tick(now);
  } else if (what === "chunk") {
    if (printer.state() === PRINTER_IDLE) one("job", 0);
    now += 50;
    printer.tick(now);
    if (prnHandler) prnHandler(STATUS_OK);
  } else if (what === "job") {
    printer.discard();
    printer.begin();
    for (let i = 0; i < 24; i++) {
      printer.text(LINE);
      printer.line();
    }
    printer.cut();
    printer.end();
    now += 50;
    printer.tick(now); // the status query goes out
    if (prnHandler) prnHandler(STATUS_OK);
    printer.tick(now); // answered: sending starts
  }
  drain();
  return 0;
}

global.D = function (cmd: string, a: any, b: any, c: any): unknown {
  if (cmd === "loop") {
    const n = b;
    const arg = c || 0;
    const m0 = process.memory(false).usage;
    const t0 = getTime();
    for (let i = 0; i < n; i++) one(a, arg);
    const t1 = getTime();
    const m1 = process.memory(false).usage;
    return [m1 - m0, ((t1 - t0) * 1e6) / n];
  }
  return one(cmd, a);
};
