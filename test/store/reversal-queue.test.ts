import { strict as assert } from "node:assert";
import { FlashStorage } from "../../hil/virtual/flash-storage";
import {
  ACK_APPROVED,
  ACK_INVALID,
  ACK_NOT_FOUND,
  REASON_MAC_FAILED,
  REASON_NO_REPLY,
  REASON_TERMINAL,
  ReversalQueue,
  ReversalQueueOptions,
  ReversalSlip,
  RQ_DONE,
  RQ_ERROR,
  RQ_EXHAUSTED,
  RQ_NONE,
  RQ_RETRY,
  RQ_SEND,
  manualCountOf,
} from "../../firmware/txn/store/reversal-queue";
import {
  STORE_ERR_BAD_MESSAGE,
  STORE_ERR_MANUAL_FULL,
  STORE_ERR_NO_SPACE,
  STORE_ERR_NOT_FOUND,
  STORE_ERR_RANGE,
  STORE_ERR_REVERSAL_PENDING,
  STORE_ERR_SENSITIVE_FIELD,
  STORE_OK,
} from "../../firmware/txn/store/codes";
import { TxnStores } from "../../firmware/txn/store/txn-stores";
import { build0400, contains, panBcd, slipFor, TEST_PAN } from "./helpers";

const MTI_AT = 13;

function open(flash: FlashStorage, o?: ReversalQueueOptions): ReversalQueue {
  const q = new ReversalQueue(flash, o);
  assert.equal(q.open(), STORE_OK);
  return q;
}

function persist(q: ReversalQueue, stan: number, amount = 1000, pan: string | undefined = TEST_PAN): boolean {
  const f = build0400({ stan, amount, pan });
  return q.persist(f, f.length, MTI_AT, slipFor(stan, amount));
}

describe("ReversalQueue: PROTOCOL.md reversal rules on flash", () => {
  it("persists the 0400 before sending and finds it again after a reboot, original STAN kept", () => {
    const flash = new FlashStorage({ bytes: 32 * 1024 });
    const q = open(flash);
    assert.equal(q.isPending, false);
    assert.equal(persist(q, 42, 1234), true);
    const r = open(flash);
    assert.equal(r.isPending, true);
    assert.equal(r.pending.stan, 42);
    assert.equal(r.pending.amount, 1234);
    assert.equal(r.pending.reason, REASON_NO_REPLY, "no reply is the reason when nothing else was set");
    assert.equal(r.pending.pan.format(), "622848*********0018");
    const out = new Uint8Array(512);
    const n = r.loadMessage(out);
    const noPan = build0400({ stan: 42, amount: 1234 });
    assert.deepEqual(Array.from(out.subarray(0, n)), Array.from(noPan), "the same frame, minus field 2, length prefix fixed");
  });

  it("never puts the full PAN, track or PIN data on flash", () => {
    const flash = new FlashStorage({ bytes: 32 * 1024 });
    const q = open(flash);
    persist(q, 1);
    assert.equal(contains(flash.image(), panBcd(TEST_PAN)), false);
    assert.equal(contains(flash.image(), new Uint8Array(Buffer.from(TEST_PAN, "latin1"))), false);
    const flash2 = new FlashStorage({ bytes: 32 * 1024 });
    const q2 = open(flash2);
    const before = flash2.bytesProgrammed;
    for (const field of [26, 35, 36, 52, 53]) {
      const f = build0400({ stan: 2, amount: 5, sensitive: [field] });
      assert.equal(q2.persist(f, f.length, MTI_AT, slipFor(2, 5)), false, "field " + field);
      assert.equal(q2.lastError, STORE_ERR_SENSITIVE_FIELD);
      assert.equal(q2.isPending, false);
    }
    assert.equal(flash2.bytesProgrammed, before, "nothing written");
  });

  it("keeps field 2 only when configured to (keepPan)", () => {
    const flash = new FlashStorage({ bytes: 32 * 1024 });
    const q = open(flash, { keepPan: true });
    persist(q, 9);
    const out = new Uint8Array(512);
    const n = q.loadMessage(out);
    assert.deepEqual(Array.from(out.subarray(0, n)), Array.from(build0400({ stan: 9, amount: 1000, pan: TEST_PAN })));
  });

  it("refuses what is not a 0400 frame, or a second reversal while one is pending (do not send)", () => {
    const flash = new FlashStorage({ bytes: 32 * 1024 });
    const q = open(flash);
    const f = build0400({ stan: 3, amount: 1, mti: [0x02, 0x00] });
    assert.equal(q.persist(f, f.length, MTI_AT, slipFor(3, 1)), false);
    assert.equal(q.lastError, STORE_ERR_BAD_MESSAGE);
    const g = build0400({ stan: 3, amount: 1, pan: TEST_PAN });
    assert.equal(q.persist(g, 20, MTI_AT, slipFor(3, 1)), false, "cut inside field 2");
    assert.equal(q.lastError, STORE_ERR_BAD_MESSAGE);
    assert.equal(q.persist(g, g.length, MTI_AT, slipFor(0, 1)), false);
    assert.equal(q.lastError, STORE_ERR_RANGE);
    assert.equal(persist(q, 3), true);
    assert.equal(persist(q, 4), false);
    assert.equal(q.lastError, STORE_ERR_REVERSAL_PENDING);
    assert.equal(open(flash).pending.stan, 3);
  });

  it("records the reason (98 / A0 / 06) and clears when the host answered the original", () => {
    const flash = new FlashStorage({ bytes: 32 * 1024 });
    const q = open(flash);
    persist(q, 5);
    assert.equal(q.setReason(REASON_MAC_FAILED), true);
    assert.equal(open(flash).pending.reason, REASON_MAC_FAILED);
    assert.equal(q.setReason(REASON_TERMINAL), true);
    assert.equal(open(flash).pending.reason, REASON_TERMINAL);
    assert.equal(q.setReason(0x3939), false);
    assert.equal(q.lastError, STORE_ERR_RANGE);
    assert.equal(q.clear(), true);
    assert.equal(open(flash).isPending, false);
    assert.equal(q.nextAttempt(), RQ_NONE);
  });

  it("0410 codes 00, 12 and 25 all end the reversal (through the stores); others leave it for the next try", () => {
    for (const code of [ACK_APPROVED, ACK_INVALID, ACK_NOT_FOUND]) {
      const flash = new FlashStorage({ bytes: 32 * 1024 });
      const s = new TxnStores(flash);
      assert.equal(s.open(), STORE_OK);
      persist(s.reversals, 6);
      assert.equal(s.reversalAttempt(), RQ_SEND);
      assert.equal(s.reversalAck(code), RQ_DONE);
      assert.equal(s.lastError, STORE_OK);
      assert.equal(open(flash).isPending, false);
      assert.equal(s.reversalAck(code), RQ_NONE, "nothing pending any more");
    }
    const flash = new FlashStorage({ bytes: 32 * 1024 });
    const s = new TxnStores(flash);
    assert.equal(s.open(), STORE_OK);
    persist(s.reversals, 7);
    assert.equal(s.reversalAttempt(), RQ_SEND);
    assert.equal(s.reversalAck(0x3936), RQ_RETRY); // "96" system malfunction
    assert.equal(s.reversals.pending.lastResponse, 0x3936);
    assert.equal(open(flash).isPending, true);
  });

  it("counts tries on flash; after the limit moves to the manual list and fills the failed-reversal slip", () => {
    const flash = new FlashStorage({ bytes: 32 * 1024 });
    let q = open(flash);
    persist(q, 8, 8800);
    for (let i = 1; i <= 3; i++) {
      assert.equal(q.nextAttempt(), RQ_SEND);
      q = open(flash); // a reboot between tries does not reset the count
      assert.equal(q.pending.tries, i);
    }
    assert.equal(q.nextAttempt(), RQ_EXHAUSTED);
    assert.equal(q.isPending, false);
    assert.equal(q.slip.stan, 8);
    assert.equal(q.slip.amount, 8800);
    assert.equal(q.slip.pan.format(), "622848*********0018");
    assert.equal(q.slip.time, 1700000008);
    const r = open(flash);
    assert.equal(r.isPending, false);
    assert.equal(manualCountOf(r), 1);
    const s = new ReversalSlip();
    assert.equal(r.manualAt(0, s), true);
    assert.equal(s.stan, 8);
    assert.equal(s.tries, 3);
    assert.equal(s.reason, REASON_NO_REPLY);
    assert.equal(persist(r, 9), true, "the next transaction can go");
    assert.equal(r.manualAt(0, null, true), true);
    assert.equal(manualCountOf(open(flash)), 0);
    assert.equal(r.manualAt(0, null, true), false, "nothing left to remove");
    assert.equal(r.lastError, STORE_ERR_NOT_FOUND);
  });

  it("has a configurable retry limit", () => {
    const flash = new FlashStorage({ bytes: 32 * 1024 });
    const q = open(flash, { retryLimit: 1 });
    persist(q, 10);
    assert.equal(q.nextAttempt(), RQ_SEND);
    assert.equal(q.nextAttempt(), RQ_EXHAUSTED);
  });

  it("a full manual list keeps the reversal pending (never dropped) until the operator clears an entry", () => {
    const flash = new FlashStorage({ bytes: 32 * 1024 });
    const q = open(flash, { retryLimit: 1, manualCapacity: 2 });
    for (const stan of [1, 2]) {
      persist(q, stan);
      q.nextAttempt();
      assert.equal(q.nextAttempt(), RQ_EXHAUSTED);
    }
    persist(q, 3);
    q.nextAttempt();
    assert.equal(q.nextAttempt(), RQ_ERROR);
    assert.equal(q.lastError, STORE_ERR_MANUAL_FULL);
    assert.equal(q.slip.stan, 3, "the slip can still be printed");
    const r = open(flash, { retryLimit: 1, manualCapacity: 2 });
    assert.equal(r.isPending, true);
    assert.equal(r.pending.stan, 3);
    assert.equal(r.manualAt(0, null, true), true);
    assert.equal(r.nextAttempt(), RQ_EXHAUSTED);
    assert.equal(manualCountOf(open(flash, { manualCapacity: 2 })), 2);
  });

  it("full flash: persist returns false with STORE_ERR_NO_SPACE (do not send) and loses nothing", () => {
    const flash = new FlashStorage({ bytes: 16 * 1024 });
    const q = open(flash, { retryLimit: 1, manualCapacity: 4 });
    persist(q, 1);
    q.nextAttempt();
    q.nextAttempt(); // -> manual list
    let ok = true;
    let stan = 2;
    flash.write("junk", "J".repeat(flash.getFree() - 40));
    while (ok && stan < 200) {
      ok = persist(q, stan);
      if (ok) {
        assert.equal(q.clear(), true);
        stan++;
      }
    }
    assert.equal(ok, false);
    assert.equal(q.lastError, STORE_ERR_NO_SPACE);
    assert.equal(q.isPending, false);
    const r = open(flash, { retryLimit: 1, manualCapacity: 4 });
    assert.equal(manualCountOf(r), 1);
    assert.equal(r.isPending, false);
  });
});
