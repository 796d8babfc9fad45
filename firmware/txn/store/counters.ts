/**
 * Terminal counters that must survive any power cut: the STAN (system trace audit number,
 * field 11) and the batch number (60.2), plus the settlement step so an interrupted settlement
 * resumes. One RecordLog, one key, a 13-byte record; every change rewrites the whole record, so
 * the fields always move together (advancing the batch and ending the settlement is one write).
 *
 * Rule (PROTOCOL.md): a STAN is persisted BEFORE it is used. `nextStan()` writes the next value
 * and only then returns it; if the write fails it returns 0 and the transaction must not start.
 * A cut during the write either leaves the old value (the new STAN was never handed out) or the
 * new one (handed out or skipped): a STAN is never handed out twice.
 *
 * Usage:
 *   const c = new Counters(store); c.open();
 *   const stan = c.nextStan(); if (stan === 0) refuse(c.lastError);
 */
import type { StoreLike } from "../../hal/store";
import { STORE_ERR_RANGE, STORE_OK } from "./codes";
import { beN } from "./bytes";
import { LOG_PAYLOAD, RecordLog } from "./record-log";

export const STAN_MAX = 999999;
export const BATCH_MAX = 999999;

/** Settlement steps (persisted before each is acted on). */
export const SETTLE_IDLE = 0;
/** 0500 about to be / being sent (pending reversal goes first). Resume: start the settlement again. */
export const SETTLE_STARTED = 1;
/** Host said "not balanced": batch upload (0320) in progress from `uploadIndex`. */
export const SETTLE_UPLOADING = 2;
/** Host side done: close the journal batch, then advance the batch number. Resume: finish locally. */
export const SETTLE_CLOSING = 3;

export interface CountersOptions {
  /** Log file base name (default "ct"). */
  name?: string;
  /** Record area per log file (default 512 bytes = 16 updates per compaction). */
  bytes?: number;
}

const PAYLOAD = 13; // stan u32, batch u32, step u8, uploadIndex u16, flags u16

export class Counters {
  readonly log: RecordLog;
  /** Last STAN handed out (0: none yet). */
  stan = 0;
  /** Current batch number (1..999999). */
  batch = 1;
  settleStep = SETTLE_IDLE;
  /** Batch upload position (journal index of the next record to upload). */
  uploadIndex = 0;
  /** Spare persisted bits (kept as found; the record has room for them). */
  flags = 0;
  lastError = STORE_OK;

  constructor(store: StoreLike, options?: CountersOptions) {
    const o = options || {};
    this.log = new RecordLog(store, { name: o.name || "ct", bytes: o.bytes || 512, keys: 1, maxPayload: PAYLOAD });
  }

  /**
   * Recover the counters. `stanFloor` (optional): the highest STAN known to be used elsewhere
   * (journal, reversal) - if the counter record was lost, numbering continues above it.
   */
  open(stanFloor?: number): number {
    const rc = this.log.open();
    this.lastError = rc;
    if (rc !== STORE_OK) return rc;
    const p = LOG_PAYLOAD;
    if (this.log.read(0, p, 0) === PAYLOAD) {
      this.stan = beN(p, 0, 4);
      this.batch = beN(p, 4, 4);
      this.settleStep = p[8];
      this.uploadIndex = beN(p, 9, 2);
      this.flags = beN(p, 11, 2);
    } else if (stanFloor && stanFloor > 0 && stanFloor <= STAN_MAX) {
      this.stan = stanFloor;
    }
    if (!(this.stan >= 0 && this.stan <= STAN_MAX)) this.stan = 0;
    if (!(this.batch >= 1 && this.batch <= BATCH_MAX)) this.batch = 1;
    return STORE_OK;
  }

  // Each change below writes the whole record (stan u32, batch u32, step u8, upload u16, flags
  // u16) from LOG_PAYLOAD in one append; the fields change in RAM only once it is on flash. (The
  // write is repeated in each method rather than shared: on Espruino a helper function costs RAM.)

  /**
   * Persist and return the next STAN (1..999999, wraps to 1); 0 if it could not be persisted
   * (lastError says why): then the transaction must not be sent.
   * @hot
   */
  nextStan(): number {
    const next = this.stan >= STAN_MAX ? 1 : this.stan + 1;
    const p = LOG_PAYLOAD;
    beN(p, 0, 4, next);
    beN(p, 4, 4, this.batch);
    p[8] = this.settleStep;
    beN(p, 9, 2, this.uploadIndex);
    beN(p, 11, 2, this.flags);
    this.lastError = this.log.append(0, PAYLOAD);
    if (this.lastError !== STORE_OK) return 0;
    this.stan = next;
    return next;
  }

  /**
   * Persist the settlement step (and upload position) before acting on it. `batch`: omitted or 0
   * keeps the batch number; -1 advances it (999999 wraps to 1) in the same record, so the end of
   * a settlement is setSettleStep(SETTLE_IDLE, 0, -1); 1..999999 adopts the number the host gives
   * at sign-in (60.2; no write when it is the current one). (One method, not three: on Espruino
   * each costs RAM.)
   */
  setSettleStep(step: number, uploadIndex: number, batch?: number): boolean {
    const b = !batch ? this.batch : batch !== -1 ? batch : this.batch >= BATCH_MAX ? 1 : this.batch + 1;
    if (!(step >= SETTLE_IDLE && step <= SETTLE_CLOSING) || !(uploadIndex >= 0 && uploadIndex <= 0xffff) || !(b >= 1 && b <= BATCH_MAX)) {
      this.lastError = STORE_ERR_RANGE;
      return false;
    }
    if (batch === this.batch) return true;
    const p = LOG_PAYLOAD;
    beN(p, 0, 4, this.stan);
    beN(p, 4, 4, b);
    p[8] = step;
    beN(p, 9, 2, uploadIndex);
    beN(p, 11, 2, this.flags);
    this.lastError = this.log.append(0, PAYLOAD);
    if (this.lastError !== STORE_OK) return false;
    this.batch = b;
    this.settleStep = step;
    this.uploadIndex = uploadIndex;
    return true;
  }
}
