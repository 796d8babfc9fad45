/**
 * A board profile: which parts hang on which pins and buses of one board. Profiles are data
 * plus one `wire()` function that is the only place board globals (B8, Serial1, I2C1, ...)
 * are touched; everything downstream gets HAL objects (firmware/hal).
 */
import type { SerialLike } from "../hal/serial";
import type { I2CLike } from "../hal/i2c";
import type { PinLike } from "../hal/pin";
import type { NetLike } from "../hal/socket";

/** The buses one board hands to the drivers, already set up (baud, pins, bitrate). */
export interface BoardBuses {
  keypadRows: PinLike[];
  keypadCols: PinLike[];
  lcdI2c: I2CLike;
  msrSerial: SerialLike;
  iccSerial: SerialLike;
  iccPresent: PinLike;
  printerSerial: SerialLike;
  printerBaud: number;
  printerBusy: PinLike | null;
  /**
   * Brings the network up; `ready` gets `require("net")` once a link (WiFi, Ethernet, or the
   * host's own stack) is up, or null and a reason. `cfg` carries credentials from pos.cfg.
   */
  net(cfg: NetConfig, ready: (net: NetLike | null, err: string) => void): void;
}

export interface NetConfig {
  wifiSsid: string;
  wifiPassword: string;
}

/**
 * What a board is: kept small, every profile object lives in RAM all the time (a property is a
 * block or more on Espruino). The board's name, RAM budget and wiring table are in each
 * profile file's header and the README, not here.
 */
export interface BoardProfile {
  /** process.env.BOARD value this profile answers to. */
  id: string;
  lcd: LcdGeometry;
  wire(): BoardBuses;
}

export interface LcdGeometry {
  address: number;
  cols: number;
  rows: number;
}

/** The 20x4 display on a PCF8574 backpack at 0x27, shared by the profiles that use it. */
export const LCD_20X4: LcdGeometry = { address: 0x27, cols: 20, rows: 4 };
