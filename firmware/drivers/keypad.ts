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

export class MatrixKeypad {
  private readonly rows: PinLike[];
  private readonly cols: PinLike[];
  private readonly nRows: number;
  private readonly nCols: number;
  private readonly keys: Uint8Array;
  private readonly ring: EventRing;
  private readonly clock: Clock;
  private readonly debounceMs: number;
  private readonly repeatMs: number;
  /** Matrix snapshots as bitmasks: bit (row * nCols + col) set = key closed. */
  private candidate = 0;
  private since = 0;
  private stable = 0;
  /** Key code being held (a single stable key that was reported), or KEY_NONE. */
  private heldKey = KEY_NONE;
  private repeats = 0;
  private nextRepeat = 0;
  /** Set by a chord; cleared when every key is up. */
  private ambiguous = false;

  constructor(options: MatrixKeypadOptions) {
    this.rows = options.rows;
    this.cols = options.cols;
    this.nRows = options.rows.length;
    this.nCols = options.cols.length;
    const n = this.nRows * this.nCols;
    if (n < 1 || n > 32) throw new Error("MatrixKeypad: rows x cols must be 1..32 keys");
    this.keys = new Uint8Array(n);
    const map = options.keymap !== undefined ? options.keymap : DEFAULT_KEYMAP;
    const err = parseKeymap(map, this.keys);
    if (err !== KEYMAP_OK) throw new Error("MatrixKeypad: bad keymap (" + err + ")");
    this.ring = options.ring;
    this.clock = options.clock;
    this.debounceMs = options.debounceMs !== undefined ? options.debounceMs : 20;
    this.repeatMs = options.repeatMs !== undefined ? options.repeatMs : 0;
    for (let c = 0; c < this.nCols; c++) this.cols[c].mode("input_pullup");
    for (let r = 0; r < this.nRows; r++) {
      this.rows[r].mode("opendrain");
      this.rows[r].write(false); // idle: all rows low, so a press is visible on the columns
    }
    this.since = this.clock.now();
  }

  /**
   * Read the whole matrix once, debounce, and push at most one event. Call every few ms
   * (5 ms is plenty; the interval must be shorter than debounceMs). Returns events pushed.
   * @hot
   */
  scan(): number {
    const nr = this.nRows;
    const nc = this.nCols;
    let r = 0;
    let c = 0;
    for (r = 0; r < nr; r++) this.rows[r].write(true);
    let raw = 0;
    for (r = 0; r < nr; r++) {
      const row = this.rows[r];
      row.write(false);
      for (c = 0; c < nc; c++) if (!this.cols[c].read()) raw |= 1 << (r * nc + c);
      row.write(true);
    }
    for (r = 0; r < nr; r++) this.rows[r].write(false);

    const now = this.clock.now();
    if (raw !== this.candidate) {
      this.candidate = raw;
      this.since = now;
    } else if (now < this.since) {
      this.since = now; // the wall clock was set back: restart the wait rather than stall
    }
    if (this.candidate !== this.stable) {
      if (now - this.since < this.debounceMs) return 0;
      return this.commit(now);
    }
    if (this.heldKey !== KEY_NONE && this.repeatMs > 0) {
      if (this.nextRepeat - now > this.repeatMs) this.nextRepeat = now + this.repeatMs; // clock set back
      if (now >= this.nextRepeat) {
        this.repeats++;
        this.nextRepeat += this.repeatMs;
        if (this.nextRepeat <= now) this.nextRepeat = now + this.repeatMs; // no burst after a stall
        return this.ring.push(EV_KEY, this.heldKey, this.repeats) ? 1 : 0;
      }
    }
    return 0;
  }

  /** The debounced matrix changed to `candidate`. @hot */
  private commit(now: number): number {
    const s = this.candidate;
    this.stable = s;
    this.heldKey = KEY_NONE;
    const n = this.nRows * this.nCols;
    let count = 0;
    let pos = 0;
    for (let i = 0; i < n; i++) {
      if ((s >> i) & 1) {
        count++;
        pos = i;
      }
    }
    if (count === 0) {
      this.ambiguous = false;
      return 0;
    }
    if (count === 1) {
      const code = this.keys[pos];
      if (this.ambiguous || code === KEY_NONE) return 0;
      this.heldKey = code;
      this.repeats = 0;
      this.nextRepeat = now + this.repeatMs;
      return this.ring.push(EV_KEY, code, 0) ? 1 : 0;
    }
    if (this.ambiguous) return 0;
    this.ambiguous = true;
    return this.ring.push(EV_KEY_AMBIGUOUS, count, this.ghostPattern(s) ? 1 : 0) ? 1 : 0;
  }

  /** True when two rows share two or more closed columns: one corner may be a ghost. @hot */
  private ghostPattern(s: number): boolean {
    const nc = this.nCols;
    const mask = nc >= 32 ? -1 : (1 << nc) - 1;
    for (let a = 0; a < this.nRows; a++) {
      const ra = (s >> (a * nc)) & mask;
      for (let b = a + 1; b < this.nRows; b++) {
        let common = ra & (s >> (b * nc)) & mask;
        common &= common - 1; // drop the lowest bit: anything left means >= 2 shared columns
        if (common !== 0) return true;
      }
    }
    return false;
  }

  /** True when no key is down and none is waiting out the debounce: scanning may pause. */
  isIdle(): boolean {
    return this.stable === 0 && this.candidate === 0;
  }

  /** The key code being held (reported and still down), or KEY_NONE. */
  heldCode(): number {
    return this.heldKey;
  }
}
