/**
 * The terminal application in Node, on the device models: keypad matrix, HD44780 + PCF8574,
 * MSR module, ICC reader module + chip card, ESC/POS printer (GB18030 decoded), wired through
 * the model buses on one Scheduler, with the fake engine and a real Journal on emulated flash.
 * Assertions read what the LCD model shows and what the printer model printed.
 */
import { Scheduler } from "../../hil/sim/scheduler";
import { ModelI2C, ModelPin, UartLink } from "../../hil/models/buses";
import { KeypadMatrixModel } from "../../hil/models/keypad-matrix";
import { Hd44780Pcf8574Model } from "../../hil/models/hd44780-pcf8574";
import { MsrModule, SwipeOptions } from "../../hil/models/msr-module";
import { IccReaderModule } from "../../hil/models/icc-reader-module";
import { ChipCard, ChipCardOptions } from "../../hil/models/chip-card";
import { EscPosPrinterModel, EscPosPrinterModelOptions } from "../../hil/models/escpos-printer";
import { decodeGb18030 } from "../../hil/models/escpos-gb-decode";
import type { TestCard } from "../../hil/models/test-cards";
import { FlashStorage } from "../../hil/virtual/flash-storage";
import { EventRing } from "../../firmware/lib/event-ring";
import { MatrixKeypad } from "../../firmware/drivers/keypad";
import { Hd44780Lcd } from "../../firmware/drivers/hd44780-lcd";
import { MagStripeReader } from "../../firmware/drivers/msr";
import { ChipReader } from "../../firmware/drivers/icc";
import { EscPosPrinter } from "../../firmware/drivers/escpos-printer";
import { Journal, JournalEntry, J_APPROVED, TXN_SALE as J_SALE } from "../../firmware/txn/store/journal";
import { defaultConfig, TerminalConfig } from "../../firmware/config";
import { Terminal, TerminalOptions } from "../../firmware/app/terminal";
import { STATE_NAMES, V_STATE, V_Q_COUNT } from "../../firmware/ui/ui-model";
import { makeRigApi } from "../../firmware/app/rig-api";
import { FakeEngine } from "./fake-engine";

/** 2024-03-05 14:07:00, terminal local time. */
export const T0 = Date.UTC(2024, 2, 5, 14, 7, 0);

export interface RigOptions {
  cols?: number;
  rows?: number;
  config?: Partial<TerminalConfig>;
  printer?: EscPosPrinterModelOptions;
  terminal?: Partial<TerminalOptions>;
  journal?: boolean;
}

export class Rig {
  readonly sched = new Scheduler();
  /** Added to the terminal clock (the host setting the time at sign-in). */
  clockOffset = 0;
  readonly clock = { now: () => T0 + this.sched.now() + this.clockOffset };
  readonly ring = new EventRing(32);
  readonly pad: KeypadMatrixModel;
  readonly lcdModel: Hd44780Pcf8574Model;
  readonly lcd: Hd44780Lcd;
  readonly i2c = new ModelI2C();
  readonly msrModule = new MsrModule();
  readonly msr: MagStripeReader;
  readonly iccModule: IccReaderModule;
  readonly icc: ChipReader;
  readonly printerModel: EscPosPrinterModel;
  readonly printer: EscPosPrinter;
  readonly printerLink: UartLink;
  readonly engine: FakeEngine;
  readonly flash = new FlashStorage({ bytes: 64 * 1024 });
  readonly journal: Journal | null;
  readonly config: TerminalConfig;
  readonly term: Terminal;
  languages: string[] = [];
  kicks = 0;

  constructor(o: RigOptions = {}) {
    const sched = this.sched;
    const clock = this.clock;
    const ring = this.ring;
    const cols = o.cols || 16;
    const rows = o.rows || 2;
    this.pad = new KeypadMatrixModel({ sched });
    const keypad = new MatrixKeypad({
      rows: this.pad.rows.map((n) => new ModelPin(n)),
      cols: this.pad.cols.map((n) => new ModelPin(n)),
      ring,
      clock,
    });
    this.lcdModel = new Hd44780Pcf8574Model({ clock: sched, cols, rows });
    this.i2c.attach(this.lcdModel);
    this.lcd = new Hd44780Lcd({ i2c: this.i2c, address: this.lcdModel.address, cols, rows, ring, clock });
    this.lcd.init();
    const msrLink = new UartLink(sched, this.msrModule, 9600);
    this.msr = new MagStripeReader({ serial: msrLink.firmware, ring, clock });
    this.iccModule = new IccReaderModule({ timers: sched });
    const iccLink = new UartLink(sched, this.iccModule, 38400);
    this.icc = new ChipReader({
      serial: iccLink.firmware,
      presentPin: new ModelPin(this.iccModule.presentSwitch),
      ring,
      clock,
      autoRead: false,
      random: () => 0.5,
    });
    this.printerModel = new EscPosPrinterModel(sched, Object.assign({ decodeGb: decodeGb18030 }, o.printer || {}));
    this.printerLink = new UartLink(sched, this.printerModel, 9600);
    this.printer = new EscPosPrinter({ serial: this.printerLink.firmware, ring, clock, baud: 9600 });
    this.engine = new FakeEngine(clock);
    this.config = Object.assign(defaultConfig(), o.config || {});
    this.journal = o.journal === false ? null : new Journal(this.flash, { capacity: 20 });
    if (this.journal) this.journal.open();
    const self = this;
    this.term = new Terminal(
      Object.assign(
        {
          clock,
          ring,
          lcd: this.lcd,
          keypad,
          msr: this.msr,
          icc: this.icc,
          printer: this.printer,
          engine: this.engine,
          config: this.config,
          journal: this.journal,
          kick: () => {
            self.kicks++;
          },
          onLanguage: (l: string) => {
            self.languages.push(l);
          },
        },
        o.terminal || {},
      ) as TerminalOptions,
    );
    this.engine.listener = this.term;
    sched.setInterval(() => this.term.tick(), 5);
    this.advance(300); // LCD init, first paint
  }

  advance(ms: number): void {
    this.sched.advance(ms);
  }

  /** Press and release keys: digits, or names ("ENTER", "CANCEL", "CLEAR", "F1"), one per entry. */
  keys(...ks: string[]): void {
    for (const k of ks) {
      if (/^[0-9]+$/.test(k)) {
        for (const d of k) this.tap(d);
      } else this.tap(k);
    }
  }

  private tap(k: string): void {
    this.pad.tap(k, 40);
    this.advance(100);
  }

  /** What the LCD glass shows. */
  lines(): string[] {
    return this.lcdModel.lines();
  }

  screen(): string {
    return this.lines().join("|");
  }

  state(): string {
    return STATE_NAMES.split(",")[this.term.v[V_STATE]];
  }

  /** The last engine result as T.last() reports it (null before the first). */
  last(): any {
    return makeRigApi({ terminal: this.term }).last();
  }

  swipe(card: TestCard, opts?: SwipeOptions): void {
    this.msrModule.swipe(card, opts);
    this.advance(300);
  }

  insert(card: TestCard, opts?: ChipCardOptions): ChipCard {
    const c = new ChipCard(card, opts);
    this.iccModule.insert(c);
    this.advance(100);
    return c;
  }

  pull(): void {
    this.iccModule.pull();
    this.advance(100);
  }

  /** Run until the printer model has nothing left to print (or `limit` ms). */
  printAll(limit = 30000): void {
    for (let t = 0; t < limit; t += 100) {
      this.advance(100);
      if (this.term.v[V_Q_COUNT] === 0 && this.printerModel.bufferedBytes() === 0) break;
    }
    this.advance(200);
  }

  receipts(): string[][] {
    return this.printerModel.receipts();
  }

  /** A sale in the journal, as the engine would have written it. */
  addJournalSale(stan: number, amount: number, pan: string, status = J_APPROVED): void {
    const e = new JournalEntry();
    e.type = J_SALE;
    e.status = status;
    e.amount = amount;
    e.stan = stan;
    e.batch = 1;
    e.time = Math.floor(T0 / 1000) - 3600;
    e.entryMode = 21;
    e.respCode = 0x3030;
    const p = new Uint8Array(19);
    for (let i = 0; i < pan.length; i++) p[i] = pan.charCodeAt(i);
    e.pan.fromPan(p, pan.length);
    for (let i = 0; i < 12; i++) e.rrn[i] = "240305000042".charCodeAt(i);
    for (let i = 0; i < 6; i++) e.authCode[i] = "XY9876".charCodeAt(i);
    if (!this.journal!.add(e)) throw new Error("journal add failed: " + this.journal!.lastError);
  }
}
