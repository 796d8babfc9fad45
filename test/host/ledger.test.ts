import { strict as assert } from "node:assert";
import { Ledger, nextBatch, type TxnRequest } from "../../hil/host/ledger";
import { defaultAccounts } from "../../hil/host/cards";
import { MAG_DEBIT } from "../../hil/models/test-cards";

const NOW = new Date("2026-03-15T02:00:00Z");

function req(over: Partial<TxnRequest>): TxnRequest {
  return Object.assign(
    { terminalId: "10000001", merchantId: "898100012340001", batch: "000001", stan: "000001", pan: MAG_DEBIT.pan, amount: 1000, pin: { kind: "clear", pin: "123456" } },
    over,
  ) as TxnRequest;
}

describe("host ledger", () => {
  let l: Ledger;
  beforeEach(() => {
    l = new Ledger({ accounts: defaultAccounts(), now: () => NOW });
  });

  it("refuses bad account definitions", () => {
    assert.throws(() => l.addAccount({ name: "x", pan: "12", expiry: "3012", pin: "1234", balance: 0 }), /13..19 digits/);
    assert.throws(() => l.addAccount({ name: "y", pan: MAG_DEBIT.pan, expiry: "3012", pin: "1234", balance: 0 }), /duplicate/);
    assert.throws(() => l.addAccount({ name: "z", pan: "6222020000000999", expiry: "3012", pin: "1234", balance: 1.5 }), /integer fen/);
  });

  it("a card past its expiry month is declined 54 even with status normal; declineCode overrides", () => {
    l.addAccount({ name: "old", pan: "6222029999999996", expiry: "2602", pin: "1234", balance: 10000 });
    assert.equal(l.sale(req({ pan: "6222029999999996", pin: { kind: "clear", pin: "1234" } })).code, "54");
    l.addAccount({ name: "old33", pan: "6222029999999988", expiry: "2602", pin: "1234", balance: 10000, declineCode: "33" });
    assert.equal(l.sale(req({ pan: "6222029999999988", stan: "000002", pin: { kind: "clear", pin: "1234" } })).code, "33");
  });

  it("an unreadable PIN block counts as a wrong PIN", () => {
    assert.equal(l.sale(req({ pin: { kind: "bad-block" } })).code, "55");
  });

  it("pre-auth completion may exceed the hold by 15% at most (61 beyond)", () => {
    const pa = l.preAuth(req({ amount: 10000 }));
    assert.equal(pa.code, "00");
    assert.equal(l.preAuthComplete(req({ stan: "000002", amount: 11501 }), pa.txn!.authCode).code, "61");
    assert.equal(l.preAuthComplete(req({ stan: "000003", amount: 11500 }), pa.txn!.authCode).code, "00");
    assert.equal(l.balanceOf("mag-debit"), 10000000 - 11500);
  });

  it("reversal of a pre-auth releases the hold; of a completion restores the hold", () => {
    const pa = l.preAuth(req({ amount: 10000 }));
    assert.equal(l.reverse({ terminalId: "10000001", stan: "000001", reason: "98" }).code, "00");
    assert.equal(l.snapshot().accounts[0].held, 0);
    const pa2 = l.preAuth(req({ stan: "000002", amount: 3000 }));
    l.preAuthComplete(req({ stan: "000003", amount: 3000 }), pa2.txn!.authCode);
    assert.equal(l.reverse({ terminalId: "10000001", stan: "000003", reason: "06" }).code, "00");
    const a = l.snapshot().accounts[0];
    assert.deepEqual([a.balance, a.held], [10000000, 3000]);
    void pa;
  });

  it("reversal with a different amount -> 64 and nothing undone", () => {
    l.sale(req({ amount: 5000 }));
    assert.equal(l.reverse({ terminalId: "10000001", stan: "000001", amount: 4000, reason: "98" }).code, "64");
    assert.equal(l.balanceOf("mag-debit"), 10000000 - 5000);
  });

  it("reversal of a sale that was since voided -> 12", () => {
    const s = l.sale(req({ amount: 5000 }));
    assert.equal(l.voidSale(req({ stan: "000002", amount: 5000, pin: { kind: "none" } }), { batch: "000001", stan: "000001", rrn: s.txn!.rrn }).code, "00");
    assert.equal(l.reverse({ terminalId: "10000001", stan: "000001", reason: "98" }).code, "12");
    assert.equal(l.balanceOf("mag-debit"), 10000000);
  });

  it("snapshot is a copy: changing it changes nothing in the ledger", () => {
    l.sale(req({}));
    const s = l.snapshot();
    s.transactions[0].status = "reversed";
    s.accounts[0].balance = 0;
    assert.equal(l.snapshot().transactions[0].status, "approved");
    assert.equal(l.balanceOf("mag-debit"), 10000000 - 1000);
  });

  it("every posting carries terminal, STAN, RRN and auth code, and balances add up", () => {
    l.sale(req({ stan: "000001", amount: 1000 }));
    l.sale(req({ stan: "000002", amount: 2000 }));
    l.reverse({ terminalId: "10000001", stan: "000002", reason: "98" });
    const snap = l.snapshot();
    assert.deepEqual(snap.postings.map((p) => [p.stan, p.delta, p.what]), [["000001", -1000, "sale"], ["000002", -2000, "sale"], ["000002", 2000, "reversal"]]);
    for (const p of snap.postings) assert.ok(p.terminalId && p.rrn && p.authCode);
    const sum = snap.postings.reduce((s, p) => s + p.delta, 0);
    assert.equal(l.balanceOf("mag-debit"), 10000000 + sum);
  });

  it("batch numbers wrap from 999999 to 000001", () => {
    assert.equal(nextBatch("000001"), "000002");
    assert.equal(nextBatch("999999"), "000001");
  });
});
