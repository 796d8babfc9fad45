/**
 * The rig's console protocol, the same for every target (virtual board, Espruino for Linux, a
 * real board on a serial port).
 *
 * A request is one line, sent `\x10`-prefixed as Espruino's tools do (no echo, no `=result`):
 *
 *   \x10try{print("@@R"+17+" "+JSON.stringify((EXPR)))}catch(e){print("@@E"+17+" "+e)}\n
 *
 * The reply marker `@@R17 ` is assembled at run time, so an echo of the request (a board with
 * echo on, or a terminal that echoes) can never be mistaken for the reply. The output stream is
 * read line by line; a line carrying a marker settles the request with that id. Everything else
 * is tolerated: banners, `>` prompts, echo, `=undefined` results, ANSI line clears, output split
 * into arbitrary chunks; `Uncaught ...` lines (and their indented trace lines) are collected as
 * errors for the scenario to see, other lines as printed output.
 */

import { parse } from "acorn";

export const REPLY_MARK = "@@R";
export const ERROR_MARK = "@@E";
/** Espruino's "DLE": the line that follows is executed without echo. */
export const DLE = "\x10";

/** The line that evaluates `expr` on the target and prints its JSON under `id`. */
export function encodeEval(id: number, expr: string): string {
  if (!(id >= 0) || Math.floor(id) !== id) throw new Error("console protocol: id must be a non-negative integer");
  if (/[\r\n]/.test(expr)) throw new Error("console protocol: the expression must be one line: " + JSON.stringify(expr));
  if (expr.trim() === "") throw new Error("console protocol: empty expression");
  return `${DLE}try{print("${REPLY_MARK}"+${id}+" "+JSON.stringify((${expr})))}catch(e){print("${ERROR_MARK}"+${id}+" "+e)}\n`;
}

/** A line that runs `code` without echo and without a reply (e.g. `load()`). */
export function encodeCommand(code: string): string {
  if (/[\r\n]/.test(code)) throw new Error("console protocol: the command must be one line");
  return DLE + code + "\n";
}

/**
 * The value printed after `@@R<id> `. Espruino's JSON.stringify(undefined) gives "null" where
 * Node's gives undefined (printed "undefined"): both decode to null, so every target agrees.
 */
export function decodeReplyValue(text: string): unknown {
  if (text === "undefined" || text === "") return null;
  return JSON.parse(text);
}

/** A syntax error in the expression, found before sending (Espruino would only print "Uncaught SyntaxError"). */
export function expressionSyntaxError(expr: string): string | null {
  try {
    const program = parse("(" + expr + ")", { ecmaVersion: "latest" });
    if (program.body.length !== 1 || program.body[0].type !== "ExpressionStatement") return "not a single expression";
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const MARKED = /@@([RE])(\d+) (.*)$/;

/** The interpreter's start-up banner and Espruino for Linux's info lines: not firmware output. */
const BANNER: RegExp[] = [
  /^espruino: /,
  /^_{4} {17}_$/,
  /^\|  __\|___ ___ ___ _ _\|_\|___ ___$/,
  /^\|  __\|_ -\| \. \|  _\| \| \| \|   \| \. \|$/,
  /^\|____\|___\|  _\|_\| \|___\|_\|_\|_\|___\|$/,
  /^\|_\| espruino\.com$/,
  /^\d+v\d+(\.\d+)? \(c\) \d{4} G\.Williams$/,
  /^Espruino is Open Source\. Our work is supported$/,
  /^only by sales of official boards and donations:$/,
  /^http:\/\/espruino\.com\/Donate$/,
];

export function isBannerLine(line: string): boolean {
  const t = line.trim();
  return BANNER.some((re) => re.test(t));
}

export interface ConsoleEvents {
  /** A marked reply: ok = @@R (value JSON) or not (@@E, the error text). */
  reply(id: number, ok: boolean, text: string): void;
  /** A line the target printed that is not a reply, prompt, echo or REPL result. */
  output(line: string): void;
  /** An `Uncaught ...` error report (trace lines joined with "\n"). */
  uncaught(text: string): void;
}

/**
 * Splits the target's output stream into lines and classifies them. Feed it text as it comes
 * (any chunking); it holds back an unfinished line until its "\n" arrives.
 */
export class ConsoleStream {
  private partial = "";
  private lastUncaught: string | null = null;

  constructor(private readonly events: ConsoleEvents) {}

  push(chunk: string): void {
    this.partial += chunk;
    let nl: number;
    while ((nl = this.partial.indexOf("\n")) >= 0) {
      const raw = this.partial.slice(0, nl);
      this.partial = this.partial.slice(nl + 1);
      this.line(raw);
    }
  }

  /** Text received after the last newline (a prompt, usually). */
  pending(): string {
    return this.partial;
  }

  private line(raw: string): void {
    // "\r" then "\x1b[J" is how Espruino clears the prompt before printing over it.
    let line = raw.replace(ANSI, "");
    const cr = line.lastIndexOf("\r", line.length - 2);
    if (cr >= 0) line = line.slice(cr + 1);
    line = line.replace(/\r$/, "");
    const m = MARKED.exec(line);
    if (m) {
      this.flushUncaught();
      this.events.reply(Number(m[2]), m[1] === "R", m[3]);
      return;
    }
    // Espruino follows "Uncaught ..." with indented trace lines, blank lines and "^" markers.
    if (this.lastUncaught !== null && (line.trim() === "" || /^\s/.test(line) || /^\^\s*$/.test(line))) {
      if (line.trim() !== "") this.lastUncaught += "\n" + line.trim();
      return;
    }
    this.flushUncaught();
    const text = line.replace(/^(>|:)+/, "");
    if (text.trim() === "") return; // blank line or a bare prompt
    if (text.indexOf('"' + REPLY_MARK + '"+') >= 0 || text.indexOf('"' + ERROR_MARK + '"+') >= 0) return; // echo of a request
    if (/^=/.test(text)) return; // REPL result of an echoed line
    if (isBannerLine(text)) return;
    const u = /Uncaught (.*)$/.exec(text);
    if (u) {
      this.lastUncaught = text.slice(u.index);
      return;
    }
    this.events.output(text);
  }

  private flushUncaught(): void {
    if (this.lastUncaught === null) return;
    const t = this.lastUncaught;
    this.lastUncaught = null;
    this.events.uncaught(t);
  }

  /** Report a held `Uncaught` (its trace lines can only end when another line starts). */
  flush(): void {
    this.flushUncaught();
  }
}

/** The error a target's eval rejects with when the expression threw on the target. */
export class TargetEvalError extends Error {
  constructor(readonly expr: string, readonly remote: string) {
    super(`target threw on ${JSON.stringify(expr)}: ${remote}`);
    this.name = "TargetEvalError";
  }
}

/** No reply came in time: the message says what the target printed meanwhile. */
export class TargetTimeoutError extends Error {
  constructor(readonly expr: string, ms: number, recent: string[]) {
    super(`no reply from the target to ${JSON.stringify(expr)} within ${ms} ms` + (recent.length ? "; it printed:\n  " + recent.join("\n  ") : ""));
    this.name = "TargetTimeoutError";
  }
}

export interface ConsoleSessionOptions {
  /** Default eval timeout (real milliseconds); default 5000. */
  timeoutMs?: number;
  /** How many printed lines / errors to keep until taken; default 2000. */
  keep?: number;
}

interface Pending {
  expr: string;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * Requests and replies over one console: `eval(expr)` writes the request line and resolves
 * with the parsed JSON when its marked reply arrives. The transport feeds output in with
 * `feed()`; `write` sends text to the target.
 */
export class ConsoleSession {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly stream: ConsoleStream;
  private out: string[] = [];
  private errs: string[] = [];
  private recent: string[] = [];
  private readonly timeoutMs: number;
  private readonly keep: number;
  private readonly waiters: { re: RegExp; resolve(line: string): void }[] = [];
  private outputCount = 0;
  private lastOutputAt = 0;

  constructor(private readonly write: (text: string) => void | Promise<void>, opts: ConsoleSessionOptions = {}) {
    this.timeoutMs = opts.timeoutMs === undefined ? 5000 : opts.timeoutMs;
    this.keep = opts.keep || 2000;
    this.stream = new ConsoleStream({
      reply: (id, ok, text) => this.settle(id, ok, text),
      output: (line) => this.printed(line),
      uncaught: (text) => {
        this.errs.push(text);
        if (this.errs.length > this.keep) this.errs.shift();
        this.remember(text);
      },
    });
  }

  /** Output from the target (a Buffer is read as latin1: Espruino strings are bytes). */
  feed(chunk: string | Uint8Array): void {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("latin1");
    this.outputCount++;
    this.lastOutputAt = Date.now();
    this.stream.push(text);
  }

  /**
   * Send a reboot line (`load()`, `reset()`, `E.reboot()`) and wait until the target has printed
   * something and then gone quiet for `quietMs` (at most `maxMs`). Espruino performs the reboot
   * a moment after reading the line and drops the input line it is reading at that moment, so a
   * request sent too soon would arrive cut ("Uncaught ReferenceError: \"nt\" is not defined").
   */
  async reboot(code: string, quietMs = 250, maxMs = 3000): Promise<void> {
    const before = this.outputCount;
    const start = Date.now();
    await this.command(code);
    for (;;) {
      await new Promise((r) => setTimeout(r, Math.min(50, quietMs)));
      const now = Date.now();
      if (now - start >= maxMs) return;
      if (this.outputCount !== before && now - this.lastOutputAt >= quietMs) return;
    }
  }

  /** Evaluate `expr` on the target; resolves with its JSON value, rejects with TargetEvalError / TargetTimeoutError. */
  eval(expr: string, timeoutMs?: number): Promise<unknown> {
    const bad = expressionSyntaxError(expr);
    if (bad) return Promise.reject(new SyntaxError(`rig eval: ${bad} in ${JSON.stringify(expr)}`));
    const id = this.nextId++;
    const line = encodeEval(id, expr);
    const ms = timeoutMs === undefined ? this.timeoutMs : timeoutMs;
    return new Promise<unknown>((resolve, reject) => {
      const p: Pending = { expr, resolve, reject, timer: null };
      if (ms > 0) {
        p.timer = setTimeout(() => {
          this.pending.delete(id);
          this.stream.flush();
          reject(new TargetTimeoutError(expr, ms, this.recent.slice(-10)));
        }, ms);
      }
      this.pending.set(id, p);
      // Written synchronously: an in-process target (the virtual board) answers during write().
      const failed = (e: unknown) => this.fail(id, e instanceof Error ? e : new Error(String(e)));
      try {
        const r = this.write(line);
        if (r && typeof (r as Promise<void>).then === "function") (r as Promise<void>).catch(failed);
      } catch (e) {
        failed(e);
      }
    });
  }

  /** Send a line that gets no reply (e.g. `load()`, `reset()`). */
  async command(code: string): Promise<void> {
    await this.write(encodeCommand(code));
  }

  /** Requests still waiting for their reply. */
  pendingCount(): number {
    return this.pending.size;
  }

  /** Reject every waiting request (the target went away, or a virtual board answered nothing). */
  failAll(err: Error): void {
    for (const id of Array.from(this.pending.keys())) this.fail(id, err);
  }

  /** Printed lines since the last call (not replies, prompts, echo or errors). */
  takeOutput(): string[] {
    const o = this.out;
    this.out = [];
    return o;
  }

  /** `Uncaught ...` reports since the last call. */
  takeErrors(): string[] {
    this.stream.flush();
    const e = this.errs;
    this.errs = [];
    return e;
  }

  /** The latest lines of any kind, for diagnostics. */
  recentLines(): string[] {
    return this.recent.slice();
  }

  /** Resolves with the first printed line (from now on) matching `re`. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const w = {
        re,
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`no line matching ${re} within ${timeoutMs} ms; recent:\n  ` + this.recent.slice(-10).join("\n  ")));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  private printed(line: string): void {
    this.out.push(line);
    if (this.out.length > this.keep) this.out.shift();
    this.remember(line);
    for (let i = 0; i < this.waiters.length; i++) {
      if (this.waiters[i].re.test(line)) {
        const w = this.waiters.splice(i, 1)[0];
        w.resolve(line);
        i--;
      }
    }
  }

  private remember(line: string): void {
    this.recent.push(line);
    if (this.recent.length > 50) this.recent.shift();
  }

  private settle(id: number, ok: boolean, text: string): void {
    const p = this.pending.get(id);
    if (!p) return; // a reply to a request that already timed out
    this.pending.delete(id);
    if (p.timer) clearTimeout(p.timer);
    if (!ok) {
      p.reject(new TargetEvalError(p.expr, text));
      return;
    }
    let value: unknown;
    try {
      value = decodeReplyValue(text);
    } catch {
      p.reject(new Error(`target reply to ${JSON.stringify(p.expr)} is not JSON: ${text}`));
      return;
    }
    p.resolve(value);
  }

  private fail(id: number, err: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (p.timer) clearTimeout(p.timer);
    p.reject(err);
  }
}
