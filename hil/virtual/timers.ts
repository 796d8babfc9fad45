/**
 * Time on the virtual board: every timer runs on the shared Scheduler (stepped in tests,
 * driven from real time by `npm start`). A BootScope owns the timers of one boot so a reset
 * cancels exactly those, leaving the device models' timers alone. Firmware timers follow
 * Espruino: ids from 1, a minimum interval of 0.1 ms, extra arguments passed on,
 * `clearTimeout()` with no argument clears them all, `clearTimeout(undefined)` throws.
 */
import type { Scheduler } from "../sim/scheduler";
import type { Realm } from "./realm";

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Scheduler timers belonging to one boot of the board. */
export class BootScope {
  private live = new Set<number>();
  private closed = false;
  constructor(readonly sched: Scheduler) {}

  after(ms: number, fn: () => void): number {
    if (this.closed) return 0;
    const self = this;
    const id = this.sched.setTimeout(function () {
      self.live.delete(id);
      fn();
    }, ms);
    this.live.add(id);
    return id;
  }

  every(ms: number, fn: () => void): number {
    if (this.closed) return 0;
    const id = this.sched.setInterval(fn, ms);
    this.live.add(id);
    return id;
  }

  cancel(id: number): void {
    if (this.live.delete(id)) this.sched.clear(id);
  }

  /** Power off / reset: cancel everything and refuse new timers. */
  close(): void {
    this.closed = true;
    for (const id of this.live) this.sched.clear(id);
    this.live.clear();
  }

  count(): number {
    return this.live.size;
  }
}

/**
 * Wall clock: an epoch offset plus simulated time, in ms. `getTime()` is seconds; `setTime`
 * moves the offset (the Pico's RTC keeps it across a soft reset, not across power loss).
 */
export class WallClock {
  constructor(private sched: Scheduler, public offsetMs = 0) {}
  nowMs(): number {
    return this.offsetMs + this.sched.now();
  }
  setSeconds(s: number): void {
    this.offsetMs = s * 1000 - this.sched.now();
  }
}

const MIN_INTERVAL_MS = 0.1;

/**
 * Builds the context's `Date`: a subclass whose `new Date()` and `Date.now()` read the board
 * clock; `Date()` called as a function returns the string, as in JavaScript.
 */
const DATE_FACTORY = `(function (now) {
  var Base = Date;
  function D(y, mo, d, h, mi, s, ms) {
    if (!(this instanceof D)) return new Base(now()).toString();
    var n = arguments.length, r;
    if (n === 0) r = new Base(now());
    else if (n === 1) r = new Base(y);
    else r = new Base(y, mo, n > 2 ? d : 1, n > 3 ? h : 0, n > 4 ? mi : 0, n > 5 ? s : 0, n > 6 ? ms : 0);
    Object.setPrototypeOf(r, D.prototype);
    return r;
  }
  D.prototype = Object.create(Base.prototype, { constructor: { value: D, writable: true, configurable: true } });
  D.now = function () { return Math.floor(now()); };
  D.parse = Base.parse;
  D.UTC = Base.UTC;
  return D;
})`;

export interface TimerHost {
  realm: Realm;
  scope: BootScope;
  clock: WallClock;
  /** Run a firmware callback as one task; errors are reported, never thrown. */
  call(fn: (...a: any[]) => any, self: unknown, args: unknown[]): void;
}

/** Firmware timers of one boot, exposed as Espruino's globals. */
export class FirmwareTimers {
  private nextId = 1;
  /** firmware id -> scheduler id and whether it repeats */
  private timers = new Map<number, { sched: number; fn: (...a: any[]) => any; args: unknown[]; repeat: boolean }>();

  constructor(private host: TimerHost) {}

  install(): void {
    const self = this;
    const { realm, clock } = this.host;
    realm.defineGlobal("setTimeout", function (fn: unknown, ms?: number, ...args: unknown[]) {
      return self.add(fn, ms, args, false);
    });
    realm.defineGlobal("setInterval", function (fn: unknown, ms?: number, ...args: unknown[]) {
      return self.add(fn, ms, args, true);
    });
    realm.defineGlobal("clearTimeout", function (...ids: unknown[]) {
      self.clear(ids, "Timeout");
    });
    realm.defineGlobal("clearInterval", function (...ids: unknown[]) {
      self.clear(ids, "Interval");
    });
    realm.defineGlobal("changeInterval", function (id: number, ms: number) {
      self.change(id, ms);
    });
    realm.defineGlobal("getTime", function () {
      return clock.nowMs() / 1000;
    });
    realm.defineGlobal("setTime", function (s: number) {
      clock.setSeconds(Number(s));
    });
    const makeDate = realm.fn<(now: () => number) => unknown>(DATE_FACTORY);
    realm.defineGlobal("Date", makeDate(function () {
      return clock.nowMs();
    }));
  }

  /** Pending firmware timers (for memory estimates and tests). */
  count(): number {
    return this.timers.size;
  }

  callbacks(): Array<(...a: any[]) => any> {
    return Array.from(this.timers.values(), (t) => t.fn);
  }

  private add(fn: unknown, ms: number | undefined, args: unknown[], repeat: boolean): number {
    const { realm } = this.host;
    let f: (...a: any[]) => any;
    if (typeof fn === "function") f = fn as (...a: any[]) => any;
    else if (typeof fn === "string") {
      const code = fn;
      f = function () {
        return realm.run(code, "timer");
      };
    } else throw realm.error("Function or String not supplied!");
    let delay = Number(ms);
    if (!(delay >= MIN_INTERVAL_MS)) delay = MIN_INTERVAL_MS;
    const id = this.nextId++;
    this.schedule(id, f, args, repeat, delay);
    return id;
  }

  private schedule(id: number, fn: (...a: any[]) => any, args: unknown[], repeat: boolean, delay: number): void {
    const self = this;
    const host = this.host;
    const run = function () {
      if (!repeat) self.timers.delete(id);
      host.call(fn, undefined, args);
    };
    const sched = repeat ? host.scope.every(delay, run) : host.scope.after(delay, run);
    this.timers.set(id, { sched: sched, fn: fn, args: args, repeat: repeat });
  }

  private clear(ids: unknown[], kind: string): void {
    if (ids.length === 0) {
      for (const t of this.timers.values()) this.host.scope.cancel(t.sched);
      this.timers.clear();
      return;
    }
    if (ids[0] === undefined) {
      throw this.host.realm.error("clear" + kind + "(undefined) not allowed. Use clear" + kind + "() instead");
    }
    const id = Number(ids[0]);
    const t = this.timers.get(id);
    if (!t) return; // Espruino ignores ids it does not know
    this.host.scope.cancel(t.sched);
    this.timers.delete(id);
  }

  private change(id: number, ms: number): void {
    const t = this.timers.get(Number(id));
    if (!t || !t.repeat) throw this.host.realm.error("Unknown Interval");
    this.host.scope.cancel(t.sched);
    let delay = Number(ms);
    if (!(delay >= MIN_INTERVAL_MS)) delay = MIN_INTERVAL_MS;
    this.schedule(Number(id), t.fn, t.args, true, delay);
  }
}
