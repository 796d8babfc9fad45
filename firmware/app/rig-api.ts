/**
 * `global.T`: read-only helpers the HIL scenarios call over the console (the same lines on the
 * virtual board, Espruino for Linux and a real board). Debug reads, off the hot path: each call
 * builds a small plain object or array. Nothing here can change the terminal's state, and
 * nothing returns a full PAN (the journal and the reversal records only hold it masked).
 *
 *   T.screen()          LCD frame buffer rows as strings
 *   T.state()           UI state name ("IDLE", "PIN", "RESULT" ...)
 *   T.last()            the last engine result: {type, outcome, rc, cls, msg, stan, batch, amount,
 *                       balance, authCode, rrn, pan, reversalPending} or null
 *   T.journal(trace)    the journal entry with that trace, or null
 *   T.batch()           every entry of the open batch, in the order written (same shape)
 *   T.pendingReversal() the pending reversal {stan, type, amount, pan, time, reason, tries} or null
 *   T.manualList()      reversals that ran out of tries (manual handling), same shape
 *   T.printQueue()      receipts waiting for the printer
 *   T.lang()            printer language
 */
import type { Terminal } from "./terminal";
import { STATE_NAMES } from "../ui/ui-model";
import { JournalEntry, effectiveStatus } from "../txn/store/journal";
import { ReversalSlip } from "../txn/store/reversal-queue";
import { str } from "../ui/format";
import { msgEn } from "../ui/messages.gen";

export interface RigJournal {
  findByStan(stan: number, out: JournalEntry): boolean;
  /** The i-th entry of the open batch (T.batch); optional for journals that cannot list. */
  entryAt?(i: number, out: JournalEntry): boolean;
}

export interface RigReversals {
  hasPending(): boolean;
  readonly pending: ReversalSlip;
  manualCount(): number;
  manualAt(i: number, out: ReversalSlip): boolean;
}

export interface RigApiParts {
  terminal: Terminal | null;
  journal?: RigJournal | null;
  reversals?: RigReversals | null;
  /** State to report when there is no terminal (configuration error). */
  faultState?: string;
  /** LCD rows when there is no terminal. */
  lcdRows?: () => string[];
}

const JOURNAL_TYPES = ["", "SALE", "VOID", "REFUND", "PREAUTH", "PREAUTH COMPLETE", "PREAUTH CANCEL"];
const JOURNAL_STATUS = ["", "APPROVED", "DECLINED", "REVERSED", "REVERSAL PENDING", "REVERSAL FAILED", "VOIDED", "SETTLED"];

/** Build the T object (install it with `global.T = makeRigApi(...)`). */
export function makeRigApi(p: RigApiParts): any {
  const entry = new JournalEntry();
  const slip = new ReversalSlip();
  return {
    screen: function (): string[] {
      if (p.terminal) return p.terminal.lcdRows();
      return p.lcdRows ? p.lcdRows() : [];
    },
    state: function (): string {
      if (!p.terminal) return p.faultState || "FAULT";
      return STATE_NAMES[p.terminal.m.state] || "?";
    },
    last: function (): any {
      const t = p.terminal;
      if (!t || t.results === 0) return null;
      const d = t.last;
      return {
        type: d.type,
        outcome: d.outcome,
        rc: d.rc0 ? String.fromCharCode(d.rc0, d.rc1) : "",
        cls: d.cls,
        msg: d.msgId > 0 ? msgEn(d.msgId) : "",
        stan: d.stan,
        batch: d.batch,
        amount: d.amount,
        balance: d.balance,
        authCode: text(d.authCode, 6),
        rrn: text(d.rrn, 12),
        pan: str(d.pan, 0, d.panLen),
        reversalPending: d.reversalPending,
      };
    },
    journal: function (trace: number): any {
      if (!p.journal || !p.journal.findByStan(trace, entry)) return null;
      return entryObject(entry);
    },
    batch: function (): any[] {
      const out: any[] = [];
      const j = p.journal;
      if (!j || !j.entryAt) return out;
      for (let i = 0; j.entryAt(i, entry); i++) out.push(entryObject(entry));
      return out;
    },
    pendingReversal: function (): any {
      const q = p.reversals;
      if (!q || !q.hasPending()) return null;
      return slipObject(q.pending);
    },
    manualList: function (): any[] {
      const q = p.reversals;
      const out: any[] = [];
      if (!q) return out;
      const n = q.manualCount();
      for (let i = 0; i < n; i++) if (q.manualAt(i, slip)) out.push(slipObject(slip));
      return out;
    },
    printQueue: function (): number {
      return p.terminal ? p.terminal.queue.size() : 0;
    },
    lang: function (): string {
      return p.terminal && p.terminal.chinese() ? "zh" : "en";
    },
  };
}

function entryObject(e: JournalEntry): any {
  return {
    type: JOURNAL_TYPES[e.type] || "" + e.type,
    status: JOURNAL_STATUS[effectiveStatus(e)] || "" + e.status,
    amount: e.amount,
    stan: e.stan,
    origStan: e.origStan,
    batch: e.batch,
    time: e.time,
    entryMode: e.entryMode,
    rc: e.respCode ? String.fromCharCode((e.respCode >> 8) & 255, e.respCode & 255) : "",
    pan: e.pan.format(),
    rrn: text(e.rrn, 12),
    authCode: text(e.authCode, 6),
    settled: e.settled,
  };
}

function slipObject(s: ReversalSlip): any {
  return {
    stan: s.stan,
    type: JOURNAL_TYPES[s.type] || "" + s.type,
    amount: s.amount,
    pan: s.pan.format(),
    time: s.time,
    reason: String.fromCharCode((s.reason >> 8) & 255, s.reason & 255),
    tries: s.tries,
  };
}

function text(b: Uint8Array, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) {
    if (b[i] === 0) break;
    s += String.fromCharCode(b[i]);
  }
  return s;
}
