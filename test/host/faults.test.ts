import { strict as assert } from "node:assert";
import { HostSimulator } from "../../hil/host/server";
import { TestTerminal, Connection, type Exchange } from "../../hil/host/client";
import { decodeBody, processingRequirement, str } from "../../hil/host/codec";
import { FaultPlan } from "../../hil/host/faults";
import { MAG_DEBIT } from "../../hil/models/test-cards";

const NOW = new Date("2026-03-15T02:00:00Z");
const PAN = MAG_DEBIT.pan;
const PIN = "123456";
const START = 10000000;
const rc = (ex: Exchange) => (ex.reply ? str(ex.reply, 39) : ex.error);

describe("host fault injection, seen from the terminal side", () => {
  let host: HostSimulator;
  let t: TestTerminal;

  beforeEach(async () => {
    host = new HostSimulator({ now: () => NOW });
    await host.listen();
    t = new TestTerminal({ port: host.port, timeoutMs: 2000 });
    assert.equal(rc(await t.signIn("004")), "00");
  });

  afterEach(async () => {
    t.close();
    await host.close();
  });

  const sale = (amount = 1000) => t.sale({ pan: PAN, amount: amount, pin: PIN });

  it("no-reply: the host debits but never answers", async () => {
    host.inject({ match: { mti: "0200" }, fault: "no-reply" });
    const ex = await t.exchange(t.saleMessage({ pan: PAN, amount: 1000, pin: PIN }), { timeoutMs: 300 });
    assert.equal(ex.error, "timeout");
    assert.equal(ex.bodies.length, 0);
    assert.equal(host.ledger.balanceOf("mag-debit"), START - 1000, "request processed, reply lost");
    assert.equal(rc(await sale()), "00", "fault used up");
  });

  it("no-reply with process:false: the request is lost before the ledger", async () => {
    host.inject({ fault: "no-reply", process: false });
    const ex = await t.exchange(t.saleMessage({ pan: PAN, amount: 1000, pin: PIN }), { timeoutMs: 300 });
    assert.equal(ex.error, "timeout");
    assert.equal(host.ledger.balanceOf("mag-debit"), START);
  });

  it("late-reply: nothing before the delay, then the reply on the same connection", async () => {
    host.inject({ fault: "late-reply", delayMs: 400 });
    const c = await Connection.open(host.port);
    c.send(t.encode(t.saleMessage({ pan: PAN, amount: 1000, pin: PIN }), true));
    assert.equal(await c.next(100), "timeout");
    const r = await c.next(5000);
    c.close();
    assert.ok(Buffer.isBuffer(r));
    assert.equal(str(decodeBody(r as Buffer).message, 39), "00");
  });

  it("late-reply to a terminal that gave up: no crash, ledger still debited", async () => {
    host.inject({ fault: "late-reply", delayMs: 150 });
    const ex = await t.exchange(t.saleMessage({ pan: PAN, amount: 1000, pin: PIN }), { timeoutMs: 50 });
    assert.equal(ex.error, "timeout");
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(host.ledger.balanceOf("mag-debit"), START - 1000);
    assert.equal(rc(await sale()), "00");
  });

  it("refuse-connection: the connection is reset with nothing read; the next one works", async () => {
    host.inject({ fault: "refuse-connection" });
    // On Linux loopback the reset usually lands before connect() completes (ECONNRESET from
    // connect); otherwise the socket opens and closes with no reply.
    let outcome: string;
    try {
      const ex = await sale();
      assert.equal(ex.bodies.length, 0);
      outcome = String(ex.error);
    } catch (e) {
      outcome = String((e as NodeJS.ErrnoException).code);
    }
    assert.ok(outcome === "ECONNRESET" || outcome === "closed", outcome);
    assert.ok(host.log.some((e) => e.direction === "event" && e.fault === "refuse-connection"));
    assert.equal(host.ledger.balanceOf("mag-debit"), START);
    assert.equal(rc(await sale()), "00");
  });

  it("setAccepting(false): a true ECONNREFUSED; true: back on the same port", async () => {
    const port = host.port;
    await host.setAccepting(false);
    await assert.rejects(Connection.open(port), (e: NodeJS.ErrnoException) => e.code === "ECONNREFUSED");
    await host.setAccepting(true);
    assert.equal(host.port, port);
    assert.equal(rc(await sale()), "00");
  });

  it("drop-mid-reply: part of the frame arrives, then the connection closes", async () => {
    host.inject({ fault: "drop-mid-reply" });
    const c = await Connection.open(host.port);
    c.send(t.encode(t.saleMessage({ pan: PAN, amount: 1000, pin: PIN }), true));
    assert.equal(await c.next(2000), "closed");
    assert.ok(c.partialBytes > 0, "some bytes of the reply arrived");
    c.close();
    assert.equal(host.ledger.balanceOf("mag-debit"), START - 1000);
  });

  it("wrong-mac: an approval whose MAC does not verify", async () => {
    host.inject({ fault: "wrong-mac" });
    const ex = await sale();
    assert.equal(rc(ex), "00");
    assert.equal(ex.macOk, false);
    const ok = await sale();
    assert.equal(ok.macOk, true);
  });

  it("wrong-mac on a reply without MAC (sign-in) adds a bogus field 64", async () => {
    host.inject({ match: { mti: "0800" }, fault: "wrong-mac" });
    const ex = await t.signIn("004");
    assert.ok(ex.reply!.fields[64]);
    assert.equal(ex.macOk, false);
  });

  it("malformed: the reply frame cannot be decoded", async () => {
    host.inject({ fault: "malformed" });
    const ex = await sale();
    assert.equal(ex.bodies.length, 1);
    assert.match(ex.error || "", /truncated/);
    assert.equal(host.ledger.balanceOf("mag-debit"), START - 1000);
  });

  it("wrong-stan: a well-MACed reply for another STAN", async () => {
    host.inject({ fault: "wrong-stan" });
    const ex = await sale();
    assert.equal(ex.macOk, true);
    assert.notEqual(str(ex.reply!, 11), str(ex.request, 11));
    assert.equal(Number(str(ex.reply!, 11)), Number(str(ex.request, 11)) + 1);
  });

  it("wrong-tid: a well-MACed reply for another terminal", async () => {
    host.inject({ fault: "wrong-tid" });
    const ex = await sale();
    assert.equal(ex.macOk, true);
    assert.equal(str(ex.reply!, 41), "99999999");
    assert.notEqual(str(ex.reply!, 41), str(ex.request, 41));
  });

  it("duplicate-reply: the same reply frame twice", async () => {
    host.inject({ fault: "duplicate-reply" });
    const ex = await t.exchange(t.saleMessage({ pan: PAN, amount: 1000, pin: PIN }), { extraMs: 300 });
    assert.equal(ex.bodies.length, 2);
    assert.deepEqual(ex.bodies[0], ex.bodies[1]);
    assert.equal(host.ledger.balanceOf("mag-debit"), START - 1000, "debited once");
  });

  it("reversal-not-acked x3: 96 three times with nothing restored, then 00", async () => {
    const s = await sale(2500);
    host.inject({ fault: "reversal-not-acked", times: 3 });
    for (let i = 0; i < 3; i++) {
      const r = await t.reversal(s.request, "98");
      assert.equal(rc(r), "96");
      assert.equal(r.reply!.mti, "0410");
      assert.equal(host.ledger.balanceOf("mag-debit"), START - 2500);
    }
    assert.equal(rc(await t.reversal(s.request, "98")), "00");
    assert.equal(host.ledger.balanceOf("mag-debit"), START);
    const forced = host.ledger.snapshot().reversals.filter((r) => r.forced);
    assert.equal(forced.length, 3);
  });

  it("reversal-not-acked does not touch non-reversal traffic", async () => {
    host.inject({ fault: "reversal-not-acked" });
    assert.equal(rc(await sale()), "00");
    assert.equal(host.pendingFaults.length, 1);
  });

  it("sign-in-again: processing requirement 3 in the reply header", async () => {
    host.inject({ fault: "sign-in-again" });
    const ex = await sale();
    assert.equal(rc(ex), "00");
    assert.equal(processingRequirement(ex.reply!.header), 3);
    assert.equal(processingRequirement((await sale()).reply!.header), 0);
  });

  it("code: forces a response code without touching the ledger", async () => {
    host.inject({ fault: "code", code: "96" });
    const ex = await sale();
    assert.equal(rc(ex), "96");
    assert.equal(ex.macOk, true);
    assert.equal(host.ledger.balanceOf("mag-debit"), START);
    const last = host.ledger.snapshot().transactions.pop()!;
    assert.deepEqual([last.code, last.status, last.forced], ["96", "declined", true]);
  });

  it("match by MTI, processing code and nth; times; injection order", async () => {
    host.inject({ match: { mti: "0200", proc: "000000", nth: 2 }, fault: "code", code: "98", times: 2 });
    host.inject({ match: { mti: "0200" }, fault: "code", code: "96" });
    assert.equal(rc(await sale()), "96", "first sale: only the second fault is due");
    assert.equal(rc(await sale()), "98", "second matching sale: first fault, injected first, wins");
    assert.equal(rc(await sale()), "98", "times: 2");
    assert.equal(rc(await sale()), "00");
    host.inject({ match: { proc: "310000" }, fault: "code", code: "05" });
    assert.equal(rc(await sale()), "00", "a sale does not match an inquiry fault");
    assert.equal(rc(await t.balance({ pan: PAN, pin: PIN })), "05");
  });

  it("bad fault specs are refused", () => {
    assert.throws(() => host.inject({ fault: "code" }), /needs a 2-character code/);
    assert.throws(() => host.inject({ fault: "nonsense" as never }), /unknown fault/);
    assert.throws(() => host.inject({ fault: "no-reply", times: 0 }), /at least 1/);
  });

  it("the log names the fault on the request and reply", async () => {
    host.inject({ fault: "wrong-stan" });
    await sale();
    const marked = host.log.filter((e) => e.fault === "wrong-stan");
    assert.deepEqual(marked.map((e) => e.direction), ["in", "out"]);
  });

  it("requests pipelined on one connection are each answered", async () => {
    const c = await Connection.open(host.port);
    const a = t.saleMessage({ pan: PAN, amount: 100, pin: PIN });
    const b = t.saleMessage({ pan: PAN, amount: 200, pin: PIN });
    c.send(Buffer.concat([t.encode(a, true), t.encode(b, true)]));
    const r1 = await c.next(2000);
    const r2 = await c.next(2000);
    c.close();
    assert.deepEqual([str(decodeBody(r1 as Buffer).message, 11), str(decodeBody(r2 as Buffer).message, 11)], [str(a, 11), str(b, 11)]);
  });
});

describe("FaultPlan", () => {
  it("refuse-connection never matches a request, and request faults never match a connection", () => {
    const p = new FaultPlan();
    p.add({ fault: "refuse-connection" });
    p.add({ fault: "no-reply" });
    assert.equal(p.forRequest("0200", "000000")!.fault, "no-reply");
    assert.equal(p.forRequest("0200", "000000"), undefined);
    assert.equal(p.forConnection()!.fault, "refuse-connection");
    assert.equal(p.forConnection(), undefined);
  });
});
