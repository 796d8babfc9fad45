/**
 * TxnEngine against the real acquirer host simulator (hil/host) over loopback TCP, with real
 * stores on an emulated flash and a stepped clock. After each scenario the terminal's journal
 * and reversal state are compared with the host's ledger (harness.ts assertConsistent): no debit
 * the terminal does not know about, no reversal lost.
 */
import { strict as assert } from "node:assert";
import { CHIP_DEBIT, MAG_DEBIT, MAG_EXPIRED, type TestCard } from "../../hil/models/test-cards";
import { HOST_CARDS, UNKNOWN_PAN } from "../../hil/host/cards";
import type { HostSimulator } from "../../hil/host/server";
import { DEFAULT_MERCHANT_ID, DEFAULT_TERMINAL_ID } from "../../hil/host/terminals";
import {
  CLS_DO_NOT_RETRY,
  CLS_REENTER_PIN,
  CLS_RETRY_LATER,
  CLS_SIGN_IN_AGAIN,
  CLS_SUCCESS,
  OUT_ABORTED,
  OUT_APPROVED,
  OUT_BUSY,
  OUT_CARD_REMOVED,
  OUT_DECLINED,
  OUT_JOURNAL_FULL,
  OUT_KEY_ERROR,
  OUT_MAC_FAILED,
  OUT_NO_RESPONSE,
  OUT_NOT_FOUND,
  OUT_NOT_SIGNED_IN,
  OUT_REVERSAL_FAILED,
  OUT_REVERSAL_PENDING,
  OUT_REVERSED,
  OUT_SETTLED,
  OUT_SIGNED_IN,
  STAGE_COMPLETING,
  STAGE_CONNECTING,
  STAGE_REVERSING,
  STAGE_SENDING,
  STAGE_SIGNING_IN,
  STAGE_UPLOADING,
  STAGE_WAITING,
  TXN_REFUND,
  TXN_SALE,
  TXN_VOID,
} from "../../firmware/txn/engine-api";
import * as M from "../../firmware/txn/message-ids";
import { E_KCV_PIN_KEY } from "../../firmware/txn/crypto/errors";
import { E_FRAME_LENGTH, ISO_OK, Message, unpack } from "../../firmware/txn/iso8583/index";
import { createUnionPayTable } from "../../firmware/txn/iso8583/unionpay-table";
import { J_APPROVED, journalCount, J_DECLINED, J_REVERSED, J_VOIDED, TXN_REFUND as J_REFUND, TXN_VOID as J_VOID } from "../../firmware/txn/store/journal";
import { REASON_MAC_FAILED, REASON_NO_REPLY } from "../../firmware/txn/store/reversal-queue";
import { SETTLE_UPLOADING } from "../../firmware/txn/store/counters";
import { FlashStorage } from "../../hil/virtual/flash-storage";
import { F_HOST_OFFSET, N_IGNORED, N_RX_ERROR, N_SET_STRING } from "../../firmware/txn/engine";
import { assertConsistent, chip, lastSeq, received, REPLY_MS, startHost, swiped, Terminal, until } from "./harness";

const noPin = HOST_CARDS.noPin;

describe("TxnEngine against the host simulator", function () {
  let host: HostSimulator;
  let t: Terminal;

  beforeEach(async () => {
    host = await startHost();
    t = new Terminal(host);
  });
  afterEach(async () => {
    t.link.close();
    await host.close();
  });

  /** Wait until the host has received `n` more requests of this MTI after `since`. */
  const hostGot = (mti: string, since: number, n = 1) => until(() => received(host, mti, since).length >= n, "host received " + mti);

  describe("sign-in", () => {
    it("loads double-length working keys, adopts the host batch and learns the host time", async () => {
      await host.close();
      host = await startHost({ terminals: [{ terminalId: DEFAULT_TERMINAL_ID, merchantId: DEFAULT_MERCHANT_ID, tmk: "0123456789ABCDEFFEDCBA9876543210", batch: "000007" }] });
      t = new Terminal(host);
      assert.equal(t.engine.signedIn(), false);
      const r = await t.signIn();
      assert.equal(r.outcome, OUT_SIGNED_IN);
      assert.equal(r.msgId, M.MSG_OUT_SIGNED_IN);
      assert.equal(r.batch, 7);
      assert.equal(t.stores.counters.batch, 7);
      assert.equal(t.engine.signedIn(), true);
      assert.equal(host.terminals.get(DEFAULT_TERMINAL_ID)!.keyMode, "004");
      assert.deepEqual(t.rec.stages.slice(0, 2), [STAGE_CONNECTING, STAGE_SIGNING_IN]);
      assert.equal(t.times.length, 1, "setTime called once");
      assert.ok(Math.abs(t.engine.f[F_HOST_OFFSET]) < 5000, "host and terminal clocks agree: " + t.engine.f[F_HOST_OFFSET]);
      // the keys work: a PIN sale in the host's batch is approved
      const s = await t.sale(MAG_DEBIT, 100);
      assert.equal(s.outcome, OUT_APPROVED);
      assert.equal(received(host, "0200")[0].batch, "000007");
    });

    it("asks for single-DES keys with an 8-byte TMK (60.3 001) and works with them", async () => {
      await host.close();
      host = await startHost({ terminals: [{ terminalId: DEFAULT_TERMINAL_ID, merchantId: DEFAULT_MERCHANT_ID, tmk: "0123456789ABCDEF" }] });
      t = new Terminal(host, { config: { tmk: Uint8Array.from(Buffer.from("0123456789ABCDEF", "hex")) } });
      assert.equal((await t.signIn()).outcome, OUT_SIGNED_IN);
      assert.equal(host.terminals.get(DEFAULT_TERMINAL_ID)!.keyMode, "001");
      assert.equal((await t.sale(MAG_DEBIT, 250)).outcome, OUT_APPROVED);
    });

    it("refuses working keys whose check values do not match (terminal TMK differs from the host's)", async () => {
      t = new Terminal(host, { config: { tmk: Uint8Array.from(Buffer.from("00112233445566778899AABBCCDDEEFF", "hex")) } });
      const r = await t.signIn();
      assert.equal(r.outcome, OUT_KEY_ERROR);
      assert.equal(r.msgId, M.MSG_OUT_KEY_ERROR);
      assert.equal(r.errorCode, E_KCV_PIN_KEY);
      assert.equal(t.engine.signedIn(), false);
      assert.equal(t.engine.makePinBlock(Uint8Array.from(Buffer.from("123456")), 6, swiped(MAG_DEBIT)), null);
    });
  });

  describe("sale", () => {
    beforeEach(async () => {
      assert.equal((await t.signIn()).outcome, OUT_SIGNED_IN);
    });

    it("approved: journal entry with masked PAN, reversal cleared, host debited, nothing sensitive on flash", async () => {
      const before = host.ledger.balanceOf("mag-debit");
      t.link.chunk = 1; // the reply arrives byte by byte: reassembly by the length prefix
      const r = await t.sale(MAG_DEBIT, 1234);
      assert.equal(r.outcome, OUT_APPROVED);
      assert.equal(r.type, TXN_SALE);
      assert.equal(r.rc, "00");
      assert.equal(r.cls, CLS_SUCCESS);
      assert.equal(r.msgId, M.MSG_RC_00);
      assert.equal(r.maskedPan, "622202******9873");
      assert.equal(r.entryMode, 21);
      assert.equal(r.reversalPending, false);
      assert.equal(host.ledger.balanceOf("mag-debit"), before - 1234);
      const hx = host.ledger.snapshot().transactions.find((x) => x.kind === "sale")!;
      assert.equal(r.rrn, hx.rrn);
      assert.equal(r.authCode, hx.authCode);
      assert.equal(r.stan, Number(hx.stan));
      assert.ok(r.dateTime > 0);
      const e = t.entry(r.stan)!;
      assert.equal(e.status, J_APPROVED);
      assert.equal(e.amount, 1234);
      assert.equal(e.pan.format(), "622202******9873");
      assert.equal(Buffer.from(e.rrn).toString("latin1"), hx.rrn);
      assert.equal(t.stores.reversals.isPending, false);
      assert.deepEqual(t.rec.stages.slice(-3), [STAGE_CONNECTING, STAGE_SENDING, STAGE_WAITING]);
      const req = received(host, "0200")[0];
      assert.ok(req.fields!.indexOf(64) >= 0 && req.fields!.indexOf(52) >= 0, "MACed, with a PIN block");
      // never on flash: full PAN (ASCII or BCD) or track 2
      const img = Buffer.from(t.flash.image());
      assert.equal(img.indexOf(Buffer.from(MAG_DEBIT.pan, "latin1")), -1, "ASCII PAN on flash");
      assert.equal(img.indexOf(Buffer.from(MAG_DEBIT.pan, "hex")), -1, "BCD PAN on flash");
      assert.equal(img.indexOf(Buffer.from("=3012101", "latin1")), -1, "track 2 on flash");
      assertConsistent(t);
    });

    const declines: Array<[string, TestCard, number, string | null, string, number, number]> = [
      ["insufficient funds", HOST_CARDS.lowBalance, 2000, "123456", "51", CLS_DO_NOT_RETRY, M.MSG_RC_51],
      ["expired card", MAG_EXPIRED, 100, "123456", "54", CLS_DO_NOT_RETRY, M.MSG_RC_54],
      ["wrong PIN", MAG_DEBIT, 100, "000000", "55", CLS_REENTER_PIN, M.MSG_RC_55],
      ["over the daily limit", HOST_CARDS.dailyLimit, 60000, "123456", "61", CLS_DO_NOT_RETRY, M.MSG_RC_61],
      ["frozen (restricted) card", HOST_CARDS.frozen, 100, "123456", "62", CLS_DO_NOT_RETRY, M.MSG_RC_62],
      ["card not activated", HOST_CARDS.notActivated, 100, "123456", "21", CLS_DO_NOT_RETRY, M.MSG_RC_21],
      ["unknown card", { id: "unknown", pan: UNKNOWN_PAN, name: "X/Y", expiry: "3012", serviceCode: "101", pin: "123456" }, 100, "123456", "14", CLS_DO_NOT_RETRY, M.MSG_RC_14],
      ["lost card", HOST_CARDS.lost, 100, "123456", "41", CLS_DO_NOT_RETRY, M.MSG_RC_41],
    ];
    for (const [name, card, amount, pin, code, cls, msg] of declines) {
      it(`declined ${code} (${name}): class, message id, decline journaled, reversal cleared`, async () => {
        const before = host.ledger.snapshot().postings.length;
        const r = await t.sale(card, amount, pin);
        assert.equal(r.outcome, OUT_DECLINED);
        assert.equal(r.rc, code);
        assert.equal(r.cls, cls);
        assert.equal(r.msgId, msg);
        assert.equal(r.reversalPending, false);
        assert.equal(t.stores.reversals.isPending, false);
        assert.equal(t.entry(r.stan)!.status, J_DECLINED);
        assert.equal(host.ledger.snapshot().postings.length, before, "no money moved");
        assert.equal(received(host, "0400").length, 0, "nothing to reverse");
        assertConsistent(t);
      });
    }

    it("no reply: reversal 98 on flash, one try at once; the next sale sends it first (original STAN), then sells", async () => {
      host.inject({ fault: "no-reply", match: { mti: "0200" } });
      host.inject({ fault: "no-reply", match: { mti: "0400" }, process: false });
      const before = host.ledger.balanceOf("mag-debit");
      const n = t.results.length;
      const card = swiped(MAG_DEBIT);
      assert.ok(t.engine.sale(5000, card, t.pinFor(card, MAG_DEBIT.pin)));
      await hostGot("0200", 0);
      assert.equal(t.stores.reversals.isPending, true, "persisted before the request left");
      const stan = t.stores.reversals.pending.stan;
      t.advance(REPLY_MS + 1); // no reply: the engine tries the reversal at once
      await hostGot("0400", 0);
      t.advance(REPLY_MS + 1); // that try goes unanswered too
      await until(() => t.results.length > n, "result");
      const r = t.results[n];
      assert.equal(r.outcome, OUT_NO_RESPONSE);
      assert.equal(r.cls, CLS_RETRY_LATER);
      assert.equal(r.msgId, M.MSG_OUT_NO_RESPONSE);
      assert.equal(r.reversalPending, true);
      assert.equal(t.stores.reversals.pending.reason, REASON_NO_REPLY);
      assert.equal(t.stores.reversals.pending.tries, 1);
      assert.equal(host.ledger.balanceOf("mag-debit"), before - 5000, "the host did debit");
      assertConsistent(t);
      const since = lastSeq(host);
      const s = await t.sale(MAG_DEBIT, 700);
      assert.equal(s.outcome, OUT_APPROVED);
      assert.equal(s.reversalPending, false);
      const order = host.log.filter((e) => e.direction === "in" && e.seq > since).map((e) => e.mti + ":" + e.stan + ":" + (e.code || ""));
      assert.deepEqual(order, ["0400:" + String(stan).padStart(6, "0") + ":98", "0200:" + String(s.stan).padStart(6, "0") + ":"]);
      assert.ok(s.stan > stan, "the trace counter still advanced");
      assert.equal(host.ledger.balanceOf("mag-debit"), before - 700, "the 5000 came back");
      const rv = received(host, "0400", since)[0];
      for (const f of [2, 14, 26, 35, 36, 52, 53, 55]) assert.ok(rv.fields!.indexOf(f) < 0, "0400 carries field " + f);
      assert.ok(rv.fields!.indexOf(64) >= 0, "0400 MACed");
      assertConsistent(t);
    });

    it("no reply, reversal acknowledged at once: NO_RESPONSE with nothing pending", async () => {
      host.inject({ fault: "no-reply", match: { mti: "0200" } });
      const before = host.ledger.balanceOf("mag-debit");
      const n = t.results.length;
      const card = swiped(MAG_DEBIT);
      assert.ok(t.engine.sale(800, card, t.pinFor(card, MAG_DEBIT.pin)));
      await hostGot("0200", 0);
      t.advance(REPLY_MS + 1);
      await until(() => t.results.length > n, "result");
      const r = t.results[n];
      assert.equal(r.outcome, OUT_NO_RESPONSE);
      assert.equal(r.reversalPending, false);
      assert.ok(t.rec.stages.indexOf(STAGE_REVERSING) >= 0);
      assert.equal(host.ledger.balanceOf("mag-debit"), before);
      assertConsistent(t);
    });

    it("bad MAC in the reply: reversal A0, sign-in needed; the next sale signs in, reverses, then sells", async () => {
      host.inject({ fault: "wrong-mac", match: { mti: "0200" } });
      const before = host.ledger.balanceOf("mag-debit");
      const r = await t.sale(MAG_DEBIT, 3000);
      assert.equal(r.outcome, OUT_MAC_FAILED);
      assert.equal(r.cls, CLS_SIGN_IN_AGAIN);
      assert.equal(r.msgId, M.MSG_RC_A0);
      assert.equal(r.reversalPending, true);
      assert.equal(t.stores.reversals.pending.reason, REASON_MAC_FAILED);
      assert.equal(t.engine.signedIn(), false);
      assert.equal(received(host, "0400").length, 0, "not tried before signing in");
      // a PIN block made now would be under the keys about to be replaced: refused at once
      const card = swiped(MAG_DEBIT);
      assert.equal(t.engine.sale(100, card, new Uint8Array(8)), false);
      assert.equal(t.engine.result.outcome, OUT_NOT_SIGNED_IN);
      const since = lastSeq(host);
      const s = await t.sale(noPin, 400, null);
      assert.equal(s.outcome, OUT_APPROVED);
      const order = host.log.filter((e) => e.direction === "in" && e.seq > since).map((e) => e.mti + (e.code ? ":" + e.code : ""));
      assert.deepEqual(order, ["0800", "0400:A0", "0200"]);
      assert.equal(host.ledger.balanceOf("mag-debit"), before, "the A0 reversal put the 3000 back");
      assert.equal(t.engine.signedIn(), true);
      assertConsistent(t);
    });

    it("malformed reply: no response at once, reversal acknowledged", async () => {
      host.inject({ fault: "malformed", match: { mti: "0200" } });
      const before = host.ledger.balanceOf("mag-debit");
      const r = await t.sale(MAG_DEBIT, 990);
      assert.equal(r.outcome, OUT_NO_RESPONSE);
      assert.ok(t.engine.n[N_RX_ERROR] > 0);
      assert.equal(r.reversalPending, false);
      assert.equal(received(host, "0400")[0].code, "98");
      assert.equal(host.ledger.balanceOf("mag-debit"), before);
      assertConsistent(t);
    });

    it("reply with the wrong STAN is ignored: timeout, then the reversal", async () => {
      host.inject({ fault: "wrong-stan", match: { mti: "0200" } });
      const before = host.ledger.balanceOf("mag-debit");
      const n = t.results.length;
      const card = swiped(MAG_DEBIT);
      assert.ok(t.engine.sale(610, card, t.pinFor(card, MAG_DEBIT.pin)));
      await until(() => host.log.some((e) => e.direction === "out" && e.mti === "0210"), "host answered");
      await until(() => t.engine.n[N_IGNORED] === 1, "reply ignored");
      assert.equal(t.engine.busy(), true);
      t.advance(REPLY_MS + 1);
      await until(() => t.results.length > n, "result");
      assert.equal(t.results[n].outcome, OUT_NO_RESPONSE);
      assert.equal(t.results[n].reversalPending, false);
      assert.equal(host.ledger.balanceOf("mag-debit"), before);
      assertConsistent(t);
    });

    it("reply for another terminal (field 41) is ignored: timeout, then the reversal", async () => {
      host.inject({ fault: "wrong-tid", match: { mti: "0200" } });
      const before = host.ledger.balanceOf("mag-debit");
      const n = t.results.length;
      const ignored = t.engine.n[N_IGNORED];
      const card = swiped(MAG_DEBIT);
      assert.ok(t.engine.sale(620, card, t.pinFor(card, MAG_DEBIT.pin)));
      await until(() => t.engine.n[N_IGNORED] === ignored + 1, "reply ignored");
      assert.equal(t.engine.busy(), true);
      t.advance(REPLY_MS + 1);
      await until(() => t.results.length > n, "result");
      assert.equal(t.results[n].outcome, OUT_NO_RESPONSE);
      assert.equal(host.ledger.balanceOf("mag-debit"), before, "the host's debit was reversed");
      assertConsistent(t);
    });

    it("duplicate reply: one result, the copy is dropped", async () => {
      host.inject({ fault: "duplicate-reply", match: { mti: "0200" } });
      const r = await t.sale(MAG_DEBIT, 321);
      assert.equal(r.outcome, OUT_APPROVED);
      await new Promise((res) => setTimeout(res, 20));
      assert.equal(t.results.length, 2, "sign-in + one sale result");
      assert.equal((await t.sale(MAG_DEBIT, 322)).outcome, OUT_APPROVED);
      assertConsistent(t);
    });

    it("where set() copies a string's char codes (Espruino), replies whole or in pieces are copied natively and answer the same", async () => {
      assert.equal(t.engine.n[N_SET_STRING], 0, "Node's set() parses a string's characters as numbers: the byte loop");
      const set = Uint8Array.prototype.set;
      // Espruino's TypedArray.set(string, offset) takes the char codes (jswrap_arraybufferview_set)
      Uint8Array.prototype.set = function (this: Uint8Array, src: ArrayLike<number> | string, off?: number): void {
        if (typeof src !== "string") return set.call(this, src, off);
        for (let i = 0; i < src.length && (off || 0) + i < this.length; i++) this[(off || 0) + i] = src.charCodeAt(i);
      } as typeof set;
      try {
        t = new Terminal(host);
        assert.equal(t.engine.n[N_SET_STRING], 1);
        assert.equal((await t.signIn()).outcome, OUT_SIGNED_IN);
        const before = host.ledger.balanceOf("mag-debit");
        for (const chunk of [0, 1, 7]) {
          t.link.chunk = chunk;
          const r = await t.sale(MAG_DEBIT, 100 + chunk);
          assert.equal(r.outcome, OUT_APPROVED, "chunks of " + chunk);
          assert.equal(r.rrn, host.ledger.snapshot().transactions.filter((x) => x.kind === "sale").pop()!.rrn);
        }
        assert.equal(host.ledger.balanceOf("mag-debit"), before - 100 - 101 - 107);
        // an oversize frame is still refused, by the byte loop (it does not fit)
        host.inject({ fault: "no-reply", match: { mti: "0200" } });
        const n = t.results.length;
        const since = lastSeq(host);
        const card = swiped(MAG_DEBIT);
        assert.ok(t.engine.sale(460, card, t.pinFor(card, MAG_DEBIT.pin)));
        await hostGot("0200", since);
        t.engine.onLinkData("\x7f\xff\x60\x00" + "\x00".repeat(600));
        await until(() => t.results.length > n, "result");
        assert.equal(t.engine.n[N_RX_ERROR], E_FRAME_LENGTH);
        assert.equal(t.results[n].outcome, OUT_NO_RESPONSE);
        assertConsistent(t);
      } finally {
        Uint8Array.prototype.set = set;
      }
    });

    it("connection dropped mid-reply: no response, reversal", async () => {
      host.inject({ fault: "drop-mid-reply", match: { mti: "0200" } });
      const before = host.ledger.balanceOf("mag-debit");
      const r = await t.sale(MAG_DEBIT, 450);
      assert.equal(r.outcome, OUT_NO_RESPONSE);
      assert.equal(r.reversalPending, false);
      assert.equal(host.ledger.balanceOf("mag-debit"), before);
      assertConsistent(t);
    });

    it("an oversize frame is refused: no response, reversal", async () => {
      host.inject({ fault: "no-reply", match: { mti: "0200" } });
      const before = host.ledger.balanceOf("mag-debit");
      const n = t.results.length;
      const card = swiped(MAG_DEBIT);
      assert.ok(t.engine.sale(460, card, t.pinFor(card, MAG_DEBIT.pin)));
      await hostGot("0200", 0);
      t.engine.onLinkData("\x7f\xff\x60\x00");
      await until(() => t.results.length > n, "result");
      assert.equal(t.engine.n[N_RX_ERROR], E_FRAME_LENGTH);
      assert.equal(t.results[n].outcome, OUT_NO_RESPONSE);
      assert.equal(host.ledger.balanceOf("mag-debit"), before);
      assertConsistent(t);
    });

    it("host refuses the connection: no response, nothing sent, nothing pending", async () => {
      await host.setAccepting(false);
      const stan = t.stores.counters.stan;
      const r = await t.sale(MAG_DEBIT, 100);
      assert.equal(r.outcome, OUT_NO_RESPONSE);
      assert.equal(r.reversalPending, false);
      assert.equal(t.stores.counters.stan, stan, "no trace used");
      await host.setAccepting(true);
      assert.equal((await t.sale(MAG_DEBIT, 100)).outcome, OUT_APPROVED);
    });

    it("connect timeout: no response", async () => {
      const n = t.results.length;
      t.link.alive = () => false; // the connect never completes
      const card = swiped(noPin);
      assert.ok(t.engine.sale(100, card, null));
      t.advance(t.config.connectMs + 1);
      await until(() => t.results.length > n, "result");
      assert.equal(t.results[n].outcome, OUT_NO_RESPONSE);
      assert.equal(t.stores.reversals.isPending, false);
    });

    it("cancel before send: aborted, no request, no trace used", async () => {
      const stan = t.stores.counters.stan;
      const since = lastSeq(host);
      const n = t.results.length;
      const card = swiped(MAG_DEBIT);
      assert.ok(t.engine.sale(100, card, t.pinFor(card, MAG_DEBIT.pin)));
      t.engine.cancel();
      assert.equal(t.results.length, n + 1);
      assert.equal(t.results[n].outcome, OUT_ABORTED);
      assert.equal(t.results[n].msgId, M.MSG_OUT_ABORTED);
      assert.equal(t.engine.busy(), false);
      await new Promise((res) => setTimeout(res, 20));
      assert.equal(received(host, "0200", since).length, 0);
      assert.equal(t.stores.counters.stan, stan);
      assert.equal(t.stores.reversals.isPending, false);
    });

    it("cancel after send, host approves: reversal 06 at once", async () => {
      host.inject({ fault: "late-reply", match: { mti: "0200" }, delayMs: 50 });
      const before = host.ledger.balanceOf("mag-debit");
      const n = t.results.length;
      const card = swiped(MAG_DEBIT);
      assert.ok(t.engine.sale(1500, card, t.pinFor(card, MAG_DEBIT.pin)));
      await hostGot("0200", 0);
      t.engine.cancel();
      await until(() => t.results.length > n, "result");
      const r = t.results[n];
      assert.equal(r.outcome, OUT_ABORTED);
      assert.equal(r.rc, "00");
      assert.equal(r.reversalPending, false);
      assert.equal(received(host, "0400")[0].code, "06");
      assert.equal(t.entry(r.stan)!.status, J_REVERSED);
      assert.equal(host.ledger.balanceOf("mag-debit"), before);
      assertConsistent(t);
    });

    it("busy: a second command is refused while one runs, the first completes", async () => {
      const card = swiped(MAG_DEBIT);
      const n = t.results.length;
      assert.ok(t.engine.sale(111, card, t.pinFor(card, MAG_DEBIT.pin)));
      assert.equal(t.engine.sale(222, card, null), false);
      assert.equal(t.engine.result.outcome, OUT_BUSY);
      assert.equal(t.engine.settle(), false);
      await until(() => t.results.length > n, "result");
      assert.equal(t.results[n].outcome, OUT_APPROVED);
      assert.equal(t.results[n].amount, 111);
    });

    it("host asks to sign in again (header digit 3): approved, then the next transaction signs in first", async () => {
      host.inject({ fault: "sign-in-again", match: { mti: "0200" } });
      const r = await t.sale(MAG_DEBIT, 500);
      assert.equal(r.outcome, OUT_APPROVED);
      assert.equal(t.engine.signedIn(), false);
      const since = lastSeq(host);
      assert.equal((await t.sale(noPin, 600, null)).outcome, OUT_APPROVED);
      assert.deepEqual(received(host, "0800", since).length, 1);
      assert.ok(received(host, "0800", since)[0].seq < received(host, "0200", since)[0].seq);
      assertConsistent(t);
    });

    it("77 batch mismatch: declined with SIGN_IN_AGAIN; sign-in adopts the host batch and the sale goes", async () => {
      host.ledger.setCurrentBatch(DEFAULT_TERMINAL_ID, "000005");
      const r = await t.sale(MAG_DEBIT, 500);
      assert.equal(r.outcome, OUT_DECLINED);
      assert.equal(r.rc, "77");
      assert.equal(r.cls, CLS_SIGN_IN_AGAIN);
      assert.equal(r.msgId, M.MSG_RC_77);
      assert.equal(r.reversalPending, false);
      assert.equal(t.engine.signedIn(), false);
      const s = await t.signIn();
      assert.equal(s.batch, 5);
      const ok = await t.sale(MAG_DEBIT, 500);
      assert.equal(ok.outcome, OUT_APPROVED);
      assert.equal(ok.batch, 5);
      assertConsistent(t);
    });

    it("journal full: refused at once with OUT_JOURNAL_FULL; settling makes room", async () => {
      t = new Terminal(host, { stores: { journal: { capacity: 2 } } });
      await t.signIn();
      assert.equal((await t.sale(MAG_DEBIT, 100)).outcome, OUT_APPROVED);
      assert.equal((await t.sale(MAG_DEBIT, 200)).outcome, OUT_APPROVED);
      const since = lastSeq(host);
      const card = swiped(MAG_DEBIT);
      assert.equal(t.engine.sale(300, card, t.pinFor(card, MAG_DEBIT.pin)), false);
      assert.equal(t.engine.result.outcome, OUT_JOURNAL_FULL);
      assert.equal(t.engine.result.msgId, M.MSG_OUT_JOURNAL_FULL);
      assert.equal(received(host, "0200", since).length, 0);
      assert.equal((await t.run(() => t.engine.settle(), "settle")).outcome, OUT_SETTLED);
      assert.equal((await t.sale(MAG_DEBIT, 300)).outcome, OUT_APPROVED);
      assertConsistent(t);
    });
  });

  describe("chip", () => {
    beforeEach(async () => {
      await t.signIn();
    });

    it("approved chip sale waits for complete(): then final, reversal cleared", async () => {
      const card = chip(CHIP_DEBIT);
      const n = t.results.length;
      assert.ok(t.engine.sale(2500, card, t.pinFor(card, CHIP_DEBIT.pin)));
      await until(() => t.rec.stages[t.rec.stages.length - 1] === STAGE_COMPLETING, "completing");
      assert.equal(t.results.length, n, "no result before completion");
      assert.equal(t.engine.busy(), true);
      assert.equal(t.engine.result.outcome, OUT_APPROVED);
      assert.equal(t.stores.reversals.isPending, true, "reversal kept until complete()");
      const req = received(host, "0200")[0];
      for (const f of [14, 23, 35, 55]) assert.ok(req.fields!.indexOf(f) >= 0, "chip request carries " + f);
      // the reversal image packed with the request: MTI 0400, every field of the 0200 as sent
      // but the sensitive ones and the MAC, byte for byte; no 39 (the rebuild sets the reason)
      const sent = new Message(createUnionPayTable(), 512);
      const frame = t.link.sent[t.link.sent.length - 1];
      assert.equal(unpack(new Uint8Array(frame), frame.length, sent), ISO_OK);
      assert.equal(sent.mti, 200);
      const stored = new Uint8Array(512);
      const image = new Message(createUnionPayTable(), 512);
      assert.equal(unpack(stored, t.stores.reversals.loadMessage(stored), image), ISO_OK);
      assert.equal(image.mti, 400);
      const kept: number[] = [];
      for (let f = 2; f <= 64; f++) if (sent.has(f) && [2, 14, 26, 35, 36, 52, 53, 55, 64].indexOf(f) < 0) kept.push(f);
      for (let f = 2; f <= 128; f++) assert.equal(image.has(f), kept.indexOf(f) >= 0, "field " + f + " in the image");
      for (const f of kept) assert.deepEqual(image.src.subarray(image.off[f], image.off[f] + image.bodyBytes(f)), sent.src.subarray(sent.off[f], sent.off[f] + sent.bodyBytes(f)), "field " + f);
      assert.deepEqual(image.head, sent.head);
      assert.ok(kept.indexOf(11) >= 0 && kept.indexOf(4) >= 0 && kept.indexOf(60) >= 0);
      t.engine.complete();
      assert.equal(t.results.length, n + 1);
      const r = t.results[n];
      assert.equal(r.outcome, OUT_APPROVED);
      assert.equal(r.entryMode, 51);
      assert.equal(r.reversalPending, false);
      assert.equal(t.entry(r.stan)!.status, J_APPROVED);
      assertConsistent(t);
    });

    it("card removed after approval, before complete(): reversal 06, host restores the balance", async () => {
      const before = host.ledger.balanceOf("chip-debit");
      const card = chip(CHIP_DEBIT);
      const n = t.results.length;
      assert.ok(t.engine.sale(2600, card, t.pinFor(card, CHIP_DEBIT.pin)));
      await until(() => t.rec.stages[t.rec.stages.length - 1] === STAGE_COMPLETING, "completing");
      assert.equal(host.ledger.balanceOf("chip-debit"), before - 2600);
      t.engine.cardRemoved();
      await until(() => t.results.length > n, "result");
      const r = t.results[n];
      assert.equal(r.outcome, OUT_CARD_REMOVED);
      assert.equal(r.msgId, M.MSG_OUT_CARD_REMOVED);
      assert.equal(r.reversalPending, false);
      const rv = received(host, "0400")[0];
      assert.equal(rv.code, "06");
      assert.equal(rv.stan, String(r.stan).padStart(6, "0"), "original STAN");
      for (const f of [2, 14, 35, 52, 55]) assert.ok(rv.fields!.indexOf(f) < 0, "0400 carries field " + f);
      assert.equal(t.entry(r.stan)!.status, J_REVERSED);
      assert.equal(host.ledger.balanceOf("chip-debit"), before);
      assertConsistent(t);
    });

    it("card removed before the request left: aborted, nothing sent", async () => {
      const card = chip(CHIP_DEBIT);
      const n = t.results.length;
      assert.ok(t.engine.sale(100, card, null));
      t.engine.cardRemoved();
      assert.equal(t.results[n].outcome, OUT_CARD_REMOVED);
      assert.equal(t.results[n].reversalPending, false);
      await new Promise((res) => setTimeout(res, 20));
      assert.equal(received(host, "0200").length, 0);
    });
  });

  describe("reversal retries", () => {
    it("not acknowledged 3 times: manual-handling list, failed-reversal slip, then transactions go on", async () => {
      await t.signIn();
      host.inject({ fault: "no-reply", match: { mti: "0200" } });
      host.inject({ fault: "reversal-not-acked", times: 3 });
      const before = host.ledger.balanceOf("mag-debit");
      const n = t.results.length;
      const card = swiped(MAG_DEBIT);
      assert.ok(t.engine.sale(7700, card, t.pinFor(card, MAG_DEBIT.pin)));
      await hostGot("0200", 0);
      const stan = t.stores.reversals.pending.stan;
      t.advance(REPLY_MS + 1);
      await until(() => t.results.length > n, "sale result");
      assert.equal(t.results[n].outcome, OUT_NO_RESPONSE);
      assert.equal(t.results[n].reversalPending, true);
      assert.equal(t.stores.reversals.pending.tries, 1);
      const r2 = await t.run(() => t.engine.sendReversal(), "second try");
      assert.equal(r2.outcome, OUT_REVERSAL_PENDING);
      assert.equal(r2.rc, "96");
      assert.equal(t.stores.reversals.pending.tries, 2);
      const r3 = await t.run(() => t.engine.sendReversal(), "third try");
      assert.equal(r3.outcome, OUT_REVERSAL_FAILED);
      assert.equal(r3.msgId, M.MSG_REVERSAL_FAILED);
      assert.equal(r3.reversalPending, false);
      assert.equal(r3.slipReady, true);
      assert.equal(r3.slipStan, stan);
      assert.equal(r3.slipAmount, 7700);
      assert.equal(r3.slipType, TXN_SALE);
      assert.equal(r3.slipPan, "622202******9873");
      assert.equal(r3.slipReason, "98");
      assert.ok(r3.slipDateTime > 0);
      const manual = t.manual();
      assert.equal(manual.length, 1);
      assert.equal(manual[0].stan, stan);
      assert.equal(received(host, "0400").length, 3);
      assert.ok(received(host, "0400").every((e) => e.stan === String(stan).padStart(6, "0")));
      assert.equal(host.ledger.balanceOf("mag-debit"), before - 7700, "still debited: for the acquirer to settle by hand");
      assertConsistent(t);
      // nothing pending any more: the next sale goes straight out
      const since = lastSeq(host);
      assert.equal(t.engine.sendReversal(), false);
      assert.equal(t.engine.result.outcome, OUT_NOT_FOUND);
      assert.equal((await t.sale(MAG_DEBIT, 100)).outcome, OUT_APPROVED);
      assert.equal(received(host, "0400", since).length, 0);
      assertConsistent(t);
    });

    it("retries run out during a sale: the slip comes with the sale's result and the sale proceeds", async () => {
      t = new Terminal(host, { stores: { reversals: { retryLimit: 2 } } });
      await t.signIn();
      host.inject({ fault: "no-reply", match: { mti: "0200" } });
      host.inject({ fault: "reversal-not-acked", times: 2 });
      const n = t.results.length;
      const card = swiped(MAG_DEBIT);
      assert.ok(t.engine.sale(1800, card, t.pinFor(card, MAG_DEBIT.pin)));
      await hostGot("0200", 0);
      const stan = t.stores.reversals.pending.stan;
      t.advance(REPLY_MS + 1);
      await until(() => t.results.length > n, "sale result");
      assert.equal(t.results[n].reversalPending, true);
      const s = await t.sale(MAG_DEBIT, 900);
      assert.equal(s.outcome, OUT_APPROVED);
      assert.equal(s.slipReady, true);
      assert.equal(s.slipStan, stan);
      assert.equal(s.reversalPending, false);
      assert.equal(t.manual().length, 1);
      assertConsistent(t);
    });

    it("while retries remain and the reversal fails, the new sale is NOT sent", async () => {
      await t.signIn();
      host.inject({ fault: "no-reply", match: { mti: "0200" } });
      host.inject({ fault: "reversal-not-acked", times: 2 });
      const n = t.results.length;
      const card = swiped(MAG_DEBIT);
      assert.ok(t.engine.sale(1900, card, t.pinFor(card, MAG_DEBIT.pin)));
      await hostGot("0200", 0);
      t.advance(REPLY_MS + 1);
      await until(() => t.results.length > n, "sale result");
      const since = lastSeq(host);
      const s = await t.sale(MAG_DEBIT, 100);
      assert.equal(s.outcome, OUT_REVERSAL_PENDING);
      assert.equal(s.msgId, M.MSG_OUT_REVERSAL_PENDING);
      assert.equal(received(host, "0200", since).length, 0);
      assert.equal(received(host, "0400", since).length, 1);
      // the third try is acknowledged: reversed, then the sale goes
      const ok = await t.sale(MAG_DEBIT, 100);
      assert.equal(ok.outcome, OUT_APPROVED);
      assertConsistent(t);
    });

    it("operator retry acknowledged: OUT_REVERSED", async () => {
      await t.signIn();
      host.inject({ fault: "wrong-mac", match: { mti: "0200" } });
      const before = host.ledger.balanceOf("mag-debit");
      assert.equal((await t.sale(MAG_DEBIT, 1000)).outcome, OUT_MAC_FAILED);
      const r = await t.run(() => t.engine.sendReversal(), "reversal");
      assert.equal(r.outcome, OUT_REVERSED);
      assert.equal(r.msgId, M.MSG_OUT_REVERSED);
      assert.equal(r.rc, "00");
      assert.equal(r.amount, 1000);
      assert.equal(host.ledger.balanceOf("mag-debit"), before);
      assertConsistent(t);
    });
  });

  describe("power cut", () => {
    it("after the request left and before the reply: the reversal goes out after reboot", async () => {
      await t.signIn();
      const flash = t.flash;
      const before = host.ledger.balanceOf("mag-debit");
      t.link.alive = () => !flash.poweredOff;
      t.link.afterSend = (frame) => {
        if (frame[13] === 0x02 && frame[14] === 0x00) flash.cutAfterBytes(0); // the 0200 left: power gone
      };
      const card = swiped(MAG_DEBIT);
      assert.ok(t.engine.sale(4200, card, t.pinFor(card, MAG_DEBIT.pin)));
      await until(() => host.log.some((e) => e.direction === "out" && e.mti === "0210"), "host approved");
      assert.equal(host.ledger.balanceOf("mag-debit"), before - 4200);
      t.link.close();
      // reboot: new objects over the same flash
      flash.powerOn();
      const t2 = new Terminal(host, { flash: flash });
      assert.equal(t2.stores.reversals.isPending, true);
      const stan = t2.stores.reversals.pending.stan;
      assert.equal(t2.engine.signedIn(), false, "keys are not kept across a reboot");
      const since = lastSeq(host);
      const s = await t2.sale(noPin, 100, null);
      assert.equal(s.outcome, OUT_APPROVED);
      assert.ok(s.stan > stan, "STAN not reused after the reboot");
      const order = host.log.filter((e) => e.direction === "in" && e.seq > since).map((e) => e.mti + (e.code ? ":" + e.code : ""));
      assert.deepEqual(order, ["0800", "0400:98", "0200"]);
      assert.equal(host.ledger.balanceOf("mag-debit"), before);
      assertConsistent(t2);
      t2.link.close();
    });

    it("cut at every byte written after the approval (journal entry, reversal cleared): journal and host agree after reboot", async () => {
      const cuts: number[] = [];
      for (let b = 1; b <= 112; b++) cuts.push(b);
      const seen = { reversed: 0, standing: 0 };
      for (const cutAt of cuts.concat([128, 160, 200])) {
        await host.close();
        host = await startHost();
        t = new Terminal(host);
        await t.signIn();
        const flash = t.flash;
        const before = host.ledger.balanceOf("mag-debit");
        t.link.alive = () => !flash.poweredOff;
        t.link.beforeData = () => flash.cutAfterBytes(cutAt);
        const card = swiped(MAG_DEBIT);
        const n = t.results.length;
        assert.ok(t.engine.sale(4300, card, t.pinFor(card, MAG_DEBIT.pin)));
        await until(() => flash.poweredOff || t.results.length > n, "cut or result");
        t.link.close();
        flash.powerOn();
        const t2 = new Terminal(host, { flash: flash });
        const s = await t2.sale(noPin, 100, null);
        assert.equal(s.outcome, OUT_APPROVED, "cut at " + cutAt);
        assertConsistent(t2);
        const standing = host.ledger.snapshot().transactions.some((x) => x.amount === 4300 && x.status === "approved");
        if (standing) seen.standing++;
        else seen.reversed++;
        assert.equal(host.ledger.balanceOf("mag-debit"), before - (standing ? 4300 : 0), "cut at " + cutAt);
        t2.link.close();
      }
      // both sides of the "journal entry, THEN reversal cleared" order were hit
      assert.ok(seen.reversed > 0 && seen.standing > 0, JSON.stringify(seen));
    });
  });

  describe("void, refund, balance", () => {
    beforeEach(async () => {
      await t.signIn();
    });

    it("void: host puts the money back, the sale becomes VOIDED, refused twice", async () => {
      const before = host.ledger.balanceOf("mag-debit");
      const s = await t.sale(MAG_DEBIT, 2222);
      const card = swiped(MAG_DEBIT);
      const v = await t.run(() => t.engine.voidSale(s.stan, card, null), "void");
      assert.equal(v.outcome, OUT_APPROVED);
      assert.equal(v.type, TXN_VOID);
      assert.equal(v.amount, 2222);
      assert.equal(host.ledger.balanceOf("mag-debit"), before);
      assert.equal(t.entry(s.stan)!.status, J_VOIDED);
      const ve = t.entry(v.stan)!;
      assert.equal(ve.type, J_VOID);
      assert.equal(ve.origStan, s.stan);
      assert.equal(ve.status, J_APPROVED);
      const req = received(host, "0200").filter((e) => e.proc === "200000")[0];
      assert.ok(req.fields!.indexOf(61) >= 0 && req.fields!.indexOf(37) >= 0);
      assert.equal(t.engine.voidSale(s.stan, card, null), false);
      assert.equal(t.engine.result.outcome, OUT_NOT_FOUND);
      assert.equal(t.engine.voidSale(999999), false);
      assert.equal(t.engine.result.outcome, OUT_NOT_FOUND);
      assertConsistent(t);
    });

    it("void with no reply: reversed at once, the sale stays approved", async () => {
      const s = await t.sale(MAG_DEBIT, 1111);
      const before = host.ledger.balanceOf("mag-debit");
      host.inject({ fault: "no-reply", match: { mti: "0200", proc: "200000" } });
      const n = t.results.length;
      assert.ok(t.engine.voidSale(s.stan, swiped(MAG_DEBIT), null));
      await until(() => received(host, "0200").some((e) => e.proc === "200000"), "void sent");
      t.advance(REPLY_MS + 1);
      await until(() => t.results.length > n, "result");
      assert.equal(t.results[n].outcome, OUT_NO_RESPONSE);
      assert.equal(t.results[n].reversalPending, false);
      assert.equal(host.ledger.balanceOf("mag-debit"), before, "void undone at the host");
      assert.equal(t.entry(s.stan)!.status, J_APPROVED);
      assertConsistent(t);
    });

    it("refund: 0220, credited, journaled, not reversible", async () => {
      const s = await t.sale(MAG_DEBIT, 5000);
      const before = host.ledger.balanceOf("mag-debit");
      const rrn = Buffer.from(s.rrn, "latin1");
      const mmdd = Math.floor(s.dateTime / 1000000) % 10000;
      const r = await t.run(() => t.engine.refund(1200, swiped(MAG_DEBIT), rrn, mmdd), "refund");
      assert.equal(r.outcome, OUT_APPROVED);
      assert.equal(r.type, TXN_REFUND);
      assert.equal(host.ledger.balanceOf("mag-debit"), before + 1200);
      assert.equal(t.entry(r.stan)!.type, J_REFUND);
      assert.equal(received(host, "0220").length, 1);
      // no reply to a refund: nothing to reverse
      host.inject({ fault: "no-reply", match: { mti: "0220" } });
      const n = t.results.length;
      assert.ok(t.engine.refund(300, swiped(MAG_DEBIT), rrn, mmdd));
      await hostGot("0220", 0, 2);
      t.advance(REPLY_MS + 1);
      await until(() => t.results.length > n, "result");
      assert.equal(t.results[n].outcome, OUT_NO_RESPONSE);
      assert.equal(t.results[n].reversalPending, false);
      assert.equal(received(host, "0400").length, 0);
      assertConsistent(t, { allowUnknownCredits: true });
    });

    it("balance inquiry: the host's available balance, nothing journaled", async () => {
      const card = swiped(MAG_DEBIT);
      const count = journalCount(t.stores.journal);
      const r = await t.run(() => t.engine.balance(card, t.pinFor(card, MAG_DEBIT.pin)), "balance");
      assert.equal(r.outcome, OUT_APPROVED);
      assert.equal(r.balance, host.ledger.balanceOf("mag-debit"));
      assert.equal(journalCount(t.stores.journal), count);
      assert.equal(received(host, "0200")[0].proc, "310000");
    });
  });

  describe("settlement", () => {
    beforeEach(async () => {
      await t.signIn();
    });

    it("balanced: totals as the host counts them, batch closed, batch number advances", async () => {
      const a = await t.sale(MAG_DEBIT, 1000);
      await t.sale(MAG_DEBIT, 2000);
      await t.sale(HOST_CARDS.lowBalance, 5000); // declined: counts nowhere
      await t.run(() => t.engine.voidSale(a.stan, swiped(MAG_DEBIT), null), "void");
      const sale3 = await t.sale(MAG_DEBIT, 3000);
      await t.run(() => t.engine.refund(500, swiped(MAG_DEBIT), Buffer.from(sale3.rrn, "latin1"), 1231), "refund");
      const r = await t.run(() => t.engine.settle(), "settle");
      assert.equal(r.outcome, OUT_SETTLED);
      assert.equal(r.msgId, M.MSG_OUT_SETTLED);
      assert.equal(r.uploaded, false);
      assert.equal(r.batch, 1);
      assert.deepEqual([r.debitTotal, r.debitCount, r.creditTotal, r.creditCount], [6000, 3, 1500, 2]);
      const rec = host.ledger.batchRecord(DEFAULT_TERMINAL_ID, "000001")!;
      assert.equal(rec.balanced, true);
      assert.equal(t.stores.counters.batch, 2);
      assert.equal(journalCount(t.stores.journal), 0);
      assert.equal(t.stores.counters.settleStep, 0);
      const s = await t.sale(MAG_DEBIT, 100);
      assert.equal(s.outcome, OUT_APPROVED);
      assert.equal(s.batch, 2);
    });

    it("not balanced: batch upload (8 per 0320), closing 0320, then closed and advanced", async () => {
      for (let i = 0; i < 9; i++) assert.equal((await t.sale(MAG_DEBIT, 100 + i)).outcome, OUT_APPROVED);
      // a refund the terminal never hears back about: the host counts a credit the terminal does not
      const last = t.results[t.results.length - 1];
      host.inject({ fault: "no-reply", match: { mti: "0220" } });
      const n = t.results.length;
      assert.ok(t.engine.refund(50, swiped(MAG_DEBIT), Buffer.from(last.rrn, "latin1"), 1231));
      await hostGot("0220", 0);
      t.advance(REPLY_MS + 1);
      await until(() => t.results.length > n, "refund result");
      const since = lastSeq(host);
      const r = await t.run(() => t.engine.settle(), "settle");
      assert.equal(r.outcome, OUT_SETTLED);
      assert.equal(r.uploaded, true);
      assert.deepEqual([r.debitCount, r.creditCount], [9, 0]);
      const uploads = received(host, "0320", since);
      assert.equal(uploads.length, 3, "two uploads and the closing message");
      assert.ok(t.rec.stages.indexOf(STAGE_UPLOADING) >= 0);
      const rec = host.ledger.batchRecord(DEFAULT_TERMINAL_ID, "000001")!;
      assert.equal(rec.balanced, false);
      assert.equal(rec.state, "closed");
      assert.equal(rec.closingCount, 9);
      assert.equal(rec.uploaded.length, 9);
      assert.deepEqual(
        rec.uploaded.map((u) => u.stan + ":" + u.amount + ":" + u.panMasked.slice(0, 6) + u.panMasked.slice(-4)),
        t.results.slice(1, 10).map((x) => String(x.stan).padStart(6, "0") + ":" + x.amount + ":6222029873"),
      );
      assert.equal(t.stores.counters.batch, 2);
      assert.equal((await t.sale(MAG_DEBIT, 100)).outcome, OUT_APPROVED, "new batch accepted by the host");
    });

    it("power cut during the batch upload: after reboot sales wait, settle() resumes the upload (no new 0500)", async () => {
      for (let i = 0; i < 9; i++) assert.equal((await t.sale(MAG_DEBIT, 200 + i)).outcome, OUT_APPROVED);
      const last = t.results[t.results.length - 1];
      host.inject({ fault: "no-reply", match: { mti: "0220" } });
      const n = t.results.length;
      assert.ok(t.engine.refund(60, swiped(MAG_DEBIT), Buffer.from(last.rrn, "latin1"), 1231));
      await hostGot("0220", 0);
      t.advance(REPLY_MS + 1);
      await until(() => t.results.length > n, "refund result");
      const flash = t.flash;
      let uploads = 0;
      t.link.alive = () => !flash.poweredOff;
      t.link.afterSend = (frame) => {
        if (frame[13] === 0x03 && frame[14] === 0x20 && ++uploads === 2) flash.cutAfterBytes(0);
      };
      assert.ok(t.engine.settle());
      await until(() => host.log.filter((e) => e.direction === "out" && e.mti === "0330").length === 2, "two uploads answered");
      t.link.close();
      flash.powerOn();
      const t2 = new Terminal(host, { flash: flash });
      assert.equal(t2.stores.counters.settleStep, SETTLE_UPLOADING);
      assert.equal(t2.stores.counters.batch, 1);
      const card = swiped(noPin);
      assert.equal(t2.engine.sale(100, card, null), false, "no sale while the batch is being settled");
      assert.equal(t2.engine.result.msgId, M.MSG_ACT_SETTLE_FIRST);
      const since = lastSeq(host);
      const r = await t2.run(() => t2.engine.settle(), "resumed settlement");
      assert.equal(r.outcome, OUT_SETTLED);
      assert.equal(r.uploaded, true);
      assert.equal(r.batch, 1);
      assert.deepEqual(host.log.filter((e) => e.direction === "in" && e.seq > since).map((e) => e.mti), ["0800", "0320", "0320"]);
      const rec = host.ledger.batchRecord(DEFAULT_TERMINAL_ID, "000001")!;
      assert.equal(rec.state, "closed");
      assert.equal(rec.closingCount, 9);
      assert.equal(t2.stores.counters.batch, 2);
      assert.equal((await t2.sale(noPin, 100, null)).outcome, OUT_APPROVED);
      assert.equal(received(host, "0200").pop()!.batch, "000002");
      t2.link.close();
    });

    it("a pending reversal goes before the settlement", async () => {
      host.inject({ fault: "wrong-mac", match: { mti: "0200" } });
      await t.sale(MAG_DEBIT, 700);
      const since = lastSeq(host);
      const r = await t.run(() => t.engine.settle(), "settle");
      assert.equal(r.outcome, OUT_SETTLED);
      const order = host.log.filter((e) => e.direction === "in" && e.seq > since).map((e) => e.mti);
      assert.deepEqual(order, ["0800", "0400", "0500"]);
      assertConsistent(t);
    });
  });
});
