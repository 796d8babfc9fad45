/**
 * The terminal application: one loop that joins keypad, card readers, printer, LCD and the
 * transaction engine into a terminal a merchant can use without a manual.
 *
 * `tick()` (call it every 5-10 ms) scans the keypad, steps the readers, the printer and the
 * engine, drains the event ring into the UI state machine (`step`, which runs the flows through
 * `act`), repaints the LCD frame when something changed (firmware/ui/screens.ts), lets the LCD
 * driver send the changed cells, starts queued receipts, and kicks the watchdog. Nothing on
 * that path allocates: events are numbers, texts come from the catalogue by offset, numbers are
 * formatted into preallocated bytes. Receipt jobs are built when a copy starts printing (a few
 * short strings per copy, off the per-tick path).
 *
 * Memory: every number the terminal keeps is in one Float64Array (`v`, indexes V_* in
 * firmware/ui/ui-model.ts), its bytes in one Uint8Array (`b`), the receipt records in `rec`
 * (firmware/ui/receipt-data.ts), and the state machine is two functions with a case per event
 * and per action: on Espruino each property and each function costs RAM blocks, the length of
 * a function's body does not.
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
import type { CardData } from "../txn/card-data";
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
import type { JournalEntry } from "../txn/store/journal";
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
import type { LcdFrame } from "../ui/screen";
import { paint } from "../ui/screens";
import { stampOf } from "../ui/format";
import type { ReceiptPrinter } from "../ui/receipt";
import { fillRecord, journalRecord, FROM_RESULT, FROM_SLIP, FROM_SLOT, RW, RB, SLOTS, SLOT_LAST, SLOT_ENTRY, R_TYPE, R_OUTCOME, R_STAN, R_AMOUNT, R_PAN_LEN, R_STATUS_MSG } from "../ui/receipt-data";
import { queue, Q_CLAIM, Q_ADD, Q_COPY, Q_PUMP, Q_DONE, Q_FAILED, Q_RETRY, Q_SKIP, JOB_MERCHANT, JOB_CARDHOLDER, JOB_SETTLEMENT, JOB_REVERSAL_SLIP, JOB_DECLINED } from "../ui/print-queue";
import {
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
  MENU_COUNT,
  QUERY_LINES,
  V_STATE,
  V_TXN,
  V_AMOUNT,
  V_DIGIT_LEN,
  V_PURPOSE,
  V_PIN_LEN,
  V_PAGE,
  V_STAGE,
  V_PREP,
  V_PIN_EARLY,
  V_COUNTDOWN,
  V_NOTICE_A,
  V_NOTICE_B,
  V_PAPER_MSG,
  V_SIGNED_IN,
  V_CHIP_IN,
  V_IS_CHIP,
  V_LCD_FAULT,
  V_TID_LEN,
  V_CLOCK,
  V_CARD_READY,
  V_FALLBACK,
  V_ORIG_DATE,
  V_CMD,
  V_STAGE_SEEN,
  V_RESULT_SEEN,
  V_SIDE_SEEN,
  V_COMPLETE_AT,
  V_DEADLINE,
  V_LAST_STAGE,
  V_DIRTY,
  V_NOTICE_UNTIL,
  V_RESULT_UNTIL,
  V_INPUT_UNTIL,
  V_SHOWN_MINUTE,
  V_PAPER_WANTED,
  V_PAPER_RETURN,
  V_NOW,
  V_LAST_WALL,
  V_RESULTS,
  V_CHINESE,
  V_COMPLETION_MS,
  V_NOTICE_MS,
  V_RESULT_MS,
  V_INPUT_MS,
  V_MAX_AMOUNT,
  V_CONNECT_MS,
  V_REPLY_MS,
  V_PRINT_DECLINED,
  V_Q_COUNT,
  V_SIZE,
  B_TID,
  B_DIGITS,
  B_REC,
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

export interface TerminalKeypad {
  scan(): number;
}

export interface TerminalMsr {
  /** Fills `out` from the last good swipe (true), or false with `out` untouched; null drops the swipe. */
  take(out: CardData | null): boolean;
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
  /** Trace -1: the newest entry (reprint last). */
  findByStan(stan: number, out: JournalEntry): boolean;
}

export interface TerminalOptions {
  clock: Clock;
  ring: EventRing;
  lcd: LcdFrame;
  keypad: TerminalKeypad;
  msr: TerminalMsr;
  icc: TerminalIcc;
  printer: TerminalPrinter;
  /** May come later (`terminal.engine = ...`, before the first tick): the engine takes the terminal as its listener. */
  engine?: TxnEngineApi | null;
  /** Read at construction; the terminal keeps what it needs of it, not the object. */
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

// act() actions
const A_GO = 0; // to state a: pages and typed digits reset, input timer restarted
const A_IDLE = 1; // back to idle: card and PIN wiped, the transaction forgotten
const A_ABORT = 2; // leave the flow with message a
const A_NOTICE = 3; // show messages a (and b, -1 none) on the bottom row(s) for a while
const A_START_AMOUNT = 4; // amount entry for transaction type a (sale, refund, balance)
const A_AMOUNT_KEY = 5; // key a on the amount
const A_AMOUNT_DONE = 6;
const A_TO_CARD = 7; // ask for the card, or go on with the one already swiped / inserted
const A_CHIP_READ = 8; // start the EMV read
const A_CARD_DONE = 9; // the card is read
const A_DIGITS_DONE = 10; // ENTER on a trace / RRN / date
const A_PIN_DONE = 11;
const A_START_VOID = 12; // the original is confirmed: ask for the card (ENTER goes on without it)
const A_MENU = 13; // menu key a
const A_COMMAND = 14; // hand command a (TXN_*) to the engine, with PIN block `blk`
const A_FINISH = 15; // the command's answer is in: show it, queue its receipts
const A_REPRINT = 16; // reprint the journal entry on screen: the slip matching its status
const A_LEAVE_PAPER = 17;
const A_LANGUAGE = 18; // menu 0: printer language English <-> Chinese (not the LCD: no Chinese glyphs)

export class Terminal implements EngineListener {
  /** Every number the terminal keeps (ui-model.ts V_*). */
  readonly v = new Float64Array(V_SIZE);
  /** Terminal id, typed digits, the print queue, scratch, the records' bytes (ui-model.ts B_*). */
  readonly b = new Uint8Array(B_REC + SLOTS * RB);
  /** Receipt records (receipt-data.ts): the last result, the journal entry on screen, the print pool. */
  readonly rec = new Float64Array(SLOTS * RW);
  /** PIN digits typed (ASCII), wiped once the PIN block is made or the flow ends. */
  readonly pin = new Uint8Array(12);
  /** Refund: the original's RRN (ASCII). */
  readonly rrn = new Uint8Array(12);
  /**
   * The transaction's card, wiped when the transaction ends: the chip reader's own record (it
   * writes it only at the end of a read the terminal starts, when no card is held: autoRead off),
   * and a swiped card is copied into it (the stripe reader's record is wiped at once).
   */
  readonly card: CardData;
  engine: TxnEngineApi;
  readonly clock: Clock;
  readonly ring: EventRing;
  readonly lcd: LcdFrame;
  readonly keypad: TerminalKeypad;
  readonly msr: TerminalMsr;
  readonly icc: TerminalIcc;
  readonly printer: TerminalPrinter;
  readonly journal: TerminalJournal | null;
  readonly link: { poll(): void } | null;
  readonly kick: (() => void) | null;
  readonly onLanguage: ((lang: string) => void) | null;
  /** Receipt header, from pos.cfg. */
  readonly merchant: string;
  readonly mid: string;
  readonly tid: string;
  readonly operator: string;

  constructor(o: TerminalOptions) {
    this.clock = o.clock;
    this.ring = o.ring;
    this.lcd = o.lcd;
    this.keypad = o.keypad;
    this.msr = o.msr;
    this.icc = o.icc;
    this.card = o.icc.card;
    this.printer = o.printer;
    this.engine = o.engine as TxnEngineApi;
    this.journal = o.journal || null;
    this.link = o.link || null;
    this.kick = o.kick || null;
    this.onLanguage = o.onLanguage || null;
    const cfg = o.config;
    this.merchant = cfg.merchantName;
    this.mid = cfg.mid;
    this.tid = cfg.tid;
    this.operator = cfg.operator;
    const v = this.v;
    v[V_COMPLETION_MS] = o.completionMs !== undefined ? o.completionMs : 300;
    v[V_NOTICE_MS] = o.noticeMs !== undefined ? o.noticeMs : 2000;
    v[V_RESULT_MS] = o.resultMs !== undefined ? o.resultMs : 30000;
    v[V_INPUT_MS] = o.inputMs !== undefined ? o.inputMs : 60000;
    v[V_MAX_AMOUNT] = cfg.maxAmount;
    v[V_CONNECT_MS] = cfg.connectMs;
    v[V_REPLY_MS] = cfg.replyMs;
    v[V_PRINT_DECLINED] = cfg.printDeclined ? 1 : 0;
    v[V_CHINESE] = cfg.lang === "zh" ? 1 : 0;
    v[V_STATE] = ST_IDLE;
    v[V_COUNTDOWN] = -1;
    v[V_NOTICE_A] = -1;
    v[V_NOTICE_B] = -1;
    v[V_SIGNED_IN] = 1;
    v[V_SHOWN_MINUTE] = -1;
    v[V_PAPER_RETURN] = ST_IDLE;
    v[V_DIRTY] = 1;
    const n = cfg.tid.length < 8 ? cfg.tid.length : 8;
    for (let i = 0; i < n; i++) this.b[B_TID + i] = cfg.tid.charCodeAt(i);
    v[V_TID_LEN] = n;
  }

  /** One pass of the loop. @hot */
  tick(): void {
    const v = this.v;
    const wall = this.clock.now();
    const dt = wall - v[V_LAST_WALL];
    if (v[V_LAST_WALL] !== 0 && dt > 0 && dt < MAX_STEP_MS) v[V_NOW] += dt;
    v[V_LAST_WALL] = wall;
    const now = v[V_NOW];
    this.keypad.scan();
    this.msr.tick(wall);
    this.icc.tick(wall);
    this.printer.tick(wall);
    if (this.link !== null) this.link.poll();
    this.engine.tick(wall);
    const ring = this.ring;
    while (ring.shift()) this.step(ring.kind, ring.a, ring.b);

    // act on what the engine reported since the last tick
    const s = v[V_STAGE_SEEN];
    if (s !== 0) {
      v[V_STAGE_SEEN] = 0;
      if (v[V_STATE] === ST_PROCESSING) {
        v[V_STAGE] = s;
        if (s === STAGE_CONNECTING) v[V_DEADLINE] = now + v[V_CONNECT_MS];
        else if (s === STAGE_SENDING || (s === STAGE_WAITING && v[V_LAST_STAGE] !== STAGE_SENDING)) v[V_DEADLINE] = now + v[V_REPLY_MS];
        else if (s === STAGE_COMPLETING) {
          v[V_DEADLINE] = 0;
          v[V_COUNTDOWN] = -1;
          v[V_COMPLETE_AT] = now + (v[V_IS_CHIP] ? v[V_COMPLETION_MS] : 0);
          if (v[V_COMPLETE_AT] === 0) v[V_COMPLETE_AT] = 1;
        } else if (s !== STAGE_WAITING) v[V_DEADLINE] = now + v[V_CONNECT_MS] + v[V_REPLY_MS];
        v[V_LAST_STAGE] = s;
        v[V_DIRTY] = 1;
      }
    }
    if (v[V_COMPLETE_AT] !== 0 && now >= v[V_COMPLETE_AT]) {
      v[V_COMPLETE_AT] = 0;
      // the card is still in: the completion step succeeded (a removal went to cardRemoved)
      if (!v[V_IS_CHIP] || this.icc.isPresent()) this.engine.complete();
    }
    if (v[V_RESULT_SEEN]) {
      v[V_RESULT_SEEN] = 0;
      v[V_SIDE_SEEN] = 0;
      if (v[V_STATE] === ST_PROCESSING) this.act(A_FINISH, now, 0, null);
    } else if (v[V_SIDE_SEEN] && v[V_STATE] === ST_PROCESSING && !this.engine.busy()) {
      v[V_SIDE_SEEN] = 0;
      this.act(A_FINISH, now, 0, null);
    }

    // timers
    const st = v[V_STATE];
    if (v[V_NOTICE_A] >= 0 && now >= v[V_NOTICE_UNTIL]) {
      v[V_NOTICE_A] = -1;
      v[V_NOTICE_B] = -1;
      v[V_DIRTY] = 1;
    }
    if (st === ST_PROCESSING && v[V_DEADLINE] > 0) {
      let secs = Math.ceil((v[V_DEADLINE] - now) / 1000);
      if (secs < 0) secs = 0;
      if (secs !== v[V_COUNTDOWN]) {
        v[V_COUNTDOWN] = secs;
        v[V_DIRTY] = 1;
      }
    } else if (st === ST_RESULT) {
      if (now >= v[V_RESULT_UNTIL]) this.act(A_IDLE, 0, 0, null);
    } else if (st === ST_IDLE) {
      const minute = Math.floor(wall / 60000);
      if (minute !== v[V_SHOWN_MINUTE]) {
        v[V_SHOWN_MINUTE] = minute;
        v[V_CLOCK] = stampOf(wall);
        v[V_DIRTY] = 1;
      }
      const signed = this.engine.signedIn() ? 1 : 0;
      if (signed !== v[V_SIGNED_IN]) {
        v[V_SIGNED_IN] = signed;
        v[V_DIRTY] = 1;
      }
    } else if (v[V_INPUT_UNTIL] > 0 && now >= v[V_INPUT_UNTIL] && ((st >= ST_MENU && st <= ST_PIN) || st === ST_QUERY)) {
      // an entry screen nobody answers
      if (st === ST_READING) this.icc.abort();
      this.act(A_ABORT, MSG_OUT_ABORTED, 0, null);
    }
    // (`st` as it was when the timers began, as before: a result timing out still goes by paper)
    if (v[V_PAPER_WANTED] && (st === ST_IDLE || st === ST_RESULT || st === ST_MENU || st === ST_QUERY)) {
      v[V_PAPER_WANTED] = 0;
      v[V_PAPER_RETURN] = st;
      v[V_STATE] = ST_PAPER;
      v[V_DIRTY] = 1;
    }

    if (v[V_Q_COUNT] > 0) queue(this, Q_PUMP, 0, 0, 0);
    // a sale's request, all but its PIN block, built BEFORE the PIN prompt is shown (~0.45 s on
    // a Pico, as long after the swipe): keys are only scanned between ticks, and a cardholder
    // typing into a busy terminal would lose digits
    if (v[V_PREP] < 0) v[V_PREP] = v[V_STATE] === ST_PIN ? this.engine.prepareSale(v[V_AMOUNT], this.card) : 0;
    if (v[V_DIRTY]) {
      v[V_DIRTY] = 0;
      paint(this);
    }
    this.lcd.flush();
    // six digits typed (a UnionPay PIN): their PIN block and the request's MAC now, once the
    // screen shows the last one, while the cardholder reaches for ENTER (~0.25 s on a Pico
    // that would otherwise follow it); another key makes it again at ENTER
    if (v[V_PIN_EARLY] < 0) v[V_PIN_EARLY] = v[V_STATE] === ST_PIN && v[V_PIN_LEN] === 6 && v[V_PREP] > 0 && this.engine.makePinBlock(this.pin, 6, this.card) !== null ? 1 : 0;
    if (this.kick !== null) this.kick();
  }

  /** @hot */
  onProgress(stage: number): void {
    this.v[V_STAGE_SEEN] = stage;
  }

  /** Copy the result at once: the engine refills it on its next command. @hot */
  onResult(r: TxnResult): void {
    const v = this.v;
    const now = this.clock.now();
    fillRecord(this, SLOT_LAST, FROM_RESULT, r, now);
    v[V_RESULTS]++;
    const o = r.outcome;
    // A reversal that ran out of tries: print its slip, whatever this result is about.
    if (r.slipReady || o === OUT_REVERSAL_FAILED) {
      const slot = queue(this, Q_CLAIM, 0, 0, 0);
      if (slot >= 0) {
        if (r.slipReady) fillRecord(this, slot, FROM_SLIP, r, now);
        else {
          fillRecord(this, slot, FROM_SLOT, null, SLOT_LAST); // an engine without the slip fields: the result's own
          this.rec[slot * RW + R_TYPE] = TXN_REVERSAL;
        }
        queue(this, Q_ADD, JOB_REVERSAL_SLIP, slot, 0);
      }
    }
    // A reversal settled on the way to another transaction is news, not the answer.
    if ((o === OUT_REVERSAL_FAILED || o === OUT_REVERSED) && v[V_CMD] !== TXN_REVERSAL) v[V_SIDE_SEEN] = 1;
    else v[V_RESULT_SEEN] = 1;
  }

  /** One event from the ring (EV_*). @hot */
  step(kind: number, a: number, b: number): void {
    const v = this.v;
    const st = v[V_STATE];
    if (kind === EV_KEY) {
      if (b !== 0) return; // repeats of a held key are ignored
      const k = a;
      v[V_INPUT_UNTIL] = v[V_NOW] + v[V_INPUT_MS];
      const digit = k >= KEY_0 && k <= KEY_9;
      if (st === ST_IDLE) {
        if (k === KEY_F1) this.act(A_GO, ST_MENU, 0, null);
        else if (digit) {
          this.act(A_START_AMOUNT, TXN_SALE, 0, null);
          this.act(A_AMOUNT_KEY, k, 0, null);
        }
      } else if (st === ST_MENU || st === ST_QUERY) {
        const rows = this.lcd.rows;
        const pages = Math.floor(((st === ST_MENU ? MENU_COUNT : QUERY_LINES) + rows - 1) / rows);
        if (digit && st === ST_MENU) this.act(A_MENU, k, 0, null);
        else if (k === KEY_F1 || (k === KEY_ENTER && st === ST_MENU)) v[V_PAGE] = (v[V_PAGE] + 1) % pages;
        else if (k === KEY_CLEAR) v[V_PAGE] = (v[V_PAGE] + pages - 1) % pages;
        else if (k === KEY_ENTER) this.act(A_REPRINT, 0, 0, null);
        else if (k === KEY_CANCEL) this.act(A_IDLE, 0, 0, null);
      } else if (st === ST_AMOUNT) {
        if (digit || k === KEY_CLEAR) this.act(A_AMOUNT_KEY, k, 0, null);
        else if (k === KEY_CANCEL) this.act(A_ABORT, MSG_OUT_ABORTED, 0, null);
        else if (k === KEY_ENTER) this.act(A_AMOUNT_DONE, 0, 0, null);
      } else if (st === ST_TRACE || st === ST_RRN || st === ST_DATE) {
        const max = st === ST_TRACE ? TRACE_DIGITS : st === ST_RRN ? RRN_DIGITS : DATE_DIGITS;
        if (digit && v[V_DIGIT_LEN] < max) this.b[B_DIGITS + v[V_DIGIT_LEN]++] = k;
        else if (k === KEY_CLEAR && v[V_DIGIT_LEN] > 0) v[V_DIGIT_LEN]--;
        else if (k === KEY_CANCEL) this.act(A_ABORT, MSG_OUT_ABORTED, 0, null);
        else if (k === KEY_ENTER) this.act(A_DIGITS_DONE, 0, 0, null);
      } else if (st === ST_CONFIRM) {
        if (k === KEY_ENTER) this.act(A_START_VOID, 0, 0, null);
        else if (k === KEY_CANCEL) this.act(A_ABORT, MSG_OUT_ABORTED, 0, null);
      } else if (st === ST_CARD || st === ST_READING) {
        if (k === KEY_ENTER && st === ST_CARD && v[V_TXN] === TXN_VOID) this.act(A_COMMAND, TXN_VOID, 0, null);
        else if (k === KEY_CANCEL) {
          if (st === ST_READING) this.icc.abort();
          this.act(A_ABORT, MSG_OUT_ABORTED, 0, null);
        }
      } else if (st === ST_PIN) {
        if (digit && v[V_PIN_LEN] < 12) {
          this.pin[v[V_PIN_LEN]++] = k;
          v[V_PIN_EARLY] = v[V_PIN_LEN] === 6 && v[V_PREP] > 0 ? -1 : 0;
        } else if (k === KEY_CLEAR) {
          // clears the whole PIN, as PIN pads do
          this.pin.fill(0);
          v[V_PIN_LEN] = 0;
          v[V_PIN_EARLY] = 0;
        } else if (k === KEY_CANCEL) this.act(A_ABORT, MSG_OUT_ABORTED, 0, null);
        else if (k === KEY_ENTER) this.act(A_PIN_DONE, 0, 0, null);
      } else if (st === ST_PROCESSING) {
        if (k === KEY_CANCEL) this.engine.cancel();
      } else if (st === ST_RESULT) {
        if (k === KEY_ENTER || k === KEY_CANCEL) this.act(A_IDLE, 0, 0, null);
      } else if (st === ST_PAPER) {
        if (k === KEY_ENTER || k === KEY_CANCEL) {
          queue(this, k === KEY_ENTER ? Q_RETRY : Q_SKIP, 0, 0, 0);
          this.act(A_LEAVE_PAPER, 0, 0, null);
        }
      }
      v[V_DIRTY] = 1;
    } else if (kind === EV_CARD_SWIPED) {
      const takes = st === ST_IDLE || st === ST_AMOUNT || st === ST_CARD;
      if (takes && a === MSR_SWIPE_CHIP && !v[V_FALLBACK]) this.act(A_NOTICE, MSG_UI_USE_CHIP, -1, null);
      else if (takes && !v[V_IS_CHIP] && this.msr.take(this.card)) {
        v[V_CARD_READY] = 1;
        if (st === ST_IDLE) this.act(A_START_AMOUNT, TXN_SALE, 0, null);
        else if (st === ST_CARD) this.act(A_CARD_DONE, 0, 0, null);
      }
      this.msr.take(null); // the reader's copy goes at once, used or not
    } else if (kind === EV_CARD_READ_ERROR) {
      if (st === ST_IDLE || st === ST_AMOUNT || st === ST_CARD) this.act(A_NOTICE, MSG_UI_READ_ERROR, MSG_UI_SWIPE_AGAIN, null);
    } else if (kind === EV_CARD_INSERTED) {
      v[V_CHIP_IN] = 1;
      v[V_DIRTY] = 1;
      if (v[V_CARD_READY]) return; // a swiped card is already in use
      if (st === ST_IDLE || st === ST_AMOUNT || st === ST_CARD) v[V_IS_CHIP] = 1;
      if (st === ST_IDLE) this.act(A_START_AMOUNT, TXN_SALE, 0, null);
      else if (st === ST_CARD) this.act(A_CHIP_READ, 0, 0, null);
    } else if (kind === EV_CARD_REMOVED) {
      v[V_CHIP_IN] = 0;
      v[V_DIRTY] = 1;
      if (!v[V_IS_CHIP]) return;
      if (st === ST_PROCESSING) {
        v[V_COMPLETE_AT] = 0;
        this.engine.cardRemoved();
      } else if (st === ST_AMOUNT || st === ST_READING || st === ST_PIN || st === ST_CARD || st === ST_TRACE || st === ST_RRN || st === ST_DATE) {
        this.act(A_ABORT, MSG_OUT_CARD_REMOVED, 0, null);
      }
    } else if (kind === EV_CHIP_READ) {
      // the chip reader filled this.card
      if (st === ST_READING) {
        v[V_CARD_READY] = 1;
        v[V_IS_CHIP] = 1;
        this.act(A_CARD_DONE, 0, 0, null);
      } else this.card.wipe(); // a read that finished after all (cancelled): its data goes
    } else if (kind === EV_CHIP_ERROR || kind === EV_READER_FAULT) {
      if (st !== ST_READING) return;
      if (kind === EV_CHIP_ERROR && a === ICC_ERR_DECLINED) {
        this.act(A_ABORT, MSG_UI_CARD_DECLINED, 0, null);
        v[V_NOTICE_B] = MSG_UI_REMOVE_CARD;
        return;
      }
      // after a chip error the stripe of this card may be used (fallback)
      if (kind === EV_CHIP_ERROR) v[V_FALLBACK] = 1;
      v[V_IS_CHIP] = 0;
      v[V_STATE] = ST_CARD;
      if (kind === EV_CHIP_ERROR) this.act(A_NOTICE, MSG_UI_CHIP_ERROR, MSG_UI_REMOVE_CARD, null);
      else this.act(A_NOTICE, MSG_UI_READER_FAULT, -1, null);
    } else if (kind === EV_PRINT_DONE) queue(this, Q_DONE, a, 0, 0);
    else if (kind === EV_PRINT_FAILED) {
      if (!queue(this, Q_FAILED, a, b, 0)) return;
      v[V_PAPER_MSG] = b === PRN_ERR_PAPER_OUT ? MSG_UI_LOAD_PAPER : MSG_UI_PRINTER_FAULT;
      v[V_PAPER_WANTED] = 1;
    } else if (kind === EV_LCD_FAULT) v[V_LCD_FAULT] = 1;
    else if (kind === EV_LCD_OK) v[V_LCD_FAULT] = 0;
  }

  /** One flow action (A_*). @hot */
  act(what: number, a: number, b: number, blk: Uint8Array | null): void {
    const v = this.v;
    const e = this.engine;
    const R = this.rec;
    const oe = SLOT_ENTRY * RW;
    if (what === A_GO) {
      v[V_STATE] = a;
      v[V_PAGE] = 0;
      v[V_DIGIT_LEN] = 0;
      v[V_INPUT_UNTIL] = v[V_NOW] + v[V_INPUT_MS];
      v[V_DIRTY] = 1;
    } else if (what === A_IDLE || what === A_ABORT) {
      if (v[V_PREP] > 0) e.prepareSale(0, null); // the prepared request had the card's digits
      v[V_PREP] = 0;
      this.card.wipe();
      v[V_CARD_READY] = 0;
      v[V_FALLBACK] = 0;
      v[V_IS_CHIP] = 0;
      this.pin.fill(0);
      v[V_PIN_LEN] = 0;
      v[V_PIN_EARLY] = 0;
      v[V_TXN] = 0;
      v[V_AMOUNT] = 0;
      v[V_PURPOSE] = 0;
      v[V_STAGE] = 0;
      v[V_COUNTDOWN] = -1;
      v[V_SHOWN_MINUTE] = -1;
      this.act(A_GO, ST_IDLE, 0, null);
      if (what === A_ABORT) this.act(A_NOTICE, a, -1, null);
    } else if (what === A_NOTICE) {
      v[V_NOTICE_A] = a;
      v[V_NOTICE_B] = b;
      v[V_NOTICE_UNTIL] = v[V_NOW] + v[V_NOTICE_MS];
      v[V_DIRTY] = 1;
    } else if (what === A_START_AMOUNT) {
      if ((a === TXN_SALE || a === TXN_BALANCE) && !e.signedIn()) {
        this.act(A_ABORT, MSG_OUT_NOT_SIGNED_IN, 0, null);
        v[V_NOTICE_B] = MSG_ACT_SIGN_IN;
        return;
      }
      this.act(A_GO, ST_AMOUNT, 0, null);
      v[V_TXN] = a;
      v[V_AMOUNT] = 0;
    } else if (what === A_AMOUNT_KEY) {
      if (a === KEY_CLEAR) v[V_AMOUNT] = Math.floor(v[V_AMOUNT] / 10);
      else if (v[V_AMOUNT] < 100000000000) v[V_AMOUNT] = v[V_AMOUNT] * 10 + (a - C_0); // 12 digits at most
      v[V_DIRTY] = 1;
    } else if (what === A_AMOUNT_DONE) {
      const amount = v[V_AMOUNT];
      if (amount <= 0) this.act(A_NOTICE, MSG_UI_AMOUNT_ZERO, -1, null);
      else if (amount > v[V_MAX_AMOUNT]) this.act(A_NOTICE, MSG_UI_OVER_LIMIT, -1, null);
      else if (v[V_TXN] === TXN_REFUND) this.act(A_GO, ST_RRN, 0, null);
      else this.act(A_TO_CARD, 0, 0, null);
    } else if (what === A_TO_CARD) {
      if (v[V_CARD_READY]) this.act(A_CARD_DONE, 0, 0, null);
      else if (v[V_CHIP_IN]) {
        v[V_IS_CHIP] = 1;
        this.act(A_CHIP_READ, 0, 0, null);
      } else this.act(A_GO, ST_CARD, 0, null);
    } else if (what === A_CHIP_READ) {
      const t = v[V_TXN];
      this.icc.setTransaction(v[V_AMOUNT], t === TXN_REFUND ? EMV_REFUND : t === TXN_BALANCE ? EMV_INQUIRY : EMV_SALE);
      if (this.icc.read()) this.act(A_GO, ST_READING, 0, null);
      else {
        v[V_IS_CHIP] = 0;
        this.act(A_GO, ST_CARD, 0, null);
        this.act(A_NOTICE, MSG_UI_CHIP_ERROR, MSG_UI_REMOVE_CARD, null);
      }
    } else if (what === A_CARD_DONE) {
      const t = v[V_TXN];
      if (t === TXN_REFUND || t === TXN_VOID) this.act(A_COMMAND, t, 0, null);
      else {
        this.act(A_GO, ST_PIN, 0, null);
        v[V_PIN_LEN] = 0;
        v[V_PIN_EARLY] = 0;
        v[V_PREP] = t === TXN_SALE ? -1 : 0;
      }
    } else if (what === A_DIGITS_DONE) {
      const st = v[V_STATE];
      const d = this.b;
      const len = v[V_DIGIT_LEN];
      if (st === ST_RRN) {
        if (len !== RRN_DIGITS) this.act(A_NOTICE, MSG_UI_NEED_12, -1, null);
        else {
          for (let i = 0; i < RRN_DIGITS; i++) this.rrn[i] = d[B_DIGITS + i];
          this.act(A_GO, ST_DATE, 0, null);
        }
        return;
      }
      if (st === ST_DATE) {
        const mm = (d[B_DIGITS] - C_0) * 10 + (d[B_DIGITS + 1] - C_0);
        const dd = (d[B_DIGITS + 2] - C_0) * 10 + (d[B_DIGITS + 3] - C_0);
        if (len !== DATE_DIGITS || mm < 1 || mm > 12 || dd < 1 || dd > 31) {
          v[V_DIGIT_LEN] = 0;
          this.act(A_NOTICE, MSG_UI_BAD_DATE, -1, null);
          return;
        }
        v[V_ORIG_DATE] = mm * 100 + dd;
        v[V_STATE] = ST_CARD; // keep the type and the amount
        this.act(A_TO_CARD, 0, 0, null);
        return;
      }
      let trace = 0;
      for (let i = 0; i < len; i++) trace = trace * 10 + (d[B_DIGITS + i] - C_0);
      if (trace === 0) return;
      const found = journalRecord(this, trace);
      const p = v[V_PURPOSE];
      if (p === FOR_VOID && !(this.journal !== null && !found)) {
        if (!found) {
          R[oe + R_STAN] = trace;
          R[oe + R_AMOUNT] = 0;
          R[oe + R_PAN_LEN] = 0;
        }
        this.act(A_GO, ST_CONFIRM, 0, null);
      } else if (!found) {
        v[V_DIGIT_LEN] = 0;
        this.act(A_NOTICE, MSG_OUT_NOT_FOUND, -1, null);
      } else if (p === FOR_QUERY) this.act(A_GO, ST_QUERY, 0, null);
      else {
        this.act(A_REPRINT, 0, 0, null);
        this.act(A_IDLE, 0, 0, null);
        this.act(A_NOTICE, MSG_UI_PRINTING, -1, null);
      }
    } else if (what === A_PIN_DONE) {
      if (v[V_PIN_LEN] < 4) {
        this.act(A_NOTICE, MSG_UI_PIN_LENGTH, -1, null);
        return;
      }
      // the block made as the sixth digit was typed, if it is still the PIN typed
      let block = v[V_PIN_EARLY] === 1 ? e.makePinBlock(this.pin, 0, this.card) : null;
      if (block === null) block = e.makePinBlock(this.pin, v[V_PIN_LEN], this.card);
      this.pin.fill(0);
      v[V_PIN_LEN] = 0;
      v[V_PIN_EARLY] = 0;
      if (block === null) {
        this.act(A_ABORT, MSG_UI_PIN_ERROR, 0, null);
        if (!e.signedIn()) v[V_NOTICE_B] = MSG_ACT_SIGN_IN;
      } else this.act(A_COMMAND, v[V_TXN], 0, block);
    } else if (what === A_START_VOID) {
      v[V_AMOUNT] = R[oe + R_AMOUNT];
      v[V_TXN] = TXN_VOID;
      this.act(A_TO_CARD, 0, 0, null);
    } else if (what === A_MENU) {
      const item = a === KEY_0 ? 10 : a - C_0;
      if (item === 1 || item === 3) this.act(A_START_AMOUNT, item === 1 ? TXN_SALE : TXN_REFUND, 0, null);
      else if (item === 2 || item === 7 || item === 8) {
        this.act(A_GO, ST_TRACE, 0, null);
        v[V_PURPOSE] = item === 2 ? FOR_VOID : item === 7 ? FOR_REPRINT : FOR_QUERY;
        v[V_TXN] = item === 2 ? TXN_VOID : 0;
      } else if (item === 4) {
        this.act(A_START_AMOUNT, TXN_BALANCE, 0, null);
        if (v[V_STATE] === ST_AMOUNT) this.act(A_TO_CARD, 0, 0, null);
      } else if (item === 5 || item === 9) {
        v[V_AMOUNT] = 0;
        this.act(A_COMMAND, item === 5 ? TXN_SETTLE : TXN_SIGN_IN, 0, null);
      } else if (item === 6) {
        if (journalRecord(this, 0)) {
          this.act(A_REPRINT, 0, 0, null);
          this.act(A_IDLE, 0, 0, null);
          this.act(A_NOTICE, MSG_UI_PRINTING, -1, null);
        } else this.act(A_NOTICE, MSG_UI_NO_TXN, -1, null);
      } else if (item === 10) this.act(A_LANGUAGE, 0, 0, null);
    } else if (what === A_COMMAND) {
      // the screen shows the command's progress; a command refused at once (false) leaves its
      // answer in engine.result
      const amount = v[V_AMOUNT];
      this.act(A_GO, ST_PROCESSING, 0, null);
      v[V_TXN] = a;
      v[V_STAGE] = 0;
      v[V_COUNTDOWN] = -1;
      v[V_CMD] = a;
      v[V_RESULT_SEEN] = 0;
      v[V_SIDE_SEEN] = 0;
      v[V_DEADLINE] = 0;
      v[V_LAST_STAGE] = 0;
      let ok = false;
      const prepared = v[V_PREP] > 0 ? v[V_PREP] : 0;
      v[V_PREP] = 0;
      if (a === TXN_SALE) ok = e.sale(amount, this.card, blk, prepared);
      else if (a === TXN_BALANCE) ok = e.balance(this.card, blk);
      else if (a === TXN_REFUND) ok = e.refund(amount, this.card, this.rrn, v[V_ORIG_DATE]);
      else if (a === TXN_VOID) ok = e.voidSale(R[oe + R_STAN], v[V_CARD_READY] ? this.card : null, null);
      else if (a === TXN_SETTLE) ok = e.settle();
      else if (a === TXN_SIGN_IN) ok = e.signIn();
      else if (a === TXN_REVERSAL) ok = e.sendReversal();
      // the engine took its own copy (or refused): the card data goes now, not at the result
      this.card.wipe();
      v[V_CARD_READY] = 0;
      if (!ok && !v[V_RESULT_SEEN]) this.onResult(e.result);
      if (!ok) v[V_RESULT_SEEN] = 1;
    } else if (what === A_FINISH) {
      v[V_CMD] = 0;
      v[V_COMPLETE_AT] = 0;
      v[V_DEADLINE] = 0;
      // the card data goes; the chip flag stays until idle so the result can say "remove card"
      this.card.wipe();
      v[V_CARD_READY] = 0;
      v[V_FALLBACK] = 0;
      v[V_STAGE] = 0;
      v[V_COUNTDOWN] = -1;
      v[V_STATE] = ST_RESULT;
      v[V_RESULT_UNTIL] = a + v[V_RESULT_MS];
      v[V_DIRTY] = 1;
      const o = R[R_OUTCOME];
      const t = R[R_TYPE];
      if (o === OUT_APPROVED && (t === TXN_SALE || t === TXN_VOID || t === TXN_REFUND)) {
        // both copies print from one snapshot
        queue(this, Q_ADD, JOB_CARDHOLDER, queue(this, Q_COPY, JOB_MERCHANT, SLOT_LAST, 0), 0);
      } else if (o === OUT_SETTLED) queue(this, Q_COPY, JOB_SETTLEMENT, SLOT_LAST, 0);
      else if (o === OUT_DECLINED && v[V_PRINT_DECLINED]) queue(this, Q_COPY, JOB_DECLINED, SLOT_LAST, 0);
    } else if (what === A_REPRINT) {
      const s = R[oe + R_STATUS_MSG];
      if (s === MSG_RC_00 || s === MSG_UI_VOIDED || s === MSG_OUT_SETTLED) queue(this, Q_COPY, JOB_MERCHANT, SLOT_ENTRY, 1);
      else if (s === MSG_UI_REV_FAILED) queue(this, Q_COPY, JOB_REVERSAL_SLIP, SLOT_ENTRY, 1);
      else if (s === MSG_RC_OTHER) queue(this, Q_COPY, JOB_DECLINED, SLOT_ENTRY, 1);
      else this.act(A_NOTICE, s, -1, null); // reversed / reversal pending: there is no slip to reprint
    } else if (what === A_LEAVE_PAPER) {
      v[V_STATE] = v[V_PAPER_RETURN];
      if (v[V_PAPER_RETURN] === ST_RESULT) v[V_RESULT_UNTIL] = v[V_NOW] + v[V_RESULT_MS];
      v[V_DIRTY] = 1;
    } else if (what === A_LANGUAGE) {
      const zh = v[V_CHINESE] ? 0 : 1;
      v[V_CHINESE] = zh;
      this.act(A_NOTICE, zh ? MSG_UI_LANG_ZH : MSG_UI_LANG_EN, -1, null);
      if (this.onLanguage !== null) this.onLanguage(zh ? "zh" : "en");
    }
  }
}
