/**
 * A scriptable stand-in for the transaction engine (firmware/txn/engine.ts), implementing the
 * contract the app codes against (TxnEngineApi). It records every call, reports the usual
 * stages on simulated time, and answers with whatever `next` says; a chip approval waits for
 * complete() (STAGE_COMPLETING) and a card pulled before that turns into OUT_CARD_REMOVED with
 * a reversal pending, as ENGINE.md describes.
 */
import {
  TxnEngineApi,
  TxnResult,
  EngineListener,
  TXN_SALE,
  TXN_VOID,
  TXN_REFUND,
  TXN_BALANCE,
  TXN_SETTLE,
  TXN_SIGN_IN,
  TXN_REVERSAL,
  OUT_APPROVED,
  OUT_BUSY,
  OUT_CARD_REMOVED,
  OUT_ABORTED,
  OUT_SIGNED_IN,
  OUT_SETTLED,
  CLS_SUCCESS,
  STAGE_CONNECTING,
  STAGE_SENDING,
  STAGE_WAITING,
  STAGE_COMPLETING,
  STAGE_SETTLING,
  STAGE_SIGNING_IN,
} from "../../firmware/txn/engine-api";
import { CardData, ENTRY_CHIP } from "../../firmware/txn/card-data";
import { MSG_OUT_CARD_REMOVED, MSG_OUT_ABORTED, MSG_RC_00, MSG_OUT_SETTLED, MSG_OUT_SIGNED_IN } from "../../firmware/ui/messages.gen";

export interface Answer {
  outcome: number;
  rc?: string;
  cls?: number;
  msgId?: number;
  authCode?: string;
  rrn?: string;
  reversalPending?: boolean;
  balance?: number;
  /** Host date/time YYMMDDhhmmss. */
  dateTime?: number;
  batch?: number;
  debitTotal?: number;
  debitCount?: number;
  creditTotal?: number;
  creditCount?: number;
  uploaded?: boolean;
  /** ms after the command before the answer (default 600). */
  delayMs?: number;
  /** A reversal ran out of tries during this command: the slip fields come with the answer. */
  slip?: { type: number; stan: number; amount: number; pan: string; dateTime: number; reason: string };
}

export interface Call {
  name: string;
  args: unknown[];
  at: number;
}

const APPROVED: Answer = { outcome: OUT_APPROVED, rc: "00", msgId: MSG_RC_00, authCode: "A1B2C3", rrn: "240305123456" };

export class FakeEngine implements TxnEngineApi {
  readonly result = new TxnResult();
  listener: EngineListener | null = null;
  calls: Call[] = [];
  /** The next command's answer (then it falls back to approved). */
  next: Answer | null = null;
  isSignedIn = true;
  /** Refuse the next command at once with this outcome (as a busy engine does with OUT_BUSY). */
  refuseNext = 0;
  stan = 100;
  batch = 1;
  /** The PIN digits makePinBlock saw (to check the app wiped its own copy afterwards). */
  pinSeen = "";
  /** The PAN the last card carried (the fake may see it; receipts must not). */
  panSeen = "";
  lastCard: CardData | null = null;

  private running = false;
  private startedAt = 0;
  private answer: Answer = APPROVED;
  private type = 0;
  private amount = 0;
  private chip = false;
  private stageIdx = 0;
  private waitingComplete = false;
  private readonly pinBlock = new Uint8Array(8);
  private now = 0;

  constructor(private clock: { now(): number }) {}

  called(name: string): Call[] {
    return this.calls.filter((c) => c.name === name);
  }

  busy(): boolean {
    return this.running;
  }
  signedIn(): boolean {
    return this.isSignedIn;
  }
  signIn(): boolean {
    return this.start("signIn", TXN_SIGN_IN, 0, null, []);
  }
  sale(amountFen: number, card: CardData, pinBlock: Uint8Array | null, prepared?: number): boolean {
    this.salePrepared.push(prepared || 0);
    return this.start("sale", TXN_SALE, amountFen, card, [amountFen, pinBlock ? Array.from(pinBlock) : null]);
  }
  /** prepareSale's calls (amount, or -1 for a wipe), apart from `calls`; the token is their count. */
  prepares: number[] = [];
  /** The token each sale() was given (0: none). */
  salePrepared: number[] = [];
  prepareSale(amountFen: number, card: CardData | null): number {
    this.prepares.push(card === null ? -1 : amountFen);
    this.pinInPrepared = "";
    return card === null || this.running ? 0 : this.prepares.length;
  }
  balance(card: CardData, pinBlock: Uint8Array | null): boolean {
    return this.start("balance", TXN_BALANCE, 0, card, [pinBlock ? Array.from(pinBlock) : null]);
  }
  voidSale(trace: number, card?: CardData | null, pinBlock?: Uint8Array | null): boolean {
    const pan = card ? String.fromCharCode(...card.pan.subarray(0, card.panLen)) : null;
    return this.start("voidSale", TXN_VOID, 0, card || null, [trace, pan, pinBlock ? Array.from(pinBlock) : null]);
  }
  refund(amountFen: number, card: CardData, origRrn: Uint8Array, origDateMmdd: number): boolean {
    return this.start("refund", TXN_REFUND, amountFen, card, [amountFen, String.fromCharCode(...origRrn), origDateMmdd]);
  }
  settle(): boolean {
    return this.start("settle", TXN_SETTLE, 0, null, []);
  }
  sendReversal(): boolean {
    return this.start("sendReversal", TXN_REVERSAL, 0, null, []);
  }
  /** The PIN digits of the block put into the prepared sale (makePinBlock before ENTER), "" none. */
  pinInPrepared = "";
  makePinBlock(pin: Uint8Array, len: number, card: CardData): Uint8Array | null {
    this.calls.push({ name: "makePinBlock", args: [len], at: this.clock.now() });
    // as the engine: len 0 is the block already in the prepared sale
    if (len === 0) return this.pinInPrepared !== "" ? this.pinBlock : null;
    this.pinSeen = String.fromCharCode(...pin.subarray(0, len));
    this.pinInPrepared = "";
    if (!this.isSignedIn) return null;
    for (let i = 0; i < 8; i++) this.pinBlock[i] = (pin[i % len] ^ card.pan[i]) & 0xff;
    if (this.prepares.length > 0 && this.prepares[this.prepares.length - 1] > 0 && !this.running) this.pinInPrepared = this.pinSeen;
    return this.pinBlock;
  }
  cardRemoved(): void {
    this.calls.push({ name: "cardRemoved", args: [], at: this.clock.now() });
    if (!this.running) return;
    this.respond({ outcome: OUT_CARD_REMOVED, msgId: MSG_OUT_CARD_REMOVED, reversalPending: true });
  }
  complete(): void {
    this.calls.push({ name: "complete", args: [], at: this.clock.now() });
    if (!this.waitingComplete) return;
    this.waitingComplete = false;
    this.respond(this.answer);
  }
  cancel(): void {
    this.calls.push({ name: "cancel", args: [], at: this.clock.now() });
    if (!this.running) return;
    this.respond({ outcome: OUT_ABORTED, msgId: MSG_OUT_ABORTED });
  }
  tick(now: number): void {
    this.now = now;
    if (!this.running || this.waitingComplete) return;
    const t = now - this.startedAt;
    const delay = this.answer.delayMs !== undefined ? this.answer.delayMs : 600;
    const stages =
      this.type === TXN_SETTLE ? [STAGE_CONNECTING, STAGE_SETTLING] : this.type === TXN_SIGN_IN ? [STAGE_SIGNING_IN] : [STAGE_CONNECTING, STAGE_SENDING, STAGE_WAITING];
    const step = Math.floor(delay / (stages.length + 1));
    while (this.stageIdx < stages.length && t >= step * this.stageIdx) {
      this.progress(stages[this.stageIdx]);
      this.stageIdx++;
    }
    if (t < delay) return;
    if (this.answer.outcome === OUT_APPROVED && this.chip) {
      this.waitingComplete = true;
      this.progress(STAGE_COMPLETING);
      return;
    }
    this.respond(this.answer);
  }
  onLinkUp(): void {}
  onLinkData(_data: string): void {}
  onLinkDown(): void {}

  private start(name: string, type: number, amount: number, card: CardData | null, args: unknown[]): boolean {
    this.calls.push({ name, args, at: this.clock.now() });
    if (this.running || this.refuseNext) {
      this.fill({ outcome: this.refuseNext || OUT_BUSY }, type, amount, 0, "");
      this.refuseNext = 0;
      return false;
    }
    this.running = true;
    this.startedAt = this.clock.now();
    this.type = type;
    this.amount = amount;
    this.stageIdx = 0;
    this.chip = !!card && card.entryMode === ENTRY_CHIP;
    this.lastCard = card;
    this.panSeen = card ? String.fromCharCode(...card.pan.subarray(0, card.panLen)) : "";
    const dflt: Answer =
      type === TXN_SIGN_IN
        ? { outcome: OUT_SIGNED_IN, msgId: MSG_OUT_SIGNED_IN }
        : type === TXN_SETTLE
          ? { outcome: OUT_SETTLED, msgId: MSG_OUT_SETTLED, debitTotal: 12345, debitCount: 2, creditTotal: 500, creditCount: 1 }
          : APPROVED;
    this.answer = this.next || dflt;
    this.next = null;
    return true;
  }

  private progress(stage: number): void {
    this.calls.push({ name: "progress", args: [stage], at: this.now });
    this.listener?.onProgress(stage);
  }

  private respond(a: Answer): void {
    this.running = false;
    this.waitingComplete = false;
    if (a.outcome === OUT_SIGNED_IN) this.isSignedIn = true;
    this.stan++;
    this.fill(a, this.type, this.amount, this.stan, this.panSeen);
    this.listener?.onResult(this.result);
  }

  private fill(a: Answer, type: number, amount: number, stan: number, pan: string): void {
    const r = this.result;
    r.type = type;
    r.outcome = a.outcome;
    r.rc0 = a.rc ? a.rc.charCodeAt(0) : 0;
    r.rc1 = a.rc ? a.rc.charCodeAt(1) : 0;
    r.cls = a.cls !== undefined ? a.cls : CLS_SUCCESS;
    r.msgId = a.msgId || 0;
    r.stan = stan;
    r.batch = a.batch !== undefined ? a.batch : this.batch;
    r.amount = amount;
    r.balance = a.balance || 0;
    r.authCode.fill(0);
    r.rrn.fill(0);
    for (let i = 0; a.authCode && i < 6; i++) r.authCode[i] = a.authCode.charCodeAt(i);
    for (let i = 0; a.rrn && i < 12; i++) r.rrn[i] = a.rrn.charCodeAt(i);
    r.maskedPan.fill(0);
    for (let i = 0; i < pan.length; i++) {
      const masked = i >= 6 && i < pan.length - 4;
      r.maskedPan[i] = masked ? 42 : pan.charCodeAt(i);
    }
    r.maskedPanLen = pan.length;
    r.entryMode = this.chip ? ENTRY_CHIP : pan ? 2 : 0;
    r.dateTime = a.dateTime !== undefined ? a.dateTime : 240305140709;
    r.debitTotal = a.debitTotal || 0;
    r.debitCount = a.debitCount || 0;
    r.creditTotal = a.creditTotal || 0;
    r.creditCount = a.creditCount || 0;
    r.uploaded = !!a.uploaded;
    r.reversalPending = !!a.reversalPending;
    r.errorCode = 0;
    r.slipReady = !!a.slip;
    r.slipType = a.slip ? a.slip.type : 0;
    r.slipStan = a.slip ? a.slip.stan : 0;
    r.slipAmount = a.slip ? a.slip.amount : 0;
    r.slipDateTime = a.slip ? a.slip.dateTime : 0;
    r.slipPan.fill(0);
    const sp = a.slip ? a.slip.pan : "";
    for (let i = 0; i < sp.length; i++) r.slipPan[i] = sp.charCodeAt(i);
    r.slipPanLen = sp.length;
    r.slipReason = a.slip ? (a.slip.reason.charCodeAt(0) << 8) | a.slip.reason.charCodeAt(1) : 0;
  }
}
