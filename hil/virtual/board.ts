/**
 * The virtual Espruino board: runs the firmware bundle (dist/firmware.js) unchanged in a
 * Node `vm` context with Espruino's globals, on simulated time (hil/sim/scheduler.ts).
 * Device models plug into its pins, UARTs and I2C buses (hil/models/ports.ts) and stay
 * plugged in across resets; the flash (flash-storage.ts) keeps its contents across resets
 * and power cuts. What the board does not emulate throws, naming it (loud.ts).
 *
 * Usage:
 *   const board = new VirtualBoard();
 *   board.attachI2C("I2C1", lcdModel);
 *   board.load(readFileSync("dist/firmware.js", "utf8"));
 *   board.console.send("\x10print(1+1)\n");   // board.console.output ends "2\r\n"
 *   board.sched.advance(1000);                 // one simulated second of timers
 */
import type { I2CDevice, PinNet, UartDevice } from "../models/ports";
import { Scheduler } from "../sim/scheduler";
import { FlashStorage } from "./flash-storage";
import type { McuFlash } from "./mcu-flash";
import { BoardConsole } from "./console";
import { Boot } from "./boot";
import { WallClock } from "./timers";
import { PinWiring } from "./pins";
import { LOOPBACK_PORTS, SERIAL_PORTS, UartWiring, type UartPortName } from "./serial";
import { I2CWiring, type I2CBusName } from "./i2c";
import { isPowerCut } from "./storage";
import { errorText, formatValue } from "./format";
import { toBinaryString } from "./bytes";
import { BASE_USAGE_BLOCKS, SizeEstimator } from "./memory";
import { ClosureReader } from "./closures";
import { unwrap } from "./loud";
import { allListeners, emit, hasListeners } from "./events";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Fn = (...a: any[]) => any;

export interface VirtualBoardOptions {
  sched?: Scheduler;
  /** The flash; default a new 64 KiB FlashStorage (1 KiB pages). */
  storage?: FlashStorage;
  /** The microcontroller's free flash pages behind require("Flash") / E.memoryArea; default none. */
  mcuFlash?: McuFlash;
  /** process.env.BOARD; default the host's BOARD variable, else "VIRTUAL". */
  boardName?: string;
  /** Memory budget in blocks for process.memory(); default 5100 (Espruino Pico). */
  memoryBlocks?: number;
  /** Wall-clock ms at scheduler time 0; default 0 (a board whose clock was never set). */
  clockStartMs?: number;
  /** process.env.VERSION; default "2v29" (the interpreter shared/ESPRUINO.md was checked on). */
  version?: string;
}

export type ResetCause = "load" | "reset" | "powerCut" | "watchdog" | "reboot";

const INCOMPLETE = /Unexpected end of input|Unterminated template literal/;

export class VirtualBoard {
  readonly sched: Scheduler;
  readonly storage: FlashStorage;
  readonly mcuFlash: McuFlash | null;
  readonly console = new BoardConsole();
  readonly boardName: string;
  readonly memoryBlocks: number;
  /** Why the board last started, and how many times it has. */
  lastResetCause: ResetCause | null = null;
  bootCount = 0;
  private readonly clock: WallClock;
  private readonly clockStartMs: number;
  private readonly version: string;
  private readonly pinWiring = new PinWiring();
  private readonly uartWiring = new UartWiring();
  private readonly i2cWiring = new I2CWiring();
  private code: string | null = null;
  /** Boot what Storage's .bootcde says, as a board does at power-on (bootFromStorage()). */
  private fromStorage = false;
  private boot: Boot | null = null;
  private netEvents = 0;

  constructor(opts: VirtualBoardOptions = {}) {
    this.sched = opts.sched || new Scheduler();
    this.storage = opts.storage || new FlashStorage({ bytes: 64 * 1024 });
    this.mcuFlash = opts.mcuFlash || null;
    this.boardName = opts.boardName || process.env.BOARD || "VIRTUAL";
    this.memoryBlocks = opts.memoryBlocks || 5100;
    this.clockStartMs = opts.clockStartMs || 0;
    this.version = opts.version || "2v29";
    this.clock = new WallClock(this.sched, this.clockStartMs);
  }

  /** Whether the board is running (false before load() and after a power cut escaped). */
  get poweredOn(): boolean {
    return this.boot !== null;
  }

  // ------------------------------------------------------------------ power

  /** Power on with this code, as if booting it from Storage. */
  load(code: string): void {
    this.code = code;
    this.fromStorage = false;
    this.restart("load", false);
  }

  /** Power on as a board does: run the Storage file .bootcde (nothing if there is none). */
  bootFromStorage(): void {
    this.code = null;
    this.fromStorage = true;
    this.restart("load", false);
  }

  /** Reboot: E.on('kill') handlers run, sockets close gracefully, the same code boots again. */
  reset(): void {
    const b = this.boot;
    if (b) emit(this.hostFor(b), b.E.obj, "kill", []);
    this.restart("reset", true);
  }

  /** Abrupt power loss and return: nothing graceful. A flash cut armed with cutAfterBytes stays armed. */
  powerCut(): void {
    this.restart("powerCut", false);
  }

  /** Switch the board off and leave it off (sockets dropped, timers gone) until reset() or load(). */
  powerOff(): void {
    this.shutdown(false);
  }

  private restart(cause: ResetCause, graceful: boolean): void {
    const inFirmware = this.boot !== null && this.boot.realm.busy();
    this.shutdown(graceful);
    const self = this;
    // A reset requested from inside firmware code starts once that code has unwound.
    if (inFirmware) this.sched.setTimeout(() => self.start(cause), 0);
    else this.start(cause);
  }

  private shutdown(graceful: boolean): void {
    const b = this.boot;
    if (!b) return;
    this.boot = null;
    b.scope.close();
    b.pins.releaseAll();
    b.net.closeAll(graceful);
    this.console.attach(null);
    if (this.storage.file) this.storage.save();
  }

  private start(cause: ResetCause): void {
    if (this.boot) this.shutdown(false);
    if (this.storage.poweredOff) this.storage.powerOn();
    if (this.mcuFlash && this.mcuFlash.poweredOff) this.mcuFlash.powerOn();
    if (cause === "powerCut" || cause === "load") this.clock.offsetMs = this.clockStartMs;
    const boot = new Boot({
      sched: this.sched,
      clock: this.clock,
      console: this.console,
      storage: this.storage,
      mcuFlash: this.mcuFlash,
      pinWiring: this.pinWiring,
      uartWiring: this.uartWiring,
      i2cWiring: this.i2cWiring,
      boardName: this.boardName,
      version: this.version,
      memoryBlocks: this.memoryBlocks,
      call: (b, fn, s, args) => this.call(b, fn, s, args),
      isOn: (b) => this.boot === b,
      hardReset: (c) => this.restart(c, false),
      loadFromStorage: () => this.bootFromStorage(),
      powerCutInFirmware: () => this.shutdown(false),
      netActivity: () => {
        this.netEvents++;
      },
      memory: (b) => this.estimateMemory(b),
    });
    this.boot = boot;
    this.lastResetCause = cause;
    this.bootCount++;
    this.console.attach({
      evaluate: (code) => this.evaluateLine(boot, code),
      format: (v) => formatValue(v, true),
    });
    const code = this.fromStorage ? this.storage.read(".bootcde") : this.code;
    if (code !== null && code !== undefined) this.call(boot, () => boot.realm.run(code, this.fromStorage ? ".bootcde" : "firmware.js"), undefined, []);
    if (this.boot !== boot) return;
    emit(this.hostFor(boot), boot.E.obj, "init", []);
    const onInit = Object.getOwnPropertyDescriptor(boot.realm.global, "onInit");
    if (onInit && typeof onInit.value === "function") this.call(boot, onInit.value, undefined, []);
  }

  // ------------------------------------------------------------------ running firmware code

  private hostFor(b: Boot) {
    return { call: (fn: Fn, s: unknown, args: unknown[]) => this.call(b, fn, s, args) };
  }

  /** One firmware task: errors print "Uncaught ...", a PowerCut switches the board off. */
  private call(b: Boot, fn: Fn, self: unknown, args: unknown[]): void {
    if (this.boot !== b) return;
    try {
      b.realm.enter(fn, self, args);
    } catch (e) {
      this.uncaught(b, e);
    }
    this.reportRejections(b);
  }

  private uncaught(b: Boot, e: unknown): void {
    if (isPowerCut(e)) {
      this.shutdown(false);
      return;
    }
    if (this.boot !== b) return;
    if (hasListeners(b.process, "uncaughtException")) {
      for (const fn of allListenersOf(b.process, "uncaughtException")) {
        try {
          b.realm.enter(fn, b.process, [e]);
        } catch (e2) {
          if (isPowerCut(e2)) return this.shutdown(false);
          this.console.write("Uncaught " + errorText(e2) + "\r\n");
        }
      }
      return;
    }
    this.console.write("Uncaught " + errorText(e) + "\r\n");
  }

  private reportRejections(b: Boot): void {
    if (this.boot !== b) return;
    for (const reason of b.realm.unhandledRejections()) {
      this.uncaught(b, b.realm.error("Unhandled promise rejection: " + errorText(reason)));
    }
  }

  private evaluateLine(b: Boot, code: string): { value: unknown } | "incomplete" | "failed" {
    try {
      const value = b.realm.enter(() => b.realm.run(code, "REPL"), undefined, []);
      this.reportRejections(b);
      return { value: value };
    } catch (e) {
      const err = e as { name?: string; message?: string };
      if (err && err.name === "SyntaxError" && INCOMPLETE.test(String(err.message))) return "incomplete";
      this.uncaught(b, e);
      this.reportRejections(b);
      return "failed";
    }
  }

  /**
   * Evaluate an expression in the firmware's context, for Node-side tests. Errors are thrown
   * to the caller (a flash power cut also switches the board off first).
   */
  eval(expr: string): unknown {
    const b = this.boot;
    if (!b) throw new Error("virtual board is powered off");
    try {
      return b.realm.enter(() => b.realm.run(expr, "eval"), undefined, []);
    } catch (e) {
      if (isPowerCut(e)) this.shutdown(false);
      throw e;
    } finally {
      if (this.boot === b) this.reportRejections(b);
    }
  }

  // ------------------------------------------------------------------ hardware

  attachI2C(bus: I2CBusName, device: I2CDevice): void {
    this.i2cWiring.attach(bus, device);
  }

  attachUart(port: UartPortName, device: UartDevice): void {
    if ((SERIAL_PORTS as readonly string[]).indexOf(port) < 0 && (LOOPBACK_PORTS as readonly string[]).indexOf(port) < 0) {
      throw new Error("virtual board: no UART " + port);
    }
    if (this.uartWiring.devices.has(port)) throw new Error("virtual board: " + port + " already has a device");
    this.uartWiring.devices.set(port, device);
    const self = this;
    device.attach(function (data: string) {
      const b = self.boot;
      const bytes = toBinaryString(data);
      if (b) b.serial.fromDevice(port, bytes);
      else self.uartWiring.lost.set(port, (self.uartWiring.lost.get(port) || 0) + bytes.length);
    });
  }

  attachPin(pin: string, net: PinNet): void {
    const name = this.pinWiring.attach(pin, net);
    if (this.boot) this.boot.pins.attached(name);
    else net.driven(null);
  }

  /** A model changed the level of the net on `pin`: watches see the edge now. */
  pinChanged(pin: string): void {
    if (this.boot) this.boot.pins.changed(pin);
  }

  /** Bytes devices sent on `port` while it was not set up or the board was off. */
  lostUartBytes(port: UartPortName): number {
    return this.uartWiring.lost.get(port) || 0;
  }

  /** The watchdog as the firmware configured it, or null. */
  watchdog(): { timeoutMs: number; auto: boolean } | null {
    return this.boot ? this.boot.E.watchdog() : null;
  }

  // ------------------------------------------------------------------ time and I/O

  /** Follow real time (npm start): the scheduler advances on a host interval. Returns stop(). */
  runRealTime(tickMs = 5): () => void {
    const startHost = Date.now();
    const startSim = this.sched.now();
    const sched = this.sched;
    const h = setInterval(function () {
      sched.advanceTo(startSim + (Date.now() - startHost));
    }, tickMs);
    return function stop() {
      clearInterval(h);
    };
  }

  /**
   * Let Node deliver pending socket I/O into the firmware (each event one task), until no
   * socket event has happened for a few loop turns and nothing is still connecting; then run
   * the timers that are due now. Simulated time does not move.
   */
  async settle(): Promise<void> {
    let quiet = 0;
    for (let i = 0; i < 500 && quiet < 4; i++) {
      const before = this.netEvents;
      await new Promise<void>((r) => setImmediate(r));
      await new Promise<void>((r) => setTimeout(r, 1));
      const busy = this.boot !== null && this.boot.net.busy();
      quiet = this.netEvents === before && !busy ? quiet + 1 : 0;
    }
    this.sched.runDue();
  }

  // ------------------------------------------------------------------ memory

  /** Approximate memory use in blocks (see memory.ts for what the estimate counts). */
  memoryUsage(): { free: number; usage: number; total: number } {
    if (!this.boot) return { free: this.memoryBlocks, usage: 0, total: this.memoryBlocks };
    return this.estimateMemory(this.boot);
  }

  private estimateMemory(b: Boot): { free: number; usage: number; total: number } {
    const closures = new ClosureReader(b.realm);
    try {
      const FirmwareFunction = b.realm.global.Function as FunctionConstructor;
      // Board objects (strict proxies) and host functions are the interpreter's, not the firmware's.
      const est = new SizeEstimator(closures, (o) => unwrap(o) === o && (typeof o !== "function" || o instanceof FirmwareFunction));
      est.ignore(b.intrinsics());
      return this.countBlocks(b, est);
    } finally {
      closures.close();
    }
  }

  private countBlocks(b: Boot, est: SizeEstimator): { free: number; usage: number; total: number } {
    let usage = BASE_USAGE_BLOCKS;
    const g = b.realm.global;
    for (const name of Object.getOwnPropertyNames(g)) {
      if (b.baseGlobals.has(name)) continue;
      const d = Object.getOwnPropertyDescriptor(g, name);
      usage += 1 + (d && "value" in d ? est.size(d.value) : 0);
    }
    const roots: Fn[] = [...b.timers.callbacks(), ...b.pins.watchCallbacks()];
    for (const o of b.serial.portObjects()) roots.push(...allListeners(o));
    roots.push(...allListeners(b.E.obj), ...allListeners(b.process));
    for (const fn of roots) usage += 2 + est.size(fn);
    return { free: Math.max(0, this.memoryBlocks - usage), usage: usage, total: this.memoryBlocks };
  }
}

function allListenersOf(obj: object, event: string): Fn[] {
  // Only the listeners of one event, in order.
  const out: Fn[] = [];
  const probe = { call: (fn: Fn) => out.push(fn) };
  emit(probe, obj, event, []);
  return out;
}
