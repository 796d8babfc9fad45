import { strict as assert } from "node:assert";
import { FlashStorage } from "../../hil/virtual/flash-storage";
import { recordBytes } from "../../firmware/txn/store/record-log";
import { Counters, SETTLE_CLOSING, SETTLE_IDLE, SETTLE_UPLOADING, STAN_MAX } from "../../firmware/txn/store/counters";
import { STORE_ERR_NO_SPACE, STORE_ERR_RANGE, STORE_OK } from "../../firmware/txn/store/codes";

function open(flash: FlashStorage, floor?: number): Counters {
  const c = new Counters(flash);
  assert.equal(c.open(floor), STORE_OK);
  return c;
}

describe("Counters: STAN and batch persisted before use", () => {
  it("hands out 1, 2, 3 ... and continues after a reboot", () => {
    const flash = new FlashStorage({ bytes: 8 * 1024 });
    const c = open(flash);
    assert.equal(c.stan, 0);
    assert.deepEqual([c.nextStan(), c.nextStan(), c.nextStan()], [1, 2, 3]);
    const again = open(flash);
    assert.equal(again.stan, 3);
    assert.equal(again.nextStan(), 4);
  });

  it("wraps 999999 -> 1 and survives log compactions", () => {
    const flash = new FlashStorage({ bytes: 16 * 1024 });
    const c = open(flash);
    c.stan = STAN_MAX - 40; // as if recovered there
    const seen: number[] = [];
    for (let i = 0; i < 60; i++) seen.push(c.nextStan());
    assert.equal(seen[39], STAN_MAX);
    assert.equal(seen[40], 1);
    assert.ok(c.log.compactions > 0);
    assert.equal(open(flash).stan, 20);
  });

  it("persists the batch number, settlement step and upload index; the end of a settlement (step IDLE and the next batch) is one write", () => {
    const flash = new FlashStorage({ bytes: 8 * 1024 });
    const c = open(flash);
    assert.equal(c.setSettleStep(SETTLE_IDLE, 0, 999999), true);
    const adopted = flash.bytesProgrammed;
    assert.equal(c.setSettleStep(SETTLE_IDLE, 0, 999999), true);
    assert.equal(flash.bytesProgrammed, adopted, "adopting the current batch number writes nothing");
    assert.equal(c.setSettleStep(SETTLE_UPLOADING, 7), true);
    let r = open(flash);
    assert.deepEqual([r.batch, r.settleStep, r.uploadIndex], [999999, SETTLE_UPLOADING, 7]);
    assert.equal(r.setSettleStep(SETTLE_CLOSING, 0), true);
    const before = flash.bytesProgrammed;
    assert.equal(r.setSettleStep(SETTLE_IDLE, 0, -1), true);
    assert.equal(flash.bytesProgrammed - before, recordBytes(13), "one record");
    r = open(flash);
    assert.deepEqual([r.batch, r.settleStep, r.uploadIndex], [1, SETTLE_IDLE, 0]);
  });

  it("rejects out-of-range values with STORE_ERR_RANGE and writes nothing", () => {
    const flash = new FlashStorage({ bytes: 8 * 1024 });
    const c = open(flash);
    const n = flash.bytesProgrammed;
    assert.equal(c.setSettleStep(SETTLE_IDLE, 0, -2), false);
    assert.equal(c.lastError, STORE_ERR_RANGE);
    assert.equal(c.setSettleStep(SETTLE_IDLE, 0, 1000000), false);
    assert.equal(c.setSettleStep(9, 0), false);
    assert.equal(flash.bytesProgrammed, n);
  });

  it("returns 0 (do not transact) when the STAN cannot be persisted, and never reuses one", () => {
    const flash = new FlashStorage({ bytes: 8 * 1024 });
    const c = open(flash);
    c.nextStan();
    c.nextStan();
    flash.write("junk", "J".repeat(flash.getFree() - 64));
    let s = 1;
    const used: number[] = [];
    while (s !== 0 && used.length < 100) {
      s = c.nextStan();
      if (s) used.push(s);
    }
    assert.equal(s, 0);
    assert.equal(c.lastError, STORE_ERR_NO_SPACE);
    const again = open(flash);
    assert.equal(again.stan, used[used.length - 1]);
  });

  it("continues above a floor when its record was lost", () => {
    const flash = new FlashStorage({ bytes: 8 * 1024 });
    const c = open(flash, 4711);
    assert.equal(c.nextStan(), 4712);
    assert.equal(open(flash, 10).stan, 4712, "the floor only applies without a record");
  });
});
