/**
 * The screens, for 16x2 and 20x4 (any display of 2 rows gets the compact layout, 4 rows the
 * full one). `paint()` redraws the LCD frame buffer from the terminal's state (ui-model.ts) and
 * its records (receipt-data.ts); the driver then sends only the changed cells. Text comes from
 * the catalogue (English: the HD44780 has no Chinese glyphs), numbers are formatted in place:
 * painting allocates nothing. One function for all screens: on Espruino each function costs
 * RAM, the length of its body does not.
 */
import type { Terminal } from "../app/terminal";
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
  MENU_COUNT,
  V_STATE,
  V_TXN,
  V_AMOUNT,
  V_DIGIT_LEN,
  V_PURPOSE,
  V_PIN_LEN,
  V_PAGE,
  V_STAGE,
  V_COUNTDOWN,
  V_NOTICE_A,
  V_NOTICE_B,
  V_PAPER_MSG,
  V_SIGNED_IN,
  V_CHIP_IN,
  V_IS_CHIP,
  V_TID_LEN,
  V_CLOCK,
  B_TID,
  B_DIGITS,
  B_TMP,
  B_REC,
} from "./ui-model";
import {
  RW,
  RB,
  RB_AUTH,
  RB_RRN,
  RB_PAN,
  SLOT_ENTRY,
  R_TYPE,
  R_TYPE_MSG,
  R_OUTCOME,
  R_RC,
  R_CLS,
  R_MSG,
  R_STAN,
  R_BATCH,
  R_AMOUNT,
  R_BALANCE,
  R_PAN_LEN,
  R_WHEN,
  R_DEBIT_TOTAL,
  R_DEBIT_COUNT,
  R_CREDIT_TOTAL,
  R_CREDIT_COUNT,
  R_UPLOADED,
  R_REV_PENDING,
  R_STATUS_MSG,
} from "./receipt-data";
import { draw, D_MSG, D_BYTES, D_REPEAT, AT_RIGHT } from "./screen";
import { putNum, F_MONEY, F_ZEROS, F_SPACES, F_DATE, F_HM, F_MD_HM, F_DATETIME } from "./format";
import {
  TXN_SALE,
  TXN_VOID,
  TXN_REFUND,
  TXN_BALANCE,
  TXN_SETTLE,
  TXN_SIGN_IN,
  OUT_APPROVED,
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

/** Menu entries, in key order 1..9, 0, as message ids (char codes). */
const MENU = String.fromCharCode(
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
);

const C_STAR = 42;
const C_SPACE = 32;
const C_0 = 48;
const GLYPH_CHECK = 1; // LCD CGRAM slot: check mark

/** Redraw the whole frame for the terminal's state. @hot */
export function paint(t: Terminal): void {
  const v = t.v;
  const R = t.rec;
  const rows = t.lcd.rows;
  const cols = t.lcd.cols;
  const frame = t.lcd.frame;
  for (let i = 0; i < rows * cols; i++) frame[i] = C_SPACE;
  const big = rows >= 4;
  const st = v[V_STATE];
  const amount = v[V_AMOUNT];
  const type = v[V_TXN];
  const txnMsg =
    type === TXN_VOID
      ? MSG_UI_VOID
      : type === TXN_REFUND
        ? MSG_UI_REFUND
        : type === TXN_BALANCE
          ? MSG_UI_BALANCE
          : type === TXN_SETTLE
            ? MSG_UI_SETTLEMENT
            : type === TXN_SIGN_IN
              ? MSG_UI_SIGN_IN
              : MSG_SALE;
  // the amount beside the type on the top row, when there is one and it fits; then the next row
  let row = 0;
  if (st === ST_CARD || st === ST_READING || st === ST_PIN || st === ST_PROCESSING) {
    if (big || st === ST_CARD || st === ST_PIN) {
      const head = !big && st === ST_PIN ? MSG_UI_ENTER_PIN : txnMsg;
      const end = draw(t, 0, 0, D_MSG, head, 0);
      const fits = big && st === ST_CARD ? amount > 0 : amount > 0 && end + 1 + putNum(t.b, B_TMP, F_MONEY, amount, 0) - B_TMP <= cols;
      if (fits) draw(t, big && st === ST_CARD ? 1 : 0, AT_RIGHT, F_MONEY, amount, 0);
      row = big ? 1 : 0;
    }
  }
  if (st === ST_IDLE) {
    const clock = v[V_CLOCK];
    if (big) {
      draw(t, 0, 0, F_DATE, clock, 0);
      draw(t, 0, AT_RIGHT, F_HM, clock, 0);
      const c = draw(t, 1, 0, D_MSG, MSG_UI_TID, 0);
      draw(t, 1, c + 1, D_BYTES, B_TID, v[V_TID_LEN]);
      draw(t, 2, 0, D_MSG, MSG_UI_SWIPE_INSERT_F1, 0);
      if (!v[V_SIGNED_IN]) draw(t, 3, 0, D_MSG, MSG_UI_NOT_SIGNED_IN, 0);
    } else {
      // 16 columns: terminal id and time on top (the date needs the 20x4), the prompt below
      draw(t, 0, 0, D_BYTES, B_TID, v[V_TID_LEN]);
      draw(t, 0, AT_RIGHT, F_HM, clock, 0);
      draw(t, 1, 0, D_MSG, v[V_SIGNED_IN] ? MSG_UI_CARD_OR_F1 : MSG_UI_NOT_SIGNED_IN, 0);
    }
  } else if (st === ST_MENU) {
    for (let r = 0; r < rows; r++) {
      const i = v[V_PAGE] * rows + r;
      if (i >= MENU_COUNT) break;
      draw(t, r, 0, D_REPEAT, i === 9 ? C_0 : C_0 + 1 + i, 1);
      draw(t, r, 2, D_MSG, MENU.charCodeAt(i), 0);
    }
  } else if (st === ST_AMOUNT) {
    draw(t, 0, 0, D_MSG, txnMsg, 0);
    if (big) draw(t, 1, 0, D_MSG, MSG_UI_ENTER_AMOUNT, 0);
    draw(t, big ? 2 : 1, AT_RIGHT, F_MONEY, amount, 0);
  } else if (st === ST_TRACE || st === ST_RRN || st === ST_DATE) {
    if (big) {
      const p = v[V_PURPOSE];
      const what = st !== ST_TRACE ? MSG_UI_REFUND : p === FOR_VOID ? MSG_UI_VOID : p === FOR_QUERY ? MSG_UI_QUERY : MSG_UI_REPRINT_TRACE;
      draw(t, 0, 0, D_MSG, what, 0);
      if (st !== ST_TRACE) draw(t, 0, AT_RIGHT, F_MONEY, amount, 0);
      row = 1;
    }
    draw(t, row, 0, D_MSG, st === ST_RRN ? MSG_UI_ENTER_RRN : st === ST_DATE ? MSG_UI_ENTER_DATE : MSG_UI_ENTER_TRACE, 0);
    draw(t, row + 1, AT_RIGHT, D_BYTES, B_DIGITS, v[V_DIGIT_LEN]);
  } else if (st === ST_CONFIRM) {
    const o = SLOT_ENTRY * RW;
    draw(t, 0, 0, D_MSG, MSG_UI_VOID, 0);
    draw(t, 0, AT_RIGHT, F_ZEROS, R[o + R_STAN], 6);
    if (big) {
      draw(t, 1, 0, D_BYTES, B_REC + SLOT_ENTRY * RB + RB_PAN, R[o + R_PAN_LEN]);
      draw(t, 2, AT_RIGHT, F_MONEY, R[o + R_AMOUNT], 0);
      draw(t, 3, 0, D_MSG, MSG_UI_ENTER_CONFIRM, 0);
    } else draw(t, 1, AT_RIGHT, F_MONEY, R[o + R_AMOUNT], 0);
  } else if (st === ST_CARD) {
    draw(t, big ? 2 : 1, 0, D_MSG, MSG_UI_SWIPE_INSERT, 0);
    // a void may go without the card (the host then finds the original by its trace)
    if (big && type === TXN_VOID) draw(t, 3, 0, D_MSG, MSG_UI_ENTER_NO_CARD, 0);
  } else if (st === ST_READING) {
    draw(t, row, 0, D_MSG, MSG_UI_READING, 0);
    draw(t, row + 1, 0, D_MSG, MSG_UI_DONT_REMOVE, 0);
  } else if (st === ST_PIN) {
    if (big) draw(t, 1, 0, D_MSG, MSG_UI_ENTER_PIN, 0);
    draw(t, row + 1, 0, D_REPEAT, C_STAR, v[V_PIN_LEN]);
  } else if (st === ST_PROCESSING) {
    const s = v[V_STAGE];
    const stageMsg =
      s === STAGE_SIGNING_IN
        ? MSG_UI_SIGNING_IN
        : s === STAGE_REVERSING
          ? MSG_UI_REVERSING
          : s === STAGE_SENDING
            ? MSG_UI_SENDING
            : s === STAGE_WAITING
              ? MSG_UI_WAITING
              : s === STAGE_SETTLING
                ? MSG_UI_SETTLING
                : s === STAGE_UPLOADING
                  ? MSG_UI_UPLOADING
                  : s === STAGE_COMPLETING
                    ? MSG_UI_COMPLETING
                    : s === STAGE_CONNECTING
                      ? MSG_UI_CONNECTING
                      : MSG_UI_PLEASE_WAIT;
    draw(t, row, 0, D_MSG, stageMsg, 0);
    draw(t, row + 1, 0, D_MSG, s === STAGE_COMPLETING && v[V_IS_CHIP] ? MSG_UI_DONT_REMOVE : MSG_UI_PLEASE_WAIT, 0);
    if (v[V_COUNTDOWN] >= 0) draw(t, big ? 3 : 1, AT_RIGHT, F_SPACES, v[V_COUNTDOWN], 2);
  } else if (st === ST_RESULT) {
    // the last result: record 0
    const o = R[R_OUTCOME];
    const rc = R[R_RC];
    const authAt = B_REC + RB_AUTH;
    const hasAuth = t.b[authAt] > 32;
    if (o === OUT_APPROVED && R[R_TYPE] === TXN_BALANCE) {
      draw(t, 0, 0, D_MSG, MSG_UI_BALANCE, 0);
      draw(t, 1, AT_RIGHT, F_MONEY, R[R_BALANCE], 0);
    } else if (o === OUT_APPROVED) {
      if (big) {
        draw(t, 0, 0, D_MSG, R[R_TYPE_MSG], 0);
        draw(t, 0, AT_RIGHT, D_MSG, MSG_RC_00, 0);
        draw(t, 1, 0, D_MSG, MSG_AMOUNT, 0);
        draw(t, 1, AT_RIGHT, F_MONEY, R[R_AMOUNT], 0);
        if (hasAuth) {
          draw(t, 2, 0, D_MSG, MSG_AUTH_CODE, 0);
          draw(t, 2, AT_RIGHT, D_BYTES, authAt, 6);
        }
        draw(t, 3, 0, D_MSG, MSG_TRACE_NO, 0);
        draw(t, 3, AT_RIGHT, F_ZEROS, R[R_STAN], 6);
      } else {
        draw(t, 0, 0, D_MSG, MSG_RC_00, 0);
        draw(t, 0, cols - 1, D_REPEAT, GLYPH_CHECK, 1);
        draw(t, 1, 0, D_MSG, hasAuth ? MSG_AUTH_CODE : MSG_TRACE_NO, 0);
        if (hasAuth) draw(t, 1, AT_RIGHT, D_BYTES, authAt, 6);
        else draw(t, 1, AT_RIGHT, F_ZEROS, R[R_STAN], 6);
      }
    } else if (o === OUT_SETTLED) {
      if (big) {
        draw(t, 0, 0, D_MSG, MSG_OUT_SETTLED, 0);
        draw(t, 0, AT_RIGHT, F_ZEROS, R[R_BATCH], 6);
        draw(t, 3, 0, D_MSG, R[R_UPLOADED] ? MSG_UI_NOT_BALANCED : MSG_UI_BALANCED, 0);
        row = 1;
      }
      // "DEBIT 3      123.45"
      for (let k = 0; k < 2; k++) {
        const c = draw(t, row + k, 0, D_MSG, k === 0 ? MSG_UI_DEBIT : MSG_UI_CREDIT, 0);
        draw(t, row + k, c + 1, F_SPACES, R[k === 0 ? R_DEBIT_COUNT : R_CREDIT_COUNT], 1);
        draw(t, row + k, AT_RIGHT, F_MONEY, R[k === 0 ? R_DEBIT_TOTAL : R_CREDIT_TOTAL], 0);
      }
    } else {
      // what happened, and what the operator should do
      const id = R[R_MSG];
      const what =
        o === OUT_REVERSAL_FAILED
          ? MSG_UI_REV_FAILED // the catalogue's slip title is 30 wide
          : id > 0
            ? id
            : o === OUT_NO_RESPONSE
              ? MSG_OUT_NO_RESPONSE
              : o === OUT_MAC_FAILED
                ? MSG_RC_A0
                : o === OUT_CARD_REMOVED
                  ? MSG_OUT_CARD_REMOVED
                  : o === OUT_ABORTED
                    ? MSG_OUT_ABORTED
                    : o === OUT_REVERSED
                      ? MSG_OUT_REVERSED
                      : o === OUT_REVERSAL_PENDING
                        ? MSG_OUT_REVERSAL_PENDING
                        : o === OUT_STORAGE_ERROR
                          ? MSG_OUT_STORAGE_ERROR
                          : o === OUT_JOURNAL_FULL
                            ? MSG_OUT_JOURNAL_FULL
                            : o === OUT_NOT_FOUND
                              ? MSG_OUT_NOT_FOUND
                              : o === OUT_BUSY
                                ? MSG_OUT_BUSY
                                : o === OUT_SETTLED
                                  ? MSG_OUT_SETTLED
                                  : o === OUT_SETTLE_FAILED
                                    ? MSG_OUT_SETTLE_FAILED
                                    : o === OUT_SIGNED_IN
                                      ? MSG_OUT_SIGNED_IN
                                      : o === OUT_KEY_ERROR
                                        ? MSG_OUT_KEY_ERROR
                                        : o === OUT_NOT_SIGNED_IN
                                          ? MSG_OUT_NOT_SIGNED_IN
                                          : o === OUT_ERROR
                                            ? MSG_UI_TXN_ERROR
                                            : MSG_RC_OTHER;
      const c = R[R_CLS];
      let act = -1;
      if (o === OUT_SETTLED || o === OUT_SIGNED_IN || o === OUT_ABORTED || o === OUT_REVERSED) act = -1;
      else if (o === OUT_NO_RESPONSE || o === OUT_CARD_REMOVED) {
        // A sale / void that left the terminal (it has a trace) and has nothing pending any more
        // was reversed at once by the engine. No trace: nothing was sent (e.g. the host refused
        // the connection), so there is nothing to reverse and the merchant should simply retry.
        const ty = R[R_TYPE];
        if (R[R_REV_PENDING]) act = MSG_OUT_WILL_REVERSE;
        else if (R[R_STAN] !== 0 && (ty === TXN_SALE || ty === TXN_VOID)) act = MSG_OUT_REVERSED;
        else act = o === OUT_NO_RESPONSE ? MSG_ACT_RETRY_LATER : -1;
      } else if (o === OUT_REVERSAL_FAILED) act = MSG_UI_CALL_ACQUIRER;
      else if (o === OUT_JOURNAL_FULL) act = MSG_ACT_SETTLE_FIRST;
      else if (o === OUT_NOT_SIGNED_IN || o === OUT_KEY_ERROR) act = MSG_ACT_SIGN_IN;
      else if (rc === 0x3431 || rc === 0x3433) act = MSG_ACT_KEEP_CARD; // 41 lost / 43 stolen: keep the card
      else if (c === CLS_RETRY_LATER) act = MSG_ACT_RETRY_LATER;
      else if (c === CLS_DO_NOT_RETRY) act = MSG_ACT_OTHER_CARD;
      else if (c === CLS_CALL_ISSUER) act = MSG_ACT_CALL_ISSUER;
      else if (c === CLS_REENTER_PIN) act = MSG_ACT_REENTER_PIN;
      else if (c === CLS_REENTER_AMOUNT) act = MSG_ACT_REENTER_AMOUNT;
      else if (c === CLS_SIGN_IN_AGAIN) act = MSG_ACT_SIGN_IN;
      else if (c === CLS_SYSTEM) act = MSG_ACT_CALL_SUPPORT;
      else if (o === OUT_MAC_FAILED) act = MSG_ACT_SIGN_IN;
      else if (o === OUT_REVERSAL_PENDING || o === OUT_BUSY || o === OUT_SETTLE_FAILED) act = MSG_ACT_RETRY_LATER;
      else if (o === OUT_STORAGE_ERROR || o === OUT_ERROR) act = MSG_ACT_CALL_SUPPORT;
      if (big) {
        draw(t, 0, 0, D_MSG, R[R_TYPE_MSG], 0);
        if (rc >> 8 !== 0) {
          draw(t, 0, cols - 2, D_REPEAT, rc >> 8, 1);
          draw(t, 0, cols - 1, D_REPEAT, rc & 0xff, 1);
        }
        row = 1;
      }
      draw(t, row, 0, D_MSG, what, 0);
      if (act >= 0) draw(t, row + 1, 0, D_MSG, act, 0);
    }
    if (big && v[V_IS_CHIP] && v[V_CHIP_IN]) {
      draw(t, 3, 0, D_REPEAT, C_SPACE, cols);
      draw(t, 3, 0, D_MSG, MSG_UI_REMOVE_CARD, 0);
    }
  } else if (st === ST_QUERY) {
    const o = SLOT_ENTRY * RW;
    const ob = B_REC + SLOT_ENTRY * RB;
    for (let r = 0; r < rows; r++) {
      const line = v[V_PAGE] * rows + r;
      if (line === 0) {
        draw(t, r, 0, D_MSG, R[o + R_TYPE_MSG], 0);
        draw(t, r, AT_RIGHT, F_ZEROS, R[o + R_STAN], 6);
      } else if (line === 1) {
        draw(t, r, 0, D_MSG, MSG_AMOUNT, 0);
        draw(t, r, AT_RIGHT, F_MONEY, R[o + R_AMOUNT], 0);
      } else if (line === 2) draw(t, r, 0, D_BYTES, ob + RB_PAN, R[o + R_PAN_LEN]);
      else if (line === 3) draw(t, r, 0, D_MSG, R[o + R_STATUS_MSG], 0);
      else if (line === 4) draw(t, r, 0, cols >= 19 ? F_DATETIME : F_MD_HM, R[o + R_WHEN], 0);
      else if (line === 5) {
        draw(t, r, 0, D_MSG, MSG_UI_RRN, 0);
        if (t.b[ob + RB_RRN] > 32) draw(t, r, AT_RIGHT, D_BYTES, ob + RB_RRN, 12);
      } else if (line === 6) draw(t, r, 0, D_MSG, MSG_UI_ENTER_REPRINT, 0);
    }
  } else if (st === ST_PAPER) {
    draw(t, 0, 0, D_MSG, v[V_PAPER_MSG], 0);
    draw(t, 1, 0, D_MSG, MSG_UI_ENTER_REPRINT, 0);
  }
  if (v[V_NOTICE_A] >= 0) {
    const last = rows - 1;
    const two = v[V_NOTICE_B] >= 0 && rows >= 2;
    if (two) draw(t, last - 1, 0, D_REPEAT, C_SPACE, cols);
    draw(t, last, 0, D_REPEAT, C_SPACE, cols);
    draw(t, two ? last - 1 : last, 0, D_MSG, v[V_NOTICE_A], 0);
    if (two) draw(t, last, 0, D_MSG, v[V_NOTICE_B], 0);
  }
}
