/**
 * `require("Storage")` inside the board: the FlashStorage (flash-storage.ts) seen through
 * Espruino's API, with values converted at the realm boundary (typed arrays and ArrayBuffers
 * from the firmware become bytes; results become the firmware's own arrays / ArrayBuffers;
 * errors become the firmware's Error with the same message). A PowerCut raised while
 * programming switches the board off at once, before the firmware can catch it.
 */
import type { Realm } from "./realm";
import { strict } from "./loud";
import { toBytes } from "./bytes";
import { FlashStorage, PowerCut } from "./flash-storage";

/* eslint-disable @typescript-eslint/no-explicit-any */

export function isPowerCut(e: unknown): boolean {
  return e instanceof PowerCut || (!!e && typeof e === "object" && (e as { name?: unknown }).name === "PowerCut");
}

/** Bytes for data the firmware passes (any realm); strings and plain objects pass as they are. */
function toFlashData(data: unknown): unknown {
  if (typeof data === "string") return data;
  if (data && typeof data === "object") {
    const tag = Object.prototype.toString.call(data);
    if (ArrayBuffer.isView(data) || Array.isArray(data) || tag === "[object ArrayBuffer]") return toBytes(data);
  }
  return data;
}

/**
 * Runs a flash operation for the firmware: a PowerCut switches the board off (and unwinds the
 * firmware), any other error becomes the firmware's Error with the same message.
 */
export function flashGuard(realm: Realm, onPowerCut: (e: unknown) => void): <T>(op: () => T) => T {
  return function <T>(op: () => T): T {
    try {
      return op();
    } catch (e) {
      if (isPowerCut(e)) {
        onPowerCut(e);
        throw e;
      }
      throw realm.error(e instanceof Error ? e.message : String(e));
    }
  };
}

export function storageModule(realm: Realm, flash: FlashStorage, onPowerCut: (e: unknown) => void): any {
  const guard = flashGuard(realm, onPowerCut);
  const o = realm.object();
  o.read = function (name: string, offset?: number, length?: number) {
    return guard(() => flash.read(String(name), offset, length));
  };
  o.readArrayBuffer = function (name: string) {
    return guard(() => {
      const ab = flash.readArrayBuffer(String(name));
      if (!ab) return undefined;
      const out = new realm.ArrayBuffer(ab.byteLength);
      new Uint8Array(out).set(new Uint8Array(ab));
      return out;
    });
  };
  o.readJSON = function (name: string, noExceptions?: boolean) {
    const s = guard(() => flash.read(String(name)));
    if (s === undefined) return undefined;
    try {
      return realm.JSON.parse(s);
    } catch (e) {
      if (noExceptions) return undefined;
      throw e;
    }
  };
  o.write = function (name: string, data: unknown, offset?: number, size?: number) {
    return guard(() => flash.write(String(name), toFlashData(data) as string, offset, size));
  };
  o.writeJSON = function (name: string, data: unknown) {
    const s = realm.JSON.stringify(data);
    return guard(() => flash.write(String(name), s));
  };
  o.erase = function (name: string) {
    guard(() => flash.erase(String(name)));
  };
  o.list = function (pattern?: RegExp) {
    return realm.array(guard(() => flash.list(pattern)));
  };
  o.getFree = function () {
    return guard(() => flash.getFree());
  };
  o.getStats = function () {
    return realm.object(guard(() => flash.getStats()) as unknown as Record<string, unknown>);
  };
  o.compact = function () {
    guard(() => flash.compact());
  };
  o.eraseAll = function () {
    guard(() => flash.eraseAll());
  };
  return strict(realm, "Storage", o);
}
