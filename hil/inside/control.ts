/**
 * The `hil` object: what a person (or a HIL scenario, over the console) does to the terminal's
 * devices. ONE implementation for every target: the Node-side virtual terminal installs it as
 * the global `hil` in the firmware's context (hil/terminal/hil-control.ts wires it to the
 * virtual board), and the device models bundle (dist/models.js, hil/inside/main.ts) installs it
 * inside the Espruino interpreter. So it is ES5-safe TypeScript (no Map, spread, for-of,
 * arrows capturing loop variables...). Every method returns a plain JSON-able value; bad input
 * throws an Error naming what was wrong and changes nothing.
 *
 *   hil.key("ENTER")            tap one key (press, hold, release); returns ms until the taps are over
 *   hil.keys("12.50\n")         type: digits, \n ENTER, \b CLEAR, \x1b CANCEL, {F1}; returns ms until done
 *   hil.swipe("mag-debit", {cutAfter: 20})   swipe a test card (MSR SwipeOptions); returns bytes sent
 *   hil.insert("chip-debit", {bounceMs: 10}) seat a chip card (ChipCardOptions too); hil.pull()
 *   hil.paperOut(afterLines?)   hil.loadPaper()   hil.printerSilent(on)
 *   hil.readerSilent(on, "icc" | "msr")          the chip (default) or stripe reader stops answering
 *   hil.unplugLcd()  hil.plugLcd()
 *   hil.lcd()        the LCD glass, one string per row (from the LCD model, not the firmware)
 *   hil.printed()    every printed line;  hil.receipts()  printed lines split at cuts
 *   hil.cards()      the test cards by id (PAN masked);  hil.status()  device states
 * Listed inside the interpreter only (RAM there is the firmware's): hil.tearOff() drops the
 * printed paper the printer model keeps and the printer and LCD models' error lists.
 */
import type { KeypadMatrixModel } from "../models/keypad-matrix";
import type { Hd44780Pcf8574Model } from "../models/hd44780-pcf8574";
import type { EscPosPrinterModel } from "../models/escpos-printer";
import type { IccReaderModule } from "../models/icc-reader-module";
import type { MsrModule, SwipeOptions } from "../models/msr-module";
import type { TestCard } from "../models/test-cards";
import { ChipCard, type ChipCardOptions } from "../models/chip-card";
import { checkKeyName, keysOfText } from "../terminal/typing";
import type { TimeSource } from "./timers";
import { maskPan } from "./cards";

/** The names `hil` exposes on every target, in the order `hil.help()` lists them. */
export const HIL_METHODS = [
  "key", "keys", "swipe", "insert", "pull", "paperOut", "loadPaper", "printerSilent", "readerSilent",
  "unplugLcd", "plugLcd", "lcd", "printed", "receipts", "cards", "status", "help",
];
/** Listed too inside the interpreter, where the models' memory is the firmware's. */
export const INSIDE_ONLY_METHODS = ["tearOff"];

export interface TerminalModels {
  keypad: KeypadMatrixModel;
  lcd: Hd44780Pcf8574Model;
  printer: EscPosPrinterModel;
  icc: IccReaderModule;
  msr: MsrModule;
}

/** What taps are paced by inside the interpreter: the keypad driver's scans, seen on the row wires. */
export interface KeyScans {
  /** Scans the firmware has made so far. */
  count(): number;
  /** ms (on the models' time) at which the last scan read the first row. */
  lastAt(): number;
}

export interface KeyTiming {
  /** How long a tap holds the key down (ms). */
  holdMs: number;
  /** Pause after a release before the next queued tap presses. */
  gapMs: number;
  /**
   * The firmware's keypad scans (inside the interpreter: InsideRig.scans). With them a tap's
   * hold and gap also last until the keypad driver has seen them (see HilControl.after).
   */
  scans?: KeyScans;
  /** The keypad model's contact bounce (ms, default 5) and the driver's debounce (default 20). */
  bounceMs?: number;
  debounceMs?: number;
}

/** Pins whose watches must hear about a model's change (the virtual board's setWatch). */
export interface PinNotices {
  /** The printer's BUSY output may have moved (paper out / loaded). */
  printerBusyMoved(): void;
  /** The card-present switch moved, chattering for bounceMs. */
  cardSwitchMoved(bounceMs: number): void;
}

export interface HilControlOptions {
  models: TerminalModels;
  /** The models' time: the virtual board's Scheduler, or the interpreter's timers. */
  timers: TimeSource;
  timing: KeyTiming;
  /** The cards swipe/insert/cards() know, by id. */
  cards: TestCard[];
  pins?: PinNotices;
  /** true inside the interpreter: help() lists INSIDE_ONLY_METHODS too. */
  inside?: boolean;
}

export interface InsertOptions extends ChipCardOptions {
  /** The card-present switch chatters this long before it stays closed. */
  bounceMs?: number;
}

export interface DeviceStatus {
  card: string | null;
  paperOut: boolean;
  printerBuffered: number;
  lcdConnected: boolean;
  lcdErrors: number;
  /** ms until queued key taps are over (0 = idle; longer when the firmware is slow to scan). */
  keysBusyMs: number;
}

/**
 * Scans a tap's press (and the gap after it) must last once the contact has settled, besides
 * holdMs / gapMs; and the first and last of them must be the driver's debounce + TAP_SPAN_MS apart.
 */
export const TAP_SCANS = 2;
export const TAP_SPAN_MS = 10;

export class HilControl {
  private readonly models: TerminalModels;
  private readonly timers: TimeSource;
  private readonly holdMs: number;
  private readonly gapMs: number;
  private readonly scans: KeyScans | null;
  private readonly settleMs: number;
  private readonly spanMs: number;
  private readonly cardList: TestCard[];
  private readonly pins: PinNotices | null;
  private readonly inside: boolean;
  /** Taps not yet pressed, in order; `tapping` while one is down or in its gap. */
  private readonly tapQueue: string[] = [];
  private tapping = false;
  private tapEndsAt = 0;
  private inserted: string | null = null;

  constructor(o: HilControlOptions) {
    this.models = o.models;
    this.timers = o.timers;
    this.holdMs = o.timing.holdMs;
    this.gapMs = o.timing.gapMs;
    this.scans = o.timing.scans || null;
    this.settleMs = (o.timing.bounceMs !== undefined ? o.timing.bounceMs : 5) + 1;
    this.spanMs = (o.timing.debounceMs !== undefined ? o.timing.debounceMs : 20) + TAP_SPAN_MS;
    this.cardList = o.cards;
    this.pins = o.pins || null;
    this.inside = !!o.inside;
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
    const card = this.findCard(cardId);
    return this.models.msr.swipe(card, opts || undefined).length;
  }

  insert(cardId: string, opts?: InsertOptions): string {
    const card = this.findCard(cardId);
    if (!card.chip) throw new Error("hil.insert: " + card.id + " has no chip (chip cards: " + this.chipIds().join(", ") + ")");
    if (this.models.icc.card) throw new Error("hil.insert: " + this.inserted + " is still in the reader; hil.pull() first");
    const o = opts || {};
    this.models.icc.insert(new ChipCard(card, o), o.bounceMs || 0);
    this.inserted = card.id;
    if (this.pins) this.pins.cardSwitchMoved(o.bounceMs || 0);
    return card.id;
  }

  pull(): boolean {
    if (!this.models.icc.card) return false;
    this.models.icc.pull();
    this.inserted = null;
    if (this.pins) this.pins.cardSwitchMoved(0);
    return true;
  }

  paperOut(afterLines?: number): boolean {
    if (afterLines !== undefined && afterLines !== null && !(afterLines >= 0)) throw new Error("hil.paperOut: afterLines must be a number >= 0");
    this.models.printer.paperOut(afterLines || undefined);
    if (this.pins) this.pins.printerBusyMoved();
    return true;
  }

  loadPaper(): boolean {
    this.models.printer.loadPaper();
    if (this.pins) this.pins.printerBusyMoved();
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
    const list = this.cardList;
    const out: { id: string; pan: string; chip: boolean; pin: string }[] = [];
    for (let i = 0; i < list.length; i++) out.push({ id: list[i].id, pan: maskPan(list[i].pan), chip: !!list[i].chip, pin: list[i].pin });
    return out;
  }

  status(): DeviceStatus {
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
    return this.inside ? HIL_METHODS.concat(INSIDE_ONLY_METHODS) : HIL_METHODS.slice();
  }

  /**
   * Tear the printed paper off: the printer model forgets the lines and cuts it has printed so
   * far (what is still buffered keeps printing), and the printer and LCD models their error
   * lists. A long run
   * inside the interpreter calls this so the models' records do not eat the firmware's RAM.
   * Returns the number of lines dropped. (The printer model has no public method for it yet.)
   */
  tearOff(): number {
    const p = this.models.printer as unknown as { printedLines: unknown[]; cutsAt: number[] };
    const n = p.printedLines.length;
    p.printedLines = [];
    p.cutsAt = [];
    this.models.printer.errors = [];
    this.models.lcd.errors = [];
    return n;
  }

  private findCard(id: string): TestCard {
    const list = this.cardList;
    for (let i = 0; i < list.length; i++) if (list[i].id === id) return list[i];
    const ids: string[] = [];
    for (let i = 0; i < list.length; i++) ids.push(list[i].id);
    throw new Error("no test card '" + id + "' (known: " + ids.join(", ") + ")");
  }

  private chipIds(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.cardList.length; i++) if (this.cardList[i].chip) out.push(this.cardList[i].id);
    return out;
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

  /** Nominal ms until the queued taps are over (longer when the firmware is slow to scan). */
  private keysBusyMs(): number {
    if (!this.tapping) return 0;
    const left = this.tapEndsAt - this.timers.now();
    return (left > 0 ? Math.round(left) : 0) + this.tapQueue.length * (this.holdMs + this.gapMs);
  }
}
