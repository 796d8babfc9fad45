/**
 * The terminal's parts as device models, wired to firmware-side HAL objects: what
 * firmware/boards/linux.ts takes as `global.hilBuses` when no real parts are attached.
 *
 * Wiring (the device end of each BoardBuses member, as on the virtual board):
 *   keypadRows/keypadCols  ModelPin over the KeypadMatrixModel's row/column nets (4x4, default keymap)
 *   lcdI2c                 ModelI2C with the Hd44780Pcf8574Model at 0x27 (20x4, as the linux profile)
 *   msrSerial              InsideUart to the MsrModule, 9600 baud
 *   iccSerial, iccPresent  InsideUart to the IccReaderModule (38400 baud), ModelPin over its switch
 *   printerSerial/Busy     InsideUart to the EscPosPrinterModel (9600 baud), ModelPin over BUSY
 *   net                    require("net") of the interpreter (real sockets)
 */
import type { BoardBuses, NetConfig } from "../../firmware/boards/profile";
import type { NetLike } from "../../firmware/hal/socket";
import type { PinLike } from "../../firmware/hal/pin";
import { ModelI2C, ModelPin } from "../models/buses";
import { KeypadMatrixModel } from "../models/keypad-matrix";
import { Hd44780Pcf8574Model } from "../models/hd44780-pcf8574";
import { EscPosPrinterModel } from "../models/escpos-printer";
import { IccReaderModule } from "../models/icc-reader-module";
import { MsrModule } from "../models/msr-module";
import type { PinNet } from "../models/ports";
import { InsideUart, timedWire, type Wire } from "./uart-link";
import { ModelTimers, type TimeSource } from "./timers";
import type { KeyScans, TerminalModels } from "./control";

/** Knobs (all optional), read from `global.hilOptions` by main.ts before the models are built. */
export interface InsideOptions {
  /** LCD geometry and address; default 20x4 at 0x27 (firmware/boards/linux.ts). */
  lcdCols?: number;
  lcdRows?: number;
  lcdAddress?: number;
  /** Keypad contact bounce, ms (default 5, as the virtual terminal). */
  keyBounceMs?: number;
  /** hil.key tap: hold and gap, ms (default 80 / 80; the driver debounces 20 ms). */
  keyHoldMs?: number;
  keyGapMs?: number;
  /** Printer speed (default 60 mm/s, the model's) and receive buffer (default 4096). */
  printerMmPerSecond?: number;
  /**
   * true: the printer model's print timers all run in one batch as soon as the interpreter is
   * idle, instead of one interpreter timer per printed line (each of which costs a firmware loop
   * tick inside the interpreter, so a receipt takes ~50 ticks). For long bench loops where the
   * print speed is not what is measured; the firmware still paces its bytes by the baud rate
   * and sees the model's buffer, BUSY and status answers. Default false.
   */
  printerInstant?: boolean;
  printerBufferBytes?: number;
  printerBaud?: number;
  iccBaud?: number;
  msrBaud?: number;
  /** false: the LCD model does not check HD44780 timing against the clock (default true). */
  lcdTiming?: boolean;
}

/** The same set of models as the virtual terminal's (control.ts TerminalModels). */
export type InsideModels = TerminalModels;

export interface InsideRig {
  models: InsideModels;
  buses: BoardBuses;
  timers: ModelTimers;
  links: { msr: InsideUart; icc: InsideUart; printer: InsideUart };
  /** The firmware's keypad scans: how many so far, and when the last one read the matrix. */
  scans: KeyScans;
}

/**
 * Build the models and the buses over them. `net` is what `buses.net` hands the firmware;
 * `wire` carries the UART chunks (default: after their wire time on the timers).
 */
export function buildInsideRig(source: TimeSource, opts: InsideOptions, net: () => NetLike | null, wire?: Wire): InsideRig {
  const timers = new ModelTimers(source);
  const uartWire = wire || timedWire(timers);
  const sched = timers.asScheduler();
  const models: InsideModels = {
    keypad: new KeypadMatrixModel({ sched: sched, bounceMs: opts.keyBounceMs !== undefined ? opts.keyBounceMs : 5 }),
    lcd: new Hd44780Pcf8574Model({
      address: opts.lcdAddress || 0x27,
      cols: opts.lcdCols || 20,
      rows: opts.lcdRows || 4,
      clock: opts.lcdTiming === false ? undefined : timers,
    }),
    // No decodeGb: iconv is not available inside; Chinese text shows as <hex> (model fallback).
    printer: new EscPosPrinterModel(opts.printerInstant ? batchedTimers(timers).asScheduler() : sched, {
      mmPerSecond: opts.printerMmPerSecond,
      bufferBytes: opts.printerBufferBytes,
    }),
    icc: new IccReaderModule({ timers: timers }),
    msr: new MsrModule(),
  };
  const i2c = new ModelI2C();
  i2c.attach(models.lcd);
  const printerBaud = opts.printerBaud || 9600;
  const links = {
    msr: new InsideUart(uartWire, models.msr, opts.msrBaud || 9600),
    icc: new InsideUart(uartWire, models.icc, opts.iccBaud || 38400),
    printer: new InsideUart(uartWire, models.printer, printerBaud),
  };
  // Count the firmware's keypad scans on the first row wire, and time them: a tap must last a
  // few scans that span the driver's debounce, not only a few milliseconds, or a slow firmware
  // loop would never see it (control.ts).
  let rowReleases = 0;
  let lastScanAt = 0;
  const row0 = models.keypad.rows[0];
  const rowNets: PinNet[] = [
    {
      driven: function (level: boolean | null): void {
        if (level === true && (rowReleases++ & 1) === 1) lastScanAt = timers.now(); // row 1 read
        row0.driven(level);
      },
      level: function (pulledUp: boolean): boolean {
        return row0.level(pulledUp);
      },
    },
  ];
  for (let i = 1; i < models.keypad.rows.length; i++) rowNets.push(models.keypad.rows[i]);
  const buses: BoardBuses = {
    keypadRows: pinsOver(rowNets),
    keypadCols: pinsOver(models.keypad.cols),
    lcdI2c: i2c,
    msrSerial: links.msr.firmware,
    iccSerial: links.icc.firmware,
    iccPresent: new ModelPin(models.icc.presentSwitch),
    printerSerial: links.printer.firmware,
    printerBaud: printerBaud,
    printerBusy: new ModelPin(models.printer.busyNet),
    net: function (cfg: NetConfig, ready: (n: NetLike | null, err: string) => void): void {
      void cfg; // the host's own network stack: no credentials to use
      const n = net();
      ready(n, n ? "" : "no network module");
    },
  };
  return {
    models: models,
    buses: buses,
    timers: timers,
    links: links,
    scans: {
      count: function (): number {
        return rowReleases >> 1;
      },
      lastAt: function (): number {
        return lastScanAt;
      },
    },
  };
}

/**
 * Timers that run, in the order set, in one batch on one timer of `source` (0 ms): a callback
 * that sets another joins the same batch (up to 10000 callbacks a batch), so a chain of short
 * delays costs one interpreter timer. Delays are ignored: for printerInstant only.
 */
function batchedTimers(source: TimeSource): ModelTimers {
  const queue: (() => void)[] = [];
  let armed = false;
  const flush = function (): void {
    let n = 0;
    while (queue.length > 0 && n++ < 10000) {
      const fn = queue.shift();
      if (fn) fn();
    }
    armed = false;
    if (queue.length > 0) arm();
  };
  const arm = function (): void {
    armed = true;
    source.setTimeout(flush, 0);
  };
  return new ModelTimers({
    setTimeout: function (fn: () => void, ms: number): number {
      void ms;
      queue.push(fn);
      if (!armed) arm();
      return 1; // never 0: the printer model reads 0 as "no timer pending"
    },
    now: function (): number {
      return source.now();
    },
  });
}

function pinsOver(nets: PinNet[]): PinLike[] {
  const out: PinLike[] = [];
  for (let i = 0; i < nets.length; i++) out.push(new ModelPin(nets[i]));
  return out;
}
