/** Small device doubles and helpers for the virtual board tests. */
import type { I2CDevice, PinNet, UartDevice } from "../../hil/models/ports";
import { VirtualBoard, type VirtualBoardOptions } from "../../hil/virtual/board";

/** A board running `code`. */
export function boardWith(code: string, opts?: VirtualBoardOptions): VirtualBoard {
  const b = new VirtualBoard(opts);
  b.load(code);
  return b;
}

/** Console output with "Uncaught" lines, to assert a script ran cleanly. */
export function uncaught(b: VirtualBoard): string[] {
  return b.console.output.split("\r\n").filter((l) => l.indexOf("Uncaught") >= 0);
}

/** A UART device that records what it receives (with the time) and can transmit. */
export class RecordingUart implements UartDevice {
  received: Array<{ at: number; data: string }> = [];
  send: (data: string) => void = () => {
    throw new Error("not attached");
  };
  constructor(private now: () => number) {}
  onReceive(data: string): void {
    this.received.push({ at: this.now(), data: data });
  }
  attach(send: (data: string) => void): void {
    this.send = send;
  }
  text(): string {
    return this.received.map((r) => r.data).join("");
  }
}

/** A net a test drives: `level` is what the device puts on the wire (null = nothing, pull decides). */
export class TestNet implements PinNet {
  device: boolean | null = null;
  mcu: Array<boolean | null> = [];
  driven(level: boolean | null): void {
    this.mcu.push(level);
  }
  level(pulledUp: boolean): boolean {
    const last = this.mcu.length ? this.mcu[this.mcu.length - 1] : null;
    if (last === false || this.device === false) return false; // open-drain style wired-AND
    if (last === true) return true;
    return this.device === null ? pulledUp : this.device;
  }
}

/** An I2C device with a register file; `ack = false` makes it NACK everything. */
export class RegisterDevice implements I2CDevice {
  ack = true;
  writes: number[][] = [];
  pointer = 0;
  regs = new Uint8Array(16);
  constructor(readonly address: number) {}
  onWrite(data: Uint8Array): boolean {
    if (!this.ack) return false;
    this.writes.push(Array.from(data));
    if (data.length) this.pointer = data[0];
    for (let i = 1; i < data.length; i++) this.regs[(this.pointer + i - 1) & 15] = data[i];
    return true;
  }
  onRead(n: number): Uint8Array | null {
    if (!this.ack) return null;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.regs[(this.pointer + i) & 15];
    return out;
  }
}
