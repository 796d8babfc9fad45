/**
 * UARTs of the virtual board: Serial1..6 wired to device models, LoopbackA/B (a pair: what
 * one writes the other receives, with no wire timing, as on Espruino for Linux) and USB,
 * which is the console. On a wire a byte takes (start + data + parity + stop bits) / baud,
 * 10 bits at 8N1: firmware writes reach the device when their last byte has been clocked
 * out, and device bytes reach the firmware's `on('data')` as they arrive, in pieces of at
 * most 16 bytes (Espruino hands received bytes over in small chunks from its event loop).
 *
 * A Serial port is off until `setup()`: writing to it then throws (loudly, where a board
 * would drop the bytes) and bytes a device sends to it are lost, as on a real UART.
 * A device attached to a Loopback port takes that end of the pair: the firmware's writes to
 * that port go to the device, and the device's bytes arrive at that port.
 */
import type { UartDevice } from "../models/ports";
import type { Realm } from "./realm";
import type { BootScope } from "./timers";
import { strict } from "./loud";
import { toBinaryString } from "./bytes";
import { addEvents, emit, hasListeners } from "./events";

/* eslint-disable @typescript-eslint/no-explicit-any */

export const SERIAL_PORTS = ["Serial1", "Serial2", "Serial3", "Serial4", "Serial5", "Serial6"] as const;
export const LOOPBACK_PORTS = ["LoopbackA", "LoopbackB"] as const;
export type UartPortName = (typeof SERIAL_PORTS)[number] | (typeof LOOPBACK_PORTS)[number];

const RX_PIECE = 16;

/** Board-level wiring: which device is on which port (survives resets). */
export class UartWiring {
  readonly devices = new Map<UartPortName, UartDevice>();
  /** Bytes the devices sent while the port was not set up (lost on the wire). */
  readonly lost = new Map<UartPortName, number>();
}

interface PortState {
  name: UartPortName;
  obj: any;
  configured: boolean;
  bitsPerByte: number;
  baud: number;
  txFreeAt: number;
  rxFreeAt: number;
  rxBuffer: string;
}

export interface SerialHost {
  realm: Realm;
  scope: BootScope;
  now(): number;
  call(fn: (...a: any[]) => any, self: unknown, args: unknown[]): void;
  isOn(): boolean;
  /** Raw bytes to the console (USB). */
  consoleWrite(text: string): void;
}

/** The UARTs of one boot. */
export class SerialRuntime {
  private ports = new Map<UartPortName, PortState>();

  constructor(private host: SerialHost, private wiring: UartWiring) {}

  install(): void {
    const { realm } = this.host;
    for (const name of [...SERIAL_PORTS, ...LOOPBACK_PORTS]) {
      const st: PortState = {
        name: name, obj: null, configured: name.startsWith("Loopback"), bitsPerByte: 10, baud: 9600,
        txFreeAt: 0, rxFreeAt: 0, rxBuffer: "",
      };
      st.obj = this.makePort(st);
      this.ports.set(name, st);
      realm.defineGlobal(name, st.obj);
    }
    realm.defineGlobal("USB", this.makeUsb());
  }

  /** A device transmitted `data` on `port` (called through the wiring). */
  fromDevice(port: UartPortName, data: string): void {
    const st = this.ports.get(port)!;
    if (!this.host.isOn() || !st.configured) {
      this.wiring.lost.set(port, (this.wiring.lost.get(port) || 0) + data.length);
      return;
    }
    const bt = this.byteTime(st);
    const now = this.host.now();
    let at = Math.max(now, st.rxFreeAt);
    for (let i = 0; i < data.length; i += RX_PIECE) {
      const piece = data.slice(i, i + RX_PIECE);
      at += piece.length * bt;
      const self = this;
      this.host.scope.after(at - now, function () {
        self.deliver(st, piece);
      });
    }
    st.rxFreeAt = at;
  }

  /** Handlers registered on any port (for memory estimates). */
  portObjects(): any[] {
    return Array.from(this.ports.values(), (p) => p.obj);
  }

  private byteTime(st: PortState): number {
    if (st.name.startsWith("Loopback")) return 0;
    return (st.bitsPerByte * 1000) / st.baud;
  }

  private deliver(st: PortState, data: string): void {
    if (hasListeners(st.obj, "data")) emit(this.host, st.obj, "data", [data]);
    else st.rxBuffer += data;
  }

  private write(st: PortState, data: unknown): void {
    if (!this.host.isOn()) return;
    if (!st.configured) throw this.host.realm.error("virtual board: " + st.name + ".write before " + st.name + ".setup()");
    const bytes = toBinaryString(data);
    if (!bytes) return;
    const device = this.wiring.devices.get(st.name);
    const now = this.host.now();
    const self = this;
    if (!device && st.name.startsWith("Loopback")) {
      const peer = this.ports.get(st.name === "LoopbackA" ? "LoopbackB" : "LoopbackA")!;
      this.host.scope.after(0, function () {
        self.deliver(peer, bytes);
      });
      return;
    }
    const done = Math.max(now, st.txFreeAt) + bytes.length * this.byteTime(st);
    st.txFreeAt = done;
    if (!device) return; // nothing on this wire
    this.host.scope.after(done - now, function () {
      device.onReceive(bytes);
    });
  }

  private setup(st: PortState, baud: unknown, opts: unknown): void {
    const { realm } = this.host;
    const b = baud === undefined ? 9600 : Number(baud);
    if (!(b > 0)) throw realm.error("Invalid baud rate " + String(baud));
    let bits = 8;
    let parity = 0;
    let stop = 1;
    if (opts && typeof opts === "object") {
      const o = opts as Record<string, unknown>;
      if (o.bytesize !== undefined) bits = Number(o.bytesize);
      if (o.parity !== undefined && o.parity !== null && o.parity !== "none" && o.parity !== 0) parity = 1;
      if (o.stopbits !== undefined) stop = Number(o.stopbits);
      if (o.flow !== undefined && o.flow !== null && o.flow !== "none") {
        throw realm.error("virtual board does not provide " + st.name + " flow control");
      }
    }
    st.baud = b;
    st.bitsPerByte = 1 + bits + parity + stop;
    st.configured = true;
  }

  private makePort(st: PortState): any {
    const self = this;
    const { realm } = this.host;
    const o = realm.object();
    o.setup = function (baud?: unknown, opts?: unknown) {
      self.setup(st, baud, opts);
    };
    o.unsetup = function () {
      if (!st.name.startsWith("Loopback")) st.configured = false;
    };
    o.write = function (...args: unknown[]) {
      self.write(st, args.length === 1 ? args[0] : args);
    };
    o.print = function (s: unknown) {
      self.write(st, String(s));
    };
    o.println = function (s: unknown) {
      self.write(st, String(s) + "\r\n");
    };
    o.available = function () {
      return st.rxBuffer.length;
    };
    o.read = function (n?: number) {
      const k = n === undefined || n <= 0 ? st.rxBuffer.length : Math.min(n, st.rxBuffer.length);
      const out = st.rxBuffer.slice(0, k);
      st.rxBuffer = st.rxBuffer.slice(k);
      return out;
    };
    o.inject = function (...args: unknown[]) {
      const data = toBinaryString(args.length === 1 ? args[0] : args);
      self.host.scope.after(0, function () {
        self.deliver(st, data);
      });
    };
    addEvents(o);
    return strict(realm, st.name, o);
  }

  private makeUsb(): any {
    const self = this;
    const { realm } = this.host;
    const o = realm.object();
    // The console is on USB: setup is accepted and changes nothing, writes go to the console,
    // and 'data' never fires (the console owns the input), as on a Pico.
    o.setup = function () {};
    o.write = function (...args: unknown[]) {
      if (self.host.isOn()) self.host.consoleWrite(toBinaryString(args.length === 1 ? args[0] : args));
    };
    o.print = function (s: unknown) {
      if (self.host.isOn()) self.host.consoleWrite(String(s));
    };
    o.println = function (s: unknown) {
      if (self.host.isOn()) self.host.consoleWrite(String(s) + "\r\n");
    };
    o.available = function () {
      return 0;
    };
    o.read = function () {
      return "";
    };
    addEvents(o);
    return strict(realm, "USB", o);
  }
}
