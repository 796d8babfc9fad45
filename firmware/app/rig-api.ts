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
 *
 * A deployed terminal never reads T, so it should cost it nothing: main.ts makes T a getter that
 * calls makeRigApi on each read, and all of this (the object, its functions, their scratch
 * records) lives only for that read. The one thing kept is the getter.
 */
import type { Terminal } from "./terminal";
import { STATE_NAMES, V_STATE, V_RESULTS, V_Q_COUNT, V_CHINESE, B_REC } from "../ui/ui-model";
import { J_SETTLED, JournalEntry } from "../txn/store/journal";
import { ReversalSlip } from "../txn/store/reversal-queue";
import { str } from "../ui/format";
import { msgEn } from "../ui/messages.gen";
import {
  R_TYPE,
  R_OUTCOME,
  R_RC,
  R_CLS,
  R_MSG,
  R_STAN,
  R_BATCH,
  R_AMOUNT,
  R_BALANCE,
  R_PAN_LEN,
  R_REV_PENDING,
  RB_AUTH,
  RB_RRN,
  RB_PAN,
} from "../ui/receipt-data";

export interface RigJournal {
  findByStan(stan: number, out: JournalEntry): boolean;
  /** The i-th entry of the open batch (T.batch); optional for journals that cannot list. */
  entryAt?(i: number, out: JournalEntry): boolean;
}

export interface RigReversals {
  readonly isPending: boolean;
  readonly pending: ReversalSlip;
  /** False past the last entry. */
  manualAt(i: number, out: ReversalSlip): boolean;
}

export interface RigApiParts {
  terminal: Terminal | null;
  journal?: RigJournal | null;
  reversals?: RigReversals | null;
  /** State to report when there is no terminal (configuration error). */
  faultState?: string;
  /** The display, when there is no terminal. */
  lcd?: { readonly rows: number; text(row: number): string } | null;
}

/** The T object, built afresh (see above). */
export function makeRigApi(p: RigApiParts): any {
  const JOURNAL_TYPES = ",SALE,VOID,REFUND,PREAUTH,PREAUTH COMPLETE,PREAUTH CANCEL".split(",");
  const JOURNAL_STATUS = ",APPROVED,DECLINED,REVERSED,REVERSAL PENDING,REVERSAL FAILED,VOIDED,SETTLED".split(",");
  /** ASCII bytes up to a 0, at most n. */
  function text(b: Uint8Array, from: number, n: number): string {
    let s = "";
    for (let i = from; i < from + n && b[i] !== 0; i++) s += String.fromCharCode(b[i]);
    return s;
  }
  function entryObject(e: JournalEntry): any {
    return {
      type: JOURNAL_TYPES[e.type] || "" + e.type,
      status: JOURNAL_STATUS[e.settled ? J_SETTLED : e.status] || "" + e.status,
      amount: e.amount,
      stan: e.stan,
      origStan: e.origStan,
      batch: e.batch,
      time: e.time,
      entryMode: e.entryMode,
      rc: e.respCode ? String.fromCharCode((e.respCode >> 8) & 255, e.respCode & 255) : "",
      pan: e.pan.format(),
      rrn: text(e.rrn, 0, 12),
      authCode: text(e.authCode, 0, 6),
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
  const t = p.terminal;
  return {
    screen: function (): string[] {
      const lcd = t ? t.lcd : p.lcd;
      const rows: string[] = [];
      for (let r = 0; lcd && r < lcd.rows; r++) rows.push(lcd.text(r));
      return rows;
    },
    state: function (): string {
      if (!t) return p.faultState || "FAULT";
      return STATE_NAMES.split(",")[t.v[V_STATE]] || "?";
    },
    last: function (): any {
      if (!t || t.v[V_RESULTS] === 0) return null;
      const R = t.rec; // the last result is record 0
      const rc = R[R_RC];
      return {
        type: R[R_TYPE],
        outcome: R[R_OUTCOME],
        rc: rc >> 8 ? String.fromCharCode(rc >> 8, rc & 255) : "",
        cls: R[R_CLS],
        msg: R[R_MSG] > 0 ? msgEn(R[R_MSG]) : "",
        stan: R[R_STAN],
        batch: R[R_BATCH],
        amount: R[R_AMOUNT],
        balance: R[R_BALANCE],
        authCode: text(t.b, B_REC + RB_AUTH, 6),
        rrn: text(t.b, B_REC + RB_RRN, 12),
        pan: str(t.b, B_REC + RB_PAN, B_REC + RB_PAN + R[R_PAN_LEN]),
        reversalPending: R[R_REV_PENDING] === 1,
      };
    },
    journal: function (trace: number): any {
      const entry = new JournalEntry();
      if (!p.journal || !p.journal.findByStan(trace, entry)) return null;
      return entryObject(entry);
    },
    batch: function (): any[] {
      const out: any[] = [];
      const j = p.journal;
      if (!j || !j.entryAt) return out;
      const entry = new JournalEntry();
      for (let i = 0; j.entryAt(i, entry); i++) out.push(entryObject(entry));
      return out;
    },
    pendingReversal: function (): any {
      const q = p.reversals;
      if (!q || !q.isPending) return null;
      return slipObject(q.pending);
    },
    manualList: function (): any[] {
      const q = p.reversals;
      const out: any[] = [];
      if (!q) return out;
      const slip = new ReversalSlip();
      for (let i = 0; q.manualAt(i, slip); i++) out.push(slipObject(slip));
      return out;
    },
    printQueue: function (): number {
      return t ? t.v[V_Q_COUNT] : 0;
    },
    lang: function (): string {
      return t && t.v[V_CHINESE] ? "zh" : "en";
    },
  };
}
