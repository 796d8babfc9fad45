/**
 * The device side of each bus: how a device model plugs into a wire. Models implement these;
 * the virtual board (hil/virtual) and the unit-test adapters (hil/models/buses.ts) connect them
 * to the firmware-side HAL objects (firmware/hal). Same models, any target.
 */

/** A device on an I2C bus. `onWrite` returns false to NACK (the master then throws). */
export interface I2CDevice {
  readonly address: number;
  onWrite(data: Uint8Array): boolean;
  /** Bytes for a read, or null to NACK. */
  onRead(quantity: number): Uint8Array | null;
}

/** The device end of a UART. The wire calls `attach` once with the device's transmit function. */
export interface UartDevice {
  /** Bytes the firmware sent, as a binary string. */
  onReceive(data: string): void;
  attach(send: (data: string) => void): void;
}

/** One net between an MCU pin and a device. */
export interface PinNet {
  /** The MCU drives the net (output modes). `null` = MCU released it (input mode). */
  driven(level: boolean | null): void;
  /** The level the MCU reads; `pulledUp` says whether the MCU enabled its pull-up. */
  level(pulledUp: boolean): boolean;
}
