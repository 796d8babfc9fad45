/**
 * Keyboard bytes -> terminal-view actions, for `npm start`. Works on raw-mode TTY input (one
 * chunk per key press, escape sequences whole) and on piped text alike.
 *
 *   0-9 digits   Enter ENTER   Backspace CLEAR   Esc CANCEL   F1/F2/F3 (xterm, vt, linux console)
 *   m  F1 (for terminals that keep F1)        s  swipe the good mag card   S  swipe the chosen card
 *   c / C  choose the next / previous card    i  insert the chosen chip card   o  pull it
 *   p  paper out / loaded    l  unplug / plug the LCD    x  power cut + reboot    q, Ctrl-C  quit
 */

export type ViewAction =
  | { kind: "key"; key: string }
  | { kind: "swipe-good" }
  | { kind: "swipe-chosen" }
  | { kind: "card"; step: number }
  | { kind: "insert" }
  | { kind: "pull" }
  | { kind: "paper" }
  | { kind: "lcd" }
  | { kind: "power-cut" }
  | { kind: "quit" };

/** Function-key escape sequences: xterm SS3, vt220 CSI ~, Linux console CSI [. */
const FKEYS: Record<string, string> = {
  "\x1bOP": "F1", "\x1bOQ": "F2", "\x1bOR": "F3",
  "\x1b[11~": "F1", "\x1b[12~": "F2", "\x1b[13~": "F3",
  "\x1b[[A": "F1", "\x1b[[B": "F2", "\x1b[[C": "F3",
};

const LETTERS: Record<string, ViewAction> = {
  m: { kind: "key", key: "F1" },
  s: { kind: "swipe-good" },
  S: { kind: "swipe-chosen" },
  c: { kind: "card", step: 1 },
  C: { kind: "card", step: -1 },
  i: { kind: "insert" },
  o: { kind: "pull" },
  p: { kind: "paper" },
  l: { kind: "lcd" },
  x: { kind: "power-cut" },
  q: { kind: "quit" },
  "\x03": { kind: "quit" },
};

export class KeyDecoder {
  private lastWasCr = false;

  /** Actions for one chunk of input (bytes as a latin1 string). Unknown input is skipped. */
  feed(chunk: string): ViewAction[] {
    const out: ViewAction[] = [];
    let i = 0;
    while (i < chunk.length) {
      const ch = chunk[i];
      const wasCr = this.lastWasCr;
      this.lastWasCr = ch === "\r";
      if (ch === "\x1b") {
        i = this.escape(chunk, i, out);
        continue;
      }
      i++;
      if (ch >= "0" && ch <= "9") out.push({ kind: "key", key: ch });
      else if (ch === "\r") out.push({ kind: "key", key: "ENTER" });
      else if (ch === "\n") {
        if (!wasCr) out.push({ kind: "key", key: "ENTER" });
      } else if (ch === "\x7f" || ch === "\b") out.push({ kind: "key", key: "CLEAR" });
      else if (LETTERS[ch]) out.push(LETTERS[ch]);
    }
    return out;
  }

  /** An escape sequence at `i`: a function key, another sequence (ignored), or a lone ESC (CANCEL). */
  private escape(s: string, i: number, out: ViewAction[]): number {
    for (const seq of Object.keys(FKEYS)) {
      if (s.startsWith(seq, i)) {
        out.push({ kind: "key", key: FKEYS[seq] });
        return i + seq.length;
      }
    }
    const next = s[i + 1];
    if (next === "O" && i + 2 < s.length) return i + 3; // another SS3 key (arrows on some terminals)
    if (next === "[") {
      let j = i + 2;
      while (j < s.length && !(s.charCodeAt(j) >= 0x40 && s.charCodeAt(j) <= 0x7e)) j++;
      if (j < s.length) return j + 1; // a CSI sequence (arrows, Home...): not a terminal key
    }
    out.push({ kind: "key", key: "CANCEL" });
    return i + 1;
  }
}

/** The help items the view shows (kept beside the decoder so they cannot disagree). */
export function helpItems(chosenCard: string): string[] {
  return [
    "keys: 0-9",
    "Enter=ENTER",
    "Bksp=CLEAR",
    "Esc=CANCEL",
    "F1(or m) F2 F3",
    "s swipe mag-debit",
    "S swipe chosen",
    "c/C choose card [" + chosenCard + "]",
    "i insert chosen",
    "o pull",
    "p paper",
    "l LCD plug",
    "x power cut",
    "q/Ctrl-C quit",
  ];
}
