/**
 * The board's console (on a Pico: USB), as the rig and `npm start` see it. Input is
 * line-based like Espruino's REPL: text is buffered until "\n"; a line that starts with
 * "\x10" (DLE) is evaluated without echo and without the "=result" and ">" prompt, as
 * Espruino's tools send lines; any other line is echoed, evaluated, and its result printed.
 * An unfinished statement (open brackets) waits for the next line, as in Espruino.
 */

/** How the board evaluates one complete console line. */
export interface LineEvaluator {
  /** Returns `{ value }` on success; `incomplete` when more lines are needed; `failed` after an error was printed. */
  evaluate(code: string): { value: unknown } | "incomplete" | "failed";
  /** REPL style of a result. */
  format(value: unknown): string;
}

/** Output kept in `output` (the newest part) so a long `npm start` session does not grow without bound. */
const KEEP_OUTPUT = 1 << 20;

export class BoardConsole {
  /** Everything the board printed (the newest 1 MiB). */
  output = "";
  private listeners: Array<(text: string) => void> = [];
  private partial = "";
  private pendingCode = "";
  private pendingEcho = true;
  private enabled = true;
  private evaluator: LineEvaluator | null = null;

  /** Send console input; each "\n"-terminated line is handled in order. */
  send(text: string): void {
    this.partial += text;
    let nl: number;
    while ((nl = this.partial.indexOf("\n")) >= 0) {
      let line = this.partial.slice(0, nl);
      this.partial = this.partial.slice(nl + 1);
      if (line.endsWith("\r")) line = line.slice(0, -1);
      this.line(line);
    }
  }

  onOutput(cb: (text: string) => void): void {
    this.listeners.push(cb);
  }

  /** Console output; nothing comes out while the board is powered off. */
  write(text: string): void {
    if (!this.enabled || text === "") return;
    this.output += text;
    if (this.output.length > KEEP_OUTPUT * 2) this.output = this.output.slice(-KEEP_OUTPUT);
    for (const cb of this.listeners.slice()) cb(text);
  }

  /** Text printed by `print`/`console.log`: Espruino turns every "\n" into "\r\n". */
  print(text: string): void {
    this.write(text.replace(/\n/g, "\r\n") + "\r\n");
  }

  /** @internal The board attaches the running firmware (or null while off). */
  attach(evaluator: LineEvaluator | null): void {
    this.evaluator = evaluator;
    this.enabled = evaluator !== null;
    this.pendingCode = "";
    this.partial = "";
  }

  private line(raw: string): void {
    let line = raw;
    let echo = this.pendingCode ? this.pendingEcho : true;
    if (line.charCodeAt(0) === 0x10) {
      echo = false;
      line = line.slice(1);
    }
    const ev = this.evaluator;
    if (!ev) return;
    if (echo) this.write(line + "\r\n");
    const code = this.pendingCode ? this.pendingCode + "\n" + line : line;
    if (code.trim() === "") {
      this.pendingCode = "";
      if (echo) this.write(">");
      return;
    }
    const r = ev.evaluate(code);
    if (r === "incomplete") {
      this.pendingCode = code;
      this.pendingEcho = echo;
      if (echo) this.write(":");
      return;
    }
    this.pendingCode = "";
    if (echo && r !== "failed") this.write("=" + ev.format(r.value) + "\r\n");
    if (echo) this.write(">");
  }
}
