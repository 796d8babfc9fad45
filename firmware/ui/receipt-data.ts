/**
 * Receipt records: what a receipt, a slip or a result screen shows about one transaction, as a
 * snapshot taken from the engine's TxnResult (valid only until its next command) or from a
 * journal entry (reprint, query). Each record is RW numbers in Terminal.rec from slot * RW and
 * RB bytes in Terminal.b from B_REC + slot * RB: preallocated, refilled, no objects. Holds the PAN
 * only masked (first 6, last 4).
 *
 * Slots: SLOT_LAST the last engine result (the result screen, T.last()), SLOT_ENTRY the journal
 * entry on screen (query, void confirmation), then the print queue's pool (a queued copy keeps
 * its data while the next transaction runs).
 */
import type { TxnResult } from "../txn/engine-api";
import { TXN_SALE, TXN_VOID, TXN_REFUND, TXN_BALANCE, TXN_SETTLE, TXN_SIGN_IN, TXN_REVERSAL } from "../txn/engine-api";
import { ENTRY_CHIP, ENTRY_SWIPE } from "../txn/card-data";
import {
  J_APPROVED,
  J_DECLINED,
  J_REVERSED,
  J_REVERSAL_PENDING,
  J_REVERSAL_FAILED,
  J_VOIDED,
  J_SETTLED,
  TXN_SALE as J_TXN_SALE,
  TXN_VOID as J_TXN_VOID,
  TXN_REFUND as J_TXN_REFUND,
  JournalEntry,
} from "../txn/store/journal";
import type { Terminal } from "../app/terminal";
import { B_REC } from "./ui-model";
import { stampOf } from "./format";
import {
  MSG_SALE,
  MSG_UI_VOID,
  MSG_UI_REFUND,
  MSG_UI_BALANCE,
  MSG_UI_SETTLEMENT,
  MSG_UI_SIGN_IN,
  MSG_UI_PREAUTH,
  MSG_REVERSAL_FAILED,
  MSG_RC_00,
  MSG_RC_OTHER,
  MSG_OUT_REVERSED,
  MSG_OUT_REVERSAL_PENDING,
  MSG_UI_REV_FAILED,
  MSG_UI_VOIDED,
  MSG_OUT_SETTLED,
} from "./messages.gen";

// Numbers of a record (Terminal.rec[slot * RW + R_*]).
export const R_TYPE = 0; // engine type (TXN_*), 0 when unknown (journal pre-auth family)
export const R_TYPE_MSG = 1; // message naming the type (SALE, VOID ...)
export const R_OUTCOME = 2;
export const R_RC = 3; // field 39 as two ASCII codes, (c0 << 8) | c1; 0 none
export const R_CLS = 4;
export const R_MSG = 5; // the engine's message id
export const R_STAN = 6;
export const R_BATCH = 7;
export const R_AMOUNT = 8;
export const R_BALANCE = 9;
export const R_PAN_LEN = 10;
export const R_ENTRY = 11; // ENTRY_SWIPE, ENTRY_CHIP or 0
export const R_WHEN = 12; // yyyymmddhhmmss (format.ts)
export const R_DEBIT_TOTAL = 13;
export const R_DEBIT_COUNT = 14;
export const R_CREDIT_TOTAL = 15;
export const R_CREDIT_COUNT = 16;
export const R_UPLOADED = 17;
export const R_REV_PENDING = 18;
export const R_STATUS_MSG = 19; // journal status message for queries (APPROVED, VOIDED ...), 0 fresh
export const RW = 20;

// Bytes of a record (Terminal.b[B_REC + slot * RB + RB_*]), ASCII.
export const RB_AUTH = 0; // auth code (6)
export const RB_RRN = 6; // RRN (12)
export const RB_PAN = 18; // masked PAN, '*' in the middle (19)
export const RB = 37;

export const SLOT_LAST = 0;
export const SLOT_ENTRY = 1;
export const SLOT_POOL = 2;
export const POOL_SIZE = 3;
export const SLOTS = SLOT_POOL + POOL_SIZE;

// fillRecord sources
export const FROM_RESULT = 0; // a fresh engine result; arg: wall-clock ms dating it without a host time
export const FROM_SLIP = 1; // the failed-reversal slip fields of a result (slipReady); arg as above
export const FROM_SLOT = 2; // a copy of record `arg`

/** Fill record `slot` from `how` (FROM_*); journal entries come in by journalRecord. @hot */
export function fillRecord(t: Terminal, slot: number, how: number, r: TxnResult | null, arg: number): void {
  const R = t.rec;
  const b = t.b;
  const o = slot * RW;
  const ob = B_REC + slot * RB;
  if (how === FROM_SLOT) {
    for (let i = 0; i < RW; i++) R[o + i] = R[arg * RW + i];
    for (let i = 0; i < RB; i++) b[ob + i] = b[B_REC + arg * RB + i];
    return;
  }
  if (r === null) return;
  const slip = how === FROM_SLIP;
  const type = slip ? r.slipType : r.type;
  R[o + R_OUTCOME] = slip ? 0 : r.outcome;
  R[o + R_RC] = slip ? r.slipReason & 0xffff : ((r.rc0 & 0xff) << 8) | (r.rc1 & 0xff);
  R[o + R_STAN] = slip ? r.slipStan : r.stan;
  R[o + R_BATCH] = r.batch;
  R[o + R_AMOUNT] = slip ? r.slipAmount : r.amount;
  R[o + R_BALANCE] = r.balance;
  for (let i = 0; i < 6; i++) b[ob + RB_AUTH + i] = slip ? 0 : r.authCode[i];
  for (let i = 0; i < 12; i++) b[ob + RB_RRN + i] = slip ? 0 : r.rrn[i];
  const len = slip ? r.slipPanLen : r.maskedPanLen;
  const n = len > 19 ? 19 : len;
  for (let i = 0; i < 19; i++) b[ob + RB_PAN + i] = i >= n ? 0 : slip ? r.slipPan[i] : r.maskedPan[i];
  R[o + R_PAN_LEN] = n;
  let mode = slip ? 0 : r.entryMode;
  // the host's date/time (YYMMDDhhmmss) when it gave one, else the terminal's clock
  const when = slip && r.slipDateTime > 0 ? r.slipDateTime : r.dateTime;
  R[o + R_WHEN] = when > 0 ? 20000000000000 + (Math.floor(when) % 1000000000000) : stampOf(arg);
  R[o + R_DEBIT_TOTAL] = r.debitTotal;
  R[o + R_DEBIT_COUNT] = r.debitCount;
  R[o + R_CREDIT_TOTAL] = r.creditTotal;
  R[o + R_CREDIT_COUNT] = r.creditCount;
  R[o + R_UPLOADED] = r.uploaded ? 1 : 0;
  R[o + R_REV_PENDING] = !slip && r.reversalPending ? 1 : 0;
  R[o + R_STATUS_MSG] = 0;
  R[o + R_TYPE] = type;
  R[o + R_TYPE_MSG] =
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
              : type === TXN_REVERSAL
                ? MSG_REVERSAL_FAILED
                : MSG_SALE;
  R[o + R_CLS] = slip ? 0 : r.cls;
  R[o + R_MSG] = slip ? 0 : r.msgId;
  // entry mode as either form the core may carry: the CardData constant (2 swipe, 5 chip) or
  // field 22's first two digits as a number ("021" -> 21 -> 2; a padded "0210" -> 210 -> 2)
  while (mode >= 10) mode = Math.floor(mode / 10);
  R[o + R_ENTRY] = mode === ENTRY_SWIPE || mode === ENTRY_CHIP ? mode : 0;
}

/**
 * Look a journal entry up into SLOT_ENTRY (reprint, query, void): by trace, or the last one when
 * `trace` is 0; false when there is none. Approved-or-not comes from its status. The scratch
 * entry is made here and dropped: a lookup is an operator's request, off the loop's path, and
 * the terminal keeps no JournalEntry of its own.
 */
export function journalRecord(t: Terminal, trace: number): boolean {
  const j = t.journal;
  const e = new JournalEntry();
  if (j === null || !j.findByStan(trace > 0 ? trace : -1, e)) return false;
  const R = t.rec;
  const b = t.b;
  const o = SLOT_ENTRY * RW;
  const ob = B_REC + SLOT_ENTRY * RB;
  const jt = e.type;
  const type = jt === J_TXN_SALE ? TXN_SALE : jt === J_TXN_VOID ? TXN_VOID : jt === J_TXN_REFUND ? TXN_REFUND : 0;
  R[o + R_TYPE] = type;
  R[o + R_TYPE_MSG] = type === TXN_VOID ? MSG_UI_VOID : type === TXN_REFUND ? MSG_UI_REFUND : type === 0 ? MSG_UI_PREAUTH : MSG_SALE;
  R[o + R_OUTCOME] = 0;
  R[o + R_RC] = e.respCode & 0xffff;
  R[o + R_CLS] = 0;
  R[o + R_MSG] = 0;
  R[o + R_STAN] = e.stan;
  R[o + R_BATCH] = e.batch;
  R[o + R_AMOUNT] = e.amount;
  R[o + R_BALANCE] = 0;
  for (let i = 0; i < 6; i++) b[ob + RB_AUTH + i] = e.authCode[i];
  for (let i = 0; i < 12; i++) b[ob + RB_RRN + i] = e.rrn[i];
  const p = e.pan;
  const n = p.length > 19 ? 19 : p.length;
  const head = n < 6 ? n : 6;
  for (let i = 0; i < 19; i++) {
    let c = 0;
    if (i < head) c = p.first6[i];
    else if (i < n - 4) c = 42;
    else if (i < n) c = p.last4[4 - (n - i)];
    b[ob + RB_PAN + i] = c;
  }
  R[o + R_PAN_LEN] = n;
  let mode = e.entryMode; // "021" -> 21 -> 2 (see fillRecord)
  while (mode >= 10) mode = Math.floor(mode / 10);
  R[o + R_ENTRY] = mode === ENTRY_SWIPE || mode === ENTRY_CHIP ? mode : 0;
  R[o + R_WHEN] = stampOf(e.time * 1000);
  R[o + R_DEBIT_TOTAL] = 0;
  R[o + R_DEBIT_COUNT] = 0;
  R[o + R_CREDIT_TOTAL] = 0;
  R[o + R_CREDIT_COUNT] = 0;
  R[o + R_UPLOADED] = 0;
  const st = e.settled ? J_SETTLED : e.status; // effectiveStatus, inlined (a function costs RAM)
  R[o + R_REV_PENDING] = st === J_REVERSAL_PENDING ? 1 : 0;
  R[o + R_STATUS_MSG] =
    st === J_APPROVED
      ? MSG_RC_00
      : st === J_DECLINED
        ? MSG_RC_OTHER
        : st === J_REVERSED
          ? MSG_OUT_REVERSED
          : st === J_REVERSAL_PENDING
            ? MSG_OUT_REVERSAL_PENDING
            : st === J_REVERSAL_FAILED
              ? MSG_UI_REV_FAILED
              : st === J_VOIDED
                ? MSG_UI_VOIDED
                : st === J_SETTLED
                  ? MSG_OUT_SETTLED
                  : MSG_RC_OTHER;
  return true;
}
