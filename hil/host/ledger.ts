/**
 * The acquirer/issuer book the host simulator keeps: accounts, every transaction it answered
 * (approved or declined) and every balance movement, per-terminal batches and settlement.
 * It knows nothing about ISO 8583: hil/host/handler.ts maps messages onto these calls.
 *
 * Response codes (PROTOCOL.md table, CUP practice where the table is silent):
 *   14 unknown card / Luhn fails      54 expired (status or date; 33 via `declineCode`)
 *   41 lost, 43 stolen                62 frozen ("restricted card"; CUP terminals show
 *   21 not activated ("card not          受限制的卡; 05 would hide the reason from the merchant)
 *      initialised", per the CUP code table in LiaoYang_POS globalvar.c)
 *   55 wrong PIN; the 3rd wrong PIN in a row answers 75 and locks the PIN until resetPinTries
 *   13 zero/missing amount, refund above what is left of the original
 *   61 over the per-transaction or daily amount limit, 65 over the daily count limit
 *   51 insufficient funds             25 original not found (void, refund, reversal)
 *   12 original not in a state that allows it (declined, already voided, reversed...)
 *   64 amount differs from the original (void, reversal)
 *   94 duplicate STAN (checked by the handler with `stanUsed`)
 */
import { localTime } from "./time";

export type CardStatus = "normal" | "frozen" | "expired" | "not-activated" | "lost" | "stolen";
export type CardType = "debit" | "credit";

export interface AccountInit {
  /** Short name used by scenarios and the snapshot (never the PAN). */
  name: string;
  pan: string;
  /** YYMM */
  expiry: string;
  serviceCode?: string;
  pin: string;
  /** Available funds (debit) or open-to-buy (credit), fen. */
  balance: number;
  status?: CardStatus;
  cardType?: CardType;
  /** Daily total of sales + pre-auths, fen (61 when exceeded). */
  dailyLimit?: number;
  /** Daily count of sales + pre-auths (65 when exceeded). */
  dailyCount?: number;
  /** Largest single sale/pre-auth, fen (61). */
  perTxnLimit?: number;
  /** Default true: a sale, pre-auth or inquiry without a PIN block is answered 55. */
  pinRequired?: boolean;
  /** Default 3. */
  maxPinTries?: number;
  /** Overrides the status's code (e.g. "33" for an expired card instead of "54"). */
  declineCode?: string;
}

export const STATUS_CODES: { readonly [s in Exclude<CardStatus, "normal">]: string } = {
  frozen: "62",
  "not-activated": "21",
  expired: "54",
  lost: "41",
  stolen: "43",
};

interface Account {
  init: AccountInit;
  status: CardStatus;
  balance: number;
  held: number;
  pinTriesLeft: number;
}

export type TxnKind = "sale" | "void" | "refund" | "balance" | "preauth" | "preauth-complete" | "preauth-void";
export type TxnStatus = "approved" | "declined" | "reversed" | "voided" | "completed" | "released";

export interface LedgerTxn {
  id: number;
  kind: TxnKind;
  terminalId: string;
  merchantId: string;
  batch: string;
  stan: string;
  /** Host local date YYYYMMDD and time hhmmss when answered. */
  date: string;
  time: string;
  rrn: string;
  /** "" when declined. */
  authCode: string;
  /** Account name, "" when the card is unknown. */
  account: string;
  panMasked: string;
  amount: number;
  code: string;
  status: TxnStatus;
  /** Id of the transaction this one voids/refunds/completes. */
  original?: number;
  /** Sum of approved refunds against this sale. */
  refunded: number;
  /** True when a fault forced the code (no posting was made). */
  forced?: boolean;
}

export interface Posting {
  txnId: number;
  account: string;
  /** Negative = debit to the cardholder. */
  delta: number;
  balanceAfter: number;
  what: "sale" | "void" | "refund" | "preauth-complete" | "reversal";
  terminalId: string;
  stan: string;
  rrn: string;
  authCode: string;
}

export interface ReversalRecord {
  terminalId: string;
  stan: string;
  /** Field 39 of the 0400 (98 timeout, A0 bad MAC, 06 terminal failure...). */
  reason: string;
  code: string;
  /** The reversed transaction, when found. */
  original?: number;
  forced?: boolean;
}

export interface Totals {
  debitAmount: number;
  debitCount: number;
  creditAmount: number;
  creditCount: number;
}

export interface UploadItem {
  stan: string;
  pan: string;
  amount: number;
  /** "00" domestic (CUP) / "01" foreign. */
  org: string;
}

export interface UploadCheck {
  stan: string;
  amount: number;
  panMasked: string;
  result: "matched" | "unknown" | "mismatch";
}

export type BatchState = "open" | "settled" | "closed";

export interface BatchRecord {
  terminalId: string;
  batch: string;
  state: BatchState;
  /** Set at settlement: did the terminal's field 48 totals match the host's? */
  balanced?: boolean;
  terminalTotals?: Totals;
  hostTotals?: Totals;
  uploaded: UploadCheck[];
  /** Count the terminal announced in the closing 0320. */
  closingCount?: number;
}

export type PinInput = { kind: "none" } | { kind: "clear"; pin: string } | { kind: "bad-block" };

/** What the handler extracted from a request. */
export interface TxnRequest {
  terminalId: string;
  merchantId: string;
  batch: string;
  stan: string;
  pan?: string;
  /** YYMM from field 14 or track 2, when sent. */
  expiry?: string;
  amount?: number;
  pin: PinInput;
}

export interface TxnResult {
  code: string;
  txn?: LedgerTxn;
  /** Balance inquiry: what to put in field 54. */
  balance?: { available: number; cardType: CardType };
}

export interface LedgerSnapshot {
  transactions: LedgerTxn[];
  postings: Posting[];
  reversals: ReversalRecord[];
  accounts: Array<{ name: string; panMasked: string; status: CardStatus; balance: number; held: number; available: number }>;
  batches: BatchRecord[];
}

export interface LedgerOptions {
  accounts: AccountInit[];
  now?: () => Date;
  utcOffsetMinutes?: number;
  /** Pre-auth completion may exceed the authorised amount by this fraction (CUP: 15%). */
  completionTolerance?: number;
}

export function luhnOk(pan: string): boolean {
  if (!/^[0-9]{13,19}$/.test(pan)) return false;
  let sum = 0;
  for (let i = 0; i < pan.length; i++) {
    let d = pan.charCodeAt(pan.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function mask(pan: string | undefined): string {
  if (!pan) return "";
  if (pan.length < 11) return "*".repeat(pan.length);
  return pan.slice(0, 6) + "*".repeat(pan.length - 10) + pan.slice(-4);
}

const REVERSIBLE: TxnKind[] = ["sale", "void", "preauth", "preauth-complete", "preauth-void"];

export class Ledger {
  private readonly accounts: Account[] = [];
  private readonly txns: LedgerTxn[] = [];
  private readonly postings: Posting[] = [];
  private readonly reversals: ReversalRecord[] = [];
  private readonly batches: BatchRecord[] = [];
  private readonly current = new Map<string, string>();
  private rrnSeq = 0;
  private authSeq = 0;
  private readonly now: () => Date;
  private readonly utcOffset: number;
  private readonly tolerance: number;

  constructor(options: LedgerOptions) {
    this.now = options.now || (() => new Date());
    this.utcOffset = options.utcOffsetMinutes === undefined ? 480 : options.utcOffsetMinutes;
    this.tolerance = options.completionTolerance === undefined ? 0.15 : options.completionTolerance;
    for (const a of options.accounts) this.addAccount(a);
  }

  addAccount(init: AccountInit): void {
    if (!/^[0-9]{13,19}$/.test(init.pan)) throw new Error("account " + init.name + ": PAN must be 13..19 digits");
    if (!/^[0-9]{4}$/.test(init.expiry)) throw new Error("account " + init.name + ": expiry must be YYMM");
    if (!Number.isInteger(init.balance)) throw new Error("account " + init.name + ": balance must be integer fen");
    if (this.accounts.some((a) => a.init.pan === init.pan || a.init.name === init.name)) {
      throw new Error("account " + init.name + ": duplicate PAN or name");
    }
    this.accounts.push({
      init: Object.assign({}, init),
      status: init.status || "normal",
      balance: init.balance,
      held: 0,
      pinTriesLeft: init.maxPinTries || 3,
    });
  }

  // ---- account admin (scenarios) ----

  /** Balance of an account by name or PAN. */
  balanceOf(nameOrPan: string): number {
    return this.account(nameOrPan).balance;
  }

  setStatus(nameOrPan: string, status: CardStatus): void {
    this.account(nameOrPan).status = status;
  }

  setBalance(nameOrPan: string, fen: number): void {
    this.account(nameOrPan).balance = fen;
  }

  resetPinTries(nameOrPan: string): void {
    const a = this.account(nameOrPan);
    a.pinTriesLeft = a.init.maxPinTries || 3;
  }

  private account(nameOrPan: string): Account {
    const a = this.accounts.find((x) => x.init.name === nameOrPan || x.init.pan === nameOrPan);
    if (!a) throw new Error("no account " + (/^[0-9]{13,19}$/.test(nameOrPan) ? mask(nameOrPan) : nameOrPan));
    return a;
  }

  // ---- batches ----

  /** The batch the host expects from this terminal (sign-in hands it out in 60.2). */
  currentBatch(terminalId: string): string {
    let b = this.current.get(terminalId);
    if (!b) {
      b = "000001";
      this.current.set(terminalId, b);
    }
    return b;
  }

  setCurrentBatch(terminalId: string, batch: string): void {
    if (!/^[0-9]{6}$/.test(batch)) throw new Error("batch must be 6 digits");
    this.current.set(terminalId, batch);
  }

  batchRecord(terminalId: string, batch: string): BatchRecord | undefined {
    return this.batches.find((b) => b.terminalId === terminalId && b.batch === batch);
  }

  private ensureBatch(terminalId: string, batch: string): BatchRecord {
    let rec = this.batchRecord(terminalId, batch);
    if (!rec) {
      rec = { terminalId: terminalId, batch: batch, state: "open", uploaded: [] };
      this.batches.push(rec);
    }
    return rec;
  }

  /** True when this terminal already used this STAN for a financial request in this batch. */
  stanUsed(terminalId: string, batch: string, stan: string): boolean {
    return this.txns.some((t) => t.terminalId === terminalId && t.batch === batch && t.stan === stan);
  }

  /**
   * Host's settlement totals for a terminal's batch (CUP terminal practice, LiaoYang_POS
   * posfiles.c): debits = sales and pre-auth completions still standing or voided (a void is
   * counted on its own as a credit); credits = voids and refunds. Declined and reversed
   * transactions do not count.
   */
  totals(terminalId: string, batch: string): Totals {
    const t: Totals = { debitAmount: 0, debitCount: 0, creditAmount: 0, creditCount: 0 };
    for (const x of this.txns) {
      if (x.terminalId !== terminalId || x.batch !== batch || x.forced) continue;
      if (x.status === "declined" || x.status === "reversed") continue;
      if (x.kind === "sale" || x.kind === "preauth-complete") {
        t.debitAmount += x.amount;
        t.debitCount++;
      } else if (x.kind === "void" || x.kind === "refund") {
        t.creditAmount += x.amount;
        t.creditCount++;
      }
    }
    return t;
  }

  /**
   * Settlement (0500): compares the terminal's domestic totals with the host's. Advances the
   * terminal's expected batch (the terminal starts the next batch after settling); a repeated
   * 0500 for the same batch is answered again without advancing twice.
   */
  settle(terminalId: string, batch: string, terminalTotals: Totals): { balanced: boolean; host: Totals } {
    const rec = this.ensureBatch(terminalId, batch);
    const host = this.totals(terminalId, batch);
    const balanced =
      host.debitAmount === terminalTotals.debitAmount &&
      host.debitCount === terminalTotals.debitCount &&
      host.creditAmount === terminalTotals.creditAmount &&
      host.creditCount === terminalTotals.creditCount;
    rec.balanced = balanced;
    rec.terminalTotals = Object.assign({}, terminalTotals);
    rec.hostTotals = host;
    if (rec.state === "open") rec.state = "settled";
    if (this.currentBatch(terminalId) === batch) this.setCurrentBatch(terminalId, nextBatch(batch));
    return { balanced: balanced, host: host };
  }

  /** True when 0320 for this batch is acceptable (the batch has been settled, not closed). */
  canUpload(terminalId: string, batch: string): boolean {
    const rec = this.batchRecord(terminalId, batch);
    return !!rec && rec.state === "settled";
  }

  /** Batch upload (0320, 60.3 201): checks each item against the host's record. */
  upload(terminalId: string, batch: string, items: UploadItem[]): UploadCheck[] {
    const rec = this.ensureBatch(terminalId, batch);
    const out: UploadCheck[] = [];
    for (const it of items) {
      const t = this.txns.find(
        (x) => x.terminalId === terminalId && x.batch === batch && x.stan === it.stan && x.status !== "declined",
      );
      let result: UploadCheck["result"] = "unknown";
      if (t) {
        const a = this.accounts.find((x) => x.init.name === t.account);
        const panOk = !!a && a.init.pan === it.pan;
        result = panOk && t.amount === it.amount ? "matched" : "mismatch";
      }
      const check: UploadCheck = { stan: it.stan, amount: it.amount, panMasked: mask(it.pan), result: result };
      rec.uploaded.push(check);
      out.push(check);
    }
    return out;
  }

  /** Closing 0320 (60.3 202/207): records the announced count and closes the batch. */
  closeBatch(terminalId: string, batch: string, count: number): BatchRecord {
    const rec = this.ensureBatch(terminalId, batch);
    rec.closingCount = count;
    rec.state = "closed";
    return rec;
  }

  // ---- financial transactions ----

  sale(req: TxnRequest): TxnResult {
    return this.debitLike("sale", req);
  }

  preAuth(req: TxnRequest): TxnResult {
    return this.debitLike("preauth", req);
  }

  balanceInquiry(req: TxnRequest): TxnResult {
    const found = this.cardChecks(req, true);
    if (typeof found === "string") return { code: found, txn: this.record("balance", req, found, undefined) };
    const txn = this.record("balance", req, "00", found);
    return { code: "00", txn: txn, balance: { available: found.balance - found.held, cardType: found.init.cardType || "debit" } };
  }

  /** Void of a sale (0200 proc 200000, 60.1 23) found by terminal + original batch + STAN. */
  voidSale(req: TxnRequest, orig: { batch: string; stan: string; rrn?: string }): TxnResult {
    const o = this.txns.find((x) => x.kind === "sale" && x.terminalId === req.terminalId && x.batch === orig.batch && x.stan === orig.stan);
    const fail = (code: string) => ({ code: code, txn: this.record("void", req, code, this.findAccount(req.pan), o) });
    if (!o || (orig.rrn && orig.rrn.trim() !== "" && /[1-9]/.test(orig.rrn) && o.rrn !== orig.rrn)) return fail("25");
    if (o.status !== "approved" || o.refunded > 0) return fail("12");
    if (o.batch !== this.currentBatch(req.terminalId)) return fail("12");
    const acct = this.accounts.find((a) => a.init.name === o.account);
    if (!acct || (req.pan && acct.init.pan !== req.pan)) return fail("14");
    if (req.amount !== undefined && req.amount !== o.amount) return fail("64");
    const pin = this.pinCheck(acct, req.pin, false);
    if (pin) return fail(pin);
    const txn = this.record("void", req, "00", acct, o);
    txn.amount = o.amount;
    o.status = "voided";
    this.post(txn, acct, o.amount, "void");
    return { code: "00", txn: txn };
  }

  /** Refund (0220 proc 200000, 60.1 25) of a sale found by RRN, else terminal + batch + STAN. */
  refund(req: TxnRequest, orig: { batch?: string; stan?: string; rrn?: string }): TxnResult {
    const rrn = orig.rrn && /[1-9]/.test(orig.rrn) ? orig.rrn : undefined;
    const o = this.txns.find(
      (x) =>
        x.kind === "sale" &&
        (rrn ? x.rrn === rrn : x.terminalId === req.terminalId && x.batch === orig.batch && x.stan === orig.stan),
    );
    const fail = (code: string) => ({ code: code, txn: this.record("refund", req, code, this.findAccount(req.pan), o) });
    if (req.amount === undefined || req.amount <= 0) return fail("13");
    if (!o) return fail("25");
    if (o.status !== "approved") return fail("12");
    const acct = this.accounts.find((a) => a.init.name === o.account);
    if (!acct || (req.pan && acct.init.pan !== req.pan)) return fail("14");
    if (req.amount > o.amount - o.refunded) return fail("13");
    const txn = this.record("refund", req, "00", acct, o);
    o.refunded += req.amount;
    this.post(txn, acct, req.amount, "refund");
    return { code: "00", txn: txn };
  }

  /** Pre-auth completion (0200 000000, 60.1 20): the approved pre-auth with this auth code. */
  preAuthComplete(req: TxnRequest, authCode: string): TxnResult {
    const acct = this.findAccount(req.pan);
    const o = this.txns.find((x) => x.kind === "preauth" && x.authCode === authCode && !!acct && x.account === acct.init.name);
    const fail = (code: string) => ({ code: code, txn: this.record("preauth-complete", req, code, acct, o) });
    if (req.amount === undefined || req.amount <= 0) return fail("13");
    if (!acct) return fail("14");
    if (!o) return fail("25");
    if (o.status !== "approved") return fail("12");
    if (req.amount > Math.floor(o.amount * (1 + this.tolerance))) return fail("61");
    const pin = this.pinCheck(acct, req.pin, false);
    if (pin) return fail(pin);
    const txn = this.record("preauth-complete", req, "00", acct, o);
    acct.held -= o.amount;
    o.status = "completed";
    this.post(txn, acct, -req.amount, "preauth-complete");
    return { code: "00", txn: txn };
  }

  /** Pre-auth void (0100 200000, 60.1 11): releases the hold. */
  preAuthVoid(req: TxnRequest, authCode: string): TxnResult {
    const acct = this.findAccount(req.pan);
    const o = this.txns.find((x) => x.kind === "preauth" && x.authCode === authCode && !!acct && x.account === acct.init.name);
    const fail = (code: string) => ({ code: code, txn: this.record("preauth-void", req, code, acct, o) });
    if (!acct) return fail("14");
    if (!o) return fail("25");
    if (o.status !== "approved") return fail("12");
    if (req.amount !== undefined && req.amount !== o.amount) return fail("64");
    const pin = this.pinCheck(acct, req.pin, false);
    if (pin) return fail(pin);
    const txn = this.record("preauth-void", req, "00", acct, o);
    txn.amount = o.amount;
    acct.held -= o.amount;
    o.status = "released";
    return { code: "00", txn: txn };
  }

  /**
   * Reversal (0400): undoes the terminal's transaction with this STAN. 00 when reversed (or
   * already reversed: a repeated reversal is acknowledged again), 25 when not found, 12 when the
   * original was declined / not reversible / since voided or completed, 64 on an amount
   * mismatch.
   */
  reverse(r: { terminalId: string; stan: string; amount?: number; reason: string; batch?: string }): { code: string; original?: LedgerTxn } {
    const candidates = this.txns.filter((x) => x.terminalId === r.terminalId && x.stan === r.stan && (!r.batch || x.batch === r.batch));
    const o = candidates.length ? candidates[candidates.length - 1] : undefined;
    const done = (code: string) => {
      this.reversals.push({ terminalId: r.terminalId, stan: r.stan, reason: r.reason, code: code, original: o ? o.id : undefined });
      return { code: code, original: o };
    };
    if (!o) return done("25");
    if (o.status === "reversed") return done("00");
    if (REVERSIBLE.indexOf(o.kind) < 0 || o.status === "declined") return done("12");
    if (r.amount !== undefined && r.amount !== o.amount) return done("64");
    const acct = this.accounts.find((a) => a.init.name === o.account);
    if (!acct) return done("12");
    const orig = o.original !== undefined ? this.txns[o.original - 1] : undefined;
    switch (o.kind) {
      case "sale":
        if (o.status !== "approved" || o.refunded > 0) return done("12");
        this.post(o, acct, o.amount, "reversal");
        break;
      case "void":
        if (!orig || orig.status !== "voided") return done("12");
        this.post(o, acct, -o.amount, "reversal");
        orig.status = "approved";
        break;
      case "preauth":
        if (o.status !== "approved") return done("12");
        acct.held -= o.amount;
        break;
      case "preauth-complete":
        if (!orig || orig.status !== "completed") return done("12");
        this.post(o, acct, o.amount, "reversal");
        acct.held += orig.amount;
        orig.status = "approved";
        break;
      case "preauth-void":
        if (!orig || orig.status !== "released") return done("12");
        acct.held += orig.amount;
        orig.status = "approved";
        break;
    }
    o.status = "reversed";
    return done("00");
  }

  /** A reversal answered with a forced code by a fault: recorded, nothing undone. */
  recordForcedReversal(r: { terminalId: string; stan: string; reason: string }, code: string): void {
    this.reversals.push({ terminalId: r.terminalId, stan: r.stan, reason: r.reason, code: code, forced: true });
  }

  /** A financial request answered with a forced code by a fault: recorded, no posting. */
  recordForced(kind: TxnKind, req: TxnRequest, code: string): LedgerTxn {
    const txn = this.record(kind, req, code, this.findAccount(req.pan));
    txn.status = code === "00" ? "approved" : "declined";
    txn.forced = true;
    return txn;
  }

  /** A financial request the host refused before the ledger (e.g. 77, 30): recorded as declined. */
  recordDeclined(kind: TxnKind, req: TxnRequest, code: string): LedgerTxn {
    return this.record(kind, req, code, this.findAccount(req.pan));
  }

  snapshot(): LedgerSnapshot {
    const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x));
    return {
      transactions: copy(this.txns),
      postings: copy(this.postings),
      reversals: copy(this.reversals),
      accounts: this.accounts.map((a) => ({
        name: a.init.name,
        panMasked: mask(a.init.pan),
        status: a.status,
        balance: a.balance,
        held: a.held,
        available: a.balance - a.held,
      })),
      batches: copy(this.batches),
    };
  }

  // ---- internals ----

  private debitLike(kind: "sale" | "preauth", req: TxnRequest): TxnResult {
    if (req.amount === undefined || !(req.amount > 0)) return { code: "13", txn: this.record(kind, req, "13", this.findAccount(req.pan)) };
    const found = this.cardChecks(req, true);
    if (typeof found === "string") return { code: found, txn: this.record(kind, req, found, this.findAccount(req.pan)) };
    const a = found;
    const amount = req.amount;
    let code = "00";
    const today = this.today().date;
    const used = this.txns.filter(
      (x) => x.account === a.init.name && (x.kind === "sale" || x.kind === "preauth") && x.date === today && (x.status === "approved" || x.status === "completed"),
    );
    if (a.init.perTxnLimit !== undefined && amount > a.init.perTxnLimit) code = "61";
    else if (a.init.dailyCount !== undefined && used.length >= a.init.dailyCount) code = "65";
    else if (a.init.dailyLimit !== undefined && used.reduce((s, x) => s + x.amount, 0) + amount > a.init.dailyLimit) code = "61";
    else if (a.balance - a.held < amount) code = "51";
    const txn = this.record(kind, req, code, a);
    if (code !== "00") return { code: code, txn: txn };
    if (kind === "sale") this.post(txn, a, -amount, "sale");
    else a.held += amount;
    return { code: "00", txn: txn };
  }

  private findAccount(pan: string | undefined): Account | undefined {
    return pan ? this.accounts.find((a) => a.init.pan === pan) : undefined;
  }

  /** Card, status, expiry and PIN checks; returns the account or a response code. */
  private cardChecks(req: TxnRequest, needPin: boolean): Account | string {
    if (!req.pan || !luhnOk(req.pan)) return "14";
    const a = this.findAccount(req.pan);
    if (!a) return "14";
    if (a.status !== "normal") return a.init.declineCode || STATUS_CODES[a.status];
    if ((req.expiry && req.expiry !== a.init.expiry) || a.init.expiry < this.today().yymm) return a.init.declineCode || "54";
    const pin = this.pinCheck(a, req.pin, needPin);
    return pin || a;
  }

  /** "" when the PIN is acceptable, else 55 / 75. */
  private pinCheck(a: Account, pin: PinInput, required: boolean): string {
    if (pin.kind === "none") {
      if (!required || a.init.pinRequired === false) return "";
      return a.pinTriesLeft <= 0 ? "75" : "55";
    }
    if (a.pinTriesLeft <= 0) return "75";
    if (pin.kind === "clear" && pin.pin === a.init.pin) {
      a.pinTriesLeft = a.init.maxPinTries || 3;
      return "";
    }
    a.pinTriesLeft--;
    return a.pinTriesLeft <= 0 ? "75" : "55";
  }

  private today() {
    return localTime(this.now(), this.utcOffset);
  }

  private record(kind: TxnKind, req: TxnRequest, code: string, acct: Account | undefined, original?: LedgerTxn): LedgerTxn {
    const lt = this.today();
    const txn: LedgerTxn = {
      id: this.txns.length + 1,
      kind: kind,
      terminalId: req.terminalId,
      merchantId: req.merchantId,
      batch: req.batch,
      stan: req.stan,
      date: lt.date,
      time: lt.hhmmss,
      rrn: String(++this.rrnSeq).padStart(12, "0"),
      authCode: code === "00" && kind !== "balance" ? String(++this.authSeq).padStart(6, "0") : "",
      account: acct ? acct.init.name : "",
      panMasked: mask(req.pan),
      amount: req.amount || 0,
      code: code,
      status: code === "00" ? "approved" : "declined",
      refunded: 0,
    };
    if (original) txn.original = original.id;
    this.txns.push(txn);
    if (code === "00") this.ensureBatch(req.terminalId, req.batch);
    return txn;
  }

  private post(txn: LedgerTxn, a: Account, delta: number, what: Posting["what"]): void {
    a.balance += delta;
    this.postings.push({
      txnId: txn.id,
      account: a.init.name,
      delta: delta,
      balanceAfter: a.balance,
      what: what,
      terminalId: txn.terminalId,
      stan: txn.stan,
      rrn: txn.rrn,
      authCode: txn.authCode,
    });
  }
}

export function nextBatch(batch: string): string {
  const n = (Number(batch) + 1) % 1000000;
  return String(n === 0 ? 1 : n).padStart(6, "0");
}
