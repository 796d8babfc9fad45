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

export interface BoardProfile {
  /** process.env.BOARD value this profile answers to. */
  id: string;
  name: string;
  /** RAM budget in blocks (ESPRUINO.md), for the boot report. */
  blocks: number;
  lcd: { address: number; cols: number; rows: number };
  /** Where the wiring is documented (README table id). */
  wiringDoc: string;
  wire(): BoardBuses;
}
