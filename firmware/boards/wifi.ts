/**
 * Espruino WiFi (STM32F411, 8190 blocks, ESP8266 on Serial2 for WiFi). The ESP8266 takes
 * USART2, so the chip reader and the mag-stripe reader use software serial.
 * Wiring table: README "Wiring: Espruino WiFi".
 * Profile "ESPRUINOWIFI": Espruino WiFi, 8190 blocks of RAM.
 */
import { LCD_20X4 } from "./profile";
import type { BoardProfile } from "./profile";
import { useThumb } from "../txn/native/thumb";

export const wifi: BoardProfile = {
  id: "ESPRUINOWIFI",
  lcd: LCD_20X4,
  wire: function () {
    // a Cortex-M4 runs Thumb-2 code from flash: DES and unpack's field walk as machine code
    // (txn/native/thumb.c), millions of ARM instructions less a sale
    useThumb();
    I2C1.setup({ scl: B8, sda: B9, bitrate: 100000 });
    Serial1.setup(9600, { tx: B6, rx: B7 }); // thermal printer
    const icc = new Serial();
    icc.setup(9600, { tx: A9, rx: A10 }); // chip reader module
    const msr = new Serial();
    msr.setup(9600, { rx: B4, tx: B3 }); // mag-stripe module (TX unused)
    return {
      keypadRows: [B15, B14, B13, B10],
      keypadCols: [B1, A7, A6, A5],
      lcdI2c: I2C1 as any,
      msrSerial: msr as any,
      iccSerial: icc as any,
      iccPresent: A1 as any,
      printerSerial: Serial1 as any,
      printerBaud: 9600,
      printerBusy: A8 as any,
      net: function (cfg, ready) {
        require("Wifi").connect(cfg.wifiSsid, { password: cfg.wifiPassword }, function (err: any) {
          ready(err ? null : require("net"), err ? "WiFi: " + err : "");
        });
      },
    };
  },
};
