/**
 * The whole terminal on the virtual board: VirtualBoard + every device model wired as
 * firmware/boards/virtual.ts expects (wiring.ts), pos.cfg provisioned into the flash before
 * boot, optionally its own acquirer host simulator, and the `hil` control object
 * (hil-control.ts) installed as a global in the firmware's context on every boot.
 *
 *   const vt = new VirtualTerminal({ ownHost: true });
 *   await vt.boot();                          // starts the host, writes pos.cfg, boots dist/firmware.js
 *   vt.hil.keys("1250\n"); vt.hil.swipe("mag-debit");
 *   await vt.advance(2000);                   // simulated time, with the host's replies landing
 *   vt.hil.lcd(); vt.hil.receipts();
 *   vt.board.console.send('\x10print(JSON.stringify(hil.lcd()))\n');
 *   vt.powerCut(); await vt.close();
 *
 * `npm start` (hil/start.ts) runs the same thing on real time (runRealTime()).
 */
import { readFileSync } from "node:fs";
import { VirtualBoard } from "../virtual/board";
import { FlashStorage } from "../virtual/flash-storage";
import type { Scheduler } from "../sim/scheduler";
import { KeypadMatrixModel } from "../models/keypad-matrix";
import { Hd44780Pcf8574Model } from "../models/hd44780-pcf8574";
import { EscPosPrinterModel, type EscPosPrinterModelOptions } from "../models/escpos-printer";
import { decodeGb18030 } from "../models/escpos-gb-decode";
import { IccReaderModule } from "../models/icc-reader-module";
import { MsrModule } from "../models/msr-module";
import { HostSimulator, type HostOptions } from "../host/server";
import { CONFIG_FILE, type TerminalConfig } from "../../firmware/config";
import { HIL_METHODS, HilControl, virtualBoardPins, type KeyTiming, type TerminalModels } from "./hil-control";
import { TERMINAL_CARDS } from "./cards";
import { VIRTUAL_WIRING, type TerminalWiring } from "./wiring";
import type { McuFlash } from "../virtual/mcu-flash";

export const DEFAULT_FIRMWARE = "dist/firmware.js";

export interface VirtualTerminalOptions {
  /** Firmware source; default: read `firmwarePath` at boot(). */
  firmware?: string;
  /** Default dist/firmware.js (relative to the working directory). */
  firmwarePath?: string;
  /** Flash image file kept between runs (written on every change); default: flash in memory only. */
  flashFile?: string;
  /** Flash size for a new image, default 64 KiB. */
  flashBytes?: number;
  /** Storage page size, default 1 KiB (a Pico's Storage has 16 KiB pages). */
  flashPageBytes?: number;
  /** The microcontroller's free flash pages (require("Flash"), E.memoryArea); default none. */
  mcuFlash?: McuFlash;
  sched?: Scheduler;
  /** Wall-clock ms at simulated time 0 (what the terminal's clock shows); default 2024-03-05 06:07 UTC. */
  clockStartMs?: number;
  /** Start a HostSimulator on an ephemeral loopback port at boot() and point pos.cfg at it. */
  ownHost?: boolean;
  hostOptions?: HostOptions;
  /** A host someone else runs: pos.cfg points at this port (ignored with ownHost). */
  hostPort?: number;
  /** Further pos.cfg fields to provision (tid, mid, lang, ...). */
  config?: Partial<TerminalConfig>;
  /** false: leave pos.cfg as the flash has it. Default true. */
  provision?: boolean;
  /** Key taps from hil.key/keys. Default hold 80 ms, gap 80 ms (the driver debounces 20 ms). */
  keyTiming?: Partial<KeyTiming>;
  /** Keypad contact bounce, ms (default 5). */
  keyBounceMs?: number;
  printer?: EscPosPrinterModelOptions;
  wiring?: TerminalWiring;
  /** Simulated ms per step of advance() between socket settles (default 20). */
  stepMs?: number;
}

/** 2024-03-05 06:07:00 UTC: a fixed clock so tests do not depend on the day they run. */
export const DEFAULT_CLOCK_START = Date.UTC(2024, 2, 5, 6, 7, 0);

export class VirtualTerminal {
  readonly board: VirtualBoard;
  readonly models: TerminalModels;
  readonly wiring: TerminalWiring;
  /** The device controls (the same object the firmware context sees as `hil`, Node side). */
  readonly hil: HilControl;
  /** The host simulator, when this terminal owns one (ownHost), after boot(). */
  host: HostSimulator | null = null;
  private readonly opts: VirtualTerminalOptions;
  private readonly stepMs: number;
  private stopRealTime: (() => void) | null = null;
  private closed = false;

  constructor(opts: VirtualTerminalOptions = {}) {
    this.opts = opts;
    this.wiring = opts.wiring || VIRTUAL_WIRING;
    this.stepMs = opts.stepMs || 20;
    const storage = new FlashStorage({ bytes: opts.flashBytes || 64 * 1024, pageSize: opts.flashPageBytes, file: opts.flashFile, autoSave: !!opts.flashFile });
    this.board = new VirtualBoard({
      sched: opts.sched,
      storage: storage,
      mcuFlash: opts.mcuFlash,
      boardName: "VIRTUAL",
      clockStartMs: opts.clockStartMs !== undefined ? opts.clockStartMs : DEFAULT_CLOCK_START,
    });
    const sched = this.board.sched;
    const w = this.wiring;
    this.models = {
      keypad: new KeypadMatrixModel({ sched: sched, keymap: w.keypad.keymap, bounceMs: opts.keyBounceMs !== undefined ? opts.keyBounceMs : 5 }),
      lcd: new Hd44780Pcf8574Model({ address: w.lcd.address, cols: w.lcd.cols, rows: w.lcd.rows, clock: sched }),
      printer: new EscPosPrinterModel(sched, Object.assign({ decodeGb: decodeGb18030 }, opts.printer || {})),
      icc: new IccReaderModule({ timers: sched }),
      msr: new MsrModule(),
    };
    this.wire();
    const t = opts.keyTiming || {};
    this.hil = new HilControl({
      models: this.models,
      timers: sched,
      timing: { holdMs: t.holdMs || 80, gapMs: t.gapMs || 80 },
      cards: TERMINAL_CARDS,
      pins: virtualBoardPins(this.board, this.wiring),
    });
    this.installHilOnEveryBoot();
  }

  /** The wiring table applied to the board: the device end of every wire. */
  private wire(): void {
    const b = this.board;
    const w = this.wiring;
    const m = this.models;
    b.attachI2C(w.lcd.bus, m.lcd);
    b.attachUart(w.printer.uart, m.printer);
    b.attachPin(w.printer.busyPin, m.printer.busyNet);
    b.attachUart(w.icc.uart, m.icc);
    b.attachPin(w.icc.presentPin, m.icc.presentSwitch);
    b.attachUart(w.msr.uart, m.msr);
    for (let r = 0; r < w.keypad.rows.length; r++) b.attachPin(w.keypad.rows[r], m.keypad.rows[r]);
    for (let c = 0; c < w.keypad.cols.length; c++) b.attachPin(w.keypad.cols[c], m.keypad.cols[c]);
    m.keypad.onChange(function (net) {
      const r = m.keypad.rows.indexOf(net);
      b.pinChanged(r >= 0 ? w.keypad.rows[r] : w.keypad.cols[m.keypad.cols.indexOf(net)]);
    });
  }

  /** The board's free flash pages (the mcuFlash option); throws when it has none. */
  mcuFlash(): McuFlash {
    if (!this.board.mcuFlash) throw new Error("VirtualTerminal: no mcuFlash given");
    return this.board.mcuFlash;
  }

  /** The host port pos.cfg points at (0 when none is known yet). */
  get hostPort(): number {
    if (this.host) return this.host.port;
    return this.opts.hostPort || 0;
  }

  /** Start the owned host (if any), provision pos.cfg, and power the board on with the firmware. */
  async boot(): Promise<void> {
    if (this.closed) throw new Error("VirtualTerminal: closed");
    if (this.opts.ownHost && !this.host) {
      const host = new HostSimulator(Object.assign({ port: 0 }, this.opts.hostOptions || {}));
      await host.listen();
      this.host = host;
    }
    if (this.opts.provision !== false) this.provision();
    const code = this.opts.firmware !== undefined ? this.opts.firmware : readFileSync(this.opts.firmwarePath || DEFAULT_FIRMWARE, "utf8");
    this.board.load(code);
  }

  /**
   * Write pos.cfg as manufacturing would: the host address plus the `config` overrides (the
   * firmware's defaults fill the rest). Rewritten only when it differs, so a kept flash image
   * is not worn by every run.
   */
  provision(): void {
    const cfg: Partial<TerminalConfig> = {};
    const port = this.hostPort;
    if (port > 0) {
      cfg.hostIp = "127.0.0.1";
      cfg.hostPort = port;
    }
    Object.assign(cfg, this.opts.config || {});
    const storage = this.board.storage;
    if (storage.poweredOff) storage.powerOn();
    const text = JSON.stringify(cfg);
    if (storage.read(CONFIG_FILE) === text) return;
    storage.erase(CONFIG_FILE);
    if (text !== "{}") storage.write(CONFIG_FILE, text);
  }

  /**
   * Abrupt power loss and return. The parts powered from the board go down with it: the LCD
   * backpack comes back in its power-on state (the firmware must init it again) and the chip
   * reader's contacts are unpowered. The printer has its own supply and keeps its buffer.
   */
  powerCut(): void {
    const lcd = this.models.lcd;
    if (lcd.connected) {
      lcd.unplug(true);
      lcd.plug();
    }
    this.models.icc.powered = false;
    this.board.powerCut();
  }

  /** Soft reset (E.on('kill'), the same code boots again); devices keep their power. */
  reset(): void {
    this.board.reset();
  }

  /**
   * Step simulated time by `ms`, letting loopback socket I/O (the host's replies) reach the
   * firmware between steps: settle, step at most stepMs, repeat; settle once more at the end.
   */
  async advance(ms: number, stepMs?: number): Promise<void> {
    const sched = this.board.sched;
    const step = stepMs || this.stepMs;
    const end = sched.now() + Math.max(0, ms);
    for (;;) {
      await this.board.settle();
      if (sched.now() >= end) break;
      sched.advanceTo(Math.min(end, sched.now() + step));
    }
  }

  /** Follow real time (npm start); socket I/O arrives as it happens. Returns stop(). */
  runRealTime(tickMs = 5): () => void {
    if (this.stopRealTime) this.stopRealTime();
    const stop = this.board.runRealTime(tickMs);
    this.stopRealTime = stop;
    const self = this;
    return function () {
      stop();
      if (self.stopRealTime === stop) self.stopRealTime = null;
    };
  }

  /** Stop real time, switch the board off (the flash image is saved), close an owned host. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.stopRealTime) this.stopRealTime();
    this.stopRealTime = null;
    this.board.powerOff();
    if (this.host) await this.host.close();
  }

  /**
   * Install `hil` in each new firmware context. The board has no boot hook, but it attaches its
   * console to every new context before the firmware runs (board.ts start()), so that is where
   * this hooks in: after a load, reset, power cut, watchdog or E.reboot() alike.
   */
  private installHilOnEveryBoot(): void {
    const cons = this.board.console;
    const attach = cons.attach.bind(cons);
    const self = this;
    cons.attach = function (evaluator) {
      attach(evaluator);
      if (evaluator) self.installHil();
    };
  }

  /**
   * `hil` is a host FUNCTION carrying the methods: the board's memory estimate counts a host
   * function as one block (as a firmware object it would count every member), so the test
   * hook does not distort the firmware's memory figures. Results are rebuilt as values of the
   * firmware's realm (its JSON.parse), errors thrown as its Error, so the console prints them
   * the Espruino way.
   */
  private installHil(): void {
    const g = this.board.eval("global") as Record<string, unknown> & { JSON: JSON; Error: ErrorConstructor };
    const realmJson = g.JSON;
    const RealmError = g.Error;
    const control = this.hil as unknown as Record<string, (...a: unknown[]) => unknown>;
    const hil = function hil() {
      return "hil: " + HIL_METHODS.join(", ");
    } as unknown as Record<string, unknown>;
    for (const name of HIL_METHODS) {
      hil[name] = function (...args: unknown[]) {
        let v: unknown;
        try {
          v = control[name].apply(control, args.map(plain));
        } catch (e) {
          throw new RealmError((e as Error).message);
        }
        return v === undefined ? undefined : realmJson.parse(JSON.stringify(v));
      };
    }
    Object.defineProperty(g, "hil", { value: hil, writable: true, configurable: true, enumerable: false });
  }
}

/** Firmware arguments (objects of another realm) as plain Node values. */
function plain(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  return JSON.parse(JSON.stringify(v));
}
