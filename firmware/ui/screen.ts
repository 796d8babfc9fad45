/**
 * Drawing on the character display: the painters (screens.ts) write char codes straight into the
 * LCD driver's frame buffer, and the driver's flush() sends the cells that differ from the glass.
 * So a redraw allocates nothing (no strings: catalogue text by offset, numbers formatted in the
 * terminal's scratch bytes) and keeps no copy of the screen of its own.
 */
import type { Terminal } from "../app/terminal";
import { lcdCharCode } from "../drivers/hd44780-lcd";
import { MSG_TEXT, msgAt } from "./messages.gen";
import { putNum } from "./format";
import { B_TMP, TMP_SIZE } from "./ui-model";

/** What the terminal needs of the LCD driver (Hd44780Lcd has it). */
export interface LcdFrame {
  readonly rows: number;
  readonly cols: number;
  /** rows x cols char codes, sent by flush() where they differ from what is shown. */
  readonly frame: Uint8Array;
  text(row: number): string;
  flush(): number;
}

// draw kinds; any other kind is a format.ts number kind (F_*), `n` its width
export const D_MSG = -1; // message `v` (English)
export const D_BYTES = -2; // `n` bytes of Terminal.b from `v`
export const D_REPEAT = -3; // `n` times char code `v`

/** As a column: ends at the row end (a message longer than the row starts at 0 instead). */
export const AT_RIGHT = -1;

/** Draw at (row, col), clipped at the display's edges; returns the column after it. @hot */
export function draw(t: Terminal, row: number, col: number, kind: number, v: number, n: number): number {
  const b = t.b;
  const lcd = t.lcd;
  const cols = lcd.cols;
  let from = B_TMP;
  let len = 0;
  if (kind === D_MSG) {
    const s = msgAt(v);
    len = msgAt(v + 1) - s;
    if (len > TMP_SIZE) len = TMP_SIZE;
    for (let i = 0; i < len; i++) b[B_TMP + i] = MSG_TEXT.charCodeAt(s + i);
  } else if (kind === D_BYTES) {
    from = v;
    len = n;
  } else if (kind === D_REPEAT) {
    len = n > TMP_SIZE ? TMP_SIZE : n;
    for (let i = 0; i < len; i++) b[B_TMP + i] = v;
  } else len = putNum(b, B_TMP, kind, v, n) - B_TMP;
  let c = col;
  if (col === AT_RIGHT) c = cols - len;
  if (kind === D_MSG && c < 0) c = 0;
  if (row >= 0 && row < lcd.rows) {
    for (let i = 0; i < len; i++) {
      const x = c + i;
      if (x >= 0 && x < cols) lcd.frame[row * cols + x] = lcdCharCode(b[from + i]);
    }
  }
  return c + len;
}
