/**
 * Model of a passive key matrix (the 4x4 membrane keypad): one PinNet per row and per column
 * wire. A closed key joins its row wire to its column wire. A wire reads low when, through
 * closed keys, it reaches a wire the MCU holds low; otherwise it reads high when something
 * drives it high or the reading pin has its pull-up on (a floating wire reads low).
 *
 * Without diodes (the cheap membrane) current runs through any chain of closed keys, so three
 * keys at the corners of a rectangle make the fourth read closed (ghosting). With `diodes`, a
 * column only sees the rows its own closed keys touch.
 *
 * `driven(true)` is treated as a weak high: Espruino's open-drain "1" releases the wire, and the
 * model cannot tell that from a push-pull high, so a low always wins.
 *
 * Contact bounce: with `bounceMs` > 0 (and a Scheduler), a press or release makes the contact
 * chatter `bounceCount` times over bounceMs before it settles, as a real dome switch does.
 *
 * `onChange(cb)` tells a listener (the virtual board's setWatch) when a wire's level changes;
 * levels there are computed as if the reading pin had its pull-up on (the scheme the driver uses).
 */
import type { PinNet } from "./ports";
import type { Scheduler } from "../sim/scheduler";
import { DEFAULT_KEYMAP, KEY_NONE, KEYMAP_OK, keyFromLegend, keyFromName, parseKeymap } from "../../firmware/drivers/keypad-keys";

export interface KeypadMatrixOptions {
  rows?: number; // default 4
  cols?: number; // default 4
  /** Same forms as the driver's keymap: which key sits where (used by press/release by key). */
  keymap?: string | number[];
  /** Needed for bounce and tap(). */
  sched?: Scheduler;
  /** Contact bounce length after each press and release; 0 = clean contact. */
  bounceMs?: number;
  /** Open/close chatters within bounceMs (default 3). */
  bounceCount?: number;
  /** Diodes in series with each key: no ghosting. Default false (membrane keypads have none). */
  diodes?: boolean;
}

/** A key: its code (KEY_*), its name ("ENTER") or its legend char ("#"). */
export type KeyRef = number | string;

type ChangeListener = (net: PinNet, level: boolean) => void;

const DRIVEN_NONE = -1;

export class KeypadMatrixModel {
  readonly rows: PinNet[] = [];
  readonly cols: PinNet[] = [];
  readonly nRows: number;
  readonly nCols: number;
  private readonly keymap: Uint8Array;
  private readonly sched: Scheduler | undefined;
  private readonly bounceMs: number;
  private readonly bounceCount: number;
  private readonly diodes: boolean;
  /** Per wire (rows first, then columns): -1 released, 0 held low, 1 driven high. */
  private readonly drive: Int8Array;
  /** Per key: the finger is on it / the contact is closed right now (differs while bouncing). */
  private readonly held: Uint8Array;
  private readonly closed: Uint8Array;
  /** Per key: bumped on each press/release so bounce timers of an earlier one do nothing. */
  private readonly gen: Int32Array;
  private readonly lastLevel: Uint8Array;
  private readonly seen: Uint8Array;
  private readonly listeners: ChangeListener[] = [];
  /** Contact transitions so far (bounce included), for tests. */
  transitions = 0;

  constructor(options?: KeypadMatrixOptions) {
    const o = options || {};
    this.nRows = o.rows || 4;
    this.nCols = o.cols || 4;
    const n = this.nRows * this.nCols;
    this.keymap = new Uint8Array(n);
    const err = parseKeymap(o.keymap !== undefined ? o.keymap : DEFAULT_KEYMAP, this.keymap);
    if (err !== KEYMAP_OK) throw new Error("KeypadMatrixModel: bad keymap (" + err + ")");
    this.sched = o.sched;
    this.bounceMs = o.bounceMs || 0;
    this.bounceCount = o.bounceCount || 3;
    this.diodes = !!o.diodes;
    const wires = this.nRows + this.nCols;
    this.drive = new Int8Array(wires);
    for (let i = 0; i < wires; i++) this.drive[i] = DRIVEN_NONE;
    this.held = new Uint8Array(n);
    this.closed = new Uint8Array(n);
    this.gen = new Int32Array(n);
    this.lastLevel = new Uint8Array(wires);
    this.seen = new Uint8Array(wires);
    for (let i = 0; i < wires; i++) this.lastLevel[i] = 1;
    for (let r = 0; r < this.nRows; r++) this.rows.push(this.makeNet(r));
    for (let c = 0; c < this.nCols; c++) this.cols.push(this.makeNet(this.nRows + c));
  }

  /** Be told when a wire's level changes (levels as read with the pull-up on). */
  onChange(cb: ChangeListener): void {
    this.listeners.push(cb);
    this.refreshLevels(false);
  }

  /** Put a finger on a key (code, name or legend). Bounces if configured. */
  press(key: KeyRef): void {
    const pos = this.find(key);
    this.pressAt(Math.floor(pos / this.nCols), pos % this.nCols);
  }

  release(key: KeyRef): void {
    const pos = this.find(key);
    this.releaseAt(Math.floor(pos / this.nCols), pos % this.nCols);
  }

  /** Press now, release after holdMs (needs the Scheduler). */
  tap(key: KeyRef, holdMs: number): void {
    const sched = this.sched;
    if (!sched) throw new Error("KeypadMatrixModel.tap needs a Scheduler (options.sched)");
    const self = this;
    this.press(key);
    sched.setTimeout(function () {
      self.release(key);
    }, holdMs);
  }

  pressAt(row: number, col: number): void {
    this.setHeld(this.index(row, col), true);
  }

  releaseAt(row: number, col: number): void {
    this.setHeld(this.index(row, col), false);
  }

  releaseAll(): void {
    for (let i = 0; i < this.held.length; i++) if (this.held[i]) this.setHeld(i, false);
  }

  /** Is the contact at (row, col) closed right now (bounce included)? */
  isClosed(row: number, col: number): boolean {
    return this.closed[this.index(row, col)] === 1;
  }

  /** The wire's level as a pin with (or without) its pull-up would read it. */
  levelOf(net: PinNet, pulledUp: boolean): boolean {
    const r = this.rows.indexOf(net);
    if (r >= 0) return this.level(r, pulledUp);
    const c = this.cols.indexOf(net);
    if (c < 0) throw new Error("KeypadMatrixModel: not one of this keypad's wires");
    return this.level(this.nRows + c, pulledUp);
  }

  private makeNet(wire: number): PinNet {
    const self = this;
    return {
      driven(level: boolean | null): void {
        self.drive[wire] = level === null ? DRIVEN_NONE : level ? 1 : 0;
        self.refreshLevels(true);
      },
      level(pulledUp: boolean): boolean {
        return self.level(wire, pulledUp);
      },
    };
  }

  private index(row: number, col: number): number {
    if (row < 0 || row >= this.nRows || col < 0 || col >= this.nCols) {
      throw new Error("KeypadMatrixModel: no key at row " + row + " col " + col);
    }
    return row * this.nCols + col;
  }

  private find(key: KeyRef): number {
    let code = -1;
    if (typeof key === "number") code = key;
    else if (key.length === 1) code = keyFromLegend(key.charCodeAt(0));
    else code = keyFromName(key.toUpperCase());
    if (code !== KEY_NONE && code >= 0) {
      for (let i = 0; i < this.keymap.length; i++) if (this.keymap[i] === code) return i;
    }
    throw new Error("KeypadMatrixModel: no key " + JSON.stringify(key) + " on this keypad");
  }

  private setHeld(i: number, down: boolean): void {
    if ((this.held[i] === 1) === down) return;
    this.held[i] = down ? 1 : 0;
    const g = ++this.gen[i];
    this.setContact(i, down);
    const sched = this.sched;
    if (this.bounceMs <= 0 || !sched) return;
    const step = this.bounceMs / (2 * this.bounceCount);
    for (let k = 1; k <= 2 * this.bounceCount; k++) {
      // Odd steps flip away from the final state, even steps back; the last lands on `down`.
      this.scheduleContact(sched, i, g, k % 2 === 1 ? !down : down, k * step);
    }
  }

  /** One bounce edge; a helper so each timer gets its own `state` (Espruino's let is per function). */
  private scheduleContact(sched: Scheduler, i: number, g: number, state: boolean, delay: number): void {
    const self = this;
    sched.setTimeout(function () {
      if (self.gen[i] === g) self.setContact(i, state);
    }, delay);
  }

  private setContact(i: number, isClosed: boolean): void {
    const v = isClosed ? 1 : 0;
    if (this.closed[i] === v) return;
    this.closed[i] = v;
    this.transitions++;
    this.refreshLevels(true);
  }

  /** Level of wire `w`: low if its group of connected wires holds a low, else high if driven or pulled up. */
  private level(w: number, pulledUp: boolean): boolean {
    const seen = this.seen;
    for (let i = 0; i < seen.length; i++) seen[i] = 0;
    this.mark(w);
    let high = false;
    for (let i = 0; i < seen.length; i++) {
      if (!seen[i]) continue;
      if (this.drive[i] === 0) return false;
      if (this.drive[i] === 1) high = true;
    }
    return high || pulledUp;
  }

  /** Mark every wire reachable from `w` through closed keys (one hop row -> column with diodes). */
  private mark(w: number): void {
    const nr = this.nRows;
    const nc = this.nCols;
    if (this.diodes) {
      this.seen[w] = 1;
      if (w < nr) return; // a row: its diodes block current coming back from the columns
      const c = w - nr;
      for (let r = 0; r < nr; r++) if (this.closed[r * nc + c]) this.seen[r] = 1;
      return;
    }
    if (this.seen[w]) return;
    this.seen[w] = 1;
    if (w < nr) {
      for (let c = 0; c < nc; c++) if (this.closed[w * nc + c]) this.mark(nr + c);
    } else {
      const c = w - nr;
      for (let r = 0; r < nr; r++) if (this.closed[r * nc + c]) this.mark(r);
    }
  }

  private refreshLevels(notify: boolean): void {
    if (this.listeners.length === 0) return;
    for (let w = 0; w < this.lastLevel.length; w++) {
      const now = this.level(w, true) ? 1 : 0;
      if (now === this.lastLevel[w]) continue;
      this.lastLevel[w] = now;
      if (!notify) continue;
      const net = w < this.nRows ? this.rows[w] : this.cols[w - this.nRows];
      for (let k = 0; k < this.listeners.length; k++) this.listeners[k](net, now === 1);
    }
  }
}
