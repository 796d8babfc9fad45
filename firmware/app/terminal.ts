/**
 * The terminal application: one loop that joins keypad, card readers, printer, LCD and the
 * transaction engine into a terminal a merchant can use without a manual.
 *
 * `tick()` (call it every 5-10 ms) scans the keypad, steps the readers, the printer and the
 * engine, drains the event ring into the UI state machine, redraws the screen buffer when
 * something changed, hands the changed cells to the LCD, and kicks the watchdog. Nothing on
 * that path allocates: events are numbers, texts come from the catalogue by offset, numbers are
 * formatted into preallocated buffers (see firmware/ui/screen.ts for the one bounded exception,
 * the one-char strings the LCD driver takes, made once per distinct character). Receipt jobs
 * are built when a copy starts printing (a few short strings per copy, off the per-tick path).
 *
 * The engine (TxnEngineApi) reports through `onProgress` / `onResult`, which only record what
 * happened; the loop acts on it. A result is copied at once (the engine reuses its TxnResult).
 *
 * Chip completion: after a host approval for a chip card the engine reports STAGE_COMPLETING
 * and waits for `complete()`. The ChipReader has no second GENERATE AC, so the completion step
 * here is a confirmation that the card stayed in: `completionMs` (300 ms) after the stage, if
 * the card is still seated, `engine.complete()`; a removal first goes to `engine.cardRemoved()`
 * (the engine then reverses with reason 06). EV_CARD_REMOVED is forwarded to the engine at any
 * moment of a chip transaction it is running.
 *
 * The chip reader must be built with `autoRead: false`: the app starts the EMV read itself once
 * the amount is known (it goes into 9F02 and the ARQC).
 */
import type { Clock } from "../hal/clock";
import type { EventRing } from "../lib/event-ring";
import type { TerminalConfig } from "../config";
import { CardData } from "../txn/card-data";
import {
  TxnEngineApi,
  TxnResult,
  EngineListener,
  TXN_SALE,
  TXN_VOID,
  TXN_REFUND,
  TXN_BALANCE,
  TXN_SETTLE,
  TXN_SIGN_IN,
  TXN_REVERSAL,
  OUT_APPROVED,
  OUT_DECLINED,
  OUT_SETTLED,
  OUT_REVERSED,
  OUT_REVERSAL_FAILED,
  STAGE_CONNECTING,
  STAGE_SENDING,
  STAGE_WAITING,
  STAGE_COMPLETING,
} from "../txn/engine-api";
import { JournalEntry } from "../txn/store/journal";
import {
  EV_KEY,
  EV_CARD_SWIPED,
  EV_CARD_READ_ERROR,
  EV_CARD_INSERTED,
  EV_CARD_REMOVED,
  EV_CHIP_READ,
  EV_CHIP_ERROR,
  EV_READER_FAULT,
  EV_PRINT_DONE,
  EV_PRINT_FAILED,
  EV_LCD_FAULT,
  EV_LCD_OK,
} from "../events";
import { KEY_0, KEY_9, KEY_CLEAR, KEY_ENTER, KEY_CANCEL, KEY_F1 } from "../drivers/keypad-keys";
import { MSR_SWIPE_CHIP } from "../drivers/msr";
import { ICC_ERR_DECLINED } from "../drivers/icc";
import { TXN_SALE as EMV_SALE, TXN_REFUND as EMV_REFUND, TXN_INQUIRY as EMV_INQUIRY } from "../drivers/emv-terminal";
import { PRN_ERR_PAPER_OUT } from "../drivers/escpos-codes";
import { Screen, LcdLike } from "../ui/screen";
import { Painter, menuPages, queryPages } from "../ui/screens";
import { ReceiptData } from "../ui/receipt-data";
import { splitTime as splitClock } from "../ui/format";
import { ReceiptWriter, ReceiptPrinter } from "../ui/receipt";
import { PrintQueue, JOB_MERCHANT, JOB_CARDHOLDER, JOB_SETTLEMENT, JOB_REVERSAL_SLIP, JOB_DECLINED } from "../ui/print-queue";
import {
  UiModel,
  ST_IDLE,
  ST_MENU,
  ST_AMOUNT,
  ST_TRACE,
  ST_RRN,
  ST_DATE,
  ST_CONFIRM,
  ST_CARD,
  ST_READING,
  ST_PIN,
  ST_PROCESSING,
  ST_RESULT,
  ST_QUERY,
  ST_PAPER,
  FOR_VOID,
  FOR_QUERY,
  FOR_REPRINT,
  TRACE_DIGITS,
  RRN_DIGITS,
  DATE_DIGITS,
  AMOUNT_DIGITS,
} from "../ui/ui-model";
import {
  MSG_RC_00,
  MSG_RC_OTHER,
  MSG_OUT_ABORTED,
  MSG_OUT_CARD_REMOVED,
  MSG_OUT_NOT_FOUND,
  MSG_OUT_NOT_SIGNED_IN,
  MSG_OUT_SETTLED,
  MSG_ACT_SIGN_IN,
  MSG_UI_AMOUNT_ZERO,
  MSG_UI_OVER_LIMIT,
  MSG_UI_READ_ERROR,
  MSG_UI_SWIPE_AGAIN,
  MSG_UI_USE_CHIP,
  MSG_UI_CHIP_ERROR,
  MSG_UI_CARD_DECLINED,
  MSG_UI_REMOVE_CARD,
  MSG_UI_READER_FAULT,
  MSG_UI_PIN_LENGTH,
  MSG_UI_PIN_ERROR,
  MSG_UI_NEED_12,
  MSG_UI_BAD_DATE,
  MSG_UI_LOAD_PAPER,
  MSG_UI_PRINTER_FAULT,
  MSG_UI_PRINTING,
  MSG_UI_NO_TXN,
  MSG_UI_LANG_EN,
  MSG_UI_LANG_ZH,
  MSG_UI_VOIDED,
  MSG_UI_REV_FAILED,
} from "../ui/messages.gen";

/** The LCD driver as the loop uses it (Hd44780Lcd). */
export interface TerminalLcd extends LcdLike {
  flush(): number;
}

export interface TerminalKeypad {
  scan(): number;
}

export interface TerminalMsr {
  readonly card: CardData;
  tick(now: number): void;
}

export interface TerminalIcc {
  readonly card: CardData;
  tick(now: number): void;
  read(): boolean;
  abort(): void;
  isPresent(): boolean;
  setTransaction(amountFen: number, txnType: number, sequence?: number): void;
}

export interface TerminalPrinter extends ReceiptPrinter {
  tick(now?: number): void;
  state(): number;
  discard(): boolean;
}

/** Journal lookups for reprint, query and void (firmware/txn/store/journal.ts). */
export interface TerminalJournal {
  findByStan(stan: number, out: JournalEntry): boolean;
  last(out: JournalEntry): boolean;
}

export interface TerminalOptions {
  clock: Clock;
  ring: EventRing;
  lcd: TerminalLcd;
  keypad: TerminalKeypad;
  msr: TerminalMsr;
  icc: TerminalIcc;
  printer: TerminalPrinter;
  engine: TxnEngineApi;
  config: TerminalConfig;
  journal?: TerminalJournal | null;
  /** Polled every tick (NetLink delivers deferred link events there). */
  link?: { poll(): void } | null;
  /** Watchdog kick, where the board has one. */
  kick?: (() => void) | null;
  /** The operator switched the printer language ("en" / "zh"): persist it. */
  onLanguage?: ((lang: string) => void) | null;
  /** Card kept in this long after STAGE_COMPLETING -> engine.complete() (default 300 ms). */
  completionMs?: number;
  /** Transient messages (default 2000 ms). */
  noticeMs?: number;
  /** A result stays this long before the idle screen (default 30000 ms). */
  resultMs?: number;
  /** No key this long on an entry screen -> back to idle (default 60000 ms). */
  inputMs?: number;
}

const C_0 = 48;
/** A wall-clock step longer than this between ticks is a clock change, not time passing. */
const MAX_STEP_MS = 2000;

export class Terminal implements EngineListener {
  readonly m = new UiModel();
  readonly screen: Screen;
  readonly queue: PrintQueue;
  readonly writer: ReceiptWriter;
  /** The last engine result, copied (T.last()); the result screen shows it. */
  readonly last: ReceiptData;
  /** Results taken from the engine so far. */
  results = 0;
  engine: TxnEngineApi;

  private readonly clock: Clock;
  private readonly ring: EventRing;
  private readonly lcd: TerminalLcd;
  private readonly keypad: TerminalKeypad;
  private readonly msr: TerminalMsr;
  private readonly icc: TerminalIcc;
  private readonly printer: TerminalPrinter;
  private readonly config: TerminalConfig;
  private readonly journal: TerminalJournal | null;
  private readonly link: { poll(): void } | null;
  private readonly kick: (() => void) | null;
  private readonly onLanguage: ((lang: string) => void) | null;
  private readonly painter = new Painter();
  private readonly completionMs: number;
  private readonly noticeMs: number;
  private readonly resultMs: number;
  private readonly inputMs: number;

  /** The transaction's card: copied from a reader record, wiped when the transaction ends. */
  private readonly card = new CardData();
  private cardReady = false;
  /** A chip card failed to read: its stripe may be used (fallback). */
  private fallback = false;
  private readonly pin = new Uint8Array(12);
  private readonly origRrn = new Uint8Array(12);
  private origDate = 0;
  private readonly entry = new JournalEntry();

  /** Engine command in flight (TXN_*), 0 none. */
  private cmd = 0;
  private stageSeen = 0;
  private resultSeen = false;
  private sideSeen = false;
  private completeAt = 0;
  private deadline = 0;
  private lastStage = 0;

  private dirty = true;
  private noticeUntil = 0;
  private resultUntil = 0;
  private inputUntil = 0;
  private shownMinute = -1;
  private paperWanted = false;
  private paperReturn = ST_IDLE;
  /**
   * The UI's own monotonic time (ms): wall-clock steps, clamped, so a clock set by the host at
   * sign-in neither fires nor freezes the screen timers. The wall clock is only shown.
   */
  private now = 0;
  private lastWall = 0;

  constructor(o: TerminalOptions) {
    this.clock = o.clock;
    this.ring = o.ring;
    this.lcd = o.lcd;
    this.keypad = o.keypad;
    this.msr = o.msr;
    this.icc = o.icc;
    this.printer = o.printer;
    this.engine = o.engine;
    this.config = o.config;
    this.journal = o.journal || null;
    this.link = o.link || null;
    this.kick = o.kick || null;
    this.onLanguage = o.onLanguage || null;
    this.completionMs = o.completionMs !== undefined ? o.completionMs : 300;
    this.noticeMs = o.noticeMs !== undefined ? o.noticeMs : 2000;
    this.resultMs = o.resultMs !== undefined ? o.resultMs : 30000;
    this.inputMs = o.inputMs !== undefined ? o.inputMs : 60000;
    this.screen = new Screen(o.lcd.rows, o.lcd.cols);
    this.last = this.m.result;
    const cfg = o.config;
    this.writer = new ReceiptWriter(
      o.printer,
      { merchantName: cfg.merchantName, mid: cfg.mid, tid: cfg.tid, operator: cfg.operator },
      cfg.lang === "zh",
    );
    this.queue = new PrintQueue(o.printer, this.writer);
    const n = cfg.tid.length < 8 ? cfg.tid.length : 8;
    for (let i = 0; i < n; i++) this.m.tid[i] = cfg.tid.charCodeAt(i);
    this.m.tidLen = n;
  }

  // ------------------------------------------------------------------ the loop

  /** One pass of the loop. @hot */
  tick(): void {
    const wall = this.clock.now();
    const step = wall - this.lastWall;
    if (this.lastWall !== 0 && step > 0 && step < MAX_STEP_MS) this.now += step;
    this.lastWall = wall;
    const now = this.now;
    this.keypad.scan();
    this.msr.tick(wall);
    this.icc.tick(wall);
    this.printer.tick(wall);
    if (this.link !== null) this.link.poll();
    this.engine.tick(wall);
    const ring = this.ring;
    while (ring.shift()) this.onEvent(ring.kind, ring.a, ring.b);
    this.afterEngine(now);
    this.timers(now, wall);
    if (this.queue.size() > 0) this.queue.pump();
    if (this.dirty) {
      this.dirty = false;
      this.painter.paint(this.m, this.screen);
    }
    this.screen.sync(this.lcd);
    this.lcd.flush();
    if (this.kick !== null) this.kick();
  }

  // ------------------------------------------------------------------ engine callbacks

  /** @hot */
  onProgress(stage: number): void {
    this.stageSeen = stage;
  }

  /** Copy the result at once: the engine refills it on its next command. @hot */
  onResult(r: TxnResult): void {
    const now = this.clock.now();
    this.last.fromResult(r, now);
    this.results++;
    const o = r.outcome;
    // A reversal that ran out of tries: print its slip, whatever this result is about.
    if (r.slipReady || o === OUT_REVERSAL_FAILED) {
      const q = this.queue;
      const slot = q.claim();
      if (slot >= 0) {
        const d = q.data[slot];
        if (r.slipReady) d.fromSlip(r, now);
        else {
          d.copyFrom(this.last); // an engine without the slip fields: the result's own
          d.type = TXN_REVERSAL;
        }
        q.add(JOB_REVERSAL_SLIP, slot, false);
      }
    }
    // A reversal settled on the way to another transaction is news, not the answer.
    if ((o === OUT_REVERSAL_FAILED || o === OUT_REVERSED) && this.cmd !== TXN_REVERSAL) this.sideSeen = true;
    else this.resultSeen = true;
  }

  // ------------------------------------------------------------------ events

  /** @hot */
  private onEvent(kind: number, a: number, b: number): void {
    if (kind === EV_KEY) {
      if (b === 0) this.onKey(a); // repeats of a held key are ignored
    } else if (kind === EV_CARD_SWIPED) this.onSwipe(a);
    else if (kind === EV_CARD_READ_ERROR) this.onReadError();
    else if (kind === EV_CARD_INSERTED) this.onInserted();
    else if (kind === EV_CARD_REMOVED) this.onRemoved();
    else if (kind === EV_CHIP_READ) this.onChipRead();
    else if (kind === EV_CHIP_ERROR) this.onChipError(a);
    else if (kind === EV_READER_FAULT) this.onReaderFault();
    else if (kind === EV_PRINT_DONE) this.queue.onDone(a);
    else if (kind === EV_PRINT_FAILED) this.onPrintFailed(a, b);
    else if (kind === EV_LCD_FAULT) this.m.lcdFault = true;
    else if (kind === EV_LCD_OK) this.m.lcdFault = false;
  }

  /** @hot */
  private onKey(k: number): void {
    const m = this.m;
    const st = m.state;
    this.inputUntil = this.now + this.inputMs;
    const digit = k >= KEY_0 && k <= KEY_9;
    if (st === ST_IDLE) {
      if (k === KEY_F1) this.go(ST_MENU);
      else if (digit) {
        this.startAmount(TXN_SALE);
        this.amountKey(k);
      }
    } else if (st === ST_MENU) {
      const pages = menuPages(this.screen.rows);
      if (digit) this.menuSelect(k);
      else if (k === KEY_F1 || k === KEY_ENTER) m.menuPage = (m.menuPage + 1) % pages;
      else if (k === KEY_CLEAR) m.menuPage = (m.menuPage + pages - 1) % pages;
      else if (k === KEY_CANCEL) this.toIdle();
    } else if (st === ST_AMOUNT) {
      if (digit || k === KEY_CLEAR) this.amountKey(k);
      else if (k === KEY_CANCEL) this.abort(MSG_OUT_ABORTED);
      else if (k === KEY_ENTER) this.amountDone();
    } else if (st === ST_TRACE || st === ST_RRN || st === ST_DATE) {
      const max = st === ST_TRACE ? TRACE_DIGITS : st === ST_RRN ? RRN_DIGITS : DATE_DIGITS;
      if (digit && m.digitLen < max) m.digits[m.digitLen++] = k;
      else if (k === KEY_CLEAR && m.digitLen > 0) m.digitLen--;
      else if (k === KEY_CANCEL) this.abort(MSG_OUT_ABORTED);
      else if (k === KEY_ENTER) this.digitsDone();
    } else if (st === ST_CONFIRM) {
      if (k === KEY_ENTER) this.startVoid();
      else if (k === KEY_CANCEL) this.abort(MSG_OUT_ABORTED);
    } else if (st === ST_CARD || st === ST_READING) {
      if (k === KEY_ENTER && st === ST_CARD && m.txnType === TXN_VOID) this.startCommand(TXN_VOID);
      else if (k === KEY_CANCEL) {
        if (st === ST_READING) this.icc.abort();
        this.abort(MSG_OUT_ABORTED);
      }
    } else if (st === ST_PIN) {
      if (digit && m.pinLen < 12) this.pin[m.pinLen++] = k;
      else if (k === KEY_CLEAR) this.wipePin(); // clears the whole PIN, as PIN pads do
      else if (k === KEY_CANCEL) this.abort(MSG_OUT_ABORTED);
      else if (k === KEY_ENTER) this.pinDone();
    } else if (st === ST_PROCESSING) {
      if (k === KEY_CANCEL) this.engine.cancel();
    } else if (st === ST_RESULT) {
      if (k === KEY_ENTER || k === KEY_CANCEL) this.toIdle();
    } else if (st === ST_QUERY) {
      const pages = queryPages(this.screen.rows);
      if (k === KEY_F1) m.queryPage = (m.queryPage + 1) % pages;
      else if (k === KEY_CLEAR) m.queryPage = (m.queryPage + pages - 1) % pages;
      else if (k === KEY_ENTER) this.reprint(m.entry);
      else if (k === KEY_CANCEL) this.toIdle();
    } else if (st === ST_PAPER) {
      if (k === KEY_ENTER) {
        this.queue.retry();
        this.leavePaper();
      } else if (k === KEY_CANCEL) {
        this.queue.skip();
        this.leavePaper();
      }
    }
    this.dirty = true;
  }

  /** @hot */
  private onSwipe(a: number): void {
    const st = this.m.state;
    const wantsChip = a === MSR_SWIPE_CHIP && !this.fallback;
    const takes = st === ST_IDLE || st === ST_AMOUNT || st === ST_CARD;
    if (takes && wantsChip) this.notice(MSG_UI_USE_CHIP, -1);
    else if (takes && !this.m.cardIsChip) {
      this.card.copyFrom(this.msr.card);
      this.cardReady = true;
      if (st === ST_IDLE) this.startAmount(TXN_SALE);
      else if (st === ST_CARD) this.cardDone();
    }
    this.msr.card.wipe(); // the reader's copy goes at once, used or not
  }

  /** @hot */
  private onReadError(): void {
    const st = this.m.state;
    if (st === ST_IDLE || st === ST_AMOUNT || st === ST_CARD) this.notice(MSG_UI_READ_ERROR, MSG_UI_SWIPE_AGAIN);
  }

  /** @hot */
  private onInserted(): void {
    const m = this.m;
    m.chipPresent = true;
    this.dirty = true;
    if (this.cardReady) return; // a swiped card is already in use
    if (m.state === ST_IDLE) {
      m.cardIsChip = true;
      this.startAmount(TXN_SALE);
    } else if (m.state === ST_AMOUNT) {
      m.cardIsChip = true;
    } else if (m.state === ST_CARD) {
      m.cardIsChip = true;
      this.startChipRead();
    }
  }

  /** @hot */
  private onRemoved(): void {
    const m = this.m;
    m.chipPresent = false;
    this.dirty = true;
    const st = m.state;
    if (!m.cardIsChip) return;
    if (st === ST_PROCESSING) {
      this.completeAt = 0;
      this.engine.cardRemoved();
    } else if (st === ST_AMOUNT || st === ST_READING || st === ST_PIN || st === ST_CARD || st === ST_TRACE || st === ST_RRN || st === ST_DATE) {
      this.abort(MSG_OUT_CARD_REMOVED);
    }
  }

  /** @hot */
  private onChipRead(): void {
    if (this.m.state === ST_READING) {
      this.card.copyFrom(this.icc.card);
      this.cardReady = true;
      this.m.cardIsChip = true;
      this.cardDone();
    }
    this.icc.card.wipe();
  }

  /** @hot */
  private onChipError(reason: number): void {
    if (this.m.state !== ST_READING) return;
    if (reason === ICC_ERR_DECLINED) {
      this.abort(MSG_UI_CARD_DECLINED);
      this.m.noticeB = MSG_UI_REMOVE_CARD;
      return;
    }
    // the stripe of this card may now be used (fallback)
    this.fallback = true;
    this.m.cardIsChip = false;
    this.m.state = ST_CARD;
    this.notice(MSG_UI_CHIP_ERROR, MSG_UI_REMOVE_CARD);
  }

  /** @hot */
  private onReaderFault(): void {
    if (this.m.state !== ST_READING) return;
    this.m.cardIsChip = false;
    this.m.state = ST_CARD;
    this.notice(MSG_UI_READER_FAULT, -1);
  }

  /** @hot */
  private onPrintFailed(id: number, reason: number): void {
    if (!this.queue.onFailed(id, reason)) return;
    this.m.paperMsg = reason === PRN_ERR_PAPER_OUT ? MSG_UI_LOAD_PAPER : MSG_UI_PRINTER_FAULT;
    this.paperWanted = true;
  }

  // ------------------------------------------------------------------ flows

  /** @hot */
  private go(state: number): void {
    const m = this.m;
    m.state = state;
    m.menuPage = 0;
    m.queryPage = 0;
    m.digitLen = 0;
    this.inputUntil = this.now + this.inputMs;
    this.dirty = true;
  }

  /** @hot */
  private toIdle(): void {
    this.wipeCard();
    this.wipePin();
    const m = this.m;
    m.txnType = 0;
    m.amount = 0;
    m.purpose = 0;
    m.stage = 0;
    m.countdown = -1;
    this.shownMinute = -1;
    this.go(ST_IDLE);
  }

  /** Leave a flow with a message. @hot */
  private abort(msg: number): void {
    this.toIdle();
    this.notice(msg, -1);
  }

  /** @hot */
  private notice(a: number, b: number): void {
    this.m.noticeA = a;
    this.m.noticeB = b;
    this.noticeUntil = this.now + this.noticeMs;
    this.dirty = true;
  }

  /** @hot */
  private startAmount(type: number): void {
    if ((type === TXN_SALE || type === TXN_BALANCE) && !this.engine.signedIn()) {
      this.abort(MSG_OUT_NOT_SIGNED_IN);
      this.m.noticeB = MSG_ACT_SIGN_IN;
      return;
    }
    this.go(ST_AMOUNT);
    this.m.txnType = type;
    this.m.amount = 0;
  }

  /** @hot */
  private amountKey(k: number): void {
    const m = this.m;
    if (k === KEY_CLEAR) m.amount = Math.floor(m.amount / 10);
    else if (m.amount < 100000000000) m.amount = m.amount * 10 + (k - C_0); // 12 digits at most
    this.dirty = true;
  }

  /** @hot */
  private amountDone(): void {
    const m = this.m;
    if (m.amount <= 0) {
      this.notice(MSG_UI_AMOUNT_ZERO, -1);
      return;
    }
    if (m.amount > this.config.maxAmount) {
      this.notice(MSG_UI_OVER_LIMIT, -1);
      return;
    }
    if (m.txnType === TXN_REFUND) {
      const amount = m.amount;
      this.go(ST_RRN);
      m.amount = amount;
      return;
    }
    this.toCard();
  }

  /** Ask for the card, or go on with the one already swiped / inserted. @hot */
  private toCard(): void {
    if (this.cardReady) this.cardDone();
    else if (this.m.chipPresent) {
      this.m.cardIsChip = true;
      this.startChipRead();
    } else this.go(ST_CARD);
  }

  /** @hot */
  private startChipRead(): void {
    const t = this.m.txnType;
    this.icc.setTransaction(this.m.amount, t === TXN_REFUND ? EMV_REFUND : t === TXN_BALANCE ? EMV_INQUIRY : EMV_SALE);
    if (!this.icc.read()) {
      this.m.cardIsChip = false;
      this.go(ST_CARD);
      this.notice(MSG_UI_CHIP_ERROR, MSG_UI_REMOVE_CARD);
      return;
    }
    this.go(ST_READING);
  }

  /** The card is read. @hot */
  private cardDone(): void {
    const t = this.m.txnType;
    if (t === TXN_REFUND || t === TXN_VOID) {
      this.startCommand(t);
      return;
    }
    this.go(ST_PIN);
    this.m.pinLen = 0;
  }

  /** @hot */
  private digitsDone(): void {
    const m = this.m;
    const st = m.state;
    if (st === ST_RRN) {
      if (m.digitLen !== RRN_DIGITS) {
        this.notice(MSG_UI_NEED_12, -1);
        return;
      }
      for (let i = 0; i < RRN_DIGITS; i++) this.origRrn[i] = m.digits[i];
      const amount = m.amount;
      this.go(ST_DATE);
      m.amount = amount;
      return;
    }
    if (st === ST_DATE) {
      const mm = (m.digits[0] - C_0) * 10 + (m.digits[1] - C_0);
      const dd = (m.digits[2] - C_0) * 10 + (m.digits[3] - C_0);
      if (m.digitLen !== DATE_DIGITS || mm < 1 || mm > 12 || dd < 1 || dd > 31) {
        m.digitLen = 0;
        this.notice(MSG_UI_BAD_DATE, -1);
        return;
      }
      this.origDate = mm * 100 + dd;
      const amount = m.amount;
      m.state = ST_CARD; // keep txnType and amount
      m.amount = amount;
      this.toCard();
      return;
    }
    let trace = 0;
    for (let i = 0; i < m.digitLen; i++) trace = trace * 10 + (m.digits[i] - C_0);
    if (trace === 0) return;
    const found = this.journal !== null && this.journal.findByStan(trace, this.entry);
    if (found) m.entry.fromJournal(this.entry);
    if (m.purpose === FOR_VOID) {
      if (this.journal !== null && !found) {
        m.digitLen = 0;
        this.notice(MSG_OUT_NOT_FOUND, -1);
        return;
      }
      if (!found) {
        m.entry.stan = trace;
        m.entry.amount = 0;
        m.entry.panLen = 0;
      }
      this.go(ST_CONFIRM);
      return;
    }
    if (!found) {
      m.digitLen = 0;
      this.notice(MSG_OUT_NOT_FOUND, -1);
      return;
    }
    if (m.purpose === FOR_QUERY) {
      this.go(ST_QUERY);
      return;
    }
    this.reprint(m.entry);
    this.toIdle();
    this.notice(MSG_UI_PRINTING, -1);
  }

  /** @hot */
  private pinDone(): void {
    const m = this.m;
    if (m.pinLen < 4) {
      this.notice(MSG_UI_PIN_LENGTH, -1);
      return;
    }
    const block = this.engine.makePinBlock(this.pin, m.pinLen, this.card);
    this.wipePin();
    if (block === null) {
      this.abort(MSG_UI_PIN_ERROR);
      if (!this.engine.signedIn()) m.noticeB = MSG_ACT_SIGN_IN;
      return;
    }
    this.startCommand(m.txnType, block);
  }

  /** The original is confirmed: ask for the card (ENTER goes on without it). @hot */
  private startVoid(): void {
    this.m.amount = this.m.entry.amount;
    this.m.txnType = TXN_VOID;
    this.toCard();
  }

  /** @hot */
  private menuSelect(k: number): void {
    const m = this.m;
    const item = k === KEY_0 ? 10 : k - C_0;
    if (item === 1) this.startAmount(TXN_SALE);
    else if (item === 2 || item === 7 || item === 8) {
      this.go(ST_TRACE);
      m.purpose = item === 2 ? FOR_VOID : item === 7 ? FOR_REPRINT : FOR_QUERY;
      m.txnType = item === 2 ? TXN_VOID : 0;
    } else if (item === 3) this.startAmount(TXN_REFUND);
    else if (item === 4) {
      this.startAmount(TXN_BALANCE);
      if (m.state === ST_AMOUNT) this.toCard();
    } else if (item === 5) {
      m.amount = 0;
      this.startCommand(TXN_SETTLE);
    } else if (item === 6) {
      if (this.journal !== null && this.journal.last(this.entry)) {
        m.entry.fromJournal(this.entry);
        this.reprint(m.entry);
        this.toIdle();
        this.notice(MSG_UI_PRINTING, -1);
      } else this.notice(MSG_UI_NO_TXN, -1);
    } else if (item === 9) {
      m.amount = 0;
      this.startCommand(TXN_SIGN_IN);
    } else if (item === 10) this.toggleLanguage();
  }

  /**
   * Hand a command to the engine; the screen shows its progress. A command refused at once
   * (returns false) leaves its answer in engine.result. @hot
   */
  private startCommand(type: number, pinBlock?: Uint8Array): void {
    const m = this.m;
    const e = this.engine;
    const amount = m.amount;
    this.go(ST_PROCESSING);
    m.txnType = type;
    m.amount = amount;
    m.stage = 0;
    m.countdown = -1;
    this.cmd = type;
    this.resultSeen = false;
    this.sideSeen = false;
    this.deadline = 0;
    this.lastStage = 0;
    let ok = false;
    if (type === TXN_SALE) ok = e.sale(amount, this.card, pinBlock || null);
    else if (type === TXN_BALANCE) ok = e.balance(this.card, pinBlock || null);
    else if (type === TXN_REFUND) ok = e.refund(amount, this.card, this.origRrn, this.origDate);
    else if (type === TXN_VOID) ok = e.voidSale(m.entry.stan, this.cardReady ? this.card : null, null);
    else if (type === TXN_SETTLE) ok = e.settle();
    else if (type === TXN_SIGN_IN) ok = e.signIn();
    else if (type === TXN_REVERSAL) ok = e.sendReversal();
    // the engine took its own copy (or refused): the card data goes now, not at the result
    this.card.wipe();
    this.cardReady = false;
    if (!ok && !this.resultSeen) this.onResult(e.result);
    if (!ok) this.resultSeen = true;
  }

  /** Act on what the engine reported since the last tick. @hot */
  private afterEngine(now: number): void {
    if (this.stageSeen !== 0) {
      const s = this.stageSeen;
      this.stageSeen = 0;
      if (this.m.state === ST_PROCESSING) this.onStage(s, now);
    }
    if (this.completeAt !== 0 && now >= this.completeAt) {
      this.completeAt = 0;
      // the card is still in: the completion step succeeded (a removal went to cardRemoved)
      if (!this.m.cardIsChip || this.icc.isPresent()) this.engine.complete();
    }
    if (this.resultSeen) {
      this.resultSeen = false;
      this.sideSeen = false;
      if (this.m.state === ST_PROCESSING) this.finish(now);
    } else if (this.sideSeen && this.m.state === ST_PROCESSING && !this.engine.busy()) {
      this.sideSeen = false;
      this.finish(now);
    }
  }

  /** @hot */
  private onStage(s: number, now: number): void {
    const m = this.m;
    m.stage = s;
    if (s === STAGE_CONNECTING) this.deadline = now + this.config.connectMs;
    else if (s === STAGE_SENDING || (s === STAGE_WAITING && this.lastStage !== STAGE_SENDING)) this.deadline = now + this.config.replyMs;
    else if (s === STAGE_COMPLETING) {
      this.deadline = 0;
      m.countdown = -1;
      this.completeAt = now + (m.cardIsChip ? this.completionMs : 0);
      if (this.completeAt === 0) this.completeAt = 1;
    } else if (s !== STAGE_WAITING) this.deadline = now + this.config.connectMs + this.config.replyMs;
    this.lastStage = s;
    this.dirty = true;
  }

  /** The command's answer is in: show it, queue its receipts. @hot */
  private finish(now: number): void {
    const m = this.m;
    const d = this.last;
    this.cmd = 0;
    this.completeAt = 0;
    this.deadline = 0;
    // the card data goes; cardIsChip stays until idle so the result can say "remove card"
    this.card.wipe();
    this.cardReady = false;
    this.fallback = false;
    m.stage = 0;
    m.countdown = -1;
    m.state = ST_RESULT;
    this.resultUntil = now + this.resultMs;
    this.dirty = true;
    const o = d.outcome;
    const t = d.type;
    if (o === OUT_APPROVED && (t === TXN_SALE || t === TXN_VOID || t === TXN_REFUND)) {
      const slot = this.queue.addCopy(JOB_MERCHANT, d, false);
      this.queue.add(JOB_CARDHOLDER, slot, false); // both copies print from one snapshot
    } else if (o === OUT_SETTLED) {
      this.queue.addCopy(JOB_SETTLEMENT, d, false);
    } else if (o === OUT_DECLINED && this.config.printDeclined) {
      this.queue.addCopy(JOB_DECLINED, d, false);
    }
  }

  /** Reprint from a journal entry: the slip that matches its status, marked REPRINT. @hot */
  private reprint(e: ReceiptData): void {
    const s = e.statusMsg;
    if (s === MSG_RC_00 || s === MSG_UI_VOIDED || s === MSG_OUT_SETTLED) this.queue.addCopy(JOB_MERCHANT, e, true);
    else if (s === MSG_UI_REV_FAILED) this.queue.addCopy(JOB_REVERSAL_SLIP, e, true);
    else if (s === MSG_RC_OTHER) this.queue.addCopy(JOB_DECLINED, e, true);
    else this.notice(s, -1); // reversed / reversal pending: there is no slip to reprint
  }

  /** @hot */
  private timers(now: number, wall: number): void {
    const m = this.m;
    const st = m.state;
    if (m.noticeA >= 0 && now >= this.noticeUntil) {
      m.noticeA = -1;
      m.noticeB = -1;
      this.dirty = true;
    }
    if (st === ST_PROCESSING && this.deadline > 0) {
      let secs = Math.ceil((this.deadline - now) / 1000);
      if (secs < 0) secs = 0;
      if (secs !== m.countdown) {
        m.countdown = secs;
        this.dirty = true;
      }
    } else if (st === ST_RESULT) {
      if (now >= this.resultUntil) this.toIdle();
    } else if (st === ST_IDLE) {
      const minute = Math.floor(wall / 60000);
      if (minute !== this.shownMinute) {
        this.shownMinute = minute;
        splitClock(wall, m.clock);
        this.dirty = true;
      }
      const signed = this.engine.signedIn();
      if (signed !== m.signedIn) {
        m.signedIn = signed;
        this.dirty = true;
      }
    } else if (this.inputUntil > 0 && now >= this.inputUntil && isEntryState(st)) {
      if (st === ST_READING) this.icc.abort();
      this.abort(MSG_OUT_ABORTED);
    }
    if (this.paperWanted && (st === ST_IDLE || st === ST_RESULT || st === ST_MENU || st === ST_QUERY)) {
      this.paperWanted = false;
      this.paperReturn = st;
      m.state = ST_PAPER;
      this.dirty = true;
    }
  }

  /** @hot */
  private leavePaper(): void {
    this.m.state = this.paperReturn;
    if (this.paperReturn === ST_RESULT) this.resultUntil = this.now + this.resultMs;
    this.dirty = true;
  }

  /** @hot */
  private wipeCard(): void {
    this.card.wipe();
    this.cardReady = false;
    this.fallback = false;
    this.m.cardIsChip = false;
  }

  /** @hot */
  private wipePin(): void {
    for (let i = 0; i < this.pin.length; i++) this.pin[i] = 0;
    this.m.pinLen = 0;
  }

  /** Menu 0: printer language English <-> Chinese (not the LCD: it has no Chinese glyphs). */
  private toggleLanguage(): void {
    const zh = !this.writer.chinese;
    this.writer.chinese = zh;
    this.notice(zh ? MSG_UI_LANG_ZH : MSG_UI_LANG_EN, -1);
    if (this.onLanguage !== null) this.onLanguage(zh ? "zh" : "en");
  }

  // ------------------------------------------------------------------ reads for the rig

  /** The printer prints Chinese. */
  chinese(): boolean {
    return this.writer.chinese;
  }

  /** LCD frame buffer rows. */
  lcdRows(): string[] {
    const out: string[] = [];
    for (let r = 0; r < this.lcd.rows; r++) out.push(this.lcd.text(r));
    return out;
  }
}

/** @hot */
function isEntryState(st: number): boolean {
  return (
    st === ST_MENU || st === ST_AMOUNT || st === ST_TRACE || st === ST_RRN || st === ST_DATE || st === ST_CONFIRM ||
    st === ST_CARD || st === ST_READING || st === ST_PIN || st === ST_QUERY
  );
}
