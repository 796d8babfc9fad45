/**
 * A terminal for engine tests: TxnEngine over real TxnStores on an emulated flash
 * (hil/virtual/flash-storage.ts), talking to a real HostSimulator (hil/host) on an ephemeral
 * loopback port through a HostLink written here over node:net with binary (latin1) strings, as
 * the app's link over Espruino's `net` does. Time is a stepped clock: timeouts happen only when
 * a test advances it (no timed assertions).
 */
import { strict as assert } from "node:assert";
import { connect, type Socket } from "node:net";
import { HostSimulator, type HostOptions } from "../../hil/host/server";
import type { LedgerSnapshot, LedgerTxn } from "../../hil/host/ledger";
import { DEFAULT_MERCHANT_ID, DEFAULT_TERMINAL_ID, DEFAULT_TEST_TMK } from "../../hil/host/terminals";
import { FlashStorage } from "../../hil/virtual/flash-storage";
import { track2Of, type TestCard } from "../../hil/models/test-cards";
import { CardData, ENTRY_CHIP, ENTRY_SWIPE } from "../../firmware/txn/card-data";
import type { EngineListener, HostLink, TxnResult } from "../../firmware/txn/engine-api";
import { TxnEngine, type TxnEngineConfig } from "../../firmware/txn/engine";
import { TxnStores, type TxnStoresOptions } from "../../firmware/txn/store/txn-stores";
import { JournalEntry, J_APPROVED, J_DECLINED, J_REVERSAL_FAILED, J_REVERSAL_PENDING, J_REVERSED, J_VOIDED } from "../../firmware/txn/store/journal";
import { ReversalSlip, manualCountOf } from "../../firmware/txn/store/reversal-queue";

export const CONNECT_MS = 5000;
export const REPLY_MS = 20000;

/** Local (Beijing) wall time as the terminal clock sees it: ms since the epoch. */
export class StepClock {
  t: number;
  constructor(t?: number) {
    this.t = t === undefined ? Date.now() + 8 * 3600 * 1000 : t;
  }
  now(): number {
    return this.t;
  }
}

/** HostLink over node:net; drops everything from a connection once close() was called. */
export class NetLink implements HostLink {
  engine?: TxnEngine;
  /** Deliver received data in chunks of this many bytes (1 = byte by byte). */
  chunk = 0;
  /** Stop delivering anything (a terminal that lost power keeps no socket). */
  dead = false;
  /** Checked before every delivery and send: false = the terminal has no power. */
  alive: () => boolean = () => true;
  /** Called with each frame right after it was written to the socket. */
  afterSend?: (frame: Buffer) => void;
  /** Called before received bytes are handed to the engine. */
  beforeData?: () => void;
  opens = 0;
  /** Copies of every frame sent. */
  readonly sent: Buffer[] = [];
  private sock?: Socket;
  private conn = 0;

  constructor(private readonly port: number) {}

  open(): void {
    const id = ++this.conn;
    this.opens++;
    const s = connect({ port: this.port, host: "127.0.0.1" });
    this.sock = s;
    s.on("connect", () => {
      if (id === this.conn && !this.dead && this.alive()) this.engine!.onLinkUp();
    });
    s.on("data", (b: Buffer) => {
      if (id !== this.conn || this.dead || !this.alive()) return;
      if (this.beforeData) this.beforeData();
      const text = b.toString("latin1");
      const step = this.chunk > 0 ? this.chunk : text.length;
      for (let i = 0; i < text.length && id === this.conn && this.alive(); i += step) this.engine!.onLinkData(text.slice(i, i + step));
    });
    s.on("error", () => undefined);
    s.on("close", () => {
      if (id === this.conn && !this.dead && this.alive()) {
        this.conn++;
        this.engine!.onLinkDown();
      }
    });
  }

  send(buf: Uint8Array, len: number): void {
    let s = "";
    for (let i = 0; i < len; i++) s += String.fromCharCode(buf[i]);
    if (this.dead || !this.alive()) return;
    const frame = Buffer.from(s, "latin1");
    this.sent.push(frame);
    if (this.sock) this.sock.write(s, "latin1");
    if (this.afterSend) this.afterSend(frame);
  }

  close(): void {
    this.conn++;
    if (this.sock) this.sock.destroy();
    this.sock = undefined;
  }
}

/** A copy of the fields of a TxnResult the tests look at. */
export interface ResultCopy {
  type: number;
  outcome: number;
  rc: string;
  cls: number;
  msgId: number;
  stan: number;
  batch: number;
  amount: number;
  balance: number;
  authCode: string;
  rrn: string;
  maskedPan: string;
  entryMode: number;
  dateTime: number;
  debitTotal: number;
  debitCount: number;
  creditTotal: number;
  creditCount: number;
  uploaded: boolean;
  reversalPending: boolean;
  errorCode: number;
  slipReady: boolean;
  slipType: number;
  slipStan: number;
  slipAmount: number;
  slipPan: string;
  slipReason: string;
  slipDateTime: number;
}

const text = (a: Uint8Array, n?: number) => Buffer.from(a.subarray(0, n === undefined ? a.length : n)).toString("latin1").replace(/\0+$/, "");

export function copyResult(r: TxnResult): ResultCopy {
  return {
    type: r.type,
    outcome: r.outcome,
    rc: r.rc0 ? String.fromCharCode(r.rc0, r.rc1) : "",
    cls: r.cls,
    msgId: r.msgId,
    stan: r.stan,
    batch: r.batch,
    amount: r.amount,
    balance: r.balance,
    authCode: text(r.authCode),
    rrn: text(r.rrn),
    maskedPan: text(r.maskedPan, r.maskedPanLen),
    entryMode: r.entryMode,
    dateTime: r.dateTime,
    debitTotal: r.debitTotal,
    debitCount: r.debitCount,
    creditTotal: r.creditTotal,
    creditCount: r.creditCount,
    uploaded: r.uploaded,
    reversalPending: r.reversalPending,
    errorCode: r.errorCode,
    slipReady: r.slipReady,
    slipType: r.slipType,
    slipStan: r.slipStan,
    slipAmount: r.slipAmount,
    slipPan: text(r.slipPan, r.slipPanLen),
    slipReason: r.slipReason ? String.fromCharCode(r.slipReason >> 8, r.slipReason & 255) : "",
    slipDateTime: r.slipDateTime,
  };
}

export class Recorder implements EngineListener {
  readonly stages: number[] = [];
  readonly results: ResultCopy[] = [];
  onProgress(stage: number): void {
    this.stages.push(stage);
  }
  onResult(result: TxnResult): void {
    this.results.push(copyResult(result));
  }
}

/** Poll (real time, generous cap) until `cond` holds; the cap only turns a hang into a failure. */
export async function until(cond: () => boolean, what: string, capMs = 8000): Promise<void> {
  const end = Date.now() + capMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting for: " + what);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export function hexBytes(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h, "hex"));
}

/** A swiped card record as the MSR driver fills it. */
export function swiped(c: TestCard): CardData {
  const d = new CardData();
  put(d.pan, c.pan);
  d.panLen = c.pan.length;
  put(d.expiry, c.expiry);
  put(d.serviceCode, c.serviceCode);
  const t2 = track2Of(c);
  put(d.track2, t2);
  d.track2Len = t2.length;
  if (c.track3) {
    put(d.track3, c.track3);
    d.track3Len = c.track3.length;
  }
  d.entryMode = ENTRY_SWIPE;
  return d;
}

/** A chip card record as the ICC driver fills it (track 2 equivalent, PAN sequence, field 55). */
export function chip(c: TestCard): CardData {
  const d = swiped(c);
  d.entryMode = ENTRY_CHIP;
  d.panSeq = c.panSeq === undefined ? 0 : c.panSeq;
  const icc = hexBytes("9F2608A1B2C3D4E5F607089F2701809F360200019F37041234ABCD950500000000009A032501019C01005F2A0201569F02060000000001009F1A020156");
  d.iccData.set(icc);
  d.iccLen = icc.length;
  return d;
}

function put(dst: Uint8Array, s: string): void {
  for (let i = 0; i < s.length; i++) dst[i] = s.charCodeAt(i);
}

export function pinDigits(pin: string): Uint8Array {
  const a = new Uint8Array(12);
  put(a, pin);
  return a;
}

export interface TerminalOptions {
  host?: HostSimulator;
  flash?: FlashStorage;
  stores?: TxnStoresOptions;
  config?: Partial<TxnEngineConfig>;
  clock?: StepClock;
}

/** Engine + stores + link + recorder around one host. */
export class Terminal {
  readonly clock: StepClock;
  readonly flash: FlashStorage;
  readonly stores: TxnStores;
  readonly link: NetLink;
  readonly rec = new Recorder();
  readonly engine: TxnEngine;
  readonly config: TxnEngineConfig;
  times: number[] = [];

  constructor(
    readonly host: HostSimulator,
    o: TerminalOptions = {},
  ) {
    this.clock = o.clock || new StepClock();
    this.flash = o.flash || new FlashStorage({ bytes: 128 * 1024 });
    this.stores = new TxnStores(this.flash, o.stores);
    assert.equal(this.stores.open(), 0, "stores open");
    this.link = new NetLink(host.port);
    this.config = Object.assign(
      {
        tid: DEFAULT_TERMINAL_ID,
        mid: DEFAULT_MERCHANT_ID,
        tpduDest: "0001",
        tpduSrc: "0000",
        tmk: hexBytes(DEFAULT_TEST_TMK),
        connectMs: CONNECT_MS,
        replyMs: REPLY_MS,
        operator: "01",
      },
      o.config || {},
    );
    this.engine = new TxnEngine({
      config: this.config,
      clock: this.clock,
      stores: this.stores,
      link: this.link,
      listener: this.rec,
      setTime: (ms) => this.times.push(ms),
    });
    this.link.engine = this.engine;
  }

  get results(): ResultCopy[] {
    return this.rec.results;
  }

  /** Start a command (must be accepted) and wait for its one result. */
  async run(start: () => boolean, what = "result"): Promise<ResultCopy> {
    const n = this.rec.results.length;
    assert.equal(start(), true, what + ": command refused: outcome " + this.engine.result.outcome);
    await until(() => this.rec.results.length > n, what);
    assert.equal(this.rec.results.length, n + 1, "exactly one result");
    assert.equal(this.engine.busy(), false);
    return this.rec.results[n];
  }

  /** Wait for the next result of a command already started. */
  async next(what = "result"): Promise<ResultCopy> {
    const n = this.rec.results.length;
    await until(() => this.rec.results.length > n, what);
    return this.rec.results[n];
  }

  /** Step the terminal clock and tick the engine. */
  advance(ms: number): void {
    this.clock.t += ms;
    this.engine.tick(this.clock.t);
  }

  async signIn(): Promise<ResultCopy> {
    return this.run(() => this.engine.signIn(), "sign-in");
  }

  pinFor(card: CardData, pin: string): Uint8Array {
    const digits = pinDigits(pin);
    const block = this.engine.makePinBlock(digits, pin.length, card);
    digits.fill(0);
    assert.ok(block, "PIN block (signed in?)");
    return Uint8Array.from(block!);
  }

  async sale(c: TestCard | CardData, amount: number, pin?: string | null): Promise<ResultCopy> {
    const card = c instanceof CardData ? c : swiped(c);
    const p = pin === undefined ? (c instanceof CardData ? null : c.pin) : pin;
    const block = p === null ? null : this.pinFor(card, p);
    return this.run(() => this.engine.sale(amount, card, block), "sale");
  }

  /** Journal entry with this trace (status etc.), or undefined. */
  entry(stan: number): JournalEntry | undefined {
    const e = new JournalEntry();
    return this.stores.journal.findByStan(stan, e) ? e : undefined;
  }

  manual(): ReversalSlip[] {
    const out: ReversalSlip[] = [];
    const q = this.stores.reversals;
    for (let i = 0; i < manualCountOf(q); i++) {
      const s = new ReversalSlip();
      assert.ok(q.manualAt(i, s));
      out.push(s);
    }
    return out;
  }
}

export async function startHost(options: HostOptions = {}): Promise<HostSimulator> {
  const host = new HostSimulator(Object.assign({ port: 0 }, options));
  await host.listen();
  return host;
}

/** Requests the host received with this MTI (log "in" entries), optionally only after `since` (seq). */
export function received(host: HostSimulator, mti: string, since = 0) {
  return host.log.filter((e) => e.direction === "in" && e.mti === mti && e.seq > since);
}

export function lastSeq(host: HostSimulator): number {
  return host.log.length ? host.log[host.log.length - 1].seq : 0;
}

/**
 * The terminal's journal and reversal state against the host's ledger, for this terminal:
 * - every host transaction that moved money and still stands (approved / voided) is known to the
 *   terminal as approved/voided, or is being reversed (pending reversal / manual list);
 * - every terminal entry approved or voided is a standing host transaction with the same amount;
 * - every host transaction the terminal has as REVERSED is reversed at the host;
 * - a transaction the terminal does not know (no entry) moved no money, or a reversal for it is
 *   pending / on the manual list (never lost).
 * Host transactions of closed batches are left out: their settlement reconciled them.
 * `allowUnknownCredits`: refunds the terminal never heard back about (not reversible by rule).
 */
export function assertConsistent(t: Terminal, opts: { allowUnknownCredits?: boolean } = {}): void {
  const snap: LedgerSnapshot = t.host.ledger.snapshot();
  const tid = t.config.tid;
  const q = t.stores.reversals;
  const pendingStan = q.isPending ? q.pending.stan : -1;
  const manualStans = t.manual().map((s) => s.stan);
  const mine = snap.transactions.filter((x: LedgerTxn) => x.terminalId === tid && !x.forced && x.kind !== "balance");
  // closed batches were reconciled by their settlement (and their journal keys are reused)
  const open = String(t.stores.counters.batch).padStart(6, "0");
  for (const x of mine) {
    if (x.batch !== open) continue;
    const stan = Number(x.stan);
    const e = t.entry(stan);
    const inFlight = stan === pendingStan || manualStans.indexOf(stan) >= 0;
    const standing = x.status === "approved" || x.status === "voided";
    const what = `host ${x.kind} stan ${x.stan} (${x.status}, ${x.code})`;
    if (standing) {
      if (x.kind === "refund" && opts.allowUnknownCredits && !e) continue;
      assert.ok(e || inFlight, what + ": terminal has no entry and no reversal for it");
      if (e && !inFlight) {
        assert.ok(e.status === J_APPROVED || e.status === J_VOIDED, what + ": terminal entry status " + e.status);
        assert.equal(e.amount, x.amount, what + ": amount");
        assert.equal(e.status === J_VOIDED, x.status === "voided", what + ": voided on one side only");
      }
      if (e && inFlight) assert.ok(e.status === J_REVERSAL_PENDING || e.status === J_REVERSAL_FAILED || e.status === J_APPROVED, what);
    } else if (e) {
      if (x.status === "reversed") assert.ok(e.status === J_REVERSED, what + ": terminal status " + e.status);
      if (x.status === "declined") assert.ok(e.status === J_DECLINED, what + ": terminal status " + e.status);
    }
  }
  // the other way: what the terminal counts as approved stands at the host
  for (let i = 0; ; i++) {
    const e = new JournalEntry();
    if (!t.stores.journal.entryAt(i, e)) break;
    if (e.status !== J_APPROVED && e.status !== J_VOIDED) continue;
    const x = mine.filter((m) => Number(m.stan) === e.stan && m.batch === String(e.batch).padStart(6, "0"));
    assert.equal(x.length, 1, "terminal entry stan " + e.stan + " unknown to the host");
    assert.ok(x[0].status === "approved" || x[0].status === "voided", "terminal approved stan " + e.stan + ", host " + x[0].status);
  }
}

/** Sum of postings (negative = debited) on an account since the snapshot's start. */
export function balanceOf(host: HostSimulator, account: string): number {
  return host.ledger.balanceOf(account);
}
