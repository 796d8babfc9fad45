/**
 * The UI's own copy of the character display: a rows x cols byte buffer the screen painters
 * write into (catalogue text by offset, numbers formatted in place: nothing allocated), and
 * `sync()` that hands the LCD driver only the cells that changed since the last sync.
 *
 * Why not lcd.setLine(string): the driver takes strings, and building a row string per redraw
 * would allocate on every key press. Instead each changed cell goes to `lcd.write(row, col, ch)`
 * with a one-character string taken from a small cache: a character's string is made the first
 * time it is shown (at most 98 of them: printable ASCII and the 3 CGRAM glyphs, ~1 block each
 * on Espruino) and reused ever after. So a redraw allocates nothing once the characters in use
 * have been seen; the LCD driver then sends only what differs from the glass.
 */
import { MSG_EN, MSG_EN_AT } from "./messages.gen";
import { digitCount, putMoney, putUint } from "./format";

/** What the screen needs of the LCD driver (Hd44780Lcd has it). */
export interface LcdLike {
  readonly rows: number;
  readonly cols: number;
  write(row: number, col: number, text: string): number;
  text(row: number): string;
}

const SPACE = 32;

export class Screen {
  readonly rows: number;
  readonly cols: number;
  /** What the painters drew (char codes). */
  readonly cells: Uint8Array;
  /** What was last handed to the LCD driver. */
  private readonly pushed: Uint8Array;
  /** One-char strings by char code, filled on first use (sparse). */
  private readonly chars: string[] = [];
  private readonly scratch = new Uint8Array(24);

  constructor(rows: number, cols: number) {
    this.rows = rows;
    this.cols = cols;
    this.cells = new Uint8Array(rows * cols);
    this.pushed = new Uint8Array(rows * cols);
    for (let i = 0; i < this.cells.length; i++) {
      this.cells[i] = SPACE;
      this.pushed[i] = SPACE;
    }
  }

  /** @hot */
  clear(): void {
    for (let i = 0; i < this.cells.length; i++) this.cells[i] = SPACE;
  }

  /** @hot */
  clearRow(row: number): void {
    if (row < 0 || row >= this.rows) return;
    const b = row * this.cols;
    for (let c = 0; c < this.cols; c++) this.cells[b + c] = SPACE;
  }

  /** One char code at (row, col); returns the next column. @hot */
  put(row: number, col: number, code: number): number {
    if (row >= 0 && row < this.rows && col >= 0 && col < this.cols) this.cells[row * this.cols + col] = code;
    return col + 1;
  }

  /** Message `id` (English) from `col`, clipped at the row end; returns the next column. @hot */
  msg(row: number, col: number, id: number): number {
    const start = MSG_EN_AT[id];
    const end = MSG_EN_AT[id + 1];
    let c = col;
    for (let i = start; i < end; i++) c = this.put(row, c, MSG_EN.charCodeAt(i));
    return c;
  }

  /** @hot */
  msgCenter(row: number, id: number): void {
    const n = MSG_EN_AT[id + 1] - MSG_EN_AT[id];
    this.msg(row, n >= this.cols ? 0 : (this.cols - n) >> 1, id);
  }

  /** @hot */
  msgRight(row: number, id: number): void {
    const n = MSG_EN_AT[id + 1] - MSG_EN_AT[id];
    this.msg(row, n >= this.cols ? 0 : this.cols - n, id);
  }

  /** `len` char codes of `src` from `from`, at (row, col). @hot */
  bytes(row: number, col: number, src: Uint8Array, from: number, len: number): number {
    let c = col;
    for (let i = 0; i < len; i++) c = this.put(row, c, src[from + i]);
    return c;
  }

  /** Right-aligned bytes, ending `margin` cells before the row end. @hot */
  bytesRight(row: number, src: Uint8Array, from: number, len: number, margin: number): void {
    this.bytes(row, this.cols - margin - len, src, from, len);
  }

  /** @hot */
  uint(row: number, col: number, n: number, width: number, pad: number): number {
    const end = putUint(this.scratch, 0, n, width, pad);
    return this.bytes(row, col, this.scratch, 0, end);
  }

  /** @hot */
  uintRight(row: number, n: number, width: number, pad: number): void {
    const d = digitCount(n);
    const w = d > width ? d : width;
    this.uint(row, this.cols - w, n, width, pad);
  }

  /** @hot */
  money(row: number, col: number, fen: number): number {
    const end = putMoney(this.scratch, 0, fen);
    return this.bytes(row, col, this.scratch, 0, end);
  }

  /** @hot */
  moneyRight(row: number, fen: number): void {
    const end = putMoney(this.scratch, 0, fen);
    this.bytes(row, this.cols - end, this.scratch, 0, end);
  }

  /** `n` copies of `code` from (row, col). @hot */
  repeat(row: number, col: number, code: number, n: number): number {
    let c = col;
    for (let i = 0; i < n; i++) c = this.put(row, c, code);
    return c;
  }

  /** Hand the changed cells to the LCD driver's frame buffer; returns cells handed over. @hot */
  sync(lcd: LcdLike): number {
    const rows = this.rows < lcd.rows ? this.rows : lcd.rows;
    const cols = this.cols < lcd.cols ? this.cols : lcd.cols;
    let n = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = r * this.cols + c;
        const v = this.cells[i];
        if (v === this.pushed[i]) continue;
        const s = this.chars[v];
        lcd.write(r, c, s !== undefined ? s : this.charString(v));
        this.pushed[i] = v;
        n++;
      }
    }
    return n;
  }

  /** Forget what was handed over (the next sync sends every cell). */
  invalidate(): void {
    for (let i = 0; i < this.pushed.length; i++) this.pushed[i] = 0xff;
  }

  /** A row as a string (debug / rig reads; allocates). */
  rowText(row: number): string {
    let s = "";
    for (let c = 0; c < this.cols; c++) s += String.fromCharCode(this.cells[row * this.cols + c]);
    return s;
  }

  /** The one-char string for a code, made once (bounded: one per distinct char ever shown). */
  private charString(v: number): string {
    const s = String.fromCharCode(v);
    this.chars[v] = s;
    return s;
  }
}
