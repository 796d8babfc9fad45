/**
 * The transaction journal of the current batch: what the terminal did, for reprints ("last",
 * by trace), voids, settlement totals (field 48) and batch upload. One RecordLog: entry i of the
 * batch is key i (a status change rewrites that key), key `capacity` holds the batch-close
 * marker. Closing a batch is one record ("everything written before seq N is settled"), then a
 * log compaction that leaves the settled entries behind except the newest (reprint "last");
 * if that compaction cannot run, settled entries stay readable until their keys are reused.
 *
 * Kept per entry: type, amount (fen), masked PAN (first 6 + last 4), STAN, original STAN (void),
 * RRN, auth code, time, batch, status, entry mode, response code. Never the full PAN, track data,
 * PIN block or CVV: the entry type has no place for them.
 *
 * Bounded: at most `capacity` entries per batch; the next `add`/`reserve` fails with
 * STORE_ERR_JOURNAL_FULL ("journal full, settle first") and nothing already stored changes.
 *
 * Usage:
 *   const j = new Journal(store, { capacity: 100 }); j.open();
 *   if (j.nextKey >= j.capacity) ...;  // before sending anything (TxnStores.begin also makes flash room)
 *   e.type = TXN_SALE; ...; j.add(e);
 *   j.findByStan(123, out); j.findByStan(-1, out) (the newest); journalTotals(j, t); j.closeBatch(batch);
 *
 * RAM: one Int32Array word per entry (its trace, status and "settled" bit) beside the log's own
 * index; entries are read from flash into the log's shared payload buffer when asked for.
 */
import type { StoreLike } from "../../hal/store";
import { beN } from "./bytes";
import { STORE_ERR_JOURNAL_FULL, STORE_ERR_NOT_FOUND, STORE_ERR_RANGE, STORE_OK } from "./codes";
import { MaskedPan } from "./masked-pan";
import { LOG_PAYLOAD, RecordLog } from "./record-log";

// transaction types
export const TXN_SALE = 1;
export const TXN_VOID = 2;
export const TXN_REFUND = 3;
export const TXN_PREAUTH = 4;
export const TXN_PREAUTH_COMPLETE = 5;
export const TXN_PREAUTH_CANCEL = 6;

// entry status
export const J_APPROVED = 1;
export const J_DECLINED = 2;
export const J_REVERSED = 3;
export const J_REVERSAL_PENDING = 4;
export const J_REVERSAL_FAILED = 5;
export const J_VOIDED = 6;
/** Reported by `effectiveStatus` for any entry of a closed batch. */
export const J_SETTLED = 7;

export class JournalEntry {
  type = 0;
  status = 0;
  /** Amount in fen. */
  amount = 0;
  stan = 0;
  /** Trace of the original transaction (void, completion), 0 if none. */
  origStan = 0;
  batch = 0;
  /** Terminal time, seconds since the epoch. */
  time = 0;
  /** POS entry mode (field 22 as a number, e.g. 21 for "021"). */
  entryMode = 0;
  /** Field 39 as two ASCII codes: (c0 << 8) | c1; 0 when there was no reply. */
  respCode = 0;
  readonly pan = new MaskedPan();
  /** Field 37, 12 ASCII characters (0 bytes when absent). */
  readonly rrn = new Uint8Array(12);
  /** Field 38, 6 ASCII characters. */
  readonly authCode = new Uint8Array(6);
  /** Filled by queries: the entry belongs to a closed (settled) batch. */
  settled = false;

  /** @hot */
  clear(): void {
    this.type = 0;
    this.status = 0;
    this.amount = 0;
    this.stan = 0;
    this.origStan = 0;
    this.batch = 0;
    this.time = 0;
    this.entryMode = 0;
    this.respCode = 0;
    this.pan.fromPan(this.rrn, 0);
    this.rrn.fill(0);
    this.authCode.fill(0);
    this.settled = false;
  }
}

/** Field 48 inputs for the open batch (domestic cards; the profile has no foreign split). */
export class BatchTotals {
  debitAmount = 0;
  debitCount = 0;
  creditAmount = 0;
  creditCount = 0;
}

/**
 * Status to show: SETTLED for entries of a closed batch, else the stored one. (Tests and tools;
 * the firmware writes the one line out, so the bundle leaves this function out.) @hot
 */
export function effectiveStatus(e: JournalEntry): number {
  return e.settled ? J_SETTLED : e.status;
}

/**
 * Settlement totals of the journal's open batch. Debit: approved sales and pre-auth completions;
 * credit: approved refunds. Voided, reversed, declined, reversal-pending and reversal-failed
 * entries count nowhere, nor do voids and pre-authorisations themselves (a void removes its
 * original; a pre-auth is a hold). An uncertain entry (reversal failed) makes the host report
 * "not balanced", and the batch upload then settles the difference. (The engine counts as hosts
 * do instead: firmware/txn/settlement.ts. This one is for tests and the flash bench, outside the
 * Journal class so the firmware bundle leaves it out.)
 */
export function journalTotals(j: Journal, out: BatchTotals): void {
  out.debitAmount = 0;
  out.debitCount = 0;
  out.creditAmount = 0;
  out.creditCount = 0;
  const e = new JournalEntry();
  for (let i = 0; j.entryAt(i, e); i++) {
    if (e.status !== J_APPROVED) continue;
    if (e.type === TXN_SALE || e.type === TXN_PREAUTH_COMPLETE) {
      out.debitAmount += e.amount;
      out.debitCount++;
    } else if (e.type === TXN_REFUND) {
      out.creditAmount += e.amount;
      out.creditCount++;
    }
  }
}

/**
 * Entries in the open batch (tests and tools; the firmware walks entryAt until it returns false,
 * so the bundle leaves this out).
 */
export function journalCount(j: Journal): number {
  let n = 0;
  while (j.entryAt(n, null)) n++;
  return n;
}

export interface JournalOptions {
  name?: string;
  /** Entries per batch (default 100, at most 1000). */
  capacity?: number;
  /** Record area per log file; default fits `capacity` entries plus half as many updates. */
  bytes?: number;
}

/**
 * Entry layout, 57 bytes: 0 type | 1 status | 2 amount u48 | 8 stan u32 | 12 origStan u32 |
 * 16 batch u32 | 20 time u32 | 24 entryMode u16 | 26 respCode u16 | 28 masked PAN (length,
 * first 6, last 4) | 39 rrn[12] | 51 authCode[6].
 */
export const JOURNAL_ENTRY_BYTES = 57;
/** The entry's record on flash: 13 + 57 rounded up to 16. */
export const ENTRY_RECORD_BYTES = 80;
const META_BYTES = 8;

export class Journal {
  readonly log: RecordLog;
  readonly capacity: number;
  lastError = STORE_OK;
  /** Batch number of the last close (0 if never closed). */
  closedBatch = 0;
  /** Seq of the batch-close marker: entries written at or before it are settled. */
  private closedSeq = 0;
  /** Key the next entry takes: another entry fits in this batch while nextKey < capacity
   * (read it; the journal alone changes it). */
  nextKey = 0;
  /** Per key: -1 (no entry) or stan * 16 + status * 2 + (1 if settled). */
  private readonly info: Int32Array;

  constructor(store: StoreLike, options?: JournalOptions) {
    const o = options || {};
    const cap = o.capacity || 100;
    if (!(cap >= 1 && cap <= 1000)) throw new Error("Journal: capacity 1..1000");
    this.capacity = cap;
        // a batch of `capacity` entries plus half as many status changes fits one file, so the log
    // compacts once per batch (at its close) in normal use
    const spare = cap >> 1 > 4 ? cap >> 1 : 4;
    this.log = new RecordLog(store, {
      name: o.name || "jn",
      bytes: o.bytes || ENTRY_RECORD_BYTES * (cap + spare) + 32,
      keys: cap + 1,
      maxPayload: JOURNAL_ENTRY_BYTES,
    });
    this.info = new Int32Array(cap);
    this.info.fill(-1);
  }

  open(): number {
    const log = this.log;
    const rc = log.open();
    this.lastError = rc;
    if (rc !== STORE_OK) return rc;
    const p = LOG_PAYLOAD;
    this.closedSeq = 0;
    this.closedBatch = 0;
    if (log.read(this.capacity, p, 0) === META_BYTES) {
      this.closedSeq = beN(p, 0, 4);
      this.closedBatch = beN(p, 4, 4);
    }
    this.nextKey = 0;
    for (let k = 0; k < this.capacity; k++) {
      this.info[k] = -1;
      if (log.read(k, p, 0) !== JOURNAL_ENTRY_BYTES) continue;
      const settled = log.read(k, null, -1) <= this.closedSeq;
      this.info[k] = beN(p, 8, 4) * 16 + p[1] * 2 + (settled ? 1 : 0);
      if (!settled && k + 1 > this.nextKey) this.nextKey = k + 1;
    }
    return STORE_OK;
  }

  /** Append an entry to the open batch. @hot */
  add(e: JournalEntry): boolean {
    if (this.nextKey >= this.capacity) {
      this.lastError = STORE_ERR_JOURNAL_FULL;
      return false;
    }
    if (
      !(e.type >= TXN_SALE && e.type <= TXN_PREAUTH_CANCEL) ||
      !(e.status >= J_APPROVED && e.status <= J_VOIDED) ||
      !(e.amount >= 0 && e.amount < 1e12 && e.amount === Math.floor(e.amount)) ||
      !(e.stan >= 1 && e.stan <= 999999)
    ) {
      this.lastError = STORE_ERR_RANGE;
      return false;
    }
    const k = this.nextKey;
    const p = LOG_PAYLOAD;
    p[0] = e.type;
    p[1] = e.status;
    beN(p, 2, 6, e.amount);
    beN(p, 8, 4, e.stan);
    beN(p, 12, 4, e.origStan);
    beN(p, 16, 4, e.batch);
    beN(p, 20, 4, e.time);
    beN(p, 24, 2, e.entryMode);
    beN(p, 26, 2, e.respCode);
    p[28] = e.pan.length;
    // native copies (a statement a byte costs ~30,000 instructions on Espruino)
    p.set(e.pan.first6, 29);
    p.set(e.pan.last4, 35);
    p.set(e.rrn, 39);
    p.set(e.authCode, 51);
    const rc = this.log.append(k, JOURNAL_ENTRY_BYTES);
    this.lastError = rc;
    if (rc !== STORE_OK) return false;
    this.info[k] = e.stan * 16 + e.status * 2;
    this.nextKey = k + 1;
    return true;
  }

  /** Change the status of the open-batch entry with this trace (void, reversal outcome). */
  setStatus(stan: number, status: number): boolean {
    if (!(status >= J_APPROVED && status <= J_VOIDED)) {
      this.lastError = STORE_ERR_RANGE;
      return false;
    }
    const p = LOG_PAYLOAD;
    const k = this.keyOf(stan, true);
    if (k < 0 || this.log.read(k, p, 0) !== JOURNAL_ENTRY_BYTES) {
      this.lastError = STORE_ERR_NOT_FOUND;
      return false;
    }
    if (p[1] === status) {
      this.lastError = STORE_OK;
      return true;
    }
    p[1] = status;
    const rc = this.log.append(k, JOURNAL_ENTRY_BYTES);
    this.lastError = rc;
    if (rc !== STORE_OK) return false;
    this.info[k] = stan * 16 + status * 2;
    return true;
  }

  /** Status of the open-batch entry with this trace, 0 if none. @hot */
  statusOfStan(stan: number): number {
    const k = this.keyOf(stan, true);
    return k < 0 ? 0 : (this.info[k] >> 1) & 7;
  }

  /**
   * Newest entry (open or settled) with this trace into `out`; trace -1: the newest entry written
   * (reprint "last"; no method of its own: on Espruino each costs RAM). Here and in entryAt(),
   * `out` may be null: the entry's bytes are then left in LOG_PAYLOAD (layout above), for
   * TxnStores, which needs a field or two and keeps no entry object for it.
   */
  findByStan(stan: number, out: JournalEntry | null): boolean {
    const k = this.keyOf(stan, false);
    return this.entryAt(-1 - (k < 0 ? this.capacity : k), out);
  }

  /**
   * The i-th entry of the open batch, in the order written (batch upload, listing). A negative
   * `i` reads key -1 - i, of any batch (how findByStan reads its own: one reader, not a
   * helper method beside this one - on Espruino each method costs RAM).
   */
  entryAt(i: number, out: JournalEntry | null): boolean {
    let k = i < 0 ? -1 - i : -1;
    for (let j = 0, n = 0; k < 0 && j < this.nextKey; j++) {
      if (this.info[j] < 0 || (this.info[j] & 1) === 1) continue;
      if (n === i) k = j;
      n++;
    }
    const p = LOG_PAYLOAD;
    if (k < 0 || k >= this.capacity || this.log.read(k, p, 0) !== JOURNAL_ENTRY_BYTES) {
      this.lastError = STORE_ERR_NOT_FOUND;
      return false;
    }
    this.lastError = STORE_OK;
    if (out === null) return true;
    out.type = p[0];
    out.status = p[1];
    out.amount = beN(p, 2, 6);
    out.stan = beN(p, 8, 4);
    out.origStan = beN(p, 12, 4);
    out.batch = beN(p, 16, 4);
    out.time = beN(p, 20, 4);
    out.entryMode = beN(p, 24, 2);
    out.respCode = beN(p, 26, 2);
    out.pan.length = p[28];
    // masked PAN (first 6, last 4), rrn and auth code lie back to back at 29..56
    for (let j = 0; j < 28; j++) {
      if (j < 6) out.pan.first6[j] = p[29 + j];
      else if (j < 10) out.pan.last4[j - 6] = p[29 + j];
      else if (j < 22) out.rrn[j - 10] = p[29 + j];
      else out.authCode[j - 22] = p[29 + j];
    }
    out.settled = (this.info[k] & 1) === 1;
    return true;
  }


  /**
   * Close the open batch after settlement. Idempotent for the same batch number, so a
   * settlement resumed after a power cut can call it again.
   */
  closeBatch(batch: number): boolean {
    if (this.closedBatch === batch && !this.entryAt(0, null)) {
      this.lastError = STORE_OK;
      return true;
    }
    const log = this.log;
    const seq = log.lastSeq;
    beN(LOG_PAYLOAD, 0, 4, seq);
    beN(LOG_PAYLOAD, 4, 4, batch);
    const rc = log.append(this.capacity, META_BYTES);
    this.lastError = rc;
    if (rc !== STORE_OK) return false;
    this.closedSeq = seq;
    this.closedBatch = batch;
    this.nextKey = 0;
    for (let k = 0; k < this.capacity; k++) if (this.info[k] >= 0) this.info[k] |= 1;
    // start the next batch in a fresh file: the settled entries are left behind, except the
    // newest (reprint of the last receipt). The close above already stands if this fails.
    const lastKey = this.keyOf(-1, false);
    if (log.compact(seq, lastKey) === STORE_OK) {
      for (let k = 0; k < this.capacity; k++) if (k !== lastKey) this.info[k] = -1;
    }
    return true;
  }

  // ------------------------------------------------------------------ internals

  /**
   * Key of the newest entry with this trace (any trace when `stan` is -1; open batch only if
   * `openOnly`), -1 if none. @hot
   */
  private keyOf(stan: number, openOnly: boolean): number {
    let best = -1;
    let bestPos = -1;
    for (let k = 0; k < this.capacity; k++) {
      const v = this.info[k];
      if (v < 0 || (stan >= 0 && v >> 4 !== stan) || (openOnly && (v & 1) === 1)) continue;
      const at = this.log.idx[k] >> 16;
      if (at > bestPos) {
        bestPos = at;
        best = k;
      }
    }
    return best;
  }
}
