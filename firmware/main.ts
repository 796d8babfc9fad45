/**
 * Boot: pick the board profile, build buses -> drivers, and run the UI loop.
 * Until the terminal application lands (issue 6) this shows an idle screen and echoes keys.
 */
import { selectBoard } from "./boards/index";
import { EventRing } from "./lib/event-ring";
import { MatrixKeypad } from "./drivers/keypad";
import { Hd44780Lcd } from "./drivers/hd44780-lcd";
import { keyName } from "./drivers/keypad-keys";
import { EV_KEY } from "./events";

const clock = {
  now: function () {
    return Math.floor(getTime() * 1000);
  },
};
const board = selectBoard(process.env.BOARD);
const buses = board.wire();
const ring = new EventRing(32);
const lcd = new Hd44780Lcd({ i2c: buses.lcdI2c, address: board.lcd.address, cols: board.lcd.cols, rows: board.lcd.rows, ring: ring, clock: clock });
const keypad = new MatrixKeypad({ rows: buses.keypadRows, cols: buses.keypadCols, ring: ring, clock: clock });

lcd.init();
lcd.setLine(0, "POS TERMINAL");
lcd.setLine(1, "READY");

setInterval(function () {
  keypad.scan();
  while (ring.shift()) {
    if (ring.kind === EV_KEY) lcd.setLine(1, "KEY " + keyName(ring.a));
  }
  lcd.flush();
}, 5);
