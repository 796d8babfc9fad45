/**
 * A UART between a firmware driver (its SerialLike end) and a device model (UartDevice), for
 * the models running inside the interpreter. Like hil/models/buses.ts UartLink, each direction
 * queues bytes and delivers them in a chunk; unlike it, nothing is logged: inside the
 * interpreter every kept byte is RAM taken from the firmware, so the link holds only what is
 * still on the wire.
 *
 * When a chunk arrives is the `Wire`'s business: by default after its wire time (10 bits per byte
 * at `baud`) on the timers; inside the interpreter main.ts passes a wire that delivers on the
 * models' own loop interval, which runs before the firmware's tick, as a real UART's received
 * bytes are handed over (an IRQ fills a buffer and the idle loop hands it to the 'data' handler
 * before running timers). A timer per chunk would cost a firmware tick per hop: Espruino runs
 * the overdue loop interval again before any timer set from a callback.
 */
import type { SerialLike } from "../../firmware/hal/serial";
import type { UartDevice } from "../models/ports";
import type { TimeSource } from "./timers";

/** How a chunk crosses the wire: `carry(fn, ms)` calls fn once the chunk has arrived. */
export interface Wire {
  carry(deliver: () => void, wireMs: number): void;
}

/** The default wire: the chunk arrives after its wire time, on the timers. */
export function timedWire(timers: TimeSource): Wire {
  return {
    carry: function (deliver: () => void, wireMs: number): void {
      timers.setTimeout(deliver, wireMs);
    },
  };
}

export class InsideUart {
  /** What the driver gets: write() towards the device, on("data") from it. */
  readonly firmware: SerialLike;
  /** Bytes carried each way so far (counters only). */
  bytesToDevice = 0;
  bytesToFirmware = 0;
  private readonly wire: Wire;
  private readonly device: UartDevice;
  private readonly msPerByte: number;
  private handler: ((data: string) => void) | null = null;
  private toDevice = "";
  private toFw = "";
  private deviceTimer = false;
  private fwTimer = false;

  constructor(wire: Wire, device: UartDevice, baud: number) {
    this.wire = wire;
    this.device = device;
    this.msPerByte = baud > 0 ? 10000 / baud : 0;
    const self = this;
    this.firmware = {
      write: function (data: string | Uint8Array | number): void {
        self.fromFirmware(binary(data));
      },
      on: function (event: "data", handler: (data: string) => void): void {
        if (event === "data") self.handler = handler;
      },
    };
    device.attach(function (data: string) {
      self.fromDevice(data);
    });
  }

  private fromFirmware(data: string): void {
    if (data.length === 0) return;
    this.bytesToDevice += data.length;
    this.toDevice += data;
    if (this.deviceTimer) return;
    this.deviceTimer = true;
    const self = this;
    this.wire.carry(function () {
      self.deviceTimer = false;
      const chunk = self.toDevice;
      self.toDevice = "";
      self.device.onReceive(chunk);
    }, this.msPerByte * this.toDevice.length);
  }

  private fromDevice(data: string): void {
    if (data.length === 0) return;
    this.bytesToFirmware += data.length;
    this.toFw += data;
    if (this.fwTimer) return;
    this.fwTimer = true;
    const self = this;
    this.wire.carry(function () {
      self.fwTimer = false;
      const chunk = self.toFw;
      self.toFw = "";
      // A driver that has not registered yet (booting) misses the bytes, as on a real wire.
      if (self.handler) self.handler(chunk);
    }, this.msPerByte * this.toFw.length);
  }
}

/** What drivers write (a binary string, a byte, or bytes) as a binary string. */
export function binary(data: string | Uint8Array | number | ArrayLike<number>): string {
  if (typeof data === "string") return data;
  if (typeof data === "number") return String.fromCharCode(data & 255);
  let s = "";
  for (let i = 0; i < data.length; i++) s += String.fromCharCode(data[i] & 255);
  return s;
}
