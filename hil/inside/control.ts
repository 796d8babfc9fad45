/**
 * `global.hil` inside the interpreter: the same device controls, by the same names and with the
 * same JSON-able results, as the Node-side virtual terminal (hil/terminal/hil-control.ts), so a
 * rig line such as `\x10print(JSON.stringify(hil.lcd()))` works on every target. Bad input
 * throws an Error naming what was wrong and changes nothing.
 *
 *   hil.key("ENTER")   hil.keys("12.50\n")      taps; return ms until the taps are over
 *   hil.swipe(id, swipeOptions?)                bytes sent      hil.insert(id, opts?)  hil.pull()
 *   hil.paperOut(afterLines?)  hil.loadPaper()  hil.printerSilent(on)  hil.readerSilent(on, "icc"|"msr")
 *   hil.unplugLcd()  hil.plugLcd()  hil.lcd()  hil.printed()  hil.receipts()  hil.cards()  hil.status()
 * Inside only (RAM is the firmware's): hil.tearOff() drops the printed paper the printer model
 * keeps and the LCD model's error list (returns the number of lines dropped).
 */
import type { SwipeOptions } from "../models/msr-module";
import { ChipCard, type ChipCardOptions } from "../models/chip-card";
import { checkKeyName, keysOfText } from "../terminal/typing";
import type { InsideModels, KeyScans } from "./rig";
import type { TimeSource } from "./timers";
import { findInsideCard, insideCards, maskPan } from "./cards";

/** The names the virtual terminal's `hil` has (hil/terminal/hil-control.ts HIL_METHODS). */
export const INSIDE_HIL_METHODS = [
  "key", "keys", "swipe", "insert", "pull", "paperOut", "loadPaper", "printerSilent", "readerSilent",
  "unplugLcd", "plugLcd", "lcd", "printed", "receipts", "cards", "status", "help",
];
/** Added inside the interpreter, where the models' memory is the firmware's. */
export const INSIDE_ONLY_METHODS = ["tearOff"];

export interface InsertOptions extends ChipCardOptions {
  bounceMs?: number;
}

/**
 * Scans a tap's press (and the gap after it) must last once the contact has settled, besides
 * holdMs / gapMs; and the first and last of them must be TAP_SPAN_MS + the driver's debounce apart.
 */
export const TAP_SCANS = 2;
export const TAP_SPAN_MS = 10;

export interface TapTiming {
  /** Press and release gap, ms (the nominal tap). */
  holdMs: number;
  gapMs: number;
  /** The firmware's keypad scans (InsideRig.scans): taps last until the driver has seen them. */
  scans?: KeyScans;
  /** The keypad model's contact bounce (ms, default 5) and the driver's debounce (default 20). */
  bounceMs?: number;
  debounceMs?: number;
}

export class InsideHil {
  private readonly models: InsideModels;
  private readonly timers: TimeSource;
  private readonly holdMs: number;
  private readonly gapMs: number;
  private readonly scans: KeyScans | null;
  private readonly settleMs: number;
  private readonly spanMs: number;
  /** Taps not yet pressed, in order; `tapping` while one is down or in its gap. */
  private readonly tapQueue: string[] = [];
  private tapping = false;
  private tapEndsAt = 0;
  private inserted: string | null = null;

  constructor(models: InsideModels, timers: TimeSource, timing: TapTiming) {
    this.models = models;
    this.timers = timers;
    this.holdMs = timing.holdMs;
    this.gapMs = timing.gapMs;
    this.scans = timing.scans || null;
    this.settleMs = (timing.bounceMs !== undefined ? timing.bounceMs : 5) + 1;
    this.spanMs = (timing.debounceMs !== undefined ? timing.debounceMs : 20) + TAP_SPAN_MS;
  }

  key(name: string): number {
    this.tap(checkKeyName(name));
    return this.keysBusyMs();
  }

  keys(text: string): number {
    const keys = keysOfText(String(text)); // throws before any key is typed
    for (let i = 0; i < keys.length; i++) this.tap(keys[i]);
    return this.keysBusyMs();
  }

  swipe(cardId: string, opts?: SwipeOptions): number {
    const card = findInsideCard(cardId);
    return this.models.msr.swipe(card, opts || undefined).length;
  }

  insert(cardId: string, opts?: InsertOptions): string {
    const card = findInsideCard(cardId);
    if (!card.chip) throw new Error("hil.insert: " + card.id + " has no chip (chip cards: " + chipIds().join(", ") + ")");
    if (this.models.icc.card) throw new Error("hil.insert: " + this.inserted + " is still in the reader; hil.pull() first");
    const o = opts || {};
    this.models.icc.insert(new ChipCard(card, o), o.bounceMs || 0);
    this.inserted = card.id;
    return card.id;
  }

  pull(): boolean {
    if (!this.models.icc.card) return false;
    this.models.icc.pull();
    this.inserted = null;
    return true;
  }

  paperOut(afterLines?: number): boolean {
    if (afterLines !== undefined && afterLines !== null && !(afterLines >= 0)) throw new Error("hil.paperOut: afterLines must be a number >= 0");
    this.models.printer.paperOut(afterLines || undefined);
    return true;
  }

  loadPaper(): boolean {
    this.models.printer.loadPaper();
    return true;
  }

  printerSilent(on: boolean): boolean {
    if (on) this.models.printer.goSilent();
    else this.models.printer.wake();
    return !!on;
  }

  readerSilent(on: boolean, which?: string): boolean {
    const w = which || "icc";
    if (w === "icc") this.models.icc.silent = !!on;
    else if (w === "msr") this.models.msr.silent = !!on;
    else throw new Error('hil.readerSilent: reader must be "icc" or "msr", not ' + JSON.stringify(which));
    return !!on;
  }

  unplugLcd(): boolean {
    this.models.lcd.unplug();
    return true;
  }

  plugLcd(): boolean {
    this.models.lcd.plug();
    return true;
  }

  lcd(): string[] {
    return this.models.lcd.lines();
  }

  printed(): string[] {
    return this.models.printer.lines();
  }

  receipts(): string[][] {
    return this.models.printer.receipts();
  }

  cards(): { id: string; pan: string; chip: boolean; pin: string }[] {
    const list = insideCards();
    const out: { id: string; pan: string; chip: boolean; pin: string }[] = [];
    for (let i = 0; i < list.length; i++) out.push({ id: list[i].id, pan: maskPan(list[i].pan), chip: !!list[i].chip, pin: list[i].pin });
    return out;
  }

  status(): { card: string | null; paperOut: boolean; printerBuffered: number; lcdConnected: boolean; lcdErrors: number; keysBusyMs: number } {
    return {
      card: this.models.icc.card ? this.inserted : null,
      paperOut: this.models.printer.isPaperOut(),
      printerBuffered: this.models.printer.bufferedBytes(),
      lcdConnected: this.models.lcd.connected,
      lcdErrors: this.models.lcd.errors.length,
      keysBusyMs: this.keysBusyMs(),
    };
  }

  help(): string[] {
    return INSIDE_HIL_METHODS.concat(INSIDE_ONLY_METHODS);
  }

  /**
   * Tear the printed paper off: the printer model forgets the lines and cuts it has printed so
   * far (what is still buffered keeps printing). A long run calls this so the model's record
   * of the paper does not eat the firmware's RAM. The model has no public method for it yet.
   */
  tearOff(): number {
    const p = this.models.printer as unknown as { printedLines: unknown[]; cutsAt: number[] };
    const n = p.printedLines.length;
    p.printedLines = [];
    p.cutsAt = [];
    this.models.lcd.errors = [];
    return n;
  }

  /**
   * Queue one tap behind any still running, so keys never overlap into a chord. Each step is
   * timed from the one before it (press, hold, release, gap, next press). With `scans`, the hold
   * and the gap also last until the keypad driver has seen them: inside the interpreter one
   * firmware tick can take hundreds of ms, and the model's contact bounce (its own timers) can
   * be spread over several ticks, since every timer a callback sets makes Espruino run the
   * overdue loop interval again before the next timer. So each step waits for the contact to
   * settle, then for TAP_SCANS scans that span the driver's debounce: what a person's press
   * is, a few scans of one steady reading.
   */
  private tap(name: string): void {
    this.tapQueue.push(name);
    if (!this.tapping) this.nextTap();
  }

  private nextTap(): void {
    const name = this.tapQueue.shift();
    if (name === undefined) {
      this.tapping = false;
      return;
    }
    this.tapping = true;
    const self = this;
    const pad = this.models.keypad;
    pad.press(name);
    this.tapEndsAt = this.timers.now() + this.holdMs + this.gapMs;
    this.after(this.holdMs, function () {
      pad.release(name);
      self.tapEndsAt = self.timers.now() + self.gapMs;
      self.after(self.gapMs, function () {
        self.nextTap();
      });
    });
  }

  /**
   * Run `fn` once `ms` have passed since the contact moved and, with `scans`, the driver has
   * scanned the settled contact TAP_SCANS times over at least its debounce (+ TAP_SPAN_MS).
   * The settle timer is set after the model's bounce timers and is due later, so Espruino runs
   * it after every one of them (timers due together run in the order they were set).
   */
  private after(ms: number, fn: () => void): void {
    const scans = this.scans;
    const timers = this.timers;
    if (scans === null) {
      timers.setTimeout(fn, ms);
      return;
    }
    const until = timers.now() + ms;
    const spanMs = this.spanMs;
    let from = -1;
    let firstAt = -1;
    const check = function (): void {
      const n = scans.count();
      if (from < 0) from = n; // settled: count from here
      // the time of the first scan after `from` is not kept; a later one's is a safe stand-in
      else if (firstAt < 0 && n > from) firstAt = scans.lastAt();
      if (firstAt >= 0 && n - from >= TAP_SCANS && scans.lastAt() - firstAt >= spanMs && timers.now() >= until) fn();
      else timers.setTimeout(check, 10);
    };
    timers.setTimeout(check, this.settleMs);
  }

  /** Nominal ms until the queued taps are over (longer when the interpreter is busy). */
  private keysBusyMs(): number {
    if (!this.tapping) return 0;
    const left = this.tapEndsAt - this.timers.now();
    return (left > 0 ? Math.round(left) : 0) + this.tapQueue.length * (this.holdMs + this.gapMs);
  }
}

function chipIds(): string[] {
  const list = insideCards();
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) if (list[i].chip) out.push(list[i].id);
  return out;
}
