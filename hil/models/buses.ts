/**
 * Firmware-side HAL objects wired straight to device models, for unit tests of drivers
 * (the virtual board does the same through Espruino-shaped globals). Bytes cross a UART
 * through the scheduler with baud-rate timing, so pacing and timeouts behave as on a wire.
 */
import type { I2CLike } from "../../firmware/hal/i2c";
import type { SerialLike } from "../../firmware/hal/serial";
import type { PinLike, PinMode } from "../../firmware/hal/pin";
import type { I2CDevice, UartDevice, PinNet } from "./ports";
import type { Scheduler } from "../sim/scheduler";

/** An I2C master with devices on it; throws like Espruino when nobody ACKs. */
export class ModelI2C implements I2CLike {
  private devices: I2CDevice[] = [];
  attach(device: I2CDevice): void {
    this.devices.push(device);
  }
  detach(device: I2CDevice): void {
    const i = this.devices.indexOf(device);
    if (i >= 0) this.devices.splice(i, 1);
  }
  writeTo(address: number, data: Uint8Array | number[] | number): void {
    const bytes = typeof data === "number" ? new Uint8Array([data]) : new Uint8Array(data as ArrayLike<number>);
    const dev = this.find(address);
    if (!dev || !dev.onWrite(bytes)) throw new Error("I2C Error: No ACK from 0x" + address.toString(16));
  }
  readFrom(address: number, quantity: number): Uint8Array {
    const dev = this.find(address);
    const got = dev ? dev.onRead(quantity) : null;
    if (!got) throw new Error("I2C Error: No ACK from 0x" + address.toString(16));
    return got;
  }
  private find(address: number): I2CDevice | undefined {
    for (let i = 0; i < this.devices.length; i++) if (this.devices[i].address === address) return this.devices[i];
    return undefined;
  }
}

/**
 * A UART between firmware and a device model. Each direction is a byte queue drained at
 * `baud` (10 bits per byte) through the scheduler; `baud = 0` delivers on the next tick.
 */
export class UartLink {
  readonly firmware: SerialLike;
  private toFirmware: ((data: string) => void) | null = null;
  private fwQueue = "";
  private devQueue = "";
  private fwTimer = 0;
  private devTimer = 0;
  /** Everything the firmware wrote, for assertions. */
  sent = "";

  constructor(private sched: Scheduler, private device: UartDevice, private baud = 0) {
    const self = this;
    this.firmware = {
      write(data: string | Uint8Array | number) {
        self.fromFirmware(toBinary(data));
      },
      on(_event: "data", handler: (data: string) => void) {
        self.toFirmware = handler;
      },
    };
    device.attach(function (data: string) {
      self.devQueue += data;
      self.pump(false);
    });
  }

  /** Milliseconds one byte takes on this wire. */
  byteTime(): number {
    return this.baud > 0 ? 10000 / this.baud : 0;
  }

  private fromFirmware(data: string): void {
    this.sent += data;
    this.fwQueue += data;
    this.pump(true);
  }

  private pump(fromFw: boolean): void {
    const self = this;
    if (fromFw) {
      if (this.fwTimer) return;
      this.fwTimer = this.sched.setTimeout(function () {
        self.fwTimer = 0;
        const chunk = self.fwQueue;
        self.fwQueue = "";
        if (chunk) self.device.onReceive(chunk);
      }, Math.ceil(this.byteTime() * this.fwQueue.length));
    } else {
      if (this.devTimer) return;
      this.devTimer = this.sched.setTimeout(function () {
        self.devTimer = 0;
        const chunk = self.devQueue;
        self.devQueue = "";
        if (chunk && self.toFirmware) self.toFirmware(chunk);
      }, Math.ceil(this.byteTime() * this.devQueue.length));
    }
  }
}

/** A GPIO wired to a net on a device model. */
export class ModelPin implements PinLike {
  private pullUp = false;
  private out = false;
  private isOutput = false;
  constructor(private net: PinNet) {}
  read(): boolean {
    return this.isOutput ? this.out : this.net.level(this.pullUp);
  }
  write(value: boolean): void {
    this.out = !!value;
    if (this.isOutput) this.net.driven(this.out);
  }
  mode(mode: PinMode): void {
    this.isOutput = mode === "output" || mode === "opendrain" || mode === "opendrain_pullup";
    this.pullUp = mode === "input_pullup" || mode === "opendrain_pullup";
    this.net.driven(this.isOutput ? this.out : null);
  }
}

export function toBinary(data: string | Uint8Array | number | ArrayLike<number>): string {
  if (typeof data === "string") return data;
  if (typeof data === "number") return String.fromCharCode(data & 255);
  let s = "";
  for (let i = 0; i < data.length; i++) s += String.fromCharCode(data[i] & 255);
  return s;
}
