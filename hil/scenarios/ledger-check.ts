/**
 * Does the terminal's book agree with the acquirer's? A pure comparison of what the terminal
 * says (T.batch(): the open batch of its journal, T.pendingReversal(), T.manualList()) with the
 * host simulator's ledger snapshot. It returns the disagreements as sentences; none = agree.
 *
 * The rules (PROTOCOL.md "Reversal" and "Settlement"; "no debit the terminal does not know
 * about, no reversal lost"):
 *  1. Every transaction the host approved that still moves money (sale, void, refund) is known
 *     to the terminal: a journal entry of the same kind, amount and a matching status, or a
 *     pending reversal of that trace (it will be undone), or a record on the manual-handling
 *     list (the merchant was told on a slip). A sale the host shows voided by such a void may
 *     still be APPROVED in the journal: the terminal cannot know how that void ended.
 *  2. A journal entry the terminal counts as done (APPROVED, VOIDED) exists on the host, same
 *     kind and amount, and still stands there (not reversed, not declined).
 *  3. A reversal the terminal considers done is applied on the host: the host does not hold an
 *     approved sale/void for a trace the journal lists as REVERSED.
 *  4. Every batch the host has settled for this terminal balanced, or was closed after a batch
 *     upload whose items each match a transaction the host approved: same trace, amount and
 *     masked PAN. (The terminal keeps only first 6 + last 4 of a PAN, so its upload carries
 *     zeros in between; the host simulator's own `result` compares the full PAN and reports
 *     "mismatch" for every item, so it is not used here.)
 * Only batches the terminal still has open are compared entry by entry (a settled batch is gone
 * from the terminal's journal; rule 4 covers it).
 */
import type { LedgerSnapshot, LedgerTxn, UploadCheck } from "../host/ledger";

/** T.journal(trace) / T.batch() rows (firmware/app/rig-api.ts). */
export interface JournalRow {
  type: string;
  status: string;
  amount: number;
  stan: number;
  origStan: number;
  batch: number;
  /** Terminal time, seconds. */
  time: number;
  /** Field 22 as a number (21 swipe, 51 chip...). */
  entryMode: number;
  rc: string;
  pan: string;
  rrn: string;
  authCode: string;
  settled: boolean;
}

/** T.pendingReversal() / T.manualList() rows. */
export interface SlipRow {
  stan: number;
  type: string;
  amount: number;
  pan: string;
  reason: string;
  tries: number;
}

export interface TerminalBook {
  tid: string;
  batch: JournalRow[];
  pending: SlipRow | null;
  manual: SlipRow[];
}

const KIND_OF_TYPE: { [type: string]: string } = { SALE: "sale", VOID: "void", REFUND: "refund" };
const MONEY_KINDS = ["sale", "void", "refund"];

function stanNum(s: string): number {
  return Number(s);
}

function batchNum(s: string): number {
  return Number(s);
}

function describe(t: LedgerTxn): string {
  return `${t.kind} trace ${t.stan} batch ${t.batch} amount ${t.amount} (host ${t.status}, ${t.code})`;
}

/** An uploaded record is a transaction the host approved in that batch: trace, amount, first 6 + last 4. */
export function uploadMatches(u: UploadCheck, batch: string, snap: LedgerSnapshot): boolean {
  const ends = (p: string) => p.slice(0, 6) + p.slice(-4);
  return snap.transactions.some(
    (t) => t.batch === batch && t.stan === u.stan && t.code === "00" && t.status !== "declined" && t.amount === u.amount && ends(t.panMasked) === ends(u.panMasked),
  );
}

/** The disagreements between the terminal's book and the host ledger; [] when they agree. */
export function ledgerProblems(book: TerminalBook, snap: LedgerSnapshot): string[] {
  const problems: string[] = [];
  const settledOnHost: { [batch: number]: boolean } = {};
  for (const b of snap.batches) if (b.terminalId === book.tid && b.state !== "open") settledOnHost[batchNum(b.batch)] = true;
  const openBatches: { [batch: number]: boolean } = {};
  for (const j of book.batch) openBatches[j.batch] = true;
  const hostTxns = snap.transactions.filter(
    (t) => t.terminalId === book.tid && MONEY_KINDS.indexOf(t.kind) >= 0 && (openBatches[batchNum(t.batch)] || !settledOnHost[batchNum(t.batch)]),
  );
  const pendingStan = book.pending ? book.pending.stan : -1;
  const manualStans = book.manual.map((m) => m.stan);
  const rowFor = (t: LedgerTxn): JournalRow | undefined =>
    book.batch.filter((j) => j.stan === stanNum(t.stan) && j.batch === batchNum(t.batch)).pop();

  // 1 + 3: what moved money on the host is known to the terminal
  for (const t of hostTxns) {
    if (t.forced) continue;
    const moved = t.code === "00" && (t.status === "approved" || t.status === "voided");
    const row = rowFor(t);
    if (!moved) {
      if (row && (row.status === "APPROVED" || row.status === "VOIDED") && KIND_OF_TYPE[row.type] === t.kind) {
        problems.push(`the terminal's journal says ${row.type} ${row.status} for trace ${row.stan}, but the host has ${describe(t)}`);
      }
      continue;
    }
    const stan = stanNum(t.stan);
    if (stan === pendingStan) continue; // it will be reversed
    if (manualStans.indexOf(stan) >= 0) continue; // the merchant has the failed-reversal slip
    if (!row) {
      problems.push(`the host holds ${describe(t)} that the terminal does not know about (no journal entry, no pending reversal, not on the manual list)`);
      continue;
    }
    if (KIND_OF_TYPE[row.type] !== t.kind || row.amount !== t.amount) {
      problems.push(`trace ${stan}: the terminal journaled ${row.type} ${row.amount}, the host ${describe(t)}`);
      continue;
    }
    const want = t.status === "voided" ? ["VOIDED"] : ["APPROVED", "REVERSAL PENDING", "REVERSAL FAILED"];
    // voided by a void the terminal is still reversing, or gave up reversing (manual list): it
    // cannot know how that void ended; the pending reversal or the slip says so
    const uncertainVoid =
      t.status === "voided" &&
      hostTxns.some((v) => v.kind === "void" && v.original === t.id && (stanNum(v.stan) === pendingStan || manualStans.indexOf(stanNum(v.stan)) >= 0));
    if (want.indexOf(row.status) < 0 && !(uncertainVoid && row.status === "APPROVED")) {
      const lost = row.status === "REVERSED" ? " (a reversal the terminal thinks was done never reached the host: reversal lost)" : "";
      problems.push(`trace ${stan}: the terminal's journal says ${row.status}, the host has ${describe(t)}${lost}`);
    }
  }

  // 2: what the terminal counts as done stands on the host
  for (const j of book.batch) {
    if (j.status !== "APPROVED" && j.status !== "VOIDED") continue;
    const kind = KIND_OF_TYPE[j.type];
    if (!kind) continue;
    const t = hostTxns.filter((x) => stanNum(x.stan) === j.stan && batchNum(x.batch) === j.batch && x.kind === kind).pop();
    if (!t) {
      problems.push(`the terminal's journal has ${j.type} ${j.status} trace ${j.stan} batch ${j.batch} amount ${j.amount}, which the host never approved (not in its ledger)`);
      continue;
    }
    if (t.amount !== j.amount) problems.push(`trace ${j.stan}: amount ${j.amount} on the terminal, ${t.amount} on the host`);
  }

  // 4: settled batches
  for (const b of snap.batches) {
    if (b.terminalId !== book.tid || b.state === "open") continue;
    if (b.balanced) continue;
    if (b.state !== "closed") problems.push(`batch ${b.batch} did not balance and was never closed by a batch upload`);
    for (const u of b.uploaded) {
      if (uploadMatches(u, b.batch, snap)) continue;
      problems.push(`batch ${b.batch}: uploaded trace ${u.stan} amount ${u.amount} card ${u.panMasked} has no matching approved transaction on the host`);
    }
  }
  return problems;
}
