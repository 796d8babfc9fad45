/**
 * Scriptable faults for the host simulator. A fault is injected with an optional match on the
 * request (MTI, processing code, nth matching request) and applies to `times` matching
 * requests (default 1). When several pending faults match one request, the one injected first
 * applies (faults are consumed in injection order); one request gets at most one fault.
 * 'refuse-connection' matches connections instead of requests (its `nth` counts connections).
 *
 * Kinds:
 *   no-reply            the host processes the request (ledger changes) and never answers;
 *                       with `process: false` it drops the request unread instead
 *   late-reply          processes now, answers after `delayMs`
 *   refuse-connection   accepts the TCP connection and resets it at once (nothing is read);
 *                       for a true ECONNREFUSED use HostSimulator.setAccepting(false)
 *   drop-mid-reply      processes, sends part of the reply frame, closes the connection
 *   wrong-mac           processes, answers with a corrupted field 64
 *   malformed           processes, answers with a frame whose fields run past its end
 *   wrong-stan          processes, answers with field 11 changed (MAC recomputed, so only the
 *                       STAN is wrong)
 *   wrong-tid           processes, answers with field 41 changed (MAC recomputed): a reply
 *                       meant for another terminal
 *   duplicate-reply     processes, sends the reply twice
 *   reversal-not-acked  (matches 0400 unless `match` says otherwise) answers with `code`
 *                       (default 96) and leaves the reversal unapplied
 *   sign-in-again       processes normally; the reply header's processing requirement is 3
 *   code                answers with `code` without touching the ledger
 */

export type FaultKind =
  | "no-reply"
  | "late-reply"
  | "refuse-connection"
  | "drop-mid-reply"
  | "wrong-mac"
  | "malformed"
  | "wrong-stan"
  | "wrong-tid"
  | "duplicate-reply"
  | "reversal-not-acked"
  | "sign-in-again"
  | "code";

export const FAULT_KINDS: FaultKind[] = [
  "no-reply",
  "late-reply",
  "refuse-connection",
  "drop-mid-reply",
  "wrong-mac",
  "malformed",
  "wrong-stan",
  "wrong-tid",
  "duplicate-reply",
  "reversal-not-acked",
  "sign-in-again",
  "code",
];

export interface FaultMatch {
  /** e.g. "0200" */
  mti?: string;
  /** field 3, e.g. "000000" */
  proc?: string;
  /** Apply from the nth request matching mti/proc after injection (1-based, default 1). */
  nth?: number;
}

export interface FaultSpec {
  fault: FaultKind;
  match?: FaultMatch;
  /** How many matching requests (or connections) it applies to; default 1. */
  times?: number;
  /** late-reply delay, ms (default 1000). */
  delayMs?: number;
  /** Response code for 'code' (required) and 'reversal-not-acked' (default "96"). */
  code?: string;
  /** no-reply only: false = drop the request before the ledger sees it. Default true. */
  process?: boolean;
}

interface Pending {
  spec: FaultSpec;
  left: number;
  seen: number;
}

export class FaultPlan {
  private pending: Pending[] = [];

  add(spec: FaultSpec): void {
    if (FAULT_KINDS.indexOf(spec.fault) < 0) throw new Error("unknown fault " + spec.fault);
    if (spec.fault === "code" && !(spec.code && /^[0-9A-Z]{2}$/.test(spec.code))) throw new Error("fault 'code' needs a 2-character code");
    const times = spec.times === undefined ? 1 : spec.times;
    if (!(times >= 1)) throw new Error("times must be at least 1");
    const match = Object.assign({}, spec.match);
    if (spec.fault === "reversal-not-acked" && !match.mti) match.mti = "0400";
    this.pending.push({ spec: Object.assign({}, spec, { match: match }), left: times, seen: 0 });
  }

  clear(): void {
    this.pending = [];
  }

  /** Faults not yet used up (copies). */
  list(): Array<FaultSpec & { left: number }> {
    return this.pending.map((p) => Object.assign({}, p.spec, { left: p.left }));
  }

  /** The fault for this request, consumed; undefined when none applies. */
  forRequest(mti: string | undefined, proc: string | undefined): FaultSpec | undefined {
    return this.take((p) => {
      if (p.spec.fault === "refuse-connection") return false;
      const m = p.spec.match || {};
      if (m.mti && m.mti !== mti) return false;
      if (m.proc && m.proc !== proc) return false;
      return true;
    });
  }

  /** The 'refuse-connection' fault for a new connection, consumed. */
  forConnection(): FaultSpec | undefined {
    return this.take((p) => p.spec.fault === "refuse-connection");
  }

  private take(matches: (p: Pending) => boolean): FaultSpec | undefined {
    // Every matching fault counts the request towards its nth, even if an earlier fault wins.
    let chosen: Pending | undefined;
    for (const p of this.pending) {
      if (!matches(p)) continue;
      p.seen++;
      const nth = (p.spec.match && p.spec.match.nth) || 1;
      if (!chosen && p.seen >= nth) chosen = p;
    }
    if (!chosen) return undefined;
    chosen.left--;
    if (chosen.left <= 0) this.pending.splice(this.pending.indexOf(chosen), 1);
    return chosen.spec;
  }
}
