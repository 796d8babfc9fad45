/**
 * The virtual board (hil/virtual): Pico pin map, so the Pico wiring is what the tests exercise,
 * with the mag-stripe reader on Serial3 (the virtual board has no software serial) and the
 * network straight to the host's loopback through require("net").
 * Profile "VIRTUAL": Virtual board (Pico pin map), 5100 blocks of RAM.
 */
import { LCD_20X4 } from "./profile";
import type { BoardProfile } from "./profile";

export const virtual: BoardProfile = {
  id: "VIRTUAL",
  lcd: LCD_20X4,
  wire: function () {
    I2C1.setup({ scl: B8, sda: B9, bitrate: 100000 });
    Serial1.setup(9600, { tx: B6, rx: B7 });
    Serial2.setup(38400, { tx: A2, rx: A3 });
    Serial3.setup(9600, { rx: A10, tx: A9 });
    return {
      keypadRows: [B15, B14, B13, B10],
      keypadCols: [B1, A7, A6, A5],
      lcdI2c: I2C1 as any,
      msrSerial: Serial3 as any,
      iccSerial: Serial2 as any,
      iccPresent: A1 as any,
      printerSerial: Serial1 as any,
      printerBaud: 9600,
      printerBusy: A8 as any,
      net: function (_cfg, ready) {
        ready(require("net"), "");
      },
    };
  },
};
