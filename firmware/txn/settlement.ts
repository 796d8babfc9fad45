/**
 * Which journal entries count at settlement, as UnionPay terminals count them (and the host
 * simulator, hil/host/ledger.ts `totals`): debit = sales and pre-auth completions still standing
 * OR voided (the original of a void stays counted), credit = approved voids and refunds.
 * Declined, reversed, reversal-pending and reversal-failed entries count nowhere: an uncertain one
 * makes the host answer "not balanced" and the batch upload settles the difference.
 * (Journal.totals() in store/journal.ts nets voids out instead; hosts do not, so the engine uses
 * this.) The engine (engine.ts, settlement steps) writes the figures:
 * - 0500 field 48: debit n12 + count n3 + credit n12 + count n3 + flag, domestic then foreign
 *   (62 digits, flags 0 in the request);
 * - 0320 field 48: `NN` + NN items of org `00` + STAN 6 + PAN 20 (right-justified, zero-filled)
 *   + amount 12, at most 8 per message. The journal keeps only a masked PAN (first 6 + last 4), so
 *   the uploaded PAN has zeros in the middle digits: the host can match an item by STAN and
 *   amount, not by the full PAN.
 */
import { JournalEntry, J_APPROVED, J_VOIDED, TXN_PREAUTH_COMPLETE, TXN_REFUND, TXN_SALE, TXN_VOID } from "./store/journal";

/** Digits of a 0500 field 48. */
export const TOTALS48_DIGITS = 62;
/** Items per 0320 and digits per item. */
export const UPLOAD_MAX_ITEMS = 8;
export const UPLOAD_ITEM_DIGITS = 40;

/**
 * True when the entry counts at settlement (and is batch-uploaded when not balanced). The engine
 * writes this out where it needs it (each function costs RAM on Espruino): keep them alike. @hot
 */
export function settles(e: JournalEntry): boolean {
  if (e.type === TXN_SALE || e.type === TXN_PREAUTH_COMPLETE) return e.status === J_APPROVED || e.status === J_VOIDED;
  if (e.type === TXN_VOID || e.type === TXN_REFUND) return e.status === J_APPROVED;
  return false;
}
