/**
 * MatrixKeypad — scanned key matrix (default: the 4x4 membrane keypad, 8-pin ribbon,
 * legends "123A456B789C*0#D"; no part number: a passive matrix of dome/membrane switches
 * with no diodes, e.g. the widespread "4x4 Matrix Array 16 Key Membrane Switch Keypad").
 * Datasheet: none beyond the pinout (pins 1-4 rows, 5-8 columns); switch bounce of such
 * membranes is typically 1-10 ms, hence the 20 ms default debounce.
 *
 * Wiring (the electrical scheme this driver uses):
 *   rows -> MCU pins in "opendrain" mode: a row is either pulled to 0 V or released (high-Z);
 *   cols -> MCU pins in "input_pullup" mode: a column reads 1 unless a closed key connects it
 *           to a row that is held low.
 * Open-drain rows (rather than push-pull outputs) mean two keys pressed in one column never
 * short a high row against a low one. Between scans every row is held low, so ANY press pulls a
 * column low: the app may `setWatch` the columns to wake up and scan only while `!isIdle()`.
 * A scan releases all rows, then pulls one row low at a time, reads the columns, releases it.
 *
 * Why not Espruino's KeyPad module: it fires its callback on every column edge (no debounce, so
 * one bouncy press gives several keys) and, with two keys down, silently returns the last one it
 * saw. This driver requires the whole matrix to read the same for `debounceMs` before a change
 * counts, pushes ONE EV_KEY per press, and reports two or more keys as EV_KEY_AMBIGUOUS (never a
 * guess). Without diodes, three keys at the corners of a rectangle make the fourth corner read
 * closed too ("ghosting"); that shows up as 4 keys and is reported ambiguous with b = 1.
 *
 * Events (into the injected EventRing):
 *   EV_KEY            a = key code (KEY_* in keypad-keys.ts), b = 0 first press, 1.. n-th repeat
 *   EV_KEY_AMBIGUOUS  a = number of keys read closed, b = 1 if the pattern can be ghosting
 * After an ambiguous chord no key is reported until every key has been released.
 *
 * Usage:
 *   const kp = new MatrixKeypad({ rows: [B2, B3, B4, B5], cols: [B6, B7, B8, B9], ring, clock });
 *   setInterval(function () { kp.scan(); }, 5);
 *
 * Memory: a constructor function with its methods put on the prototype at the module's top
 * level (TypeScript's ES5 class output puts methods inside a function of their own, and on
 * Espruino a method keeps a link to every scope around it), state in properties of
 * at most four characters (one block each, a small integer stored in the name's block), and one
 * scan() that does the whole tick (no helper calls: each call frame is a transient allocation).
 */
import type { PinLike } from "../hal/pin";
import type { Clock } from "../hal/clock";
import type { EventRing } from "../lib/event-ring";
import { EV_KEY, EV_KEY_AMBIGUOUS } from "../events";
import { DEFAULT_KEYMAP, KEY_NONE, KEYMAP_OK, parseKeymap } from "./keypad-keys";

export interface MatrixKeypadOptions {
  rows: PinLike[];
  cols: PinLike[];
  /** Key at each position, row-major: a legend string, comma-separated names, or key codes. */
  keymap?: string | number[];
  /** How long the matrix must read unchanged before a press or release counts (default 20). */
  debounceMs?: number;
  ring: EventRing;
  clock: Clock;
  /** > 0: a held key repeats every repeatMs (first repeat repeatMs after the press). Default 0. */
  repeatMs?: number;
}

export interface MatrixKeypad {
  /** The key code being held (a single stable key that was reported and is still down), or KEY_NONE. */
  readonly held: number;
  /**
   * Read the whole matrix once, debounce, and push at most one event. Call every few ms
   * (5 ms is plenty; the interval must be shorter than debounceMs). Returns events pushed.
   */
  scan(): number;
  /** True when no key is down and none is waiting out the debounce: scanning may pause. */
  isIdle(): boolean;
}

/** The driver's own fields (names of at most 4 characters: one block each). */
interface Keypad extends MatrixKeypad {
  held: number;
  rows: PinLike[];
  cols: PinLike[];
  /** Key code at each matrix position. */
  keys: Uint8Array;
  ring: EventRing;
  clk: Clock;
  /** debounceMs, repeatMs */
  deb: number;
  rep: number;
  /** Matrix snapshots as bitmasks: bit (row * cols + col) set = key closed. */
  cand: number; // the last reading
  stab: number; // the debounced matrix
  /** When `cand` was first read. */
  at: number;
  /** Repeats of the held key so far, and when the next one is due. */
  reps: number;
  next: number;
  /** 1 after a chord; 0 once every key is up. */
  amb: number;
}

export const MatrixKeypad = function (this: Keypad, options: MatrixKeypadOptions): void {
  const rows = options.rows;
  const cols = options.cols;
  const n = rows.length * cols.length;
  if (n < 1 || n > 32) throw new Error("MatrixKeypad: rows x cols must be 1..32 keys");
  this.keys = new Uint8Array(n);
  const err = parseKeymap(options.keymap !== undefined ? options.keymap : DEFAULT_KEYMAP, this.keys);
  if (err !== KEYMAP_OK) throw new Error("MatrixKeypad: bad keymap (" + err + ")");
  this.rows = rows;
  this.cols = cols;
  this.ring = options.ring;
  this.clk = options.clock;
  this.deb = options.debounceMs !== undefined ? options.debounceMs : 20;
  this.rep = options.repeatMs !== undefined ? options.repeatMs : 0;
  this.cand = 0;
  this.stab = 0;
  this.held = KEY_NONE;
  this.reps = 0;
  this.next = 0;
  this.amb = 0;
  for (let c = 0; c < cols.length; c++) cols[c].mode("input_pullup");
  for (let r = 0; r < rows.length; r++) {
    rows[r].mode("opendrain");
    rows[r].write(false); // idle: all rows low, so a press is visible on the columns
  }
  this.at = this.clk.now();
} as unknown as { new (options: MatrixKeypadOptions): MatrixKeypad; prototype: MatrixKeypad };

const proto = MatrixKeypad.prototype as Keypad;

/**
 * One tick: scan, debounce, and on a change of the debounced matrix report it (one key:
 * EV_KEY; two or more: EV_KEY_AMBIGUOUS, b = 1 when two rows share two or more closed columns,
 * so one corner may be a ghost); a held key repeats when repeatMs > 0.
 * @hot
 */
proto.scan = function (this: Keypad): number {
  // Few locals (each is a block while the tick runs): r and c index the matrix, raw is what it
  // read; then c is the time, r the number of closed keys and i a bit position.
  let r = 0;
  let c = 0;
  let raw = 0;
  for (r = 0; r < this.rows.length; r++) this.rows[r].write(true);
  for (r = 0; r < this.rows.length; r++) {
    this.rows[r].write(false);
    for (c = 0; c < this.cols.length; c++) if (!this.cols[c].read()) raw |= 1 << (r * this.cols.length + c);
    this.rows[r].write(true);
  }
  for (r = 0; r < this.rows.length; r++) this.rows[r].write(false);

  c = this.clk.now();
  if (raw !== this.cand) {
    this.cand = raw;
    this.at = c;
  } else if (c < this.at) {
    this.at = c; // the wall clock was set back: restart the wait rather than stall
  }
  if (raw !== this.stab) {
    if (c - this.at < this.deb) return 0;
    // The debounced matrix changed: count the closed keys.
    this.stab = raw;
    this.held = KEY_NONE;
    r = 0;
    let i = 0;
    for (i = 0; i < 32; i++) if ((raw >> i) & 1) r++;
    if (r === 0) {
      this.amb = 0;
      return 0;
    }
    if (r === 1) {
      for (i = 0; !((raw >> i) & 1); i++); // the one closed key's position
      if (this.amb || this.keys[i] === KEY_NONE) return 0;
      this.held = this.keys[i];
      this.reps = 0;
      this.next = c + this.rep;
      return this.ring.push(EV_KEY, this.held, 0) ? 1 : 0;
    }
    if (this.amb) return 0;
    this.amb = 1;
    // Ghosting: two rows that share two or more closed columns (c = 1 when found).
    const nc = this.cols.length;
    c = 0;
    for (i = 0; i < this.rows.length; i++) {
      for (let b = i + 1; b < this.rows.length; b++) {
        let common = (raw >> (i * nc)) & (raw >> (b * nc)) & (nc >= 32 ? -1 : (1 << nc) - 1);
        common &= common - 1; // drop the lowest bit: anything left means >= 2 shared columns
        if (common !== 0) c = 1;
      }
    }
    return this.ring.push(EV_KEY_AMBIGUOUS, r, c) ? 1 : 0;
  }
  if (this.held !== KEY_NONE && this.rep > 0) {
    if (this.next - c > this.rep) this.next = c + this.rep; // clock set back
    if (c >= this.next) {
      this.reps++;
      this.next += this.rep;
      if (this.next <= c) this.next = c + this.rep; // no burst after a stall
      return this.ring.push(EV_KEY, this.held, this.reps) ? 1 : 0;
    }
  }
  return 0;
};

proto.isIdle = function (this: Keypad): boolean {
  return this.stab === 0 && this.cand === 0;
};
