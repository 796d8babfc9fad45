/**
 * The screens, for 16x2 and 20x4 (any display of 2 rows gets the compact layout, 4 rows the
 * full one). `paint()` redraws the whole Screen buffer from the UiModel; the Screen then hands
 * only the changed cells to the LCD. Text comes from the catalogue (English: the HD44780 has no
 * Chinese glyphs), numbers are formatted in place: painting allocates nothing.
 */
import type { Screen } from "./screen";
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
} from "./ui-model";
import type { ReceiptData } from "./receipt-data";
import { putDate, putMonthDay, putTime, moneyLen } from "./format";
import {
  TXN_SALE,
  TXN_VOID,
  TXN_REFUND,
  TXN_BALANCE,
  TXN_SETTLE,
  TXN_SIGN_IN,
  OUT_APPROVED,
  OUT_DECLINED,
  OUT_NO_RESPONSE,
  OUT_MAC_FAILED,
  OUT_CARD_REMOVED,
  OUT_ABORTED,
  OUT_REVERSED,
  OUT_REVERSAL_FAILED,
  OUT_REVERSAL_PENDING,
  OUT_STORAGE_ERROR,
  OUT_JOURNAL_FULL,
  OUT_NOT_FOUND,
  OUT_BUSY,
  OUT_SETTLED,
  OUT_SETTLE_FAILED,
  OUT_SIGNED_IN,
  OUT_KEY_ERROR,
  OUT_NOT_SIGNED_IN,
  OUT_ERROR,
  CLS_RETRY_LATER,
  CLS_DO_NOT_RETRY,
  CLS_CALL_ISSUER,
  CLS_REENTER_PIN,
  CLS_REENTER_AMOUNT,
  CLS_SIGN_IN_AGAIN,
  CLS_SYSTEM,
  STAGE_SIGNING_IN,
  STAGE_REVERSING,
  STAGE_CONNECTING,
  STAGE_SENDING,
  STAGE_WAITING,
  STAGE_SETTLING,
  STAGE_UPLOADING,
  STAGE_COMPLETING,
} from "../txn/engine-api";
import {
  MSG_SALE,
  MSG_AMOUNT,
  MSG_AUTH_CODE,
  MSG_TRACE_NO,
  MSG_RC_00,
  MSG_RC_OTHER,
  MSG_RC_A0,
  MSG_ACT_RETRY_LATER,
  MSG_ACT_OTHER_CARD,
  MSG_ACT_CALL_ISSUER,
  MSG_ACT_REENTER_PIN,
  MSG_ACT_REENTER_AMOUNT,
  MSG_ACT_SIGN_IN,
  MSG_ACT_CALL_SUPPORT,
  MSG_ACT_KEEP_CARD,
  MSG_ACT_SETTLE_FIRST,
  MSG_OUT_NO_RESPONSE,
  MSG_OUT_WILL_REVERSE,
  MSG_OUT_CARD_REMOVED,
  MSG_OUT_ABORTED,
  MSG_OUT_REVERSED,
  MSG_OUT_REVERSAL_PENDING,
  MSG_OUT_STORAGE_ERROR,
  MSG_OUT_JOURNAL_FULL,
  MSG_OUT_NOT_FOUND,
  MSG_OUT_BUSY,
  MSG_OUT_SETTLED,
  MSG_OUT_SETTLE_FAILED,
  MSG_OUT_SIGNED_IN,
  MSG_OUT_KEY_ERROR,
  MSG_OUT_NOT_SIGNED_IN,
  MSG_UI_SWIPE_INSERT_F1,
  MSG_UI_CARD_OR_F1,
  MSG_UI_TID,
  MSG_UI_NOT_SIGNED_IN,
  MSG_UI_VOID,
  MSG_UI_REFUND,
  MSG_UI_BALANCE,
  MSG_UI_SETTLEMENT,
  MSG_UI_REPRINT_LAST,
  MSG_UI_REPRINT_TRACE,
  MSG_UI_QUERY,
  MSG_UI_SIGN_IN,
  MSG_UI_LANGUAGE,
  MSG_UI_ENTER_AMOUNT,
  MSG_UI_SWIPE_INSERT,
  MSG_UI_READING,
  MSG_UI_DONT_REMOVE,
  MSG_UI_REMOVE_CARD,
  MSG_UI_ENTER_PIN,
  MSG_UI_CONNECTING,
  MSG_UI_SENDING,
  MSG_UI_WAITING,
  MSG_UI_REVERSING,
  MSG_UI_SIGNING_IN,
  MSG_UI_SETTLING,
  MSG_UI_UPLOADING,
  MSG_UI_COMPLETING,
  MSG_UI_PLEASE_WAIT,
  MSG_UI_ENTER_TRACE,
  MSG_UI_ENTER_RRN,
  MSG_UI_ENTER_DATE,
  MSG_UI_ENTER_CONFIRM,
  MSG_UI_ENTER_REPRINT,
  MSG_UI_REV_FAILED,
  MSG_UI_DEBIT,
  MSG_UI_CREDIT,
  MSG_UI_BALANCED,
  MSG_UI_NOT_BALANCED,
  MSG_UI_RRN,
  MSG_UI_CALL_ACQUIRER,
  MSG_UI_TXN_ERROR,
  MSG_UI_ENTER_NO_CARD,
} from "./messages.gen";

/** Menu entries, in key order 1..9, 0. */
export const MENU_ITEMS = [
  MSG_SALE,
  MSG_UI_VOID,
  MSG_UI_REFUND,
  MSG_UI_BALANCE,
  MSG_UI_SETTLEMENT,
  MSG_UI_REPRINT_LAST,
  MSG_UI_REPRINT_TRACE,
  MSG_UI_QUERY,
  MSG_UI_SIGN_IN,
  MSG_UI_LANGUAGE,
];
export const MENU_COUNT = 10;
/** Lines of the query view (paged by the display's rows). */
export const QUERY_LINES = 7;

const C_STAR = 42;
const C_SPACE = 32;
const C_0 = 48;
const GLYPH_CHECK = 1; // LCD CGRAM slot: check mark

/** @hot */
export function menuPages(rows: number): number {
  return Math.floor((MENU_COUNT + rows - 1) / rows);
}

/** @hot */
export function queryPages(rows: number): number {
  return Math.floor((QUERY_LINES + rows - 1) / rows);
}

/** What to say happened, for a result. @hot */
export function outcomeMsg(d: ReceiptData): number {
  const o = d.outcome;
  if (o === OUT_REVERSAL_FAILED) return MSG_UI_REV_FAILED; // the catalogue's slip title is 30 wide
  if (d.msgId > 0) return d.msgId;
  if (o === OUT_APPROVED) return MSG_RC_00;
  if (o === OUT_NO_RESPONSE) return MSG_OUT_NO_RESPONSE;
  if (o === OUT_MAC_FAILED) return MSG_RC_A0;
  if (o === OUT_CARD_REMOVED) return MSG_OUT_CARD_REMOVED;
  if (o === OUT_ABORTED) return MSG_OUT_ABORTED;
  if (o === OUT_REVERSED) return MSG_OUT_REVERSED;
  if (o === OUT_REVERSAL_FAILED) return MSG_UI_REV_FAILED;
  if (o === OUT_REVERSAL_PENDING) return MSG_OUT_REVERSAL_PENDING;
  if (o === OUT_STORAGE_ERROR) return MSG_OUT_STORAGE_ERROR;
  if (o === OUT_JOURNAL_FULL) return MSG_OUT_JOURNAL_FULL;
  if (o === OUT_NOT_FOUND) return MSG_OUT_NOT_FOUND;
  if (o === OUT_BUSY) return MSG_OUT_BUSY;
  if (o === OUT_SETTLED) return MSG_OUT_SETTLED;
  if (o === OUT_SETTLE_FAILED) return MSG_OUT_SETTLE_FAILED;
  if (o === OUT_SIGNED_IN) return MSG_OUT_SIGNED_IN;
  if (o === OUT_KEY_ERROR) return MSG_OUT_KEY_ERROR;
  if (o === OUT_NOT_SIGNED_IN) return MSG_OUT_NOT_SIGNED_IN;
  if (o === OUT_ERROR) return MSG_UI_TXN_ERROR;
  return MSG_RC_OTHER;
}

/** What the operator should do, for a result; -1 for nothing. @hot */
export function actionMsg(d: ReceiptData): number {
  const o = d.outcome;
  if (o === OUT_APPROVED || o === OUT_SETTLED || o === OUT_SIGNED_IN || o === OUT_ABORTED || o === OUT_REVERSED) return -1;
  if (o === OUT_NO_RESPONSE || o === OUT_CARD_REMOVED) {
    if (d.reversalPending) return MSG_OUT_WILL_REVERSE;
    // A sale / void that left the terminal (it has a trace) and has nothing pending any more was
    // reversed at once by the engine. No trace: nothing was sent (e.g. the host refused the
    // connection), so there is nothing to reverse and the merchant should simply retry.
    if (d.stan !== 0 && (d.type === TXN_SALE || d.type === TXN_VOID)) return MSG_OUT_REVERSED;
    return o === OUT_NO_RESPONSE ? MSG_ACT_RETRY_LATER : -1;
  }
  if (o === OUT_REVERSAL_FAILED) return MSG_UI_CALL_ACQUIRER;
  if (o === OUT_JOURNAL_FULL) return MSG_ACT_SETTLE_FIRST;
  if (o === OUT_NOT_SIGNED_IN || o === OUT_KEY_ERROR) return MSG_ACT_SIGN_IN;
  // lost / stolen: keep the card
  if (d.rc0 === 0x34 && (d.rc1 === 0x31 || d.rc1 === 0x33)) return MSG_ACT_KEEP_CARD;
  const c = d.cls;
  if (c === CLS_RETRY_LATER) return MSG_ACT_RETRY_LATER;
  if (c === CLS_DO_NOT_RETRY) return MSG_ACT_OTHER_CARD;
  if (c === CLS_CALL_ISSUER) return MSG_ACT_CALL_ISSUER;
  if (c === CLS_REENTER_PIN) return MSG_ACT_REENTER_PIN;
  if (c === CLS_REENTER_AMOUNT) return MSG_ACT_REENTER_AMOUNT;
  if (c === CLS_SIGN_IN_AGAIN) return MSG_ACT_SIGN_IN;
  if (c === CLS_SYSTEM) return MSG_ACT_CALL_SUPPORT;
  if (o === OUT_MAC_FAILED) return MSG_ACT_SIGN_IN;
  if (o === OUT_REVERSAL_PENDING || o === OUT_BUSY || o === OUT_SETTLE_FAILED) return MSG_ACT_RETRY_LATER;
  if (o === OUT_STORAGE_ERROR || o === OUT_ERROR) return MSG_ACT_CALL_SUPPORT;
  return -1;
}

/** @hot */
export function stageMsg(stage: number): number {
  if (stage === STAGE_SIGNING_IN) return MSG_UI_SIGNING_IN;
  if (stage === STAGE_REVERSING) return MSG_UI_REVERSING;
  if (stage === STAGE_SENDING) return MSG_UI_SENDING;
  if (stage === STAGE_WAITING) return MSG_UI_WAITING;
  if (stage === STAGE_SETTLING) return MSG_UI_SETTLING;
  if (stage === STAGE_UPLOADING) return MSG_UI_UPLOADING;
  if (stage === STAGE_COMPLETING) return MSG_UI_COMPLETING;
  if (stage === STAGE_CONNECTING) return MSG_UI_CONNECTING;
  return MSG_UI_PLEASE_WAIT;
}

/** Message naming a transaction type being set up. @hot */
export function txnMsg(type: number): number {
  if (type === TXN_VOID) return MSG_UI_VOID;
  if (type === TXN_REFUND) return MSG_UI_REFUND;
  if (type === TXN_BALANCE) return MSG_UI_BALANCE;
  if (type === TXN_SETTLE) return MSG_UI_SETTLEMENT;
  if (type === TXN_SIGN_IN) return MSG_UI_SIGN_IN;
  return MSG_SALE;
}

export class Painter {
  private readonly buf = new Uint8Array(24);

  /** Redraw everything for the model's state. @hot */
  paint(m: UiModel, s: Screen): void {
    s.clear();
    const big = s.rows >= 4;
    const st = m.state;
    if (st === ST_IDLE) this.idle(m, s, big);
    else if (st === ST_MENU) this.menu(m, s);
    else if (st === ST_AMOUNT) this.amount(m, s, big);
    else if (st === ST_TRACE || st === ST_RRN || st === ST_DATE) this.digits(m, s, big);
    else if (st === ST_CONFIRM) this.confirm(m, s, big);
    else if (st === ST_CARD) this.card(m, s, big);
    else if (st === ST_READING) this.reading(m, s, big);
    else if (st === ST_PIN) this.pin(m, s, big);
    else if (st === ST_PROCESSING) this.processing(m, s, big);
    else if (st === ST_RESULT) this.result(m, s, big);
    else if (st === ST_QUERY) this.query(m, s);
    else if (st === ST_PAPER) this.paper(m, s);
    if (m.noticeA >= 0) {
      const last = s.rows - 1;
      if (m.noticeB >= 0 && s.rows >= 2) {
        s.clearRow(last - 1);
        s.clearRow(last);
        s.msg(last - 1, 0, m.noticeA);
        s.msg(last, 0, m.noticeB);
      } else {
        s.clearRow(last);
        s.msg(last, 0, m.noticeA);
      }
    }
  }

  /** @hot */
  private idle(m: UiModel, s: Screen, big: boolean): void {
    const b = this.buf;
    const t = putTime(b, 0, m.clock, false);
    if (big) {
      const d = putDate(b, 8, m.clock);
      s.bytes(0, 0, b, 8, d - 8);
      s.bytesRight(0, b, 0, t, 0);
      const c = s.msg(1, 0, MSG_UI_TID);
      s.bytes(1, c + 1, m.tid, 0, m.tidLen);
      s.msg(2, 0, MSG_UI_SWIPE_INSERT_F1);
      if (!m.signedIn) s.msg(3, 0, MSG_UI_NOT_SIGNED_IN);
    } else {
      // 16 columns: terminal id and time on top (the date needs the 20x4), the prompt below
      s.bytes(0, 0, m.tid, 0, m.tidLen);
      s.bytesRight(0, b, 0, t, 0);
      s.msg(1, 0, m.signedIn ? MSG_UI_CARD_OR_F1 : MSG_UI_NOT_SIGNED_IN);
    }
  }

  /** @hot */
  private menu(m: UiModel, s: Screen): void {
    for (let r = 0; r < s.rows; r++) {
      const i = m.menuPage * s.rows + r;
      if (i >= MENU_COUNT) break;
      s.put(r, 0, i === 9 ? C_0 : C_0 + 1 + i);
      s.msg(r, 2, MENU_ITEMS[i]);
    }
  }

  /** Type on the left, amount on the right (when there is one and it fits). @hot */
  private typeAndAmount(m: UiModel, s: Screen, row: number, typeMsg: number): void {
    const end = s.msg(row, 0, typeMsg);
    if (m.amount > 0 && end + 1 + moneyLen(m.amount) <= s.cols) s.moneyRight(row, m.amount);
  }

  /** @hot */
  private amount(m: UiModel, s: Screen, big: boolean): void {
    if (big) {
      s.msg(0, 0, txnMsg(m.txnType));
      s.msg(1, 0, MSG_UI_ENTER_AMOUNT);
      s.moneyRight(2, m.amount);
    } else {
      s.msg(0, 0, txnMsg(m.txnType));
      s.moneyRight(1, m.amount);
    }
  }

  /** @hot */
  private digits(m: UiModel, s: Screen, big: boolean): void {
    const st = m.state;
    const title = st === ST_RRN ? MSG_UI_ENTER_RRN : st === ST_DATE ? MSG_UI_ENTER_DATE : MSG_UI_ENTER_TRACE;
    let row = 0;
    if (big) {
      let what = MSG_UI_REFUND;
      if (st === ST_TRACE) what = m.purpose === FOR_VOID ? MSG_UI_VOID : m.purpose === FOR_QUERY ? MSG_UI_QUERY : MSG_UI_REPRINT_TRACE;
      s.msg(0, 0, what);
      if (st !== ST_TRACE) s.moneyRight(0, m.amount);
      row = 1;
    }
    s.msg(row, 0, title);
    s.bytesRight(row + 1, m.digits, 0, m.digitLen, 0);
  }

  /** @hot */
  private confirm(m: UiModel, s: Screen, big: boolean): void {
    const e = m.entry;
    s.msg(0, 0, MSG_UI_VOID);
    s.uintRight(0, e.stan, 6, C_0);
    if (big) {
      s.bytes(1, 0, e.pan, 0, e.panLen);
      s.moneyRight(2, e.amount);
      s.msg(3, 0, MSG_UI_ENTER_CONFIRM);
    } else {
      s.moneyRight(1, e.amount);
    }
  }

  /** @hot */
  private card(m: UiModel, s: Screen, big: boolean): void {
    if (big) {
      s.msg(0, 0, txnMsg(m.txnType));
      if (m.amount > 0) s.moneyRight(1, m.amount);
      s.msg(2, 0, MSG_UI_SWIPE_INSERT);
      // a void may go without the card (the host then finds the original by its trace)
      if (m.txnType === TXN_VOID) s.msg(3, 0, MSG_UI_ENTER_NO_CARD);
    } else {
      this.typeAndAmount(m, s, 0, txnMsg(m.txnType));
      s.msg(1, 0, MSG_UI_SWIPE_INSERT);
    }
  }

  /** @hot */
  private reading(m: UiModel, s: Screen, big: boolean): void {
    let row = 0;
    if (big) {
      this.typeAndAmount(m, s, 0, txnMsg(m.txnType));
      row = 1;
    }
    s.msg(row, 0, MSG_UI_READING);
    s.msg(row + 1, 0, MSG_UI_DONT_REMOVE);
  }

  /** @hot */
  private pin(m: UiModel, s: Screen, big: boolean): void {
    let row = 0;
    if (big) {
      this.typeAndAmount(m, s, 0, txnMsg(m.txnType));
      row = 1;
      s.msg(row, 0, MSG_UI_ENTER_PIN);
    } else {
      this.typeAndAmount(m, s, 0, MSG_UI_ENTER_PIN);
    }
    s.repeat(row + 1, 0, C_STAR, m.pinLen);
  }

  /** @hot */
  private processing(m: UiModel, s: Screen, big: boolean): void {
    let row = 0;
    if (big) {
      this.typeAndAmount(m, s, 0, txnMsg(m.txnType));
      row = 1;
    }
    s.msg(row, 0, stageMsg(m.stage));
    const wait = m.stage === STAGE_COMPLETING && m.cardIsChip ? MSG_UI_DONT_REMOVE : MSG_UI_PLEASE_WAIT;
    s.msg(row + 1, 0, wait);
    if (m.countdown >= 0) s.uintRight(big ? 3 : 1, m.countdown, 2, C_SPACE);
  }

  /** @hot */
  private result(m: UiModel, s: Screen, big: boolean): void {
    const d = m.result;
    const o = d.outcome;
    if (o === OUT_APPROVED && d.type === TXN_BALANCE) {
      s.msg(0, 0, MSG_UI_BALANCE);
      s.moneyRight(1, d.balance);
    } else if (o === OUT_APPROVED) {
      if (big) {
        s.msg(0, 0, d.typeMsg);
        s.msgRight(0, MSG_RC_00);
        s.msg(1, 0, MSG_AMOUNT);
        s.moneyRight(1, d.amount);
        if (d.hasAuth()) {
          s.msg(2, 0, MSG_AUTH_CODE);
          s.bytesRight(2, d.authCode, 0, 6, 0);
        }
        s.msg(3, 0, MSG_TRACE_NO);
        s.uintRight(3, d.stan, 6, C_0);
      } else {
        s.msg(0, 0, MSG_RC_00);
        s.put(0, s.cols - 1, GLYPH_CHECK);
        if (d.hasAuth()) {
          s.msg(1, 0, MSG_AUTH_CODE);
          s.bytesRight(1, d.authCode, 0, 6, 0);
        } else {
          s.msg(1, 0, MSG_TRACE_NO);
          s.uintRight(1, d.stan, 6, C_0);
        }
      }
    } else if (o === OUT_SETTLED) {
      let row = 0;
      if (big) {
        s.msg(0, 0, MSG_OUT_SETTLED);
        s.uintRight(0, d.batch, 6, C_0);
        s.msg(3, 0, d.uploaded ? MSG_UI_NOT_BALANCED : MSG_UI_BALANCED);
        row = 1;
      }
      this.total(s, row, MSG_UI_DEBIT, d.debitCount, d.debitTotal);
      this.total(s, row + 1, MSG_UI_CREDIT, d.creditCount, d.creditTotal);
    } else {
      const what = outcomeMsg(d);
      const act = actionMsg(d);
      let row = 0;
      if (big) {
        s.msg(0, 0, d.typeMsg);
        if (d.rc0 !== 0) {
          s.put(0, s.cols - 2, d.rc0);
          s.put(0, s.cols - 1, d.rc1);
        }
        row = 1;
      }
      s.msg(row, 0, what);
      if (act >= 0) s.msg(row + 1, 0, act);
    }
    if (big && m.cardIsChip && m.chipPresent) {
      s.clearRow(3);
      s.msg(3, 0, MSG_UI_REMOVE_CARD);
    }
  }

  /** "DEBIT 3      123.45" @hot */
  private total(s: Screen, row: number, kind: number, count: number, fen: number): void {
    const c = s.msg(row, 0, kind);
    s.uint(row, c + 1, count, 1, C_SPACE);
    s.moneyRight(row, fen);
  }

  /** @hot */
  private query(m: UiModel, s: Screen): void {
    for (let r = 0; r < s.rows; r++) this.queryLine(m.entry, s, r, m.queryPage * s.rows + r);
  }

  /** @hot */
  private queryLine(e: ReceiptData, s: Screen, row: number, line: number): void {
    const b = this.buf;
    if (line === 0) {
      s.msg(row, 0, e.typeMsg);
      s.uintRight(row, e.stan, 6, C_0);
    } else if (line === 1) {
      s.msg(row, 0, MSG_AMOUNT);
      s.moneyRight(row, e.amount);
    } else if (line === 2) {
      s.bytes(row, 0, e.pan, 0, e.panLen);
    } else if (line === 3) {
      s.msg(row, 0, e.statusMsg);
    } else if (line === 4) {
      let at = s.cols >= 19 ? putDate(b, 0, e.when) : putMonthDay(b, 0, e.when);
      b[at++] = C_SPACE;
      at = putTime(b, at, e.when, s.cols >= 19);
      s.bytes(row, 0, b, 0, at);
    } else if (line === 5) {
      s.msg(row, 0, MSG_UI_RRN);
      if (e.hasRrn()) s.bytesRight(row, e.rrn, 0, 12, 0);
    } else if (line === 6) {
      s.msg(row, 0, MSG_UI_ENTER_REPRINT);
    }
  }

  /** @hot */
  private paper(m: UiModel, s: Screen): void {
    s.msg(0, 0, m.paperMsg);
    s.msg(1, 0, MSG_UI_ENTER_REPRINT);
  }
}
