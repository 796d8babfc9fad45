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
 *   -> STAN persisted -> request packed (+MAC; a prepared sale: packed before the PIN prompt, its
 *      PIN block and MAC added now) -> for sale/void the 0400 image is persisted
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
 * Memory (Espruino: every function, property and array costs blocks; MEMORY.md): the API methods
 * are thin, the commands share `cmd`, and everything else is ONE dispatcher, `go(op, a, b)`,
 * with a case per former helper (step, reply, no reply, reversal failed, ...): a function costs
 * ~6 blocks, the length of its body nothing; go's few locals are declared once (each call's scope
 * costs a block per local, and calls nest). Counters and flags are slots of one Int32Array `n`
 * (times and amounts of one Float64Array `f`); the bytes are tx, rx, cfg and ONE Message for the
 * request and then its reply (engine-messages.ts says what each holds); everything is allocated in
 * the constructor. The dispatcher, the receive path and request building allocate nothing (@hot,
 * checked by tools/hot-path-guard.ts; 0 blocks retained per sale on the interpreter,
 * test/engine/espruino.test.ts; figures: test/engine/espruino/measure.ts).
 */
import type { Clock } from "../hal/clock";
import { CardData, ENTRY_CHIP } from "./card-data";
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
import {
  CFG_BYTES,
  CFG_DIGITS,
  CFG_HEAD,
  CFG_MID,
  CFG_OPERATOR,
  CFG_SENT_TID,
  CFG_TID,
  CFG_TMK,
  CFG_TWO,
  DIGITS_CAPACITY,
  REQUEST_CAPACITY,
  TX_CARD_END,
  TX_EXPIRY,
  TX_ICC,
  TX_PAN,
  TX_PIN,
  TX_TRACK2,
  TX_TRACK3,
} from "./engine-messages";
import { civilFromMs, msFromCivil } from "./engine-time";
import {
  createUnionPayTable,
  E_FIELD_ABSENT,
  E_FRAME_LENGTH,
  E_MAC_MISMATCH,
  E_MAC_MISSING,
  E_MESSAGE_FULL,
  E_STAN_MISMATCH,
  E_TID_MISMATCH,
  E_UNEXPECTED_MTI,
  E_VALUE_RANGE,
  ISO_OK,
  Message,
  pack,
  SPEC_CHARS,
  UNIONPAY_HEAD_LENGTH,
  unpack,
  verifyMac,
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
import { rcLookup } from "./response-codes";
import { TOTALS48_DIGITS, UPLOAD_ITEM_DIGITS, UPLOAD_MAX_ITEMS } from "./settlement";
import { STORE_ERR_JOURNAL_FULL, STORE_ERR_REVERSAL_PENDING } from "./store/codes";
import { SETTLE_CLOSING, SETTLE_IDLE, SETTLE_STARTED, SETTLE_UPLOADING } from "./store/counters";
import {
  J_APPROVED,
  J_DECLINED,
  J_REVERSAL_PENDING,
  J_VOIDED,
  JournalEntry,
  TXN_PREAUTH_COMPLETE as J_TXN_PREAUTH_COMPLETE,
  TXN_REFUND as J_TXN_REFUND,
  TXN_SALE as J_TXN_SALE,
  TXN_VOID as J_TXN_VOID,
} from "./store/journal";
import { REASON_MAC_FAILED, REASON_TERMINAL, RQ_DONE, RQ_ERROR, RQ_EXHAUSTED, RQ_SEND } from "./store/reversal-queue";
import { TxnStores } from "./store/txn-stores";
import { ZEROS } from "../lib/zeros";
import { flashBytes } from "../lib/flash-bytes";

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

/**
 * Bytes of the send and receive buffers: the largest request PROTOCOL.md allows (chip sale with
 * tracks 2 and 3, 255 bytes of ICC data, PIN, MAC) packs to about 475; replies are smaller.
 */
export const TX_CAPACITY = 512;
export const RX_CAPACITY = 512;

// ---------------------------------------------------------------- state slots
// n (Int32Array): the state machine's small numbers and flags (0/1)
const N_STATE = 0;
const N_JOB = 1; // TXN_* of the running command
const N_X = 2; // X_*: the exchange in flight
const N_KEYS = 3; // working keys loaded
const N_NEED_SIGN_IN = 4; // the host asked for a sign-in (header digit 3, 77, A0, key error)
const N_LINK_OPEN = 5;
const N_LINK_UP = 6;
const N_RX_LEN = 7;
/** Bumped whenever the receive buffer's content stops being the frame being read. */
const N_RX_EPOCH = 8;
/** The command's own request (or the sign-in / reversal of those commands) has left. */
const N_MAIN_SENT = 9;
/** After the main request failed or was undone: one reversal try, then finish. */
const N_POST_REV = 10;
/** The pending reversal was tried (or exhausted) during this command. */
const N_PRE_REV_DONE = 11;
/** OUT_ABORTED / OUT_CARD_REMOVED requested before the reply (0 none). */
const N_ABORT = 12;
const N_HAS_PIN = 13;
const N_HAS_CARD = 14;
/** The command's card is a chip card (kept after the card data is wiped: cardRemoved needs it). */
const N_CHIP = 15;
/** Commands started: a frame's sender knows whether a new command began inside link.send(). */
const N_SEQ = 16;
const N_VOID_TRACE = 17;
/** Void / refund: `ent` holds the original (batch, trace, RRN, auth, masked PAN) until the request is built. */
const N_HAS_ORIG = 18;
/** Refund: original date MMDD for field 61; -1 none. */
const N_ORIG_MMDD = 19;
const N_PHASE = 20; // SP_*: settlement phase
const N_UPLOAD_NEXT = 21;
const N_UPLOAD_COUNT = 22;
/** Field 39 of the main reply, kept while a reversal try overwrites result.rc. */
const N_MAIN_RC = 23;
/** Frames dropped because they answered something else (MTI / STAN / TID mismatch). */
export const N_IGNORED = 24;
/** Codec error of the last unreadable reply (0 none). */
export const N_RX_ERROR = 25;
const N_TMK_LEN = 26;
const N_OP_LEN = 27;
// the card copy's lengths (its bytes are in tx)
const N_PAN_LEN = 28;
const N_T2_LEN = 29;
const N_T3_LEN = 30;
const N_ICC_LEN = 31;
const N_PAN_SEQ = 32;
/** Calendar scratch: 6 slots (engine-time.ts), then the host's date and time of a reply. */
const N_CIVIL = 33;
const N_HOST_CIVIL = 39;
/**
 * What the reply must answer: the request's MTI, STAN (its three BCD bytes as one number, -1:
 * none; valid BCD on both sides, so the same bytes are the same digits) and terminal id bytes
 * (in cfg).
 */
const N_SENT_MTI = 45;
const N_SENT_STAN = 46;
const N_SENT_TID = 47;
/** Bytes of the frame being sent (digits of an upload's field 48 while it is built). */
const N_FLEN = 48;
/** 1: TypedArray set() copies a string's char codes (Espruino does; elsewhere a string's characters are parsed as numbers). */
export const N_SET_STRING = 49;
/**
 * The token of the sale request prepareSale built in req (0: none): kept by the sale it was
 * given to until its request is built, wiped by anything else.
 */
const N_PREP = 50;
/** Tokens prepareSale handed out (the next one is this + 1). */
const N_PREP_SEQ = 51;
/**
 * The prepared request's packed length in tx, its STAN (handed out before the PIN prompt) and
 * where its PIN block goes in tx.
 */
const N_PACKED = 52;
const N_PREP_STAN = 53;
const N_PIN_AT = 54;
/**
 * 1: the pending reversal is the prepared request's own (persisted by prepareSale, the request
 * not sent yet): the wipe clears it, and the sale does not wait on it. 0 once the request leaves.
 */
const N_PREP_REV = 55;
/**
 * 1: the prepared request in tx carries the PIN block in `pin` (in field 52 and XORed into the
 * folded blocks) and its MAC: makePinBlock put them there before Enter, and the sale given that
 * same block sends it as it is.
 */
const N_PREP_PIN = 56;
const N_SLOTS = 57;

// f (Float64Array): times (ms since the epoch) and amounts, beyond 32 bits
const F_DEADLINE = 0;
const F_AMOUNT = 1;
/** Host local time minus terminal time (ms), learnt at the last sign-in. */
export const F_HOST_OFFSET = 2;
const F_CONNECT_MS = 3;
const F_REPLY_MS = 4;
/** While a reply is handled: the terminal's time, the host's (-1 none). */
const F_NOW = 5;
const F_HOST = 6;
const F_SLOTS = 7;

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

// dispatcher operations (go); deciding the next request (step), a whole frame (frame) and a
// command (command) are methods of their own
/** The exchange in flight got no (usable) reply; the link is already closed. */
const OP_NO_REPLY = 2;
/** A reversal try failed (no reply, not acknowledged, not sendable). */
const OP_REVERSAL_FAILED = 3;
/**
 * Approved by the host, but the terminal cannot complete it (card pulled, operator cancel,
 * journal write failed): reason 06, entry REVERSAL_PENDING, try the reversal at once.
 * a = outcome, b = 1 when the entry is already in the journal.
 */
const OP_TERMINAL_FAILURE = 4;
/** End the command: a = outcome (0: keep the result's), b = class, c = message id. */
const OP_FINISH = 5;
/** Host side of a settlement done: CLOSING persisted, journal batch closed; a = 1 uploaded. */
const OP_CLOSE_SETTLEMENT = 6;
/** The reversal that ran out of retries into the result's slip fields. */
const OP_SLIP = 7;

// what a financial request carries (bits while it is built)
const B_CARD = 1;
const B_CHIP = 2;
const B_PIN = 4;
const B_ORIG = 8;

const MTI_OFFSET = 2 + UNIONPAY_HEAD_LENGTH;
/**
 * The fields a reversal image keeps, as a primary bitmap: all but 1, 64 and the card's and PIN's
 * (2, 14, 26, 35, 36, 52, 53, 55: never on flash; test/engine/engine-host checks the stored image
 * against that list). A view of the literal: in flash on a board. (The request itself leaves
 * RAM whole once sent: req and tx are wiped.)
 */
const KEEP_IN_0400 = flashBytes("\x3f\xfb\xff\xbf\xcf\xff\xe5\xfe");

export class TxnEngine implements TxnEngineApi {
  readonly result = new TxnResult();
  /** State slots N_* (N_IGNORED and N_RX_ERROR are read by tests). */
  readonly n: Int32Array;
  /** Times and amounts F_* (F_HOST_OFFSET is read by tests). */
  readonly f: Float64Array;
  // n, f, tx, rx, cfg and pin are views of one buffer (each typed array of its own costs blocks)
  private readonly tx: Uint8Array;
  private readonly rx: Uint8Array;
  /** Config bytes and a digit scratch (layout CFG_* in engine-messages.ts). */
  private readonly cfg: Uint8Array;
  /** makePinBlock's output. */
  private readonly pin: Uint8Array;
  /** Their scratch is the request's body storage (idle while a reply is handled). */
  private readonly keys: WorkingKeys;
  /** Scratch for journal reads and the entry being written (void's original until the request is built). */
  private readonly ent = new JournalEntry();
  private readonly clk: Clock;
  private readonly sto: TxnStores;
  private readonly link: HostLink;
  private readonly lsn: EngineListener;
  private readonly setT: ((localMs: number) => void) | null;
  private readonly mac: Mac;
  /** The request being built (and packed); once it has left, the view over its reply. */
  private readonly req: Message;

  constructor(options: TxnEngineOptions) {
    const c = options.config;
    if (c.tmk.length !== 8 && c.tmk.length !== 16) throw new Error("TxnEngine: tmk must be 8 or 16 bytes");
    if (!(c.connectMs > 0 && c.replyMs > 0)) throw new Error("TxnEngine: connectMs and replyMs must be positive");
    if (c.tid.length !== 8 || c.mid.length !== 15) throw new Error("TxnEngine: tid must be 8 and mid 15 characters");
    this.clk = options.clock;
    this.sto = options.stores;
    this.link = options.link;
    this.lsn = options.listener;
    this.setT = options.setTime || null;
    // f (8-byte aligned) at 0, n, then tx, rx, cfg, pin
    const at = 8 * F_SLOTS + 4 * N_SLOTS;
    const all = new Uint8Array(at + TX_CAPACITY + RX_CAPACITY + CFG_BYTES + 8);
    this.f = new Float64Array(all.buffer, 0, F_SLOTS);
    this.n = new Int32Array(all.buffer, 8 * F_SLOTS, N_SLOTS);
    this.tx = all.subarray(at, at + TX_CAPACITY);
    this.rx = all.subarray(at + TX_CAPACITY, at + TX_CAPACITY + RX_CAPACITY);
    this.cfg = all.subarray(at + TX_CAPACITY + RX_CAPACITY, at + TX_CAPACITY + RX_CAPACITY + CFG_BYTES);
    this.pin = all.subarray(at + TX_CAPACITY + RX_CAPACITY + CFG_BYTES);
    const n = this.n;
    const b = this.cfg;
    // tried, not assumed from the platform: rx[0] is 65 only where set() takes a string's codes
    this.rx.set("A" as unknown as ArrayLike<number>);
    n[N_SET_STRING] = this.rx[0] === 65 ? 1 : 0;
    this.rx[0] = 0;
    this.f[F_CONNECT_MS] = c.connectMs;
    this.f[F_REPLY_MS] = c.replyMs;
    n[N_TMK_LEN] = c.tmk.length;
    b.set(c.tmk, CFG_TMK);
    n[N_ORIG_MMDD] = -1;
    n[N_PAN_SEQ] = -1;
    for (let i = 0; i < 8; i++) b[CFG_TID + i] = c.tid.charCodeAt(i) & 255;
    for (let i = 0; i < 15; i++) b[CFG_MID + i] = c.mid.charCodeAt(i) & 255;
    const op = c.operator.length > 8 ? 8 : c.operator.length;
    n[N_OP_LEN] = op;
    for (let i = 0; i < op; i++) b[CFG_OPERATOR + i] = c.operator.charCodeAt(i) & 255;
    // TPDU 60 DDDD SSSS (4 hex digits each); header: application 60 (61 for chip), version 31,
    // status/requirement 00, 31 00 00
    for (let i = 0; i < 8; i++) {
      const s = i < 4 ? c.tpduDest : c.tpduSrc;
      const ch = s.length === 4 ? s.charCodeAt(i & 3) : 0;
      const d = ch >= 48 && ch <= 57 ? ch - 48 : ch >= 65 && ch <= 70 ? ch - 55 : ch >= 97 && ch <= 102 ? ch - 87 : -1;
      if (d < 0) throw new Error("TxnEngine: TPDU address must be 4 hex digits");
      b[CFG_HEAD + 1 + (i >> 1)] |= i & 1 ? d : d << 4;
    }
    b[CFG_HEAD] = 0x60;
    b[CFG_HEAD + 5] = 0x60;
    b[CFG_HEAD + 6] = 0x31;
    b[CFG_HEAD + 8] = 0x31;
    this.req = new Message(createUnionPayTable(), REQUEST_CAPACITY);
    this.keys = new WorkingKeys(this.req.data);
    // the codec MACs with the working MAC key itself (no copy of its schedules)
    this.mac = new Mac(c.macMode === MAC_RETAIL ? MAC_RETAIL : MAC_UNIONPAY_ECB, this.keys.macKey);
  }

  // ================================================================ queries

  busy(): boolean {
    return this.n[N_STATE] !== S_IDLE;
  }

  /** Working keys loaded and the host has not asked for a sign-in since. */
  signedIn(): boolean {
    return this.n[N_KEYS] === 1 && this.n[N_NEED_SIGN_IN] === 0;
  }

  // ================================================================ commands

  signIn(): boolean {
    return this.command(TXN_SIGN_IN, 0, 0, null, null);
  }

  /**
   * `prepared`: the token prepareSale returned for this card and amount, when neither has
   * changed since; the request then keeps the fields built then (0: build them all now).
   */
  sale(amountFen: number, card: CardData, pinBlock: Uint8Array | null, prepared?: number): boolean {
    return this.command(TXN_SALE, amountFen, prepared ? prepared : 0, card, pinBlock);
  }

  /**
   * Build a swiped card's sale request before the PIN is typed: packed whole into tx with its
   * STAN (handed out now), but for the PIN block and MAC sale() adds at Enter; its 0400 image
   * stored on flash and its journal entry filled; the MAC's blocks folded after it. The terminal
   * calls this before it shows the PIN prompt and hands the token to sale() with the same card
   * and amount (a statement costs ~10,000 instructions on Espruino: this is ~42 M off the wait
   * after Enter). Returns the token, or 0 when nothing was prepared (busy, chip card, not signed
   * in, a reversal waiting, no STAN, a field refused, the 0400 not stored: sale() then builds
   * the request whole).
   * `card` null wipes a prepared request and clears its 0400 (the PIN entry was abandoned); any
   * other command does too, and so does the end of the sale it was for before its request
   * left. A wipe is safe in any state: until its request is built, the sale keeps req for
   * nothing else, and step() builds it whole when the token is gone. @hot
   */
  prepareSale(amountFen: number, card: CardData | null): number {
    const n = this.n;
    const m = this.req;
    const q = this.sto.reversals;
    if (n[N_PREP] !== 0 || n[N_PREP_REV] !== 0) {
      // the card's digits go with the request they were in, and with its packed copy in tx;
      // its reversal too, as the request never left (if that write fails the 0400 stays
      // pending and goes before the next transaction: the host answers it 25)
      m.data.set(ZEROS);
      m.clear();
      this.tx.set(ZEROS);
      this.tx.set(ZEROS, TX_CAPACITY - ZEROS.length);
      n[N_PREP] = 0;
      n[N_PACKED] = 0;
      n[N_PREP_PIN] = 0;
      if (n[N_PREP_REV] === 1 && q.isPending && q.pending.stan === n[N_PREP_STAN]) q.clear();
      n[N_PREP_REV] = 0;
      // the connection opened for it (below) goes too, unless a command is already using it
      if (n[N_STATE] === S_IDLE && n[N_LINK_OPEN] === 1) {
        n[N_LINK_OPEN] = 0;
        n[N_LINK_UP] = 0;
        this.link.close();
      }
    }
    // only when nothing goes before the sale (signed in, no reversal waiting): anything sent
    // first would take req, and the sale is then built whole at Enter anyway
    if (card === null || n[N_STATE] !== S_IDLE || card.entryMode === ENTRY_CHIP) return 0;
    if (n[N_KEYS] !== 1 || n[N_NEED_SIGN_IN] !== 0 || q.isPending) return 0;
    // its STAN now (persisted before any use; skipped if the sale never goes)
    const stan = this.sto.begin();
    if (stan === 0) return 0;
    // the whole request: 22 "021", 26 and 53 as with a PIN, zeros holding 52 and 64 (tx is all
    // zeros while the engine is idle), packed into tx with its reversal image into rx
    const tx = this.tx;
    const cfg = this.cfg;
    m.clear();
    cfg[CFG_HEAD + 5] = 0x60;
    for (let h = 0; h < m.head.length; h++) m.head[h] = cfg[CFG_HEAD + h];
    m.mti = 200;
    let e = m.setDigits(2, card.pan, 0, card.panLen);
    if (e === ISO_OK) e = m.setNumeric(3, 0);
    if (e === ISO_OK) e = m.setNumeric(4, amountFen);
    if (e === ISO_OK) e = m.setNumeric(11, stan);
    if (e === ISO_OK) e = m.setNumeric(22, 21);
    if (e === ISO_OK) e = m.setNumeric(25, 0);
    if (e === ISO_OK) e = m.setNumeric(26, 12);
    if (e === ISO_OK && card.track2Len > 0) e = m.setDigits(35, card.track2, 0, card.track2Len);
    if (e === ISO_OK && card.track3Len > 0) e = m.setDigits(36, card.track3, 0, card.track3Len);
    if (e === ISO_OK) e = m.setAscii(41, cfg, CFG_TID, 8);
    if (e === ISO_OK) e = m.setAscii(42, cfg, CFG_MID, 15);
    if (e === ISO_OK) e = m.setText(49, "156");
    if (e === ISO_OK) e = m.setBytes(52, tx, TX_PIN, 8);
    cfg[CFG_DIGITS] = 50;
    cfg[CFG_DIGITS + 1] = this.keys.pinKey.size > 8 ? 54 : 48;
    for (let i = 2; i < 16; i++) cfg[CFG_DIGITS + i] = 48;
    if (e === ISO_OK) e = m.setDigits(53, cfg, CFG_DIGITS, 16);
    writeAsciiDigits(cfg, CFG_DIGITS, 22, 2);
    writeAsciiDigits(cfg, CFG_DIGITS + 2, this.sto.counters.batch, 6);
    writeAsciiDigits(cfg, CFG_DIGITS + 8, 50, 5); // as step() writes 60 for a sale
    if (e === ISO_OK) e = m.setDigits(60, cfg, CFG_DIGITS, 13);
    if (e === ISO_OK) e = m.setBytes(64, tx, TX_PIN, 8);
    if (e === ISO_OK) e = pack(m, tx, null, this.rx, KEEP_IN_0400, 400);
    // 52's place: before 64 and the fields after 52 (their BCD length prefixes: LL 1 byte, LLL 2)
    let at = m.packedLength - 16;
    for (let f = 53; f < 64; f++) if (m.has(f)) at -= m.bodyBytes(f) + ((m.table.spec[SPEC_CHARS * f] >> 3) & 3);
    n[N_PACKED] = m.packedLength;
    n[N_PREP_STAN] = stan;
    n[N_PIN_AT] = at;
    n[N_PREP_SEQ] = (n[N_PREP_SEQ] % 1000000) + 1;
    n[N_PREP] = n[N_PREP_SEQ];
    if (e !== ISO_OK) return this.prepareSale(0, null);
    // the journal entry as step() would fill it (written when answered), and the reversal image
    // on flash now rather than after Enter (~4 M instructions off that wait): persisted before
    // the request leaves, as always; the wipe clears it if the request never does
    const en = this.ent;
    en.status = 0;
    en.respCode = 0;
    en.rrn.fill(0);
    en.authCode.fill(0);
    en.settled = false;
    en.type = J_TXN_SALE;
    en.stan = stan;
    en.origStan = 0;
    en.amount = amountFen;
    en.batch = this.sto.counters.batch;
    en.time = Math.floor(this.clk.now() / 1000);
    en.entryMode = 21;
    en.pan.fromPan(card.pan, card.panLen);
    const si = q.pending;
    si.type = J_TXN_SALE;
    si.stan = stan;
    si.amount = amountFen;
    si.time = en.time;
    si.pan.first6.set(en.pan.first6);
    si.pan.last4.set(en.pan.last4);
    si.pan.length = en.pan.length;
    if (!q.persist(this.rx, ((this.rx[0] << 8) | this.rx[1]) + 2, MTI_OFFSET, si)) return this.prepareSale(0, null);
    n[N_PREP_REV] = 1;
    // the UnionPay MAC's XOR of the request's blocks (52 and 64 still zeros) into the 16 bytes
    // after it: at Enter the PIN block is XORed in there and only those are MACed (~1.1 M
    // instructions off the wait); with no room for them, or no MAC key, nothing is prepared
    if (this.mac.mode === MAC_UNIONPAY_ECB && (m.packedLength + 16 > tx.length || this.mac.compute(tx, MTI_OFFSET, m.packedLength - 8 - MTI_OFFSET, tx, m.packedLength, true) !== CRYPTO_OK)) return this.prepareSale(0, null);
    // the host connection opened now, while the cardholder types the PIN (as terminals dial
    // ahead): at Enter the request goes at once, the connect's round trip behind it. One
    // connection per sale as before; one the wipe above closes if the sale does not go, and
    // Enter opens another if this one is not up by then
    n[N_LINK_OPEN] = 1;
    n[N_LINK_UP] = 0;
    this.link.open();
    return n[N_PREP];
  }

  balance(card: CardData, pinBlock: Uint8Array | null): boolean {
    return this.command(TXN_BALANCE, 0, 0, card, pinBlock);
  }

  voidSale(trace: number, card?: CardData | null, pinBlock?: Uint8Array | null): boolean {
    return this.command(TXN_VOID, trace, 0, card ? card : null, card && pinBlock ? pinBlock : null);
  }

  refund(amountFen: number, card: CardData, origRrn: Uint8Array, origDateMmdd: number): boolean {
    return this.command(TXN_REFUND, amountFen, origDateMmdd, card, origRrn);
  }

  settle(): boolean {
    return this.command(TXN_SETTLE, 0, 0, null, null);
  }

  sendReversal(): boolean {
    return this.command(TXN_REVERSAL, 0, 0, null, null);
  }

  /**
   * The PIN block of pin[0, len) for `card` under the working PIN key (in the engine's own
   * buffer), or null. With a request prepared for this card (prepareSale, UnionPay MAC) the
   * block also goes into it with its MAC: the terminal makes it as the last digit is typed, so
   * its ~0.25 s on a Pico (triple DES and two DES blocks) falls while the cardholder reaches for
   * Enter, not after it. A later call (another PIN) takes the earlier block out first. `len` 0:
   * the block already in the prepared request, or null when there is none.
   */
  makePinBlock(pin: Uint8Array, len: number, card: CardData): Uint8Array | null {
    const n = this.n;
    const tx = this.tx;
    const b = this.pin;
    if (len === 0) return n[N_PREP_PIN] === 1 && n[N_PREP] !== 0 ? b : null;
    if (n[N_KEYS] !== 1 || len > pin.length) return null;
    // field 52's place and the same offset modulo 8 in the folded blocks after the request
    const at = n[N_PIN_AT];
    const w = n[N_PACKED] + ((at - MTI_OFFSET) & 7);
    let i = 0;
    if (n[N_PREP_PIN] === 1) {
      for (i = 0; i < 8; i++) {
        tx[w + i] ^= b[i];
        tx[at + i] = 0;
      }
      n[N_PREP_PIN] = 0;
    }
    if (pinBlockEncrypted(this.keys.pinKey, pin, 0, len, card.pan, 0, card.panLen, b, 0) !== CRYPTO_OK) return null;
    if (n[N_PREP] !== 0 && n[N_PREP_REV] === 1 && n[N_STATE] === S_IDLE && this.mac.mode === MAC_UNIONPAY_ECB) {
      for (i = 0; i < 8; i++) {
        tx[at + i] = b[i];
        tx[w + i] ^= b[i];
      }
      n[N_PREP_PIN] = 1;
      // the MAC of the 16 folded bytes: the request's, into field 64's place
      if (this.mac.compute(tx, n[N_PACKED], 16, tx, n[N_PACKED] - 8) !== CRYPTO_OK) {
        for (i = 0; i < 8; i++) {
          tx[w + i] ^= b[i];
          tx[at + i] = 0;
        }
        n[N_PREP_PIN] = 0;
      }
    }
    return b;
  }

  /** @hot */
  cardRemoved(): void {
    const n = this.n;
    if (n[N_STATE] === S_IDLE || n[N_CHIP] === 0) return;
    if (n[N_STATE] === S_COMPLETING) {
      this.go(OP_TERMINAL_FAILURE, OUT_CARD_REMOVED, 1);
      return;
    }
    n[N_ABORT] = OUT_CARD_REMOVED;
    if (n[N_MAIN_SENT] === 0 && n[N_STATE] === S_CONNECTING) this.go(OP_FINISH, OUT_CARD_REMOVED, (CLS_RETRY_LATER << 8) | MSG_OUT_CARD_REMOVED);
  }

  /** @hot */
  complete(): void {
    const n = this.n;
    if (n[N_STATE] !== S_COMPLETING) return;
    n[N_STATE] = S_RUNNING;
    const q = this.sto.reversals;
    if (!q.clear()) {
      // the approval could not be made final: it will be reversed (06), never left unknown
      this.result.errorCode = q.lastError;
      this.go(OP_TERMINAL_FAILURE, OUT_STORAGE_ERROR, 1);
      return;
    }
    this.go(OP_FINISH, OUT_APPROVED, (CLS_SUCCESS << 8) | MSG_RC_00);
  }

  /** @hot */
  cancel(): void {
    const n = this.n;
    if (n[N_STATE] === S_IDLE) return;
    if (n[N_STATE] === S_COMPLETING) {
      this.go(OP_TERMINAL_FAILURE, OUT_ABORTED, 1);
      return;
    }
    if (n[N_MAIN_SENT] === 1 && n[N_JOB] !== TXN_SALE && n[N_JOB] !== TXN_VOID) return; // nothing to undo: let it finish
    n[N_ABORT] = OUT_ABORTED;
    if (n[N_MAIN_SENT] === 0 && n[N_STATE] === S_CONNECTING) this.go(OP_FINISH, OUT_ABORTED, (CLS_DO_NOT_RETRY << 8) | MSG_OUT_ABORTED);
  }

  // ================================================================ transport events

  /** Connect / reply timeouts. @hot */
  tick(now: number): void {
    const n = this.n;
    const st = n[N_STATE];
    if ((st !== S_CONNECTING && st !== S_WAITING) || now < this.f[F_DEADLINE]) return;
    if (st === S_WAITING) n[N_RX_EPOCH]++; // the exchange is over
    n[N_STATE] = S_RUNNING;
    const was = n[N_LINK_OPEN];
    n[N_LINK_OPEN] = 0;
    n[N_LINK_UP] = 0;
    if (was === 1) this.link.close();
    if (st === S_WAITING) this.go(OP_NO_REPLY, 0, 0);
    else if (n[N_POST_REV] === 1) this.go(OP_FINISH, 0, 0);
    else if (n[N_JOB] === TXN_SETTLE) this.go(OP_FINISH, OUT_SETTLE_FAILED, (CLS_RETRY_LATER << 8) | MSG_OUT_SETTLE_FAILED);
    else this.go(OP_FINISH, OUT_NO_RESPONSE, (CLS_RETRY_LATER << 8) | MSG_OUT_NO_RESPONSE);
  }

  /** @hot */
  onLinkUp(): void {
    const n = this.n;
    if (n[N_LINK_OPEN] === 0) return;
    // up while idle: the connection opened for a prepared sale, kept for its Enter
    if (n[N_STATE] === S_IDLE) n[N_LINK_UP] = 1;
    if (n[N_STATE] !== S_CONNECTING) return;
    n[N_LINK_UP] = 1;
    n[N_STATE] = S_RUNNING;
    this.step();
  }

  /** @hot */
  onLinkDown(): void {
    const n = this.n;
    const st = n[N_STATE];
    const was = n[N_LINK_OPEN];
    n[N_LINK_OPEN] = 0;
    n[N_LINK_UP] = 0;
    if (was === 1) this.link.close();
    if (st === S_CONNECTING) {
      n[N_STATE] = S_RUNNING;
      if (n[N_POST_REV] === 1) this.go(OP_FINISH, 0, 0);
      else if (n[N_JOB] === TXN_SETTLE) this.go(OP_FINISH, OUT_SETTLE_FAILED, (CLS_RETRY_LATER << 8) | MSG_OUT_SETTLE_FAILED);
      else this.go(OP_FINISH, OUT_NO_RESPONSE, (CLS_RETRY_LATER << 8) | MSG_OUT_NO_RESPONSE);
    } else if (st === S_WAITING) {
      n[N_RX_EPOCH]++;
      n[N_STATE] = S_RUNNING;
      this.go(OP_NO_REPLY, 0, 0);
    }
  }

  /**
   * Reassemble frames by their 2-byte length into the receive buffer and handle each whole one;
   * oversize (or garbage that claims it) is refused as unreadable. @hot
   */
  onLinkData(data: string): void {
    const n = this.n;
    if (n[N_STATE] !== S_WAITING) return;
    const rx = this.rx;
    const epoch = n[N_RX_EPOCH];
    const cap = rx.length;
    const len = data.length;
    let i = 0;
    while (i < len) {
      let have = n[N_RX_LEN];
      if (i === 0 && n[N_SET_STRING] === 1 && len <= cap - have) {
        // the whole chunk in one native copy (a statement a byte costs ~40,000 instructions on
        // Espruino); a socket's strings are binary, char codes 0-255
        rx.set(data as unknown as ArrayLike<number>, have);
        have += len;
        i = len;
      } else while (i < len && have < cap) rx[have++] = data.charCodeAt(i++) & 255;
      n[N_RX_LEN] = have;
      let bad = have >= cap;
      // every whole frame in the buffer
      while (n[N_STATE] === S_WAITING) {
        // the frame's whole length from its 2-byte prefix (-1 before both bytes are in)
        const need = n[N_RX_LEN] < 2 ? -1 : 2 + ((rx[0] << 8) | rx[1]);
        if (need < 0 || (need <= cap && need > n[N_RX_LEN])) break;
        if (need > cap) {
          bad = true;
          break;
        }
        const e = n[N_RX_EPOCH];
        this.frame(need);
        if (n[N_RX_EPOCH] !== e || n[N_STATE] !== S_WAITING) break;
        // ignored frame: drop it and keep what follows
        have = n[N_RX_LEN];
        for (let k = need; k < have; k++) rx[k - need] = rx[k];
        n[N_RX_LEN] = have - need;
        bad = false;
      }
      if (n[N_STATE] !== S_WAITING || n[N_RX_EPOCH] !== epoch) return;
      if (bad) {
        // the frame being read is not worth waiting on (oversize, garbage): no reply
        n[N_RX_ERROR] = E_FRAME_LENGTH;
        n[N_RX_EPOCH]++;
        n[N_STATE] = S_RUNNING;
        const was = n[N_LINK_OPEN];
        n[N_LINK_OPEN] = 0;
        n[N_LINK_UP] = 0;
        if (was === 1) this.link.close();
        this.go(OP_NO_REPLY, 0, 0);
        return;
      }
    }
  }

  // ================================================================ the dispatcher

  /**
   * The state machine's less travelled steps and its end, by operation (OP_*); the three every
   * command takes (command, step, frame) are methods of their own. Espruino walks every token of
   * a function it calls, to its closing brace, whatever branch it takes: one dispatcher for all
   * of them cost ~2.7 M instructions a call, five or more calls a sale. The locals are the same
   * few numbers for every operation, declared once here (parts are reached through `this`): on
   * Espruino a call's scope costs a block per local while it runs, and calls nest. @hot
   */
  private go(op: number, a: number, b: number): void {
    const n = this.n;
    const r = this.result;
    let i = 0;
    let j = 0;
    let k = X_NONE;
    let v = 0;
    let w = 0;
    switch (op) {
      case OP_FINISH: {
        // link closed, secrets wiped, one onResult; b = (class << 8) | message id
        if (a !== 0) {
          r.outcome = a;
          r.cls = b >> 8;
          r.msgId = b & 255;
        }
        v = n[N_LINK_OPEN];
        n[N_LINK_OPEN] = 0;
        n[N_LINK_UP] = 0;
        if (v === 1) this.link.close();
        this.tx.set(ZEROS);
        this.tx.set(ZEROS, TX_CAPACITY - ZEROS.length);
        // ended before its request left: the prepared card digits go too, and its reversal
        if (n[N_PREP] !== 0 || n[N_PREP_REV] !== 0) this.prepareSale(0, null);
        n[N_PAN_LEN] = 0;
        n[N_T2_LEN] = 0;
        n[N_T3_LEN] = 0;
        n[N_ICC_LEN] = 0;
        n[N_PAN_SEQ] = -1;
        n[N_HAS_PIN] = 0;
        n[N_RX_LEN] = 0;
        n[N_RX_EPOCH]++;
        n[N_X] = X_NONE;
        n[N_STATE] = S_IDLE;
        r.reversalPending = this.sto.reversals.isPending;
        this.lsn.onResult(r);
        // each log compaction leaves its old file as Storage trash: reclaim it while nothing is in
        // flight, or the flash fills up and every later write fails (TxnStores.compactIfIdle)
        if (n[N_STATE] === S_IDLE) this.sto.compactIfIdle();
        return;
      }

      case OP_NO_REPLY: {
        k = n[N_X];
        n[N_X] = X_NONE;
        if (k === X_REVERSAL) this.go(OP_REVERSAL_FAILED, 0, 0);
        else if (k === X_MAIN) {
          r.rc0 = 0;
          r.rc1 = 0;
          n[N_MAIN_RC] = 0;
          r.outcome = OUT_NO_RESPONSE;
          r.cls = CLS_RETRY_LATER;
          r.msgId = MSG_OUT_NO_RESPONSE;
          if (n[N_JOB] === TXN_SALE || n[N_JOB] === TXN_VOID) {
            // the reversal (98) is on flash: try it once now
            n[N_POST_REV] = 1;
            this.step();
          } else this.go(OP_FINISH, 0, 0);
        } else if (k === X_SIGN_IN) this.go(OP_FINISH, OUT_NO_RESPONSE, (CLS_RETRY_LATER << 8) | MSG_OUT_NO_RESPONSE);
        else this.go(OP_FINISH, OUT_SETTLE_FAILED, (CLS_RETRY_LATER << 8) | MSG_OUT_SETTLE_FAILED);
        return;
      }

      case OP_REVERSAL_FAILED: {
        // j: the reversal ran out of retries now
        n[N_PRE_REV_DONE] = 1;
        if (this.sto.reversals.isPending && this.sto.reversals.pending.tries >= this.sto.reversals.retryLimit) {
          v = this.sto.reversalAttempt();
          if (v === RQ_EXHAUSTED) {
            this.go(OP_SLIP, 0, 0);
            j = 1;
          } else if (v === RQ_ERROR) {
            r.errorCode = this.sto.lastError;
          }
        }
        if (n[N_POST_REV] === 1) {
          r.rc0 = (n[N_MAIN_RC] >> 8) & 255;
          r.rc1 = n[N_MAIN_RC] & 255;
          this.go(OP_FINISH, 0, 0);
        } else if (n[N_JOB] === TXN_REVERSAL) {
          if (j === 1) this.go(OP_FINISH, OUT_REVERSAL_FAILED, (CLS_SYSTEM << 8) | MSG_REVERSAL_FAILED);
          else this.go(OP_FINISH, OUT_REVERSAL_PENDING, (CLS_RETRY_LATER << 8) | MSG_OUT_REVERSAL_PENDING);
        } else if (j === 1) {
          // on the manual list now: the new transaction may proceed
          n[N_STATE] = S_RUNNING;
          this.step();
        } else this.go(OP_FINISH, OUT_REVERSAL_PENDING, (CLS_RETRY_LATER << 8) | MSG_OUT_REVERSAL_PENDING);
        return;
      }

      case OP_TERMINAL_FAILURE: {
        n[N_STATE] = S_RUNNING;
        if (!this.sto.reversals.setReason(REASON_TERMINAL)) r.errorCode = this.sto.reversals.lastError;
        this.ent.status = J_REVERSAL_PENDING;
        if (b === 1) this.sto.journal.setStatus(this.ent.stan, J_REVERSAL_PENDING);
        else this.sto.complete(this.ent);
        r.outcome = a;
        r.cls = a === OUT_STORAGE_ERROR ? CLS_SYSTEM : a === OUT_CARD_REMOVED ? CLS_RETRY_LATER : CLS_DO_NOT_RETRY;
        r.msgId = a === OUT_STORAGE_ERROR ? MSG_OUT_STORAGE_ERROR : a === OUT_CARD_REMOVED ? MSG_OUT_CARD_REMOVED : MSG_OUT_ABORTED;
        n[N_POST_REV] = 1;
        this.step();
        return;
      }

      case OP_CLOSE_SETTLEMENT: {
        const cn = this.sto.counters;
        r.batch = cn.batch;
        r.uploaded = a === 1;
        if (cn.settleStep !== SETTLE_CLOSING && !cn.setSettleStep(SETTLE_CLOSING, cn.uploadIndex)) {
          r.errorCode = cn.lastError;
          this.go(OP_FINISH, OUT_STORAGE_ERROR, (CLS_SYSTEM << 8) | MSG_OUT_STORAGE_ERROR);
        } else if (!this.sto.finishSettlement()) {
          r.errorCode = this.sto.lastError;
          this.go(OP_FINISH, OUT_STORAGE_ERROR, (CLS_SYSTEM << 8) | MSG_OUT_STORAGE_ERROR);
        } else this.go(OP_FINISH, OUT_SETTLED, (CLS_SUCCESS << 8) | MSG_OUT_SETTLED);
        return;
      }

      case OP_SLIP: {
        const s = this.sto.reversals.slip;
        r.slipReady = true;
        r.slipType = s.type === J_TXN_VOID ? TXN_VOID : s.type === J_TXN_REFUND ? TXN_REFUND : TXN_SALE;
        r.slipStan = s.stan;
        r.slipAmount = s.amount;
        civilFromMs(s.time * 1000, n, N_CIVIL);
        r.slipDateTime = ((((n[N_CIVIL] % 100) * 100 + n[N_CIVIL + 1]) * 100 + n[N_CIVIL + 2]) * 10000 + n[N_CIVIL + 3] * 100 + n[N_CIVIL + 4]) * 100 + n[N_CIVIL + 5];
        // masked PAN as ASCII
        w = s.pan.length > r.slipPan.length ? r.slipPan.length : s.pan.length;
        r.slipPan.fill(0);
        r.slipPan.fill(42, 0, w);
        for (i = 0; i < w && i < 6; i++) r.slipPan[i] = s.pan.first6[i];
        for (i = w >= 10 ? 0 : w > 6 ? 10 - w : 4; i < 4; i++) r.slipPan[w - 4 + i] = s.pan.last4[i];
        r.slipPanLen = w;
        r.slipReason = s.reason;
        return;
      }
    }
  }

  /** A command (TXN_*): refused at once or started; true when started. @hot */
  private command(type: number, a: number, b: number, card: CardData | null, bytes: Uint8Array | null): boolean {
    const n = this.n;
    const r = this.result;
    let e = ISO_OK;
    let i = 0;
    let v = 0;
    let w = 0;
    let x = 0;
    // refused at once (result filled: busy, settlement under way, bad card or amount, original
    // not found, journal full, nothing to reverse) or started. `a` is the amount (sale, refund)
    // or the trace (void), `b` the refund's original date MMDD; `bytes` the PIN block (sale,
    // balance, void) or the original RRN (refund).
    const st = this.sto;
    if (n[N_STATE] !== S_IDLE) {
      // the running command's result is refilled when it ends
      r.outcome = OUT_BUSY;
      r.cls = CLS_RETRY_LATER;
      r.msgId = MSG_OUT_BUSY;
      return false;
    }
    const financial = type === TXN_SALE || type === TXN_BALANCE || type === TXN_VOID || type === TXN_REFUND;
    const pinBlock = type === TXN_REFUND ? null : bytes;
    const o = this.ent;
    // a sale given the token of the request prepared for it (prepareSale, which checked its PAN's
    // digits then) keeps it: that request was packed assuming a PIN and nothing to send first
    // (the one reversal pending is its own), for the amount in its entry
    const prep =
      type === TXN_SALE &&
      b !== 0 &&
      b === n[N_PREP] &&
      a === o.amount &&
      card !== null &&
      card.entryMode !== ENTRY_CHIP &&
      bytes !== null &&
      n[N_KEYS] === 1 &&
      n[N_NEED_SIGN_IN] === 0 &&
      n[N_PREP_REV] === 1
        ? 1
        : 0;
    // anything else wipes it, and its reversal, before the reversal checks below
    if (prep === 0 && (n[N_PREP] !== 0 || n[N_PREP_REV] !== 0)) this.prepareSale(0, null);
    let panOk = card !== null && card.panLen >= 12 && card.panLen <= 19;
    for (i = 0; panOk && prep === 0 && card !== null && i < card.panLen; i++) panOk = card.pan[i] >= 48 && card.pan[i] <= 57;
    // a refusal: v = outcome, w = class, x = message id, e = error code (the dispatcher's
    // locals: this case runs inside it)
    if (financial && st.counters.settleStep !== SETTLE_IDLE) {
      // a settlement is under way: the batch must not change until it is closed
      v = OUT_SETTLE_FAILED;
      w = CLS_SYSTEM;
      x = MSG_ACT_SETTLE_FIRST;
    } else if (card !== null && !panOk) {
      v = OUT_ERROR;
      w = CLS_DO_NOT_RETRY;
      x = MSG_RC_14;
      e = E_VALUE_RANGE;
    } else if (card !== null && pinBlock !== null && (pinBlock.length < 8 || !this.signedIn())) {
      // a PIN block made under other (or no) working keys would only earn a 55
      v = OUT_NOT_SIGNED_IN;
      w = CLS_SIGN_IN_AGAIN;
      x = MSG_OUT_NOT_SIGNED_IN;
    } else if ((type === TXN_SALE || type === TXN_REFUND) && !(a >= 1 && a <= 999999999999 && a === Math.floor(a))) {
      // integer fen, 1 .. 999999999999 (n12)
      v = OUT_ERROR;
      w = CLS_REENTER_AMOUNT;
      x = MSG_RC_13;
      e = E_VALUE_RANGE;
    } else if (
      type === TXN_REFUND &&
      (bytes === null || bytes.length < 12 || !(Math.floor(b / 100) >= 1 && Math.floor(b / 100) <= 12 && b % 100 >= 1 && b % 100 <= 31) || b !== Math.floor(b))
    ) {
      v = OUT_ERROR;
      w = CLS_DO_NOT_RETRY;
      x = MSG_RC_OTHER;
      e = E_VALUE_RANGE;
    } else if (
      type === TXN_VOID &&
      (!(a >= 1 && a <= 999999) || !st.journal.findByStan(a, o) || o.settled || o.type !== J_TXN_SALE || o.status !== J_APPROVED)
    ) {
      // `ent` holds the original until the request is built
      v = OUT_NOT_FOUND;
      w = CLS_DO_NOT_RETRY;
      x = MSG_OUT_NOT_FOUND;
    } else if (financial && type !== TXN_BALANCE && st.journal.nextKey >= st.journal.capacity) {
      v = OUT_JOURNAL_FULL;
      w = CLS_SYSTEM;
      x = MSG_OUT_JOURNAL_FULL;
      e = STORE_ERR_JOURNAL_FULL;
    } else if (type === TXN_REVERSAL && !st.reversals.isPending) {
      v = OUT_NOT_FOUND;
      w = CLS_SUCCESS;
      x = MSG_OUT_NOT_FOUND;
    }
    // a fresh result
    r.type = type;
    r.outcome = v;
    r.rc0 = 0;
    r.rc1 = 0;
    r.cls = w;
    r.msgId = x;
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
    r.errorCode = e;
    r.slipReady = false;
    r.slipType = 0;
    r.slipStan = 0;
    r.slipAmount = 0;
    r.slipDateTime = 0;
    r.slipPan.fill(0);
    r.slipPanLen = 0;
    r.slipReason = 0;
    // a prepared request (prepareSale) serves the sale its token was given to; any other command
    // wipes it (b is a sale's token: sale() passes it there)
    if (v !== 0 && (n[N_PREP] !== 0 || n[N_PREP_REV] !== 0)) this.prepareSale(0, null);
    if (v !== 0) return false;
    // what the command carries: the original, the card (copied into tx), the amount
    n[N_HAS_ORIG] = type === TXN_VOID || type === TXN_REFUND ? 1 : 0;
    n[N_ORIG_MMDD] = type === TXN_REFUND ? b : -1;
    if (type === TXN_VOID) {
      n[N_VOID_TRACE] = a;
      this.f[F_AMOUNT] = o.amount;
    } else this.f[F_AMOUNT] = type === TXN_SALE || type === TXN_REFUND ? a : 0;
    if (type === TXN_REFUND && bytes !== null) {
      // the original as field 61/37 give it: batch and trace unknown (zeros), RRN, date
      o.clear();
      for (i = 0; i < 12; i++) o.rrn[i] = bytes[i];
    }
    const tx = this.tx;
    if (card !== null && n[N_PACKED] > 0) {
      // its request packed at the prompt is in tx: the PIN block goes into its field 52, and
      // into the MAC's folded blocks after it at the same offset modulo 8 (prepareSale)
      v = n[N_PIN_AT];
      w = n[N_PACKED] + ((v - MTI_OFFSET) & 7);
      // a block other than the one makePinBlock put in (bytes that differ: typed arrays are not
      // compared with === here, Espruino compares their contents): that one comes out
      x = 0;
      for (i = 0; i < 8 && n[N_PREP_PIN] === 1 && pinBlock !== null; i++) x |= pinBlock[i] ^ this.pin[i];
      if (x !== 0) {
        for (i = 0; i < 8; i++) tx[w + i] ^= this.pin[i];
        n[N_PREP_PIN] = 0;
      }
      for (i = 0; i < 8 && pinBlock !== null && n[N_PREP_PIN] === 0; i++) {
        tx[v + i] = pinBlock[i];
        tx[w + i] ^= pinBlock[i];
      }
    } else if (card !== null) {
      // the card's fields and the PIN block fill tx[0, TX_CARD_END) exactly (no fill first: on
      // Espruino fill() walks the whole array, whatever its range, ~850 instructions a byte)
      tx.set(card.pan, TX_PAN);
      tx.set(card.expiry, TX_EXPIRY);
      tx.set(card.track2, TX_TRACK2);
      tx.set(card.track3, TX_TRACK3);
      tx.set(card.iccData, TX_ICC);
      for (i = 0; i < 8; i++) tx[TX_PIN + i] = pinBlock !== null ? pinBlock[i] : 0;
    }
    if (card !== null) {
      n[N_PAN_LEN] = card.panLen;
      n[N_T2_LEN] = card.track2Len;
      n[N_T3_LEN] = card.track3Len;
      n[N_ICC_LEN] = card.iccLen;
      n[N_PAN_SEQ] = card.panSeq;
      n[N_HAS_CARD] = 1;
      n[N_CHIP] = card.entryMode === ENTRY_CHIP ? 1 : 0;
      n[N_HAS_PIN] = pinBlock !== null ? 1 : 0;
    } else if (type !== TXN_SIGN_IN) {
      // no card (void without it, settlement, reversal); a sign-in leaves the last command's flags
      tx.fill(0, 0, TX_CARD_END);
      n[N_PAN_LEN] = 0;
      n[N_T2_LEN] = 0;
      n[N_T3_LEN] = 0;
      n[N_ICC_LEN] = 0;
      n[N_PAN_SEQ] = -1;
      n[N_HAS_CARD] = 0;
      n[N_CHIP] = 0;
      n[N_HAS_PIN] = 0;
    }
    if (type === TXN_SETTLE) {
      // totals of the open batch, as the host counts them (settlement.ts)
      let count = 0;
      for (i = 0; st.journal.entryAt(i, o); i++) {
        // settlement.ts settles(o), written out (a function costs RAM)
        x = o.status;
        if (!(o.type === J_TXN_SALE || o.type === J_TXN_PREAUTH_COMPLETE ? x === J_APPROVED || x === J_VOIDED : (o.type === J_TXN_VOID || o.type === J_TXN_REFUND) && x === J_APPROVED)) continue;
        count++;
        if (o.type === J_TXN_VOID || o.type === J_TXN_REFUND) {
          r.creditTotal += o.amount;
          r.creditCount++;
        } else {
          r.debitTotal += o.amount;
          r.debitCount++;
        }
      }
      n[N_UPLOAD_COUNT] = count;
      const step = st.counters.settleStep;
      n[N_PHASE] = step === SETTLE_UPLOADING ? SP_UPLOAD : step === SETTLE_CLOSING ? SP_FINISH : SP_TOTALS;
      r.batch = st.counters.batch;
    } else if (type === TXN_REVERSAL) {
      const p = st.reversals.pending;
      r.stan = p.stan;
      r.amount = p.amount;
      // masked PAN as ASCII ("622202******9873")
      const mp = p.pan;
      const out = r.maskedPan;
      const len = mp.length > out.length ? out.length : mp.length;
      const head = len < 6 ? len : 6;
      const tail = len - head < 4 ? len - head : 4;
      out.fill(42, 0, len);
      for (i = 0; i < head; i++) out[i] = mp.first6[i];
      for (i = 0; i < tail; i++) out[len - tail + i] = mp.last4[4 - tail + i];
      r.maskedPanLen = len;
    }
    n[N_SEQ]++;
    n[N_JOB] = type;
    n[N_MAIN_SENT] = 0;
    n[N_POST_REV] = 0;
    n[N_PRE_REV_DONE] = 0;
    n[N_ABORT] = 0;
    n[N_MAIN_RC] = 0;
    n[N_X] = X_NONE;
    n[N_STATE] = S_RUNNING;
    this.step();
    return true;
  }

  /** Decide and start the next thing the running command needs: a request, or its end. @hot */
  private step(): void {
    const n = this.n;
    const r = this.result;
    let e = ISO_OK;
    let i = 0;
    let j = 0;
    let k = X_NONE;
    let v = 0;
    let w = 0;
    let x = 0;
    if (n[N_STATE] !== S_RUNNING) return;
    if (n[N_MAIN_SENT] === 0 && n[N_ABORT] !== 0) {
      // cancelled or card pulled before the request left: nothing to undo
      v = n[N_ABORT];
      this.go(OP_FINISH, v, v === OUT_CARD_REMOVED ? (CLS_RETRY_LATER << 8) | MSG_OUT_CARD_REMOVED : (CLS_DO_NOT_RETRY << 8) | MSG_OUT_ABORTED);
      return;
    }
    if (n[N_JOB] === TXN_SETTLE && n[N_PHASE] === SP_FINISH) {
      this.go(OP_CLOSE_SETTLEMENT, 1, 0);
      return;
    }
    if (n[N_LINK_UP] === 0) {
      n[N_STATE] = S_CONNECTING;
      this.f[F_DEADLINE] = this.clk.now() + this.f[F_CONNECT_MS];
      n[N_LINK_OPEN] = 1;
      n[N_LINK_UP] = 0;
      this.lsn.onProgress(STAGE_CONNECTING);
      if (n[N_STATE] === S_CONNECTING) this.link.open();
      return;
    }
    // what to send: k = X_*, a stored reversal (X_REVERSAL) or a request built below with
    // STAN w and MTI n[N_SENT_MTI]
    if (n[N_POST_REV] === 1) {
      // one reversal try after the main request failed or was undone, then finish
      if (!this.sto.reversals.isPending) {
        this.go(OP_FINISH, 0, 0);
        return;
      }
      v = this.sto.reversalAttempt();
      if (v !== RQ_SEND) {
        if (v === RQ_EXHAUSTED) this.go(OP_SLIP, 0, 0);
        this.go(OP_FINISH, 0, 0);
        return;
      }
      k = X_REVERSAL;
    } else if (n[N_JOB] === TXN_SIGN_IN || n[N_KEYS] === 0 || n[N_NEED_SIGN_IN] === 1) {
      w = this.sto.counters.nextStan();
      if (w === 0) {
        r.errorCode = this.sto.counters.lastError;
        this.go(OP_FINISH, OUT_STORAGE_ERROR, (CLS_SYSTEM << 8) | MSG_OUT_STORAGE_ERROR);
        return;
      }
      k = X_SIGN_IN;
      n[N_SENT_MTI] = 800;
    } else {
      if (n[N_PRE_REV_DONE] === 0 && n[N_PREP_REV] === 0 && this.sto.reversals.isPending) {
        v = this.sto.reversalAttempt();
        if (v === RQ_SEND) k = X_REVERSAL;
        else {
          n[N_PRE_REV_DONE] = 1;
          if (v === RQ_EXHAUSTED) {
            this.go(OP_SLIP, 0, 0);
            if (n[N_JOB] === TXN_REVERSAL) {
              this.go(OP_FINISH, OUT_REVERSAL_FAILED, (CLS_SYSTEM << 8) | MSG_REVERSAL_FAILED);
              return;
            }
          } else if (v === RQ_ERROR) {
            r.errorCode = this.sto.lastError;
          }
        }
      }
      if (k === X_NONE) {
        if (n[N_JOB] === TXN_REVERSAL) {
          this.go(OP_FINISH, OUT_REVERSED, (CLS_SUCCESS << 8) | MSG_OUT_REVERSED);
          return;
        }
        if (n[N_PREP_REV] === 0 && this.sto.reversals.isPending) {
          // could not be sent nor moved to the manual list (e.g. that list is full): nothing goes before it
          this.go(OP_FINISH, OUT_REVERSAL_PENDING, (CLS_RETRY_LATER << 8) | MSG_OUT_REVERSAL_PENDING);
          return;
        }
        if (n[N_JOB] === TXN_SETTLE) {
          if (n[N_PHASE] === SP_TOTALS) {
            const cn = this.sto.counters;
            if (cn.settleStep !== SETTLE_STARTED && !cn.setSettleStep(SETTLE_STARTED, 0)) {
              r.errorCode = cn.lastError;
              this.go(OP_FINISH, OUT_STORAGE_ERROR, (CLS_SYSTEM << 8) | MSG_OUT_STORAGE_ERROR);
              return;
            }
            k = X_SETTLE;
            n[N_SENT_MTI] = 500;
          } else {
            if (n[N_PHASE] === SP_UPLOAD) {
              // next 0320 of up to 8 records from counters.uploadIndex, its field 48 assembled
              // in rx (idle until this request is sent); none left: the closing 0320
              const rx = this.rx;
              const en = this.ent;
              i = this.sto.counters.uploadIndex;
              while (j < UPLOAD_MAX_ITEMS && this.sto.journal.entryAt(i, en)) {
                i++;
                // settlement.ts settles(en), written out (a function costs RAM)
                x = en.status;
                if (!(en.type === J_TXN_SALE || en.type === J_TXN_PREAUTH_COMPLETE ? x === J_APPROVED || x === J_VOIDED : (en.type === J_TXN_VOID || en.type === J_TXN_REFUND) && x === J_APPROVED)) continue;
                // "00" + STAN + PAN (masked digits as 0) right-justified in 20 + amount
                v = 2 + j * UPLOAD_ITEM_DIGITS;
                w = en.pan.length > 20 ? 20 : en.pan.length;
                rx[v] = 48;
                rx[v + 1] = 48;
                writeAsciiDigits(rx, v + 2, en.stan % 1000000, 6);
                for (x = v + 8; x < v + 28; x++) rx[x] = 48;
                for (x = 0; x < w && x < 6; x++) rx[v + 28 - w + x] = en.pan.first6[x];
                for (x = w >= 10 ? 0 : w > 6 ? 10 - w : 4; x < 4; x++) rx[v + 24 + x] = en.pan.last4[x];
                writeAsciiDigits(rx, v + 28, en.amount % 1e12, 12);
                j++;
              }
              if (j === 0) n[N_PHASE] = SP_CLOSE;
              else {
                writeAsciiDigits(rx, 0, j, 2);
                n[N_UPLOAD_NEXT] = i;
                n[N_FLEN] = 2 + j * UPLOAD_ITEM_DIGITS; // digits of field 48
                k = X_UPLOAD;
              }
            }
            if (k === X_NONE) k = X_CLOSE;
            n[N_SENT_MTI] = 320;
          }
          w = this.sto.counters.nextStan();
          if (w === 0) {
            r.errorCode = this.sto.counters.lastError;
            this.go(OP_FINISH, OUT_STORAGE_ERROR, (CLS_SYSTEM << 8) | MSG_OUT_STORAGE_ERROR);
            return;
          }
        } else if (n[N_MAIN_SENT] === 0) {
          // sale, balance, void or refund: STAN (the journal's begin for those it keeps; a sale
          // packed at the prompt began there)
          w = n[N_PACKED] > 0 ? n[N_PREP_STAN] : n[N_JOB] === TXN_BALANCE ? this.sto.counters.nextStan() : this.sto.begin();
          if (w === 0) {
            v = n[N_JOB] === TXN_BALANCE ? this.sto.counters.lastError : this.sto.lastError;
            if (v === STORE_ERR_JOURNAL_FULL) this.go(OP_FINISH, OUT_JOURNAL_FULL, (CLS_SYSTEM << 8) | MSG_OUT_JOURNAL_FULL);
            else if (v === STORE_ERR_REVERSAL_PENDING) this.go(OP_FINISH, OUT_REVERSAL_PENDING, (CLS_RETRY_LATER << 8) | MSG_OUT_REVERSAL_PENDING);
            else {
              r.errorCode = v;
              this.go(OP_FINISH, OUT_STORAGE_ERROR, (CLS_SYSTEM << 8) | MSG_OUT_STORAGE_ERROR);
            }
            return;
          }
          k = X_MAIN;
          n[N_SENT_MTI] = n[N_JOB] === TXN_REFUND ? 220 : 200;
        } else return;
      }
    }

    const m = this.req;
    const cfg = this.cfg;
    // the request packed before the PIN prompt (x = its length) serves only the command's own
    // first request; a reversal or a sign-in before it takes req, and the prepared bytes are
    // wiped first (the sale is then built whole)
    x = k === X_MAIN && n[N_PREP] !== 0 ? n[N_PACKED] : 0;
    if (x > 0) {
      n[N_PREP] = 0;
      n[N_PACKED] = 0;
    } else if (n[N_PREP] !== 0 || n[N_PREP_REV] !== 0) this.prepareSale(0, null);
    if (k === X_REVERSAL) {
      // the pending 0400, rebuilt from its stored image with its current reason and a fresh MAC
      const q = this.sto.reversals;
      v = q.loadMessage(this.rx);
      e = v < 0 ? E_FRAME_LENGTH : v > m.data.length ? E_MESSAGE_FULL : unpack(this.rx, v, m);
      if (e === ISO_OK) {
        // the view becomes the request: its bytes copied to the same offsets of its own
        // storage (head, MTI 0400 and bitmap are already in it), then 39 = the current reason
        for (i = 0; i < v; i++) m.data[i] = this.rx[i];
        m.src = m.data;
        m.isView = false;
        m.used = v;
        cfg[CFG_TWO] = (q.pending.reason >> 8) & 255;
        cfg[CFG_TWO + 1] = q.pending.reason & 255;
        e = m.setAscii(39, cfg, CFG_TWO, 2);
      }
      if (e === ISO_OK) e = pack(m, this.rx, this.mac);
      if (e !== ISO_OK) {
        // the try is counted: a reversal that cannot be rebuilt ends on the manual list
        r.errorCode = v < 0 ? q.lastError : e;
        this.go(OP_REVERSAL_FAILED, 0, 0);
        return;
      }
      n[N_FLEN] = m.packedLength;
      if (n[N_JOB] === TXN_REVERSAL) n[N_MAIN_SENT] = 1;
    } else {
      // the request: 11, 41, 42 first, then per kind (setters keep the first error); j = the
      // financial request's B_* flags
      const tx = this.tx;
      const en = this.ent;
      const batch = this.sto.counters.batch;
      j = k === X_MAIN && n[N_HAS_CARD] === 1 ? B_CARD | (n[N_CHIP] === 1 ? B_CHIP : 0) : 0;
      if (k === X_MAIN && n[N_HAS_PIN] === 1) j |= B_PIN;
      if (k === X_MAIN && n[N_HAS_ORIG] === 1) j |= B_ORIG;
      if (x > 0) {
        // packed at the prompt, its PIN block written in by sale(): its MAC is all that is left
        // (UnionPay: of the 16 folded bytes after it, the same MAC)
        // (already there when makePinBlock put the PIN block in)
        e = n[N_PREP_PIN] === 1 ? ISO_OK : this.mac.mode === MAC_UNIONPAY_ECB ? this.mac.compute(tx, x, 16, tx, x - 8) : this.mac.compute(tx, MTI_OFFSET, x - 8 - MTI_OFFSET, tx, x - 8);
        n[N_PREP_PIN] = 0;
        m.packedLength = x;
      } else {
        m.clear();
        cfg[CFG_HEAD + 5] = (j & B_CHIP) !== 0 ? 0x61 : 0x60;
        for (let h = 0; h < m.head.length; h++) m.head[h] = cfg[CFG_HEAD + h];
        m.mti = n[N_SENT_MTI];
        e = m.setNumeric(11, w);
        if (e === ISO_OK) e = m.setAscii(41, cfg, CFG_TID, 8);
        if (e === ISO_OK) e = m.setAscii(42, cfg, CFG_MID, 15);
        if (k === X_MAIN) {
          v = n[N_JOB];
          if (e === ISO_OK && (j & B_CARD) !== 0) e = m.setDigits(2, tx, TX_PAN, n[N_PAN_LEN]);
          if (e === ISO_OK) e = m.setNumeric(3, v === TXN_BALANCE ? 310000 : v === TXN_SALE ? 0 : 200000);
          if (e === ISO_OK && v !== TXN_BALANCE) e = m.setNumeric(4, this.f[F_AMOUNT]);
          if (e === ISO_OK && (j & B_CHIP) !== 0) {
            e = m.setDigits(14, tx, TX_EXPIRY, 4);
            if (e === ISO_OK && n[N_PAN_SEQ] >= 0) e = m.setNumeric(23, n[N_PAN_SEQ]);
          }
          if (e === ISO_OK) e = m.setNumeric(22, ((j & B_CARD) === 0 ? 1 : (j & B_CHIP) !== 0 ? 5 : 2) * 10 + ((j & B_PIN) !== 0 ? 1 : 2));
          if (e === ISO_OK) e = m.setNumeric(25, 0);
          if (e === ISO_OK && (j & B_PIN) !== 0) e = m.setNumeric(26, 12);
          if (e === ISO_OK && (j & B_CARD) !== 0 && n[N_T2_LEN] > 0) e = m.setDigits(35, tx, TX_TRACK2, n[N_T2_LEN]);
          if (e === ISO_OK && (j & B_CARD) !== 0 && n[N_T3_LEN] > 0) e = m.setDigits(36, tx, TX_TRACK3, n[N_T3_LEN]);
          if (e === ISO_OK && (j & B_ORIG) !== 0 && en.rrn[0] !== 0) e = m.setAscii(37, en.rrn, 0, 12);
          if (e === ISO_OK && (j & B_ORIG) !== 0 && en.authCode[0] !== 0) e = m.setAscii(38, en.authCode, 0, 6);
          if (e === ISO_OK) e = m.setText(49, "156");
          if (e === ISO_OK && (j & B_PIN) !== 0) {
            e = m.setBytes(52, tx, TX_PIN, 8);
            cfg[CFG_DIGITS] = 50; // "2": format 0 PIN block
            cfg[CFG_DIGITS + 1] = this.keys.pinKey.size > 8 ? 54 : 48; // "6" double-length key, "0" single
            for (i = 2; i < 16; i++) cfg[CFG_DIGITS + i] = 48;
            if (e === ISO_OK) e = m.setDigits(53, cfg, CFG_DIGITS, 16);
          }
          if (e === ISO_OK && (j & B_CHIP) !== 0 && n[N_ICC_LEN] > 0) e = m.setBytes(55, tx, TX_ICC, n[N_ICC_LEN]);
          if (e === ISO_OK) {
            writeAsciiDigits(cfg, CFG_DIGITS, v === TXN_BALANCE ? 1 : v === TXN_SALE ? 22 : v === TXN_VOID ? 23 : 25, 2);
            writeAsciiDigits(cfg, CFG_DIGITS + 2, batch, 6);
            writeAsciiDigits(cfg, CFG_DIGITS + 8, 50, 5); // 60.3 "000", 60.4 "5" (chip-capable terminal), 60.5 "0"
            e = m.setDigits(60, cfg, CFG_DIGITS, 13);
          }
          if (e === ISO_OK && (j & B_ORIG) !== 0) {
            writeAsciiDigits(cfg, CFG_DIGITS, en.batch % 1000000, 6);
            writeAsciiDigits(cfg, CFG_DIGITS + 6, en.stan % 1000000, 6);
            if (n[N_ORIG_MMDD] >= 0) writeAsciiDigits(cfg, CFG_DIGITS + 12, n[N_ORIG_MMDD], 4);
            e = m.setDigits(61, cfg, CFG_DIGITS, n[N_ORIG_MMDD] >= 0 ? 16 : 12);
          }
          // what the terminal keeps of the card (the packing below overwrites it in tx); a void
          // without the card keeps the original's masked PAN (already in the entry)
          if ((j & B_CARD) !== 0) en.pan.fromPan(tx, n[N_PAN_LEN]);
          else if ((j & B_ORIG) === 0) en.pan.fromPan(tx, 0);
        } else {
          if (k === X_SETTLE) {
            // field 48: debit n12 + count n3 + credit n12 + count n3 + flag, then a zero foreign
            // half; assembled in rx, idle until this request is sent
            const rx = this.rx;
            writeAsciiDigits(rx, 0, r.debitTotal % 1e12, 12);
            writeAsciiDigits(rx, 12, r.debitCount % 1000, 3);
            writeAsciiDigits(rx, 15, r.creditTotal % 1e12, 12);
            writeAsciiDigits(rx, 27, r.creditCount % 1000, 3);
            for (i = 30; i < TOTALS48_DIGITS; i++) rx[i] = 48;
            if (e === ISO_OK) e = m.setDigits(48, rx, 0, TOTALS48_DIGITS);
            if (e === ISO_OK) e = m.setText(49, "156");
          } else if (k === X_UPLOAD) {
            if (e === ISO_OK) e = m.setDigits(48, this.rx, 0, n[N_FLEN]);
          } else if (k === X_CLOSE) {
            // number of records uploaded
            writeAsciiDigits(cfg, CFG_DIGITS, n[N_UPLOAD_COUNT] % 10000, 4);
            if (e === ISO_OK) e = m.setDigits(48, cfg, CFG_DIGITS, 4);
          }
          // 60 = "00" + batch + network management code (sign-in: 001 single DES, 004 double-length keys)
          cfg[CFG_DIGITS] = 48;
          cfg[CFG_DIGITS + 1] = 48;
          writeAsciiDigits(cfg, CFG_DIGITS + 2, batch, 6);
          writeAsciiDigits(cfg, CFG_DIGITS + 8, k === X_SIGN_IN ? (n[N_TMK_LEN] === 16 ? 4 : 1) : k === X_CLOSE ? 202 : 201, 3);
          if (e === ISO_OK) e = m.setDigits(60, cfg, CFG_DIGITS, 11);
          if (e === ISO_OK && (k === X_SIGN_IN || k === X_SETTLE) && n[N_OP_LEN] > 0) e = m.setAscii(63, cfg, CFG_OPERATOR, n[N_OP_LEN]);
        }
        // a sale's or void's request and its reversal image (MTI 0400, sensitive fields and 64
        // left out, no 39: the rebuild sets it) in one pass, the image into rx
        v = n[N_JOB];
        if (e === ISO_OK) e = pack(m, k === X_MAIN ? tx : this.rx, k === X_MAIN ? this.mac : null, this.rx, KEEP_IN_0400, k === X_MAIN && (v === TXN_SALE || v === TXN_VOID) ? 400 : 0);
      }
      n[N_FLEN] = m.packedLength;
      v = n[N_JOB];
      if (k === X_MAIN && e === ISO_OK && x === 0) {
        // the entry (written when answered; a prepared sale's was filled by prepareSale)
        en.status = 0;
        en.respCode = 0;
        en.rrn.fill(0);
        en.authCode.fill(0);
        en.settled = false;
        en.type = v === TXN_VOID ? J_TXN_VOID : v === TXN_REFUND ? J_TXN_REFUND : J_TXN_SALE;
        en.stan = w;
        en.origStan = v === TXN_VOID ? n[N_VOID_TRACE] : 0;
        en.amount = this.f[F_AMOUNT];
        en.batch = batch;
        en.time = Math.floor(this.clk.now() / 1000);
        en.entryMode = m.getNumeric(22);
      }
      if (k === X_MAIN && e === ISO_OK) {
        // the result
        r.stan = w;
        r.batch = batch;
        r.amount = this.f[F_AMOUNT];
        r.entryMode = en.entryMode;
        // masked PAN as ASCII ("622202******9873")
        w = en.pan.length > r.maskedPan.length ? r.maskedPan.length : en.pan.length;
        // '*' then 0 by two native fills (19 bytes: a statement a byte would cost ~0.6 M instructions)
        r.maskedPan.fill(0);
        r.maskedPan.fill(42, 0, w);
        if (w >= 10) {
          // first 6 and last 4 by two native copies (a statement a byte costs ~30,000)
          r.maskedPan.set(en.pan.first6);
          r.maskedPan.set(en.pan.last4, w - 4);
        } else {
          for (i = 0; i < w && i < 6; i++) r.maskedPan[i] = en.pan.first6[i];
          for (i = w > 6 ? 10 - w : 4; i < 4; i++) r.maskedPan[w - 4 + i] = en.pan.last4[i];
        }
        r.maskedPanLen = w;
        if ((v === TXN_SALE || v === TXN_VOID) && x === 0) {
          // the reversal image (packed with the request into rx), persisted BEFORE the request
          // leaves (a prepared sale's already is); the queue's own pending slip is the input
          // (persist copies it into itself)
          const q = this.sto.reversals;
          const si = q.pending;
          si.type = en.type;
          si.stan = en.stan;
          si.amount = this.f[F_AMOUNT];
          si.time = en.time;
          si.pan.first6.set(en.pan.first6);
          si.pan.last4.set(en.pan.last4);
          si.pan.length = en.pan.length;
          if (!q.persist(this.rx, ((this.rx[0] << 8) | this.rx[1]) + 2, MTI_OFFSET, si)) {
            m.data.set(ZEROS);
            r.errorCode = q.lastError;
            this.go(OP_FINISH, OUT_STORAGE_ERROR, (CLS_SYSTEM << 8) | MSG_OUT_STORAGE_ERROR);
            return;
          }
        }
      }
      if (e !== ISO_OK) {
        // nothing is sent: the card data and the request's fields go
        tx.set(ZEROS);
        tx.set(ZEROS, TX_CAPACITY - ZEROS.length);
        m.data.set(ZEROS);
        r.errorCode = e;
        this.go(OP_FINISH, OUT_ERROR, (CLS_SYSTEM << 8) | MSG_RC_OTHER);
        return;
      }
      if (k === X_MAIN) {
        // the card copy in tx goes once the link has the request, with it
        n[N_PAN_LEN] = 0;
        n[N_T2_LEN] = 0;
        n[N_T3_LEN] = 0;
        n[N_ICC_LEN] = 0;
        n[N_PAN_SEQ] = -1;
        n[N_HAS_PIN] = 0;
      }
      if (k !== X_SIGN_IN || n[N_JOB] === TXN_SIGN_IN) n[N_MAIN_SENT] = 1;
    }

    // what the reply must answer (the Message becomes the reply's view), then send and wait
    n[N_SENT_MTI] = m.mti;
    // 11's three BCD bytes read in place, as frame() reads the reply's (bitmap byte 1's 0x20)
    w = m.off[11];
    n[N_SENT_STAN] = (m.bitmap[1] & 0x20) === 0 ? -1 : (m.src[w] << 16) | (m.src[w + 1] << 8) | m.src[w + 2];
    n[N_SENT_TID] = m.getBytes(41, cfg, CFG_SENT_TID);
    // the request's fields (card data among them) leave req: one native copy of zeros over it
    // all (ZEROS is REQUEST_CAPACITY long; on Espruino a fill walks the whole array whatever its
    // range, ~4x the copy's cost)
    if (k === X_MAIN) m.data.set(ZEROS);
    n[N_X] = k;
    n[N_RX_LEN] = 0;
    n[N_RX_EPOCH]++;
    n[N_STATE] = S_WAITING;
    this.f[F_DEADLINE] = this.clk.now() + this.f[F_REPLY_MS];
    this.lsn.onProgress(
      k === X_MAIN ? STAGE_SENDING : k === X_SIGN_IN ? STAGE_SIGNING_IN : k === X_REVERSAL ? STAGE_REVERSING : k === X_SETTLE ? STAGE_SETTLING : STAGE_UPLOADING
    );
    if (k !== X_MAIN) {
      this.link.send(this.rx, n[N_FLEN]);
      return;
    }
    w = n[N_FLEN];
    i = n[N_SEQ];
    // from here the prepared request's reversal is the sale's own, kept until it is answered
    n[N_PREP_REV] = 0;
    this.link.send(this.tx, w);
    // the request and the card copy after it go (a reply handled inside send() may have ended
    // this command, which wiped tx, and begun another)
    if (n[N_SEQ] === i) {
      this.tx.set(ZEROS);
      this.tx.set(ZEROS, TX_CAPACITY - ZEROS.length);
    }
    if (n[N_STATE] === S_WAITING && n[N_X] === X_MAIN) this.lsn.onProgress(STAGE_WAITING);
    return;
  }

  /** One whole frame rx[0, a): ignore it, or end the exchange with it. @hot */
  private frame(a: number): void {
    const n = this.n;
    const r = this.result;
    let e = ISO_OK;
    let i = 0;
    let j = 0;
    let k = X_NONE;
    let v = 0;
    let w = 0;
    let x = 0;
    // strict unpack, then: does it answer the request? (MTI + 10, the same STAN and terminal
    // id); a MAC'd exchange needs a valid field 64, except on a decline (hosts send some
    // declines unMACed, never an approval)
    const m = this.req;
    k = n[N_X];
    e = unpack(this.rx, a, m);
    if (e === ISO_OK && m.mti !== n[N_SENT_MTI] + 10) e = E_UNEXPECTED_MTI;
    // fields read by their bitmap bits and in place (has(), getNumeric() and bodyBytes() are
    // calls, getNumeric a loop step a digit besides): 11 is bitmap byte 1's 0x20, its three
    // BCD bytes (checked by unpack) against the request's; 41 (ans, its length its bytes) byte
    // 5's 0x80
    w = m.off[11];
    if (e === ISO_OK && n[N_SENT_STAN] >= 0 && ((m.bitmap[1] & 0x20) === 0 || ((m.src[w] << 16) | (m.src[w + 1] << 8) | m.src[w + 2]) !== n[N_SENT_STAN])) e = E_STAN_MISMATCH;
    if (e === ISO_OK && n[N_SENT_TID] > 0) {
      if (((m.bitmap[5] & 0x80) === 0 ? 0 : m.len[41]) !== n[N_SENT_TID]) e = E_TID_MISMATCH;
      // its bytes read in place (byteAt is three calls a byte: ~1.7 M instructions for eight)
      w = m.off[41];
      for (i = 0; e === ISO_OK && i < n[N_SENT_TID]; i++) if (m.src[w + i] !== this.cfg[CFG_SENT_TID + i]) e = E_TID_MISMATCH;
    }
    if (e === ISO_OK && (k === X_MAIN || k === X_REVERSAL)) {
      if ((m.bitmap[7] & 1) !== 0) e = verifyMac(m, this.mac); // 64
      else if (!m.has(39) || (m.byteAt(39, 0) === 48 && m.byteAt(39, 1) === 48)) e = E_MAC_MISSING;
    }
    if (e === E_UNEXPECTED_MTI || e === E_STAN_MISMATCH || e === E_TID_MISMATCH) {
      n[N_IGNORED]++;
      return;
    }
    // the exchange is over
    n[N_RX_EPOCH]++;
    n[N_STATE] = S_RUNNING;
    if (e === E_MAC_MISMATCH || e === E_MAC_MISSING) {
      // as no reply, reason A0, sign in again
      n[N_RX_ERROR] = e;
      n[N_NEED_SIGN_IN] = 1;
      n[N_X] = X_NONE;
      v = n[N_LINK_OPEN];
      n[N_LINK_OPEN] = 0;
      n[N_LINK_UP] = 0;
      if (v === 1) this.link.close();
      if (k === X_REVERSAL) this.go(OP_REVERSAL_FAILED, 0, 0);
      else if (k !== X_MAIN) {
        n[N_X] = k;
        this.go(OP_NO_REPLY, 0, 0);
      } else {
        r.rc0 = 0;
        r.rc1 = 0;
        n[N_MAIN_RC] = 0;
        v = n[N_JOB];
        if ((v === TXN_SALE || v === TXN_VOID) && !this.sto.reversals.setReason(REASON_MAC_FAILED)) r.errorCode = this.sto.reversals.lastError;
        this.go(OP_FINISH, OUT_MAC_FAILED, (CLS_SIGN_IN_AGAIN << 8) | MSG_RC_A0);
      }
      return;
    }
    if (e === ISO_OK) {
      // field 39 into the result (rc 0 when there is no usable 39): an 2, read in place (byteAt
      // is three calls a byte)
      w = (m.bitmap[4] & 0x02) !== 0 ? m.off[39] : -1;
      i = w < 0 ? -1 : m.src[w];
      v = w < 0 ? -1 : m.src[w + 1];
      r.rc0 = i < 0 || v < 0 ? 0 : i;
      r.rc1 = i < 0 || v < 0 ? 0 : v;
    }
    if (e !== ISO_OK || i < 0 || v < 0) {
      n[N_RX_ERROR] = e !== ISO_OK ? e : E_FIELD_ABSENT;
      v = n[N_LINK_OPEN];
      n[N_LINK_OPEN] = 0;
      n[N_LINK_UP] = 0;
      if (v === 1) this.link.close();
      this.go(OP_NO_REPLY, 0, 0);
      return;
    }
    if ((m.head[7] & 15) === 3) n[N_NEED_SIGN_IN] = 1; // header: processing requirement "sign in again"
    // j: approved ("00")
    j = r.rc0 === 48 && r.rc1 === 48 ? 1 : 0;
    if (k === X_SIGN_IN || k === X_MAIN) {
      // the host's local time (13 MMDD + 12 hhmmss; the year from the terminal clock) in
      // f[F_HOST], -1 none; the terminal's in f[F_NOW]
      this.f[F_NOW] = this.clk.now();
      this.f[F_HOST] = -1;
      // both present (bitmap byte 1: 12 is 0x10, 13 is 0x08): their BCD digits read in place,
      // already checked by unpack (getNumeric is a call and a loop step a digit: ~0.3 M
      // instructions for the two)
      if ((m.bitmap[1] & 0x18) === 0x18) {
        x = N_HOST_CIVIL;
        v = m.off[13];
        w = m.off[12];
        n[x + 1] = (m.src[v] >> 4) * 10 + (m.src[v] & 15);
        n[x + 2] = (m.src[v + 1] >> 4) * 10 + (m.src[v + 1] & 15);
        n[x + 3] = (m.src[w] >> 4) * 10 + (m.src[w] & 15);
        n[x + 4] = (m.src[w + 1] >> 4) * 10 + (m.src[w + 1] & 15);
        n[x + 5] = (m.src[w + 2] >> 4) * 10 + (m.src[w + 2] & 15);
        if (n[x + 1] >= 1 && n[x + 1] <= 12 && n[x + 2] >= 1 && n[x + 2] <= 31 && n[x + 3] <= 23 && n[x + 4] <= 59 && n[x + 5] <= 59) {
          // the local year, one less when the host month is far ahead (host still in December,
          // terminal in January), one more when it is far behind
          civilFromMs(this.f[F_NOW], n, N_CIVIL);
          v = n[x + 1] - n[N_CIVIL + 1];
          n[x] = v > 6 ? n[N_CIVIL] - 1 : v < -6 ? n[N_CIVIL] + 1 : n[N_CIVIL];
          // a day its month does not have (31 April, 29 February of a common year) is no time
          v = n[x + 1];
          i = v === 2 ? (n[x] % 4 === 0 && (n[x] % 100 !== 0 || n[x] % 400 === 0) ? 29 : 28) : v === 4 || v === 6 || v === 9 || v === 11 ? 30 : 31;
          // only a sign-in sets the clock from it; a sale needs no more than "valid" (a call
          // and a dozen statements fewer)
          if (n[x + 2] <= i) this.f[F_HOST] = k === X_SIGN_IN ? msFromCivil(n, x) : 0;
        }
      }
    }
    if (k === X_SIGN_IN) {
      // 0810: keys (check values), batch, host time
      if (j === 0) {
        v = rcLookup(r.rc0, r.rc1);
        r.cls = v >> 8;
        r.msgId = v & 255;
        if (r.cls === CLS_SIGN_IN_AGAIN) n[N_NEED_SIGN_IN] = 1;
        this.go(OP_FINISH, OUT_DECLINED, (r.cls << 8) | r.msgId);
        return;
      }
      e = E_KEY_FIELD_LENGTH;
      if (m.has(62)) {
        v = m.off[62];
        // the TMK is scheduled only for this, in the keys' scratch (wiped by load)
        this.keys.scratch.load(this.cfg, CFG_TMK, n[N_TMK_LEN]);
        e = this.keys.load(this.keys.scratch, m.src, v, m.length(62));
      }
      if (e !== CRYPTO_OK) {
        n[N_NEED_SIGN_IN] = 1;
        r.errorCode = e;
        this.go(OP_FINISH, OUT_KEY_ERROR, (CLS_SYSTEM << 8) | MSG_OUT_KEY_ERROR);
        return;
      }
      n[N_KEYS] = 1;
      n[N_NEED_SIGN_IN] = 0;
      // adopt the host's batch (60.2), except while a settlement is under way: the host has
      // already moved on to the next batch, and the one being settled must keep its number
      // until it is closed
      const cn = this.sto.counters;
      i = m.length(60);
      v = -1;
      if (i >= 8 && i <= DIGITS_CAPACITY) {
        m.getDigits(60, this.cfg, CFG_DIGITS);
        v = 0;
        for (i = 2; i < 8; i++) v = v * 10 + (this.cfg[CFG_DIGITS + i] - 48);
      }
      if (v > 0 && cn.settleStep === SETTLE_IDLE && !cn.setSettleStep(SETTLE_IDLE, cn.uploadIndex, v)) r.errorCode = cn.lastError;
      if (this.f[F_HOST] >= 0) {
        this.f[F_HOST_OFFSET] = this.f[F_HOST] - this.f[F_NOW];
        if (this.setT !== null) this.setT(this.f[F_HOST]);
      }
      if (n[N_JOB] === TXN_SIGN_IN) {
        r.batch = cn.batch;
        r.stan = m.getNumeric(11);
        this.go(OP_FINISH, OUT_SIGNED_IN, (CLS_SUCCESS << 8) | MSG_OUT_SIGNED_IN);
        return;
      }
      this.step();
      return;
    }
    if (k === X_REVERSAL) {
      // 0410: 00 / 12 / 25 end the reversal; anything else is a failed try
      v = (r.rc0 << 8) | r.rc1;
      if (n[N_JOB] === TXN_REVERSAL) {
        w = rcLookup(r.rc0, r.rc1);
        r.cls = w >> 8;
        r.msgId = w & 255;
        if (r.cls === CLS_SIGN_IN_AGAIN) n[N_NEED_SIGN_IN] = 1;
      } else {
        // the command's own response code is still to come (or already in place)
        r.rc0 = n[N_POST_REV] === 1 ? (n[N_MAIN_RC] >> 8) & 255 : 0;
        r.rc1 = n[N_POST_REV] === 1 ? n[N_MAIN_RC] & 255 : 0;
      }
      // (a voided sale is marked VOIDED only after its void's reversal was cleared, so a void
      // that gets reversed never has a VOIDED original to put back)
      v = this.sto.reversalAck(v);
      if (v !== RQ_DONE) {
        if (v === RQ_ERROR) r.errorCode = this.sto.lastError;
        this.go(OP_REVERSAL_FAILED, 0, 0);
        return;
      }
      n[N_PRE_REV_DONE] = 1;
      if (n[N_POST_REV] === 1) this.go(OP_FINISH, 0, 0);
      else if (n[N_JOB] === TXN_REVERSAL) this.go(OP_FINISH, OUT_REVERSED, (CLS_SUCCESS << 8) | MSG_OUT_REVERSED);
      else this.step();
      return;
    }
    if (k === X_MAIN) {
      // the reply to the command's own request
      v = rcLookup(r.rc0, r.rc1);
      r.cls = v >> 8;
      r.msgId = v & 255;
      if (r.cls === CLS_SIGN_IN_AGAIN) n[N_NEED_SIGN_IN] = 1;
      n[N_MAIN_RC] = (r.rc0 << 8) | r.rc1;
      // 37 and 38: bitmap byte 4's 0x08 and 0x04
      if ((m.bitmap[4] & 0x08) !== 0 && m.len[37] === 12) m.getBytes(37, r.rrn, 0);
      if ((m.bitmap[4] & 0x04) !== 0 && m.len[38] === 6) m.getBytes(38, r.authCode, 0);
      // YYMMDDhhmmss of the host's time (already in N_HOST_CIVIL), or the terminal's when the
      // reply has none
      x = N_HOST_CIVIL;
      if (this.f[F_HOST] < 0) {
        x = N_CIVIL;
        civilFromMs(this.f[F_NOW], n, x);
      }
      r.dateTime = ((((n[x] % 100) * 100 + n[x + 1]) * 100 + n[x + 2]) * 10000 + n[x + 3] * 100 + n[x + 4]) * 100 + n[x + 5];
      if (n[N_JOB] === TXN_BALANCE) {
        // field 54: account type 2, amount type 2, currency 3, sign C/D, amount n12, in fen
        if (j === 1 && m.length(54) >= 20) {
          w = 0;
          for (i = 8; i < 20 && w >= 0; i++) {
            v = m.byteAt(54, i);
            w = v < 48 || v > 57 ? -1 : w * 10 + (v - 48);
          }
          v = m.byteAt(54, 7);
          if (w >= 0 && (v === 67 || v === 68)) r.balance = v === 68 ? -w : w; // 'C' / 'D'
        }
        this.go(OP_FINISH, j === 1 ? OUT_APPROVED : OUT_DECLINED, (r.cls << 8) | r.msgId);
        return;
      }
      const st = this.sto;
      const en = this.ent;
      en.respCode = n[N_MAIN_RC];
      en.rrn.set(r.rrn);
      en.authCode.set(r.authCode);
      en.status = j === 1 ? J_APPROVED : J_DECLINED;
      if (j === 0 || n[N_JOB] === TXN_REFUND) {
        // the host answered: nothing to reverse; keep the record
        if (!st.complete(en)) {
          r.errorCode = st.lastError;
          if (st.reversals.isPending && st.reversals.pending.stan === en.stan) st.reversals.clear();
          if (j === 1) {
            this.go(OP_FINISH, OUT_STORAGE_ERROR, (CLS_SYSTEM << 8) | MSG_OUT_STORAGE_ERROR);
            return;
          }
        }
        this.go(OP_FINISH, j === 1 ? OUT_APPROVED : OUT_DECLINED, (r.cls << 8) | r.msgId);
        return;
      }
      if (n[N_ABORT] !== 0) {
        this.go(OP_TERMINAL_FAILURE, n[N_ABORT], 0);
        return;
      }
      if (n[N_JOB] === TXN_SALE && n[N_CHIP] === 1) {
        // approved, but final only after the chip completion: the reversal stays until complete()
        if (!st.journal.add(en)) {
          r.errorCode = st.journal.lastError;
          this.go(OP_TERMINAL_FAILURE, OUT_STORAGE_ERROR, 0);
          return;
        }
        v = n[N_LINK_OPEN];
        n[N_LINK_OPEN] = 0;
        n[N_LINK_UP] = 0;
        if (v === 1) this.link.close();
        n[N_STATE] = S_COMPLETING;
        r.outcome = OUT_APPROVED;
        r.reversalPending = true;
        this.lsn.onProgress(STAGE_COMPLETING);
        return;
      }
      if (!st.complete(en)) {
        r.errorCode = st.lastError;
        this.go(OP_TERMINAL_FAILURE, OUT_STORAGE_ERROR, st.journal.statusOfStan(en.stan) !== 0 ? 1 : 0);
        return;
      }
      if (n[N_JOB] === TXN_VOID && !st.journal.setStatus(n[N_VOID_TRACE], J_VOIDED)) r.errorCode = st.journal.lastError;
      this.go(OP_FINISH, OUT_APPROVED, (CLS_SUCCESS << 8) | MSG_RC_00);
      return;
    }
    // 0510 / 0330
    const cn = this.sto.counters;
    if (j === 0) {
      v = rcLookup(r.rc0, r.rc1);
      r.cls = v >> 8;
      r.msgId = v & 255;
      if (r.cls === CLS_SIGN_IN_AGAIN) n[N_NEED_SIGN_IN] = 1;
      this.go(OP_FINISH, OUT_SETTLE_FAILED, (r.cls << 8) | r.msgId);
      return;
    }
    if (k === X_SETTLE) {
      // reply flag (digit 31 of field 48): 1 balanced, 2 not balanced, 3 error
      i = m.length(48);
      v = -1;
      if (i >= 31 && i <= DIGITS_CAPACITY) {
        m.getDigits(48, this.cfg, CFG_DIGITS);
        v = this.cfg[CFG_DIGITS + 30] - 48;
      }
      if (v === 1) this.go(OP_CLOSE_SETTLEMENT, 0, 0);
      else if (v === 2) {
        if (!cn.setSettleStep(SETTLE_UPLOADING, 0)) {
          r.errorCode = cn.lastError;
          this.go(OP_FINISH, OUT_STORAGE_ERROR, (CLS_SYSTEM << 8) | MSG_OUT_STORAGE_ERROR);
          return;
        }
        n[N_PHASE] = SP_UPLOAD;
        this.step();
      } else this.go(OP_FINISH, OUT_SETTLE_FAILED, (CLS_SYSTEM << 8) | MSG_OUT_SETTLE_FAILED);
    } else if (k === X_UPLOAD) {
      if (!cn.setSettleStep(SETTLE_UPLOADING, n[N_UPLOAD_NEXT])) {
        r.errorCode = cn.lastError;
        this.go(OP_FINISH, OUT_STORAGE_ERROR, (CLS_SYSTEM << 8) | MSG_OUT_STORAGE_ERROR);
        return;
      }
      this.step();
    } else this.go(OP_CLOSE_SETTLEMENT, 1, 0);
    return;
  }
}
