/**
 * Settlement figures from the journal, as UnionPay terminals count them (and the host simulator,
 * hil/host/ledger.ts `totals`): debit = sales and pre-auth completions still standing OR voided
 * (the original of a void stays counted), credit = approved voids and refunds. Declined, reversed,
 * reversal-pending and reversal-failed entries count nowhere: an uncertain one makes the host
 * answer "not balanced" and the batch upload settles the difference.
 * (Journal.totals() in store/journal.ts nets voids out instead; hosts do not, so the engine uses
 * these.)
 *
 * Field 48 of the 0500: debit n12 + count n3 + credit n12 + count n3 + flag, domestic then foreign
 * (62 digits, flags 0 in the request). Batch upload (0320) field 48: `NN` + NN items of
 * org `00` + STAN 6 + PAN 20 (right-justified, zero-filled) + amount 12, at most 8 per message.
 * The journal keeps only a masked PAN (first 6 + last 4), so the uploaded PAN has zeros in the
 * middle digits: the host can match an item by STAN and amount, not by the full PAN.
 */
import { writeAsciiDigits } from "./iso8583/index";
import { Journal, JournalEntry, J_APPROVED, J_VOIDED, TXN_PREAUTH_COMPLETE, TXN_REFUND, TXN_SALE, TXN_VOID } from "./store/journal";

export class SettleTotals {
  debitAmount = 0;
  debitCount = 0;
  creditAmount = 0;
  creditCount = 0;
}

/** Digits of a 0500 field 48. */
export const TOTALS48_DIGITS = 62;
/** Items per 0320 and digits per item. */
export const UPLOAD_MAX_ITEMS = 8;
export const UPLOAD_ITEM_DIGITS = 40;

/** True when the entry counts at settlement (and is batch-uploaded when not balanced). @hot */
export function settles(e: JournalEntry): boolean {
  if (e.type === TXN_SALE || e.type === TXN_PREAUTH_COMPLETE) return e.status === J_APPROVED || e.status === J_VOIDED;
  if (e.type === TXN_VOID || e.type === TXN_REFUND) return e.status === J_APPROVED;
  return false;
}

/** Totals of the journal's open batch into `out`; returns how many entries count. */
export function batchTotals(journal: Journal, scratch: JournalEntry, out: SettleTotals): number {
  out.debitAmount = 0;
  out.debitCount = 0;
  out.creditAmount = 0;
  out.creditCount = 0;
  let n = 0;
  for (let i = 0; journal.entryAt(i, scratch); i++) {
    if (!settles(scratch)) continue;
    n++;
    if (scratch.type === TXN_VOID || scratch.type === TXN_REFUND) {
      out.creditAmount += scratch.amount;
      out.creditCount++;
    } else {
      out.debitAmount += scratch.amount;
      out.debitCount++;
    }
  }
  return n;
}

/** The 62 ASCII digits of a 0500 field 48 into out[0..62). @hot */
export function writeTotals48(t: SettleTotals, out: Uint8Array): number {
  writeAsciiDigits(out, 0, t.debitAmount % 1e12, 12);
  writeAsciiDigits(out, 12, t.debitCount % 1000, 3);
  writeAsciiDigits(out, 15, t.creditAmount % 1e12, 12);
  writeAsciiDigits(out, 27, t.creditCount % 1000, 3);
  for (let i = 30; i < TOTALS48_DIGITS; i++) out[i] = 48;
  return TOTALS48_DIGITS;
}

/**
 * One batch-upload item (40 ASCII digits) at out[off..]: "00" + STAN + PAN (masked digits as 0)
 * right-justified in 20 + amount. @hot
 */
export function writeUploadItem(e: JournalEntry, out: Uint8Array, off: number): void {
  out[off] = 48;
  out[off + 1] = 48;
  writeAsciiDigits(out, off + 2, e.stan % 1000000, 6);
  const p = e.pan;
  const len = p.length > 20 ? 20 : p.length;
  const at = off + 8 + 20 - len;
  for (let i = off + 8; i < off + 28; i++) out[i] = 48;
  const head = len < 6 ? len : 6;
  for (let i = 0; i < head; i++) out[at + i] = p.first6[i];
  const tail = len - head < 4 ? len - head : 4;
  for (let i = 0; i < tail; i++) out[at + len - tail + i] = p.last4[4 - tail + i];
  writeAsciiDigits(out, off + 28, e.amount % 1e12, 12);
}
