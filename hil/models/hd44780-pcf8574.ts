/**
 * Model of an HD44780 character LCD behind a PCF8574 I2C backpack, seen from the I2C bus.
 *
 * Each byte written sets the PCF8574 port; the HD44780 side latches a nibble on every E falling
 * edge with R/W low (4-bit wiring: D4..D7 only; D0..D3 read as 0 in 8-bit mode). It follows the
 * datasheet (Hitachi HD44780U, "Initializing by Instruction", 4-bit) and flags in `errors`:
 *   - data before init (8-bit mode, or no 4-bit function set yet);
 *   - an instruction other than the 0x3 / 0x2 init nibbles while in 8-bit mode;
 *   - 4-bit mode entered from power-on without the 0x3, 0x3, 0x3 reset sequence;
 *   - any instruction before the function set, or a second function set (the chip ignores it);
 *   - RS/RW changing as E rises (set-up time) or RS/RW/data changing as E falls (hold time);
 *   - with a clock: a latch within 40 ms of power-on, or while the previous instruction is
 *     still busy (4.1 ms / 100 us after the first reset nibbles, 1.52 ms after clear/home,
 *     37 us otherwise). Bus time is modelled: each I2C byte takes 9 bit times at `i2cHz`, and
 *     that time is added to the simulated clock (which stands still while a write runs).
 * DDRAM uses the real address map (line 2 at 0x40; rows 3/4 of a 20x4 at 0x14/0x54), with
 * wrap-around, entry mode, cursor and display shift; CGRAM holds the custom glyphs.
 *
 * Faults: `unplug()` (NACK; by default the module also loses power, so it comes back in its
 * power-on state and needs a full init), `plug()`, and `ackFaultEvery = N` (every Nth write is
 * NACKed and lost, as on a marginal bus).
 */
import type { I2CDevice } from "./ports";
import { BACKPACK_COMMON, LCD_GLYPH_BITMAPS, LCD_GLYPH_CHARS, type BackpackBits } from "../../firmware/drivers/hd44780-lcd";

export interface GlyphName {
  /** 8 rows of 5 pixels (low 5 bits). */
  bitmap: ArrayLike<number>;
  /** What `lines()` shows for a CGRAM cell holding this bitmap. */
  char: string;
}

export interface Hd44780ModelOptions {
  address?: number; // default 0x27
  cols?: number; // default 16
  rows?: number; // default 2
  bits?: BackpackBits;
  /** Simulated time (the Scheduler): enables the power-on and busy-time checks. */
  clock?: { now(): number };
  /** Bus speed for the modelled byte time (default 100 kHz). */
  i2cHz?: number;
  /** Known CGRAM bitmaps and the char shown for each (default: the driver's glyphs). */
  glyphs?: GlyphName[];
}

/** Shown for a CGRAM cell whose bitmap is not a known glyph. */
export const UNKNOWN_GLYPH = "\u25a1";
/** Shown for a ROM code outside ASCII (katakana etc.). */
export const NON_ASCII = "\ufffd";

const POWER_ON_MS = 40;

export class Hd44780Pcf8574Model implements I2CDevice {
  readonly address: number;
  readonly cols: number;
  readonly rows: number;
  errors: string[] = [];
  /** Every Nth write is NACKed (0 = never). */
  ackFaultEvery = 0;
  /** I2C writes ACKed / NACKed, data bytes received (address bytes not counted). */
  writes = 0;
  nacks = 0;
  bytesReceived = 0;
  /** HD44780 instructions and data bytes executed. */
  instructions = 0;
  dataWrites = 0;
  /** Power and interface state. */
  powered = true;
  connected = true;
  backlight = true;
  displayOn = false;
  cursorOn = false;
  blinkOn = false;
  mode8 = true;
  twoLine = false;
  functionSet = false;
  readonly ddram = new Uint8Array(0x80);
  readonly cgram = new Uint8Array(64);
  private readonly glyphs: GlyphName[];
  private readonly clock: { now(): number } | undefined;
  private readonly byteMs: number;
  private readonly rsMask: number;
  private readonly rwMask: number;
  private readonly eMask: number;
  private readonly blMask: number;
  private readonly dataMask: number;
  private readonly bits: BackpackBits;
  private port = 0xff;
  private attempts = 0;
  /** I2C time spent so far: the simulated clock stands still during a write, real time does not. */
  private busMs = 0;
  private powerOnAt = 0;
  private busyUntil = 0;
  private resets = 0;
  private fromPowerOn = true;
  private hi = -1;
  private hiRs = false;
  private ac = 0;
  private acCgram = false;
  private increment = true;
  private shiftOnWrite = false;
  private shift = 0;

  constructor(options?: Hd44780ModelOptions) {
    const o = options || {};
    this.address = o.address !== undefined ? o.address : 0x27;
    this.cols = o.cols || 16;
    this.rows = o.rows || 2;
    this.clock = o.clock;
    this.byteMs = 9000 / (o.i2cHz || 100000);
    const b = o.bits || BACKPACK_COMMON;
    this.bits = b;
    this.rsMask = 1 << b.rs;
    this.rwMask = 1 << b.rw;
    this.eMask = 1 << b.e;
    this.blMask = 1 << b.bl;
    this.dataMask = (1 << b.d4) | (1 << b.d5) | (1 << b.d6) | (1 << b.d7);
    this.glyphs = o.glyphs || defaultGlyphs();
    this.powerOn();
  }

  /** Disconnect: every write is NACKed. `powerLoss` (default true) also cuts the module's supply. */
  unplug(powerLoss?: boolean): void {
    this.connected = false;
    if (powerLoss !== false) this.powered = false;
  }

  plug(): void {
    this.connected = true;
    if (!this.powered) {
      this.powered = true;
      this.powerOn();
    }
  }

  onWrite(data: Uint8Array): boolean {
    this.attempts++;
    if (!this.connected || !this.powered || (this.ackFaultEvery > 0 && this.attempts % this.ackFaultEvery === 0)) {
      this.nacks++;
      return false;
    }
    this.writes++;
    this.busMs += this.byteMs; // start + address byte
    for (let i = 0; i < data.length; i++) {
      this.busMs += this.byteMs;
      this.portWrite(data[i], this.time());
    }
    return true;
  }

  /** The PCF8574 reads back its port (quasi-bidirectional pins, all driven by our writes). */
  onRead(quantity: number): Uint8Array | null {
    if (!this.connected || !this.powered) return null;
    const out = new Uint8Array(quantity);
    for (let i = 0; i < quantity; i++) out[i] = this.port;
    return out;
  }

  /** The visible text, one string per row (blank while the display is off or unpowered). */
  lines(): string[] {
    const out: string[] = [];
    for (let r = 0; r < this.rows; r++) {
      let s = "";
      for (let c = 0; c < this.cols; c++) {
        const code = this.cellCode(r, c);
        s += code < 0 ? " " : this.render(code);
      }
      out.push(s);
    }
    return out;
  }

  /** The character code shown at (row, col), or -1 when nothing is shown there. */
  cellCode(row: number, col: number): number {
    const addr = this.visibleAddr(row, col);
    return addr < 0 ? -1 : this.ddram[addr];
  }

  /** Where the cursor shows, or null when it is hidden or off-screen. */
  cursor(): { row: number; col: number } | null {
    if (!this.powered || !this.displayOn || !(this.cursorOn || this.blinkOn) || this.acCgram) return null;
    for (let r = 0; r < this.rows; r++) {
      for (let c = 0; c < this.cols; c++) if (this.visibleAddr(r, c) === this.ac) return { row: r, col: c };
    }
    return null;
  }

  /** The glyph (8 rows) in CGRAM slot 0..7. */
  glyph(slot: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < 8; i++) out.push(this.cgram[(slot & 7) * 8 + i] & 0x1f);
    return out;
  }

  private visibleAddr(row: number, col: number): number {
    if (!this.powered || !this.displayOn || row < 0 || row >= this.rows || col < 0 || col >= this.cols) return -1;
    if (!this.twoLine) {
      if (row > 0) return -1; // 1-line mode: the other rows stay dark
      return (((col + this.shift) % 80) + 80) % 80;
    }
    const start = row >= 2 ? this.cols : 0; // rows 3/4 continue lines 1/2
    const pos = (((start + col + this.shift) % 40) + 40) % 40;
    return (row % 2 === 1 ? 0x40 : 0) + pos;
  }

  private render(code: number): string {
    if (code < 16) return this.glyphChar(code & 7);
    if (code === 0x5c) return "\u00a5"; // the A00 ROM has a yen sign where ASCII has '\'
    if (code === 0x7e) return "\u2192";
    if (code === 0x7f) return "\u2190";
    if (code === 0xff) return "\u2588";
    if (code >= 0x20 && code < 0x7e) return String.fromCharCode(code);
    return NON_ASCII;
  }

  private glyphChar(slot: number): string {
    for (let g = 0; g < this.glyphs.length; g++) {
      const bm = this.glyphs[g].bitmap;
      let same = true;
      for (let i = 0; i < 8 && same; i++) same = (this.cgram[slot * 8 + i] & 0x1f) === (bm[i] & 0x1f);
      if (same) return this.glyphs[g].char;
    }
    return UNKNOWN_GLYPH;
  }

  /** The HD44780's internal reset at power-on (datasheet: clear, 8-bit, 1 line, display off). */
  private powerOn(): void {
    for (let i = 0; i < this.ddram.length; i++) this.ddram[i] = 0x20;
    for (let i = 0; i < this.cgram.length; i++) this.cgram[i] = i & 1 ? 0x0a : 0x15; // undefined: noise
    this.port = 0xff; // PCF8574 pins come up high
    this.backlight = true;
    this.displayOn = false;
    this.cursorOn = false;
    this.blinkOn = false;
    this.mode8 = true;
    this.twoLine = false;
    this.functionSet = false;
    this.resets = 0;
    this.fromPowerOn = true;
    this.hi = -1;
    this.ac = 0;
    this.acCgram = false;
    this.increment = true;
    this.shiftOnWrite = false;
    this.shift = 0;
    this.powerOnAt = this.time();
    this.busyUntil = 0;
  }

  /** Model time: the simulated clock plus the bus time it did not see pass. */
  private time(): number {
    return this.clock ? this.clock.now() + this.busMs : 0;
  }

  private error(msg: string): void {
    this.errors.push(msg);
  }

  private portWrite(b: number, t: number): void {
    const prev = this.port;
    this.port = b;
    this.bytesReceived++;
    this.backlight = (b & this.blMask) !== 0;
    const ctl = this.rsMask | this.rwMask;
    if (!(prev & this.eMask) && b & this.eMask) {
      if ((prev ^ b) & ctl) this.error("RS/RW changed as E rose (address set-up time)");
      return;
    }
    if (prev & this.eMask && !(b & this.eMask)) {
      if (prev & this.rwMask) return; // a read cycle: nothing is latched
      if ((prev ^ b) & (ctl | this.dataMask)) this.error("RS/RW/data changed as E fell (hold time)");
      this.latch(this.nibbleOf(prev), (prev & this.rsMask) !== 0, t);
    }
  }

  private nibbleOf(b: number): number {
    const k = this.bits;
    return ((b >> k.d4) & 1) | (((b >> k.d5) & 1) << 1) | (((b >> k.d6) & 1) << 2) | (((b >> k.d7) & 1) << 3);
  }

  private latch(n: number, rs: boolean, t: number): void {
    if (this.clock) {
      if (t < this.powerOnAt + POWER_ON_MS) this.error("written during the 40 ms power-on reset");
      else if (t < this.busyUntil) this.error("written while busy with the previous instruction");
    }
    if (this.mode8) {
      this.latch8(n, rs, t);
      return;
    }
    if (this.hi < 0) {
      this.hi = n;
      this.hiRs = rs;
      return;
    }
    if (rs !== this.hiRs) this.error("RS changed between the two nibbles of a byte");
    const v = (this.hi << 4) | n;
    this.hi = -1;
    this.execute(v, rs, t);
  }

  /** 8-bit interface (power-on, or after a 0x3x function set): one nibble is one whole byte. */
  private latch8(n: number, rs: boolean, t: number): void {
    if (rs) {
      this.error("data before init (interface still in 8-bit mode)");
      this.writeData(n << 4, t);
      return;
    }
    if (n === 3) {
      this.resets++;
      this.instructions++;
      this.twoLine = false;
      const wait = this.fromPowerOn && this.resets === 1 ? 4.1 : this.fromPowerOn && this.resets === 2 ? 0.1 : 0.037;
      this.busyUntil = t + wait;
      return;
    }
    if (n === 2) {
      if (this.fromPowerOn && this.resets < 3) this.error("4-bit mode entered without the 0x3, 0x3, 0x3 reset sequence");
      this.instructions++;
      this.mode8 = false;
      this.fromPowerOn = false;
      this.functionSet = false;
      this.twoLine = false;
      this.hi = -1;
      this.busyUntil = t + 0.037;
      return;
    }
    this.error("instruction 0x" + hex(n << 4) + " in 8-bit mode (init expects 0x3, 0x3, 0x3, 0x2)");
    this.execute(n << 4, false, t);
  }

  private execute(v: number, rs: boolean, t: number): void {
    if (rs) {
      if (!this.functionSet) this.error("data before init (no 4-bit function set yet)");
      this.writeData(v, t);
      return;
    }
    this.instructions++;
    let busy = 0.037;
    if ((v & 0xe0) !== 0x20 && !this.functionSet && !this.mode8) {
      this.error("instruction 0x" + hex(v) + " before the function set");
    }
    if (v & 0x80) {
      const a = v & 0x7f;
      const ok = this.twoLine ? a <= 0x27 || (a >= 0x40 && a <= 0x67) : a <= 0x4f;
      if (!ok) this.error("DDRAM address 0x" + hex(a) + " does not exist");
      this.ac = a;
      this.acCgram = false;
    } else if (v & 0x40) {
      this.ac = v & 0x3f;
      this.acCgram = true;
    } else if (v & 0x20) {
      if (v & 0x10) {
        this.mode8 = true; // back to 8-bit: the start of a re-init
        this.resets = 1;
        this.hi = -1;
      } else if (this.functionSet) {
        this.error("function set repeated after init (ignored: N and F are set once)");
      } else {
        this.twoLine = (v & 0x08) !== 0;
        this.functionSet = true;
      }
    } else if (v & 0x10) {
      const right = (v & 0x04) !== 0;
      if (v & 0x08) this.shift += right ? -1 : 1;
      else this.moveAc(right);
    } else if (v & 0x08) {
      this.displayOn = (v & 0x04) !== 0;
      this.cursorOn = (v & 0x02) !== 0;
      this.blinkOn = (v & 0x01) !== 0;
    } else if (v & 0x04) {
      this.increment = (v & 0x02) !== 0;
      this.shiftOnWrite = (v & 0x01) !== 0;
    } else if (v & 0x02) {
      this.ac = 0;
      this.acCgram = false;
      this.shift = 0;
      busy = 1.52;
    } else if (v & 0x01) {
      for (let i = 0; i < this.ddram.length; i++) this.ddram[i] = 0x20;
      this.ac = 0;
      this.acCgram = false;
      this.increment = true;
      this.shift = 0;
      busy = 1.52;
    }
    this.busyUntil = t + busy;
  }

  private writeData(v: number, t: number): void {
    this.dataWrites++;
    if (this.acCgram) {
      this.cgram[this.ac & 0x3f] = v;
      this.ac = (this.ac + (this.increment ? 1 : 63)) & 0x3f;
    } else {
      this.ddram[this.ac] = v;
      this.moveAc(this.increment);
      if (this.shiftOnWrite) this.shift += this.increment ? 1 : -1;
    }
    this.busyUntil = t + 0.043;
  }

  private moveAc(up: boolean): void {
    if (this.acCgram) {
      this.ac = (this.ac + (up ? 1 : 63)) & 0x3f;
      return;
    }
    const a = this.ac;
    if (!this.twoLine) {
      this.ac = up ? (a >= 0x4f ? 0 : a + 1) : a <= 0 ? 0x4f : a - 1;
    } else if (up) {
      this.ac = a === 0x27 ? 0x40 : a >= 0x67 ? 0 : a + 1;
    } else {
      this.ac = a === 0x40 ? 0x27 : a === 0 ? 0x67 : a - 1;
    }
  }
}

function hex(v: number): string {
  const s = v.toString(16);
  return s.length < 2 ? "0" + s : s;
}

function defaultGlyphs(): GlyphName[] {
  const out: GlyphName[] = [];
  for (let g = 0; g * 8 < LCD_GLYPH_BITMAPS.length; g++) {
    const bm: number[] = [];
    for (let i = 0; i < 8; i++) bm.push(LCD_GLYPH_BITMAPS[g * 8 + i]);
    out.push({ bitmap: bm, char: LCD_GLYPH_CHARS.charAt(g) });
  }
  return out;
}
