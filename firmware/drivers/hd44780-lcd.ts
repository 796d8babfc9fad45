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
 * Text: `setLine` / `write` only change a rows x cols frame buffer; `flush()` (call it from the
 * UI tick) sends only the cells that differ from what the display shows. Characters: printable
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

/** The common backpack (blue "LCM1602 IIC" / YwRobot style). */
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

/** The glyphs loaded into CGRAM at init: 8 rows of 5 pixels each, slot by slot. */
export const LCD_GLYPH_BITMAPS = new Uint8Array([
  0x11, 0x0a, 0x1f, 0x04, 0x1f, 0x04, 0x04, 0x00, // slot 0: yuan / yen sign
  0x00, 0x01, 0x03, 0x16, 0x1c, 0x08, 0x00, 0x00, // slot 1: check mark (approved)
  0x00, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x00, 0x00, // slot 2: cross (declined)
]);
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

const SPACE = 0x20;

export class Hd44780Lcd {
  readonly cols: number;
  readonly rows: number;
  /** I2C writes that failed, in total. */
  faults = 0;
  /** Failures since the display last worked. */
  failRun = 0;
  private readonly i2c: I2CLike;
  private readonly address: number;
  private readonly ring: EventRing | undefined;
  private readonly clock: Clock | undefined;
  private readonly powerOnMs: number;
  private readonly retryMs: number;
  private readonly tickMs: number;
  private ticks = 0;
  private readonly frame: Uint8Array;
  private readonly shown: Uint8Array;
  private readonly rowAddr: Uint8Array;
  /** Port bits for each nibble value, and the control masks. */
  private readonly nib: Uint8Array;
  private readonly rsMask: number;
  private readonly eMask: number;
  private readonly blMask: number;
  private readonly cmdBuf = new Uint8Array(6);
  private readonly dataBuf = new Uint8Array(4);
  private readonly nibBuf = new Uint8Array(4);
  private readonly idleBuf = new Uint8Array(1);
  private state = ST_OFF;
  private stepAt = 0;
  private faulted = false;
  private light = true;
  private lightDirty = false;
  private cursorOn = false;
  private blinkOn = false;
  private ctrlDirty = false;
  private cursorRow = 0;
  private cursorCol = 0;
  private cursorDirty = false;

  constructor(options: Hd44780LcdOptions) {
    this.i2c = options.i2c;
    this.address = options.address !== undefined ? options.address : 0x27;
    this.cols = options.cols !== undefined ? options.cols : 16;
    this.rows = options.rows !== undefined ? options.rows : 2;
    if (this.rows !== 1 && this.rows !== 2 && this.rows !== 4) throw new Error("Hd44780Lcd: rows must be 1, 2 or 4");
    if (this.cols < 1 || this.cols * (this.rows === 4 ? 2 : 1) > (this.rows === 1 ? 80 : 40)) {
      throw new Error("Hd44780Lcd: cols do not fit the HD44780 DDRAM");
    }
    this.ring = options.ring;
    this.clock = options.clock;
    this.powerOnMs = options.powerOnMs !== undefined ? options.powerOnMs : 50;
    this.retryMs = options.retryMs !== undefined ? options.retryMs : 500;
    this.tickMs = options.tickMs !== undefined ? options.tickMs : 10;
    const n = this.rows * this.cols;
    this.frame = new Uint8Array(n);
    this.shown = new Uint8Array(n);
    fillSpaces(this.frame);
    fillSpaces(this.shown);
    // DDRAM address of each row's first cell: rows 3/4 continue lines 1/2 (0x14/0x54 on 20x4).
    this.rowAddr = new Uint8Array([0x00, 0x40, this.cols, 0x40 + this.cols]);
    const b = options.bits || BACKPACK_COMMON;
    this.rsMask = 1 << b.rs;
    this.eMask = 1 << b.e;
    this.blMask = 1 << b.bl;
    this.nib = new Uint8Array(16);
    for (let v = 0; v < 16; v++) {
      this.nib[v] = (v & 1 ? 1 << b.d4 : 0) | (v & 2 ? 1 << b.d5 : 0) | (v & 4 ? 1 << b.d6 : 0) | (v & 8 ? 1 << b.d7 : 0);
    }
  }

  /** Start (or restart) the init sequence; flush() carries it on. Returns LCD_OK or LCD_ERR_FAULT. */
  init(): number {
    const now = this.now();
    this.state = ST_POWER;
    this.stepAt = now + this.powerOnMs;
    this.advance(now);
    return this.state === ST_PROBE ? LCD_ERR_FAULT : LCD_OK;
  }

  /** True once initialised and answering. */
  isOk(): boolean {
    return this.state === ST_READY;
  }

  /** Replace a row's text (padded with spaces, clipped at the edge). Buffer only. @hot */
  setLine(row: number, text: string): number {
    if (row < 0 || row >= this.rows) return LCD_ERR_RANGE;
    const base = row * this.cols;
    const len = text.length;
    for (let c = 0; c < this.cols; c++) this.frame[base + c] = c < len ? lcdCharCode(text.charCodeAt(c)) : SPACE;
    return len > this.cols ? this.cols : len;
  }

  /** Write text at (row, col), clipped at the row's end; returns cells written. Buffer only. @hot */
  write(row: number, col: number, text: string): number {
    if (row < 0 || row >= this.rows || col < 0 || col >= this.cols) return LCD_ERR_RANGE;
    const base = row * this.cols;
    let n = 0;
    for (let i = 0; i < text.length && col + i < this.cols; i++) {
      this.frame[base + col + i] = lcdCharCode(text.charCodeAt(i));
      n++;
    }
    return n;
  }

  /** Blank the frame buffer (sent on the next flush). */
  clear(): void {
    fillSpaces(this.frame);
  }

  backlight(on: boolean): void {
    if (this.light === on) return;
    this.light = on;
    this.lightDirty = true;
  }

  /** Show or hide the underline cursor (and its blink). */
  cursor(on: boolean, blink?: boolean): void {
    this.cursorOn = on;
    this.blinkOn = !!blink;
    this.ctrlDirty = true;
    this.cursorDirty = true;
  }

  setCursor(row: number, col: number): number {
    if (row < 0 || row >= this.rows || col < 0 || col >= this.cols) return LCD_ERR_RANGE;
    this.cursorRow = row;
    this.cursorCol = col;
    this.cursorDirty = true;
    return LCD_OK;
  }

  /** The frame buffer row as a string (glyph slots as their Unicode chars). For the rig; not hot. */
  text(row: number): string {
    if (row < 0 || row >= this.rows) return "";
    let s = "";
    for (let c = 0; c < this.cols; c++) {
      const v = this.frame[row * this.cols + c];
      s += v < GLYPH_COUNT ? LCD_GLYPH_CHARS.charAt(v) : String.fromCharCode(v === 0xff ? 0x2588 : v);
    }
    return s;
  }

  /**
   * Carry on init or recovery, then send the cells that changed since the last flush (and the
   * backlight / cursor if they changed). Returns cells written, LCD_ERR_INIT or LCD_ERR_FAULT.
   * @hot
   */
  flush(): number {
    if (!this.clock) this.ticks++;
    const now = this.now();
    if (this.state !== ST_READY) {
      this.advance(now);
      if (this.state !== ST_READY) return this.state === ST_PROBE ? LCD_ERR_FAULT : LCD_ERR_INIT;
    }
    if (this.lightDirty) {
      this.lightDirty = false;
      if (!this.sendIdle()) return LCD_ERR_FAULT;
    }
    if (this.ctrlDirty) {
      this.ctrlDirty = false;
      if (!this.command(this.displayControl())) return LCD_ERR_FAULT;
    }
    const cols = this.cols;
    let wrote = 0;
    for (let r = 0; r < this.rows; r++) {
      let inRun = false;
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c;
        const v = this.frame[i];
        if (v === this.shown[i]) {
          inRun = false;
          continue;
        }
        // The address counter moves on by itself inside a run of changed cells.
        if (!inRun && !this.command(0x80 | (this.rowAddr[r] + c))) return LCD_ERR_FAULT;
        inRun = true;
        if (!this.data(v)) return LCD_ERR_FAULT;
        this.shown[i] = v;
        wrote++;
      }
    }
    if (this.cursorOn && (wrote > 0 || this.cursorDirty)) {
      if (!this.command(0x80 | (this.rowAddr[this.cursorRow] + this.cursorCol))) return LCD_ERR_FAULT;
    }
    this.cursorDirty = false;
    return wrote;
  }

  /** @hot */
  private now(): number {
    return this.clock ? this.clock.now() : this.ticks * this.tickMs;
  }

  /** Run every init / recovery step that is due. @hot */
  private advance(now: number): void {
    while (this.state !== ST_READY && this.state !== ST_OFF && now >= this.stepAt) {
      if (!this.step()) return;
    }
  }

  /**
   * One step of the datasheet sequence; false when it faulted (the fault set the next probe).
   * Waits count from the clock read AFTER the step's writes: I2C takes real time on a board.
   * @hot
   */
  private step(): boolean {
    const s = this.state;
    if (s === ST_PROBE) {
      if (!this.sendIdle()) return false;
      this.state = ST_POWER; // it answers: it may have just been powered, give it its reset time
      this.stepAt = this.now() + this.powerOnMs;
      return true;
    }
    if (s === ST_POWER) {
      if (!this.nibble(0x3)) return false;
      this.state = ST_RESET2;
      this.stepAt = this.now() + 6; // > 4.1 ms
      return true;
    }
    if (s === ST_RESET2) {
      if (!this.nibble(0x3)) return false;
      this.state = ST_RESET3;
      this.stepAt = this.now() + 2; // > 100 us
      return true;
    }
    if (s === ST_RESET3) {
      if (!this.nibble(0x3) || !this.nibble(0x2)) return false; // now in 4-bit mode
      if (!this.command(this.rows > 1 ? 0x28 : 0x20)) return false; // 4-bit, lines, 5x8 font
      if (!this.command(0x08) || !this.command(0x01)) return false; // display off, clear
      this.state = ST_SETUP;
      this.stepAt = this.now() + 3; // clear takes 1.52 ms
      return true;
    }
    if (!this.command(0x06)) return false; // entry mode: increment, no shift
    if (!this.command(0x40)) return false; // CGRAM address 0
    for (let i = 0; i < LCD_GLYPH_BITMAPS.length; i++) if (!this.data(LCD_GLYPH_BITMAPS[i])) return false;
    if (!this.command(this.displayControl())) return false;
    if (!this.command(0x80)) return false; // back to DDRAM
    fillSpaces(this.shown); // what clear left; the next flush redraws everything else
    this.ctrlDirty = false;
    this.lightDirty = false;
    this.cursorDirty = true;
    this.state = ST_READY;
    this.failRun = 0;
    if (this.faulted) {
      this.faulted = false;
      if (this.ring) this.ring.push(EV_LCD_OK, 0, 0);
    }
    return true;
  }

  /** @hot */
  private displayControl(): number {
    return 0x0c | (this.cursorOn ? 2 : 0) | (this.blinkOn ? 1 : 0);
  }

  /** Port byte between transfers: RS=1, E=0, backlight as set. @hot */
  private idle(): number {
    return (this.light ? this.blMask : 0) | this.rsMask;
  }

  /** @hot */
  private sendIdle(): boolean {
    this.idleBuf[0] = this.idle();
    return this.send(this.idleBuf);
  }

  /** A single nibble (the 8-bit-mode steps of init), RS=0. @hot */
  private nibble(v: number): boolean {
    const base = this.light ? this.blMask : 0;
    const b = this.nibBuf;
    b[0] = base;
    b[1] = base | this.nib[v] | this.eMask;
    b[2] = base | this.nib[v];
    b[3] = this.idle();
    return this.send(b);
  }

  /** An instruction byte, RS=0, set up one byte before E rises. @hot */
  private command(v: number): boolean {
    const base = this.light ? this.blMask : 0;
    const hi = this.nib[(v >> 4) & 15];
    const lo = this.nib[v & 15];
    const b = this.cmdBuf;
    b[0] = base;
    b[1] = base | hi | this.eMask;
    b[2] = base | hi;
    b[3] = base | lo | this.eMask;
    b[4] = base | lo;
    b[5] = this.idle();
    return this.send(b);
  }

  /** A data byte (DDRAM or CGRAM), RS=1 (already set by the idle state). @hot */
  private data(v: number): boolean {
    const base = this.idle();
    const hi = this.nib[(v >> 4) & 15];
    const lo = this.nib[v & 15];
    const b = this.dataBuf;
    b[0] = base | hi | this.eMask;
    b[1] = base | hi;
    b[2] = base | lo | this.eMask;
    b[3] = base | lo;
    return this.send(b);
  }

  /** The one place the bus is touched: a NACK becomes a fault, never an exception. @hot */
  private send(buf: Uint8Array): boolean {
    try {
      this.i2c.writeTo(this.address, buf);
      return true;
    } catch (e) {
      this.fault();
      return false;
    }
  }

  /** @hot */
  private fault(): void {
    this.faults++;
    this.failRun++;
    const now = this.now();
    // First failure: probe again straight away (a glitch); after that, every retryMs.
    this.stepAt = this.state === ST_PROBE ? now + this.retryMs : now;
    this.state = ST_PROBE;
    if (!this.faulted) {
      this.faulted = true;
      if (this.ring) this.ring.push(EV_LCD_FAULT, this.failRun, this.faults);
    }
  }
}

/** (Typed-array fill is missing on SAVE_ON_FLASH Espruino builds.) @hot */
function fillSpaces(buf: Uint8Array): void {
  for (let i = 0; i < buf.length; i++) buf[i] = SPACE;
}

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
