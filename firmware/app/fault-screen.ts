/**
 * The screen of a terminal that must not transact: a title and the reason, word-wrapped over
 * the remaining rows. Shown once (string work is fine here: it is not the loop's path).
 */
export interface FaultLcd {
  readonly rows: number;
  readonly cols: number;
  setLine(row: number, text: string): number;
}

/** Lines of `text` wrapped at word boundaries to `cols` (long words are cut). */
export function wrapText(text: string, cols: number, maxLines: number): string[] {
  const words = text.split(" ");
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
  return lines.slice(0, maxLines);
}

/** Title on row 0, the reason below it (upper case: the LCD font is plain ASCII). */
export function showFault(lcd: FaultLcd, title: string, reason: string): void {
  lcd.setLine(0, title);
  const lines = wrapText(reason.toUpperCase(), lcd.cols, lcd.rows - 1);
  for (let r = 1; r < lcd.rows; r++) lcd.setLine(r, lines[r - 1] || "");
}
