/**
 * The transaction engine: one compact state machine, stepped by plain events (commands from the
 * UI, link up / data / down, tick, card removed, cancel), that drives the host link and the
 * stores and fills ONE preallocated TxnResult (firmware/txn/engine-api.ts is the contract).
 *
 * Order of work for every online command (PROTOCOL.md, notes/ENGINE.md):
 *   connect -> sign in if needed (no working keys, host asked: header digit 3, 77, A0)
 *   -> pending reversal first (0400, ORIGINAL STAN, reason 98/A0/06; 0410 00/12/25 = done; a failed
 *      try is counted on flash; at the retry limit: manual-handling list + slip in the result and
 *      the command proceeds; while retries remain the command is NOT sent: OUT_REVERSAL_PENDING)
 *   -> STAN persisted -> request packed (+MAC) -> for sale/void the 0400 image is persisted
 *      BEFORE sending (write fails: nothing sent, OUT_STORAGE_ERROR) -> send -> wait for the reply.
 * Reply (strict unpack: MTI, STAN, TID, MAC):
 *   - answers to something else (MTI/STAN/TID mismatch: late or duplicate replies) are ignored;
 *   - unreadable reply, no reply, link down: the reversal stays (98): OUT_NO_RESPONSE, and the
 *     reversal is tried once at once; MAC failure: reason A0, sign-in needed: OUT_MAC_FAILED;
 *   - 00: journal entry THEN reversal cleared (TxnStores.complete). A chip sale waits for
 *     `complete()` (STAGE_COMPLETING) before clearing; `cardRemoved()` / `cancel()` first ->
 *     reason 06, journal REVERSAL_PENDING, reversal tried at once;
 *   - any other code: host answered: reversal cleared, decline journaled, class + message id.
 * Settlement: pending reversal first; counters.settleStep persisted (STARTED before the 0500,
 * UPLOADING + index during the batch upload, CLOSING before the batch is closed) so a power cut
 * resumes it; 48 flag 1 -> close; 2 -> 0320 uploads (8 records each) + closing 0320 -> close.
 *
 * A command returns false when refused at once (result filled, no onResult); true when started:
 * exactly one onResult follows. The link is opened per command and closed at its end.
 *
 * Memory: everything is allocated in the constructor: about 870 blocks on the real interpreter
 * (Espruino 2v29, 13-byte blocks; test/engine/espruino.test.ts), of which buffers tx 512, rx 512,
 * request bodies 480, a CardData copy, working keys (WorkingKeys ~140 blocks) and the result
 * (~90). The state step, the receive path, reply handling and request building allocate nothing
 * (@hot, checked by tools/hot-path-guard.ts; 0 blocks retained per sale on the interpreter). The
 * receive buffer doubles as scratch while no reply is being read: the stored 0400 image (packed
 * before a send, loaded before a reversal) and field 48 of a 0500 / 0320. The one JournalEntry is
 * the scratch for journal reads (void's original, settlement totals, upload).
 */
import type { Clock } from "../hal/clock";
import { CardData, ENTRY_CHIP } from "./card-data";
import { DesKey } from "./crypto/des";
import { CRYPTO_OK, E_KEY_FIELD_LENGTH } from "./crypto/errors";
import { Mac, MAC_RETAIL, MAC_UNIONPAY_ECB } from "./crypto/mac";
import { pinBlockEncrypted } from "./crypto/pin-block";
import { WorkingKeys } from "./crypto/working-keys";
import {
  CLS_DO_NOT_RETRY,
  CLS_REENTER_AMOUNT,
  CLS_RETRY_LATER,
  CLS_SIGN_IN_AGAIN,
  CLS_SUCCESS,
  CLS_SYSTEM,
  EngineListener,
  HostLink,
  OUT_ABORTED,
  OUT_APPROVED,
  OUT_BUSY,
  OUT_CARD_REMOVED,
  OUT_DECLINED,
  OUT_ERROR,
  OUT_JOURNAL_FULL,
  OUT_KEY_ERROR,
  OUT_MAC_FAILED,
  OUT_NO_RESPONSE,
  OUT_NOT_FOUND,
  OUT_NOT_SIGNED_IN,
  OUT_REVERSAL_FAILED,
  OUT_REVERSAL_PENDING,
  OUT_REVERSED,
  OUT_SETTLE_FAILED,
  OUT_SETTLED,
  OUT_SIGNED_IN,
  OUT_STORAGE_ERROR,
  STAGE_COMPLETING,
  STAGE_CONNECTING,
  STAGE_REVERSING,
  STAGE_SENDING,
  STAGE_SETTLING,
  STAGE_SIGNING_IN,
  STAGE_UPLOADING,
  STAGE_WAITING,
  TXN_BALANCE,
  TXN_REFUND,
  TXN_REVERSAL,
  TXN_SALE,
  TXN_SETTLE,
  TXN_SIGN_IN,
  TXN_VOID,
  TxnEngineApi,
  TxnResult,
} from "./engine-api";
import { RequestBuilder } from "./engine-messages";
import {
  readBalance,
  readReference,
  readResponseCode,
  replyBatch,
  replyTimeMs,
  settlementFlag,
  stampOfMs,
  writeMaskedPan,
} from "./engine-reply";
import {
  createUnionPayTable,
  E_FIELD_ABSENT,
  E_FRAME_LENGTH,
  E_MAC_MISMATCH,
  E_MAC_MISSING,
  E_STAN_MISMATCH,
  E_TID_MISMATCH,
  E_UNEXPECTED_MTI,
  E_VALUE_RANGE,
  frameLength,
  ISO_OK,
  Message,
  pack,
  UNIONPAY_HEAD_LENGTH,
  unpack,
  unpackReply,
  writeAsciiDigits,
} from "./iso8583/index";
import {
  MSG_ACT_SETTLE_FIRST,
  MSG_OUT_ABORTED,
  MSG_OUT_BUSY,
  MSG_OUT_CARD_REMOVED,
  MSG_OUT_JOURNAL_FULL,
  MSG_OUT_KEY_ERROR,
  MSG_OUT_NO_RESPONSE,
  MSG_OUT_NOT_FOUND,
  MSG_OUT_NOT_SIGNED_IN,
  MSG_OUT_REVERSAL_PENDING,
  MSG_OUT_REVERSED,
  MSG_OUT_SETTLE_FAILED,
  MSG_OUT_SETTLED,
  MSG_OUT_SIGNED_IN,
  MSG_OUT_STORAGE_ERROR,
  MSG_RC_00,
  MSG_RC_13,
  MSG_RC_14,
  MSG_RC_A0,
  MSG_RC_OTHER,
  MSG_REVERSAL_FAILED,
} from "./message-ids";
import { rcClass, rcMessage } from "./response-codes";
import { batchTotals, settles, SettleTotals, UPLOAD_ITEM_DIGITS, UPLOAD_MAX_ITEMS, writeTotals48, writeUploadItem } from "./settlement";
import { STORE_ERR_JOURNAL_FULL, STORE_ERR_REVERSAL_PENDING } from "./store/codes";
import { SETTLE_CLOSING, SETTLE_IDLE, SETTLE_STARTED, SETTLE_UPLOADING } from "./store/counters";
import {
  J_APPROVED,
  J_DECLINED,
  J_REVERSAL_PENDING,
  J_VOIDED,
  JournalEntry,
  TXN_REFUND as J_TXN_REFUND,
  TXN_SALE as J_TXN_SALE,
  TXN_VOID as J_TXN_VOID,
} from "./store/journal";
import { REASON_MAC_FAILED, REASON_TERMINAL, RQ_DONE, RQ_ERROR, RQ_EXHAUSTED, RQ_SEND } from "./store/reversal-queue";
import { TxnStores } from "./store/txn-stores";

export interface TxnEngineConfig {
  /** Terminal id (field 41), 8 characters. */
  tid: string;
  /** Merchant id (field 42), 15 characters. */
  mid: string;
  /** TPDU destination and source, 4 hex digits each (pos.cfg tpduDest / tpduSrc). */
  tpduDest: string;
  tpduSrc: string;
  /** Terminal master key bytes: 16 -> double-length working keys (60.3 004), 8 -> single DES (001). */
  tmk: Uint8Array;
  /** Connect and reply timeouts, ms. */
  connectMs: number;
  replyMs: number;
  /** Operator number sent in field 63 of sign-in and settlement (e.g. "01"); "" = no 63. */
  operator: string;
  /** MAC_UNIONPAY_ECB (default) or MAC_RETAIL (crypto/mac.ts). */
  macMode?: number;
}

export interface TxnEngineOptions {
  config: TxnEngineConfig;
  clock: Clock;
  /** Opened stores (TxnStores.open() done at boot). The reversal retry limit is theirs. */
  stores: TxnStores;
  link: HostLink;
  listener: EngineListener;
  /** Called with the host's local time (epoch ms) learnt at sign-in, to set the terminal clock. */
  setTime?: (localMs: number) => void;
}

/** Bytes of the send and receive buffers (largest request about 450, largest reply about 200). */
export const TX_CAPACITY = 512;
export const RX_CAPACITY = 512;

// engine states
const S_IDLE = 0;
const S_RUNNING = 1; // between exchanges (a step is deciding)
const S_CONNECTING = 2;
const S_WAITING = 3;
const S_COMPLETING = 4;

// the exchange in flight
const X_NONE = 0;
const X_SIGN_IN = 1;
const X_REVERSAL = 2;
const X_MAIN = 3;
const X_SETTLE = 4;
const X_UPLOAD = 5;
const X_CLOSE = 6;

// settlement phases
const SP_TOTALS = 0;
const SP_UPLOAD = 1;
const SP_CLOSE = 2;
const SP_FINISH = 3;

const MTI_OFFSET = 2 + UNIONPAY_HEAD_LENGTH;

export class TxnEngine implements TxnEngineApi {
  readonly result = new TxnResult();
  /** Host local time minus terminal time (ms), learnt at the last sign-in. */
  hostTimeOffset = 0;
  /** Frames dropped because they answered something else (MTI / STAN / TID mismatch). */
  ignoredFrames = 0;
  /** Codec error of the last unreadable reply (0 none). */
  lastRxError = 0;

  private readonly clock: Clock;
  private readonly stores: TxnStores;
  private readonly link: HostLink;
  private readonly listener: EngineListener;
  private readonly setTime: ((localMs: number) => void) | null;
  private readonly connectMs: number;
  private readonly replyMs: number;
  private readonly builder: RequestBuilder;
  private readonly req: Message;
  private readonly rsp: Message;
  private readonly tx = new Uint8Array(TX_CAPACITY);
  private readonly rx = new Uint8Array(RX_CAPACITY);
  private readonly tmk = new DesKey();
  private readonly keys = new WorkingKeys();
  private readonly mac: Mac;
  private readonly tripleDes: boolean;
  private readonly card = new CardData();
  private readonly pin = new Uint8Array(8);
  private readonly pinOut = new Uint8Array(8);
  private readonly entry = new JournalEntry();
  private readonly totals = new SettleTotals();
  private readonly civil = new Int32Array(6);

  private keysLoaded = false;
  private needSignIn = false;
  private state = S_IDLE;
  private job = 0;
  private xKind = X_NONE;
  private deadline = 0;
  private linkOpen = false;
  private linkUp = false;
  private rxLen = 0;
  /** Bumped whenever the receive buffer's content stops being the frame being read. */
  private rxEpoch = 0;
  /** The command's own request (or the sign-in / reversal of those commands) has left. */
  private mainSent = false;
  /** After the main request failed or was undone: one reversal try, then finish. */
  private postReversal = false;
  /** The pending reversal was tried (or exhausted) during this command. */
  private preReversalDone = false;
  /** OUT_ABORTED / OUT_CARD_REMOVED requested before the reply (0 none). */
  private abortOutcome = 0;
  private hasPin = false;
  private hasCard = false;
  private jobChip = false;
  private amount = 0;
  private mainMti = 0;
  private voidTrace = 0;
  /** Void / refund: `entry` holds the original (batch, trace, RRN, auth, masked PAN) until the request is built. */
  private hasOrig = false;
  /** Refund: original date MMDD for field 61; -1 none. */
  private origMmdd = -1;
  private settlePhase = SP_TOTALS;
  private uploadNext = 0;
  private uploadCount = 0;
  /** Field 39 of the main reply, kept while a reversal try overwrites result.rc. */
  private mainRc = 0;

  constructor(options: TxnEngineOptions) {
    const c = options.config;
    if (c.tmk.length !== 8 && c.tmk.length !== 16) throw new Error("TxnEngine: tmk must be 8 or 16 bytes");
    if (!(c.connectMs > 0 && c.replyMs > 0)) throw new Error("TxnEngine: connectMs and replyMs must be positive");
    this.clock = options.clock;
    this.stores = options.stores;
    this.link = options.link;
    this.listener = options.listener;
    this.setTime = options.setTime || null;
    this.connectMs = c.connectMs;
    this.replyMs = c.replyMs;
    this.tmk.load(c.tmk, 0, c.tmk.length);
    this.tripleDes = c.tmk.length === 16;
    this.mac = new Mac(c.macMode === MAC_RETAIL ? MAC_RETAIL : MAC_UNIONPAY_ECB);
    // the codec MACs with the working MAC key itself (no copy of its 256-byte schedules)
    (this.mac as unknown as { key: DesKey }).key = this.keys.macKey;
    const table = createUnionPayTable();
    this.builder = new RequestBuilder(table, c.tid, c.mid, hex4(c.tpduDest), hex4(c.tpduSrc), c.operator);
    this.req = this.builder.req;
    this.rsp = new Message(table, 8);
  }

  // ================================================================ queries

  busy(): boolean {
    return this.state !== S_IDLE;
  }

  /** Working keys loaded and the host has not asked for a sign-in since. */
  signedIn(): boolean {
    return this.keysLoaded && !this.needSignIn;
  }

  // ================================================================ commands

  signIn(): boolean {
    if (!this.canStart(TXN_SIGN_IN)) return false;
    this.begin(TXN_SIGN_IN);
    return true;
  }

  sale(amountFen: number, card: CardData, pinBlock: Uint8Array | null): boolean {
    if (!this.canStart(TXN_SALE) || !this.checkCard(TXN_SALE, card, pinBlock)) return false;
    if (!validAmount(amountFen)) return this.refuse(TXN_SALE, OUT_ERROR, CLS_REENTER_AMOUNT, MSG_RC_13, E_VALUE_RANGE);
    if (!this.stores.journal.hasRoom()) return this.refuse(TXN_SALE, OUT_JOURNAL_FULL, CLS_SYSTEM, MSG_OUT_JOURNAL_FULL, STORE_ERR_JOURNAL_FULL);
    this.noOrig();
    this.takeCard(card, pinBlock);
    this.amount = amountFen;
    this.begin(TXN_SALE);
    return true;
  }

  balance(card: CardData, pinBlock: Uint8Array | null): boolean {
    if (!this.canStart(TXN_BALANCE) || !this.checkCard(TXN_BALANCE, card, pinBlock)) return false;
    this.noOrig();
    this.takeCard(card, pinBlock);
    this.amount = 0;
    this.begin(TXN_BALANCE);
    return true;
  }

  voidSale(trace: number, card?: CardData | null, pinBlock?: Uint8Array | null): boolean {
    if (!this.canStart(TXN_VOID)) return false;
    const c = card ? card : null;
    const p = c !== null && pinBlock ? pinBlock : null;
    if (c !== null && !this.checkCard(TXN_VOID, c, p)) return false;
    const o = this.entry; // holds the original until the request is built
    if (!(trace >= 1 && trace <= 999999) || !this.stores.journal.findByStan(trace, o) || o.settled || o.type !== J_TXN_SALE || o.status !== J_APPROVED) {
      return this.refuse(TXN_VOID, OUT_NOT_FOUND, CLS_DO_NOT_RETRY, MSG_OUT_NOT_FOUND, 0);
    }
    if (!this.stores.journal.hasRoom()) return this.refuse(TXN_VOID, OUT_JOURNAL_FULL, CLS_SYSTEM, MSG_OUT_JOURNAL_FULL, STORE_ERR_JOURNAL_FULL);
    this.hasOrig = true;
    this.origMmdd = -1;
    this.voidTrace = trace;
    this.amount = o.amount;
    if (c !== null) this.takeCard(c, p);
    else this.noCard();
    this.begin(TXN_VOID);
    return true;
  }

  refund(amountFen: number, card: CardData, origRrn: Uint8Array, origDateMmdd: number): boolean {
    if (!this.canStart(TXN_REFUND) || !this.checkCard(TXN_REFUND, card, null)) return false;
    if (!validAmount(amountFen)) return this.refuse(TXN_REFUND, OUT_ERROR, CLS_REENTER_AMOUNT, MSG_RC_13, E_VALUE_RANGE);
    const mm = Math.floor(origDateMmdd / 100);
    const dd = origDateMmdd % 100;
    if (origRrn.length < 12 || !(mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31) || origDateMmdd !== Math.floor(origDateMmdd)) {
      return this.refuse(TXN_REFUND, OUT_ERROR, CLS_DO_NOT_RETRY, MSG_RC_OTHER, E_VALUE_RANGE);
    }
    if (!this.stores.journal.hasRoom()) return this.refuse(TXN_REFUND, OUT_JOURNAL_FULL, CLS_SYSTEM, MSG_OUT_JOURNAL_FULL, STORE_ERR_JOURNAL_FULL);
    // the original as field 61/37 give it: batch and trace unknown (zeros), RRN, date
    const o = this.entry;
    o.clear();
    for (let i = 0; i < 12; i++) o.rrn[i] = origRrn[i];
    this.hasOrig = true;
    this.origMmdd = origDateMmdd;
    this.takeCard(card, null);
    this.amount = amountFen;
    this.begin(TXN_REFUND);
    return true;
  }

  settle(): boolean {
    if (!this.canStart(TXN_SETTLE)) return false;
    this.resetResult(TXN_SETTLE);
    this.uploadCount = batchTotals(this.stores.journal, this.entry, this.totals);
    const step = this.stores.counters.settleStep;
    this.settlePhase = step === SETTLE_UPLOADING ? SP_UPLOAD : step === SETTLE_CLOSING ? SP_FINISH : SP_TOTALS;
    this.noCard();
    this.begin(TXN_SETTLE);
    return true;
  }

  sendReversal(): boolean {
    if (!this.canStart(TXN_REVERSAL)) return false;
    const q = this.stores.reversals;
    if (!q.hasPending()) return this.refuse(TXN_REVERSAL, OUT_NOT_FOUND, CLS_SUCCESS, MSG_OUT_NOT_FOUND, 0);
    this.noCard();
    this.begin(TXN_REVERSAL);
    return true;
  }

  makePinBlock(pin: Uint8Array, len: number, card: CardData): Uint8Array | null {
    if (!this.keysLoaded || len > pin.length) return null;
    const e = pinBlockEncrypted(this.keys.pinKey, pin, 0, len, card.pan, 0, card.panLen, this.pinOut, 0);
    return e === CRYPTO_OK ? this.pinOut : null;
  }

  /** @hot */
  cardRemoved(): void {
    if (this.state === S_IDLE || !this.jobChip) return;
    if (this.state === S_COMPLETING) {
      this.terminalFailure(OUT_CARD_REMOVED, true);
      return;
    }
    this.abortOutcome = OUT_CARD_REMOVED;
    if (!this.mainSent && this.state === S_CONNECTING) this.abortBeforeSend();
  }

  /** @hot */
  complete(): void {
    if (this.state !== S_COMPLETING) return;
    this.state = S_RUNNING;
    if (!this.stores.reversals.clear()) {
      // the approval could not be made final: it will be reversed (06), never left unknown
      this.result.errorCode = this.stores.reversals.lastError;
      this.terminalFailure(OUT_STORAGE_ERROR, true);
      return;
    }
    this.finishWith(OUT_APPROVED, CLS_SUCCESS, MSG_RC_00);
  }

  /** @hot */
  cancel(): void {
    if (this.state === S_IDLE) return;
    if (this.state === S_COMPLETING) {
      this.terminalFailure(OUT_ABORTED, true);
      return;
    }
    if (this.mainSent && this.job !== TXN_SALE && this.job !== TXN_VOID) return; // nothing to undo: let it finish
    this.abortOutcome = OUT_ABORTED;
    if (!this.mainSent && this.state === S_CONNECTING) this.abortBeforeSend();
  }

  // ================================================================ transport events

  /** @hot */
  tick(now: number): void {
    if (this.state === S_CONNECTING && now >= this.deadline) {
      this.closeLink();
      this.state = S_RUNNING;
      this.connectFailed();
    } else if (this.state === S_WAITING && now >= this.deadline) {
      this.endExchange();
      this.closeLink();
      this.noReply();
    }
  }

  /** @hot */
  onLinkUp(): void {
    if (this.state !== S_CONNECTING || !this.linkOpen) return;
    this.linkUp = true;
    this.state = S_RUNNING;
    this.step();
  }

  /** @hot */
  onLinkDown(): void {
    const was = this.state;
    this.closeLink();
    if (was === S_CONNECTING) {
      this.state = S_RUNNING;
      this.connectFailed();
    } else if (was === S_WAITING) {
      this.endExchange();
      this.noReply();
    }
  }

  /** Reassemble frames by their 2-byte length into the receive buffer; oversize is refused. @hot */
  onLinkData(data: string): void {
    if (this.state !== S_WAITING) return;
    const epoch = this.rxEpoch;
    const cap = this.rx.length;
    const n = data.length;
    let i = 0;
    while (i < n) {
      while (i < n && this.rxLen < cap) this.rx[this.rxLen++] = data.charCodeAt(i++) & 255;
      this.drain();
      if (this.state !== S_WAITING || this.rxEpoch !== epoch) return;
      if (this.rxLen >= cap) {
        this.unreadable(E_FRAME_LENGTH);
        return;
      }
    }
  }

  // ================================================================ receive path

  /** Handle every whole frame in the receive buffer. @hot */
  private drain(): void {
    while (this.state === S_WAITING) {
      const need = frameLength(this.rx, this.rxLen);
      if (need < 0) return;
      if (need > this.rx.length) {
        this.unreadable(E_FRAME_LENGTH);
        return;
      }
      if (need > this.rxLen) return;
      const epoch = this.rxEpoch;
      this.onFrame(need);
      if (this.rxEpoch !== epoch || this.state !== S_WAITING) return;
      // ignored frame: drop it and keep what follows
      for (let k = need; k < this.rxLen; k++) this.rx[k - need] = this.rx[k];
      this.rxLen -= need;
    }
  }

  /** One whole frame rx[0, len): ignore it, or end the exchange with it. @hot */
  private onFrame(len: number): void {
    const k = this.xKind;
    const macd = k === X_MAIN || k === X_REVERSAL;
    const e = unpackReply(this.rx, len, this.rsp, this.req, macd ? this.mac : null);
    if (e === E_UNEXPECTED_MTI || e === E_STAN_MISMATCH || e === E_TID_MISMATCH) {
      this.ignoredFrames++;
      return;
    }
    this.endExchange();
    if (e === E_MAC_MISMATCH || e === E_MAC_MISSING) {
      this.lastRxError = e;
      this.macFailed();
      return;
    }
    if (e !== ISO_OK || !readResponseCode(this.rsp, this.result)) {
      this.lastRxError = e !== ISO_OK ? e : E_FIELD_ABSENT;
      this.closeLink();
      this.noReply();
      return;
    }
    if (this.rsp.processingRequirement() === 3) this.needSignIn = true;
    if (k === X_SIGN_IN) this.onSignInReply();
    else if (k === X_REVERSAL) this.onReversalReply();
    else if (k === X_MAIN) this.onMainReply();
    else this.onSettleReply(k);
  }

  /** The frame being read is not worth waiting on (oversize, garbage): no reply. @hot */
  private unreadable(code: number): void {
    this.lastRxError = code;
    this.endExchange();
    this.closeLink();
    this.noReply();
  }

  /** The exchange in flight is over (reply, timeout, link down). @hot */
  private endExchange(): void {
    this.rxEpoch++;
    this.state = S_RUNNING;
  }

  // ================================================================ the step

  /** Decide and start the next thing the running command needs. @hot */
  private step(): void {
    if (this.state !== S_RUNNING) return;
    if (!this.mainSent && this.abortOutcome !== 0) {
      this.abortBeforeSend();
      return;
    }
    if (this.job === TXN_SETTLE && this.settlePhase === SP_FINISH) {
      this.closeSettlement(true);
      return;
    }
    if (!this.linkUp) {
      this.openLink();
      return;
    }
    if (this.postReversal) {
      this.stepPostReversal();
      return;
    }
    if (this.job === TXN_SIGN_IN || !this.keysLoaded || this.needSignIn) {
      this.sendSignIn();
      return;
    }
    const q = this.stores.reversals;
    if (!this.preReversalDone && q.hasPending()) {
      const r = this.stores.reversalAttempt();
      if (r === RQ_SEND) {
        this.sendStoredReversal();
        return;
      }
      this.preReversalDone = true;
      if (r === RQ_EXHAUSTED) {
        this.takeSlip();
        if (this.job === TXN_REVERSAL) {
          this.finishWith(OUT_REVERSAL_FAILED, CLS_SYSTEM, MSG_REVERSAL_FAILED);
          return;
        }
      } else if (r === RQ_ERROR) {
        this.result.errorCode = this.stores.lastError;
      }
    }
    if (this.job === TXN_REVERSAL) {
      this.finishWith(OUT_REVERSED, CLS_SUCCESS, MSG_OUT_REVERSED);
      return;
    }
    if (q.hasPending()) {
      // could not be sent nor moved to the manual list (e.g. that list is full): nothing goes before it
      this.finishWith(OUT_REVERSAL_PENDING, CLS_RETRY_LATER, MSG_OUT_REVERSAL_PENDING);
      return;
    }
    if (this.job === TXN_SETTLE) this.stepSettle();
    else if (!this.mainSent) this.sendMain();
  }

  /** One reversal try after the main request failed or was undone, then finish. @hot */
  private stepPostReversal(): void {
    if (!this.stores.reversals.hasPending()) {
      this.finish();
      return;
    }
    const r = this.stores.reversalAttempt();
    if (r === RQ_SEND) {
      this.sendStoredReversal();
      return;
    }
    if (r === RQ_EXHAUSTED) this.takeSlip();
    this.finish();
  }

  /** @hot */
  private stepSettle(): void {
    const p = this.settlePhase;
    if (p === SP_TOTALS) this.sendSettlement();
    else if (p === SP_UPLOAD) this.sendUpload();
    else this.sendUploadClose();
  }

  // ================================================================ sending

  /** @hot */
  private openLink(): void {
    this.state = S_CONNECTING;
    this.deadline = this.clock.now() + this.connectMs;
    this.linkOpen = true;
    this.linkUp = false;
    this.progress(STAGE_CONNECTING);
    if (this.state === S_CONNECTING) this.link.open();
  }

  /** @hot */
  private closeLink(): void {
    const was = this.linkOpen;
    this.linkOpen = false;
    this.linkUp = false;
    if (was) this.link.close();
  }

  /** Send tx[0, len) and wait for its reply; the buffer is wiped once the link has it. @hot */
  private sendFrame(kind: number, len: number, stage: number): void {
    this.xKind = kind;
    this.rxLen = 0;
    this.rxEpoch++;
    this.state = S_WAITING;
    this.deadline = this.clock.now() + this.replyMs;
    this.progress(stage);
    this.link.send(this.tx, len);
    for (let i = 0; i < len; i++) this.tx[i] = 0;
  }

  /** @hot */
  private sendSignIn(): void {
    const stan = this.stores.counters.nextStan();
    if (stan === 0) {
      this.storageFailure(this.stores.counters.lastError);
      return;
    }
    let e = this.builder.signIn(stan, this.stores.counters.batch, this.tripleDes);
    if (e === ISO_OK) e = pack(this.req, this.tx, null);
    if (e !== ISO_OK) {
      this.buildFailure(e);
      return;
    }
    if (this.job === TXN_SIGN_IN) this.mainSent = true;
    this.sendFrame(X_SIGN_IN, this.req.packedLength, STAGE_SIGNING_IN);
  }

  /** The pending 0400, rebuilt with its current reason and a fresh MAC. @hot */
  private sendStoredReversal(): void {
    const q = this.stores.reversals;
    const n = q.loadMessage(this.rx);
    let e = n < 0 ? E_FRAME_LENGTH : unpack(this.rx, n, this.rsp);
    if (e === ISO_OK) e = this.builder.fromStored(this.rsp, this.rx, q.pending.reason);
    if (e === ISO_OK) e = pack(this.req, this.tx, this.mac);
    if (e !== ISO_OK) {
      // the try is counted: a reversal that cannot be rebuilt ends on the manual list
      this.result.errorCode = n < 0 ? q.lastError : e;
      this.reversalFailed();
      return;
    }
    if (this.job === TXN_REVERSAL) this.mainSent = true;
    this.sendFrame(X_REVERSAL, this.req.packedLength, STAGE_REVERSING);
  }

  /** Sale, balance, void or refund: STAN, pack + MAC, reversal image persisted, send. @hot */
  private sendMain(): void {
    const job = this.job;
    const st = this.stores;
    const reversible = job === TXN_SALE || job === TXN_VOID;
    const stan = job === TXN_BALANCE ? st.counters.nextStan() : st.begin();
    if (stan === 0) {
      const le = job === TXN_BALANCE ? st.counters.lastError : st.lastError;
      if (le === STORE_ERR_JOURNAL_FULL) this.finishWith(OUT_JOURNAL_FULL, CLS_SYSTEM, MSG_OUT_JOURNAL_FULL);
      else if (le === STORE_ERR_REVERSAL_PENDING) this.finishWith(OUT_REVERSAL_PENDING, CLS_RETRY_LATER, MSG_OUT_REVERSAL_PENDING);
      else this.storageFailure(le);
      return;
    }
    const batch = st.counters.batch;
    let mti = 200;
    let proc = 0;
    let type60 = 22;
    if (job === TXN_BALANCE) {
      proc = 310000;
      type60 = 1;
    } else if (job === TXN_VOID) {
      proc = 200000;
      type60 = 23;
    } else if (job === TXN_REFUND) {
      mti = 220;
      proc = 200000;
      type60 = 25;
    }
    this.mainMti = mti;
    let e = this.builder.financial(
      mti,
      proc,
      type60,
      job === TXN_BALANCE ? -1 : this.amount,
      stan,
      batch,
      this.hasCard ? this.card : null,
      this.hasPin ? this.pin : null,
      this.keys.pinKey.size > 8,
      this.hasOrig ? this.entry : null,
      this.origMmdd
    );
    if (e === ISO_OK) e = pack(this.req, this.tx, this.mac);
    if (e !== ISO_OK) {
      this.buildFailure(e);
      return;
    }
    const len = this.req.packedLength;
    // what the terminal keeps: the entry (written when answered) and the result
    const en = this.entry;
    // a void without the card keeps the original's masked PAN (already in the entry)
    if (this.hasCard) en.pan.fromPan(this.card.pan, this.card.panLen);
    else if (!this.hasOrig) en.pan.clear();
    en.status = 0;
    en.respCode = 0;
    en.rrn.fill(0);
    en.authCode.fill(0);
    en.settled = false;
    en.type = job === TXN_VOID ? J_TXN_VOID : job === TXN_REFUND ? J_TXN_REFUND : J_TXN_SALE;
    en.stan = stan;
    en.origStan = job === TXN_VOID ? this.voidTrace : 0;
    en.amount = this.amount;
    en.batch = batch;
    en.time = Math.floor(this.clock.now() / 1000);
    en.entryMode = this.req.getNumeric(22);
    const r = this.result;
    r.stan = stan;
    r.batch = batch;
    r.amount = this.amount;
    r.entryMode = en.entryMode;
    r.maskedPanLen = writeMaskedPan(en.pan, r.maskedPan);
    if (reversible) {
      e = this.builder.reversalImage();
      if (e === ISO_OK) e = pack(this.req, this.rx, null);
      this.req.mti = this.mainMti;
      if (e !== ISO_OK) {
        this.buildFailure(e);
        return;
      }
      // the queue's own pending slip is the input (persist copies it into itself)
      const si = st.reversals.pending;
      si.type = en.type;
      si.stan = stan;
      si.amount = this.amount;
      si.time = en.time;
      si.pan.copyFrom(en.pan);
      if (!st.reversals.persist(this.rx, this.req.packedLength, MTI_OFFSET, si)) {
        this.storageFailure(st.reversals.lastError);
        return;
      }
    } else {
      this.builder.wipeSensitive();
    }
    this.wipeCard();
    this.mainSent = true;
    this.sendFrame(X_MAIN, len, STAGE_SENDING);
    if (this.state === S_WAITING && this.xKind === X_MAIN) this.progress(STAGE_WAITING);
  }

  /** @hot */
  private sendSettlement(): void {
    const c = this.stores.counters;
    if (c.settleStep !== SETTLE_STARTED && !c.setSettleStep(SETTLE_STARTED, 0)) {
      this.storageFailure(c.lastError);
      return;
    }
    const stan = c.nextStan();
    if (stan === 0) {
      this.storageFailure(c.lastError);
      return;
    }
    // field 48 is assembled in the receive buffer: idle until this request is sent
    const n = writeTotals48(this.totals, this.rx);
    let e = this.builder.settlement(stan, c.batch, this.rx, n);
    if (e === ISO_OK) e = pack(this.req, this.tx, null);
    if (e !== ISO_OK) {
      this.buildFailure(e);
      return;
    }
    this.mainSent = true;
    this.sendFrame(X_SETTLE, this.req.packedLength, STAGE_SETTLING);
  }

  /** Next 0320 of up to 8 records from counters.uploadIndex; none left: the closing 0320. @hot */
  private sendUpload(): void {
    const c = this.stores.counters;
    const d = this.rx; // idle until this request is sent
    const e0 = this.entry;
    let i = c.uploadIndex;
    let n = 0;
    while (n < UPLOAD_MAX_ITEMS && this.stores.journal.entryAt(i, e0)) {
      i++;
      if (!settles(e0)) continue;
      writeUploadItem(e0, d, 2 + n * UPLOAD_ITEM_DIGITS);
      n++;
    }
    if (n === 0) {
      this.settlePhase = SP_CLOSE;
      this.sendUploadClose();
      return;
    }
    writeAsciiDigits(d, 0, n, 2);
    this.uploadNext = i;
    const stan = c.nextStan();
    if (stan === 0) {
      this.storageFailure(c.lastError);
      return;
    }
    let e = this.builder.upload(stan, c.batch, d, 2 + n * UPLOAD_ITEM_DIGITS);
    if (e === ISO_OK) e = pack(this.req, this.tx, null);
    if (e !== ISO_OK) {
      this.buildFailure(e);
      return;
    }
    this.mainSent = true;
    this.sendFrame(X_UPLOAD, this.req.packedLength, STAGE_UPLOADING);
  }

  /** @hot */
  private sendUploadClose(): void {
    const c = this.stores.counters;
    const stan = c.nextStan();
    if (stan === 0) {
      this.storageFailure(c.lastError);
      return;
    }
    let e = this.builder.uploadClose(stan, c.batch, this.uploadCount);
    if (e === ISO_OK) e = pack(this.req, this.tx, null);
    if (e !== ISO_OK) {
      this.buildFailure(e);
      return;
    }
    this.mainSent = true;
    this.sendFrame(X_CLOSE, this.req.packedLength, STAGE_UPLOADING);
  }

  // ================================================================ replies

  /** 0810: keys (check values), batch, host time. @hot */
  private onSignInReply(): void {
    const r = this.result;
    const rsp = this.rsp;
    if (r.rc0 !== 48 || r.rc1 !== 48) {
      this.fromResponseCode();
      this.finishWith(OUT_DECLINED, r.cls, r.msgId);
      return;
    }
    const off = rsp.bodyOffset(62);
    const e = off < 0 ? E_KEY_FIELD_LENGTH : this.keys.load(this.tmk, rsp.src, off, rsp.length(62));
    if (e !== CRYPTO_OK) {
      this.needSignIn = true;
      r.errorCode = e;
      this.finishWith(OUT_KEY_ERROR, CLS_SYSTEM, MSG_OUT_KEY_ERROR);
      return;
    }
    this.keysLoaded = true;
    this.needSignIn = false;
    const c = this.stores.counters;
    // adopt the host's batch, except while a settlement is under way: the host has already moved
    // on to the next batch, and the one being settled must keep its number until it is closed
    const batch = replyBatch(rsp, this.builder.digits);
    if (batch > 0 && c.settleStep === SETTLE_IDLE && !c.setBatch(batch)) r.errorCode = c.lastError;
    const now = this.clock.now();
    const host = replyTimeMs(rsp, now, this.civil);
    if (host >= 0) {
      this.hostTimeOffset = host - now;
      if (this.setTime !== null) this.setTime(host);
    }
    if (this.job === TXN_SIGN_IN) {
      r.batch = c.batch;
      r.stan = rsp.getNumeric(11);
      this.finishWith(OUT_SIGNED_IN, CLS_SUCCESS, MSG_OUT_SIGNED_IN);
      return;
    }
    this.step();
  }

  /** 0410: 00 / 12 / 25 end the reversal; anything else is a failed try. @hot */
  private onReversalReply(): void {
    const r = this.result;
    const code = (r.rc0 << 8) | r.rc1;
    if (this.job === TXN_REVERSAL) this.fromResponseCode();
    else {
      // the command's own response code is still to come (or already in place)
      r.rc0 = 0;
      r.rc1 = 0;
      if (this.postReversal) this.restoreMainCode();
    }
    // (a voided sale is marked VOIDED only after its void's reversal was cleared, so a void that
    // gets reversed never has a VOIDED original to put back)
    const a = this.stores.reversalAck(code);
    if (a !== RQ_DONE) {
      if (a === RQ_ERROR) r.errorCode = this.stores.lastError;
      this.reversalFailed();
      return;
    }
    this.preReversalDone = true;
    if (this.postReversal) this.finish();
    else if (this.job === TXN_REVERSAL) this.finishWith(OUT_REVERSED, CLS_SUCCESS, MSG_OUT_REVERSED);
    else this.step();
  }

  /** The reply to the command's own request. @hot */
  private onMainReply(): void {
    const r = this.result;
    const job = this.job;
    this.fromResponseCode();
    this.mainRc = (r.rc0 << 8) | r.rc1;
    readReference(this.rsp, r);
    const now = this.clock.now();
    const host = replyTimeMs(this.rsp, now, this.civil);
    r.dateTime = stampOfMs(host >= 0 ? host : now, this.civil);
    const approved = r.rc0 === 48 && r.rc1 === 48;
    if (job === TXN_BALANCE) {
      if (approved) readBalance(this.rsp, r);
      this.finishWith(approved ? OUT_APPROVED : OUT_DECLINED, r.cls, r.msgId);
      return;
    }
    const en = this.entry;
    en.respCode = this.mainRc;
    en.rrn.set(r.rrn);
    en.authCode.set(r.authCode);
    en.status = approved ? J_APPROVED : J_DECLINED;
    const st = this.stores;
    if (!approved || job === TXN_REFUND) {
      // the host answered: nothing to reverse; keep the record
      if (!st.complete(en)) {
        r.errorCode = st.lastError;
        if (st.reversals.hasPending() && st.reversals.pending.stan === en.stan) st.reversals.clear();
        if (approved) {
          this.finishWith(OUT_STORAGE_ERROR, CLS_SYSTEM, MSG_OUT_STORAGE_ERROR);
          return;
        }
      }
      this.finishWith(approved ? OUT_APPROVED : OUT_DECLINED, r.cls, r.msgId);
      return;
    }
    if (this.abortOutcome !== 0) {
      this.terminalFailure(this.abortOutcome, false);
      return;
    }
    if (job === TXN_SALE && this.jobChip) {
      // approved, but final only after the chip completion: the reversal stays until complete()
      if (!st.journal.add(en)) {
        r.errorCode = st.journal.lastError;
        this.terminalFailure(OUT_STORAGE_ERROR, false);
        return;
      }
      this.closeLink();
      this.state = S_COMPLETING;
      r.outcome = OUT_APPROVED;
      r.reversalPending = true;
      this.progress(STAGE_COMPLETING);
      return;
    }
    if (!st.complete(en)) {
      r.errorCode = st.lastError;
      this.terminalFailure(OUT_STORAGE_ERROR, st.journal.statusOfStan(en.stan) !== 0);
      return;
    }
    if (job === TXN_VOID && !st.journal.setStatus(this.voidTrace, J_VOIDED)) r.errorCode = st.journal.lastError;
    this.finishWith(OUT_APPROVED, CLS_SUCCESS, MSG_RC_00);
  }

  /** 0510 / 0330. @hot */
  private onSettleReply(kind: number): void {
    const r = this.result;
    const c = this.stores.counters;
    if (r.rc0 !== 48 || r.rc1 !== 48) {
      this.fromResponseCode();
      this.finishWith(OUT_SETTLE_FAILED, r.cls, r.msgId);
      return;
    }
    if (kind === X_SETTLE) {
      const flag = settlementFlag(this.rsp, this.builder.digits);
      if (flag === 1) {
        this.closeSettlement(false);
      } else if (flag === 2) {
        if (!c.setSettleStep(SETTLE_UPLOADING, 0)) {
          this.storageFailure(c.lastError);
          return;
        }
        this.settlePhase = SP_UPLOAD;
        this.step();
      } else {
        this.finishWith(OUT_SETTLE_FAILED, CLS_SYSTEM, MSG_OUT_SETTLE_FAILED);
      }
    } else if (kind === X_UPLOAD) {
      if (!c.setSettleStep(SETTLE_UPLOADING, this.uploadNext)) {
        this.storageFailure(c.lastError);
        return;
      }
      this.step();
    } else {
      this.closeSettlement(true);
    }
  }

  // ================================================================ failures

  /** The exchange in flight got no (usable) reply; the link is already closed. @hot */
  private noReply(): void {
    const k = this.xKind;
    this.xKind = X_NONE;
    if (k === X_REVERSAL) this.reversalFailed();
    else if (k === X_MAIN) this.mainNoReply();
    else if (k === X_SIGN_IN) this.finishWith(OUT_NO_RESPONSE, CLS_RETRY_LATER, MSG_OUT_NO_RESPONSE);
    else this.finishWith(OUT_SETTLE_FAILED, CLS_RETRY_LATER, MSG_OUT_SETTLE_FAILED);
  }

  /** @hot */
  private mainNoReply(): void {
    const r = this.result;
    r.rc0 = 0;
    r.rc1 = 0;
    this.mainRc = 0;
    r.outcome = OUT_NO_RESPONSE;
    r.cls = CLS_RETRY_LATER;
    r.msgId = MSG_OUT_NO_RESPONSE;
    if (this.job === TXN_SALE || this.job === TXN_VOID) {
      // the reversal (98) is on flash: try it once now
      this.postReversal = true;
      this.step();
    } else {
      this.finish();
    }
  }

  /** A reply whose MAC does not verify: as no reply, reason A0, sign in again. @hot */
  private macFailed(): void {
    this.needSignIn = true;
    const k = this.xKind;
    this.xKind = X_NONE;
    this.closeLink();
    if (k === X_REVERSAL) {
      this.reversalFailed();
      return;
    }
    if (k !== X_MAIN) {
      this.xKind = k;
      this.noReply();
      return;
    }
    const r = this.result;
    r.rc0 = 0;
    r.rc1 = 0;
    this.mainRc = 0;
    if ((this.job === TXN_SALE || this.job === TXN_VOID) && !this.stores.reversals.setReason(REASON_MAC_FAILED)) {
      r.errorCode = this.stores.reversals.lastError;
    }
    this.finishWith(OUT_MAC_FAILED, CLS_SIGN_IN_AGAIN, MSG_RC_A0);
  }

  /** A reversal try failed (no reply, not acknowledged, not sendable). @hot */
  private reversalFailed(): void {
    this.preReversalDone = true;
    const q = this.stores.reversals;
    let exhausted = false;
    if (q.hasPending() && q.pending.tries >= q.retryLimit) {
      const a = this.stores.reversalAttempt();
      if (a === RQ_EXHAUSTED) {
        this.takeSlip();
        exhausted = true;
      } else if (a === RQ_ERROR) {
        this.result.errorCode = this.stores.lastError;
      }
    }
    if (this.postReversal) {
      this.restoreMainCode();
      this.finish();
      return;
    }
    if (this.job === TXN_REVERSAL) {
      if (exhausted) this.finishWith(OUT_REVERSAL_FAILED, CLS_SYSTEM, MSG_REVERSAL_FAILED);
      else this.finishWith(OUT_REVERSAL_PENDING, CLS_RETRY_LATER, MSG_OUT_REVERSAL_PENDING);
      return;
    }
    if (exhausted) {
      // on the manual list now: the new transaction may proceed
      this.state = S_RUNNING;
      this.step();
      return;
    }
    this.finishWith(OUT_REVERSAL_PENDING, CLS_RETRY_LATER, MSG_OUT_REVERSAL_PENDING);
  }

  /** @hot */
  private connectFailed(): void {
    if (this.postReversal) this.finish();
    else if (this.job === TXN_SETTLE) this.finishWith(OUT_SETTLE_FAILED, CLS_RETRY_LATER, MSG_OUT_SETTLE_FAILED);
    else this.finishWith(OUT_NO_RESPONSE, CLS_RETRY_LATER, MSG_OUT_NO_RESPONSE);
  }

  /**
   * Approved by the host, but the terminal cannot complete it (card pulled, operator cancel,
   * journal write failed): reason 06, entry REVERSAL_PENDING, try the reversal at once. @hot
   */
  private terminalFailure(outcome: number, journaled: boolean): void {
    const st = this.stores;
    const r = this.result;
    this.state = S_RUNNING;
    if (!st.reversals.setReason(REASON_TERMINAL)) r.errorCode = st.reversals.lastError;
    const en = this.entry;
    en.status = J_REVERSAL_PENDING;
    if (journaled) st.journal.setStatus(en.stan, J_REVERSAL_PENDING);
    else st.complete(en);
    r.outcome = outcome;
    r.cls = outcome === OUT_STORAGE_ERROR ? CLS_SYSTEM : outcome === OUT_CARD_REMOVED ? CLS_RETRY_LATER : CLS_DO_NOT_RETRY;
    r.msgId = outcome === OUT_STORAGE_ERROR ? MSG_OUT_STORAGE_ERROR : outcome === OUT_CARD_REMOVED ? MSG_OUT_CARD_REMOVED : MSG_OUT_ABORTED;
    this.postReversal = true;
    this.step();
  }

  /** Cancelled or card pulled before the request left: nothing to undo. @hot */
  private abortBeforeSend(): void {
    const o = this.abortOutcome;
    this.finishWith(o, o === OUT_CARD_REMOVED ? CLS_RETRY_LATER : CLS_DO_NOT_RETRY, o === OUT_CARD_REMOVED ? MSG_OUT_CARD_REMOVED : MSG_OUT_ABORTED);
  }

  /** @hot */
  private storageFailure(code: number): void {
    this.result.errorCode = code;
    this.finishWith(OUT_STORAGE_ERROR, CLS_SYSTEM, MSG_OUT_STORAGE_ERROR);
  }

  /** @hot */
  private buildFailure(code: number): void {
    for (let i = 0; i < this.tx.length; i++) this.tx[i] = 0;
    this.builder.wipeSensitive();
    this.result.errorCode = code;
    this.finishWith(OUT_ERROR, CLS_SYSTEM, MSG_RC_OTHER);
  }

  // ================================================================ settlement end

  /** Host side done: CLOSING persisted, journal batch closed, batch advanced. @hot */
  private closeSettlement(uploaded: boolean): void {
    const st = this.stores;
    const c = st.counters;
    const r = this.result;
    r.batch = c.batch;
    r.uploaded = uploaded;
    if (c.settleStep !== SETTLE_CLOSING && !c.setSettleStep(SETTLE_CLOSING, c.uploadIndex)) {
      this.storageFailure(c.lastError);
      return;
    }
    if (!st.finishSettlement()) {
      this.storageFailure(st.lastError);
      return;
    }
    this.finishWith(OUT_SETTLED, CLS_SUCCESS, MSG_OUT_SETTLED);
  }

  // ================================================================ helpers

  /** Response code -> class, message id, sign-in flag. @hot */
  private fromResponseCode(): void {
    const r = this.result;
    r.cls = rcClass(r.rc0, r.rc1);
    r.msgId = rcMessage(r.rc0, r.rc1);
    if (r.cls === CLS_SIGN_IN_AGAIN) this.needSignIn = true;
  }

  /** @hot */
  private restoreMainCode(): void {
    this.result.rc0 = (this.mainRc >> 8) & 255;
    this.result.rc1 = this.mainRc & 255;
  }

  /** @hot */
  private takeSlip(): void {
    const s = this.stores.reversals.slip;
    const r = this.result;
    r.slipReady = true;
    r.slipType = s.type === J_TXN_VOID ? TXN_VOID : s.type === J_TXN_REFUND ? TXN_REFUND : TXN_SALE;
    r.slipStan = s.stan;
    r.slipAmount = s.amount;
    r.slipDateTime = stampOfMs(s.time * 1000, this.civil);
    r.slipPanLen = writeMaskedPan(s.pan, r.slipPan);
    r.slipReason = s.reason;
  }

  /** @hot */
  private progress(stage: number): void {
    this.listener.onProgress(stage);
  }

  /** @hot */
  private finishWith(outcome: number, cls: number, msgId: number): void {
    const r = this.result;
    r.outcome = outcome;
    r.cls = cls;
    r.msgId = msgId;
    this.finish();
  }

  /** End the command: link closed, secrets wiped, one onResult. @hot */
  private finish(): void {
    this.closeLink();
    this.wipeCard();
    this.rxLen = 0;
    this.rxEpoch++;
    this.xKind = X_NONE;
    this.state = S_IDLE;
    this.result.reversalPending = this.stores.reversals.hasPending();
    this.listener.onResult(this.result);
    // each log compaction leaves its old file as Storage trash: reclaim it while nothing is in
    // flight, or the flash fills up and every later write fails (TxnStores.compactIfIdle)
    if (this.state === S_IDLE) this.stores.compactIfIdle();
  }

  /** @hot */
  private wipeCard(): void {
    this.card.wipe();
    for (let i = 0; i < 8; i++) this.pin[i] = 0;
    this.hasPin = false;
  }

  private canStart(type: number): boolean {
    const r = this.result;
    if (this.state !== S_IDLE) {
      // the running command's result is refilled when it ends
      r.outcome = OUT_BUSY;
      r.cls = CLS_RETRY_LATER;
      r.msgId = MSG_OUT_BUSY;
      return false;
    }
    const step = this.stores.counters.settleStep;
    if (step !== SETTLE_IDLE && type !== TXN_SETTLE && type !== TXN_SIGN_IN && type !== TXN_REVERSAL) {
      // a settlement is under way: the batch must not change until it is closed
      return this.refuse(type, OUT_SETTLE_FAILED, CLS_SYSTEM, MSG_ACT_SETTLE_FIRST, 0);
    }
    return true;
  }

  private checkCard(type: number, card: CardData, pinBlock: Uint8Array | null): boolean {
    let ok = card.panLen >= 12 && card.panLen <= 19;
    for (let i = 0; ok && i < card.panLen; i++) ok = card.pan[i] >= 48 && card.pan[i] <= 57;
    if (!ok) return this.refuse(type, OUT_ERROR, CLS_DO_NOT_RETRY, MSG_RC_14, E_VALUE_RANGE);
    if (pinBlock !== null && (pinBlock.length < 8 || !this.signedIn())) {
      // a PIN block made under other (or no) working keys would only earn a 55
      return this.refuse(type, OUT_NOT_SIGNED_IN, CLS_SIGN_IN_AGAIN, MSG_OUT_NOT_SIGNED_IN, 0);
    }
    return true;
  }

  private refuse(type: number, outcome: number, cls: number, msgId: number, error: number): boolean {
    this.resetResult(type);
    const r = this.result;
    r.outcome = outcome;
    r.cls = cls;
    r.msgId = msgId;
    r.errorCode = error;
    return false;
  }

  private takeCard(card: CardData, pinBlock: Uint8Array | null): void {
    this.card.copyFrom(card);
    this.hasCard = true;
    this.jobChip = card.entryMode === ENTRY_CHIP;
    this.hasPin = pinBlock !== null;
    for (let i = 0; i < 8; i++) this.pin[i] = pinBlock !== null ? pinBlock[i] : 0;
  }

  private noOrig(): void {
    this.hasOrig = false;
    this.origMmdd = -1;
  }

  private noCard(): void {
    this.card.wipe();
    this.hasCard = false;
    this.jobChip = false;
    this.hasPin = false;
  }

  private begin(type: number): void {
    if (type !== TXN_SETTLE) this.resetResult(type);
    const r = this.result;
    if (type === TXN_SETTLE) {
      const t = this.totals;
      r.debitTotal = t.debitAmount;
      r.debitCount = t.debitCount;
      r.creditTotal = t.creditAmount;
      r.creditCount = t.creditCount;
      r.batch = this.stores.counters.batch;
    } else if (type === TXN_REVERSAL) {
      const p = this.stores.reversals.pending;
      r.stan = p.stan;
      r.amount = p.amount;
      r.maskedPanLen = writeMaskedPan(p.pan, r.maskedPan);
    }
    this.job = type;
    this.mainSent = false;
    this.postReversal = false;
    this.preReversalDone = false;
    this.abortOutcome = 0;
    this.mainRc = 0;
    this.xKind = X_NONE;
    this.state = S_RUNNING;
    this.step();
  }

  private resetResult(type: number): void {
    const r = this.result;
    r.type = type;
    r.outcome = 0;
    r.rc0 = 0;
    r.rc1 = 0;
    r.cls = 0;
    r.msgId = 0;
    r.stan = 0;
    r.batch = 0;
    r.amount = 0;
    r.balance = 0;
    r.authCode.fill(0);
    r.rrn.fill(0);
    r.maskedPan.fill(0);
    r.maskedPanLen = 0;
    r.entryMode = 0;
    r.dateTime = 0;
    r.debitTotal = 0;
    r.debitCount = 0;
    r.creditTotal = 0;
    r.creditCount = 0;
    r.uploaded = false;
    r.reversalPending = false;
    r.errorCode = 0;
    r.slipReady = false;
    r.slipType = 0;
    r.slipStan = 0;
    r.slipAmount = 0;
    r.slipDateTime = 0;
    r.slipPan.fill(0);
    r.slipPanLen = 0;
    r.slipReason = 0;
  }
}

/** Integer fen, 1 .. 999999999999 (n12). */
function validAmount(a: number): boolean {
  return a >= 1 && a <= 999999999999 && a === Math.floor(a);
}

/** 4 hex digits -> number (throws at construction on a bad config). */
function hex4(s: string): number {
  if (s.length !== 4) throw new Error("TxnEngine: TPDU address must be 4 hex digits");
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) throw new Error("TxnEngine: TPDU address must be 4 hex digits");
    v = v * 16 + d;
  }
  return v;
}
