/**
 * TxnEngine with a link that answers INSIDE the engine's own calls: open() reports the link up
 * at once and send() hands the host's reply straight back (hil/host's RequestHandler, no
 * sockets). That is the most re-entrant transport there is; the engine must stay consistent
 * with it. The link can also mangle replies, split or prefix them, and the flash can lose power
 * at a chosen byte, to reach the paths a live host seldom gives.
 */
import { strict as assert } from "node:assert";
import { decodeBody, frame, type IsoMessage } from "../../hil/host/codec";
import { RequestHandler, type HandleOptions } from "../../hil/host/handler";
import { Ledger } from "../../hil/host/ledger";
import { defaultAccounts, HOST_CARDS } from "../../hil/host/cards";
import { DEFAULT_MERCHANT_ID, DEFAULT_TERMINAL_ID, DEFAULT_TEST_TMK, TerminalRegistry } from "../../hil/host/terminals";
import { CHIP_DEBIT, MAG_DEBIT } from "../../hil/models/test-cards";
import { FlashStorage } from "../../hil/virtual/flash-storage";
import {
  CLS_REENTER_AMOUNT,
  CLS_SYSTEM,
  OUT_ABORTED,
  OUT_APPROVED,
  OUT_DECLINED,
  OUT_ERROR,
  OUT_NO_RESPONSE,
  OUT_NOT_FOUND,
  OUT_SETTLE_FAILED,
  OUT_SETTLED,
  OUT_SIGNED_IN,
  OUT_STORAGE_ERROR,
  STAGE_COMPLETING,
  STAGE_CONNECTING,
  type HostLink,
} from "../../firmware/txn/engine-api";
import { F_HOST_OFFSET, N_IGNORED, N_RX_ERROR, TxnEngine } from "../../firmware/txn/engine";
import { E_FIELD_ABSENT, E_VALUE_CHAR } from "../../firmware/txn/iso8583/index";
import * as M from "../../firmware/txn/message-ids";
import { STORE_ERR_IO } from "../../firmware/txn/store/codes";
import { SETTLE_STARTED } from "../../firmware/txn/store/counters";
import { J_APPROVED, J_DECLINED, J_REVERSED, J_VOIDED, JournalEntry, TXN_REFUND as J_REFUND, TXN_SALE as J_SALE, TXN_VOID as J_VOID } from "../../firmware/txn/store/journal";
import { TxnStores } from "../../firmware/txn/store/txn-stores";
import { chip, hexBytes, pinDigits, Recorder, StepClock, swiped } from "./harness";

/** The host's request handler behind a link that answers synchronously. */
class SyncHost implements HostLink {
  engine!: TxnEngine;
  readonly ledger: Ledger;
  readonly handler: RequestHandler;
  /** Requests seen (decoded), in order, and their bodies as sent (after the 2-byte length). */
  readonly requests: IsoMessage[] = [];
  readonly bodies: Buffer[] = [];
  /** The host's replies (decoded), in order, silent ones included. */
  readonly replies: IsoMessage[] = [];
  /** Per request: how to answer (undefined = normally). */
  plan: (req: IsoMessage) => { options?: HandleOptions; silent?: boolean; prefix?: Buffer; chunk?: number } | undefined = () => undefined;
  /** Called at send time, before answering (checks of the engine's state when the request leaves). */
  onSend?: (req: IsoMessage) => void;
  lastReply?: Buffer;
  opens = 0;
  closes = 0;

  /** `hostLocal`: the host's local wall time (fields 12/13) as epoch ms; default its clock in Beijing. */
  constructor(tid = DEFAULT_TERMINAL_ID, hostLocal?: () => number) {
    this.ledger = new Ledger({ accounts: defaultAccounts() });
    const terminals = new TerminalRegistry([{ terminalId: tid, merchantId: DEFAULT_MERCHANT_ID, tmk: DEFAULT_TEST_TMK }]);
    this.handler = hostLocal
      ? new RequestHandler({ ledger: this.ledger, terminals: terminals, now: () => new Date(hostLocal()), utcOffsetMinutes: 0 })
      : new RequestHandler({ ledger: this.ledger, terminals: terminals });
  }

  open(): void {
    this.opens++;
    this.engine.onLinkUp();
  }

  send(buf: Uint8Array, len: number): void {
    const body = Buffer.from(buf.subarray(2, len));
    const req = decodeBody(body).message;
    this.requests.push(req);
    this.bodies.push(body);
    if (this.onSend) this.onSend(req);
    const p = this.plan(req) || {};
    const r = this.handler.handle(body, p.options || {});
    this.replies.push(decodeBody(r.replyBody).message);
    if (p.silent) return;
    let out = frame(r.replyBody);
    this.lastReply = out;
    if (p.prefix) out = Buffer.concat([p.prefix, out]);
    const s = out.toString("latin1");
    const step = p.chunk || s.length;
    for (let i = 0; i < s.length; i += step) this.engine.onLinkData(s.slice(i, i + step));
  }

  close(): void {
    this.closes++;
  }

  mtis(): string[] {
    return this.requests.map((r) => r.mti);
  }
}

function setup(o: { flash?: FlashStorage; tid?: string; hostLocal?: () => number; terminalLocal?: number; setTime?: (ms: number) => void } = {}) {
  const host = new SyncHost(DEFAULT_TERMINAL_ID, o.hostLocal);
  const flash = o.flash || new FlashStorage({ bytes: 128 * 1024 });
  const stores = new TxnStores(flash);
  assert.equal(stores.open(), 0);
  const rec = new Recorder();
  const clock = new StepClock(o.terminalLocal);
  const engine = new TxnEngine({
    config: {
      tid: o.tid || DEFAULT_TERMINAL_ID,
      mid: DEFAULT_MERCHANT_ID,
      tpduDest: "0001",
      tpduSrc: "0000",
      tmk: hexBytes(DEFAULT_TEST_TMK),
      connectMs: 1000,
      replyMs: 1000,
      operator: "01",
    },
    clock: clock,
    stores: stores,
    link: host,
    listener: rec,
    setTime: o.setTime,
  });
  host.engine = engine;
  const pin = (card: ReturnType<typeof swiped>, p: string) => Uint8Array.from(engine.makePinBlock(pinDigits(p), p.length, card)!);
  return { host, flash, stores, rec, clock, engine, pin };
}

describe("TxnEngine with a link that answers inside the engine's calls", () => {
  it("signs in and sells synchronously: one result per command, link closed each time", () => {
    const { host, engine, rec, pin } = setup();
    assert.equal(engine.signIn(), true);
    assert.equal(rec.results.length, 1);
    assert.equal(rec.results[0].outcome, OUT_SIGNED_IN);
    const card = swiped(MAG_DEBIT);
    assert.equal(engine.sale(1000, card, pin(card, MAG_DEBIT.pin)), true);
    assert.equal(rec.results.length, 2);
    assert.equal(rec.results[1].outcome, OUT_APPROVED);
    assert.equal(engine.busy(), false);
    assert.equal(host.opens, 2);
    assert.equal(host.closes, 2);
    assert.deepEqual(host.mtis(), ["0800", "0200"]);
  });

  it("a stale frame before the reply in the same chunk is ignored; a reply split byte by byte is reassembled", () => {
    const { host, engine, rec, pin } = setup();
    engine.signIn();
    const stale = host.lastReply!; // the 0810: another MTI and STAN
    host.plan = (req) => (req.mti === "0200" ? { prefix: stale, chunk: 1 } : undefined);
    const card = swiped(MAG_DEBIT);
    engine.sale(1000, card, pin(card, MAG_DEBIT.pin));
    assert.equal(rec.results[1].outcome, OUT_APPROVED);
    assert.equal(engine.n[N_IGNORED], 1);
  });

  it("a reply without field 39 counts as no reply: reversal sent at once", () => {
    const { host, engine, rec, pin, stores } = setup();
    engine.signIn();
    host.plan = (req) => (req.mti === "0200" ? { options: { mutateReply: (r) => delete r.fields[39] } } : undefined);
    const card = swiped(MAG_DEBIT);
    engine.sale(1000, card, pin(card, MAG_DEBIT.pin));
    const r = rec.results[1];
    assert.equal(r.outcome, OUT_NO_RESPONSE);
    assert.equal(engine.n[N_RX_ERROR], E_FIELD_ABSENT);
    assert.equal(r.reversalPending, false);
    assert.deepEqual(host.mtis(), ["0800", "0200", "0400"]);
    assert.equal(host.ledger.balanceOf("mag-debit"), 10000000);
    assert.equal(stores.reversals.isPending, false);
  });

  it("sign-in refused by the host (97 unknown terminal): declined, system class", () => {
    const { engine, rec } = setup({ tid: "99999999" });
    engine.signIn();
    const r = rec.results[0];
    assert.equal(r.outcome, OUT_DECLINED);
    assert.equal(r.rc, "97");
    assert.equal(r.cls, CLS_SYSTEM);
    assert.equal(r.msgId, M.MSG_RC_97);
    assert.equal(engine.signedIn(), false);
  });

  it("settlement reply flag 3 (error): failed, step kept, sales refused until the settlement ends", () => {
    const { host, engine, rec, stores, pin } = setup();
    engine.signIn();
    const card = swiped(MAG_DEBIT);
    engine.sale(1000, card, pin(card, MAG_DEBIT.pin));
    host.plan = (req) =>
      req.mti === "0500"
        ? { options: { mutateReply: (r) => (r.fields[48] = (r.fields[48] as string).slice(0, 30) + "3" + (r.fields[48] as string).slice(31)) } }
        : undefined;
    engine.settle();
    assert.equal(rec.results[2].outcome, OUT_SETTLE_FAILED);
    assert.equal(stores.counters.settleStep, SETTLE_STARTED);
    assert.equal(engine.sale(500, card, pin(card, MAG_DEBIT.pin)), false);
    assert.equal(engine.result.outcome, OUT_SETTLE_FAILED);
    assert.equal(engine.result.msgId, M.MSG_ACT_SETTLE_FIRST);
    host.plan = () => undefined;
    engine.settle(); // the host answers the repeated 0500 for the same batch again
    assert.equal(rec.results[3].outcome, OUT_SETTLED);
    assert.equal(stores.counters.batch, 2);
    assert.equal(engine.sale(500, card, pin(card, MAG_DEBIT.pin)), true);
    assert.equal(rec.results[4].outcome, OUT_APPROVED);
  });

  it("chip sale cancelled at the completion step: reversal 06, entry reversed", () => {
    const { host, engine, rec, stores, pin } = setup();
    engine.signIn();
    const card = chip(CHIP_DEBIT);
    engine.sale(3000, card, pin(card, CHIP_DEBIT.pin));
    assert.equal(rec.stages[rec.stages.length - 1], STAGE_COMPLETING);
    assert.equal(rec.results.length, 1);
    engine.cancel();
    const r = rec.results[1];
    assert.equal(r.outcome, OUT_ABORTED);
    assert.equal(r.reversalPending, false);
    assert.equal(host.requests[2].mti, "0400");
    assert.equal(host.requests[2].fields[39], "06");
    assert.equal(stores.journal.statusOfStan(r.stan), J_REVERSED);
    assert.equal(host.ledger.balanceOf("chip-debit"), 10000000);
  });

  it("refuses bad input at once with a clear code and sends nothing", () => {
    const { host, engine, pin } = setup();
    engine.signIn();
    const card = swiped(MAG_DEBIT);
    const block = pin(card, MAG_DEBIT.pin);
    const n = host.requests.length;
    for (const amount of [0, -1, 1.5, 1e12, NaN]) {
      assert.equal(engine.sale(amount, card, block), false, "amount " + amount);
      assert.equal(engine.result.outcome, OUT_ERROR);
      assert.equal(engine.result.cls, CLS_REENTER_AMOUNT);
      assert.equal(engine.result.msgId, M.MSG_RC_13);
    }
    const short = swiped(MAG_DEBIT);
    short.panLen = 5;
    assert.equal(engine.sale(100, short, null), false);
    assert.equal(engine.result.msgId, M.MSG_RC_14);
    assert.equal(engine.refund(100, card, new Uint8Array(12).fill(48), 1341), false);
    assert.equal(engine.result.outcome, OUT_ERROR);
    assert.equal(engine.sendReversal(), false);
    assert.equal(engine.result.outcome, OUT_NOT_FOUND);
    assert.equal(engine.voidSale(0), false);
    assert.equal(engine.result.outcome, OUT_NOT_FOUND);
    engine.complete();
    engine.cardRemoved();
    engine.cancel();
    engine.tick(Date.now() * 2);
    engine.onLinkData("\x00\x05hello");
    engine.onLinkDown();
    assert.equal(host.requests.length, n);
    assert.equal(engine.busy(), false);
  });

  it("card data the codec refuses: OUT_ERROR with the codec code, nothing sent, nothing pending", () => {
    const { host, engine, rec, stores } = setup();
    engine.signIn();
    const card = swiped(HOST_CARDS.noPin);
    card.track2[3] = 88; // 'X' in track 2
    engine.sale(100, card, null);
    const r = rec.results[1];
    assert.equal(r.outcome, OUT_ERROR);
    assert.equal(r.errorCode, E_VALUE_CHAR);
    assert.deepEqual(host.mtis(), ["0800"]);
    assert.equal(stores.reversals.isPending, false);
  });

  it("flash failing at any byte before the request leaves: never sent without its reversal on flash", () => {
    let notSent = 0;
    let reversalWriteFailed = 0;
    for (let cut = 1; cut <= 120; cut++) {
      const { host, engine, rec, stores, flash, pin } = setup();
      engine.signIn();
      const card = swiped(MAG_DEBIT);
      const block = pin(card, MAG_DEBIT.pin);
      const stan = stores.counters.stan;
      host.onSend = (req) => {
        if (req.mti === "0200") assert.equal(stores.reversals.isPending, true, "0200 left before its reversal was persisted (cut " + cut + ")");
      };
      host.plan = () => ({ silent: flash.poweredOff });
      flash.cutAfterBytes(cut);
      engine.sale(1000, card, block);
      const r = rec.results[1];
      if (host.requests.filter((q) => q.mti === "0200").length === 0) {
        notSent++;
        assert.equal(r.outcome, OUT_STORAGE_ERROR, "cut " + cut);
        assert.equal(r.errorCode, STORE_ERR_IO);
        if (stores.counters.stan > stan) reversalWriteFailed++;
      }
    }
    assert.ok(notSent > 0 && reversalWriteFailed > 0, "the sweep reached the reversal write: " + notSent + "/" + reversalWriteFailed);
  });

  it("refund, balance and void build the fields the host dispatches on", () => {
    const { host, engine, rec, pin } = setup();
    engine.signIn();
    const card = swiped(MAG_DEBIT);
    engine.sale(4000, card, pin(card, MAG_DEBIT.pin));
    const sale = rec.results[1];
    engine.balance(card, pin(card, MAG_DEBIT.pin));
    assert.equal(rec.results[2].outcome, OUT_APPROVED);
    assert.equal(rec.results[2].balance, 10000000 - 4000);
    engine.voidSale(sale.stan, card, null);
    assert.equal(rec.results[3].outcome, OUT_APPROVED);
    const v = host.requests[3];
    assert.equal(v.fields[3], "200000");
    assert.equal((v.fields[60] as string).slice(0, 2), "23");
    assert.equal(v.fields[61], "000001" + String(sale.stan).padStart(6, "0"));
    assert.equal(v.fields[37], sale.rrn);
    assert.equal(v.fields[38], sale.authCode);
    const b = host.requests[2];
    assert.equal(b.fields[3], "310000");
    assert.equal(b.fields[4], undefined);
    assert.equal(rec.results.length, 4);
  });

  it("settlement field 48: the 0500's totals as the host counts them, the 0320's items with masked PANs", () => {
    const { host, engine, rec, stores } = setup();
    engine.signIn();
    const batch = stores.counters.batch;
    let stan = 100;
    const add = (type: number, status: number, amount: number, pan: string) => {
      const e = new JournalEntry();
      e.type = type;
      e.status = status;
      e.amount = amount;
      e.stan = ++stan;
      e.batch = batch;
      e.pan.fromPan(Buffer.from(pan, "latin1"), pan.length);
      assert.ok(stores.journal.add(e));
    };
    const p16 = "6222021000009873";
    const p19 = "6228480000000000018";
    add(J_SALE, J_APPROVED, 123450, p19); // stan 101
    for (let i = 0; i < 5; i++) add(J_SALE, J_APPROVED, 1, p16);
    add(J_SALE, J_VOIDED, 1, p16); // a voided sale stays a debit
    add(J_REFUND, J_APPROVED, 800, p16);
    add(J_VOID, J_APPROVED, 90, p16);
    add(J_SALE, J_APPROVED, 0, p16);
    add(J_SALE, J_DECLINED, 5000, p16); // counts nowhere
    add(J_SALE, J_REVERSED, 7000, p16); // counts nowhere
    engine.settle();
    const r = rec.results[1];
    assert.equal(r.debitTotal, 123456);
    assert.equal(r.debitCount, 8);
    assert.equal(r.creditTotal, 890);
    assert.equal(r.creditCount, 2);
    const s500 = host.requests.filter((q) => q.mti === "0500");
    assert.equal(s500.length, 1);
    assert.equal(s500[0].fields[48], "000000123456008000000000890002" + "0" + "0".repeat(30) + "0");
    // the host's ledger has none of these: not balanced, batch upload of the 10 that count
    const ups = host.requests.filter((q) => q.mti === "0320");
    assert.equal(ups.length, 3, "8 items, 2 items, closing");
    const f48 = ups.map((q) => q.fields[48] as string);
    assert.equal(f48[0].length, 2 + 8 * 40);
    assert.equal(f48[0].slice(0, 2), "08");
    assert.equal(f48[0].slice(2, 42), "00" + "000101" + "0" + "6228480000000000018" + "000000123450");
    assert.equal(f48[0].slice(42, 82), "00" + "000102" + "0000" + "6222020000009873" + "000000000001");
    assert.equal(f48[1], "02" + "00" + "000109" + "0000" + "6222020000009873" + "000000000090" + "00" + "000110" + "0000" + "6222020000009873" + "000000000000");
    assert.equal(f48[2], "0010");
    assert.equal((ups[2].fields[60] as string).slice(8, 11), "202");
    // TPDU, then the header's application type: 60 (not a chip transaction)
    for (let i = 0; i < host.requests.length; i++) if (host.requests[i].mti === "0320") assert.equal(host.bodies[i][5], 0x60);
    assert.equal(r.outcome, OUT_SETTLED);
    assert.equal(r.uploaded, true);
  });

  it("a host date its month does not have (31 April, 29 February 2027) is ignored: the terminal's time on the result", () => {
    for (const [mmdd, stamp] of [["0431", 270415100000], ["0229", 270415100000]] as const) {
      const set: number[] = [];
      const { host, engine, rec, pin } = setup({ terminalLocal: Date.UTC(2027, 3, 15, 10, 0, 0), setTime: (ms) => set.push(ms) });
      engine.signIn();
      host.plan = (req) => (req.mti === "0200" ? { options: { mutateReply: (r) => (r.fields[13] = mmdd) } } : undefined);
      const card = swiped(MAG_DEBIT);
      engine.sale(1000, card, pin(card, MAG_DEBIT.pin));
      assert.equal(rec.results[1].outcome, OUT_APPROVED);
      assert.equal(rec.results[1].dateTime, stamp, mmdd + ": the terminal's own time");
      assert.equal(set.length, 1, "only the sign-in set the clock");
    }
  });

  for (const [what, terminal, hostTime, offset, stamp] of [
    ["host still in December, terminal in January", Date.UTC(2026, 0, 1, 0, 0, 5), Date.UTC(2025, 11, 31, 23, 59, 59), -6000, 251231235959],
    ["host already in January, terminal in December", Date.UTC(2025, 11, 31, 23, 59, 55), Date.UTC(2026, 0, 1, 0, 0, 3), 8000, 260101000003],
    ["mid-year", Date.UTC(2026, 5, 1, 10, 0, 0), Date.UTC(2026, 5, 1, 10, 0, 30), 30000, 260601100030],
    ["29 February", Date.UTC(2028, 1, 29, 12, 0, 0), Date.UTC(2028, 1, 29, 11, 59, 0), -60000, 280229115900],
  ] as const) {
    it("host time from fields 12/13, the year from the terminal clock: " + what, () => {
      const set: number[] = [];
      const { engine, rec, pin } = setup({ terminalLocal: terminal, hostLocal: () => hostTime, setTime: (ms) => set.push(ms) });
      engine.signIn();
      assert.equal(engine.f[F_HOST_OFFSET], offset);
      assert.deepEqual(set, [hostTime]);
      const card = swiped(MAG_DEBIT);
      engine.sale(1000, card, pin(card, MAG_DEBIT.pin));
      assert.equal(rec.results[1].outcome, OUT_APPROVED);
      assert.equal(rec.results[1].dateTime, stamp, "YYMMDDhhmmss of the host's time");
    });
  }
});

describe("a sale prepared at the PIN prompt (prepareSale)", () => {
  const req = (engine: TxnEngine) => (engine as unknown as { req: { data: Uint8Array } }).req.data;
  /** The PAN's first 12 digits as field 2 packs them (BCD). */
  const hasPan = (buf: Uint8Array) => Buffer.from(buf).indexOf(Buffer.from(MAG_DEBIT.pan.slice(0, 12), "hex")) >= 0;

  it("sends the request a sale built whole sends (its own STAN and MAC), and is approved", () => {
    const { host, engine, rec, pin } = setup();
    engine.signIn();
    const c1 = swiped(MAG_DEBIT);
    assert.equal(engine.sale(1000, c1, pin(c1, MAG_DEBIT.pin)), true);
    const c2 = swiped(MAG_DEBIT);
    const token = engine.prepareSale(1000, c2);
    assert.ok(token > 0);
    assert.equal(hasPan(req(engine)), true, "the prepared request holds the PAN");
    assert.equal(engine.sale(1000, c2, pin(c2, MAG_DEBIT.pin), token), true);
    assert.equal(rec.results[2].outcome, OUT_APPROVED, "the host checked its MAC");
    const [whole, prepared] = [host.requests[1], host.requests[2]];
    assert.equal(host.bodies[2].length, host.bodies[1].length);
    const but = (m: IsoMessage) => Object.keys(m.fields).filter((f) => f !== "11" && f !== "64").map((f) => f + "=" + String(m.fields[Number(f)]));
    assert.deepEqual(but(prepared), but(whole), "every field but the STAN and the MAC, in the same order");
    assert.equal(Number(prepared.fields[11]), Number(whole.fields[11]) + 1);
    assert.equal(hasPan(req(engine)), false, "the PAN is scrubbed from the request once it left");
  });

  it("a PIN block made before Enter goes into the prepared request with its MAC; the sale given that block sends it as it is", () => {
    const { host, engine, rec, pin } = setup();
    engine.signIn();
    const tx = (engine as unknown as { tx: Uint8Array }).tx;
    const c1 = swiped(MAG_DEBIT);
    assert.equal(engine.sale(1000, c1, pin(c1, MAG_DEBIT.pin)), true);
    const card = swiped(MAG_DEBIT);
    const token = engine.prepareSale(1000, card);
    assert.ok(token > 0);
    const before = Buffer.from(tx);
    const block = engine.makePinBlock(pinDigits(MAG_DEBIT.pin), MAG_DEBIT.pin.length, card)!;
    assert.ok(Buffer.from(tx).indexOf(Buffer.from(block)) > 0, "field 52 holds the block");
    assert.notDeepEqual(Buffer.from(tx), before, "and the MAC's place and folded blocks changed");
    assert.equal(engine.makePinBlock(pinDigits(""), 0, card), block, "len 0: the block in the prepared request");
    assert.equal(host.requests.length, 2, "nothing sent before Enter");
    assert.equal(engine.sale(1000, card, block, token), true);
    assert.equal(rec.results[2].outcome, OUT_APPROVED, "the host checked the PIN block and the MAC");
    const but = (m: IsoMessage) => Object.keys(m.fields).filter((f) => f !== "11" && f !== "64").map((f) => f + "=" + String(m.fields[Number(f)]));
    assert.deepEqual(but(host.requests[2]), but(host.requests[1]), "every field but the STAN and MAC as a sale built whole");
    assert.ok(tx.every((b) => b === 0), "tx wiped once the request left");
  });

  it("a PIN block made again (another PIN), or a sale given another block, replaces the one in the prepared request", () => {
    const { engine, rec } = setup();
    engine.signIn();
    const wrong = "111111";
    assert.notEqual(MAG_DEBIT.pin, wrong);
    // the cardholder typed a wrong PIN, cleared it and typed the right one
    const c1 = swiped(MAG_DEBIT);
    const t1 = engine.prepareSale(500, c1);
    engine.makePinBlock(pinDigits(wrong), wrong.length, c1);
    const right = engine.makePinBlock(pinDigits(MAG_DEBIT.pin), MAG_DEBIT.pin.length, c1)!;
    assert.equal(engine.sale(500, c1, right, t1), true);
    assert.equal(rec.results[1].outcome, OUT_APPROVED, "the host saw the right PIN (a wrong one earns 55) and a good MAC");
    // a block made early, then the sale given a copy of another: the copy goes
    const c2 = swiped(MAG_DEBIT);
    const t2 = engine.prepareSale(600, c2);
    const good = Uint8Array.from(engine.makePinBlock(pinDigits(MAG_DEBIT.pin), MAG_DEBIT.pin.length, c2)!);
    engine.makePinBlock(pinDigits(wrong), wrong.length, c2);
    assert.equal(engine.sale(600, c2, good, t2), true);
    assert.equal(rec.results[2].outcome, OUT_APPROVED);
    // and the other way round: the right one in the request, the sale given the wrong one's copy
    const c3 = swiped(MAG_DEBIT);
    const t3 = engine.prepareSale(700, c3);
    const bad = Uint8Array.from(engine.makePinBlock(pinDigits(wrong), wrong.length, c3)!);
    engine.makePinBlock(pinDigits(MAG_DEBIT.pin), MAG_DEBIT.pin.length, c3);
    assert.equal(engine.sale(700, c3, bad, t3), true);
    assert.equal(rec.results[3].outcome, OUT_DECLINED, "the block the sale was given is the one sent");
    assert.equal(rec.results[3].rc, "55", "55: wrong PIN, and no MAC error");
  });

  it("the wipe takes a PIN block made before Enter with the prepared request", () => {
    const { engine, rec, pin } = setup();
    engine.signIn();
    const tx = (engine as unknown as { tx: Uint8Array }).tx;
    const card = swiped(MAG_DEBIT);
    engine.prepareSale(900, card);
    assert.ok(engine.makePinBlock(pinDigits(MAG_DEBIT.pin), MAG_DEBIT.pin.length, card) !== null);
    engine.prepareSale(0, null);
    assert.equal(engine.makePinBlock(pinDigits(""), 0, card), null, "no block in a prepared request any more");
    assert.ok(tx.every((b) => b === 0), "tx wiped");
    // no request prepared: the block is made, and nothing is put anywhere
    assert.ok(engine.makePinBlock(pinDigits(MAG_DEBIT.pin), MAG_DEBIT.pin.length, card) !== null);
    assert.equal(engine.makePinBlock(pinDigits(""), 0, card), null);
    assert.ok(tx.every((b) => b === 0));
    assert.equal(engine.sale(900, card, pin(card, MAG_DEBIT.pin)), true);
    assert.equal(rec.results[1].outcome, OUT_APPROVED);
  });

  it("while the reply is awaited, neither the send buffer nor the request holds card data or the PIN block", () => {
    const { host, engine, pin } = setup();
    engine.signIn();
    host.plan = (r) => (r.mti === "0200" ? { silent: true } : undefined);
    const tx = (engine as unknown as { tx: Uint8Array }).tx;
    for (const prepared of [false, true]) {
      const card = swiped(MAG_DEBIT);
      const pb = Buffer.from(pin(card, MAG_DEBIT.pin)!.subarray(0, 8));
      const token = prepared ? engine.prepareSale(900, card) : 0;
      assert.equal(engine.sale(900, card, pb, token), true);
      assert.equal(engine.busy(), true, "waiting for the reply");
      for (const [name, buf] of [["tx", tx], ["req", req(engine)]] as Array<[string, Uint8Array]>) {
        assert.equal(hasPan(buf), false, name + ": BCD PAN");
        assert.equal(Buffer.from(buf).indexOf(Buffer.from(MAG_DEBIT.pan, "latin1")), -1, name + ": ASCII PAN");
        assert.equal(Buffer.from(buf).indexOf(pb), -1, name + ": PIN block");
        assert.ok(buf.every((b) => b === 0), name + " wiped to zeros");
      }
      engine.tick(Date.now() * 4); // no reply: reversal, then the next round
      engine.tick(Date.now() * 5);
    }
  });

  it("signed in: packed whole at the prompt (tx), its PIN block and MAC added at Enter; a bypassed PIN is built whole", () => {
    const { host, engine, rec, pin } = setup();
    engine.signIn();
    const tx = (engine as unknown as { tx: Uint8Array }).tx;
    const card = swiped(MAG_DEBIT);
    const token = engine.prepareSale(1500, card);
    assert.ok(tx.some((b) => b !== 0), "the request is packed in tx at the prompt");
    assert.equal(host.requests.length, 1, "nothing sent before Enter");
    assert.equal(engine.sale(1500, card, pin(card, MAG_DEBIT.pin), token), true);
    assert.equal(rec.results[1].outcome, OUT_APPROVED, "the host checked the PIN block and the MAC");
    const sent = host.requests[1];
    assert.equal(String(sent.fields[22]), "021");
    assert.ok(sent.fields[52] !== undefined && sent.fields[26] !== undefined && sent.fields[53] !== undefined);
    // a card without PIN: the token assumed one, so Enter without digits builds it whole
    const np = swiped(HOST_CARDS.noPin);
    const t2 = engine.prepareSale(800, np);
    assert.ok(t2 > 0);
    assert.equal(engine.sale(800, np, null, t2), true);
    assert.equal(rec.results[2].outcome, OUT_APPROVED);
    const bypass = host.requests[2];
    assert.equal(String(bypass.fields[22]), "022");
    for (const f of [26, 52, 53]) assert.equal(bypass.fields[f], undefined, "no field " + f);
    assert.equal(Number(bypass.fields[11]), Number(sent.fields[11]) + 2, "the STAN handed out at the prompt is skipped");
    assert.ok(tx.every((b) => b === 0) && req(engine).every((b) => b === 0), "wiped after each send");
  });

  it("the prepared request's reversal is on flash before the PIN prompt; whatever ends the prompt without the request leaving clears it", () => {
    const { host, engine, rec, pin, stores, flash } = setup();
    engine.signIn();
    const ends: Array<[string, (card: ReturnType<typeof swiped>, token: number) => void]> = [
      ["the PIN entry abandoned", () => engine.prepareSale(0, null)],
      ["another command", (card) => engine.balance(card, pin(card, MAG_DEBIT.pin))],
      ["a sale for another amount", (card, token) => engine.sale(999, card, pin(card, MAG_DEBIT.pin), token)],
      ["the link never comes up", (card, token) => {
        // (the connection opened at the prompt did not come up either: see below)
        engine.sale(1000, card, pin(card, MAG_DEBIT.pin), token);
        engine.onLinkDown();
      }],
    ];
    const open = host.open;
    for (const [what, end] of ends) {
      // no network for the last: neither the connection opened at the prompt nor Enter's comes up
      if (what === "the link never comes up") host.open = () => undefined;
      const card = swiped(MAG_DEBIT);
      const token = engine.prepareSale(1000, card);
      assert.ok(token > 0, what);
      const q = stores.reversals;
      assert.equal(q.isPending, true, what + ": the 0400 is stored at the prompt");
      assert.equal(q.pending.amount, 1000);
      const reopened = new TxnStores(flash);
      assert.equal(reopened.open(), 0);
      assert.equal(reopened.reversals.isPending, true, what + ": on flash");
      // the stored image is the request's: MTI 0400, its STAN, no PAN, no PIN block
      const img = new Uint8Array(512);
      const len = q.loadMessage(img);
      const stored = decodeBody(Buffer.from(img.subarray(2, len))).message;
      assert.equal(stored.mti, "0400");
      assert.equal(stored.fields[2], undefined);
      assert.equal(stored.fields[52], undefined);
      const stan = Number(stored.fields[11]);
      end(card, token);
      assert.equal(q.isPending, false, what + ": cleared, as the request never left");
      assert.ok(!host.mtis().includes("0400"), what + ": no reversal sent");
      assert.ok(!host.requests.some((r) => r.mti === "0200" && Number(r.fields[11]) === stan), what + ": its request never sent");
      assert.equal(stores.journal.statusOfStan(stan), 0, what + ": nothing journaled under its STAN");
    }
    assert.equal(rec.results.filter((r) => r.outcome === OUT_APPROVED).length, 2, "the balance and the sale for 9.99 went through");
    host.open = open;
  });

  it("the host connection is opened at the PIN prompt: Enter sends at once; it closes with an abandoned prompt", () => {
    const { host, engine, rec, pin } = setup();
    engine.signIn();
    const card = swiped(MAG_DEBIT);
    const opens = host.opens;
    const closes = host.closes;
    const token = engine.prepareSale(1000, card);
    assert.ok(token > 0);
    assert.equal(host.opens, opens + 1, "dialled ahead while the PIN is typed");
    assert.equal(host.requests.length, 1, "nothing sent before Enter");
    rec.stages.length = 0;
    assert.equal(engine.sale(1000, card, pin(card, MAG_DEBIT.pin), token), true);
    assert.equal(host.opens, opens + 1, "Enter uses that connection");
    assert.equal(rec.stages.indexOf(STAGE_CONNECTING), -1, "no connecting stage after Enter");
    assert.equal(rec.results[rec.results.length - 1].outcome, OUT_APPROVED);
    assert.equal(host.closes, closes + 1, "closed once answered, as before");
    // abandoned: the connection goes with the prepared request
    const t2 = engine.prepareSale(500, swiped(MAG_DEBIT));
    assert.ok(t2 > 0);
    assert.equal(host.opens, opens + 2);
    engine.prepareSale(0, null);
    assert.equal(host.closes, closes + 2, "closed with the abandoned PIN entry");
    assert.equal(engine.busy(), false);
    // a connection up after the prompt ended (a late connect) changes nothing
    engine.onLinkUp();
    assert.equal(host.requests.length, 2);
    assert.equal(engine.busy(), false);
  });

  it("a connection opened at the PIN prompt that drops before Enter: Enter connects again and the sale goes", () => {
    const { host, engine, rec, pin } = setup();
    engine.signIn();
    const card = swiped(MAG_DEBIT);
    const token = engine.prepareSale(1000, card);
    const opens = host.opens;
    // the host (or the network) drops the idle connection while the PIN is typed
    engine.onLinkDown();
    assert.equal(engine.busy(), false);
    assert.equal(rec.results.length, 1, "nothing reported for it");
    rec.stages.length = 0;
    assert.equal(engine.sale(1000, card, pin(card, MAG_DEBIT.pin), token), true);
    assert.equal(host.opens, opens + 1, "a new connection at Enter");
    assert.equal(rec.stages[0], STAGE_CONNECTING);
    assert.equal(rec.results[rec.results.length - 1].outcome, OUT_APPROVED);
    assert.equal(host.requests.filter((r) => r.mti === "0200").length, 1, "the sale sent once");
  });

  it("a power cut at the PIN prompt leaves the stored 0400: it goes first after the reboot, the host answers 25, the sale is approved", () => {
    const flash = new FlashStorage({ bytes: 128 * 1024 });
    const first = setup({ flash });
    first.engine.signIn();
    const card = swiped(MAG_DEBIT);
    assert.ok(first.engine.prepareSale(1000, card) > 0);
    const stray = first.stores.reversals.pending.stan;
    // the power goes: a new engine over the same flash
    const { host, engine, rec, pin, stores } = setup({ flash });
    assert.equal(stores.reversals.isPending, true, "the 0400 survived the reboot");
    engine.signIn();
    const c2 = swiped(MAG_DEBIT);
    assert.equal(engine.sale(1000, c2, pin(c2, MAG_DEBIT.pin)), true);
    assert.deepEqual(host.mtis(), ["0800", "0400", "0200"]);
    assert.equal(Number(host.requests[1].fields[11]), stray);
    assert.equal(host.replies[1].fields[39], "25", "the host never saw that request");
    assert.equal(rec.results[1].outcome, OUT_APPROVED);
    assert.equal(stores.reversals.isPending, false);
    assert.equal(stores.journal.statusOfStan(stray), 0, "nothing journaled for the request that never left");
  });

  it("a flash failure while clearing an abandoned prompt's 0400 leaves it pending: it goes before the next sale", () => {
    const { host, engine, rec, pin, stores, flash } = setup();
    engine.signIn();
    const card = swiped(MAG_DEBIT);
    assert.ok(engine.prepareSale(1000, card) > 0);
    const stray = stores.reversals.pending.stan;
    flash.cutAfterBytes(1);
    assert.equal(engine.prepareSale(0, null), 0);
    assert.equal(stores.reversals.isPending, true, "the clear failed: still pending");
    assert.ok(req(engine).every((b) => b === 0), "the card's digits went all the same");
    flash.powerOn();
    const c2 = swiped(MAG_DEBIT);
    assert.equal(engine.prepareSale(700, c2), 0, "nothing prepared while a reversal waits");
    assert.equal(engine.sale(700, c2, pin(c2, MAG_DEBIT.pin)), true);
    assert.deepEqual(host.mtis(), ["0800", "0400", "0200"]);
    assert.equal(Number(host.requests[1].fields[11]), stray);
    assert.equal(rec.results[1].outcome, OUT_APPROVED);
    assert.equal(stores.reversals.isPending, false);
  });

  it("no MAC key to fold the request with: nothing prepared, nothing stored, nothing of the card kept", () => {
    const { engine, stores } = setup();
    engine.signIn();
    (engine as unknown as { keys: { macKey: { clear(): void } } }).keys.macKey.clear();
    const card = swiped(MAG_DEBIT);
    assert.equal(engine.prepareSale(1000, card), 0);
    assert.equal(stores.reversals.isPending, false, "its 0400 cleared");
    const tx = (engine as unknown as { tx: Uint8Array }).tx;
    assert.ok(tx.every((b) => b === 0) && req(engine).every((b) => b === 0), "wiped");
  });

  it("a PIN entry abandoned after a packed prepare: tx and req wiped, its STAN skipped, nothing sent", () => {
    const { host, engine, rec, pin } = setup();
    engine.signIn();
    const tx = (engine as unknown as { tx: Uint8Array }).tx;
    const card = swiped(MAG_DEBIT);
    assert.ok(engine.prepareSale(2000, card) > 0);
    assert.ok(hasPan(tx), "the packed request holds the PAN");
    assert.equal(engine.prepareSale(0, null), 0);
    assert.ok(tx.every((b) => b === 0) && req(engine).every((b) => b === 0), "wiped");
    assert.deepEqual(host.mtis(), ["0800"]);
    const c2 = swiped(MAG_DEBIT);
    assert.equal(engine.sale(700, c2, pin(c2, MAG_DEBIT.pin)), true);
    assert.equal(rec.results[1].outcome, OUT_APPROVED);
    assert.equal(Number(host.requests[1].fields[11]), Number(host.requests[0].fields[11]) + 2);
  });

  it("nothing is prepared while a reversal waits (it goes first): the sale is built whole and approved", () => {
    const { host, engine, rec, pin, stores } = setup();
    engine.signIn();
    host.plan = (r) => (r.mti === "0200" || r.mti === "0400" ? { silent: true } : undefined);
    const c1 = swiped(MAG_DEBIT);
    engine.sale(500, c1, pin(c1, MAG_DEBIT.pin));
    engine.tick(Date.now() * 2); // no reply: the reversal stays pending (its 0400 unanswered too)
    engine.tick(Date.now() * 3);
    assert.equal(stores.reversals.isPending, true);
    host.plan = () => undefined;
    const c2 = swiped(MAG_DEBIT);
    const tx = (engine as unknown as { tx: Uint8Array }).tx;
    const token = engine.prepareSale(700, c2);
    assert.equal(token, 0, "not prepared: the reversal would take the request buffer first");
    assert.ok(!hasPan(tx) && !hasPan(req(engine)), "nothing of the card held");
    assert.equal(engine.sale(700, c2, pin(c2, MAG_DEBIT.pin), token), true);
    const last = rec.results[rec.results.length - 1];
    assert.equal(last.outcome, OUT_APPROVED);
    assert.deepEqual(host.mtis().slice(-2), ["0400", "0200"]);
    const sent = host.requests[host.requests.length - 1];
    assert.equal(sent.fields[2], MAG_DEBIT.pan);
    assert.equal(Number(sent.fields[4]), 700);
    assert.equal(stores.reversals.isPending, false);
  });

  it("a sale that ends before its request is built (the link never came up) wipes what was prepared", () => {
    const { host, engine, rec, pin } = setup();
    engine.signIn();
    host.open = () => undefined; // the connection never comes up
    const card = swiped(MAG_DEBIT);
    const token = engine.prepareSale(1000, card);
    assert.equal(engine.sale(1000, card, pin(card, MAG_DEBIT.pin), token), true);
    assert.equal(hasPan(req(engine)), true, "still prepared while the link connects");
    engine.onLinkDown();
    assert.equal(rec.results[rec.results.length - 1].outcome, OUT_NO_RESPONSE);
    assert.ok(req(engine).every((b) => b === 0), "wiped at the end of the command");
    assert.ok((engine as unknown as { tx: Uint8Array }).tx.every((b) => b === 0), "tx too");
    assert.deepEqual(host.mtis(), ["0800"]);
  });

  it("a stale token is not used: another command wipes the prepared request, a chip card or a busy engine gets none", () => {
    const { host, engine, rec, pin } = setup();
    engine.signIn();
    const card = swiped(MAG_DEBIT);
    const token = engine.prepareSale(1000, card);
    assert.ok(hasPan(req(engine)));
    assert.equal(engine.balance(card, pin(card, MAG_DEBIT.pin)), true);
    assert.equal(engine.prepareSale(0, null), 0);
    assert.equal(engine.sale(1200, card, pin(card, MAG_DEBIT.pin), token), true, "a stale token: built whole");
    const sent = host.requests[host.requests.length - 1];
    assert.equal(Number(sent.fields[4]), 1200);
    assert.equal(rec.results[rec.results.length - 1].outcome, OUT_APPROVED);
    // wiped: prepareSale(0, null), and a token for another amount
    const t2 = engine.prepareSale(300, card);
    engine.prepareSale(0, null);
    assert.ok(req(engine).every((b) => b === 0), "wiped to zeros");
    assert.equal(engine.sale(300, card, pin(card, MAG_DEBIT.pin), t2), true);
    assert.equal(rec.results[rec.results.length - 1].outcome, OUT_APPROVED, "built whole after the wipe");
    assert.equal(engine.prepareSale(100, chip(CHIP_DEBIT)), 0, "a chip card's request waits for its cryptogram");
    host.plan = () => ({ silent: true });
    engine.sale(100, card, pin(card, MAG_DEBIT.pin));
    assert.equal(engine.busy(), true);
    assert.equal(engine.prepareSale(100, card), 0, "busy: req is in use");
  });
});
