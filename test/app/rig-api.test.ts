import { strict as assert } from "node:assert";
import { Rig } from "./rig";
import { MAG_DEBIT } from "../../hil/models/test-cards";
import { makeRigApi, RigReversals } from "../../firmware/app/rig-api";
import { ReversalSlip, REASON_NO_REPLY } from "../../firmware/txn/store/reversal-queue";
import { OUT_APPROVED, TXN_SALE } from "../../firmware/txn/engine-api";

function slip(stan: number, amount: number, tries: number): ReversalSlip {
  const s = new ReversalSlip();
  s.type = 1;
  s.stan = stan;
  s.amount = amount;
  s.time = 1709647620;
  s.tries = tries;
  s.reason = REASON_NO_REPLY;
  const pan = new Uint8Array(Buffer.from(MAG_DEBIT.pan, "latin1"));
  s.pan.fromPan(pan, pan.length);
  return s;
}

describe("Rig API (global.T)", () => {
  it("reads screen, state, the last result and journal entries, with masked PANs only", () => {
    const r = new Rig();
    r.addJournalSale(3, 1200, MAG_DEBIT.pan);
    const pending = slip(9, 5000, 1);
    const manual = [slip(4, 100, 3)];
    let hasPending = true;
    const reversals: RigReversals = {
      get isPending() {
        return hasPending;
      },
      pending,
      manualAt: (i, out) => {
        if (i >= manual.length) return false;
        const m = manual[i];
        out.type = m.type;
        out.stan = m.stan;
        out.amount = m.amount;
        out.time = m.time;
        out.pan.length = m.pan.length;
        out.pan.first6.set(m.pan.first6);
        out.pan.last4.set(m.pan.last4);
        out.reason = m.reason;
        out.lastResponse = m.lastResponse;
        out.tries = m.tries;
        return true;
      },
    };
    const T = makeRigApi({ terminal: r.term, journal: r.journal, reversals });
    assert.deepEqual(T.screen(), ["10000001   14:07", "CARD OR F1=MENU "]);
    assert.equal(T.state(), "IDLE");
    assert.equal(T.last(), null);
    r.keys("F1", "1", "700", "ENTER");
    assert.equal(T.state(), "CARD");
    r.swipe(MAG_DEBIT);
    r.keys("1234", "ENTER");
    r.advance(1000);
    const last = T.last();
    assert.deepEqual(last, {
      type: TXN_SALE,
      outcome: OUT_APPROVED,
      rc: "00",
      cls: 0,
      msg: "APPROVED",
      stan: 101,
      batch: 1,
      amount: 700,
      balance: 0,
      authCode: "A1B2C3",
      rrn: "240305123456",
      pan: "622202******9873",
      reversalPending: false,
    });
    const j = T.journal(3);
    assert.equal(j.pan, "622202******9873");
    assert.equal(j.status, "APPROVED");
    assert.equal(j.type, "SALE");
    assert.equal(j.amount, 1200);
    assert.equal(j.rrn, "240305000042");
    assert.equal(T.journal(77), null);
    assert.deepEqual(T.pendingReversal(), { stan: 9, type: "SALE", amount: 5000, pan: "622202******9873", time: 1709647620, reason: "98", tries: 1 });
    assert.equal(T.manualList().length, 1);
    assert.equal(T.manualList()[0].stan, 4);
    hasPending = false;
    assert.equal(T.pendingReversal(), null);
    const everything = JSON.stringify([T.screen(), T.last(), T.journal(3), T.manualList()]);
    assert.equal(everything.indexOf(MAG_DEBIT.pan), -1, "no full PAN in any T read");
  });

  it("without a terminal (configuration error) it reports the fault screen", () => {
    const lines = ["CONFIG ERROR", "TMK MUST BE 16"];
    const T = makeRigApi({ terminal: null, faultState: "FAULT", lcd: { rows: 2, text: (r: number) => lines[r] } });
    assert.equal(T.state(), "FAULT");
    assert.deepEqual(T.screen(), ["CONFIG ERROR", "TMK MUST BE 16"]);
    assert.equal(T.last(), null);
    assert.equal(T.journal(1), null);
    assert.deepEqual(T.manualList(), []);
  });
});
