/**
 * The reversal (冲正) queue, exactly PROTOCOL.md's rules:
 * - `persist()` stores the 0400 BEFORE the request leaves the terminal; if it returns false the
 *   request must not be sent (`lastError` says why: flash full, a reversal already pending, a
 *   sensitive field in the message...).
 * - reason (field 39): 98 no reply (the default: a terminal that dies waiting did not get one),
 *   A0 reply MAC failed, 06 terminal-side failure after approval (`setReason`).
 * - `clear()` when the host answered the original and the terminal completed it;
 *   TxnStores.reversalAck(code) with the 0410's field 39: 00, 12 and 25 all mean done.
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
 * Flash: one log (`rv`): key 0 = the message (seq = the reversal's id), key 1 = its state
 * (reason, tries), keys 2.. = the manual-handling list, one key per entry.
 * RAM: the pending reversal's slip data; messages and manual entries are read from flash (into
 * the logs' shared payload buffer) when needed. `slip` is the same object as `pending`: when a
 * reversal runs out of tries it stops being pending, and its data stays there to be printed.
 * Moving to the manual list writes the manual entry first, then deletes the pending one; boot
 * recovery finishes a move cut in between (same id on both sides), so a reversal is never in
 * both places and never in neither.
 *
 * Usage:
 *   const q = new ReversalQueue(store); q.open();
 *   if (!q.persist(frame, frameLen, 13, info)) refuse(q.lastError);   // then send the 0200
 *   ... reply ok -> q.clear();  no reply -> q.setReason(REASON_NO_REPLY);
 *   before the next online txn: if (q.nextAttempt() === RQ_SEND) { q.loadMessage(buf); send 0400 }
 *   0410 arrives -> stores.reversalAck(field39);
 */
import type { StoreLike } from "../../hal/store";
import { copyBytes } from "../../lib/copy-bytes";
import { beN } from "./bytes";
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
import { LOG_PAYLOAD, RecordLog } from "./record-log";

/** Reason codes: field 39 as two ASCII codes, (c0 << 8) | c1. */
export const REASON_NO_REPLY = 0x3938; // "98"
export const REASON_MAC_FAILED = 0x4130; // "A0"
export const REASON_TERMINAL = 0x3036; // "06"

/** 0410 codes that end a reversal. */
export const ACK_APPROVED = 0x3030; // "00"
export const ACK_INVALID = 0x3132; // "12"
export const ACK_NOT_FOUND = 0x3235; // "25"

/** nextAttempt() / TxnStores.reversalAck() results (the error case returns RQ_ERROR with lastError set). */
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
}

export interface ReversalQueueOptions {
  /** Log base name (default "rv"). */
  name?: string;
  /** Failed tries before manual handling (default 3). */
  retryLimit?: number;
  /** Largest stored 0400 frame in bytes (default 300, at most 311). */
  maxMessage?: number;
  /** Manual-handling list entries (default 8). */
  manualCapacity?: number;
  /** Keep field 2 (full PAN) in the stored 0400 (default false: cut out). */
  keepPan?: boolean;
}

const KEY_MESSAGE = 0;
const KEY_STATE = 1;
/** Key of manual-list entry 0 (entry i is key MANUAL_KEY + i). */
const MANUAL_KEY = 2;
/** Message record: 0 type | 1 stan u32 | 5 amount u48 | 11 time u32 | 15 masked PAN (11) | 26 frame length u16 | 28 frame. */
const MSG_HEAD = 28;
/** State record: 0 id u32 | 4 reason u16 | 6 tries | 7 last response u16 | 9 flags u16. */
const STATE_BYTES = 11;
/** Manual entry: 0 id u32 | 4 type | 5 stan u32 | 9 amount u48 | 15 time u32 | 19 masked PAN (11) | 30 reason u16 | 32 response u16 | 34 tries. */
const MANUAL_BYTES = 35;
/** Where a manual entry keeps its trace (u32): TxnStores reads it at boot without a slip object. */
export const MANUAL_STAN = 5;

export class ReversalQueue {
  readonly log: RecordLog;
  readonly retryLimit: number;
  /** options.maxMessage and options.keepPan (not named like the options: a name an options interface declares is never shortened by the build, and a long property name costs RAM in every instance). */
  readonly maxMsg: number;
  readonly withPan: boolean;
  /** The pending reversal (valid while isPending). */
  readonly pending = new ReversalSlip();
  /** Filled when a reversal runs out of tries: print it (the same object as `pending`). */
  readonly slip: ReversalSlip;
  lastError = STORE_OK;
  /** A reversal is pending (read it; the queue alone changes it). */
  isPending = false;
  /** Seq of the pending message record: ties its state record and its manual entry to it. */
  private id = 0;

  constructor(store: StoreLike, options?: ReversalQueueOptions) {
    const o = options || {};
    this.retryLimit = o.retryLimit || 3;
    this.maxMsg = o.maxMessage || 300;
    this.withPan = !!o.keepPan;
    this.slip = this.pending;
    const manualCap = o.manualCapacity || 8;
    const recMsg = Math.ceil((13 + MSG_HEAD + this.maxMsg) / 16) * 16;
    const recState = Math.ceil((13 + STATE_BYTES) / 16) * 16;
    const recManual = Math.ceil((13 + MANUAL_BYTES) / 16) * 16;
    // room for a few reversal lifetimes (message, reason, tries, delete) between compactions
    // (each compaction leaves a file of trash in Storage, so fewer is better), and for a full
    // manual list plus a few changes of it
    this.log = new RecordLog(store, {
      name: o.name || "rv",
      bytes: 4 * recMsg + 2 * (this.retryLimit + 6) * recState + 16 + recManual * (manualCap + 4),
      keys: MANUAL_KEY + manualCap,
      maxPayload: MSG_HEAD + this.maxMsg,
    });
  }

  /** Recover the log; finish a move to the manual list that a power cut interrupted. */
  open(): number {
    const rc = this.log.open();
    this.lastError = rc;
    if (rc !== STORE_OK) return rc;
    this.isPending = false;
    const p = LOG_PAYLOAD;
    if (this.log.read(KEY_MESSAGE, p, 0) >= MSG_HEAD) {
      const s = this.pending;
      s.type = p[0];
      s.stan = beN(p, 1, 4);
      s.amount = beN(p, 5, 6);
      s.time = beN(p, 11, 4);
      s.pan.length = p[15];
      for (let i = 0; i < 6; i++) s.pan.first6[i] = p[16 + i];
      for (let i = 0; i < 4; i++) s.pan.last4[i] = p[22 + i];
      s.reason = REASON_NO_REPLY;
      s.tries = 0;
      s.lastResponse = 0;
      this.id = this.log.read(KEY_MESSAGE, null, -1);
      if (this.log.read(KEY_STATE, p, 0) === STATE_BYTES && beN(p, 0, 4) === this.id) {
        s.reason = beN(p, 4, 2);
        s.tries = p[6];
        s.lastResponse = beN(p, 7, 2);
      }
      this.isPending = true;
      for (let k = MANUAL_KEY; k < this.log.keys; k++) {
        if (this.log.read(k, p, 0) !== MANUAL_BYTES || beN(p, 0, 4) !== this.id || beN(p, MANUAL_STAN, 4) !== s.stan) continue;
        // the move to manual handling was cut after the manual entry was written
        const r = this.log.append(KEY_MESSAGE, 0);
        if (r !== STORE_OK) {
          this.lastError = r;
          return r;
        }
        this.isPending = false;
        break;
      }
    }
    return STORE_OK;
  }

  /**
   * Store the 0400 for a request about to be sent. `frame[0..len)` is the packed 0400 and
   * `mtiOffset` where its MTI starts (2 + TPDU/header length, 13 for UnionPay). `info` gives the
   * slip data (type, stan, amount, time, masked PAN; it may be `pending` itself). False: do not
   * send (see lastError).
   */
  persist(frame: Uint8Array, len: number, mtiOffset: number, info: ReversalSlip): boolean {
    let err = STORE_OK;
    const map = mtiOffset + 2;
    // field 2 is the first field after the bitmap: LL = 1 BCD byte counting digits
    const fields = map + (frame[map] & 0x80 ? 16 : 8);
    let cut = 0;
    if (this.isPending) err = STORE_ERR_REVERSAL_PENDING;
    else if (!(info.stan >= 1 && info.stan <= 999999) || !(info.amount >= 0 && info.amount < 1e12)) err = STORE_ERR_RANGE;
    else if (!(len <= frame.length && mtiOffset >= 0 && mtiOffset + 10 <= len)) err = STORE_ERR_BAD_MESSAGE;
    else if (frame[mtiOffset] !== 0x04 || frame[mtiOffset + 1] !== 0x00) err = STORE_ERR_BAD_MESSAGE;
    // bitmap bits 26 (byte 3, 0x40), 35 and 36 (byte 4, 0x20 0x10), 52 and 53 (byte 6, 0x10 0x08)
    else if ((frame[map + 3] & 0x40) !== 0 || (frame[map + 4] & 0x30) !== 0 || (frame[map + 6] & 0x18) !== 0) err = STORE_ERR_SENSITIVE_FIELD;
    else if (fields > len) err = STORE_ERR_BAD_MESSAGE;
    else if ((frame[map] & 0x40) !== 0 && !this.withPan) {
      if (fields >= len) err = STORE_ERR_BAD_MESSAGE;
      else {
        const l = frame[fields];
        const digits = (l >> 4) * 10 + (l & 15);
        cut = 1 + ((digits + 1) >> 1);
        if ((l >> 4) > 9 || (l & 15) > 9 || digits > 19 || digits < 1 || fields + cut > len) err = STORE_ERR_BAD_MESSAGE;
      }
    }
    const outLen = len - cut;
    if (err === STORE_OK && outLen > this.maxMsg) err = STORE_ERR_TOO_BIG;
    // room for this reversal's whole life, so its later writes never need a compaction (records
    // of 13 + payload bytes rounded up to 16: the message, a state per try and reason, a manual
    // entry, a delete)
    const log = this.log;
    if (err === STORE_OK) err = log.compact(-((((13 + MSG_HEAD + outLen + 15) >> 4) << 4) + (this.retryLimit + 3) * 32 + 48 + 16));
    if (err !== STORE_OK) {
      this.lastError = err;
      return false;
    }
    const p = LOG_PAYLOAD;
    p[0] = info.type;
    beN(p, 1, 4, info.stan);
    beN(p, 5, 6, info.amount);
    beN(p, 11, 4, info.time);
    p[15] = info.pan.length;
    p.set(info.pan.first6, 16);
    p.set(info.pan.last4, 22);
    beN(p, 26, 2, outLen);
    // the frame without field 2's cut, by two native copies (a loop costs ~40,000 instructions a byte)
    copyBytes(p, MSG_HEAD, frame, 0, fields);
    copyBytes(p, MSG_HEAD + fields, frame, fields + cut, len);
    if (cut > 0) {
      const m = MSG_HEAD + map;
      p[m] = p[m] & 0xbf; // clear bit 2
      if (mtiOffset >= 2) beN(p, MSG_HEAD, 2, beN(p, MSG_HEAD, 2) - cut); // 2-byte length prefix
    }
    const rc = log.append(KEY_MESSAGE, MSG_HEAD + outLen);
    this.lastError = rc;
    if (rc !== STORE_OK) return false;
    this.id = log.lastSeq; // the message record just written
    const s = this.pending; // may be `info` itself
    s.type = info.type;
    s.stan = info.stan;
    s.amount = info.amount;
    s.time = info.time;
    s.pan.first6.set(info.pan.first6);
    s.pan.last4.set(info.pan.last4);
    s.pan.length = info.pan.length;
    s.reason = REASON_NO_REPLY;
    s.tries = 0;
    s.lastResponse = 0;
    this.isPending = true;
    return true;
  }

  /** Set field 39 of the pending reversal (98 / A0 / 06), persisted. */
  setReason(reason: number): boolean {
    const s = this.pending;
    let rc = STORE_OK;
    if (!this.isPending) rc = STORE_ERR_NOT_FOUND;
    else if (reason !== REASON_NO_REPLY && reason !== REASON_MAC_FAILED && reason !== REASON_TERMINAL) rc = STORE_ERR_RANGE;
    else if (reason !== s.reason) {
      const p = LOG_PAYLOAD;
      beN(p, 0, 4, this.id);
      beN(p, 4, 2, reason);
      p[6] = s.tries;
      beN(p, 7, 2, s.lastResponse);
      beN(p, 9, 2, 0);
      rc = this.log.append(KEY_STATE, STATE_BYTES);
      if (rc === STORE_OK) s.reason = reason;
    }
    this.lastError = rc;
    return rc === STORE_OK;
  }

  /** The host answered the original and the terminal completed it: no reversal. */
  clear(): boolean {
    const rc = this.isPending ? this.log.append(KEY_MESSAGE, 0) : STORE_OK;
    this.lastError = rc;
    if (rc !== STORE_OK) return false;
    this.isPending = false;
    return true;
  }

  /**
   * Before sending the 0400: RQ_SEND (try counted on flash: send now), RQ_NONE (nothing
   * pending), RQ_EXHAUSTED (moved to the manual list: print `slip`), RQ_ERROR (flash write
   * failed: do not send; lastError).
   */
  nextAttempt(): number {
    if (!this.isPending) return RQ_NONE;
    const s = this.pending;
    if (s.tries < this.retryLimit) {
      const p = LOG_PAYLOAD;
      beN(p, 0, 4, this.id);
      beN(p, 4, 2, s.reason);
      p[6] = s.tries + 1;
      beN(p, 7, 2, s.lastResponse);
      beN(p, 9, 2, 0);
      const rc = this.log.append(KEY_STATE, STATE_BYTES);
      this.lastError = rc;
      if (rc !== STORE_OK) return RQ_ERROR;
      s.tries++;
      return RQ_SEND;
    }
    // out of tries: to the manual list (entry first, then the pending one deleted; boot finishes
    // a move cut in between). `slip` (= pending) keeps the data to print.
    let k = -1;
    for (let i = MANUAL_KEY; i < this.log.keys; i++) {
      if (this.log.read(i, null, 0) < 0) {
        k = i;
        break;
      }
    }
    if (k < 0) {
      this.lastError = STORE_ERR_MANUAL_FULL;
      return RQ_ERROR;
    }
    const p = LOG_PAYLOAD;
    beN(p, 0, 4, this.id);
    p[4] = s.type;
    beN(p, MANUAL_STAN, 4, s.stan);
    beN(p, 9, 6, s.amount);
    beN(p, 15, 4, s.time);
    p[19] = s.pan.length;
    for (let i = 0; i < 6; i++) p[20 + i] = s.pan.first6[i];
    for (let i = 0; i < 4; i++) p[26 + i] = s.pan.last4[i];
    beN(p, 30, 2, s.reason);
    beN(p, 32, 2, s.lastResponse);
    p[34] = s.tries;
    const rc = this.log.append(k, MANUAL_BYTES);
    this.lastError = rc;
    if (rc !== STORE_OK) return RQ_ERROR;
    // written to the manual list: from here the reversal is there (boot finishes the delete)
    this.isPending = false;
    this.lastError = this.log.append(KEY_MESSAGE, 0);
    return RQ_EXHAUSTED;
  }

  /** Copy the stored 0400 frame into out[0..]; returns its length, or -1. */
  loadMessage(out: Uint8Array): number {
    const p = LOG_PAYLOAD;
    let len = -1;
    this.lastError = STORE_ERR_NOT_FOUND;
    if (this.isPending && this.log.read(KEY_MESSAGE, p, 0) >= MSG_HEAD) {
      len = beN(p, 26, 2);
      this.lastError = STORE_OK;
      if (len > out.length) {
        this.lastError = STORE_ERR_TOO_BIG;
        len = -1;
      }
      for (let i = 0; i < len; i++) out[i] = p[MSG_HEAD + i];
    }
    return len;
  }

  /**
   * The i-th manual-handling entry into `out` (null: its bytes are only left in LOG_PAYLOAD, the
   * trace at MANUAL_STAN). `remove` true: the operator has dealt with entry i (slip handed to the
   * acquirer): forget it instead (out unused). (One method for both: each costs RAM on Espruino.)
   */
  manualAt(i: number, out: ReversalSlip | null, remove?: boolean): boolean {
    const m = this.log;
    const p = LOG_PAYLOAD;
    for (let k = MANUAL_KEY, n = 0; k < m.keys; k++) {
      if (m.read(k, null, 0) < 0 || n++ !== i) continue;
      if (remove) {
        this.lastError = m.append(k, 0);
        return this.lastError === STORE_OK;
      }
      if (m.read(k, p, 0) !== MANUAL_BYTES) break;
      this.lastError = STORE_OK;
      if (out === null) return true;
      out.type = p[4];
      out.stan = beN(p, MANUAL_STAN, 4);
      out.amount = beN(p, 9, 6);
      out.time = beN(p, 15, 4);
      out.pan.length = p[19];
      for (let j = 0; j < 6; j++) out.pan.first6[j] = p[20 + j];
      for (let j = 0; j < 4; j++) out.pan.last4[j] = p[26 + j];
      out.reason = beN(p, 30, 2);
      out.lastResponse = beN(p, 32, 2);
      out.tries = p[34];
      return true;
    }
    this.lastError = STORE_ERR_NOT_FOUND;
    return false;
  }
}

/**
 * Entries waiting for manual handling (tests and tools; the firmware walks manualAt until it
 * returns false, so the bundle leaves this out).
 */
export function manualCountOf(q: ReversalQueue): number {
  let n = 0;
  for (let k = MANUAL_KEY; k < q.log.keys; k++) if (q.log.read(k, null, 0) > 0) n++;
  return n;
}
