/**
 * I2C1..3 of the virtual board, with device models on them (hil/models/ports.ts), and a
 * minimal SPI1. Transfers are synchronous, as Espruino's blocking I2C calls are. A device
 * that does not acknowledge makes `writeTo`/`readFrom` throw "I2C Error: No ACK from 0x..",
 * the same text the unit-test bus (hil/models/buses.ts) uses. Using a bus before `setup()`
 * throws loudly: the firmware's board profile must set buses up.
 */
import type { I2CDevice } from "../models/ports";
import type { Realm } from "./realm";
import { strict } from "./loud";
import { forEachByte, toBytes } from "./bytes";

/* eslint-disable @typescript-eslint/no-explicit-any */

export const I2C_BUSES = ["I2C1", "I2C2", "I2C3"] as const;
export type I2CBusName = (typeof I2C_BUSES)[number];

/** Board-level wiring: devices on each bus (survives resets). */
export class I2CWiring {
  readonly devices = new Map<I2CBusName, I2CDevice[]>();
  attach(bus: I2CBusName, device: I2CDevice): void {
    if (I2C_BUSES.indexOf(bus) < 0) throw new Error("virtual board: no I2C bus " + bus);
    const list = this.devices.get(bus) || [];
    for (const d of list) {
      if (d.address === device.address) throw new Error("virtual board: two devices at 0x" + device.address.toString(16) + " on " + bus);
    }
    list.push(device);
    this.devices.set(bus, list);
  }
}

export interface BusHost {
  realm: Realm;
  isOn(): boolean;
}

function hex(a: number): string {
  return "0x" + a.toString(16);
}

/** Installs I2C1..3 and SPI1 for one boot. */
export function installBuses(host: BusHost, wiring: I2CWiring): void {
  const { realm } = host;
  for (const bus of I2C_BUSES) {
    let ready = false;
    const o = realm.object();
    const need = function () {
      if (!ready) throw realm.error("virtual board: " + bus + ".setup() was not called");
    };
    const find = function (address: number): I2CDevice | undefined {
      const list = wiring.devices.get(bus) || [];
      for (const d of list) if (d.address === address) return d;
      return undefined;
    };
    const addressOf = function (a: unknown): number {
      const v = a && typeof a === "object" ? (a as any).address : a;
      const n = Number(v);
      if (!(n >= 0 && n < 128)) throw realm.error("Invalid I2C address " + String(v));
      return n;
    };
    o.setup = function (opts?: unknown) {
      if (opts && typeof opts === "object" && (opts as any).bitrate !== undefined && Number((opts as any).bitrate) < 100) {
        throw realm.error("Invalid I2C bitrate");
      }
      ready = true;
    };
    o.writeTo = function (address: unknown, ...data: unknown[]) {
      need();
      const a = addressOf(address);
      if (!host.isOn()) return;
      const bytes = toBytes(data.length === 1 ? data[0] : data);
      const dev = find(a);
      if (!dev || !dev.onWrite(bytes)) throw realm.error("I2C Error: No ACK from " + hex(a));
    };
    o.readFrom = function (address: unknown, quantity: unknown) {
      need();
      const a = addressOf(address);
      const n = Number(quantity) | 0;
      if (!host.isOn()) return realm.bytes(n);
      const dev = find(a);
      const got = dev ? dev.onRead(n) : null;
      if (!got) throw realm.error("I2C Error: No ACK from " + hex(a));
      const out = realm.bytes(n);
      for (let i = 0; i < n && i < got.length; i++) out[i] = got[i];
      return out;
    };
    realm.defineGlobal(bus, strict(realm, bus, o));
  }

  // SPI1: no SPI device port exists in hil/models, so nothing is on the bus. Writes go
  // nowhere; `send` returns 0xFF per byte, what a master reads with MISO idle high.
  let spiReady = false;
  const spi = realm.object();
  spi.setup = function () {
    spiReady = true;
  };
  const spiNeed = function () {
    if (!spiReady) throw realm.error("virtual board: SPI1.setup() was not called");
  };
  spi.write = function () {
    spiNeed();
  };
  spi.send = function (data: unknown) {
    spiNeed();
    if (typeof data === "number") return 0xff;
    let n = 0;
    forEachByte(data, function () {
      n++;
    });
    if (typeof data === "string") return String.fromCharCode(...new Array<number>(n).fill(0xff));
    const out = realm.bytes(n);
    out.fill(0xff);
    return out;
  };
  realm.defineGlobal("SPI1", strict(realm, "SPI1", spi));
}
