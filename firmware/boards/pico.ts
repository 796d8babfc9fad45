/**
 * Espruino Pico (STM32F401, 5100 blocks). Two hardware UARTs are usable (USART6 sits on the
 * USB pins), so the mag-stripe reader, which only transmits, gets a software-serial RX pin.
 * Networking needs a WIZnet W5500 on SPI1 and the Pico firmware built with WIZnet support.
 * Wiring table: README "Wiring: Espruino Pico".
 * Profile "PICO": Espruino Pico, 5100 blocks of RAM.
 */
import type { BoardProfile } from "./profile";
import { useThumb } from "../txn/native/thumb";

export const pico: BoardProfile = {
  id: "PICO",
  lcd: { address: 0x27, cols: 16, rows: 2 },
  wire: function () {
    // a Cortex-M4 runs Thumb-2 code from flash: DES and unpack's field walk as machine code
    // (txn/native/thumb.c), millions of ARM instructions less a sale
    useThumb();
    I2C1.setup({ scl: B8, sda: B9, bitrate: 100000 });
    Serial1.setup(9600, { tx: B6, rx: B7 }); // thermal printer
    Serial2.setup(38400, { tx: A2, rx: A3 }); // chip reader module
    const msr = new Serial();
    msr.setup(9600, { rx: A10, tx: A9 }); // mag-stripe module (TX unused)
    return {
      keypadRows: [B15, B14, B13, B10],
      keypadCols: [B1, A7, A6, A5],
      lcdI2c: I2C1 as any,
      msrSerial: msr as any,
      iccSerial: Serial2 as any,
      iccPresent: A1 as any,
      printerSerial: Serial1 as any,
      printerBaud: 9600,
      printerBusy: A8 as any,
      net: function (_cfg, ready) {
        SPI1.setup({ mosi: B5, miso: B4, sck: B3 });
        const eth = require("WIZnet").connect(SPI1, B0);
        eth.setIP({}, function (err: any) {
          ready(err ? null : require("net"), err ? "Ethernet: no DHCP lease" : "");
        });
      },
    };
  },
};
