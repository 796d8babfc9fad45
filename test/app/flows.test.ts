import { strict as assert } from "node:assert";
import { Rig } from "./rig";
import { CHIP_DEBIT, MAG_DEBIT, MAG_DEBIT_TRACK3 } from "../../hil/models/test-cards";
import {
  OUT_DECLINED,
  OUT_NO_RESPONSE,
  CLS_DO_NOT_RETRY,
  CLS_REENTER_PIN,
  CLS_RETRY_LATER,
  CLS_CALL_ISSUER,
  CLS_SIGN_IN_AGAIN,
  STAGE_COMPLETING,
  TXN_SALE,
  OUT_BUSY,
  OUT_ERROR,
} from "../../firmware/txn/engine-api";
import {
  MSG_RC_51,
  MSG_RC_55,
  MSG_RC_96,
  MSG_RC_01,
  MSG_RC_41,
  MSG_RC_77,
  MSG_OUT_NO_RESPONSE,
} from "../../firmware/ui/messages.gen";

/** A swipe sale up to the PIN screen. */
function toPin(r: Rig, amount: string): void {
  r.keys("F1", "1", amount, "ENTER");
  assert.equal(r.state(), "CARD");
  r.swipe(MAG_DEBIT);
  assert.equal(r.state(), "PIN");
}

describe("Terminal: amount entry", () => {
  it("places the decimal point as digits are typed, CLEAR deletes, CANCEL leaves", () => {
    const r = new Rig();
    r.keys("F1", "1");
    assert.deepEqual(r.lines(), ["SALE            ", "            0.00"]);
    const shown: string[] = [];
    for (const d of "12345") {
      r.keys(d);
      shown.push(r.lines()[1].trim());
    }
    assert.deepEqual(shown, ["0.01", "0.12", "1.23", "12.34", "123.45"]);
    r.keys("CLEAR");
    assert.equal(r.lines()[1].trim(), "12.34");
    r.keys("CLEAR", "CLEAR", "CLEAR", "CLEAR", "CLEAR");
    assert.equal(r.lines()[1].trim(), "0.00");
    r.keys("7", "CANCEL");
    assert.equal(r.state(), "IDLE");
    assert.equal(r.lines()[1].trim(), "CANCELLED");
    assert.equal(r.engine.called("sale").length, 0);
  });

  it("typing a digit at idle starts a sale with it", () => {
    const r = new Rig();
    r.keys("8");
    assert.equal(r.state(), "AMOUNT");
    assert.equal(r.lines()[1].trim(), "0.08");
  });

  it("refuses zero and amounts over config.maxAmount with a message, and keeps the entry", () => {
    const r = new Rig({ config: { maxAmount: 100000 } });
    r.keys("F1", "1", "ENTER");
    assert.equal(r.state(), "AMOUNT");
    assert.equal(r.lines()[1].trim(), "AMOUNT IS ZERO");
    r.advance(2500);
    assert.equal(r.lines()[1].trim(), "0.00", "the message goes after a while");
    r.keys("100001", "ENTER");
    assert.equal(r.state(), "AMOUNT");
    assert.equal(r.lines()[1].trim(), "OVER MAX AMOUNT");
    r.advance(2500);
    r.keys("CLEAR", "0", "ENTER");
    assert.equal(r.state(), "CARD", "1000.00 is the limit itself: accepted");
    assert.equal(r.lines()[0], "SALE     1000.00");
  });

  it("stops at 12 digits", () => {
    const r = new Rig({ cols: 20, rows: 4, config: { maxAmount: 999999999999 } });
    r.keys("F1", "1", "1234567890123");
    assert.equal(r.lines()[2].trim(), "1234567890.12");
  });
});

describe("Terminal: swipe sale", () => {
  it("swipe -> PIN -> processing with stage and countdown -> approved, both copies printed", () => {
    const r = new Rig();
    toPin(r, "12345");
    assert.deepEqual(r.lines(), ["ENTER PIN 123.45", "                "]);
    r.keys("1234");
    assert.equal(r.lines()[1], "****            ");
    r.engine.next = { outcome: 1, rc: "00", msgId: 12, authCode: "654321", rrn: "240305000777", delayMs: 3000 };
    r.keys("56", "ENTER");
    assert.equal(r.engine.pinSeen, "123456");
    const sale = r.engine.called("sale");
    assert.equal(sale.length, 1);
    assert.equal(sale[0].args[0], 12345);
    assert.ok(Array.isArray(sale[0].args[1]), "a PIN block went with the sale");
    assert.equal(r.engine.panSeen, MAG_DEBIT.pan, "the engine got the card read from the stripe");
    assert.equal(r.state(), "PROCESSING");
    const pinBuf = (r.term as any).pin as Uint8Array;
    assert.deepEqual(Array.from(pinBuf), new Array(12).fill(0), "the PIN digits are wiped at once");
    const card = (r.term as any).card;
    assert.equal(card.panLen + card.track2Len, 0, "the app's card copy is wiped once the engine has it");
    assert.ok(
      Array.prototype.every.call((r.msr as any).trk, (x: number) => x === 0),
      "so are the reader's raw tracks",
    );
    r.advance(800);
    assert.equal(r.lines()[0].trim(), "SENDING");
    const first = Number(r.lines()[1].slice(-2));
    r.advance(1000);
    assert.equal(r.lines()[0].trim(), "WAITING REPLY");
    const later = Number(r.lines()[1].slice(-2));
    r.advance(2000);
    assert.ok(first >= 29 && later < first + 1 && later >= 28, `countdown ${first} -> ${later}`);
    assert.equal(r.state(), "RESULT");
    assert.deepEqual(r.lines(), ["APPROVED       \u2713", "AUTH CODE 654321"]);
    r.printAll();
    const rc = r.receipts();
    assert.equal(rc.length, 2);
    assert.ok(rc[0].includes("MERCHANT COPY"));
    assert.ok(rc[1].includes("CARDHOLDER COPY"));
    for (const copy of rc) {
      assert.ok(copy.includes("622202******9873 SWIPE"), copy.join("\n"));
      assert.ok(copy.some((l) => /^AMOUNT: +RMB 123\.45$/.test(l)));
      assert.ok(copy.some((l) => /^AUTH CODE: +654321$/.test(l)));
      assert.ok(copy.some((l) => /^REF NO: +240305000777$/.test(l)));
      assert.ok(copy.some((l) => /^TERMINAL NO: +10000001$/.test(l)));
    }
    assert.ok(rc[0].some((l) => l.startsWith("CARDHOLDER SIGNATURE")), "signature line on the merchant copy");
    assert.ok(!rc[1].some((l) => l.startsWith("CARDHOLDER SIGNATURE")), "none on the cardholder copy");
    const wire = r.printerLink.sent;
    assert.equal(wire.indexOf(MAG_DEBIT.pan), -1, "no full PAN reaches the printer");
    assert.equal(wire.indexOf(MAG_DEBIT.pan.slice(4, 13)), -1, "nor its middle digits");
    assert.equal(wire.indexOf("123456"), -1, "nor the PIN");
    r.keys("ENTER");
    assert.equal(r.state(), "IDLE");
  });

  it("PIN: fewer than 4 digits refused, 12 at most, CLEAR clears all, CANCEL leaves", () => {
    const r = new Rig();
    toPin(r, "100");
    r.keys("123", "ENTER");
    assert.equal(r.state(), "PIN");
    assert.equal(r.lines()[1].trim(), "PIN 4-12 DIGITS");
    r.advance(2500);
    r.keys("CLEAR");
    assert.equal(r.lines()[1].trim(), "");
    r.keys("1234567890123");
    assert.equal(r.lines()[1].trim(), "************");
    r.keys("ENTER");
    assert.equal(r.engine.pinSeen, "123456789012");
    r.advance(1000);
    assert.equal(r.state(), "RESULT");
    const r2 = new Rig();
    toPin(r2, "100");
    r2.keys("12", "CANCEL");
    assert.equal(r2.state(), "IDLE");
    assert.equal(r2.engine.called("makePinBlock").length, 0);
  });

  it("at the PIN prompt the engine prepares the swiped sale; ENTER hands it the token, CANCEL has it wiped", () => {
    const r = new Rig();
    toPin(r, "12345");
    r.advance(100); // a pass of the loop with the prompt out
    assert.deepEqual(r.engine.prepares, [12345], "prepared once, for the amount entered");
    r.keys("123456", "ENTER");
    assert.deepEqual(r.engine.salePrepared, [1], "the sale got the token");
    r.advance(1000);
    assert.equal(r.state(), "RESULT");
    r.keys("ENTER");
    assert.deepEqual(r.engine.prepares, [12345], "nothing left to wipe after the sale");
    const r2 = new Rig();
    toPin(r2, "100");
    r2.advance(100);
    r2.keys("12", "CANCEL");
    assert.equal(r2.state(), "IDLE");
    assert.deepEqual(r2.engine.prepares, [100, -1], "the abandoned request is wiped");
    const r3 = new Rig();
    r3.keys("F1", "4");
    r3.swipe(MAG_DEBIT);
    assert.equal(r3.state(), "PIN");
    r3.advance(100);
    assert.deepEqual(r3.engine.prepares, [], "a balance inquiry prepares nothing");
  });

  it("the sixth PIN digit has the engine make the PIN block before ENTER; ENTER sends that block unless the PIN changed", () => {
    const lens = (r: Rig) => r.engine.called("makePinBlock").map((c) => c.args[0]);
    // six digits: made once they are in, before ENTER; ENTER takes the one in the prepared sale
    const r = new Rig();
    toPin(r, "12345");
    r.advance(100);
    r.keys("123456");
    r.advance(100);
    assert.deepEqual(lens(r), [6], "made as the sixth digit is shown");
    assert.equal(r.engine.pinInPrepared, "123456");
    r.keys("ENTER");
    assert.deepEqual(lens(r), [6, 0], "ENTER asks for the block already made, and makes none");
    assert.deepEqual(r.engine.salePrepared, [1]);
    assert.ok(Array.isArray(r.engine.called("sale")[0].args[1]), "the sale got a PIN block");
    r.advance(1000);
    assert.equal(r.state(), "RESULT");
    // a seventh digit: the early block is not the PIN, ENTER makes the block of seven
    const r2 = new Rig();
    toPin(r2, "100");
    r2.advance(100);
    r2.keys("1234567");
    r2.advance(100);
    r2.keys("ENTER");
    assert.deepEqual(lens(r2), [6, 7]);
    assert.equal(r2.engine.pinSeen, "1234567");
    // CLEAR and six other digits: made again; ENTER takes the second
    const r3 = new Rig();
    toPin(r3, "100");
    r3.advance(100);
    r3.keys("123456", "CLEAR", "654321");
    r3.advance(100);
    r3.keys("ENTER");
    assert.deepEqual(lens(r3), [6, 6, 0]);
    assert.equal(r3.engine.pinInPrepared, "654321");
    // a balance inquiry prepares no sale: its PIN block is made at ENTER only
    const r4 = new Rig();
    r4.keys("F1", "4");
    r4.swipe(MAG_DEBIT);
    r4.advance(100);
    r4.keys("123456");
    r4.advance(100);
    assert.deepEqual(lens(r4), []);
    r4.keys("ENTER");
    assert.deepEqual(lens(r4), [6]);
    // six digits then CANCEL: the prepared sale (and the block in it) is wiped
    const r5 = new Rig();
    toPin(r5, "100");
    r5.advance(100);
    r5.keys("123456");
    r5.advance(100);
    r5.keys("CANCEL");
    assert.equal(r5.state(), "IDLE");
    assert.deepEqual(r5.engine.prepares, [100, -1]);
    assert.equal(r5.engine.pinInPrepared, "");
  });

  it("a card swiped at idle starts a sale with the card already read", () => {
    const r = new Rig();
    r.swipe(MAG_DEBIT_TRACK3);
    assert.equal(r.state(), "AMOUNT");
    r.keys("500", "ENTER");
    assert.equal(r.state(), "PIN");
    r.keys("888888", "ENTER");
    r.advance(1000);
    assert.equal(r.engine.panSeen, MAG_DEBIT_TRACK3.pan);
    assert.equal(r.state(), "RESULT");
  });

  it("CANCEL while processing asks the engine to cancel", () => {
    const r = new Rig();
    toPin(r, "100");
    r.engine.next = { outcome: 1, delayMs: 5000 };
    r.keys("1234", "ENTER");
    r.keys("CANCEL");
    assert.equal(r.engine.called("cancel").length, 1);
    assert.equal(r.state(), "RESULT");
    assert.equal(r.lines()[0].trim(), "CANCELLED");
  });
});

describe("Terminal: what the host said", () => {
  const cases: [string, number, number, string, string][] = [
    ["51", MSG_RC_51, CLS_DO_NOT_RETRY, "NOT ENOUGH FUNDS", "USE OTHER CARD"],
    ["55", MSG_RC_55, CLS_REENTER_PIN, "WRONG PIN", "RE-ENTER PIN"],
    ["96", MSG_RC_96, CLS_RETRY_LATER, "HOST FAULT", "TRY AGAIN LATER"],
    ["01", MSG_RC_01, CLS_CALL_ISSUER, "CALL ISSUER", "CALL CARD ISSUER"],
    ["41", MSG_RC_41, CLS_DO_NOT_RETRY, "LOST CARD", "KEEP THE CARD"],
    ["77", MSG_RC_77, CLS_SIGN_IN_AGAIN, "BATCH MISMATCH", "SIGN IN AGAIN"],
  ];
  for (const [rc, msg, cls, what, act] of cases) {
    it(`declined ${rc}: "${what}" / "${act}", nothing printed`, () => {
      const r = new Rig();
      toPin(r, "2000");
      r.engine.next = { outcome: OUT_DECLINED, rc, msgId: msg, cls };
      r.keys("1234", "ENTER");
      r.advance(1000);
      assert.equal(r.state(), "RESULT");
      assert.deepEqual(r.lines().map((l) => l.trim()), [what, act]);
      r.printAll(2000);
      assert.equal(r.receipts().length, 0);
    });
  }

  it("20x4 shows the type, the code, the message and what to do", () => {
    const r = new Rig({ cols: 20, rows: 4 });
    r.keys("F1", "1", "2000", "ENTER");
    r.swipe(MAG_DEBIT);
    r.engine.next = { outcome: OUT_DECLINED, rc: "51", msgId: MSG_RC_51, cls: CLS_DO_NOT_RETRY };
    r.keys("1234", "ENTER");
    r.advance(1000);
    assert.deepEqual(r.lines(), ["SALE              51", "NOT ENOUGH FUNDS    ", "USE OTHER CARD      ", "                    "]);
  });

  it("a request the engine could not build: TXN ERROR / CALL SUPPORT", () => {
    const r = new Rig();
    toPin(r, "2000");
    r.engine.next = { outcome: OUT_ERROR };
    r.keys("1234", "ENTER");
    r.advance(1000);
    assert.deepEqual(r.lines().map((l) => l.trim()), ["TXN ERROR", "CALL SUPPORT"]);
  });

  it("no response, and the engine's immediate reversal went through: HOST NO REPLY / REVERSED", () => {
    const r = new Rig();
    toPin(r, "2000");
    r.engine.next = { outcome: OUT_NO_RESPONSE, msgId: MSG_OUT_NO_RESPONSE, reversalPending: false };
    r.keys("1234", "ENTER");
    r.advance(1000);
    assert.deepEqual(r.lines().map((l) => l.trim()), ["HOST NO REPLY", "REVERSED"]);
  });

  it("no response to a balance inquiry (nothing to reverse): TRY AGAIN LATER", () => {
    const r = new Rig();
    r.keys("F1", "4");
    r.swipe(MAG_DEBIT);
    r.engine.next = { outcome: OUT_NO_RESPONSE, msgId: MSG_OUT_NO_RESPONSE };
    r.keys("1234", "ENTER");
    r.advance(1000);
    assert.deepEqual(r.lines().map((l) => l.trim()), ["HOST NO REPLY", "TRY AGAIN LATER"]);
  });

  it("no response: HOST NO REPLY / WILL BE REVERSED", () => {
    const r = new Rig();
    toPin(r, "2000");
    r.engine.next = { outcome: OUT_NO_RESPONSE, msgId: MSG_OUT_NO_RESPONSE, reversalPending: true };
    r.keys("1234", "ENTER");
    r.advance(1000);
    assert.deepEqual(r.lines().map((l) => l.trim()), ["HOST NO REPLY", "WILL BE REVERSED"]);
    r.printAll(2000);
    assert.equal(r.receipts().length, 0);
  });
});

describe("Terminal: cards", () => {
  it("a garbled swipe says READ ERROR, SWIPE AGAIN and waits for the next swipe", () => {
    const r = new Rig();
    r.keys("F1", "1", "500", "ENTER");
    r.swipe(MAG_DEBIT, { cutAfter: 30 });
    r.advance(1200);
    assert.equal(r.state(), "CARD");
    assert.deepEqual(r.lines().map((l) => l.trim()), ["READ ERROR", "SWIPE AGAIN"]);
    r.swipe(MAG_DEBIT);
    assert.equal(r.state(), "PIN");
  });

  it("a chip card swiped says USE CHIP; inserting it then reads the chip", () => {
    const r = new Rig();
    r.keys("F1", "1", "500", "ENTER");
    r.swipe(CHIP_DEBIT);
    assert.equal(r.state(), "CARD");
    assert.equal(r.lines()[1].trim(), "USE CHIP");
    r.insert(CHIP_DEBIT);
    assert.equal(r.state(), "READING");
    r.advance(1500);
    assert.equal(r.state(), "PIN");
  });

  it("chip sale: read after the amount, completion confirmed after the card stayed in, receipt says CHIP", () => {
    const r = new Rig({ cols: 20, rows: 4 });
    r.insert(CHIP_DEBIT);
    assert.equal(r.state(), "AMOUNT", "inserting at idle starts a sale");
    r.keys("5000", "ENTER");
    assert.equal(r.state(), "READING");
    assert.equal(r.lines()[1].trim(), "READING CARD");
    r.advance(1500);
    assert.equal(r.state(), "PIN");
    r.keys("147258", "ENTER");
    assert.equal(r.engine.panSeen, CHIP_DEBIT.pan);
    r.advance(620);
    const completing = r.engine.called("progress").find((c) => c.args[0] === STAGE_COMPLETING);
    assert.ok(completing, "the engine reported the completion stage");
    assert.equal(r.lines()[1].trim(), "COMPLETING");
    assert.equal(r.lines()[2].trim(), "DO NOT REMOVE");
    assert.equal(r.engine.called("complete").length, 0, "not at once");
    r.advance(400);
    const done = r.engine.called("complete");
    assert.equal(done.length, 1);
    const waited = done[0].at - completing!.at;
    assert.ok(waited >= 300 && waited < 320, `completion after ${waited} ms`);
    assert.equal(r.state(), "RESULT");
    assert.equal(r.lines()[0], "SALE        APPROVED");
    assert.equal(r.lines()[3].trim(), "REMOVE CARD");
    r.pull();
    assert.equal(r.lines()[3].trim().startsWith("TRACE NO"), true);
    assert.equal(r.engine.called("cardRemoved").length, 0);
    r.printAll();
    assert.ok(r.receipts()[0].includes("621483*********2341 CHIP"));
  });

  it("chip pulled while the host is asked: engine.cardRemoved(), CARD REMOVED / WILL BE REVERSED", () => {
    const r = new Rig();
    r.insert(CHIP_DEBIT);
    r.keys("5000", "ENTER");
    r.advance(1500);
    r.engine.next = { outcome: 1, delayMs: 3000 };
    r.keys("147258", "ENTER");
    r.advance(500);
    assert.equal(r.state(), "PROCESSING");
    r.pull();
    assert.equal(r.engine.called("cardRemoved").length, 1);
    assert.equal(r.state(), "RESULT");
    assert.deepEqual(r.lines().map((l) => l.trim()), ["CARD REMOVED", "WILL BE REVERSED"]);
    assert.equal(r.last().reversalPending, true);
    r.printAll(2000);
    assert.equal(r.receipts().length, 0);
  });

  it("chip pulled during the completion wait: cardRemoved, never complete()", () => {
    const r = new Rig();
    r.insert(CHIP_DEBIT);
    r.keys("5000", "ENTER");
    r.advance(1500);
    r.keys("147258", "ENTER");
    r.advance(650);
    assert.equal(r.lines()[0].trim(), "COMPLETING");
    r.iccModule.pull();
    r.advance(600);
    assert.equal(r.engine.called("cardRemoved").length, 1);
    assert.equal(r.engine.called("complete").length, 0);
    assert.equal(r.lines()[0].trim(), "CARD REMOVED");
  });

  it("card pulled before anything was sent: CARD REMOVED, back to idle, engine not called", () => {
    const r = new Rig();
    r.insert(CHIP_DEBIT);
    r.keys("50");
    r.pull();
    assert.equal(r.state(), "IDLE");
    assert.equal(r.lines()[1].trim(), "CARD REMOVED");
    const r2 = new Rig();
    r2.insert(CHIP_DEBIT);
    r2.keys("5000", "ENTER");
    r2.advance(1500);
    r2.keys("14");
    r2.pull();
    assert.equal(r2.state(), "IDLE");
    assert.equal(r2.engine.calls.length, 0);
  });

  it("a chip that cannot be read allows the stripe (fallback)", () => {
    const r = new Rig();
    r.keys("F1", "1", "500", "ENTER");
    r.iccModule.silent = true;
    r.insert(CHIP_DEBIT);
    r.advance(2500);
    assert.equal(r.state(), "CARD");
    r.pull();
    r.iccModule.silent = false;
    r.swipe(CHIP_DEBIT);
    assert.equal(r.state(), "CARD", "no fallback for a reader fault alone");
    assert.equal(r.lines()[1].trim(), "USE CHIP");
  });
});

describe("Terminal: chip faults", () => {
  it("a mute chip: CHIP ERROR / REMOVE CARD, then its stripe is accepted (fallback)", () => {
    const r = new Rig();
    r.keys("F1", "1", "500", "ENTER");
    r.insert(CHIP_DEBIT, { mute: true });
    r.advance(1500);
    assert.equal(r.state(), "CARD");
    assert.deepEqual(r.lines().map((l) => l.trim()), ["CHIP ERROR", "REMOVE CARD"]);
    r.pull();
    r.swipe(CHIP_DEBIT);
    assert.equal(r.state(), "PIN");
    r.keys("147258", "ENTER");
    assert.equal(r.engine.panSeen, CHIP_DEBIT.pan);
  });

  it("a chip that declines offline ends the sale: CARD DECLINED", () => {
    const r = new Rig();
    r.keys("F1", "1", "500", "ENTER");
    r.insert(CHIP_DEBIT, { decline: true });
    r.advance(1500);
    assert.equal(r.state(), "IDLE");
    assert.deepEqual(r.lines().map((l) => l.trim()), ["CARD DECLINED", "REMOVE CARD"]);
    assert.equal(r.engine.calls.length, 0);
  });
});

describe("Terminal: other transactions", () => {
  it("void: trace -> the original shown -> ENTER -> the card again -> voidSale(trace, card)", () => {
    const r = new Rig({ cols: 20, rows: 4 });
    r.addJournalSale(42, 8800, MAG_DEBIT.pan);
    r.keys("F1", "2", "43", "ENTER");
    assert.equal(r.lines()[3].trim(), "NO SUCH TRACE");
    r.advance(2500);
    r.keys("42", "ENTER");
    assert.equal(r.state(), "CONFIRM");
    assert.deepEqual(r.lines(), ["VOID          000042", "622202******9873    ", "               88.00", "ENTER=CONFIRM       "]);
    r.keys("ENTER");
    assert.equal(r.state(), "CARD");
    assert.deepEqual(r.lines(), ["VOID                ", "               88.00", "SWIPE/INSERT        ", "ENTER=NO CARD       "]);
    r.swipe(MAG_DEBIT);
    assert.deepEqual(r.engine.called("voidSale")[0].args, [42, MAG_DEBIT.pan, null]);
    r.advance(1000);
    assert.equal(r.lines()[0], "VOID        APPROVED");
    r.printAll();
    assert.ok(r.receipts()[0].some((l) => /^TXN TYPE: +VOID$/.test(l)));
  });

  it("void without the card: ENTER at the card prompt", () => {
    const r = new Rig();
    r.addJournalSale(42, 8800, MAG_DEBIT.pan);
    r.keys("F1", "2", "42", "ENTER");
    assert.deepEqual(r.lines(), ["VOID      000042", "           88.00"]);
    r.keys("ENTER", "ENTER");
    assert.deepEqual(r.engine.called("voidSale")[0].args, [42, null, null]);
  });

  it("refund: amount, original RRN and date, card, no PIN", () => {
    const r = new Rig();
    r.keys("F1", "3", "1500", "ENTER");
    assert.equal(r.state(), "RRN");
    r.keys("12345", "ENTER");
    assert.equal(r.lines()[1].trim(), "NEED 12 DIGITS");
    r.advance(2500);
    r.keys("1234567", "ENTER");
    assert.equal(r.state(), "DATE");
    r.keys("1332", "ENTER");
    assert.equal(r.lines()[1].trim(), "BAD DATE");
    r.advance(2500);
    r.keys("0304", "ENTER");
    assert.equal(r.state(), "CARD");
    r.swipe(MAG_DEBIT);
    const call = r.engine.called("refund");
    assert.deepEqual(call[0].args, [1500, "123451234567", 304]);
    assert.equal(r.engine.called("makePinBlock").length, 0);
    r.advance(1000);
    assert.equal(r.state(), "RESULT");
  });

  it("balance: card, PIN, the balance on screen, no receipt", () => {
    const r = new Rig();
    r.keys("F1", "4");
    assert.equal(r.state(), "CARD");
    r.swipe(MAG_DEBIT);
    r.engine.next = { outcome: 1, rc: "00", balance: 98765 };
    r.keys("1234", "ENTER");
    r.advance(1000);
    assert.deepEqual(r.lines().map((l) => l.trim()), ["BALANCE", "987.65"]);
    r.printAll(2000);
    assert.equal(r.receipts().length, 0);
  });

  it("not signed in: a sale is refused up front; sign-in from the menu", () => {
    const r = new Rig();
    r.engine.isSignedIn = false;
    r.advance(100);
    assert.equal(r.lines()[1].trim(), "NOT SIGNED IN");
    r.keys("F1", "1");
    assert.equal(r.state(), "IDLE");
    assert.deepEqual(r.lines().map((l) => l.trim()), ["NOT SIGNED IN", "SIGN IN AGAIN"]);
    r.advance(2500);
    r.keys("F1", "9");
    assert.equal(r.state(), "PROCESSING");
    assert.equal(r.lines()[0].trim(), "SIGNING IN");
    r.advance(1000);
    assert.equal(r.lines()[0].trim(), "SIGNED IN");
    r.keys("ENTER", "F1", "1");
    assert.equal(r.state(), "AMOUNT");
  });

  it("an idle menu or entry screen goes back to idle after a minute without keys", () => {
    const r = new Rig();
    r.keys("F1", "1", "12");
    r.advance(59000);
    assert.equal(r.state(), "AMOUNT");
    r.advance(2000);
    assert.equal(r.state(), "IDLE");
  });

  it("a clock set by the host neither fires nor freezes the screen timers; the idle clock shows it", () => {
    const r = new Rig();
    r.keys("F1", "1", "12");
    r.clockOffset = 3600000;
    r.advance(1000);
    assert.equal(r.state(), "AMOUNT", "an hour forward is not an hour without keys");
    r.clockOffset = -7200000;
    r.advance(61000);
    assert.equal(r.state(), "IDLE", "two hours back does not freeze the entry timeout");
    assert.equal(r.lines()[0], "10000001   12:08");
  });

  it("kicks the watchdog from the loop", () => {
    const r = new Rig();
    const k = r.kicks;
    r.advance(100);
    assert.ok(r.kicks - k >= 19);
  });

  it("a result the engine gives at once (refused) is shown", () => {
    const r = new Rig();
    toPin(r, "100");
    r.engine.refuseNext = OUT_BUSY;
    r.keys("1234", "ENTER");
    assert.equal(r.state(), "RESULT");
    assert.equal(r.lines()[0].trim(), "BUSY");
    assert.equal(r.last().type, TXN_SALE);
  });
});
