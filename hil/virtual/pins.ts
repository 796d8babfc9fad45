/**
 * GPIO of the virtual board, as an STM32 Espruino (Pico) has it: Pin objects A0..C15 with
 * LED1 = B2, LED2 = B12, BTN = BTN1 = C13 (pull-down, as on a Pico); `pinMode` with
 * Espruino's automatic mode (`digitalRead` makes an unset pin an input, `digitalWrite` an
 * output); `setWatch` with edge, repeat and debounce handled exactly as jsinteractive.c
 * does (a debounce timer restarted by every edge, firing if the level still differs).
 *
 * Nets (device models) are hardware: they stay attached across resets. The MCU side tells a
 * net what it drives (`driven(level)`, `null` when released); a model that changes a level
 * calls `board.pinChanged(pin)` so watches see the edge, at the scheduler's current time.
 */
import type { PinNet } from "../models/ports";
import type { Realm } from "./realm";
import type { BootScope, WallClock } from "./timers";
import { strict } from "./loud";
import { PRINT_AS } from "./format";

/* eslint-disable @typescript-eslint/no-explicit-any */

export const PIN_NAMES: string[] = [];
for (const port of ["A", "B", "C"]) for (let i = 0; i < 16; i++) PIN_NAMES.push(port + i);

/** Board names that are other names of a pin (Pico: LED1 red on B2, LED2 green on B12, button on C13). */
export const PIN_ALIASES: Record<string, string> = { LED1: "B2", LED2: "B12", BTN: "C13", BTN1: "C13" };
const BUTTON_PIN = "C13";

export type PinModeName =
  | "analog" | "input" | "input_pullup" | "input_pulldown" | "output"
  | "opendrain" | "opendrain_pullup" | "af_output" | "af_opendrain";

const MODES: PinModeName[] = [
  "analog", "input", "input_pullup", "input_pulldown", "output", "opendrain", "opendrain_pullup", "af_output", "af_opendrain",
];

/** Resolve "B2", "LED1" or a Pin object to a pin name, or null. */
export function pinName(p: unknown): string | null {
  if (typeof p === "string") {
    const n = PIN_ALIASES[p] || p;
    return PIN_NAMES.indexOf(n) >= 0 ? n : null;
  }
  if (p && typeof p === "object" && PRINT_AS in (p as object)) return pinName((p as any)[PRINT_AS]);
  return null;
}

/** The wires: which net is on which pin (board-level, survives resets). */
export class PinWiring {
  readonly nets = new Map<string, PinNet>();
  attach(pin: string, net: PinNet): string {
    const name = pinName(pin);
    if (!name) throw new Error("virtual board: no pin named " + pin);
    if (this.nets.has(name)) throw new Error("virtual board: pin " + name + " already has a net attached");
    this.nets.set(name, net);
    return name;
  }
}

interface PinState {
  mode: PinModeName;
  manual: boolean;
  out: boolean;
  /** Level the watch hardware last saw. */
  level: boolean;
}

interface Watch {
  id: number;
  pin: string;
  cb: (...a: any[]) => any;
  repeat: boolean;
  edge: number; // 1 rising, -1 falling, 0 both
  debounceMs: number;
  state: boolean;
  lastTime: number | undefined;
  timeout: { sched: number; state: boolean } | null;
}

export interface PinHost {
  realm: Realm;
  scope: BootScope;
  clock: WallClock;
  call(fn: (...a: any[]) => any, self: unknown, args: unknown[]): void;
  isOn(): boolean;
}

/** GPIO state and watches of one boot. */
export class PinRuntime {
  private state = new Map<string, PinState>();
  private objects = new Map<string, any>();
  private watches: Watch[] = [];
  private nextWatchId = 1;

  constructor(private host: PinHost, private wiring: PinWiring) {
    for (const n of PIN_NAMES) {
      const button = n === BUTTON_PIN;
      this.state.set(n, { mode: button ? "input_pulldown" : "analog", manual: button, out: false, level: false });
    }
    // The MCU just came out of reset: it drives nothing.
    for (const [name, net] of wiring.nets) {
      net.driven(null);
      this.state.get(name)!.level = this.inputLevel(name);
    }
  }

  install(): void {
    const { realm } = this.host;
    const self = this;
    for (const n of PIN_NAMES) this.objects.set(n, this.makePin(n));
    for (const n of PIN_NAMES) realm.defineGlobal(n, this.objects.get(n), false);
    for (const alias of Object.keys(PIN_ALIASES)) realm.defineGlobal(alias, this.objects.get(PIN_ALIASES[alias]), false);
    realm.defineGlobal("HIGH", 1);
    realm.defineGlobal("LOW", 0);
    realm.defineGlobal("pinMode", function (pin: unknown, mode?: string, automatic?: boolean) {
      self.pinMode(self.need(pin), mode, !!automatic);
    });
    realm.defineGlobal("getPinMode", function (pin: unknown) {
      return self.state.get(self.need(pin))!.mode;
    });
    realm.defineGlobal("digitalRead", function (pin: unknown) {
      if (Array.isArray(pin)) {
        let v = 0;
        for (const p of pin) v = (v << 1) | (self.read(self.need(p)) ? 1 : 0);
        return v;
      }
      return self.read(self.need(pin)) ? 1 : 0;
    });
    realm.defineGlobal("digitalWrite", function (pin: unknown, value: unknown) {
      if (Array.isArray(pin)) {
        const v = Number(value);
        for (let i = 0; i < pin.length; i++) self.write(self.need(pin[i]), ((v >> (pin.length - 1 - i)) & 1) === 1);
        return;
      }
      self.write(self.need(pin), !!Number(value));
    });
    realm.defineGlobal("setWatch", function (fn: unknown, pin: unknown, opts?: unknown) {
      return self.setWatch(fn, self.need(pin), opts);
    });
    realm.defineGlobal("clearWatch", function (...ids: unknown[]) {
      self.clearWatch(ids);
    });
  }

  /** A net's level may have changed (models call this through `board.pinChanged`). */
  changed(pin: string): void {
    const name = pinName(pin);
    if (!name) throw new Error("virtual board: no pin named " + pin);
    this.sample(name);
  }

  /** A net was just wired to `pin` while running: tell it what the MCU drives. */
  attached(pin: string): void {
    this.drive(pin);
  }

  /** Power off: release every pin. */
  releaseAll(): void {
    for (const net of this.wiring.nets.values()) net.driven(null);
    this.watches = [];
  }

  watchCallbacks(): Array<(...a: any[]) => any> {
    return this.watches.map((w) => w.cb);
  }

  private need(p: unknown): string {
    const n = pinName(p);
    if (!n) throw this.host.realm.error("Invalid pin: " + String(p));
    return n;
  }

  private makePin(name: string): any {
    const self = this;
    const { realm } = this.host;
    const o = realm.object();
    Object.defineProperty(o, PRINT_AS, { value: name, enumerable: false });
    o.toString = function () {
      return name;
    };
    o.read = function () {
      return self.read(name);
    };
    o.write = function (v: unknown) {
      self.write(name, !!v);
    };
    o.set = function () {
      self.write(name, true);
    };
    o.reset = function () {
      self.write(name, false);
    };
    o.toggle = function () {
      const v = !self.state.get(name)!.out;
      self.write(name, v);
      return v;
    };
    o.mode = function (mode?: string) {
      self.pinMode(name, mode, false);
    };
    o.getMode = function () {
      return self.state.get(name)!.mode;
    };
    o.getInfo = function () {
      // Only what is true of the emulation: port letter and number. No analog/functions lists.
      return realm.object({ port: name.charAt(0), num: Number(name.slice(1)) });
    };
    return strict(realm, name, o);
  }

  private pinMode(name: string, mode: string | undefined, automatic: boolean): void {
    const st = this.state.get(name)!;
    if (mode === undefined || mode === "auto") {
      st.manual = false;
      return;
    }
    if (MODES.indexOf(mode as PinModeName) < 0) throw this.host.realm.error("Unknown pin mode");
    if (mode === "analog" || mode === "af_output" || mode === "af_opendrain") {
      throw this.host.realm.error("virtual board does not provide pinMode '" + mode + "' (no ADC or peripheral pin functions)");
    }
    st.manual = !automatic;
    this.setMode(name, mode as PinModeName);
  }

  private setMode(name: string, mode: PinModeName): void {
    const st = this.state.get(name)!;
    st.mode = mode;
    this.drive(name);
  }

  /** Tell the net what the MCU now does with the pin, then look for an edge. */
  private drive(name: string): void {
    if (!this.host.isOn()) return;
    const st = this.state.get(name)!;
    const net = this.wiring.nets.get(name);
    if (net) {
      if (st.mode === "output") net.driven(st.out);
      else if (st.mode === "opendrain" || st.mode === "opendrain_pullup") net.driven(st.out ? null : false);
      else net.driven(null);
    }
    this.sample(name);
  }

  private pulledUp(st: PinState): boolean {
    return st.mode === "input_pullup" || st.mode === "opendrain_pullup";
  }

  /** The level on the pin as the input buffer sees it. */
  private inputLevel(name: string): boolean {
    const st = this.state.get(name)!;
    if (st.mode === "output") return st.out;
    if ((st.mode === "opendrain" || st.mode === "opendrain_pullup") && !st.out) return false;
    const net = this.wiring.nets.get(name);
    if (net) return !!net.level(this.pulledUp(st));
    return this.pulledUp(st); // nothing attached: the pull decides; floating reads low
  }

  private read(name: string): boolean {
    const st = this.state.get(name)!;
    if (!st.manual && st.mode !== "input") this.setMode(name, "input");
    return this.inputLevel(name);
  }

  private write(name: string, v: boolean): void {
    if (!this.host.isOn()) return;
    const st = this.state.get(name)!;
    st.out = v;
    if (!st.manual && st.mode !== "output") st.mode = "output";
    this.drive(name);
  }

  /** Compare the level with the last one seen; an edge queues watch processing. */
  private sample(name: string): void {
    if (!this.host.isOn()) return;
    const st = this.state.get(name)!;
    const level = this.inputLevel(name);
    if (level === st.level) return;
    st.level = level;
    // The edge interrupt is only enabled while a watch is set on the pin.
    if (!this.watches.some((w) => w.pin === name)) return;
    const t = this.host.clock.nowMs();
    const self = this;
    // Espruino records the edge in an interrupt and handles it from the event loop.
    this.host.scope.after(0, function () {
      self.edge(name, level, t);
    });
  }

  private edge(name: string, level: boolean, tMs: number): void {
    for (const w of this.watches.slice()) {
      if (w.pin !== name || this.watches.indexOf(w) < 0) continue;
      if (w.debounceMs <= 0) {
        w.state = level;
        if (this.shouldFire(w, level)) {
          this.fire(w, level, tMs / 1000);
          if (!w.repeat) this.remove(w);
        }
        w.lastTime = tMs / 1000;
        continue;
      }
      if (w.timeout) {
        this.host.scope.cancel(w.timeout.sched);
        w.timeout = { sched: this.debounceTimer(w, tMs), state: level };
      } else if (level !== w.state) {
        w.timeout = { sched: this.debounceTimer(w, tMs), state: level };
      }
    }
  }

  private debounceTimer(w: Watch, eventMs: number): number {
    const self = this;
    const due = eventMs + w.debounceMs - this.host.clock.nowMs();
    return this.host.scope.after(due > 0 ? due : 0, function () {
      const timeout = w.timeout!;
      w.timeout = null;
      const changed = w.state !== timeout.state;
      w.state = timeout.state;
      if (!changed) return;
      const time = eventMs / 1000;
      if (self.shouldFire(w, timeout.state)) {
        self.fire(w, timeout.state, time);
        if (!w.repeat) self.remove(w);
      }
      w.lastTime = time;
    });
  }

  private shouldFire(w: Watch, high: boolean): boolean {
    return w.edge === 0 || (high && w.edge > 0) || (!high && w.edge < 0);
  }

  private fire(w: Watch, state: boolean, time: number): void {
    const arg = this.host.realm.object({ state: state, time: time, lastTime: w.lastTime, pin: this.objects.get(w.pin) });
    this.host.call(w.cb, undefined, [arg]);
  }

  private remove(w: Watch): void {
    const i = this.watches.indexOf(w);
    if (i >= 0) this.watches.splice(i, 1);
    if (w.timeout) this.host.scope.cancel(w.timeout.sched);
    w.timeout = null;
  }

  private setWatch(fn: unknown, name: string, opts: unknown): number {
    const { realm } = this.host;
    if (typeof fn !== "function" && typeof fn !== "string") throw realm.error("Function or String not supplied!");
    const cb: (...a: any[]) => any =
      typeof fn === "function" ? (fn as (...a: any[]) => any) : function () { return realm.run(fn as string, "watch"); };
    let repeat = false;
    let edge = name === BUTTON_PIN ? 1 : 0;
    let debounce = name === BUTTON_PIN ? 25 : 0;
    if (opts && typeof opts === "object") {
      const o = opts as Record<string, unknown>;
      if (o.repeat !== undefined) repeat = !!o.repeat;
      if (o.debounce !== undefined) debounce = Number(o.debounce);
      if (!(debounce >= 0)) debounce = 0;
      if (o.edge !== undefined) {
        if (typeof o.edge === "number") edge = o.edge > 0 ? 1 : o.edge < 0 ? -1 : 0;
        else if (o.edge === "rising") edge = 1;
        else if (o.edge === "falling") edge = -1;
        else if (o.edge === "both") edge = 0;
        else throw realm.typeError("'edge' in setWatch should be 1, -1, 0, 'rising', 'falling' or 'both'");
      }
      for (const k of ["irq", "data", "hispeed"]) {
        if (o[k]) throw realm.error("virtual board does not provide setWatch option '" + k + "'");
      }
    } else repeat = !!opts;
    const state = this.read(name); // as jshPinInput: an unset pin becomes an input
    this.state.get(name)!.level = state;
    const w: Watch = {
      id: this.nextWatchId++, pin: name, cb: cb, repeat: repeat, edge: edge,
      debounceMs: debounce, state: state, lastTime: undefined, timeout: null,
    };
    this.watches.push(w);
    return w.id;
  }

  private clearWatch(ids: unknown[]): void {
    if (ids.length === 0) {
      for (const w of this.watches.slice()) this.remove(w);
      return;
    }
    if (ids[0] === undefined) throw this.host.realm.error("clearWatch(undefined) not allowed. Use clearWatch() instead");
    const id = Number(ids[0]);
    for (const w of this.watches) {
      if (w.id === id) {
        this.remove(w);
        return;
      }
    }
    throw this.host.realm.error("Unknown Watch " + String(ids[0]));
  }
}
