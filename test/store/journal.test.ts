import { strict as assert } from "node:assert";
import { FlashStorage } from "../../hil/virtual/flash-storage";
import {
  BatchTotals,
  journalTotals,
  effectiveStatus,
  J_APPROVED,
  J_DECLINED,
  J_REVERSAL_FAILED,
  J_REVERSED,
  J_SETTLED,
  J_VOIDED,
  Journal,
  JournalEntry,
  TXN_PREAUTH,
  TXN_PREAUTH_COMPLETE,
  TXN_REFUND,
  TXN_SALE,
  TXN_VOID,
  journalCount,
} from "../../firmware/txn/store/journal";
import { STORE_ERR_JOURNAL_FULL, STORE_ERR_NO_SPACE, STORE_ERR_NOT_FOUND, STORE_ERR_RANGE, STORE_OK } from "../../firmware/txn/store/codes";
import { contains, entryFor, TEST_PAN } from "./helpers";

function open(flash: FlashStorage, capacity = 20): Journal {
  const j = new Journal(flash, { capacity });
  assert.equal(j.open(), STORE_OK);
  return j;
}

describe("Journal: the batch's transactions on flash", () => {
  it("adds entries, finds them by trace and 'last', and recovers them after a reboot", () => {
    const flash = new FlashStorage({ bytes: 32 * 1024 });
    const j = open(flash);
    const out = new JournalEntry();
    assert.equal(j.findByStan(-1, out), false, "an empty journal has no last entry");
    assert.equal(j.entryAt(0, out), false);
    assert.equal(j.add(entryFor(11, 1000)), true);
    assert.equal(j.add(entryFor(12, 2500)), true);
    for (const jj of [j, open(flash)]) {
      assert.equal(jj.findByStan(11, out), true);
      assert.equal(out.amount, 1000);
      assert.equal(out.pan.format(), "622848*********0018");
      assert.equal(Buffer.from(out.rrn).toString("latin1"), "000000000011");
      assert.equal(Buffer.from(out.authCode).toString("latin1"), "A1B2C3");
      assert.equal(out.respCode, 0x3030);
      assert.equal(out.entryMode, 21);
      assert.equal(jj.findByStan(-1, out), true);
      assert.equal(out.stan, 12);
      assert.equal(journalCount(jj), 2);
      assert.equal(jj.findByStan(99, out), false);
      assert.equal(jj.lastError, STORE_ERR_NOT_FOUND);
    }
  });

  it("never writes the full PAN", () => {
    const flash = new FlashStorage({ bytes: 32 * 1024 });
    const j = open(flash);
    j.add(entryFor(1, 100));
    const img = flash.image();
    assert.equal(contains(img, new Uint8Array(Buffer.from(TEST_PAN, "latin1"))), false);
    assert.equal(contains(img, new Uint8Array(Buffer.from(TEST_PAN.slice(6, 15), "latin1"))), false, "middle digits absent");
    assert.equal(contains(img, new Uint8Array(Buffer.from("622848", "latin1"))), true);
  });

  it("changes a status (void, reversal outcome) in place of the old one", () => {
    const flash = new FlashStorage({ bytes: 32 * 1024 });
    const j = open(flash);
    j.add(entryFor(5, 800));
    assert.equal(j.setStatus(5, J_VOIDED), true);
    const v = entryFor(6, 800, TXN_VOID);
    v.origStan = 5;
    j.add(v);
    const out = new JournalEntry();
    const r = open(flash);
    r.findByStan(5, out);
    assert.equal(out.status, J_VOIDED);
    r.findByStan(6, out);
    assert.equal(out.origStan, 5);
    assert.equal(r.setStatus(77, J_REVERSED), false);
    assert.equal(r.lastError, STORE_ERR_NOT_FOUND);
    assert.equal(r.setStatus(5, 99), false);
    assert.equal(r.lastError, STORE_ERR_RANGE);
  });

  it("totals the open batch for field 48: sales and completions are debits, refunds credits, the rest nothing", () => {
    const flash = new FlashStorage({ bytes: 32 * 1024 });
    const j = open(flash);
    j.add(entryFor(1, 1000));
    j.add(entryFor(2, 2000));
    j.add(entryFor(3, 300, TXN_REFUND));
    j.add(entryFor(4, 4000, TXN_SALE, J_DECLINED));
    j.add(entryFor(5, 5000));
    j.setStatus(5, J_VOIDED);
    j.add(entryFor(6, 5000, TXN_VOID));
    j.add(entryFor(7, 7000));
    j.setStatus(7, J_REVERSED);
    j.add(entryFor(8, 8000, TXN_SALE, J_REVERSAL_FAILED));
    j.add(entryFor(9, 9000, TXN_PREAUTH));
    j.add(entryFor(10, 900, TXN_PREAUTH_COMPLETE));
    const t = new BatchTotals();
    journalTotals(j, t);
    assert.deepEqual({ ...t }, { debitAmount: 3900, debitCount: 3, creditAmount: 300, creditCount: 1 });
  });

  it("is bounded: 'journal full, settle first' and nothing already stored is lost", () => {
    const flash = new FlashStorage({ bytes: 32 * 1024 });
    const j = open(flash, 5);
    for (let i = 1; i <= 5; i++) {
      assert.equal(j.nextKey < j.capacity, true);
      assert.equal(j.add(entryFor(i, i * 100)), true);
    }
    assert.equal(j.nextKey < j.capacity, false);
    assert.equal(j.add(entryFor(6, 600)), false);
    assert.equal(j.lastError, STORE_ERR_JOURNAL_FULL);
    const r = open(flash, 5);
    assert.equal(journalCount(r), 5);
    const t = new BatchTotals();
    journalTotals(r, t);
    assert.equal(t.debitAmount, 1500);
  });

  it("closes a batch after settlement (idempotently) and starts the next one in a fresh file, keeping the last entry", () => {
    const flash = new FlashStorage({ bytes: 32 * 1024 });
    const j = open(flash, 5);
    for (let i = 1; i <= 5; i++) j.add(entryFor(i, 100));
    const compactions = j.log.compactions;
    assert.equal(j.closeBatch(1), true);
    assert.equal(journalCount(j), 0);
    assert.equal(j.log.compactions, compactions + 1, "settled entries left behind");
    const n = flash.bytesProgrammed;
    assert.equal(j.closeBatch(1), true);
    assert.equal(flash.bytesProgrammed, n, "closing the same batch again writes nothing");
    const out = new JournalEntry();
    const r = open(flash, 5);
    assert.equal(journalCount(r), 0);
    assert.equal(r.closedBatch, 1);
    assert.equal(r.findByStan(3, out), false);
    assert.equal(r.findByStan(-1, out), true, "the last receipt can still be reprinted");
    assert.equal(out.stan, 5);
    assert.equal(out.settled, true);
    assert.equal(effectiveStatus(out), J_SETTLED);
    assert.equal(r.setStatus(5, J_VOIDED), false, "a settled entry cannot be voided");
    assert.equal(r.add(entryFor(6, 600)), true);
    const t = new BatchTotals();
    journalTotals(r, t);
    assert.deepEqual({ ...t }, { debitAmount: 600, debitCount: 1, creditAmount: 0, creditCount: 0 });
    assert.equal(r.entryAt(0, out), true);
    assert.equal(out.stan, 6);
    assert.equal(r.entryAt(1, out), false);
    assert.equal(journalCount(open(flash, 5)), 1);
  });

  it("a power cut at any byte of a batch close leaves it either open or closed, never half", () => {
    const build = (flash: FlashStorage) => {
      const j = open(flash, 5);
      for (let i = 1; i <= 4; i++) j.add(entryFor(i, 100 * i));
      return j;
    };
    const probe = new FlashStorage({ bytes: 32 * 1024 });
    const pj = build(probe);
    const n0 = probe.bytesProgrammed;
    pj.closeBatch(1);
    const total = probe.bytesProgrammed - n0;
    for (let n = 0; n <= total; n++) {
      const flash = new FlashStorage({ bytes: 32 * 1024 });
      build(flash);
      const j = open(flash, 5); // a reboot, then the close
      flash.cutAfterBytes(n);
      j.closeBatch(1);
      flash.powerOn();
      const r = open(flash, 5);
      const t = new BatchTotals();
      journalTotals(r, t);
      if (r.closedBatch === 1) assert.deepEqual([journalCount(r), t.debitAmount], [0, 0], `cut at ${n}`);
      else assert.deepEqual([journalCount(r), t.debitAmount], [4, 1000], `cut at ${n}`);
      const out = new JournalEntry();
      assert.equal(r.findByStan(-1, out), true);
      assert.equal(out.stan, 4);
      assert.equal(r.closeBatch(1), true, `cut at ${n}: closing again works`);
      assert.equal(journalCount(open(flash, 5)), 0);
    }
  });

  it("keeps working through many status changes (log compactions)", () => {
    const flash = new FlashStorage({ bytes: 32 * 1024 });
    const j = open(flash, 10);
    for (let i = 1; i <= 10; i++) j.add(entryFor(i, i));
    let storageCompactions = 0;
    for (let r = 0; r < 20; r++) {
      for (let i = 1; i <= 10; i++) {
        if (j.setStatus(i, r % 2 ? J_APPROVED : J_REVERSED)) continue;
        // each log compaction leaves its old file as Storage trash: compact Storage when idle
        assert.equal(j.lastError, STORE_ERR_NO_SPACE);
        assert.equal(flash.compact(), true);
        storageCompactions++;
        assert.equal(j.setStatus(i, r % 2 ? J_APPROVED : J_REVERSED), true);
      }
    }
    assert.ok(j.log.compactions > 3);
    assert.ok(storageCompactions > 0);
    const t = new BatchTotals();
    journalTotals(open(flash, 10), t);
    assert.equal(t.debitCount, 10);
    assert.equal(t.debitAmount, 55);
  });
});
