/**
 * Where each device model hangs on the virtual board: the mirror, on the device side, of what
 * firmware/boards/virtual.ts sets up on the MCU side (Pico pin map). One table, so the wiring is
 * read in one place; test/terminal/wiring.test.ts runs the profile's wire() against stub
 * globals and fails when the two drift apart.
 */
import type { I2CBusName } from "../virtual/i2c";
import type { UartPortName } from "../virtual/serial";
import { DEFAULT_KEYMAP } from "../../firmware/drivers/keypad-keys";

export interface TerminalWiring {
  /** HD44780 + PCF8574 backpack. */
  lcd: { bus: I2CBusName; address: number; cols: number; rows: number };
  /** ESC/POS printer: its TX/RX on a UART, BUSY output on a pin. */
  printer: { uart: UartPortName; baud: number; busyPin: string };
  /** Contact-chip reader module (APDU frames) and the connector's card-present switch. */
  icc: { uart: UartPortName; baud: number; presentPin: string };
  /** Magnetic-stripe reader module (sends tracks only). */
  msr: { uart: UartPortName; baud: number };
  /** 4x4 membrane matrix: row wires, column wires, legends row-major. */
  keypad: { rows: string[]; cols: string[]; keymap: string };
}

export const VIRTUAL_WIRING: TerminalWiring = {
  lcd: { bus: "I2C1", address: 0x27, cols: 20, rows: 4 },
  printer: { uart: "Serial1", baud: 9600, busyPin: "A8" },
  icc: { uart: "Serial2", baud: 38400, presentPin: "A1" },
  msr: { uart: "Serial3", baud: 9600 },
  keypad: { rows: ["B15", "B14", "B13", "B10"], cols: ["B1", "A7", "A6", "A5"], keymap: DEFAULT_KEYMAP },
};
