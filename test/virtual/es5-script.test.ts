import { strict as assert } from "node:assert";
import { VirtualBoard } from "../../hil/virtual/board";
import { RecordingUart, RegisterDevice, TestNet, uncaught } from "./helpers";

/** Plain ES5 as it would be sent to a Pico: only globals the virtual board provides. */
const SCRIPT = [
  "var S = require('Storage');",
  "var boots = parseInt(S.read('boots') || '0', 10) + 1;",
  "S.erase('boots'); S.write('boots', String(boots));",
  "Serial1.setup(9600, { rx: B7, tx: B6 });",
  "I2C1.setup({ scl: B8, sda: B9 });",
  "var line = '';",
  "Serial1.on('data', function (d) {",
  "  for (var i = 0; i < d.length; i++) {",
  "    var c = d.charAt(i);",
  "    if (c === '\\n') { handle(line); line = ''; } else { line += c; }",
  "  }",
  "});",
  "function handle(cmd) {",
  "  if (cmd === 'boots') Serial1.write('boots=' + boots + '\\r\\n');",
  "  else if (cmd === 'crc') Serial1.write('crc=' + E.CRC32('abc').toString(16) + '\\r\\n');",
  "  else if (cmd === 'lcd') { try { I2C1.writeTo(0x27, [0x00, 0x41]); Serial1.write('lcd ok\\r\\n'); } catch (e) { Serial1.write(e.message + '\\r\\n'); } }",
  "  else Serial1.write('?\\r\\n');",
  "}",
  "var presses = 0;",
  "setWatch(function (e) { presses++; LED2.write(presses & 1); }, BTN, { repeat: true, edge: 'rising', debounce: 50 });",
  "var on = false;",
  "setInterval(function () { on = !on; LED1.write(on); }, 500);",
  "print('ready, boot ' + boots);",
].join("\n");

describe("virtual board: a small ES5 script runs unchanged", () => {
  it("uses Storage, Serial1, I2C1, setWatch, LEDs and timers as on a Pico", () => {
    const b = new VirtualBoard();
    const term = new RecordingUart(() => b.sched.now());
    const lcd = new RegisterDevice(0x27);
    const led1 = new TestNet();
    const led2 = new TestNet();
    const btn = new TestNet();
    b.attachUart("Serial1", term);
    b.attachI2C("I2C1", lcd);
    b.attachPin("LED1", led1);
    b.attachPin("LED2", led2);
    b.attachPin("BTN", btn);
    b.load(SCRIPT);
    assert.equal(b.console.output, "ready, boot 1\r\n");

    b.sched.advance(1600);
    assert.deepEqual(led1.mcu.filter((v) => v !== null), [true, false, true], "LED1 blinks every 500 ms");

    term.send("boots\ncrc\nlcd\nnope\n");
    b.sched.advance(200);
    assert.equal(term.text(), "boots=1\r\ncrc=352441c2\r\nlcd ok\r\n?\r\n");
    assert.deepEqual(lcd.writes, [[0x00, 0x41]]);

    btn.device = true; // press, with a bounce
    b.pinChanged("BTN");
    b.sched.advance(3);
    btn.device = false;
    b.pinChanged("BTN");
    b.sched.advance(2);
    btn.device = true;
    b.pinChanged("BTN");
    b.sched.advance(100);
    assert.equal(b.eval("presses"), 1);
    assert.equal(led2.mcu.at(-1), true);

    b.reset();
    assert.match(b.console.output, /ready, boot 2\r\n$/);
    assert.equal(uncaught(b).length, 0);
  });
});
