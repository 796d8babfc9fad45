/**
 * What a scenario gets: the target's console, time, power, the host simulator (in Node on every
 * target) and assertions that read the terminal the way a person would (the LCD glass, the
 * paper) plus its books (T.journal, T.batch) against the host ledger.
 *
 *   await ctx.swipe("mag-debit"); await ctx.keys("1250\n");
 *   await ctx.expectScreen(/ENTER PIN/);
 *   await ctx.expectJournal(trace, { status: "APPROVED" });
 *   await ctx.ledgerAgrees();
 *
 * Every action goes through `ctx.do(js)`, one console line (`hil.*` for the devices, `T.*` for
 * the firmware's read-only rig API), so it runs unchanged on all three targets. Timeouts are
 * in the target's time: simulated on the virtual board, real on the others.
 */
import type { Target } from "../rig/target";
import type { HostSimulator } from "../host/server";
import type { HostLogEntry } from "../host/log";
import { ledgerProblems, type JournalRow, type SlipRow } from "./ledger-check";

export class ScenarioFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScenarioFailure";
  }
}

export interface ScenarioContextOptions {
  target: Target;
  host: HostSimulator;
  /** Terminal id in pos.cfg (the host ledger is filtered by it). */
  tid: string;
  /** How often expect* polls, in target ms (default 50). */
  pollMs?: number;
  /** Progress lines (the runner prints them when a scenario fails). */
  log?: (line: string) => void;
}

export interface ExpectOptions {
  /** Target ms to keep trying (default 10000). */
  timeoutMs?: number;
}

export interface PrintedOptions extends ExpectOptions {
  /** Only lines printed after this mark (ctx.printMark()). */
  since?: number;
}

/** The ms the device controls report until their taps are over, plus this much settle time. */
const AFTER_INPUT_MS = 60;

export class ScenarioContext {
  readonly target: Target;
  readonly host: HostSimulator;
  readonly tid: string;
  private readonly pollMs: number;
  private readonly logFn: (line: string) => void;
  private steps = 0;
  private agreedAt = -1;

  constructor(o: ScenarioContextOptions) {
    this.target = o.target;
    this.host = o.host;
    this.tid = o.tid;
    this.pollMs = o.pollMs || 50;
    this.logFn = o.log || function () {};
  }

  // ------------------------------------------------------------------ console, time, power

  /** One console line on the target; resolves with its value (JSON round trip). */
  async do(js: string): Promise<any> {
    this.steps++;
    return this.target.eval(js);
  }

  async wait(ms: number): Promise<void> {
    this.steps++;
    await this.target.wait(ms);
  }

  async powerCut(): Promise<void> {
    this.steps++;
    this.log("power cut");
    await this.target.powerCut();
  }

  async reset(): Promise<void> {
    this.steps++;
    this.log("reset");
    await this.target.reset();
  }

  log(line: string): void {
    this.logFn(line);
  }

  // ------------------------------------------------------------------ devices (hil.*)

  /** Type on the keypad (digits, \n ENTER, \b CLEAR, \x1b CANCEL, {F1}); waits until typed. */
  async keys(text: string): Promise<void> {
    this.log("keys " + JSON.stringify(text));
    const ms = Number(await this.do("hil.keys(" + JSON.stringify(text) + ")"));
    await this.wait(ms + AFTER_INPUT_MS);
  }

  async key(name: string): Promise<void> {
    this.log("key " + name);
    const ms = Number(await this.do("hil.key(" + JSON.stringify(name) + ")"));
    await this.wait(ms + AFTER_INPUT_MS);
  }

  async swipe(card: string, opts?: object): Promise<void> {
    this.log("swipe " + card + (opts ? " " + JSON.stringify(opts) : ""));
    await this.do("hil.swipe(" + JSON.stringify(card) + (opts ? "," + JSON.stringify(opts) : "") + ")");
    await this.wait(300);
  }

  async insert(card: string, opts?: object): Promise<void> {
    this.log("insert " + card);
    await this.do("hil.insert(" + JSON.stringify(card) + (opts ? "," + JSON.stringify(opts) : "") + ")");
    await this.wait(200);
  }

  async pull(): Promise<void> {
    this.log("pull the card");
    await this.do("hil.pull()");
    await this.wait(100);
  }

  async paperOut(afterLines?: number): Promise<void> {
    this.log("paper out" + (afterLines !== undefined ? " after " + afterLines + " lines" : ""));
    await this.do(afterLines !== undefined ? "hil.paperOut(" + afterLines + ")" : "hil.paperOut()");
  }

  async loadPaper(): Promise<void> {
    this.log("load paper");
    await this.do("hil.loadPaper()");
    await this.wait(100);
  }

  /** The LCD glass, one string per row. */
  async lcd(): Promise<string[]> {
    return (await this.do("hil.lcd()")) as string[];
  }

  /** Every line the printer has printed so far. */
  async printed(): Promise<string[]> {
    return (await this.do("hil.printed()")) as string[];
  }

  /** A mark for expectPrinted({since}): the number of lines printed so far. */
  async printMark(): Promise<number> {
    return (await this.printed()).length;
  }

  // ------------------------------------------------------------------ firmware reads (T.*)

  async T(expr: string): Promise<any> {
    return this.do("T." + expr);
  }

  async state(): Promise<string> {
    return String(await this.T("state()"));
  }

  async journal(trace: number): Promise<JournalRow | null> {
    return (await this.T("journal(" + trace + ")")) as JournalRow | null;
  }

  async pendingReversal(): Promise<SlipRow | null> {
    return (await this.T("pendingReversal()")) as SlipRow | null;
  }

  async manualList(): Promise<SlipRow[]> {
    return (await this.T("manualList()")) as SlipRow[];
  }

  // ------------------------------------------------------------------ waiting and assertions

  /** Poll `probe` until it returns something other than undefined; fail naming `what` after the timeout. */
  async until<V>(what: string, probe: () => Promise<V | undefined>, o: ExpectOptions = {}, why?: () => Promise<string>): Promise<V> {
    const timeout = o.timeoutMs !== undefined ? o.timeoutMs : 10000;
    let waited = 0;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (waited >= timeout) {
        const detail = why ? await why() : "";
        throw new ScenarioFailure(`timed out after ${timeout} ms waiting for ${what}${detail ? "; " + detail : ""}`);
      }
      await this.wait(this.pollMs);
      waited += this.pollMs;
    }
  }

  /** The LCD shows text matching `re` (rows trimmed, joined by newlines). Returns that text. */
  async expectScreen(re: RegExp, o: ExpectOptions = {}): Promise<string> {
    let last = "";
    return this.until(
      "the LCD to show " + re,
      async () => {
        last = screenText(await this.lcd());
        return re.test(last) ? last : undefined;
      },
      o,
      async () => "the LCD shows " + JSON.stringify(last.split("\n")),
    );
  }

  /** The UI reaches one of these states (T.state()). */
  async expectState(names: string | string[], o: ExpectOptions = {}): Promise<string> {
    const want = typeof names === "string" ? [names] : names;
    let last = "";
    return this.until(
      "state " + want.join(" or "),
      async () => {
        last = await this.state();
        return want.indexOf(last) >= 0 ? last : undefined;
      },
      o,
      async () => "state is " + last + ", LCD " + JSON.stringify(await this.lcd()),
    );
  }

  /**
   * Printed paper (since a mark) matches `re`; then waits for the printer to finish what it
   * is printing and returns all the text since the mark.
   */
  async expectPrinted(re: RegExp, o: PrintedOptions = {}): Promise<string> {
    let last = "";
    const timeoutMs = o.timeoutMs !== undefined ? o.timeoutMs : 30000;
    await this.until(
      "the printer to print " + re,
      async () => {
        last = (await this.printed()).slice(o.since || 0).join("\n");
        return re.test(last) ? last : undefined;
      },
      { timeoutMs: timeoutMs },
      async () => "printed since the mark: " + JSON.stringify(last.split("\n").slice(-12)),
    );
    await this.printerIdle({ timeoutMs: timeoutMs });
    return (await this.printed()).slice(o.since || 0).join("\n");
  }

  /** Wait until the printer has nothing left to print (queue empty, model buffer drained). */
  async printerIdle(o: ExpectOptions = {}): Promise<void> {
    await this.until(
      "the printer to finish",
      async () => {
        const q = Number(await this.T("printQueue()"));
        const st = (await this.do("hil.status()")) as { printerBuffered: number };
        return q === 0 && st.printerBuffered === 0 ? true : undefined;
      },
      { timeoutMs: o.timeoutMs !== undefined ? o.timeoutMs : 30000 },
    );
  }

  /** The journal entry for `trace` has these fields. */
  async expectJournal(trace: number, want: Partial<JournalRow>): Promise<JournalRow> {
    const row = await this.journal(trace);
    if (!row) throw new ScenarioFailure(`no journal entry for trace ${trace} (wanted ${JSON.stringify(want)})`);
    for (const k of Object.keys(want) as Array<keyof JournalRow>) {
      if (row[k] !== want[k]) throw new ScenarioFailure(`journal trace ${trace}: ${k} is ${JSON.stringify(row[k])}, wanted ${JSON.stringify(want[k])} (entry ${JSON.stringify(row)})`);
    }
    return row;
  }

  /** A host log entry matching `pred` (new or old); waits for it. */
  async expectHost(what: string, pred: (e: HostLogEntry) => boolean, o: ExpectOptions = {}): Promise<HostLogEntry> {
    return this.until("the host to see " + what, async () => this.host.log.find(pred), o, async () => "host log: " + this.hostTrail());
  }

  /** Requests the host received (direction in), optionally of one MTI. */
  hostRequests(mti?: string): HostLogEntry[] {
    return this.host.log.filter((e) => e.direction === "in" && (!mti || e.mti === mti));
  }

  /** Host log marker: entries after it are new. */
  hostMark(): number {
    return this.host.log.length ? this.host.log[this.host.log.length - 1].seq : 0;
  }

  /** Requests after a hostMark(), as "MTI/proc" strings, in arrival order. */
  hostRequestsSince(mark: number): HostLogEntry[] {
    return this.host.log.filter((e) => e.seq > mark && e.direction === "in");
  }

  /** The last host log lines, short. */
  hostTrail(n = 8): string {
    return this.host.log
      .slice(-n)
      .map((e) => `${e.direction} ${e.mti || ""} ${e.operation || ""} stan ${e.stan || "-"} ${e.code || ""}${e.fault ? " fault " + e.fault : ""}${e.note ? " (" + e.note + ")" : ""}`)
      .join(" | ");
  }

  check(cond: unknown, message: string): void {
    if (!cond) throw new ScenarioFailure(message);
  }

  equal<V>(actual: V, expected: V, what: string): void {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      throw new ScenarioFailure(`${what}: got ${JSON.stringify(actual)}, wanted ${JSON.stringify(expected)}`);
    }
  }

  /**
   * The terminal's journal, pending reversal and manual list agree with the host ledger
   * (ledger-check.ts). Every scenario ends with this.
   */
  async ledgerAgrees(): Promise<void> {
    const book = {
      tid: this.tid,
      batch: (await this.T("batch()")) as JournalRow[],
      pending: await this.pendingReversal(),
      manual: await this.manualList(),
    };
    const problems = ledgerProblems(book, this.host.ledger.snapshot());
    this.agreedAt = this.steps;
    if (problems.length) throw new ScenarioFailure("terminal and host ledger disagree:\n  " + problems.join("\n  "));
    this.log(`ledger agrees: ${book.batch.length} journal entries, pending reversal ${book.pending ? book.pending.stan : "none"}, manual list ${book.manual.length}`);
  }

  /** Nothing was done after the last ledgerAgrees() (the runner checks this). */
  endedWithLedgerCheck(): boolean {
    return this.agreedAt >= 0 && this.agreedAt === this.steps;
  }
}

/** LCD rows trimmed on the right, joined by newlines. */
export function screenText(rows: string[]): string {
  return rows.map((r) => r.replace(/\s+$/, "")).join("\n");
}
