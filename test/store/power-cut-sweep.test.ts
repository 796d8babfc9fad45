/**
 * THE POWER-CUT SWEEP. A terminal's persistence sequence (sales, a reversal, a void, a settlement)
 * runs against a simulated host; power is cut after n programmed bytes, for EVERY n from 0 to the
 * sequence's total; the terminal reboots (new objects over the same flash), finishes what its
 * engine would (pending reversal, interrupted settlement), and the books must agree:
 * - no STAN is ever handed out twice;
 * - no reversal lost: every charge the host holds is in the journal as approved (or, when the
 *   host never answers, in the manual-handling list), and nothing the journal calls approved is
 *   unknown to the host;
 * - no reversal duplicated: at most one pending, never both pending and in the manual list, each
 *   manual entry once;
 * - journal consistent: one entry per trace, totals equal the host's at settlement;
 * - settlement resumable: the batch advances exactly once and the journal batch closes with it.
 * Small log files make the logs compact inside the sequence, so cuts land in compactions too.
 */
import { strict as assert } from "node:assert";
import { FlashStorage } from "../../hil/virtual/flash-storage";
import { TxnStores, TxnStoresOptions } from "../../firmware/txn/store/txn-stores";
import { SETTLE_CLOSING, SETTLE_IDLE, SETTLE_STARTED } from "../../firmware/txn/store/counters";
import {
  BatchTotals,
  journalTotals,
  J_APPROVED,
  J_REVERSAL_FAILED,
  J_REVERSAL_PENDING,
  JournalEntry,
  TXN_SALE,
  TXN_VOID,
  journalCount,
} from "../../firmware/txn/store/journal";
import {
  REASON_NO_REPLY,
  REASON_TERMINAL,
  ReversalSlip,
  RQ_DONE,
  RQ_EXHAUSTED,
  RQ_RETRY,
  RQ_SEND,
  manualCountOf,
} from "../../firmware/txn/store/reversal-queue";
import { STORE_OK } from "../../firmware/txn/store/codes";
import { build0400, entryFor, slipFor, TEST_PAN } from "./helpers";

const FLASH_BYTES = 64 * 1024;
const OPTIONS: TxnStoresOptions = {
  counters: { bytes: 128 },
  journal: { capacity: 8, bytes: 800 },
  reversals: { maxMessage: 120, retryLimit: 2, manualCapacity: 4 },
};
const ACK_00 = 0x3030;
const ACK_25 = 0x3235;

/** The acquirer: what it has approved and not reversed, per batch. */
class Host {
  sales = new Map<number, number>(); // stan -> amount, approved and standing
  voids = new Map<number, [number, number]>(); // void stan -> [original stan, amount]
  settledBatches: number[] = [];
  answersReversals = true;
  reversalsReceived = 0;

  sale(stan: number, amount: number): void {
    this.sales.set(stan, amount);
  }
  void(stan: number, orig: number): void {
    const amount = this.sales.get(orig);
    assert.ok(amount !== undefined, "host: void of an unknown sale");
    this.sales.delete(orig);
    this.voids.set(stan, [orig, amount as number]);
  }
  /** 0400 received: undo the original if it stands. Returns the 0410 code (undefined: no answer). */
  reverse(stan: number): number | undefined {
    this.reversalsReceived++;
    if (!this.answersReversals) return undefined;
    if (this.sales.delete(stan)) return ACK_00;
    const v = this.voids.get(stan);
    if (v) {
      this.voids.delete(stan);
      this.sales.set(v[0], v[1]);
      return ACK_00;
    }
    return ACK_25;
  }
  /** 0500: true = balanced. A batch already settled answers balanced again (resent 0500). */
  settle(batch: number, t: BatchTotals): boolean {
    if (this.settledBatches.includes(batch)) return true;
    let sum = 0;
    for (const a of this.sales.values()) sum += a;
    const balanced = sum === t.debitAmount && this.sales.size === t.debitCount && t.creditCount === 0;
    assert.ok(balanced, `host: batch ${batch} not balanced: host ${sum}/${this.sales.size}, terminal ${t.debitAmount}/${t.debitCount}`);
    this.settledBatches.push(batch);
    this.sales.clear();
    this.voids.clear();
    return true;
  }
}

class Cut extends Error {}

/** Sweeps in which a reversal ended in the manual list because its last try was cut. */
let manualCases = 0;

/** The terminal side of the sequence: calls the stores in the engine's order, stops at a cut. */
class Terminal {
  stores!: TxnStores;
  /** Every STAN handed out, in order, over all boots. */
  readonly used: number[] = [];
  /** Traces a 0400 was (being) stored for. */
  readonly persisted = new Set<number>();
  constructor(readonly flash: FlashStorage, readonly host: Host) {}

  private g<T>(v: T): T {
    if (this.flash.poweredOff) throw new Cut();
    return v;
  }

  boot(): void {
    this.stores = new TxnStores(this.flash, OPTIONS);
    const rc = this.g(this.stores.open());
    assert.equal(rc, STORE_OK, "boot");
  }

  /** begin + persist; returns the STAN if the request may go out, else 0. */
  private start(amount: number, type: number, orig: number): number {
    const s = this.stores;
    const stan = this.g(s.begin());
    if (!stan) return 0;
    this.used.push(stan);
    const info = slipFor(stan, amount);
    info.type = type;
    this.persisted.add(stan);
    const frame = build0400({ stan, amount, pan: TEST_PAN });
    if (!this.g(s.reversals.persist(frame, frame.length, 13, info))) return 0;
    return stan;
  }

  saleApproved(amount: number): number {
    const stan = this.start(amount, TXN_SALE, 0);
    if (!stan) return 0;
    this.host.sale(stan, amount);
    this.g(this.stores.complete(entryFor(stan, amount)));
    return stan;
  }

  saleNoReply(amount: number): void {
    const stan = this.start(amount, TXN_SALE, 0);
    if (!stan) return;
    this.host.sale(stan, amount); // the host approved; the reply never arrived
    this.g(this.stores.reversals.setReason(REASON_NO_REPLY));
  }

  /** Approved by the host, then the card was pulled: reversal with reason 06. */
  saleTerminalFailure(amount: number): void {
    const stan = this.start(amount, TXN_SALE, 0);
    if (!stan) return;
    this.host.sale(stan, amount);
    this.g(this.stores.reversals.setReason(REASON_TERMINAL));
    this.g(this.stores.complete(entryFor(stan, amount, TXN_SALE, J_REVERSAL_PENDING)));
  }

  voidApproved(orig: number, amount: number): void {
    const stan = this.start(amount, TXN_VOID, orig);
    if (!stan) return;
    this.host.void(stan, orig);
    const e = entryFor(stan, amount, TXN_VOID);
    e.origStan = orig;
    this.g(this.stores.complete(e));
  }

  /** Send the pending reversal until it is done or exhausted; `silentTries` tries get no answer. */
  reversalRounds(silentTries: number): void {
    const s = this.stores;
    for (let guard = 0; guard < 10 && s.reversals.isPending; guard++) {
      const r = this.g(s.reversalAttempt());
      if (r === RQ_EXHAUSTED) return;
      assert.equal(r, RQ_SEND, "reversal attempt refused: " + s.lastError);
      const stan = s.reversals.pending.stan;
      const answer = silentTries-- > 0 ? undefined : this.host.reverse(stan);
      if (answer === undefined) continue;
      const done = this.g(s.reversalAck(answer));
      assert.ok(done === RQ_DONE || done === RQ_RETRY);
    }
  }

  /** Settlement from wherever it stands (the engine's resume logic). */
  settle(): void {
    const s = this.stores;
    const c = s.counters;
    if (c.settleStep === SETTLE_IDLE) this.g(c.setSettleStep(SETTLE_STARTED, 0));
    if (c.settleStep === SETTLE_STARTED) {
      this.reversalRounds(0); // pending reversal first
      const t = new BatchTotals();
      journalTotals(s.journal, t);
      this.host.settle(c.batch, t);
      this.g(c.setSettleStep(SETTLE_CLOSING, 0));
    }
    if (c.settleStep === SETTLE_CLOSING) this.g(s.finishSettlement());
  }
}

interface Run {
  flash: FlashStorage;
  host: Host;
  t: Terminal;
  startBatch: number;
  cut: boolean;
}

/** Boot on empty flash and run `day`; with `cutAt` >= 0, power goes after that many bytes. */
function runDay(day: (t: Terminal) => void, cutAt: number): Run {
  const flash = new FlashStorage({ bytes: FLASH_BYTES });
  const host = new Host();
  const t = new Terminal(flash, host);
  if (cutAt >= 0) flash.cutAfterBytes(cutAt);
  let cut = false;
  try {
    t.boot();
    day(t);
  } catch (e) {
    if (!(e instanceof Cut)) throw e;
    cut = true;
  }
  if (flash.poweredOff) cut = true;
  return { flash, host, t, startBatch: 1, cut };
}

/** Reboot after the cut, check the state at power-on, let the engine finish, check the books. */
function rebootAndCheck(run: Run, label: string, hostAnswersAfter: boolean, settling: boolean): void {
  const { flash, host, t } = run;
  flash.powerOn();
  t.boot();
  const s = t.stores;
  const c = s.counters;
  const j = s.journal;
  const q = s.reversals;

  // --- at power-on, before anything is sent
  if (q.isPending) {
    assert.ok(t.persisted.has(q.pending.stan), `${label}: pending reversal ${q.pending.stan} was never stored`);
    const st = j.statusOfStan(q.pending.stan);
    assert.ok(st === 0 || st === J_REVERSAL_PENDING, `${label}: journal shows ${q.pending.stan} as ${st} while its reversal is pending`);
  }
  const manual: number[] = [];
  const slip = new ReversalSlip();
  for (let i = 0; i < manualCountOf(q); i++) {
    assert.ok(q.manualAt(i, slip));
    manual.push(slip.stan);
  }
  assert.equal(new Set(manual).size, manual.length, `${label}: manual list has a duplicate`);
  if (q.isPending) assert.ok(!manual.includes(q.pending.stan), `${label}: reversal both pending and in the manual list`);
  assert.ok(c.settleStep === SETTLE_IDLE || c.settleStep === SETTLE_STARTED, `${label}: boot left settle step ${c.settleStep}`);
  if (c.batch !== run.startBatch) {
    assert.equal(c.batch, run.startBatch + 1, `${label}: batch advanced twice`);
    assert.equal(c.settleStep, SETTLE_IDLE);
    assert.equal(j.closedBatch, run.startBatch, `${label}: batch advanced but journal batch not closed`);
  } else {
    assert.notEqual(j.closedBatch, run.startBatch, `${label}: journal closed but batch not advanced (not resumable)`);
  }

  // --- the engine finishes what was interrupted
  host.answersReversals = hostAnswersAfter;
  t.reversalRounds(0);
  if (c.settleStep !== SETTLE_IDLE) t.settle();
  if (settling && c.batch === run.startBatch) t.settle(); // the operator settles again

  // --- STAN never reused
  const next = c.nextStan();
  assert.ok(next > 0);
  assert.ok(!t.used.includes(next), `${label}: STAN ${next} handed out again`);
  assert.ok(next > Math.max(0, ...t.used), `${label}: STAN went back`);
  assert.equal(new Set(t.used).size, t.used.length);

  // --- books: the host's standing charges == the journal's approved entries (open batch)
  const approved = new Map<number, number>();
  const voids = new Set<number>();
  const stans = new Set<number>();
  const e = new JournalEntry();
  for (let i = 0; i < journalCount(j); i++) {
    assert.ok(j.entryAt(i, e));
    assert.ok(!stans.has(e.stan), `${label}: trace ${e.stan} journaled twice`);
    stans.add(e.stan);
    if (e.status === J_APPROVED && e.type === TXN_SALE) approved.set(e.stan, e.amount);
    if (e.status === J_APPROVED && e.type === TXN_VOID) voids.add(e.stan);
    if (e.status === J_REVERSAL_PENDING) assert.ok(q.isPending && q.pending.stan === e.stan, `${label}: entry ${e.stan} waits for a reversal that is not there`);
  }
  const manualAfter = new Set<number>();
  for (let i = 0; i < manualCountOf(q); i++) {
    q.manualAt(i, slip);
    manualAfter.add(slip.stan);
  }
  for (const [stan, amount] of host.sales) {
    if (approved.get(stan) === amount) continue;
    assert.ok(manualAfter.has(stan) || (q.isPending && q.pending.stan === stan), `${label}: host holds sale ${stan} (${amount}) the terminal lost`);
    if (j.statusOfStan(stan)) assert.equal(j.statusOfStan(stan), J_REVERSAL_FAILED, `${label}: journal status of ${stan}`);
  }
  for (const [stan] of approved) assert.ok(host.sales.has(stan), `${label}: journal says ${stan} approved, host does not have it`);
  assert.deepEqual([...voids].sort(), [...host.voids.keys()].sort(), `${label}: voids`);
  for (const stan of manualAfter) {
    // only a reversal whose last allowed try was cut (or unanswered) lands here
    assert.ok(t.persisted.has(stan), `${label}: manual entry ${stan} never stored`);
    const st = j.statusOfStan(stan);
    assert.ok(st === 0 || st === J_REVERSAL_FAILED, `${label}: manual entry ${stan} has journal status ${st}`);
  }
  if (manualAfter.size) manualCases++;
  if (hostAnswersAfter) assert.equal(q.isPending, false, `${label}: reversal left pending`);
  if (settling) {
    assert.equal(c.batch, run.startBatch + 1, `${label}: settlement did not complete`);
    assert.equal(journalCount(j), 0);
    assert.deepEqual(host.settledBatches, [run.startBatch]);
  }
}

/** Cut at every byte of `day` (0..total), reboot, check. Returns the bytes swept. */
function sweep(day: (t: Terminal) => void, o: { hostAnswersAfter: boolean; settling: boolean }): number {
  manualCases = 0;
  const probe = runDay(day, -1);
  assert.equal(probe.cut, false);
  const total = probe.flash.bytesProgrammed;
  rebootAndCheck(probe, "no cut", o.hostAnswersAfter, o.settling);
  for (let n = 0; n <= total; n++) {
    const run = runDay(day, n);
    assert.ok(run.cut || n === total, `cut at ${n} did not happen`);
    rebootAndCheck(run, `cut at byte ${n} of ${total}`, o.hostAnswersAfter, o.settling);
  }
  return total;
}

describe("power-cut sweep: cut at every byte, reboot, the books still agree", function () {
  this.timeout(300000);

  it("sales: approved, no reply (98), terminal failure after approval (06), with their reversals", () => {
    const total = sweep(
      (t) => {
        t.saleApproved(1000);
        t.saleNoReply(2000);
        t.reversalRounds(0);
        t.saleTerminalFailure(3000);
        t.reversalRounds(1); // first 0400 unanswered, second acknowledged
        t.saleApproved(4000);
      },
      { hostAnswersAfter: true, settling: false },
    );
    assert.ok(total > 1000, "swept " + total + " bytes");
    assert.ok(manualCases > 0, "some cut fell on a last allowed try (that reversal went to the manual list)");
  });

  it("a void, then a settlement that closes the batch and advances the batch number", () => {
    sweep(
      (t) => {
        const s1 = t.saleApproved(1500);
        t.saleApproved(2500);
        if (s1) t.voidApproved(s1, 1500);
        t.saleApproved(700);
        t.settle();
      },
      { hostAnswersAfter: true, settling: true },
    );
  });

  it("a reversal the host never answers: tries counted, then the manual list; never lost, never twice", () => {
    sweep(
      (t) => {
        t.host.answersReversals = false;
        t.saleApproved(1200);
        t.saleNoReply(3400);
        t.reversalRounds(0); // two silent tries, then exhausted -> manual list
        t.saleTerminalFailure(5600);
      },
      { hostAnswersAfter: false, settling: false },
    );
  });

  it("a settlement resumed with a reversal still pending sends the reversal first", () => {
    sweep(
      (t) => {
        t.saleApproved(800);
        t.saleNoReply(900);
        t.settle();
      },
      { hostAnswersAfter: true, settling: true },
    );
  });
});
