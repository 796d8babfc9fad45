/**
 * The `E` object, as much of it as the virtual board emulates:
 *  - `E.CRC32(data)`: the reflected CRC-32 (poly 0xEDB88320, init and final xor 0xFFFFFFFF),
 *    one element = one byte, unsigned result: the loop of jswrap_espruino_CRC32;
 *  - `E.toString(...)`: bytes of the arguments as a binary string;
 *  - `E.toArrayBuffer(s)`: the string's char codes as bytes (Espruino references the string, no
 *    copy; strings cannot change, so a copy here reads the same);
 *  - `E.mapInPlace(from, to, map)`: element by element from one typed array into another, through
 *    a table (Array or typed array; a missing entry writes 0), a function (value, index) or none,
 *    stopping at the shorter: jswrap_espruino_mapInPlace without its `bits` repacking (refused);
 *  - `E.getSizeOf(v)`: an estimate in blocks (memory.ts);
 *  - `E.enableWatchdog(s, isAuto)` / `E.kickWatchdog()`: in manual mode a reset follows when
 *    the firmware does not kick within the timeout. Automatic mode is kicked from the idle
 *    loop, which the virtual board always reaches (a callback cannot hang it), so it never
 *    fires here. The watchdog stops at reset (a real STM32's keeps running: a firmware that
 *    enables it must do so again at boot anyway);
 *  - `E.reboot()`: a hardware reset; events `E.on('init')` (after boot) and `E.on('kill')`
 *    (before a graceful reset).
 * Anything else on `E` throws "virtual board does not provide E.<name>".
 */
import type { Realm } from "./realm";
import type { BootScope } from "./timers";
import { strict } from "./loud";
import { forEachByte, toBinaryString } from "./bytes";
import { sizeOf } from "./memory";
import { addEvents } from "./events";

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Espruino's E.CRC32 over any iterable data. */
export function crc32(data: unknown): number {
  let crc = 0xffffffff;
  forEachByte(data, function (b) {
    crc ^= b;
    for (let t = 0; t < 8; t++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  });
  return ~crc >>> 0;
}

/** E.mapInPlace for 1:1 element mapping (its `bits` repacking is not emulated: refused). */
export function mapInPlace(from: unknown, to: unknown, map?: unknown, bits?: unknown): void {
  if (!ArrayBuffer.isView(from) || !ArrayBuffer.isView(to)) throw new Error("E.mapInPlace: First 2 arguments should be array buffers");
  if (bits !== undefined && bits !== 0) throw new Error("virtual board does not provide E.mapInPlace with bits");
  const src = from as unknown as ArrayLike<number>;
  const dst = to as unknown as { [i: number]: number; length: number };
  const n = Math.min(src.length, dst.length);
  for (let i = 0; i < n; i++) {
    const v = src[i];
    let m: unknown = v;
    if (typeof map === "function") m = map(v, i);
    else if (map !== undefined && map !== null) m = (map as ArrayLike<unknown>)[v];
    dst[i] = typeof m === "number" ? m : 0;
  }
}

export interface EHost {
  realm: Realm;
  scope: BootScope;
  /** Hardware reset (watchdog, E.reboot). */
  hardReset(cause: "watchdog" | "reboot"): void;
  /** E.memoryArea over the board's free flash pages; absent when the board models none. */
  memoryArea?: (addr: unknown, len: unknown) => string | undefined;
}

export class EspruinoE {
  readonly obj: any;
  private watchdogTimer = 0;
  private watchdogMs = 0;
  private watchdogAuto = false;

  constructor(private host: EHost) {
    const self = this;
    const { realm } = host;
    const o = realm.object();
    o.CRC32 = function (data: unknown) {
      return crc32(data);
    };
    o.toString = function (...args: unknown[]) {
      return toBinaryString(args.length === 1 ? args[0] : args);
    };
    o.toArrayBuffer = function (str: unknown) {
      if (typeof str !== "string") return undefined;
      const u = new realm.global.Uint8Array(str.length);
      for (let i = 0; i < str.length; i++) u[i] = str.charCodeAt(i) & 255;
      return u.buffer;
    };
    o.mapInPlace = function (from: unknown, to: unknown, map?: unknown, bits?: unknown) {
      mapInPlace(from, to, map, bits);
    };
    if (host.memoryArea) o.memoryArea = host.memoryArea;
    o.getSizeOf = function (v: unknown) {
      return sizeOf(v);
    };
    o.enableWatchdog = function (timeout: unknown, isAuto?: unknown) {
      let s = Number(timeout);
      if (!(s >= 0)) s = 1;
      self.watchdogAuto = isAuto === undefined || !!isAuto;
      self.watchdogMs = s * 1000;
      self.kick();
    };
    o.kickWatchdog = function () {
      self.kick();
    };
    o.reboot = function () {
      host.hardReset("reboot");
    };
    // absent, as on a build that saves flash: machine code cannot run here, and the firmware's
    // test for it (firmware/txn/native/thumb.ts) must find none rather than a loud error
    o.nativeCall = undefined;
    addEvents(o);
    this.obj = strict(realm, "E", o);
  }

  /** Whether a watchdog is running, for tests and the rig. */
  watchdog(): { timeoutMs: number; auto: boolean } | null {
    return this.watchdogMs > 0 ? { timeoutMs: this.watchdogMs, auto: this.watchdogAuto } : null;
  }

  private kick(): void {
    if (this.watchdogMs <= 0 || this.watchdogAuto) return;
    if (this.watchdogTimer) this.host.scope.cancel(this.watchdogTimer);
    const host = this.host;
    this.watchdogTimer = host.scope.after(this.watchdogMs, function () {
      host.hardReset("watchdog");
    });
  }
}
