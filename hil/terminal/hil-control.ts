/**
 * The `hil` object: what a person (or a HIL scenario, over the board console) does to the
 * terminal's devices. The virtual terminal installs it as the global `hil` in the firmware's
 * context, so a rig line such as `\x10print(JSON.stringify(hil.lcd()))` or `\x10hil.swipe("mag-debit")`
 * works the same wherever the models run. Every method returns a plain JSON-able value; bad
 * input throws an Error naming what was wrong and changes nothing.
 *
 *   hil.key("ENTER")            tap one key (press, hold, release); returns ms until the tap is over
 *   hil.keys("12.50\n")         type: digits, \n ENTER, \b CLEAR, \x1b CANCEL, {F1}; returns ms until done
 *   hil.swipe("mag-debit", {cutAfter: 20})   swipe a test card (MSR SwipeOptions); returns bytes sent
 *   hil.insert("chip-debit", {bounceMs: 10}) seat a chip card (ChipCardOptions too); hil.pull()
 *   hil.paperOut(afterLines?)   hil.loadPaper()   hil.printerSilent(on)
 *   hil.readerSilent(on, "icc" | "msr")          the chip (default) or stripe reader stops answering
 *   hil.unplugLcd()  hil.plugLcd()
 *   hil.lcd()        the LCD glass, one string per row (from the LCD model, not the firmware)
 *   hil.printed()    every printed line;  hil.receipts()  printed lines split at cuts
 *   hil.cards()      the test cards by id (PAN masked);  hil.status()  device states
 */
import type { VirtualBoard } from "../virtual/board";
import type { KeypadMatrixModel } from "../models/keypad-matrix";
import type { Hd44780Pcf8574Model } from "../models/hd44780-pcf8574";
import type { EscPosPrinterModel } from "../models/escpos-printer";
import type { IccReaderModule } from "../models/icc-reader-module";
import type { MsrModule, SwipeOptions } from "../models/msr-module";
import { ChipCard, type ChipCardOptions } from "../models/chip-card";
import type { TerminalWiring } from "./wiring";
import { findCard, maskedPan, TERMINAL_CARDS } from "./cards";
import { checkKeyName, keysOfText } from "./typing";

export interface TerminalModels {
  keypad: KeypadMatrixModel;
  lcd: Hd44780Pcf8574Model;
  printer: EscPosPrinterModel;
  icc: IccReaderModule;
  msr: MsrModule;
}

export interface KeyTiming {
  /** How long a tap holds the key down (simulated ms). */
  holdMs: number;
  /** Pause after a release before the next queued tap presses. */
  gapMs: number;
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
  /** Simulated ms until queued key taps are over (0 = idle). */
  keysBusyMs: number;
}

/** The names `hil` exposes, in the order `hil.help()` lists them. */
export const HIL_METHODS = [
  "key", "keys", "swipe", "insert", "pull", "paperOut", "loadPaper", "printerSilent", "readerSilent",
  "unplugLcd", "plugLcd", "lcd", "printed", "receipts", "cards", "status", "help",
] as const;

export class HilControl {
  private keyFreeAt = 0;
  private inserted: string | null = null;

  constructor(
    private readonly board: VirtualBoard,
    private readonly models: TerminalModels,
    private readonly wiring: TerminalWiring,
    private readonly timing: KeyTiming,
  ) {}

  key(name: string): number {
    this.tap(checkKeyName(name));
    return this.keysBusyMs();
  }

  keys(text: string): number {
    const keys = keysOfText(String(text));
    for (const k of keys) this.tap(k);
    return this.keysBusyMs();
  }

  swipe(cardId: string, opts?: SwipeOptions): number {
    const card = findCard(cardId);
    return this.models.msr.swipe(card, opts || undefined).length;
  }

  insert(cardId: string, opts?: InsertOptions): string {
    const card = findCard(cardId);
    if (!card.chip) throw new Error("hil.insert: " + card.id + " has no chip (chip cards: " + chipIds().join(", ") + ")");
    if (this.models.icc.card) throw new Error("hil.insert: " + this.inserted + " is still in the reader; hil.pull() first");
    const o = opts || {};
    const chip = new ChipCard(card, o);
    this.models.icc.insert(chip, o.bounceMs || 0);
    this.inserted = card.id;
    this.switchMoved(o.bounceMs || 0);
    return card.id;
  }

  pull(): boolean {
    if (!this.models.icc.card) return false;
    this.models.icc.pull();
    this.inserted = null;
    this.switchMoved(0);
    return true;
  }

  paperOut(afterLines?: number): boolean {
    if (afterLines !== undefined && afterLines !== null && !(afterLines >= 0)) throw new Error("hil.paperOut: afterLines must be a number >= 0");
    this.models.printer.paperOut(afterLines || undefined);
    this.board.pinChanged(this.wiring.printer.busyPin);
    return true;
  }

  loadPaper(): boolean {
    this.models.printer.loadPaper();
    this.board.pinChanged(this.wiring.printer.busyPin);
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
    else throw new Error("hil.readerSilent: reader must be \"icc\" or \"msr\", not " + JSON.stringify(which));
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

  cards(): Array<{ id: string; pan: string; chip: boolean; pin: string }> {
    return TERMINAL_CARDS.map((c) => ({ id: c.id, pan: maskedPan(c.pan), chip: !!c.chip, pin: c.pin }));
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
    return HIL_METHODS.slice();
  }

  /** Queue one tap behind any taps still running, so keys never overlap into a chord. */
  private tap(name: string): void {
    const sched = this.board.sched;
    const pad = this.models.keypad;
    const now = sched.now();
    const start = Math.max(now, this.keyFreeAt);
    this.keyFreeAt = start + this.timing.holdMs + this.timing.gapMs;
    if (start <= now) pad.press(name);
    else sched.setTimeout(() => pad.press(name), start - now);
    sched.setTimeout(() => pad.release(name), start - now + this.timing.holdMs);
  }

  private keysBusyMs(): number {
    return Math.max(0, this.keyFreeAt - this.board.sched.now());
  }

  /** The card-present switch moved: watches see it now, and at each bounce edge. */
  private switchMoved(bounceMs: number): void {
    const pin = this.wiring.icc.presentPin;
    const board = this.board;
    board.pinChanged(pin);
    for (let t = 3; t <= bounceMs + 3; t += 3) board.sched.setTimeout(() => board.pinChanged(pin), t);
  }
}

function chipIds(): string[] {
  return TERMINAL_CARDS.filter((c) => !!c.chip).map((c) => c.id);
}
