/**
 * One power-on of the virtual board: a fresh vm context with every Espruino global the
 * emulation provides, wired to the board's hardware (nets, UART devices, I2C devices, flash).
 * The board (board.ts) creates one per boot and drops it at reset or power loss.
 */
import type { Scheduler } from "../sim/scheduler";
import type { FlashStorage } from "./flash-storage";
import type { BoardConsole } from "./console";
import { Realm } from "./realm";
import { BootScope, FirmwareTimers, WallClock } from "./timers";
import { PinRuntime, PinWiring } from "./pins";
import { SerialRuntime, UartWiring } from "./serial";
import { I2CWiring, installBuses } from "./i2c";
import { NetBridge } from "./net";
import { EspruinoE } from "./espruino-E";
import { storageModule } from "./storage";
import { flashModule, memoryArea } from "./flash-module";
import type { McuFlash } from "./mcu-flash";
import { installLoudGlobals, notProvided, strict } from "./loud";
import { formatArgs } from "./format";
import { addEvents } from "./events";
import { detokenise } from "../../tools/pretokenise";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Fn = (...a: any[]) => any;

export interface BootDeps {
  sched: Scheduler;
  clock: WallClock;
  console: BoardConsole;
  storage: FlashStorage;
  /** The microcontroller's free flash pages (require("Flash"), E.memoryArea); null: not provided. */
  mcuFlash: McuFlash | null;
  pinWiring: PinWiring;
  uartWiring: UartWiring;
  i2cWiring: I2CWiring;
  boardName: string;
  version: string;
  memoryBlocks: number;
  /** Run a firmware callback as one task of this boot (errors are reported). */
  call(boot: Boot, fn: Fn, self: unknown, args: unknown[]): void;
  isOn(boot: Boot): boolean;
  hardReset(cause: "watchdog" | "reboot"): void;
  /** load(): restart and run Storage's .bootcde, as Espruino's load() does. */
  loadFromStorage(): void;
  powerCutInFirmware(e: unknown): void;
  netActivity(): void;
  memory(boot: Boot): { free: number; usage: number; total: number };
}

/** Keys of process.env a real board has that this emulation does not fill in. */
const ENV_NOT_PROVIDED = ["GIT_COMMIT", "RAM", "FLASH", "SPIFLASH", "STORAGE", "SERIAL", "CONSOLE", "MODULES", "EXPTR", "EXPORTS"];

export class Boot {
  readonly realm = new Realm();
  readonly scope: BootScope;
  readonly timers: FirmwareTimers;
  readonly pins: PinRuntime;
  readonly serial: SerialRuntime;
  readonly net: NetBridge;
  readonly E: EspruinoE;
  readonly process: any;
  /** Global names the emulation defined (everything else on `global` is the firmware's). */
  readonly baseGlobals: Set<string>;

  constructor(private deps: BootDeps) {
    const self = this;
    const realm = this.realm;
    this.scope = new BootScope(deps.sched);
    const host = {
      realm: realm,
      scope: this.scope,
      clock: deps.clock,
      now: () => deps.sched.now(),
      call: (fn: Fn, s: unknown, args: unknown[]) => deps.call(self, fn, s, args),
      isOn: () => deps.isOn(self),
      consoleWrite: (text: string) => deps.console.write(text),
      activity: () => deps.netActivity(),
      hardReset: (cause: "watchdog" | "reboot") => deps.hardReset(cause),
      memoryArea: deps.mcuFlash ? (addr: unknown, len: unknown) => memoryArea(realm, deps.mcuFlash!, addr, len) : undefined,
    };
    installLoudGlobals(realm);
    this.timers = new FirmwareTimers(host);
    this.timers.install();
    this.pins = new PinRuntime(host, deps.pinWiring);
    this.pins.install();
    this.serial = new SerialRuntime(host, deps.uartWiring);
    this.serial.install();
    installBuses(host, deps.i2cWiring);
    this.net = new NetBridge(host);
    this.E = new EspruinoE(host);
    realm.defineGlobal("E", this.E.obj);
    this.process = this.makeProcess();
    realm.defineGlobal("process", this.process);
    this.installOutput();
    this.installRequire();
    realm.defineGlobal("global", realm.global);
    realm.defineGlobal("load", function () {
      deps.loadFromStorage();
    });
    realm.defineGlobal("btoa", function (s: string) {
      return Buffer.from(String(s), "latin1").toString("base64");
    });
    realm.defineGlobal("atob", function (s: string) {
      return Buffer.from(String(s), "base64").toString("latin1");
    });
    // eval reads pretokenised code as Espruino's lexer does (a Pico boots its image so): Node
    // cannot, so token bytes (>= 0x80, never in the ASCII bundle) go back to text first
    const realmEval = realm.run("eval", "eval") as (code: unknown) => unknown;
    realm.defineGlobal("eval", function (code: unknown) {
      return realmEval(typeof code === "string" && /[\x80-\xff]/.test(code) ? detokenise(Buffer.from(code, "latin1")) : code);
    });
    this.baseGlobals = new Set(Object.getOwnPropertyNames(realm.global));
  }

  /** Built-ins and board objects, one level deep: what the memory estimate must not count. */
  intrinsics(): Set<object> {
    const out = new Set<object>();
    const add = function (v: unknown): boolean {
      if ((typeof v === "object" && v !== null) || typeof v === "function") {
        out.add(v as object);
        return true;
      }
      return false;
    };
    const g = this.realm.global;
    for (const name of this.baseGlobals) {
      const d = Object.getOwnPropertyDescriptor(g, name);
      if (!d || !("value" in d) || d.value === g || !add(d.value)) continue; // not `global` itself: it holds the firmware's
      for (const holder of [d.value, (d.value as { prototype?: unknown }).prototype]) {
        if (!add(holder)) continue;
        for (const k of Object.getOwnPropertyNames(holder)) {
          const pd = Object.getOwnPropertyDescriptor(holder, k);
          if (pd && "value" in pd) add(pd.value);
        }
      }
    }
    return out;
  }

  private makeProcess(): any {
    const { realm, deps } = this;
    const self = this;
    const env = realm.object({ BOARD: deps.boardName, VERSION: deps.version });
    for (const k of ENV_NOT_PROVIDED) {
      Object.defineProperty(env, k, {
        get: function () {
          throw notProvided(realm, "process.env." + k);
        },
        enumerable: false,
      });
    }
    const p = realm.object();
    p.env = env;
    p.version = deps.version;
    /** Approximate (see memory.ts): says so in `approximate`. */
    p.memory = function () {
      const m = deps.memory(self);
      return realm.object({ free: m.free, usage: m.usage, total: m.total, approximate: true });
    };
    addEvents(p);
    return strict(realm, "process", p);
  }

  private installOutput(): void {
    const { realm, deps } = this;
    const self = this;
    const out = function (...args: unknown[]) {
      if (deps.isOn(self)) deps.console.print(formatArgs(args));
    };
    realm.defineGlobal("print", out);
    const c = realm.object({ log: out, debug: out, info: out, warn: out, error: out, trace: out });
    realm.defineGlobal("console", strict(realm, "console", c));
  }

  private installRequire(): void {
    const { realm, deps } = this;
    let storage: any = null;
    let net: any = null;
    let flash: any = null;
    const self = this;
    realm.defineGlobal("require", function (name: unknown) {
      if (name === "Storage") {
        if (!storage) storage = storageModule(realm, deps.storage, (e) => deps.powerCutInFirmware(e));
        return storage;
      }
      if (name === "Flash" && deps.mcuFlash) {
        if (!flash) flash = flashModule(realm, deps.mcuFlash, (e) => deps.powerCutInFirmware(e));
        return flash;
      }
      if (name === "net") {
        if (!net) net = self.net.module();
        return net;
      }
      throw realm.error("virtual board: module '" + String(name) + "' is not provided");
    });
  }
}
