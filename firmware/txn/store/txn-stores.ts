/**
 * Everything the transaction core persists, over one StoreLike, and the ORDER of the writes that
 * keeps it consistent across a power cut at any byte (test/store/power-cut-sweep.test.ts cuts at
 * every one):
 *
 * Online transaction (sale, void, pre-auth):
 *   1. `begin()`            journal room reserved, no reversal pending, STAN persisted -> STAN
 *   2. reversals.persist()  0400 stored; false -> do not send
 *   3. send; on the reply:  `complete(entry)` = journal entry (a void also marks its original
 *      VOIDED), THEN reversal cleared
 *      (a cut between leaves the entry AND the reversal: boot marks the entry "reversal pending"
 *      and the reversal goes out - the safe side). No reply: reversals.setReason(98).
 *      Approved but the terminal failed after (card pulled, chip declined): reversals.setReason(06)
 *      and `complete()` with status J_REVERSAL_PENDING (the reversal stays).
 * Reversal: `reversalAttempt()` (try counted) -> send 0400 -> `reversalAck(code)` = journal entry
 *   REVERSED (a reversed void's original back to APPROVED before that), THEN the reversal
 *   deleted. Exhausted -> manual list + journal REVERSAL_FAILED. A cut during the last allowed
 *   try counts it as failed: the reversal goes to the manual list even if the host got it (the
 *   operator's call to the acquirer settles it; a reset loop can never retry forever).
 * Settlement: counters.setSettleStep(SETTLE_STARTED) -> pending reversal first -> 0500 (batch
 *   upload with SETTLE_UPLOADING + index) -> counters.setSettleStep(SETTLE_CLOSING) ->
 *   `finishSettlement()` = journal batch closed, THEN batch number advanced with step IDLE (one
 *   record). Boot finishes a CLOSING step by itself; STARTED / UPLOADING are resumed by the engine
 *   from `counters.settleStep` / `counters.uploadIndex`.
 *
 * Boot (`open()`): recover each log, then reconcile:
 *   pending reversal + journal entry REVERSED   -> the ack was handled: delete the reversal;
 *   pending reversal + journal entry APPROVED   -> entry becomes REVERSAL_PENDING;
 *   approved void whose original is APPROVED    -> original becomes VOIDED;
 *   manual-list entry + journal entry not final -> entry becomes REVERSAL_FAILED;
 *   settlement step CLOSING                     -> finishSettlement().
 *
 * Storage compaction: the logs never let Espruino compact Storage on its own (not power-safe).
 * Call `compactIfIdle()` at a quiet moment (idle screen, after settlement): it compacts only when
 * nothing is pending and free flash is below what the logs may need.
 *
 * Flash budget (bench/flash.bench.ts, default sizes, a 70-byte 0400 frame):
 *   sale        240 B = STAN 32 + 0400 stored 112 + journal entry 80 + reversal deleted 16
 *   reversal    per try 64 (try count 32 + trace counter 32), done 16 (+80 when journaled:
 *               status REVERSED); the 06 case with one try: 240 B
 *   settlement  ~300 B (two step records, batch close, batch advance, journal's fresh file;
 *               +92 when the counters log compacts in it)
 *   steady state ~270 B per sale including log compactions; ~180 B per sale of Storage trash,
 *   i.e. one Storage compaction per ~1250 sales in 256 KiB. Every record is bounded (the log's
 *   maximum record), so no transaction can write more than a fixed amount.
 *
 * RAM: three logs (counters "ct", journal "jn", reversal queue with its manual list "rv") sharing
 * one record buffer; see record-log.ts.
 */
import type { StoreLike } from "../../hal/store";
import { beN } from "./bytes";
import { STORE_ERR_JOURNAL_FULL, STORE_ERR_REVERSAL_PENDING, STORE_OK } from "./codes";
import { Counters, CountersOptions, SETTLE_CLOSING, SETTLE_IDLE } from "./counters";
import { ENTRY_RECORD_BYTES, J_APPROVED, J_REVERSAL_FAILED, J_REVERSAL_PENDING, J_REVERSED, J_VOIDED, Journal, JournalEntry, JournalOptions, TXN_VOID } from "./journal";
import { LOG_FILE_AREA, LOG_FILE_OVERHEAD, LOG_PAYLOAD } from "./record-log";
import { ACK_APPROVED, ACK_INVALID, ACK_NOT_FOUND, MANUAL_STAN, ReversalQueue, ReversalQueueOptions, RQ_DONE, RQ_ERROR, RQ_EXHAUSTED, RQ_NONE, RQ_RETRY } from "./reversal-queue";

export interface TxnStoresOptions {
  counters?: CountersOptions;
  journal?: JournalOptions;
  reversals?: ReversalQueueOptions;
}

export class TxnStores {
  readonly counters: Counters;
  readonly journal: Journal;
  readonly reversals: ReversalQueue;
  lastError = STORE_OK;
  /** Trace counter value the last reversal attempt advanced to. */
  reversalTrace = 0;
  private readonly store: StoreLike;

  constructor(store: StoreLike, options?: TxnStoresOptions) {
    const o = options || {};
    this.store = store;
    this.counters = new Counters(store, o.counters);
    this.journal = new Journal(store, o.journal);
    this.reversals = new ReversalQueue(store, o.reversals);
  }

  /** Recover and reconcile everything (see the header). Returns the first error, else STORE_OK. */
  open(): number {
    const q = this.reversals;
    const j = this.journal;
    let rc = q.open();
    const rc2 = j.open();
    if (rc === STORE_OK) rc = rc2;
    // if the counter record were ever lost, continue above the highest trace known elsewhere
    const p = LOG_PAYLOAD;
    let floor = j.findByStan(-1, null) ? beN(p, 8, 4) : 0; // the newest entry's trace
    if (q.isPending && q.pending.stan > floor) floor = q.pending.stan;
    const rc3 = this.counters.open(floor);
    if (rc === STORE_OK) rc = rc3;
    // reconcile (see the header)
    if (rc === STORE_OK && q.isPending) {
      const stan = q.pending.stan;
      const st = j.statusOfStan(stan);
      if (st === J_REVERSED) {
        if (!q.clear()) rc = q.lastError;
      } else if (st === J_APPROVED && !j.setStatus(stan, J_REVERSAL_PENDING)) {
        rc = j.lastError;
      }
    }
    // a void journaled approved whose original was not yet marked voided (entry bytes: type at
    // 0, status at 1, original trace at 12)
    for (let i = 0; rc === STORE_OK && j.entryAt(i, null); i++) {
      if (p[0] !== TXN_VOID || p[1] !== J_APPROVED) continue;
      const orig = beN(p, 12, 4);
      if (j.statusOfStan(orig) === J_APPROVED && !j.setStatus(orig, J_VOIDED)) rc = j.lastError;
    }
    // manual-list entries whose journal entry is not final yet
    for (let i = 0; rc === STORE_OK && q.manualAt(i, null); i++) {
      const stan = beN(p, MANUAL_STAN, 4);
      const st = j.statusOfStan(stan);
      if ((st === J_APPROVED || st === J_REVERSAL_PENDING) && !j.setStatus(stan, J_REVERSAL_FAILED)) rc = j.lastError;
    }
    if (rc === STORE_OK && this.counters.settleStep === SETTLE_CLOSING && !this.finishSettlement()) rc = this.lastError;
    this.lastError = rc;
    return rc;
  }

  /**
   * Start an online transaction: refuses while a reversal is pending (send it first) or the
   * journal is full (settle first); otherwise persists and returns the next STAN. 0 = refused.
   */
  begin(): number {
    if (this.reversals.isPending) {
      this.lastError = STORE_ERR_REVERSAL_PENDING;
      return 0;
    }
    // room for the entry in this batch, and flash room for it plus one status change, so the
    // writes after the host's answer cannot run out
    const j = this.journal;
    const rc = j.nextKey < j.capacity ? j.log.compact(-2 * ENTRY_RECORD_BYTES) : STORE_ERR_JOURNAL_FULL;
    if (rc !== STORE_OK) {
      this.lastError = j.lastError = rc;
      return 0;
    }
    const stan = this.counters.nextStan();
    this.lastError = this.counters.lastError;
    return stan;
  }

  /**
   * The host answered: journal the outcome, then clear the reversal unless the entry's status
   * is REVERSAL_PENDING (terminal-side failure after approval). False: the journal write failed;
   * the reversal stays pending - set its reason to 06 (an approved transaction the terminal
   * could not record must be reversed).
   */
  complete(e: JournalEntry): boolean {
    const j = this.journal;
    const q = this.reversals;
    let ok = j.add(e);
    // an approved void takes its original out of the totals (boot repeats this if cut here)
    if (ok && e.type === TXN_VOID && e.status === J_APPROVED && j.statusOfStan(e.origStan) === J_APPROVED) ok = j.setStatus(e.origStan, J_VOIDED);
    this.lastError = ok ? STORE_OK : j.lastError;
    if (ok && e.status !== J_REVERSAL_PENDING && q.isPending && q.pending.stan === e.stan && !q.clear()) {
      this.lastError = q.lastError;
      ok = false;
    }
    return ok;
  }

  /**
   * Before sending a pending 0400 (see ReversalQueue.nextAttempt); journals an exhausted one.
   * The 0400 keeps the original STAN, but the terminal's trace counter still advances
   * (PROTOCOL.md): `reversalTrace` is the number it used.
   */
  reversalAttempt(): number {
    const q = this.reversals;
    if (q.isPending && q.pending.tries < q.retryLimit) {
      this.reversalTrace = this.counters.nextStan();
      if (this.reversalTrace === 0) {
        this.lastError = this.counters.lastError;
        return RQ_ERROR;
      }
    }
    const r = q.nextAttempt();
    this.lastError = q.lastError;
    if (r === RQ_EXHAUSTED) {
      // journal it REVERSAL_FAILED (boot repeats this if it fails or is cut)
      const j = this.journal;
      const st = j.statusOfStan(q.slip.stan);
      if (st === J_APPROVED || st === J_REVERSAL_PENDING) j.setStatus(q.slip.stan, J_REVERSAL_FAILED);
    }
    return r;
  }

  /**
   * A 0410 arrived: on 00/12/25 the journal entry becomes REVERSED (a reversed void first puts
   * its original back to APPROVED), then the reversal goes.
   */
  reversalAck(code: number): number {
    const q = this.reversals;
    const j = this.journal;
    const done = code === ACK_APPROVED || code === ACK_INVALID || code === ACK_NOT_FOUND;
    if (q.isPending && done) {
      const stan = q.pending.stan;
      if (j.statusOfStan(stan) !== 0 && j.findByStan(stan, null)) {
        // entry bytes: type at 0, original trace at 12
        const orig = LOG_PAYLOAD[0] === TXN_VOID ? beN(LOG_PAYLOAD, 12, 4) : 0;
        const restore = orig > 0 && j.statusOfStan(orig) === J_VOIDED;
        // on failure keep the reversal: it goes out again and the host answers 25 or 00
        if ((restore && !j.setStatus(orig, J_APPROVED)) || !j.setStatus(stan, J_REVERSED)) {
          this.lastError = j.lastError;
          return RQ_ERROR;
        }
      }
    }
    // the reversal's side (here, not a method of the queue: on Espruino each method costs RAM)
    let r = RQ_NONE;
    if (q.isPending) {
      q.pending.lastResponse = code;
      r = !done ? RQ_RETRY : q.clear() ? RQ_DONE : RQ_ERROR;
    }
    this.lastError = q.lastError;
    return r;
  }


  /** Host settlement done: close the journal batch, then advance the batch (step IDLE). */
  finishSettlement(): boolean {
    if (!this.journal.closeBatch(this.counters.batch)) {
      this.lastError = this.journal.lastError;
      return false;
    }
    if (!this.counters.setSettleStep(SETTLE_IDLE, 0, -1)) {
      this.lastError = this.counters.lastError;
      return false;
    }
    this.lastError = STORE_OK;
    return true;
  }

  /**
   * Compact Storage when it is safe and useful: nothing pending, no settlement under way, and
   * free flash below `threshold` bytes (default: two files of each log). Espruino's compaction
   * moves files through RAM and is not power-safe; doing it only when idle keeps a cut during it
   * away from anything in flight. Returns true if it compacted.
   */
  compactIfIdle(threshold?: number): boolean {
    const s = this.store as StoreLike & { compact?: () => unknown };
    if (typeof s.compact !== "function") return false;
    if (this.reversals.isPending || this.counters.settleStep !== SETTLE_IDLE) return false;
    // default: storesFootprint(this), written out (a function costs RAM; the firmware needs it here only)
    const c = this.counters.log;
    const j = this.journal.log;
    const r = this.reversals.log;
    const need = threshold || 2 * (c.idx[c.keys + LOG_FILE_AREA] + j.idx[j.keys + LOG_FILE_AREA] + r.idx[r.keys + LOG_FILE_AREA] + 3 * LOG_FILE_OVERHEAD);
    let free = 0;
    try {
      free = s.getFree();
      if (free >= need) return false;
      s.compact();
    } catch (e) {
      return false;
    }
    return true;
  }

}

/**
 * Flash all logs take with both files of each present (the worst moment of a compaction).
 * For the flash bench and tests (compactIfIdle has the same sum written out): outside the class,
 * so the firmware bundle leaves it out.
 */
export function storesFootprint(s: TxnStores): number {
  const c = s.counters.log;
  const j = s.journal.log;
  const r = s.reversals.log;
  return 2 * (c.idx[c.keys + LOG_FILE_AREA] + j.idx[j.keys + LOG_FILE_AREA] + r.idx[r.keys + LOG_FILE_AREA] + 3 * LOG_FILE_OVERHEAD);
}
