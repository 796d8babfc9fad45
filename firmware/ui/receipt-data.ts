/**
 * What a receipt, a slip or a result screen shows about one transaction: a snapshot taken from
 * the engine's TxnResult (valid only until its next command) or from a journal entry (reprint,
 * query). Preallocated and refilled; holds the PAN only masked (first 6, last 4).
 */
import type { TxnResult } from "../txn/engine-api";
import { TXN_SALE, TXN_VOID, TXN_REFUND, TXN_BALANCE, TXN_SETTLE, TXN_SIGN_IN, TXN_REVERSAL } from "../txn/engine-api";
import { ENTRY_CHIP, ENTRY_SWIPE } from "../txn/card-data";
import {
  JournalEntry,
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
  effectiveStatus,
} from "../txn/store/journal";
import { splitTime, splitYmdhms } from "./format";
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

export class ReceiptData {
  /** Engine type (TXN_*), 0 when unknown (journal pre-auth family). */
  type = 0;
  /** Message id naming the type (SALE, VOID ...). */
  typeMsg = MSG_SALE;
  outcome = 0;
  rc0 = 0;
  rc1 = 0;
  cls = 0;
  msgId = 0;
  stan = 0;
  batch = 0;
  amount = 0;
  balance = 0;
  readonly authCode = new Uint8Array(6);
  readonly rrn = new Uint8Array(12);
  /** Masked PAN as ASCII ('*' in the middle). */
  readonly pan = new Uint8Array(19);
  panLen = 0;
  /** ENTRY_SWIPE, ENTRY_CHIP or 0. */
  entry = 0;
  /** year, month, day, hour, minute, second. */
  readonly when = new Int32Array(6);
  debitTotal = 0;
  debitCount = 0;
  creditTotal = 0;
  creditCount = 0;
  uploaded = false;
  reversalPending = false;
  /** Journal status message for queries (APPROVED, VOIDED ...), 0 for fresh results. */
  statusMsg = 0;
  /** Tries of a failed reversal (slip). */
  tries = 0;

  /** Copy a fresh engine result; `nowMs` dates it when the host gave no date/time. @hot */
  fromResult(r: TxnResult, nowMs: number): void {
    this.type = r.type;
    this.typeMsg = typeMsgOf(r.type);
    this.outcome = r.outcome;
    this.rc0 = r.rc0;
    this.rc1 = r.rc1;
    this.cls = r.cls;
    this.msgId = r.msgId;
    this.stan = r.stan;
    this.batch = r.batch;
    this.amount = r.amount;
    this.balance = r.balance;
    this.authCode.set(r.authCode);
    this.rrn.set(r.rrn);
    const n = r.maskedPanLen > 19 ? 19 : r.maskedPanLen;
    for (let i = 0; i < 19; i++) this.pan[i] = i < n ? r.maskedPan[i] : 0;
    this.panLen = n;
    this.entry = entryOf(r.entryMode);
    if (r.dateTime > 0) splitYmdhms(r.dateTime, this.when);
    else splitTime(nowMs, this.when);
    this.debitTotal = r.debitTotal;
    this.debitCount = r.debitCount;
    this.creditTotal = r.creditTotal;
    this.creditCount = r.creditCount;
    this.uploaded = r.uploaded;
    this.reversalPending = r.reversalPending;
    this.statusMsg = 0;
    this.tries = 0;
  }

  /**
   * The failed-reversal slip fields of a result (slipReady): the transaction that could not be
   * reversed, not the command that reported it. @hot
   */
  fromSlip(r: TxnResult, nowMs: number): void {
    this.fromResult(r, nowMs);
    this.type = r.slipType;
    this.typeMsg = typeMsgOf(r.slipType);
    this.outcome = 0;
    this.rc0 = (r.slipReason >> 8) & 0xff;
    this.rc1 = r.slipReason & 0xff;
    this.cls = 0;
    this.msgId = 0;
    this.stan = r.slipStan;
    this.amount = r.slipAmount;
    this.authCode.fill(0);
    this.rrn.fill(0);
    const n = r.slipPanLen > 19 ? 19 : r.slipPanLen;
    for (let i = 0; i < 19; i++) this.pan[i] = i < n ? r.slipPan[i] : 0;
    this.panLen = n;
    this.entry = 0;
    if (r.slipDateTime > 0) splitYmdhms(r.slipDateTime, this.when);
    this.reversalPending = false;
  }

  /** Copy a journal entry (reprint, query): approved-or-not comes from its status. @hot */
  fromJournal(e: JournalEntry): void {
    const t = e.type;
    this.type = t === J_TXN_SALE ? TXN_SALE : t === J_TXN_VOID ? TXN_VOID : t === J_TXN_REFUND ? TXN_REFUND : 0;
    this.typeMsg = this.type === 0 ? MSG_UI_PREAUTH : typeMsgOf(this.type);
    this.outcome = 0;
    this.rc0 = (e.respCode >> 8) & 0xff;
    this.rc1 = e.respCode & 0xff;
    this.cls = 0;
    this.msgId = 0;
    this.stan = e.stan;
    this.batch = e.batch;
    this.amount = e.amount;
    this.balance = 0;
    this.authCode.set(e.authCode);
    this.rrn.set(e.rrn);
    const p = e.pan;
    const n = p.length > 19 ? 19 : p.length;
    const head = n < 6 ? n : 6;
    for (let i = 0; i < 19; i++) {
      let v = 0;
      if (i < head) v = p.first6[i];
      else if (i < n - 4) v = 42;
      else if (i < n) v = p.last4[4 - (n - i)];
      this.pan[i] = v;
    }
    this.panLen = n;
    this.entry = entryOf(e.entryMode);
    splitTime(e.time * 1000, this.when);
    this.debitTotal = 0;
    this.debitCount = 0;
    this.creditTotal = 0;
    this.creditCount = 0;
    this.uploaded = false;
    const st = effectiveStatus(e);
    this.reversalPending = st === J_REVERSAL_PENDING;
    this.statusMsg = statusMsgOf(st);
    this.tries = 0;
  }

  /** @hot */
  copyFrom(o: ReceiptData): void {
    this.type = o.type;
    this.typeMsg = o.typeMsg;
    this.outcome = o.outcome;
    this.rc0 = o.rc0;
    this.rc1 = o.rc1;
    this.cls = o.cls;
    this.msgId = o.msgId;
    this.stan = o.stan;
    this.batch = o.batch;
    this.amount = o.amount;
    this.balance = o.balance;
    this.authCode.set(o.authCode);
    this.rrn.set(o.rrn);
    this.pan.set(o.pan);
    this.panLen = o.panLen;
    this.entry = o.entry;
    this.when.set(o.when);
    this.debitTotal = o.debitTotal;
    this.debitCount = o.debitCount;
    this.creditTotal = o.creditTotal;
    this.creditCount = o.creditCount;
    this.uploaded = o.uploaded;
    this.reversalPending = o.reversalPending;
    this.statusMsg = o.statusMsg;
    this.tries = o.tries;
  }

  /** True when the auth code / RRN holds something printable. @hot */
  hasAuth(): boolean {
    return this.authCode[0] > 32;
  }

  /** @hot */
  hasRrn(): boolean {
    return this.rrn[0] > 32;
  }
}

/** Message naming an engine transaction type. @hot */
export function typeMsgOf(type: number): number {
  if (type === TXN_VOID) return MSG_UI_VOID;
  if (type === TXN_REFUND) return MSG_UI_REFUND;
  if (type === TXN_BALANCE) return MSG_UI_BALANCE;
  if (type === TXN_SETTLE) return MSG_UI_SETTLEMENT;
  if (type === TXN_SIGN_IN) return MSG_UI_SIGN_IN;
  if (type === TXN_REVERSAL) return MSG_REVERSAL_FAILED;
  return MSG_SALE;
}

/** Journal status -> the message a query shows. @hot */
export function statusMsgOf(status: number): number {
  if (status === J_APPROVED) return MSG_RC_00;
  if (status === J_DECLINED) return MSG_RC_OTHER;
  if (status === J_REVERSED) return MSG_OUT_REVERSED;
  if (status === J_REVERSAL_PENDING) return MSG_OUT_REVERSAL_PENDING;
  if (status === J_REVERSAL_FAILED) return MSG_UI_REV_FAILED;
  if (status === J_VOIDED) return MSG_UI_VOIDED;
  if (status === J_SETTLED) return MSG_OUT_SETTLED;
  return MSG_RC_OTHER;
}

/**
 * Entry mode as either form the core may carry: the CardData constant (2 swipe, 5 chip) or
 * field 22's first two digits as a number (21 = "021" swipe + PIN, 51 = "051" chip). @hot
 */
export function entryOf(mode: number): number {
  let m = mode;
  while (m >= 10) m = Math.floor(m / 10); // "021" -> 21 -> 2; a padded "0210" -> 210 -> 2
  return m === ENTRY_SWIPE || m === ENTRY_CHIP ? m : 0;
}
