/**
 * The contract between the transaction engine (firmware/txn/engine.ts) and the application
 * (firmware/app, firmware/ui). Numbers, not strings, cross it; the UI maps message ids to text.
 * The engine owns one preallocated TxnResult and refills it for every outcome.
 */
import type { CardData } from "./card-data";

// Transaction types.
export const TXN_SIGN_IN = 1;
export const TXN_SALE = 2;
export const TXN_VOID = 3;
export const TXN_REFUND = 4;
export const TXN_BALANCE = 5;
export const TXN_SETTLE = 6;
export const TXN_REVERSAL = 7;

// Outcomes.
export const OUT_APPROVED = 1; // host said 00 and the terminal completed it
export const OUT_DECLINED = 2; // host answered with another code: see rc / cls / msgId
export const OUT_NO_RESPONSE = 3; // no reply, unreadable reply, link down: reversal pending (98)
export const OUT_MAC_FAILED = 4; // reply MAC failed: reversal pending (A0), sign-in needed
export const OUT_CARD_REMOVED = 5; // chip card pulled: aborted, or reversal pending (06)
export const OUT_ABORTED = 6; // operator cancelled before anything left the terminal
export const OUT_REVERSED = 7; // a pending reversal was acknowledged (reversal command / before a txn)
export const OUT_REVERSAL_FAILED = 8; // retries exhausted: on the manual list; print the slip (result.slip*)
export const OUT_REVERSAL_PENDING = 9; // a reversal could not be sent; the new transaction was NOT sent
export const OUT_STORAGE_ERROR = 10; // the reversal record / STAN / journal could not be written: not sent
export const OUT_JOURNAL_FULL = 11; // journal full: settle first
export const OUT_NOT_FOUND = 12; // void: no such trace, or not voidable
export const OUT_BUSY = 13; // a transaction is already running
export const OUT_SETTLED = 14; // settlement balanced (or closed after batch upload, see uploaded)
export const OUT_SETTLE_FAILED = 15; // settlement could not complete; it resumes next time
export const OUT_SIGNED_IN = 16;
export const OUT_KEY_ERROR = 17; // sign-in reply keys failed their check values: refused
export const OUT_NOT_SIGNED_IN = 18;
/** The request could not be built or packed (bad card data, codec error): nothing was sent; see errorCode. */
export const OUT_ERROR = 19;

// Response-code classes: what the operator should do.
export const CLS_SUCCESS = 0;
export const CLS_RETRY_LATER = 1;
export const CLS_DO_NOT_RETRY = 2;
export const CLS_CALL_ISSUER = 3;
export const CLS_REENTER_PIN = 4;
export const CLS_REENTER_AMOUNT = 5;
export const CLS_SIGN_IN_AGAIN = 6;
export const CLS_SYSTEM = 7;

// Progress stages reported while a transaction runs.
export const STAGE_SIGNING_IN = 1;
export const STAGE_REVERSING = 2;
export const STAGE_CONNECTING = 3;
export const STAGE_SENDING = 4;
export const STAGE_WAITING = 5;
export const STAGE_SETTLING = 6;
export const STAGE_UPLOADING = 7;
export const STAGE_COMPLETING = 8; // approved; waiting for the chip completion / complete()

/** Filled by the engine for every outcome; read by the UI; valid until the next command. */
export class TxnResult {
  type = 0;
  outcome = 0;
  /** Field 39 as two ASCII codes (0 when there was no reply). */
  rc0 = 0;
  rc1 = 0;
  cls = 0;
  /** Message id from firmware/ui/messages.json (MSG_*), chosen by the engine for rc/outcome. */
  msgId = 0;
  stan = 0;
  batch = 0;
  amount = 0;
  /** Balance in fen for a balance inquiry. */
  balance = 0;
  readonly authCode: Uint8Array;
  readonly rrn: Uint8Array;
  /** Masked PAN (first 6, last 4, '*' between), ASCII, for receipts. */
  readonly maskedPan: Uint8Array;
  maskedPanLen = 0;
  entryMode = 0;
  /** Host date/time of the transaction, YYMMDDhhmmss as numbers. */
  dateTime = 0;
  /** Settlement figures (fen / counts) and whether a batch upload was needed. */
  debitTotal = 0;
  debitCount = 0;
  creditTotal = 0;
  creditCount = 0;
  uploaded = false;
  /** True when this result means a reversal record is now pending on flash. */
  reversalPending = false;
  /**
   * Codec / crypto / store error code behind OUT_ERROR, OUT_STORAGE_ERROR, OUT_KEY_ERROR (0 = none):
   * iso8583/errors.ts (1..39), crypto/errors.ts (40..59), store/codes.ts (60..79).
   */
  errorCode = 0;
  /**
   * A reversal ran out of retries during this command and moved to the manual-handling list:
   * print the "reversal failed - contact the acquirer" slip from the slip* fields. Can come with
   * any outcome (a sale may proceed after it), not only OUT_REVERSAL_FAILED.
   */
  slipReady = false;
  /** TXN_* of the transaction that could not be reversed. */
  slipType = 0;
  slipStan = 0;
  slipAmount = 0;
  /** Terminal time of the original, YYMMDDhhmmss as a number. */
  slipDateTime = 0;
  /** Masked PAN of the original, ASCII. */
  readonly slipPan: Uint8Array;
  slipPanLen = 0;
  /** Reversal reason (field 39 of the 0400) as two ASCII codes: (c0 << 8) | c1, e.g. 0x3938 = "98". */
  slipReason = 0;

  constructor() {
    // the four byte fields are views of one buffer (on Espruino each typed array of its own
    // costs its buffer's blocks on top)
    const b = new Uint8Array(56);
    this.authCode = b.subarray(0, 6);
    this.rrn = b.subarray(6, 18);
    this.maskedPan = b.subarray(18, 37);
    this.slipPan = b.subarray(37, 56);
  }
}

/** What the application calls. Every command returns false (and fills result with OUT_BUSY etc.) if refused at once. */
export interface TxnEngineApi {
  readonly result: TxnResult;
  busy(): boolean;
  signedIn(): boolean;
  signIn(): boolean;
  /** `prepared`: prepareSale's token for this card and amount (the request keeps what it built). */
  sale(amountFen: number, card: CardData, pinBlock: Uint8Array | null, prepared?: number): boolean;
  /**
   * Before the PIN prompt of a swiped card's sale: build the request but for what waits for the
   * PIN (packed whole when signed in, its STAN handed out, its 0400 stored); a token for sale()
   * with the same card and amount, 0 when nothing was prepared. `card` null wipes what was
   * prepared and clears its 0400 (the request never left).
   */
  prepareSale(amountFen: number, card: CardData | null): number;
  balance(card: CardData, pinBlock: Uint8Array | null): boolean;
  /**
   * Void the approved sale with this trace. `card` (optional): the card presented again, as
   * UnionPay terminals ask for a void (the host finds the account by its PAN; the journal keeps
   * only a masked PAN, so without the card a host that needs field 2/35 answers 30).
   */
  voidSale(trace: number, card?: CardData | null, pinBlock?: Uint8Array | null): boolean;
  refund(amountFen: number, card: CardData, origRrn: Uint8Array, origDateMmdd: number): boolean;
  settle(): boolean;
  sendReversal(): boolean;
  /**
   * ISO 9564 format 0 under the working PIN key, into an engine-owned buffer; the caller wipes
   * pin. With a sale prepared for this card (prepareSale) the block and the request's MAC go
   * into that request at once (made before Enter, the sale given the same block sends it as it
   * is); a later call replaces them. `len` 0: the block already in the prepared request, or null.
   */
  makePinBlock(pin: Uint8Array, len: number, card: CardData): Uint8Array | null;
  cardRemoved(): void;
  /** The chip completion step succeeded: the approval is final. */
  complete(): void;
  cancel(): void;
  tick(now: number): void;
  /** Transport events from the HostLink implementation. */
  onLinkUp(): void;
  onLinkData(data: string): void;
  onLinkDown(): void;
}

/**
 * The transport the engine drives; the app implements it over NetLike. Rules the engine relies on:
 * - `open()` starts ONE connection and later calls `engine.onLinkUp()` or `engine.onLinkDown()`;
 * - `send(buf, len)` copies buf[0, len) before it returns (the engine wipes the buffer after);
 * - `close()` drops the connection SILENTLY: no onLinkDown / onLinkData for it afterwards (the
 *   engine may open a new connection right after closing one);
 * - received bytes go to `engine.onLinkData(binaryString)` in any chunking.
 */
export interface HostLink {
  open(): void;
  send(buf: Uint8Array, len: number): void;
  close(): void;
}

/** Callbacks the engine makes; set once at construction. */
export interface EngineListener {
  onProgress(stage: number): void;
  onResult(result: TxnResult): void;
}
