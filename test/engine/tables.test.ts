/**
 * The engine's tables and helpers: response codes -> class + message id, the message-id copy
 * against the generated catalogue, calendar arithmetic without Date, settlement field 48, the
 * zeros its wipes copy.
 */
import { strict as assert } from "node:assert";
import * as GEN from "../../firmware/ui/messages.gen";
import * as IDS from "../../firmware/txn/message-ids";
import {
  CLS_CALL_ISSUER,
  CLS_DO_NOT_RETRY,
  CLS_REENTER_AMOUNT,
  CLS_REENTER_PIN,
  CLS_RETRY_LATER,
  CLS_SIGN_IN_AGAIN,
  CLS_SUCCESS,
  CLS_SYSTEM,
} from "../../firmware/txn/engine-api";
import { actionMessage, rcClass, rcIndex, rcMessage, RC_CODES } from "../../firmware/txn/response-codes";
import { civilFromMs, msFromCivil } from "../../firmware/txn/engine-time";
import { settles } from "../../firmware/txn/settlement";
import { REQUEST_CAPACITY } from "../../firmware/txn/engine-messages";
import { TX_CAPACITY } from "../../firmware/txn/engine";
import { ZEROS } from "../../firmware/lib/zeros";
import { JournalEntry, J_APPROVED, J_DECLINED, J_REVERSAL_FAILED, J_REVERSED, J_VOIDED, TXN_REFUND, TXN_SALE, TXN_VOID } from "../../firmware/txn/store/journal";

const code = (s: string): [number, number] => [s.charCodeAt(0), s.charCodeAt(1)];

describe("response codes", () => {
  // PROTOCOL.md's table, plus 21 / 54 / 57 / 62 / 64 that the host simulator gives
  const expected: Array<[string, number, string]> = [
    ["00", CLS_SUCCESS, "MSG_RC_00"],
    ["01", CLS_CALL_ISSUER, "MSG_RC_01"],
    ["03", CLS_SYSTEM, "MSG_RC_03"],
    ["05", CLS_DO_NOT_RETRY, "MSG_RC_05"],
    ["12", CLS_DO_NOT_RETRY, "MSG_RC_12"],
    ["13", CLS_REENTER_AMOUNT, "MSG_RC_13"],
    ["14", CLS_DO_NOT_RETRY, "MSG_RC_14"],
    ["21", CLS_DO_NOT_RETRY, "MSG_RC_21"],
    ["25", CLS_DO_NOT_RETRY, "MSG_RC_25"],
    ["30", CLS_SYSTEM, "MSG_RC_30"],
    ["33", CLS_DO_NOT_RETRY, "MSG_RC_33"],
    ["41", CLS_DO_NOT_RETRY, "MSG_RC_41"],
    ["43", CLS_DO_NOT_RETRY, "MSG_RC_43"],
    ["51", CLS_DO_NOT_RETRY, "MSG_RC_51"],
    ["54", CLS_DO_NOT_RETRY, "MSG_RC_54"],
    ["55", CLS_REENTER_PIN, "MSG_RC_55"],
    ["57", CLS_DO_NOT_RETRY, "MSG_RC_57"],
    ["61", CLS_DO_NOT_RETRY, "MSG_RC_61"],
    ["62", CLS_DO_NOT_RETRY, "MSG_RC_62"],
    ["64", CLS_DO_NOT_RETRY, "MSG_RC_64"],
    ["65", CLS_DO_NOT_RETRY, "MSG_RC_65"],
    ["75", CLS_DO_NOT_RETRY, "MSG_RC_75"],
    ["77", CLS_SIGN_IN_AGAIN, "MSG_RC_77"],
    ["94", CLS_SYSTEM, "MSG_RC_94"],
    ["96", CLS_RETRY_LATER, "MSG_RC_96"],
    ["97", CLS_SYSTEM, "MSG_RC_97"],
    ["98", CLS_RETRY_LATER, "MSG_RC_98"],
    ["A0", CLS_SIGN_IN_AGAIN, "MSG_RC_A0"],
  ];

  it("maps every known code to its class and message id", () => {
    assert.equal(RC_CODES.length, expected.length * 2, "table and test list the same codes");
    for (const [c, cls, msg] of expected) {
      assert.equal(rcClass(...code(c)), cls, "class of " + c);
      assert.equal(rcMessage(...code(c)), (GEN as unknown as Record<string, number>)[msg], "message of " + c);
    }
  });

  it("unknown codes: do not retry, generic declined message", () => {
    for (const c of ["02", "99", "XY", "a0", "  ", "0"]) {
      const [c0, c1] = c.length === 2 ? code(c) : [48, -1];
      assert.equal(rcIndex(c0, c1), -1);
      assert.equal(rcClass(c0, c1), CLS_DO_NOT_RETRY);
      assert.equal(rcMessage(c0, c1), GEN.MSG_RC_OTHER);
    }
  });

  it("what to do: one action per class, keep the card for lost/stolen", () => {
    assert.equal(actionMessage(CLS_SUCCESS, ...code("00")), -1);
    assert.equal(actionMessage(CLS_DO_NOT_RETRY, ...code("41")), GEN.MSG_ACT_KEEP_CARD);
    assert.equal(actionMessage(CLS_DO_NOT_RETRY, ...code("43")), GEN.MSG_ACT_KEEP_CARD);
    assert.equal(actionMessage(CLS_DO_NOT_RETRY, ...code("51")), GEN.MSG_ACT_OTHER_CARD);
    assert.equal(actionMessage(CLS_REENTER_PIN, ...code("55")), GEN.MSG_ACT_REENTER_PIN);
    assert.equal(actionMessage(CLS_SIGN_IN_AGAIN, ...code("A0")), GEN.MSG_ACT_SIGN_IN);
    assert.equal(actionMessage(CLS_RETRY_LATER, ...code("96")), GEN.MSG_ACT_RETRY_LATER);
    assert.equal(actionMessage(CLS_SYSTEM, ...code("97")), GEN.MSG_ACT_CALL_SUPPORT);
    assert.equal(actionMessage(CLS_CALL_ISSUER, ...code("01")), GEN.MSG_ACT_CALL_ISSUER);
    assert.equal(actionMessage(CLS_REENTER_AMOUNT, ...code("13")), GEN.MSG_ACT_REENTER_AMOUNT);
  });

  it("firmware/txn/message-ids.ts holds the generated catalogue's numbers", () => {
    const ids = IDS as unknown as Record<string, number>;
    const gen = GEN as unknown as Record<string, unknown>;
    assert.ok(Object.keys(ids).length >= 50);
    for (const k of Object.keys(ids)) assert.equal(ids[k], gen[k], k + " differs from firmware/ui/messages.gen.ts");
  });
});

describe("engine calendar arithmetic", () => {
  it("civilFromMs / msFromCivil agree with Date over 1970..2099 and round-trip", () => {
    const c = new Int32Array(9);
    let seed = 12345;
    for (let i = 0; i < 20000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const ms = Math.floor((seed / 0x7fffffff) * Date.UTC(2099, 11, 31)) * 1000 + 999 * (i & 1);
      const at = i % 4; // anywhere in the array
      civilFromMs(ms, c, at);
      const d = new Date(ms);
      assert.deepEqual(Array.from(c.subarray(at, at + 6)), [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()], String(ms));
      assert.equal(msFromCivil(c, at), Math.floor(ms / 1000) * 1000);
    }
    for (const [y, m, d] of [[2024, 2, 29], [2000, 2, 29], [2100, 3, 1], [1970, 1, 1], [2025, 12, 31]]) {
      c.set([y, m, d, 23, 59, 58], 2);
      assert.equal(msFromCivil(c, 2), Date.UTC(y, m - 1, d, 23, 59, 58));
    }
  });
});

describe("settlement figures", () => {
  const entry = (type: number, status: number, amount: number): JournalEntry => {
    const e = new JournalEntry();
    e.type = type;
    e.status = status;
    e.amount = amount;
    return e;
  };

  it("counts as the host does: voided sales stay debits, voids and refunds are credits", () => {
    assert.equal(settles(entry(TXN_SALE, J_APPROVED, 1)), true);
    assert.equal(settles(entry(TXN_SALE, J_VOIDED, 1)), true);
    assert.equal(settles(entry(TXN_VOID, J_APPROVED, 1)), true);
    assert.equal(settles(entry(TXN_REFUND, J_APPROVED, 1)), true);
    for (const st of [J_DECLINED, J_REVERSED, J_REVERSAL_FAILED]) assert.equal(settles(entry(TXN_SALE, st, 1)), false);
    assert.equal(settles(entry(TXN_VOID, J_REVERSED, 1)), false);
  });
  // the 0500's and 0320's field 48 digits: engine-sync.test.ts ("settlement field 48 ...")
});

describe("the wipe's zeros", () => {
  it("cover the request buffer in one copy and the send buffer in two, and wipe them to zeros", () => {
    assert.equal(ZEROS.length, REQUEST_CAPACITY, "req.data.set(ZEROS) needs exactly its length");
    assert.ok(ZEROS.length <= TX_CAPACITY && 2 * ZEROS.length >= TX_CAPACITY, "two copies, the second ending at tx's end");
    const tx = new Uint8Array(TX_CAPACITY).fill(0xa5);
    tx.set(ZEROS);
    tx.set(ZEROS, TX_CAPACITY - ZEROS.length);
    assert.ok(tx.every((b) => b === 0));
  });
});
