/**
 * `require("Flash")` and `E.memoryArea` inside the board, over the microcontroller's free flash
 * pages (mcu-flash.ts): what `npm run flash` uses on a Pico to keep the firmware image out of
 * Storage (tools/flash-image.ts). Values cross the realm boundary as in storage.ts; a PowerCut
 * while programming switches the board off at once.
 */
import type { Realm } from "./realm";
import { strict } from "./loud";
import { toBytes } from "./bytes";
import { flashGuard } from "./storage";
import type { McuFlash } from "./mcu-flash";

/* eslint-disable @typescript-eslint/no-explicit-any */

export function flashModule(realm: Realm, flash: McuFlash, onPowerCut: (e: unknown) => void): any {
  const guard = flashGuard(realm, onPowerCut);
  const toRealm = function (v: unknown): unknown {
    return realm.JSON.parse(JSON.stringify(v));
  };
  const o = realm.object();
  o.getFree = function () {
    return toRealm(flash.getFree());
  };
  o.getPage = function (addr: number) {
    const p = flash.getPage(Number(addr));
    return p ? toRealm(p) : undefined;
  };
  o.erasePage = function (addr: number) {
    guard(() => flash.erasePage(Number(addr)));
  };
  o.write = function (data: unknown, addr: number) {
    const bytes = toBytes(data);
    guard(() => flash.write(bytes, Number(addr)));
  };
  o.read = function (length: number, addr: number) {
    return realm.bytes(guard(() => flash.read(Number(length), Number(addr))));
  };
  return strict(realm, "Flash", o);
}

/** E.memoryArea(addr, len): the bytes in place, as a binary string. */
export function memoryArea(realm: Realm, flash: McuFlash, addr: unknown, len: unknown): string | undefined {
  const a = Number(addr);
  const n = Number(len);
  if (!a || !(n >= 0)) return undefined; // Espruino 2v21+: address 0 gives undefined
  if (n === 0) return "";
  if (!flash.holds(a, n)) throw realm.error(`virtual board: E.memoryArea(0x${a.toString(16)}, ${n}) reaches outside the free flash pages this board models`);
  return flash.string(a, n);
}
