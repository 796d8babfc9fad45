/**
 * Hd44780Lcd — HD44780-compatible character LCD (16x2 or 20x4) on a PCF8574 / PCF8574A
 * I2C backpack (address 0x27, or 0x3F for the "A" part).
 * Datasheets: Hitachi HD44780U (ADE-207-272), "Initializing by Instruction", 4-bit interface,
 * figure 24 and table 6; NXP PCF8574/PCF8574A "Remote 8-bit I/O expander for I2C-bus".
 *
 * Wiring: board I2C SDA/SCL -> backpack SDA/SCL (5 V backpacks need level shifting or a 3.3 V
 * module). The backpack maps the PCF8574 port to the LCD; the common map (default, `bits`
 * option for others) is P0=RS, P1=RW, P2=E, P3=backlight, P4..P7=D4..D7.
 *
 * How bytes reach the LCD: each PCF8574 byte sets the 8 port pins; the HD44780 latches a nibble
 * on each E falling edge. A command is one I2C write [RS=0 | E pulse hi nibble | E pulse lo |
 * idle] (6 bytes: RS is set one byte before E rises, honouring the RS set-up time), a data byte
 * is 4 bytes. Every write leaves the port "idle" (RS=1, E=0) so data needs no set-up byte.
 * R/W is always 0: the busy flag is never read; instead the driver relies on I2C time
 * (one byte is ~90 us at 100 kHz, ~23 us at 400 kHz, while ordinary instructions take 37 us and
 * every instruction is 4+ bytes) and on clock waits for the slow ones.
 *
 * Init, without blocking (Espruino has no blocking delay worth using): `init()` starts a short
 * sequence of steps that `flush()` advances, each step running once its wait has passed on the
 * injected clock: power-on wait (powerOnMs, 50) -> 0x3 -> 6 ms -> 0x3 -> 2 ms -> 0x3, 0x2
 * (4-bit), function set, display off, clear -> 3 ms -> entry mode, custom glyphs into CGRAM,
 * display on. Waits are the datasheet's plus 1 ms so a whole-millisecond clock is still safe.
 * With no clock, each flush() call counts as `tickMs` (default 10) after the previous one.
 *
 * Text: `setLine` and the app's own writes into `frame` (char codes as `lcdCharCode` gives them)
 * only change a rows x cols frame buffer; `flush()` (call it from the UI tick) sends only the
 * cells that differ from what the display shows. Characters: printable
 * ASCII except '\' and '~' (the A00 ROM has a yen sign and an arrow there) go as is; custom
 * glyphs are CGRAM slots 0..2 (LCD_YUAN "\x00" or U+00A5 / U+FFE5, LCD_CHECK "\x01" or U+2713,
 * LCD_CROSS "\x02" or U+2717); U+2588 is the ROM's full block; anything else shows '?'.
 *
 * Faults: an I2C error (no ACK: the bus throws) is caught, counted and reported once per episode
 * as EV_LCD_FAULT (a = consecutive failures, b = total failures); the driver then probes the
 * display (every retryMs, default 500) and, once it answers, re-initialises it and redraws the
 * whole frame, then reports EV_LCD_OK. Nothing is thrown to the app.
 *
 * Usage:
 *   const lcd = new Hd44780Lcd({ i2c: I2C1, address: 0x27, cols: 16, rows: 2, ring, clock });
 *   lcd.init();
 *   setInterval(function () { lcd.flush(); }, 20);
 *   lcd.setLine(0, "AMOUNT"); lcd.setLine(1, LCD_YUAN + "12.50");
 *   lcd.cursor(1, 4); // underline cursor at row 1, column 4; lcd.cursor(-1, 0) hides it
 *
 * Memory: a constructor function with its methods put on the prototype at the module's top
 * level (TypeScript's ES5 class output puts methods inside a function of their own, and on
 * Espruino a method keeps a link to every scope around it); one internal `xfer()`
 * builds and sends every kind of bus write; the init / recovery steps run inside flush(); the
 * what-is-shown copy, the nibble table and the write buffers share one Uint8Array; flags are the
 * bits of one number; properties have names of at most 4 characters (one block each).
 */
import type { I2CLike } from "../hal/i2c";
import type { Clock } from "../hal/clock";
import type { EventRing } from "../lib/event-ring";
import { EV_LCD_FAULT, EV_LCD_OK } from "../events";

/** Which PCF8574 port bit (0..7) drives each LCD line. */
export interface BackpackBits {
  rs: number;
  rw: number;
  e: number;
  bl: number;
  d4: number;
  d5: number;
  d6: number;
  d7: number;
}

/** The common backpack (blue "LCM1602 IIC" / YwRobot style): the driver's default. */
export const BACKPACK_COMMON: BackpackBits = { rs: 0, rw: 1, e: 2, bl: 3, d4: 4, d5: 5, d6: 6, d7: 7 };

export interface Hd44780LcdOptions {
  i2c: I2CLike;
  address?: number; // default 0x27
  cols?: number; // default 16
  rows?: number; // 1, 2 or 4; default 2
  ring?: EventRing;
  clock?: Clock;
  bits?: BackpackBits;
  /** Wait before the first instruction after init() or after the display answers again. */
  powerOnMs?: number;
  /** How often to probe a display that does not answer. */
  retryMs?: number;
  /** Without a clock: the assumed time between flush() calls. */
  tickMs?: number;
}

export const LCD_OK = 0;
export const LCD_ERR_RANGE = -1; // row or column outside the display
export const LCD_ERR_FAULT = -2; // the display does not answer; the frame is kept for the redraw
export const LCD_ERR_INIT = -3; // init() not called yet, or its steps are still running

/** Text for the custom glyphs (CGRAM slot codes), usable on any Espruino build. */
export const LCD_YUAN = "\x00";
export const LCD_CHECK = "\x01";
export const LCD_CROSS = "\x02";

/**
 * The glyphs loaded into CGRAM at init: 8 rows of 5 pixels each, slot by slot: 0 yuan / yen
 * sign, 1 check mark (approved), 2 cross (declined). One string (RAM: see the header).
 */
const GLYPHS =
  "\x11\x0a\x1f\x04\x1f\x04\x04\x00" + "\x00\x01\x03\x16\x1c\x08\x00\x00" + "\x00\x11\x0a\x04\x0a\x11\x00\x00";
/** GLYPHS as bytes (declared before its use: Espruino does not hoist function declarations). */
function glyphBytes(): Uint8Array {
  const b = new Uint8Array(GLYPHS.length);
  for (let i = 0; i < b.length; i++) b[i] = GLYPHS.charCodeAt(i);
  return b;
}
/** The same bytes as a Uint8Array, for the device model and tests (the firmware does not keep it). */
export const LCD_GLYPH_BITMAPS = /*#__PURE__*/ glyphBytes();
/** The Unicode char each glyph stands for (what `text()` shows, and what text may contain). */
export const LCD_GLYPH_CHARS = "\u00a5\u2713\u2717";
const GLYPH_COUNT = 3;

const ST_OFF = 0;
const ST_PROBE = 1; // faulted: probe until the backpack ACKs
const ST_POWER = 2; // wait powerOnMs, then the first 0x3
const ST_RESET2 = 3; // second 0x3
const ST_RESET3 = 4; // third 0x3, 0x2, function set, display off, clear
const ST_SETUP = 5; // entry mode, glyphs, display on
const ST_READY = 6;

// Bits of `f`.
const F_FAULTED = 1; // a fault was reported; EV_LCD_OK is due when it answers again
const F_LIGHT = 2;
const F_LIGHT_DIRTY = 4;
const F_CURSOR = 8;
const F_BLINK = 16;
const F_CTRL_DIRTY = 32; // display control (cursor, blink) to send
const F_CURSOR_DIRTY = 64; // cursor position to send

// xfer() kinds.
const X_IDLE = 0; // one byte: RS=1, E=0, backlight as set
const X_NIBBLE = 1; // a single nibble, RS=0 (the 8-bit-mode steps of init)
const X_COMMAND = 2; // an instruction byte, RS=0, set up one byte before E rises
const X_DATA = 3; // a data byte (DDRAM or CGRAM), RS=1 (already set by the idle state)

const SPACE = 0x20;

// `mem` starts with the driver's byte-sized numbers (a byte each instead of a property each):
// the I2C address, the init state (ST_*), the F_* bits, the port masks of RS, E and the backlight;
// then what the display shows (from SHOWN).
const L_ADDR = 0;
const L_ST = 1;
const L_F = 2;
const L_RS = 3;
const L_EN = 4;
const L_BL = 5;
const SHOWN = 6;

export interface Hd44780Lcd {
  readonly cols: number;
  readonly rows: number;
  /** The frame buffer, rows x cols char codes (lcdCharCode): flush() sends what differs from the glass. */
  readonly frame: Uint8Array;
  /** I2C writes that failed, in total. */
  faults: number;
  /** Failures since the display last worked. */
  failRun: number;
  /** Start (or restart) the init sequence; flush() carries it on. Returns LCD_OK or LCD_ERR_FAULT. */
  init(): number;
  /** Replace a row's text (padded with spaces, clipped at the edge): cells set, or LCD_ERR_RANGE. Buffer only. */
  setLine(row: number, text: string): number;
  /** The frame buffer row as a string (glyph slots as their Unicode chars). For the rig; not hot. */
  text(row: number): string;
  /**
   * Carry on init or recovery, then send the cells that changed since the last flush (and the
   * backlight / cursor if they changed). Returns cells written, LCD_ERR_INIT or LCD_ERR_FAULT.
   */
  flush(): number;
  backlight(on: boolean): void;
  /** Show the underline cursor at (row, col), blinking or not; row < 0 hides it. LCD_OK or LCD_ERR_RANGE. */
  cursor(row: number, col: number, blink?: boolean): number;
}

/** The driver's own fields and helper (names of at most 4 characters: one block each). */
interface Lcd extends Hd44780Lcd {
  cols: number;
  rows: number;
  frame: Uint8Array;
  i2c: I2CLike;
  ring: EventRing | undefined;
  clk: Clock | undefined;
  /** powerOnMs, retryMs, tickMs, and flush() calls so far (the time without a clock). */
  pwr: number;
  rtry: number;
  tms: number;
  tick: number;
  /** When the init / recovery step (mem[L_ST]) is due. */
  at: number;
  /** Cursor position: row * 256 + col. */
  cpos: number;
  /**
   * [0, SHOWN): the byte-sized numbers (L_*); then n = rows x cols bytes: what the display
   * shows; then 16: port bits for each nibble
   * value; then the write buffers, each a view of its own length: 6 bytes (a command), 4 (a data
   * byte or a nibble), 1 (idle).
   */
  mem: Uint8Array;
  b6: Uint8Array;
  b4: Uint8Array;
  b1: Uint8Array;
  xfer(kind: number, v: number): boolean;
  flush(starting?: number): number;
}

export const Hd44780Lcd = function (this: Lcd, options: Hd44780LcdOptions): void {
  const rows = options.rows !== undefined ? options.rows : 2;
  const cols = options.cols !== undefined ? options.cols : 16;
  if (rows !== 1 && rows !== 2 && rows !== 4) throw new Error("Hd44780Lcd: rows must be 1, 2 or 4");
  if (cols < 1 || cols * (rows === 4 ? 2 : 1) > (rows === 1 ? 80 : 40)) {
    throw new Error("Hd44780Lcd: cols do not fit the HD44780 DDRAM");
  }
  this.rows = rows;
  this.cols = cols;
  this.faults = 0;
  this.failRun = 0;
  this.i2c = options.i2c;
  this.ring = options.ring;
  this.clk = options.clock;
  this.pwr = options.powerOnMs !== undefined ? options.powerOnMs : 50;
  this.rtry = options.retryMs !== undefined ? options.retryMs : 500;
  this.tms = options.tickMs !== undefined ? options.tickMs : 10;
  this.tick = 0;
  this.at = 0;
  this.cpos = 0;
  const n = rows * cols;
  this.frame = new Uint8Array(n);
  const m = new Uint8Array(SHOWN + n + 16 + 6 + 4 + 1);
  this.mem = m;
  m[L_ADDR] = options.address !== undefined ? options.address : 0x27;
  m[L_ST] = ST_OFF;
  m[L_F] = F_LIGHT;
  this.b6 = new Uint8Array(m.buffer, SHOWN + n + 16, 6);
  this.b4 = new Uint8Array(m.buffer, SHOWN + n + 22, 4);
  this.b1 = new Uint8Array(m.buffer, SHOWN + n + 26, 1);
  for (let i = 0; i < n; i++) {
    this.frame[i] = SPACE;
    m[SHOWN + i] = SPACE;
  }
  const b = options.bits;
  m[L_RS] = 1 << (b ? b.rs : 0);
  m[L_EN] = 1 << (b ? b.e : 2);
  m[L_BL] = 1 << (b ? b.bl : 3);
  const d4 = 1 << (b ? b.d4 : 4);
  const d5 = 1 << (b ? b.d5 : 5);
  const d6 = 1 << (b ? b.d6 : 6);
  const d7 = 1 << (b ? b.d7 : 7);
  for (let v = 0; v < 16; v++) m[SHOWN + n + v] = (v & 1 ? d4 : 0) | (v & 2 ? d5 : 0) | (v & 4 ? d6 : 0) | (v & 8 ? d7 : 0);
} as unknown as { new (options: Hd44780LcdOptions): Hd44780Lcd; prototype: Hd44780Lcd };

const proto = Hd44780Lcd.prototype as Lcd;

proto.init = function (this: Lcd): number {
  this.mem[L_ST] = ST_POWER;
  this.at = (this.clk ? this.clk.now() : this.tick * this.tms) + this.pwr;
  return this.flush(1) === LCD_ERR_FAULT ? LCD_ERR_FAULT : LCD_OK;
};

/** @hot */
proto.setLine = function (this: Lcd, row: number, text: string): number {
  if (row < 0 || row >= this.rows) return LCD_ERR_RANGE;
  const base = row * this.cols;
  for (let c = 0; c < this.cols; c++) this.frame[base + c] = c < text.length ? lcdCharCode(text.charCodeAt(c)) : SPACE;
  return text.length > this.cols ? this.cols : text.length;
};

proto.text = function (this: Lcd, row: number): string {
  if (row < 0 || row >= this.rows) return "";
  let s = "";
  for (let c = 0; c < this.cols; c++) {
    const v = this.frame[row * this.cols + c];
    s += v < GLYPH_COUNT ? LCD_GLYPH_CHARS.charAt(v) : String.fromCharCode(v === 0xff ? 0x2588 : v);
  }
  return s;
};

proto.backlight = function (this: Lcd, on: boolean): void {
  if (((this.mem[L_F] & F_LIGHT) !== 0) === on) return;
  this.mem[L_F] ^= F_LIGHT;
  this.mem[L_F] |= F_LIGHT_DIRTY;
};

proto.cursor = function (this: Lcd, row: number, col: number, blink?: boolean): number {
  if (row < 0) {
    this.mem[L_F] = (this.mem[L_F] & ~(F_CURSOR | F_BLINK)) | F_CTRL_DIRTY | F_CURSOR_DIRTY;
    return LCD_OK;
  }
  if (row >= this.rows || col < 0 || col >= this.cols) return LCD_ERR_RANGE;
  this.mem[L_F] = (this.mem[L_F] & ~F_BLINK) | F_CURSOR | (blink ? F_BLINK : 0) | F_CTRL_DIRTY | F_CURSOR_DIRTY;
  this.cpos = row * 256 + col;
  return LCD_OK;
};

/**
 * Init / recovery steps that are due (the datasheet sequence; a step's wait counts from the
 * clock read AFTER its writes: I2C takes real time on a board), then the changed cells.
 * `starting` (from init()): no flush() call to count for the clockless time.
 * @hot
 */
proto.flush = function (this: Lcd, starting?: number): number {
  if (!this.clk && !starting) this.tick++;
  let now = this.clk ? this.clk.now() : this.tick * this.tms;
  const cols = this.cols;
  let i = 0;
  while (this.mem[L_ST] !== ST_READY && this.mem[L_ST] !== ST_OFF && now >= this.at) {
    const s = this.mem[L_ST];
    let wait = 0;
    if (s === ST_PROBE) {
      if (!this.xfer(X_IDLE, 0)) break;
      this.mem[L_ST] = ST_POWER; // it answers: it may have just been powered, give it its reset time
      wait = this.pwr;
    } else if (s === ST_POWER || s === ST_RESET2) {
      if (!this.xfer(X_NIBBLE, 0x3)) break;
      this.mem[L_ST] = s + 1;
      wait = s === ST_POWER ? 6 : 2; // > 4.1 ms, > 100 us
    } else if (s === ST_RESET3) {
      if (!this.xfer(X_NIBBLE, 0x3) || !this.xfer(X_NIBBLE, 0x2)) break; // now in 4-bit mode
      if (!this.xfer(X_COMMAND, this.rows > 1 ? 0x28 : 0x20)) break; // 4-bit, lines, 5x8 font
      if (!this.xfer(X_COMMAND, 0x08) || !this.xfer(X_COMMAND, 0x01)) break; // display off, clear
      this.mem[L_ST] = ST_SETUP;
      wait = 3; // clear takes 1.52 ms
    } else {
      // entry mode (increment, no shift), CGRAM address 0, the glyphs
      if (!this.xfer(X_COMMAND, 0x06) || !this.xfer(X_COMMAND, 0x40)) break;
      for (i = 0; i < GLYPHS.length; i++) if (!this.xfer(X_DATA, GLYPHS.charCodeAt(i))) break;
      if (i < GLYPHS.length) break;
      // display on (cursor as set), back to DDRAM
      if (!this.xfer(X_COMMAND, 0x0c | (this.mem[L_F] & F_CURSOR ? 2 : 0) | (this.mem[L_F] & F_BLINK ? 1 : 0))) break;
      if (!this.xfer(X_COMMAND, 0x80)) break;
      for (i = 0; i < this.rows * cols; i++) this.mem[SHOWN + i] = SPACE; // what clear left; the rest is redrawn
      this.mem[L_F] = (this.mem[L_F] & ~(F_CTRL_DIRTY | F_LIGHT_DIRTY)) | F_CURSOR_DIRTY;
      this.mem[L_ST] = ST_READY;
      this.failRun = 0;
      if (this.mem[L_F] & F_FAULTED) {
        this.mem[L_F] &= ~F_FAULTED;
        if (this.ring) this.ring.push(EV_LCD_OK, 0, 0);
      }
      break;
    }
    now = this.clk ? this.clk.now() : this.tick * this.tms;
    this.at = now + wait;
  }
  if (this.mem[L_ST] !== ST_READY) return this.mem[L_ST] === ST_PROBE ? LCD_ERR_FAULT : LCD_ERR_INIT;
  if (this.mem[L_F] & F_LIGHT_DIRTY) {
    this.mem[L_F] &= ~F_LIGHT_DIRTY;
    if (!this.xfer(X_IDLE, 0)) return LCD_ERR_FAULT;
  }
  if (this.mem[L_F] & F_CTRL_DIRTY) {
    this.mem[L_F] &= ~F_CTRL_DIRTY;
    if (!this.xfer(X_COMMAND, 0x0c | (this.mem[L_F] & F_CURSOR ? 2 : 0) | (this.mem[L_F] & F_BLINK ? 1 : 0))) return LCD_ERR_FAULT;
  }
  // `now` is free from here: it counts the cells written. A run of changed cells needs one
  // address command: the address counter moves on by itself.
  now = 0;
  let inRun = false;
  for (i = 0; i < this.rows * cols; i++) {
    if (i % cols === 0) inRun = false;
    if (this.frame[i] === this.mem[SHOWN + i]) {
      inRun = false;
      continue;
    }
    // DDRAM address of row r's first cell: rows 3/4 continue lines 1/2 (0x14/0x54 on 20x4)
    if (!inRun && !this.xfer(X_COMMAND, 0x80 | ((((i / cols) | 0) & 1 ? 0x40 : 0) + (((i / cols) | 0) & 2 ? cols : 0) + (i % cols)))) {
      return LCD_ERR_FAULT;
    }
    inRun = true;
    if (!this.xfer(X_DATA, this.frame[i])) return LCD_ERR_FAULT;
    this.mem[SHOWN + i] = this.frame[i];
    now++;
  }
  if (this.mem[L_F] & F_CURSOR && (now > 0 || this.mem[L_F] & F_CURSOR_DIRTY)) {
    i = this.cpos >> 8; // the cursor's row
    if (!this.xfer(X_COMMAND, 0x80 | ((i & 1 ? 0x40 : 0) + (i & 2 ? cols : 0) + (this.cpos & 0xff)))) return LCD_ERR_FAULT;
  }
  this.mem[L_F] &= ~F_CURSOR_DIRTY;
  return now;
};

/**
 * The one place the bus is touched: builds a write of `kind` (X_*) for value `v` and sends it.
 * A NACK (the bus throws) becomes a fault, never an exception: counted, reported once per
 * episode, and the next probe set (the first failure probes again at once: a glitch; after that
 * every retryMs).
 * @hot
 */
proto.xfer = function (this: Lcd, kind: number, v: number): boolean {
  const m = this.mem;
  const nib = SHOWN + this.rows * this.cols; // where the nibble table starts
  let out = this.b1;
  let base = this.mem[L_F] & F_LIGHT ? this.mem[L_BL] : 0;
  if (kind === X_IDLE) {
    out[0] = base | this.mem[L_RS];
  } else if (kind === X_NIBBLE) {
    out = this.b4;
    out[0] = base;
    out[1] = base | m[nib + v] | this.mem[L_EN];
    out[2] = base | m[nib + v];
    out[3] = base | this.mem[L_RS];
  } else if (kind === X_COMMAND) {
    out = this.b6;
    out[0] = base;
    out[1] = base | m[nib + ((v >> 4) & 15)] | this.mem[L_EN];
    out[2] = base | m[nib + ((v >> 4) & 15)];
    out[3] = base | m[nib + (v & 15)] | this.mem[L_EN];
    out[4] = base | m[nib + (v & 15)];
    out[5] = base | this.mem[L_RS];
  } else {
    out = this.b4;
    base |= this.mem[L_RS];
    out[0] = base | m[nib + ((v >> 4) & 15)] | this.mem[L_EN];
    out[1] = base | m[nib + ((v >> 4) & 15)];
    out[2] = base | m[nib + (v & 15)] | this.mem[L_EN];
    out[3] = base | m[nib + (v & 15)];
  }
  try {
    this.i2c.writeTo(this.mem[L_ADDR], out);
    return true;
  } catch (e) {
    this.faults++;
    this.failRun++;
    base = this.clk ? this.clk.now() : this.tick * this.tms; // now
    this.at = this.mem[L_ST] === ST_PROBE ? base + this.rtry : base;
    this.mem[L_ST] = ST_PROBE;
    if (!(this.mem[L_F] & F_FAULTED)) {
      this.mem[L_F] |= F_FAULTED;
      if (this.ring) this.ring.push(EV_LCD_FAULT, this.failRun, this.faults);
    }
    return false;
  }
};

/** The display code for a char code: ROM ASCII, a CGRAM slot, or '?'. @hot */
export function lcdCharCode(ch: number): number {
  if (ch >= 0x20 && ch <= 0x7d && ch !== 0x5c) return ch;
  if (ch < GLYPH_COUNT) return ch; // a loaded CGRAM slot written directly (LCD_YUAN ...)
  if (ch === 0xa5 || ch === 0xffe5) return 0;
  if (ch === 0x2713) return 1;
  if (ch === 0x2717) return 2;
  if (ch === 0x2588) return 0xff; // the ROM's full block
  return 0x3f;
}
