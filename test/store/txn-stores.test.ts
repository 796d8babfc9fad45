import { strict as assert } from "node:assert";
import { FlashStorage } from "../../hil/virtual/flash-storage";
import { recordBytes } from "../../firmware/txn/store/record-log";
import { TxnStores, TxnStoresOptions } from "../../firmware/txn/store/txn-stores";
import { BatchTotals, J_APPROVED, J_REVERSED, J_VOIDED, JournalEntry, journalTotals, TXN_VOID } from "../../firmware/txn/store/journal";
import { RQ_DONE, RQ_SEND } from "../../firmware/txn/store/reversal-queue";
import {
  STORE_ERR_JOURNAL_FULL,
  STORE_ERR_NO_SPACE,
  STORE_ERR_REVERSAL_PENDING,
  STORE_OK,
  storeErrorName,
} from "../../firmware/txn/store/codes";
import { build0400, entryFor, slipFor, TEST_PAN } from "./helpers";

const OPTS: TxnStoresOptions = { journal: { capacity: 60 } };

function open(flash: FlashStorage, o = OPTS): TxnStores {
  const s = new TxnStores(flash, o);
  assert.equal(s.open(), STORE_OK);
  return s;
}

/** begin + persist; the STAN, or 0 with the reason in s.lastError / s.reversals.lastError. */
function start(s: TxnStores, amount: number): number {
  const stan = s.begin();
  if (!stan) return 0;
  const f = build0400({ stan, amount, pan: TEST_PAN });
  if (!s.reversals.persist(f, f.length, 13, slipFor(stan, amount))) {
    s.lastError = s.reversals.lastError;
    return 0;
  }
  return stan;
}

describe("TxnStores: the write order of a transaction", () => {
  it("refuses a new transaction while a reversal is pending, and when the journal is full", () => {
    const flash = new FlashStorage({ bytes: 64 * 1024 });
    const s = open(flash, { journal: { capacity: 2 } });
    const a = start(s, 100);
    assert.equal(s.begin(), 0);
    assert.equal(s.lastError, STORE_ERR_REVERSAL_PENDING);
    assert.equal(s.complete(entryFor(a, 100)), true);
    const b = start(s, 200);
    s.complete(entryFor(b, 200));
    assert.equal(s.begin(), 0);
    assert.equal(s.lastError, STORE_ERR_JOURNAL_FULL);
    assert.equal(storeErrorName(s.lastError), "journal full, settle first");
  });

  it("full flash: the transaction is refused before anything is sent, and nothing stored is lost", () => {
    const flash = new FlashStorage({ bytes: 32 * 1024 });
    let s = open(flash);
    // room for a few log compactions: their old files pile up as Storage trash
    flash.write("junk", "J".repeat(flash.getFree() - 5000));
    const done: number[] = [];
    for (let i = 0; i < 60; i++) {
      const stan = start(s, 1000 + i);
      if (!stan) break;
      assert.equal(s.complete(entryFor(stan, 1000 + i)), true, "once sent, the completion writes never run out of room");
      done.push(stan);
    }
    assert.ok(done.length > 0 && done.length < 60);
    assert.ok(flash.getStats().trashBytes > 0);
    assert.equal(s.lastError, STORE_ERR_NO_SPACE, storeErrorName(s.lastError));
    assert.equal(s.reversals.isPending, false, "no reversal stored: the request is not sent");
    s = open(flash);
    const t = new BatchTotals();
    journalTotals(s.journal, t);
    assert.equal(t.debitCount, done.length);
    assert.equal(s.counters.stan >= done[done.length - 1], true);
    // at a quiet moment Storage is compacted and the terminal goes on
    assert.equal(s.compactIfIdle(), true);
    assert.ok(start(s, 5) > 0);
  });

  it("compactIfIdle does nothing while a reversal is pending or flash is plentiful", () => {
    const flash = new FlashStorage({ bytes: 64 * 1024 });
    const s = open(flash);
    assert.equal(s.compactIfIdle(), false);
    flash.write("junk", "J".repeat(flash.getFree() - 1000));
    start(s, 1);
    assert.equal(s.compactIfIdle(), false);
    assert.equal(flash.compactions, 0);
  });

  it("a void marks its original VOIDED; a void that gets reversed puts the original back", () => {
    const flash = new FlashStorage({ bytes: 64 * 1024 });
    const s = open(flash);
    const sale = start(s, 700);
    s.complete(entryFor(sale, 700));
    const v = start(s, 700);
    const e = entryFor(v, 700, TXN_VOID);
    e.origStan = sale;
    // power fails after the two journal writes, before the reversal is cleared
    flash.cutAfterBytes(2 * recordBytes(57));
    assert.equal(s.complete(e), false);
    flash.powerOn();
    const r = open(flash);
    assert.equal(r.journal.statusOfStan(sale), J_VOIDED);
    assert.equal(r.reversals.pending.stan, v, "the void is reversed: it did not complete");
    assert.equal(r.reversalAttempt(), RQ_SEND);
    assert.equal(r.reversalAck(0x3030), RQ_DONE);
    const out = new JournalEntry();
    const b = open(flash);
    assert.equal(b.journal.findByStan(v, out), true);
    assert.equal(out.status, J_REVERSED);
    assert.equal(b.journal.statusOfStan(sale), J_APPROVED, "the sale stands again");
    assert.equal(b.reversals.isPending, false);
  });
});
