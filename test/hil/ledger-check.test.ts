/**
 * The terminal-vs-host comparison every scenario ends with (hil/scenarios/ledger-check.ts):
 * agreeing books pass, and each kind of disagreement is caught and named.
 */
import { strict as assert } from "node:assert";
import { ledgerProblems, type JournalRow, type SlipRow, type TerminalBook } from "../../hil/scenarios/ledger-check";
import type { BatchRecord, LedgerSnapshot, LedgerTxn } from "../../hil/host/ledger";

const TID = "10000001";

function txn(stan: number, kind: LedgerTxn["kind"], amount: number, status: LedgerTxn["status"], code = "00", batch = 1): LedgerTxn {
  return {
    id: stan, kind, terminalId: TID, merchantId: "898100012340001", batch: String(batch).padStart(6, "0"), stan: String(stan).padStart(6, "0"),
    date: "20240305", time: "140700", rrn: "000000000001", authCode: code === "00" ? "000001" : "", account: "mag-debit",
    panMasked: "622202******9873", amount, code, status, refunded: 0,
  };
}

function row(stan: number, type: string, amount: number, status: string, batch = 1): JournalRow {
  return { type, status, amount, stan, origStan: 0, batch, time: 0, entryMode: 21, rc: "00", pan: "622202******9873", rrn: "", authCode: "", settled: false };
}

function slip(stan: number, amount: number): SlipRow {
  return { stan, type: "SALE", amount, pan: "622202******9873", reason: "98", tries: 1 };
}

function snap(transactions: LedgerTxn[], batches: BatchRecord[] = []): LedgerSnapshot {
  return { transactions, postings: [], reversals: [], accounts: [], batches };
}

function book(batch: JournalRow[], pending: SlipRow | null = null, manual: SlipRow[] = []): TerminalBook {
  return { tid: TID, batch, pending, manual };
}

describe("ledgerProblems: terminal journal vs host ledger", () => {
  it("agrees on approved, voided, declined and refunded entries", () => {
    const host = snap([txn(2, "sale", 1000, "voided"), txn(3, "void", 1000, "approved"), txn(4, "sale", 500, "declined", "51"), txn(5, "refund", 200, "approved"), txn(6, "sale", 300, "approved")]);
    const term = book([row(2, "SALE", 1000, "VOIDED"), row(3, "VOID", 1000, "APPROVED"), row(4, "SALE", 500, "DECLINED"), row(5, "REFUND", 200, "APPROVED"), row(6, "SALE", 300, "APPROVED")]);
    assert.deepEqual(ledgerProblems(term, host), []);
  });

  it("a host debit the terminal does not know about is a problem, unless pending or on the manual list", () => {
    const host = snap([txn(7, "sale", 900, "approved")]);
    const p = ledgerProblems(book([]), host);
    assert.equal(p.length, 1);
    assert.match(p[0], /does not know about/);
    assert.deepEqual(ledgerProblems(book([], slip(7, 900)), host), []);
    assert.deepEqual(ledgerProblems(book([], null, [slip(7, 900)]), host), []);
  });

  it("a reversal the terminal thinks done but the host never applied is a lost reversal", () => {
    const p = ledgerProblems(book([row(8, "SALE", 100, "REVERSED")]), snap([txn(8, "sale", 100, "approved")]));
    assert.equal(p.length, 1);
    assert.match(p[0], /reversal lost/);
  });

  it("an approved journal entry the host reversed, declined or never saw is a problem", () => {
    assert.match(ledgerProblems(book([row(9, "SALE", 100, "APPROVED")]), snap([txn(9, "sale", 100, "reversed")]))[0], /host has sale trace 000009/);
    assert.match(ledgerProblems(book([row(9, "SALE", 100, "APPROVED")]), snap([txn(9, "sale", 100, "declined", "51")]))[0], /host has sale/);
    assert.match(ledgerProblems(book([row(9, "SALE", 100, "APPROVED")]), snap([]))[0], /never approved/);
  });

  it("a sale voided by a void still being reversed (or on the manual list) may stay APPROVED in the journal", () => {
    const sale = txn(2, "sale", 1000, "voided");
    const voidTxn = Object.assign(txn(3, "void", 1000, "approved"), { original: 2 });
    const host = snap([sale, voidTxn]);
    assert.deepEqual(ledgerProblems(book([row(2, "SALE", 1000, "APPROVED")], slip(3, 1000)), host), []);
    assert.deepEqual(ledgerProblems(book([row(2, "SALE", 1000, "APPROVED")], null, [slip(3, 1000)]), host), []);
    assert.equal(ledgerProblems(book([row(2, "SALE", 1000, "APPROVED")]), host).length, 2, "otherwise: the void and the sale's status");
  });

  it("amounts and kinds must match", () => {
    assert.match(ledgerProblems(book([row(10, "SALE", 100, "APPROVED")]), snap([txn(10, "sale", 101, "approved")])).join("\n"), /amount|journaled/);
    assert.match(ledgerProblems(book([row(11, "SALE", 100, "APPROVED")]), snap([txn(11, "sale", 100, "voided")]))[0], /says APPROVED/);
  });

  it("settled batches must balance, or be closed by an upload whose items the host has", () => {
    const base: BatchRecord = { terminalId: TID, batch: "000001", state: "closed", balanced: false, uploaded: [] };
    const sale = txn(2, "sale", 1000, "approved");
    const good = Object.assign({}, base, { uploaded: [{ stan: "000002", amount: 1000, panMasked: "622202******9873", result: "mismatch" as const }] });
    assert.deepEqual(ledgerProblems(book([]), snap([sale], [good])), [], "masked PAN, trace and amount match");
    const wrong = Object.assign({}, base, { uploaded: [{ stan: "000002", amount: 999, panMasked: "622202******9873", result: "mismatch" as const }] });
    assert.match(ledgerProblems(book([]), snap([sale], [wrong]))[0], /no matching approved transaction/);
    const open = Object.assign({}, base, { state: "settled" as const });
    assert.match(ledgerProblems(book([]), snap([], [open]))[0], /never closed/);
    assert.deepEqual(ledgerProblems(book([]), snap([], [Object.assign({}, base, { balanced: true })])), []);
  });
});
