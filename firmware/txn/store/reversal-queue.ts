/**
 * The reversal (冲正) queue, exactly PROTOCOL.md's rules:
 * - `persist()` stores the 0400 BEFORE the request leaves the terminal; if it returns false the
 *   request must not be sent (`lastError` says why: flash full, a reversal already pending, a
 *   sensitive field in the message...).
 * - reason (field 39): 98 no reply (the default: a terminal that dies waiting did not get one),
 *   A0 reply MAC failed, 06 terminal-side failure after approval (`setReason`).
 * - `clear()` when the host answered the original and the terminal completed it;
 *   `onAck(code)` with the 0410's field 39: 00, 12 and 25 all mean done.
 * - `nextAttempt()` before each send counts the try on flash first (a reset loop cannot retry
 *   forever); after `retryLimit` (default 3) failed tries the reversal moves to the persisted
 *   manual-handling list and `slip` holds the "reversal failed - contact the acquirer" details
 *   (trace, amount, masked PAN, time) for the UI to print. Nothing is dropped silently: when the
 *   manual list is full the reversal stays pending (STORE_ERR_MANUAL_FULL).
 * - the original STAN is kept (it is in the stored message and in `pending.stan`).
 * Only one reversal is pending at a time (the next transaction cannot go before it).
 *
 * What is stored: the packed 0400 frame the engine built with its codec (length prefix, TPDU +
 * header, MTI, bitmap, fields; MAC optional, it is recomputed when sending), plus the slip data.
 * Never stored: field 26 (PIN capture code), 35/36 (track 2/3), 52 (PIN block), 53 (security
 * control): a frame whose bitmap has any of them is refused (STORE_ERR_SENSITIVE_FIELD). Field 2
 * (full PAN) is cut out of the frame before it is written (bitmap bit cleared, length prefix
 * fixed): the host finds the original by terminal id, merchant id, batch and STAN, so the
 * terminal never keeps a full PAN on flash. `keepPan: true` keeps field 2 for a host that insists.
 * When sending, the engine unpacks the stored frame, sets field 39 from `reason`, and packs it
 * again with a fresh MAC.
 *
 * Flash: the reversal log (`rv`) holds key 0 = the message (seq = the reversal's id) and key 1 =
 * its state (reason, tries); the manual list is its own log (`rm`), one key per entry.
 * Moving to the manual list writes the manual entry first, then deletes the pending one; boot
 * recovery finishes a move cut in between (same id on both sides), so a reversal is never in
 * both places and never in neither.
 *
 * Usage:
 *   const q = new ReversalQueue(store); q.open();
 *   if (!q.persist(frame, frameLen, 13, info)) refuse(q.lastError);   // then send the 0200
 *   ... reply ok -> q.clear();  no reply -> q.setReason(REASON_NO_REPLY);
 *   before the next online txn: if (q.nextAttempt() === RQ_SEND) { q.loadMessage(buf); send 0400 }
 *   0410 arrives -> q.onAck(field39);
 */
import type { StoreLike } from "../../hal/store";
import { getU16, getU32, getU48, putU16, putU32, putU48 } from "./bytes";
import {
  STORE_ERR_BAD_MESSAGE,
  STORE_ERR_MANUAL_FULL,
  STORE_ERR_NOT_FOUND,
  STORE_ERR_RANGE,
  STORE_ERR_REVERSAL_PENDING,
  STORE_ERR_SENSITIVE_FIELD,
  STORE_ERR_TOO_BIG,
  STORE_OK,
} from "./codes";
import { MaskedPan } from "./masked-pan";
import { RecordLog } from "./record-log";

/** Reason codes: field 39 as two ASCII codes, (c0 << 8) | c1. */
export const REASON_NO_REPLY = 0x3938; // "98"
export const REASON_MAC_FAILED = 0x4130; // "A0"
export const REASON_TERMINAL = 0x3036; // "06"

/** 0410 codes that end a reversal. */
export const ACK_APPROVED = 0x3030; // "00"
export const ACK_INVALID = 0x3132; // "12"
export const ACK_NOT_FOUND = 0x3235; // "25"

/** nextAttempt() / onAck() results (the error case returns RQ_ERROR with lastError set). */
export const RQ_NONE = 0;
export const RQ_SEND = 1;
export const RQ_EXHAUSTED = 2;
export const RQ_DONE = 3;
export const RQ_RETRY = 4;
export const RQ_ERROR = 5;

/** What a reversal is about: enough to print the failed-reversal slip. */
export class ReversalSlip {
  /** Journal transaction type (TXN_SALE ...). */
  type = 0;
  stan = 0;
  /** Fen. */
  amount = 0;
  /** Seconds since the epoch. */
  time = 0;
  readonly pan = new MaskedPan();
  reason = REASON_NO_REPLY;
  /** Last 0410 field 39 seen (0: none: no reply). */
  lastResponse = 0;
  tries = 0;

  /** @hot */
  copyFrom(o: ReversalSlip): void {
    this.type = o.type;
    this.stan = o.stan;
    this.amount = o.amount;
    this.time = o.time;
    this.pan.copyFrom(o.pan);
    this.reason = o.reason;
    this.lastResponse = o.lastResponse;
    this.tries = o.tries;
  }
}

export interface ReversalQueueOptions {
  /** Log base names (defaults "rv" and "rm"). */
  name?: string;
  manualName?: string;
  /** Failed tries before manual handling (default 3). */
  retryLimit?: number;
  /** Largest stored 0400 frame in bytes (default 300). */
  maxMessage?: number;
  /** Manual-handling list entries (default 8). */
  manualCapacity?: number;
  /** Keep field 2 (full PAN) in the stored 0400 (default false: cut out). */
  keepPan?: boolean;
}

const KEY_MESSAGE = 0;
const KEY_STATE = 1;
const MSG_HEAD = 28; // type 1, stan 4, amount 6, time 4, pan 11, frame length 2
const STATE_BYTES = 11; // id 4, reason 2, tries 1, last response 2, flags 2
const MANUAL_BYTES = 35; // id 4, type 1, stan 4, amount 6, time 4, pan 11, reason 2, response 2, tries 1

export class ReversalQueue {
  readonly log: RecordLog;
  readonly manual: RecordLog;
  readonly retryLimit: number;
  readonly maxMessage: number;
  readonly keepPan: boolean;
  /** The pending reversal (valid while hasPending()). */
  readonly pending = new ReversalSlip();
  /** Filled when a reversal runs out of tries: print it. */
  readonly slip = new ReversalSlip();
  lastError = STORE_OK;
  private isPending = false;
  private id = 0;
  private readonly manualId: Int32Array;
  private readonly manualStan: Int32Array;
  private readonly scratch: Uint8Array;

  constructor(store: StoreLike, options?: ReversalQueueOptions) {
    const o = options || {};
    this.retryLimit = o.retryLimit || 3;
    this.maxMessage = o.maxMessage || 300;
    this.keepPan = !!o.keepPan;
    const manualCap = o.manualCapacity || 8;
    const recMsg = Math.ceil((13 + MSG_HEAD + this.maxMessage) / 16) * 16;
    const recState = Math.ceil((13 + STATE_BYTES) / 16) * 16;
    // room for a few reversal lifetimes (message, reason, tries, delete) between compactions:
    // each compaction leaves a file of trash in Storage, so fewer is better
    this.log = new RecordLog(store, {
      name: o.name || "rv",
      bytes: 4 * recMsg + 2 * (this.retryLimit + 6) * recState + 16,
      keys: 2,
      maxPayload: MSG_HEAD + this.maxMessage,
    });
    const recManual = Math.ceil((13 + MANUAL_BYTES) / 16) * 16;
    this.manual = new RecordLog(store, {
      name: o.manualName || "rm",
      bytes: recManual * (manualCap + 4),
      keys: manualCap,
      maxPayload: MANUAL_BYTES,
    });
    this.manualId = new Int32Array(manualCap);
    this.manualStan = new Int32Array(manualCap);
    this.scratch = new Uint8Array(MSG_HEAD + this.maxMessage);
  }

  /** Recover both logs; finish a move to the manual list that a power cut interrupted. */
  open(): number {
    let rc = this.log.open();
    const rc2 = this.manual.open();
    if (rc === STORE_OK) rc = rc2;
    this.lastError = rc;
    if (rc !== STORE_OK) return rc;
    for (let k = 0; k < this.manualId.length; k++) {
      this.manualId[k] = -1;
      this.manualStan[k] = -1;
      if (this.manual.read(k, this.scratch, 0) !== MANUAL_BYTES) continue;
      this.manualId[k] = getU32(this.scratch, 0);
      this.manualStan[k] = getU32(this.scratch, 5);
    }
    this.isPending = false;
    if (this.log.read(KEY_MESSAGE, this.scratch, 0) >= MSG_HEAD) {
      const p = this.scratch;
      const s = this.pending;
      s.type = p[0];
      s.stan = getU32(p, 1);
      s.amount = getU48(p, 5);
      s.time = getU32(p, 11);
      s.pan.readFrom(p, 15);
      s.reason = REASON_NO_REPLY;
      s.tries = 0;
      s.lastResponse = 0;
      this.id = this.log.seq(KEY_MESSAGE);
      if (this.log.read(KEY_STATE, p, 0) === STATE_BYTES && getU32(p, 0) === this.id) {
        s.reason = getU16(p, 4);
        s.tries = p[6];
        s.lastResponse = getU16(p, 7);
      }
      this.isPending = true;
      if (this.manualKeyOf(this.id, s.stan) >= 0) {
        // the move to manual handling was cut after the manual entry was written
        const r = this.log.remove(KEY_MESSAGE);
        if (r === STORE_OK) this.isPending = false;
        else {
          this.lastError = r;
          return r;
        }
      }
    }
    return STORE_OK;
  }

  /** @hot */
  hasPending(): boolean {
    return this.isPending;
  }

  /**
   * Store the 0400 for a request about to be sent. `frame[0..len)` is the packed 0400 and
   * `mtiOffset` where its MTI starts (2 + TPDU/header length, 13 for UnionPay). `info` gives the
   * slip data (type, stan, amount, time, masked PAN). False: do not send (see lastError).
   */
  persist(frame: Uint8Array, len: number, mtiOffset: number, info: ReversalSlip): boolean {
    if (this.isPending) return this.fail(STORE_ERR_REVERSAL_PENDING);
    if (!(info.stan >= 1 && info.stan <= 999999) || !(info.amount >= 0 && info.amount < 1e12)) return this.fail(STORE_ERR_RANGE);
    if (!(len <= frame.length && mtiOffset >= 0 && mtiOffset + 10 <= len)) return this.fail(STORE_ERR_BAD_MESSAGE);
    if (frame[mtiOffset] !== 0x04 || frame[mtiOffset + 1] !== 0x00) return this.fail(STORE_ERR_BAD_MESSAGE);
    const map = mtiOffset + 2;
    if (bit(frame, map, 26) || bit(frame, map, 35) || bit(frame, map, 36) || bit(frame, map, 52) || bit(frame, map, 53)) {
      return this.fail(STORE_ERR_SENSITIVE_FIELD);
    }
    const fields = map + (bit(frame, map, 1) ? 16 : 8);
    if (fields > len) return this.fail(STORE_ERR_BAD_MESSAGE);
    // field 2 is the first field after the bitmap: LL = 1 BCD byte counting digits
    let cut = 0;
    if (bit(frame, map, 2) && !this.keepPan) {
      if (fields >= len) return this.fail(STORE_ERR_BAD_MESSAGE);
      const l = frame[fields];
      const digits = (l >> 4) * 10 + (l & 15);
      if ((l >> 4) > 9 || (l & 15) > 9 || digits > 19 || digits < 1) return this.fail(STORE_ERR_BAD_MESSAGE);
      cut = 1 + ((digits + 1) >> 1);
      if (fields + cut > len) return this.fail(STORE_ERR_BAD_MESSAGE);
    }
    const outLen = len - cut;
    if (outLen > this.maxMessage) return this.fail(STORE_ERR_TOO_BIG);
    // room for this reversal's whole life, so its later writes never need a compaction
    const room = this.log.ensureRoom(
      this.log.recordBytes(MSG_HEAD + outLen) + (this.retryLimit + 3) * this.log.recordBytes(STATE_BYTES) + this.log.recordBytes(0),
    );
    if (room !== STORE_OK) return this.fail(room);
    const p = this.log.payload;
    p[0] = info.type;
    putU32(p, 1, info.stan);
    putU48(p, 5, info.amount);
    putU32(p, 11, info.time);
    info.pan.writeTo(p, 15);
    putU16(p, 26, outLen);
    let w = MSG_HEAD;
    for (let i = 0; i < len; i++) {
      if (cut > 0 && i >= fields && i < fields + cut) continue;
      p[w++] = frame[i];
    }
    if (cut > 0) {
      const m = MSG_HEAD + map;
      p[m] = p[m] & 0xbf; // clear bit 2
      if (mtiOffset >= 2) putU16(p, MSG_HEAD, getU16(p, MSG_HEAD) - cut); // 2-byte length prefix
    }
    const rc = this.log.append(KEY_MESSAGE, MSG_HEAD + outLen);
    if (rc !== STORE_OK) return this.fail(rc);
    this.id = this.log.seq(KEY_MESSAGE);
    this.pending.copyFrom(info);
    this.pending.reason = REASON_NO_REPLY;
    this.pending.tries = 0;
    this.pending.lastResponse = 0;
    this.isPending = true;
    this.lastError = STORE_OK;
    return true;
  }

  /** Set field 39 of the pending reversal (98 / A0 / 06), persisted. */
  setReason(reason: number): boolean {
    if (!this.isPending) return this.fail(STORE_ERR_NOT_FOUND);
    if (reason !== REASON_NO_REPLY && reason !== REASON_MAC_FAILED && reason !== REASON_TERMINAL) return this.fail(STORE_ERR_RANGE);
    if (reason === this.pending.reason) {
      this.lastError = STORE_OK;
      return true;
    }
    if (!this.saveState(reason, this.pending.tries, this.pending.lastResponse)) return false;
    this.pending.reason = reason;
    return true;
  }

  /** The host answered the original and the terminal completed it: no reversal. */
  clear(): boolean {
    if (!this.isPending) {
      this.lastError = STORE_OK;
      return true;
    }
    const rc = this.log.remove(KEY_MESSAGE);
    if (rc !== STORE_OK) return this.fail(rc);
    this.isPending = false;
    this.lastError = STORE_OK;
    return true;
  }

  /**
   * Before sending the 0400: RQ_SEND (try counted on flash: send now), RQ_NONE (nothing
   * pending), RQ_EXHAUSTED (moved to the manual list: print `slip`), RQ_ERROR (flash write
   * failed: do not send; lastError).
   */
  nextAttempt(): number {
    if (!this.isPending) return RQ_NONE;
    if (this.pending.tries >= this.retryLimit) return this.moveToManual();
    if (!this.saveState(this.pending.reason, this.pending.tries + 1, this.pending.lastResponse)) return RQ_ERROR;
    this.pending.tries++;
    return RQ_SEND;
  }

  /** A 0410 arrived with field 39 `code`: RQ_DONE (cleared), RQ_RETRY, or RQ_ERROR. */
  onAck(code: number): number {
    if (!this.isPending) return RQ_NONE;
    this.pending.lastResponse = code;
    if (code === ACK_APPROVED || code === ACK_INVALID || code === ACK_NOT_FOUND) return this.clear() ? RQ_DONE : RQ_ERROR;
    return RQ_RETRY;
  }

  /** Copy the stored 0400 frame into out[0..]; returns its length, or -1. */
  loadMessage(out: Uint8Array): number {
    if (!this.isPending) return this.failN(STORE_ERR_NOT_FOUND);
    const n = this.log.read(KEY_MESSAGE, this.scratch, 0);
    if (n < MSG_HEAD) return this.failN(STORE_ERR_NOT_FOUND);
    const len = getU16(this.scratch, 26);
    if (len > out.length) return this.failN(STORE_ERR_TOO_BIG);
    for (let i = 0; i < len; i++) out[i] = this.scratch[MSG_HEAD + i];
    return len;
  }

  /** Entries waiting for manual handling. */
  manualCount(): number {
    let n = 0;
    for (let k = 0; k < this.manualId.length; k++) if (this.manualId[k] >= 0) n++;
    return n;
  }

  /** The i-th manual-handling entry into `out`. */
  manualAt(i: number, out: ReversalSlip): boolean {
    const k = this.manualKeyAt(i);
    if (k < 0 || this.manual.read(k, this.scratch, 0) !== MANUAL_BYTES) return this.fail(STORE_ERR_NOT_FOUND);
    const p = this.scratch;
    out.type = p[4];
    out.stan = getU32(p, 5);
    out.amount = getU48(p, 9);
    out.time = getU32(p, 15);
    out.pan.readFrom(p, 19);
    out.reason = getU16(p, 30);
    out.lastResponse = getU16(p, 32);
    out.tries = p[34];
    this.lastError = STORE_OK;
    return true;
  }

  /** The operator has dealt with manual entry i (slip handed to the acquirer): forget it. */
  removeManual(i: number): boolean {
    const k = this.manualKeyAt(i);
    if (k < 0) return this.fail(STORE_ERR_NOT_FOUND);
    const rc = this.manual.remove(k);
    if (rc !== STORE_OK) return this.fail(rc);
    this.manualId[k] = -1;
    this.manualStan[k] = -1;
    this.lastError = STORE_OK;
    return true;
  }

  // ------------------------------------------------------------------ internals

  private moveToManual(): number {
    let k = -1;
    for (let i = 0; i < this.manualId.length; i++) {
      if (this.manualId[i] < 0) {
        k = i;
        break;
      }
    }
    this.slip.copyFrom(this.pending);
    if (k < 0) {
      this.lastError = STORE_ERR_MANUAL_FULL;
      return RQ_ERROR;
    }
    const p = this.manual.payload;
    const s = this.pending;
    putU32(p, 0, this.id);
    p[4] = s.type;
    putU32(p, 5, s.stan);
    putU48(p, 9, s.amount);
    putU32(p, 15, s.time);
    s.pan.writeTo(p, 19);
    putU16(p, 30, s.reason);
    putU16(p, 32, s.lastResponse);
    p[34] = s.tries;
    const rc = this.manual.append(k, MANUAL_BYTES);
    if (rc !== STORE_OK) {
      this.lastError = rc;
      return RQ_ERROR;
    }
    this.manualId[k] = this.id;
    this.manualStan[k] = s.stan;
    // written to the manual list: from here the reversal is there (boot finishes the delete)
    this.isPending = false;
    const r = this.log.remove(KEY_MESSAGE);
    this.lastError = r;
    return RQ_EXHAUSTED;
  }

  private saveState(reason: number, tries: number, lastResponse: number): boolean {
    const p = this.log.payload;
    putU32(p, 0, this.id);
    putU16(p, 4, reason);
    p[6] = tries;
    putU16(p, 7, lastResponse);
    putU16(p, 9, 0);
    const rc = this.log.append(KEY_STATE, STATE_BYTES);
    if (rc !== STORE_OK) return this.fail(rc);
    this.lastError = STORE_OK;
    return true;
  }

  private manualKeyOf(id: number, stan: number): number {
    for (let k = 0; k < this.manualId.length; k++) if (this.manualId[k] === id && this.manualStan[k] === stan) return k;
    return -1;
  }

  private manualKeyAt(i: number): number {
    let n = 0;
    for (let k = 0; k < this.manualId.length; k++) {
      if (this.manualId[k] < 0) continue;
      if (n === i) return k;
      n++;
    }
    return -1;
  }

  private fail(code: number): boolean {
    this.lastError = code;
    return false;
  }

  private failN(code: number): number {
    this.lastError = code;
    return -1;
  }
}

/** Bit n (1..128) of the ISO bitmap at buf[at]. @hot */
function bit(buf: Uint8Array, at: number, n: number): boolean {
  return (buf[at + ((n - 1) >> 3)] & (0x80 >> ((n - 1) & 7))) !== 0;
}
