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
 *   if (!j.reserve()) showError(j.lastError);  // before sending anything
 *   e.type = TXN_SALE; ...; j.add(e);
 *   j.findByStan(123, out); j.last(out); j.totals(t); j.closeBatch(batch);
 */
import type { StoreLike } from "../../hal/store";
import { getU16, getU32, getU48, putU16, putU32, putU48 } from "./bytes";
import { STORE_ERR_JOURNAL_FULL, STORE_ERR_NOT_FOUND, STORE_ERR_RANGE, STORE_OK } from "./codes";
import { MaskedPan } from "./masked-pan";
import { RecordLog } from "./record-log";

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
    this.pan.clear();
    this.rrn.fill(0);
    this.authCode.fill(0);
    this.settled = false;
  }

  /** @hot */
  copyFrom(o: JournalEntry): void {
    this.type = o.type;
    this.status = o.status;
    this.amount = o.amount;
    this.stan = o.stan;
    this.origStan = o.origStan;
    this.batch = o.batch;
    this.time = o.time;
    this.entryMode = o.entryMode;
    this.respCode = o.respCode;
    this.pan.copyFrom(o.pan);
    this.rrn.set(o.rrn);
    this.authCode.set(o.authCode);
    this.settled = o.settled;
  }
}

/** Field 48 inputs for the open batch (domestic cards; the profile has no foreign split). */
export class BatchTotals {
  debitAmount = 0;
  debitCount = 0;
  creditAmount = 0;
  creditCount = 0;
}

/** Status to show: SETTLED for entries of a closed batch, else the stored one. @hot */
export function effectiveStatus(e: JournalEntry): number {
  return e.settled ? J_SETTLED : e.status;
}

export interface JournalOptions {
  name?: string;
  /** Entries per batch (default 100, at most 1000). */
  capacity?: number;
  /** Record area per log file; default fits `capacity` entries plus half as many updates. */
  bytes?: number;
}

export const JOURNAL_ENTRY_BYTES = 57;
const META_BYTES = 8;

export class Journal {
  readonly log: RecordLog;
  readonly capacity: number;
  lastError = STORE_OK;
  /** Seq of the batch-close marker: entries written at or before it are settled. */
  private closedSeq = 0;
  private closedBatch = 0;
  private nextKey = 0;
  private readonly stanOf: Int32Array;
  private readonly statusOf: Uint8Array;
  private readonly scratch = new Uint8Array(JOURNAL_ENTRY_BYTES);
  private readonly tmp = new JournalEntry();

  constructor(store: StoreLike, options?: JournalOptions) {
    const o = options || {};
    const cap = o.capacity || 100;
    if (!(cap >= 1 && cap <= 1000)) throw new Error("Journal: capacity 1..1000");
    this.capacity = cap;
    const per = Math.ceil((13 + JOURNAL_ENTRY_BYTES) / 16) * 16;
    // a batch of `capacity` entries plus half as many status changes fits one file, so the log
    // compacts once per batch (at its close) in normal use
    const spare = cap >> 1 > 4 ? cap >> 1 : 4;
    this.log = new RecordLog(store, {
      name: o.name || "jn",
      bytes: o.bytes || per * (cap + spare) + 32,
      keys: cap + 1,
      maxPayload: JOURNAL_ENTRY_BYTES,
    });
    this.stanOf = new Int32Array(cap);
    this.statusOf = new Uint8Array(cap);
  }

  open(): number {
    const rc = this.log.open();
    this.lastError = rc;
    if (rc !== STORE_OK) return rc;
    const meta = this.capacity;
    this.closedSeq = 0;
    this.closedBatch = 0;
    if (this.log.read(meta, this.scratch, 0) === META_BYTES) {
      this.closedSeq = getU32(this.scratch, 0);
      this.closedBatch = getU32(this.scratch, 4);
    }
    this.nextKey = 0;
    for (let k = 0; k < this.capacity; k++) {
      this.stanOf[k] = -1;
      this.statusOf[k] = 0;
      if (this.log.read(k, this.scratch, 0) !== JOURNAL_ENTRY_BYTES) continue;
      this.stanOf[k] = getU32(this.scratch, 8);
      this.statusOf[k] = this.scratch[1];
      if (this.isOpenKey(k) && k + 1 > this.nextKey) this.nextKey = k + 1;
    }
    return STORE_OK;
  }

  /** Entries in the open batch. @hot */
  count(): number {
    let n = 0;
    for (let k = 0; k < this.nextKey; k++) if (this.isOpenKey(k)) n++;
    return n;
  }

  /** True when another entry fits in this batch. @hot */
  hasRoom(): boolean {
    return this.nextKey < this.capacity;
  }

  /**
   * Before an online transaction is sent: room for its entry in this batch and flash room for
   * the entry plus one status change, so the writes after the host's answer cannot run out.
   */
  reserve(): boolean {
    if (!this.hasRoom()) {
      this.lastError = STORE_ERR_JOURNAL_FULL;
      return false;
    }
    const rc = this.log.ensureRoom(2 * this.log.recordBytes(JOURNAL_ENTRY_BYTES));
    this.lastError = rc;
    return rc === STORE_OK;
  }

  /** Append an entry to the open batch. */
  add(e: JournalEntry): boolean {
    if (!this.hasRoom()) {
      this.lastError = STORE_ERR_JOURNAL_FULL;
      return false;
    }
    if (!validEntry(e)) {
      this.lastError = STORE_ERR_RANGE;
      return false;
    }
    const k = this.nextKey;
    encode(e, this.log.payload);
    const rc = this.log.append(k, JOURNAL_ENTRY_BYTES);
    this.lastError = rc;
    if (rc !== STORE_OK) return false;
    this.stanOf[k] = e.stan;
    this.statusOf[k] = e.status;
    this.nextKey = k + 1;
    return true;
  }

  /** Change the status of the open-batch entry with this trace (void, reversal outcome). */
  setStatus(stan: number, status: number): boolean {
    if (!(status >= J_APPROVED && status <= J_VOIDED)) {
      this.lastError = STORE_ERR_RANGE;
      return false;
    }
    const k = this.keyOf(stan, true);
    if (k < 0 || this.log.read(k, this.log.payload, 0) !== JOURNAL_ENTRY_BYTES) {
      this.lastError = STORE_ERR_NOT_FOUND;
      return false;
    }
    if (this.log.payload[1] === status) {
      this.lastError = STORE_OK;
      return true;
    }
    this.log.payload[1] = status;
    const rc = this.log.append(k, JOURNAL_ENTRY_BYTES);
    this.lastError = rc;
    if (rc !== STORE_OK) return false;
    this.statusOf[k] = status;
    return true;
  }

  /** Status of the open-batch entry with this trace, 0 if none. @hot */
  statusOfStan(stan: number): number {
    const k = this.keyOf(stan, true);
    return k < 0 ? 0 : this.statusOf[k];
  }

  /** Newest entry (open or settled) with this trace into `out`. */
  findByStan(stan: number, out: JournalEntry): boolean {
    return this.readKey(this.keyOf(stan, false), out);
  }

  /** The newest entry written (for "reprint last"). */
  last(out: JournalEntry): boolean {
    return this.readKey(this.newestKey(), out);
  }

  /** The i-th entry of the open batch, in the order written (batch upload, listing). */
  entryAt(i: number, out: JournalEntry): boolean {
    let n = 0;
    for (let k = 0; k < this.nextKey; k++) {
      if (!this.isOpenKey(k)) continue;
      if (n === i) return this.readKey(k, out);
      n++;
    }
    this.lastError = STORE_ERR_NOT_FOUND;
    return false;
  }

  /**
   * Settlement totals of the open batch. Debit: approved sales and pre-auth completions;
   * credit: approved refunds. Voided, reversed, declined, reversal-pending and reversal-failed
   * entries count nowhere, nor do voids and pre-authorisations themselves (a void removes its
   * original; a pre-auth is a hold). An uncertain entry (reversal failed) makes the host report
   * "not balanced", and the batch upload then settles the difference.
   */
  totals(out: BatchTotals): void {
    out.debitAmount = 0;
    out.debitCount = 0;
    out.creditAmount = 0;
    out.creditCount = 0;
    const e = this.tmp;
    for (let k = 0; k < this.nextKey; k++) {
      if (!this.isOpenKey(k) || this.statusOf[k] !== J_APPROVED) continue;
      if (!this.readKey(k, e)) continue;
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
   * Close the open batch after settlement. Idempotent for the same batch number, so a
   * settlement resumed after a power cut can call it again.
   */
  closeBatch(batch: number): boolean {
    if (this.closedBatch === batch && this.count() === 0) {
      this.lastError = STORE_OK;
      return true;
    }
    const p = this.log.payload;
    putU32(p, 0, this.log.lastSeq());
    putU32(p, 4, batch);
    const rc = this.log.append(this.capacity, META_BYTES);
    this.lastError = rc;
    if (rc !== STORE_OK) return false;
    this.closedSeq = getU32(p, 0);
    this.closedBatch = batch;
    this.nextKey = 0;
    // start the next batch in a fresh file: the settled entries are left behind, except the
    // newest (reprint of the last receipt). The close above already stands if this fails.
    const lastKey = this.newestKey();
    if (this.log.compact(this.closedSeq, lastKey) === STORE_OK) {
      for (let k = 0; k < this.capacity; k++) {
        if (k !== lastKey) this.stanOf[k] = -1;
      }
    }
    return true;
  }

  /** Batch number of the last close (0 if never closed). */
  lastClosedBatch(): number {
    return this.closedBatch;
  }

  // ------------------------------------------------------------------ internals

  /** Key of the newest entry, -1 if none. @hot */
  private newestKey(): number {
    let best = -1;
    let bestSeq = 0;
    for (let k = 0; k < this.capacity; k++) {
      if (this.stanOf[k] < 0) continue;
      const s = this.log.seq(k);
      if (s > bestSeq) {
        bestSeq = s;
        best = k;
      }
    }
    return best;
  }

  /** @hot */
  private isOpenKey(k: number): boolean {
    return this.stanOf[k] >= 0 && this.log.seq(k) > this.closedSeq;
  }

  /** Key of the newest entry with this trace (open batch only if `openOnly`), -1 if none. @hot */
  private keyOf(stan: number, openOnly: boolean): number {
    let best = -1;
    let bestSeq = 0;
    for (let k = 0; k < this.capacity; k++) {
      if (this.stanOf[k] !== stan) continue;
      if (openOnly && !this.isOpenKey(k)) continue;
      const s = this.log.seq(k);
      if (s > bestSeq) {
        bestSeq = s;
        best = k;
      }
    }
    return best;
  }

  private readKey(k: number, out: JournalEntry): boolean {
    if (k < 0 || this.log.read(k, this.scratch, 0) !== JOURNAL_ENTRY_BYTES) {
      this.lastError = STORE_ERR_NOT_FOUND;
      return false;
    }
    decode(this.scratch, out);
    out.settled = this.log.seq(k) <= this.closedSeq;
    this.lastError = STORE_OK;
    return true;
  }
}

/** @hot */
function validEntry(e: JournalEntry): boolean {
  return (
    e.type >= TXN_SALE && e.type <= TXN_PREAUTH_CANCEL &&
    e.status >= J_APPROVED && e.status <= J_VOIDED &&
    e.amount >= 0 && e.amount < 1e12 && e.amount === Math.floor(e.amount) &&
    e.stan >= 1 && e.stan <= 999999
  );
}

/** Entry layout, 57 bytes. @hot */
function encode(e: JournalEntry, p: Uint8Array): void {
  p[0] = e.type;
  p[1] = e.status;
  putU48(p, 2, e.amount);
  putU32(p, 8, e.stan);
  putU32(p, 12, e.origStan);
  putU32(p, 16, e.batch);
  putU32(p, 20, e.time);
  putU16(p, 24, e.entryMode);
  putU16(p, 26, e.respCode);
  e.pan.writeTo(p, 28);
  for (let i = 0; i < 12; i++) p[39 + i] = e.rrn[i];
  for (let i = 0; i < 6; i++) p[51 + i] = e.authCode[i];
}

/** @hot */
function decode(p: Uint8Array, e: JournalEntry): void {
  e.type = p[0];
  e.status = p[1];
  e.amount = getU48(p, 2);
  e.stan = getU32(p, 8);
  e.origStan = getU32(p, 12);
  e.batch = getU32(p, 16);
  e.time = getU32(p, 20);
  e.entryMode = getU16(p, 24);
  e.respCode = getU16(p, 26);
  e.pan.readFrom(p, 28);
  for (let i = 0; i < 12; i++) e.rrn[i] = p[39 + i];
  for (let i = 0; i < 6; i++) e.authCode[i] = p[51 + i];
}
