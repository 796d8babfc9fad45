/**
 * The host's message log: a safe summary of each request and reply. PANs are masked (first 6
 * + last 4); PIN blocks, tracks, ICC data, keys and MACs are never copied, only the list of
 * field numbers present.
 */
import { maskPan, type FieldValue } from "./codec";

export interface HostLogEntry {
  seq: number;
  /** ISO time from the host clock. */
  at: string;
  connection: number;
  direction: "in" | "out" | "event";
  mti?: string;
  operation?: string;
  proc?: string;
  stan?: string;
  terminalId?: string;
  batch?: string;
  amount?: number;
  /** Field 39. */
  code?: string;
  /** Masked PAN from field 2 or track 2. */
  pan?: string;
  rrn?: string;
  authCode?: string;
  /** Field numbers present. */
  fields?: number[];
  fault?: string;
  note?: string;
}

type Summary = Pick<HostLogEntry, "mti" | "proc" | "stan" | "terminalId" | "batch" | "amount" | "code" | "pan" | "rrn" | "authCode" | "fields">;

/** Safe fields of a (possibly partial) message. */
export function summarize(mti: string | undefined, fields: { [n: number]: FieldValue }): Summary {
  const s = (n: number) => (typeof fields[n] === "string" ? (fields[n] as string) : undefined);
  const out: Summary = { mti: mti };
  out.fields = Object.keys(fields)
    .map(Number)
    .sort((a, b) => a - b);
  if (s(3) !== undefined) out.proc = s(3);
  if (s(11) !== undefined) out.stan = s(11);
  if (s(41) !== undefined) out.terminalId = s(41);
  const f60 = s(60);
  if (f60 !== undefined && f60.length >= 8) out.batch = f60.slice(2, 8);
  if (s(4) !== undefined) out.amount = Number(s(4));
  if (s(39) !== undefined) out.code = s(39);
  if (s(37) !== undefined) out.rrn = s(37);
  if (s(38) !== undefined) out.authCode = s(38);
  let pan = s(2);
  const t2 = s(35);
  if (pan === undefined && t2 !== undefined && t2.indexOf("=") > 0) pan = t2.slice(0, t2.indexOf("="));
  if (pan !== undefined) out.pan = maskPan(pan);
  return out;
}

function yuan(fen: number): string {
  return (fen / 100).toFixed(2);
}

/** One line per entry, for `npm run host`. */
export function formatEntry(e: HostLogEntry): string {
  const parts: string[] = [e.at, "#" + e.connection, e.direction === "in" ? "<-" : e.direction === "out" ? "->" : "**"];
  if (e.mti) parts.push(e.mti);
  if (e.operation) parts.push(e.operation);
  if (e.terminalId) parts.push("tid=" + e.terminalId);
  if (e.batch) parts.push("batch=" + e.batch);
  if (e.stan) parts.push("stan=" + e.stan);
  if (e.proc) parts.push("proc=" + e.proc);
  if (e.pan) parts.push("pan=" + e.pan);
  if (e.amount !== undefined) parts.push("amt=" + yuan(e.amount));
  if (e.code) parts.push("rc=" + e.code);
  if (e.rrn) parts.push("rrn=" + e.rrn);
  if (e.authCode) parts.push("auth=" + e.authCode);
  if (e.fields) parts.push("fields=" + e.fields.join(","));
  if (e.fault) parts.push("FAULT=" + e.fault);
  if (e.note) parts.push("(" + e.note + ")");
  return parts.join(" ");
}
