/**
 * The screen of a terminal that must not transact: a title and the reason, word-wrapped over
 * the remaining rows (long words are cut), upper case (the LCD font is plain ASCII). Shown once:
 * string work is fine here, it is not the loop's path.
 */
export interface FaultLcd {
  readonly rows: number;
  readonly cols: number;
  setLine(row: number, text: string): number;
}

export function showFault(lcd: FaultLcd, title: string, reason: string): void {
  const cols = lcd.cols;
  const words = reason.toUpperCase().split(" ");
  const lines: string[] = [];
  let cur = "";
  for (let i = 0; i < words.length; i++) {
    let w = words[i];
    while (w.length > cols) {
      if (cur) {
        lines.push(cur);
        cur = "";
      }
      lines.push(w.substr(0, cols));
      w = w.substr(cols);
    }
    if (!w) continue;
    if (!cur) cur = w;
    else if (cur.length + 1 + w.length <= cols) cur += " " + w;
    else {
      lines.push(cur);
      cur = w;
    }
  }
  if (cur) lines.push(cur);
  lcd.setLine(0, title);
  for (let r = 1; r < lcd.rows; r++) lcd.setLine(r, lines[r - 1] || "");
}
