/**
 * What `npm start` draws, as plain strings (no terminal library): `renderScreen` lays out one
 * full frame for an ANSI terminal (LCD box with the keypad legend under it, the paper beside it,
 * status, host messages, help); `PlainLog` turns successive states into text lines for a
 * stdout that is not a terminal (LCD frames when they change, new paper lines, new host lines).
 */

export interface ViewState {
  title: string;
  lcd: string[];
  lcdCols: number;
  /** Every printed line so far (the frame shows the last ones). */
  paper: string[];
  paperCols: number;
  /** Host messages, oldest first, PANs already masked. */
  host: string[];
  /** Short device status lines (selected card, reader, paper, LCD). */
  status: string[];
  /** What happened, oldest first (actions, console errors); the frame shows the last. */
  messages: string[];
  help: string[];
}

const KEYPAD_LEGEND = [" 1   2   3   F1", " 4   5   6   F2", " 7   8   9   F3", "Esc  0  Ent Bksp"];
const GAP = 2;

/** One frame of exactly `rows` lines, none longer than `cols` characters. */
export function renderScreen(s: ViewState, cols: number, rows: number): string[] {
  const help = wrapItems(s.help, cols);
  // title, paper borders, status, message, host title, help; at least 3 host lines
  const fixed = 1 + 2 + s.status.length + 1 + 1 + help.length;
  const paperRows = clamp(rows - fixed - 3, 6, 15);
  const left: string[] = [];
  left.push(box(s.lcdCols, "LCD"));
  for (let r = 0; r < s.lcd.length; r++) left.push("|" + fit(s.lcd[r], s.lcdCols) + "|");
  left.push(box(s.lcdCols, ""));
  left.push("");
  for (const l of KEYPAD_LEGEND) left.push(" " + l);
  const leftWidth = s.lcdCols + 2;
  const right: string[] = [];
  right.push(box(s.paperCols, "paper"));
  const tail = s.paper.slice(Math.max(0, s.paper.length - paperRows));
  for (let i = 0; i < paperRows; i++) right.push("|" + fit(i < tail.length ? tail[i] : "", s.paperCols) + "|");
  right.push(box(s.paperCols, ""));

  const out: string[] = [s.title];
  const block = Math.max(left.length, right.length);
  for (let i = 0; i < block; i++) out.push(pad(left[i] || "", leftWidth + GAP) + (right[i] || ""));
  for (const st of s.status) out.push(st);
  out.push(s.messages.length ? "> " + s.messages[s.messages.length - 1] : "");
  const hostLines = Math.max(1, rows - out.length - 1 - help.length);
  out.push("host messages:" + (s.host.length === 0 ? " (none yet)" : ""));
  const hostTail = s.host.slice(Math.max(0, s.host.length - hostLines));
  for (let i = 0; i < hostLines; i++) out.push(i < hostTail.length ? "  " + hostTail[i] : "");
  for (const h of help) out.push(h);
  while (out.length < rows) out.push("");
  return out.slice(0, Math.max(rows, 1)).map((l) => clip(l, cols));
}

/** Successive states as plain text lines: only what changed since the last call. */
export class PlainLog {
  private lcdShown = "";
  private paperShown = 0;
  private hostShown = 0;
  private messagesShown = 0;

  lines(s: ViewState): string[] {
    const out: string[] = [];
    for (; this.messagesShown < s.messages.length; this.messagesShown++) out.push("*** " + s.messages[this.messagesShown]);
    const lcd = s.lcd.join("\n");
    if (lcd !== this.lcdShown) {
      this.lcdShown = lcd;
      out.push(box(s.lcdCols, "LCD"));
      for (const l of s.lcd) out.push("|" + fit(l, s.lcdCols) + "|");
      out.push(box(s.lcdCols, ""));
    }
    if (s.paper.length < this.paperShown) this.paperShown = 0;
    for (; this.paperShown < s.paper.length; this.paperShown++) out.push("paper | " + s.paper[this.paperShown]);
    for (; this.hostShown < s.host.length; this.hostShown++) out.push("host  | " + s.host[this.hostShown]);
    return out;
  }
}

function box(width: number, label: string): string {
  if (!label) return "+" + "-".repeat(width) + "+";
  const head = "- " + label + " ";
  return "+" + head + "-".repeat(Math.max(0, width - head.length)) + "+";
}

function fit(s: string, width: number): string {
  return pad(clip(s, width), width);
}

function pad(s: string, width: number): string {
  return s.length >= width ? s : s + " ".repeat(width - s.length);
}

function clip(s: string, width: number): string {
  return s.length > width ? s.slice(0, Math.max(0, width)) : s;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

/** Items joined with two spaces, wrapped onto as many lines as `cols` needs. */
export function wrapItems(items: string[], cols: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const it of items) {
    if (line && line.length + 2 + it.length > cols) {
      out.push(line);
      line = "";
    }
    line = line ? line + "  " + it : it;
  }
  if (line) out.push(line);
  return out;
}
