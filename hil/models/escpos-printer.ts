/**
 * EscPosPrinterModel — a 58 mm ESC/POS thermal printer module on a UART, as the firmware sees it.
 *
 * Behaves like the part (Epson ESC/POS Command Reference; the Chinese 58 mm modules copy it):
 * - a receive buffer of `bufferBytes` (4 KB by default) that OVERFLOWS when fed faster than the
 *   printer prints: extra bytes are dropped and an error is recorded;
 * - prints at `mmPerSecond` (60 by default) on the Scheduler: a text line is 24 dots of font plus
 *   8 dots of spacing at 8 dots/mm (4 mm, ~67 ms), double height 56 dots, a cut feeds 12 mm;
 * - 32 columns in font A; a Chinese character takes 2; GS ! multiplies widths; text that does not
 *   fit wraps onto the next line;
 * - real-time DLE EOT n is answered on receipt, even while offline or full (n = 4: bits 1 and 4
 *   fixed 1, bits 2-3 roll near end, bits 5-6 roll end); GS r 1 is answered in order, when the
 *   bytes before it have been printed (bits 0-1 near end, bits 2-3 end, bit 4 fixed 0);
 * - paper can run out now or after N more lines: printing stops, the unprinted bytes stay in the
 *   buffer and print when paper is loaded (as real modules do); BUSY is high while offline;
 * - it can go silent (hung or unpowered): no answers, no printing, incoming bytes are lost;
 * - a BUSY output (`busyNet`) goes high when the buffer holds `busyAbove` bytes, low again below
 *   `busyBelow`.
 * Decoded subset: ESC @, ESC E, ESC !, ESC a, ESC d, LF, CR (ignored), GS !, GS V, GS r, FS &, FS .,
 * DLE EOT n. Anything else is recorded in `errors`, so a test sees the driver sending it.
 * Chinese-mode bytes are decoded by the injected `decodeGb` (Node: hil/models/escpos-gb-decode.ts);
 * without it characters show as <HEX>, so this file stays ES5-safe.
 */
import type { UartDevice, PinNet } from "./ports";
import type { Scheduler } from "../sim/scheduler";

export interface PrintedLine {
  text: string;
  /** Any character of the line was emphasized. */
  bold: boolean;
  /** Largest width / height multiplier used in the line (GS !, ESC !). */
  width: number;
  height: number;
  /** 0 left, 1 centre, 2 right. */
  align: number;
}

export interface EscPosPrinterModelOptions {
  /** Receive buffer size. Default 4096. */
  bufferBytes?: number;
  /** Print speed. Default 60 mm/s. */
  mmPerSecond?: number;
  /** Columns of font A. Default 32. */
  columns?: number;
  /** BUSY goes high at this many buffered bytes. Default bufferBytes - 256. */
  busyAbove?: number;
  /** BUSY goes low below this many. Default bufferBytes - 512 (at least 0). */
  busyBelow?: number;
  /** GB18030 bytes (binary string) -> text. */
  decodeGb?: (bytes: string) => string;
}

const DOTS_PER_MM = 8;
const FONT_DOTS = 24;
const SPACING_DOTS = 8;
const CUT_FEED_MM = 12;

// Command prefixes.
const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;

export class EscPosPrinterModel implements UartDevice {
  /** Everything that went wrong, in order (overflow, unsupported commands, broken sequences). */
  errors: string[] = [];
  /** Bytes dropped because the receive buffer was full. */
  overflowBytes = 0;
  /** Bytes lost because the printer was silent. */
  lostBytes = 0;
  /** Highest number of bytes the buffer held. */
  maxBuffered = 0;
  /** How many times BUSY went high. */
  busyAsserts = 0;
  /** Status queries answered (DLE EOT and GS r). */
  statusAnswers = 0;
  /** Bytes received in total. */
  bytesReceived = 0;
  /** The BUSY output (high = busy); wire it to the driver with ModelPin. */
  readonly busyNet: PinNet;

  private readonly sched: Scheduler;
  private readonly buf: Uint8Array;
  private readonly msPerDot: number;
  private readonly columns: number;
  private readonly busyAbove: number;
  private readonly busyBelow: number;
  private readonly decode: (bytes: string) => string;
  private send: ((data: string) => void) | null = null;
  private head = 0;
  private count = 0;
  private timer = 0;
  private busy = false;
  // Paper and faults.
  private out = false;
  private nearEnd = false;
  private outAfter = -1;
  private silent = false;
  private silentAfter = -1;
  // Real-time scanner: 0 idle, 1 after DLE, 2 after DLE EOT.
  private rt = 0;
  // Interpreter.
  private prefix = 0;
  private cmd = 0;
  private args: number[] = [];
  private need = 0;
  private chinese = false;
  private gb = "";
  private bold = false;
  private wMul = 1;
  private hMul = 1;
  private alignment = 0;
  // The line being composed.
  private lineText = "";
  private lineCols = 0;
  private lineBold = false;
  private lineW = 1;
  private lineH = 1;
  private lineAlign = 0;
  // The paper.
  private printedLines: PrintedLine[] = [];
  private cutsAt: number[] = [];

  constructor(sched: Scheduler, options?: EscPosPrinterModelOptions) {
    const o = options || {};
    this.sched = sched;
    const size = o.bufferBytes || 4096;
    this.buf = new Uint8Array(size);
    this.msPerDot = 1000 / (DOTS_PER_MM * (o.mmPerSecond || 60));
    this.columns = o.columns || 32;
    this.busyAbove = o.busyAbove !== undefined ? o.busyAbove : size - 256;
    this.busyBelow = o.busyBelow !== undefined ? o.busyBelow : Math.max(0, size - 512);
    this.decode = o.decodeGb || hexGb;
    const self = this;
    this.busyNet = {
      driven: function () {},
      level: function () {
        return self.busy || self.out;
      },
    };
  }

  // ---- UartDevice ----

  attach(send: (data: string) => void): void {
    this.send = send;
  }

  onReceive(data: string): void {
    let dropped = 0;
    for (let i = 0; i < data.length; i++) {
      const b = data.charCodeAt(i) & 255;
      this.bytesReceived++;
      if (this.silent) {
        this.lostBytes++;
        continue;
      }
      if (this.rt === 2) {
        this.rt = 0;
        this.realtime(b);
        continue;
      }
      if (this.rt === 1) {
        this.rt = 0;
        if (b === 0x04) {
          this.rt = 2;
          continue;
        }
        if (!this.store(DLE)) dropped++;
      }
      if (b === DLE) {
        this.rt = 1;
        continue;
      }
      if (!this.store(b)) dropped++;
    }
    if (dropped > 0) this.errors.push("input buffer overflow: " + dropped + " bytes dropped");
    this.pump();
  }

  // ---- faults and paper ----

  /** The roll runs out now, or after `afterLines` more printed lines. */
  paperOut(afterLines?: number): void {
    if (afterLines && afterLines > 0) this.outAfter = this.printedLines.length + afterLines;
    else this.out = true;
  }

  /** A new roll: printing resumes with whatever is still buffered. */
  loadPaper(): void {
    this.out = false;
    this.outAfter = -1;
    this.nearEnd = false;
    this.pump();
  }

  /** The near-end sensor (bits 2-3 of DLE EOT 4). */
  setNearEnd(on: boolean): void {
    this.nearEnd = on;
  }

  /** Stop answering and printing, now or after `afterLines` more printed lines. */
  goSilent(afterLines?: number): void {
    if (afterLines && afterLines > 0) this.silentAfter = this.printedLines.length + afterLines;
    else this.silent = true;
  }

  /** Come back (the buffer kept what it held). */
  wake(): void {
    this.silent = false;
    this.silentAfter = -1;
    this.pump();
  }

  // ---- what the paper shows ----

  /** Every printed line's text, blank feed lines included. */
  lines(): string[] {
    const r: string[] = [];
    for (let i = 0; i < this.printedLines.length; i++) r.push(this.printedLines[i].text);
    return r;
  }

  /** Every printed line with its attributes. */
  printed(): PrintedLine[] {
    return this.printedLines.slice();
  }

  /** Line texts split at cuts; a trailing uncut part is included when it is not empty. */
  receipts(): string[][] {
    const all = this.lines();
    const r: string[][] = [];
    let from = 0;
    for (let i = 0; i < this.cutsAt.length; i++) {
      r.push(all.slice(from, this.cutsAt[i]));
      from = this.cutsAt[i];
    }
    if (from < all.length) r.push(all.slice(from));
    return r;
  }

  /** Cuts made so far. */
  cuts(): number {
    return this.cutsAt.length;
  }

  /** The paper as text, aligned within the columns (a Chinese character counts 2). */
  render(): string {
    let s = "";
    for (let i = 0; i < this.printedLines.length; i++) {
      const l = this.printedLines[i];
      const w = displayWidth(l.text) * l.width;
      const pad = l.align === 0 ? 0 : Math.max(0, l.align === 1 ? (this.columns - w) >> 1 : this.columns - w);
      s += repeat(" ", pad) + l.text + "\n";
      for (let k = 0; k < this.cutsAt.length; k++) if (this.cutsAt[k] === i + 1) s += repeat("-", this.columns) + " cut\n";
    }
    return s;
  }

  /** Bytes waiting in the receive buffer. */
  bufferedBytes(): number {
    return this.count;
  }

  isPaperOut(): boolean {
    return this.out;
  }

  // ---- receive buffer ----

  private store(b: number): boolean {
    if (this.count === this.buf.length) {
      this.overflowBytes++;
      return false;
    }
    let i = this.head + this.count;
    if (i >= this.buf.length) i -= this.buf.length;
    this.buf[i] = b;
    this.count++;
    if (this.count > this.maxBuffered) this.maxBuffered = this.count;
    this.updateBusy();
    return true;
  }

  private take(): number {
    const b = this.buf[this.head];
    this.head++;
    if (this.head === this.buf.length) this.head = 0;
    this.count--;
    this.updateBusy();
    return b;
  }

  private updateBusy(): void {
    if (!this.busy && this.count >= this.busyAbove) {
      this.busy = true;
      this.busyAsserts++;
    } else if (this.busy && this.count < this.busyBelow) {
      this.busy = false;
    }
  }

  /** Process buffered bytes until one takes printing time; continue when it is done. */
  private pump(): void {
    if (this.timer !== 0) return;
    while (this.count > 0 && !this.out && !this.silent) {
      const ms = this.interpret(this.take());
      if (ms > 0) {
        const self = this;
        this.timer = this.sched.setTimeout(function () {
          self.timer = 0;
          self.pump();
        }, ms);
        return;
      }
    }
  }

  private answer(b: number): void {
    this.statusAnswers++;
    if (this.send) this.send(String.fromCharCode(b));
  }

  /** DLE EOT n, answered at once. */
  private realtime(n: number): void {
    if (n === 1) this.answer(0x12 | (this.out ? 0x08 : 0)); // bit 3: offline
    else if (n === 2) this.answer(0x12 | (this.out ? 0x20 : 0)); // bit 5: stopped by paper end
    else if (n === 3) this.answer(0x12); // no cutter / head errors modelled
    else if (n === 4) this.answer(0x12 | (this.out || this.nearEnd ? 0x0c : 0) | (this.out ? 0x60 : 0));
    else this.errors.push("unsupported DLE EOT " + n);
  }

  // ---- interpreter: returns the printing time the byte caused, in ms ----

  private interpret(b: number): number {
    if (this.need > 0) {
      this.args.push(b);
      this.need--;
      return this.need === 0 ? this.exec() : 0;
    }
    if (this.prefix !== 0) {
      this.cmd = b;
      this.args = [];
      this.need = this.argCount(this.prefix, b);
      if (this.need < 0) {
        this.errors.push("unsupported command " + hex(this.prefix) + " " + hex(b));
        this.prefix = 0;
        this.need = 0;
        return 0;
      }
      return this.need === 0 ? this.exec() : 0;
    }
    if (this.gb.length > 0) {
      if (b >= 0x30 && b <= 0xfe && b !== 0x7f) return this.gbByte(b);
      this.errors.push("broken GB18030 sequence before " + hex(b));
      this.gb = "";
    }
    if (b === ESC || b === GS || b === FS) {
      this.prefix = b;
      return 0;
    }
    if (b === 0x0a) return this.printLine();
    if (b === 0x0d || b === 0x00 || b === DLE) return 0;
    if (b < 0x20 || b === 0x7f) {
      this.errors.push("unsupported control byte " + hex(b));
      return 0;
    }
    if (b >= 0x80) {
      if (this.chinese) return this.gbByte(b);
      this.errors.push("byte " + hex(b) + " outside Chinese mode");
      return this.addChar("?", 1);
    }
    return this.addChar(String.fromCharCode(b), 1);
  }

  /** Argument bytes of a command, or -1 when it is not modelled. */
  private argCount(prefix: number, c: number): number {
    if (prefix === ESC) {
      if (c === 0x40) return 0; // @ initialize
      if (c === 0x45 || c === 0x21 || c === 0x61 || c === 0x64) return 1; // E ! a d
      return -1;
    }
    if (prefix === GS) {
      if (c === 0x21 || c === 0x56 || c === 0x72) return 1; // ! V r
      return -1;
    }
    if (c === 0x26 || c === 0x2e) return 0; // FS & / FS .
    return -1;
  }

  private exec(): number {
    const p = this.prefix;
    const c = this.cmd;
    const a = this.args;
    if (p === GS && c === 0x56 && a.length === 1 && (a[0] === 65 || a[0] === 66)) {
      this.need = 1; // GS V 65/66 n: one more byte
      return 0;
    }
    this.prefix = 0;
    if (p === ESC) {
      if (c === 0x40) {
        this.bold = false;
        this.wMul = 1;
        this.hMul = 1;
        this.alignment = 0;
        this.chinese = false;
        this.gb = "";
        this.clearLine();
        return 0;
      }
      if (c === 0x45) this.bold = (a[0] & 1) === 1;
      else if (c === 0x21) {
        this.bold = (a[0] & 0x08) !== 0;
        this.hMul = a[0] & 0x10 ? 2 : 1;
        this.wMul = a[0] & 0x20 ? 2 : 1;
      } else if (c === 0x61) {
        const n = a[0] >= 48 ? a[0] - 48 : a[0];
        if (n <= 2) this.alignment = n;
        else this.errors.push("ESC a " + a[0] + " out of range");
      } else if (c === 0x64) return this.feedLines(a[0]);
      return 0;
    }
    if (p === GS) {
      if (c === 0x21) {
        this.wMul = ((a[0] >> 4) & 7) + 1;
        this.hMul = (a[0] & 7) + 1;
        return 0;
      }
      if (c === 0x56) return this.cut();
      // GS r n: in order, so it answers only once everything before it was printed.
      if (a[0] === 1 || a[0] === 49) this.answer((this.nearEnd ? 0x03 : 0) | (this.out ? 0x0c : 0));
      else if (a[0] === 2 || a[0] === 50) this.answer(0);
      else this.errors.push("GS r " + a[0] + " not modelled");
      return 0;
    }
    this.chinese = c === 0x26;
    return 0;
  }

  private gbByte(b: number): number {
    if (this.gb.length === 0) {
      if (b < 0x81 || b > 0xfe) {
        this.errors.push("invalid GB18030 lead byte " + hex(b));
        return this.addChar("?", 1);
      }
      this.gb = String.fromCharCode(b);
      return 0;
    }
    this.gb += String.fromCharCode(b);
    const n = this.gb.length;
    const b2 = this.gb.charCodeAt(1);
    const four = b2 >= 0x30 && b2 <= 0x39;
    let ok = true;
    if (n === 2) ok = four || (b2 >= 0x40 && b2 !== 0x7f);
    else if (n === 3) ok = b >= 0x81;
    else ok = b >= 0x30 && b <= 0x39;
    if (!ok) {
      this.errors.push("invalid GB18030 sequence " + hexAll(this.gb));
      this.gb = "";
      return this.addChar("?", 2);
    }
    if (four && n < 4) return 0;
    const t = this.decode(this.gb);
    this.gb = "";
    return this.addChar(t, 2);
  }

  private addChar(t: string, cols: number): number {
    const w = cols * this.wMul;
    let ms = 0;
    if (this.lineCols > 0 && this.lineCols + w > this.columns) ms = this.printLine();
    if (this.lineCols === 0) this.lineAlign = this.alignment;
    this.lineText += t;
    this.lineCols += w;
    if (this.bold) this.lineBold = true;
    if (this.wMul > this.lineW) this.lineW = this.wMul;
    if (this.hMul > this.lineH) this.lineH = this.hMul;
    return ms;
  }

  /** Print the line buffer (blank if empty) and feed one line. */
  private printLine(): number {
    const dots = FONT_DOTS * this.lineH + SPACING_DOTS;
    if (!this.out) {
      this.printedLines.push({
        text: this.lineText,
        bold: this.lineBold,
        width: this.lineW,
        height: this.lineH,
        align: this.lineCols > 0 ? this.lineAlign : this.alignment,
      });
      const n = this.printedLines.length;
      if (this.outAfter >= 0 && n >= this.outAfter) {
        this.out = true;
        this.outAfter = -1;
      }
      if (this.silentAfter >= 0 && n >= this.silentAfter) {
        this.silent = true;
        this.silentAfter = -1;
      }
    }
    this.clearLine();
    return dots * this.msPerDot;
  }

  /** ESC d n: the pending line (if any) and n - 1 more, or n blank lines. */
  private feedLines(n: number): number {
    let ms = 0;
    let k = n;
    if (this.lineCols > 0) {
      ms += this.printLine();
      k--;
    }
    for (; k > 0; k--) ms += this.printLine();
    return ms;
  }

  private cut(): number {
    let ms = 0;
    if (this.lineCols > 0) {
      this.errors.push("GS V with text in the line buffer (printed first)");
      ms = this.printLine();
    }
    if (!this.out) this.cutsAt.push(this.printedLines.length);
    return ms + CUT_FEED_MM * DOTS_PER_MM * this.msPerDot;
  }

  private clearLine(): void {
    this.lineText = "";
    this.lineCols = 0;
    this.lineBold = false;
    this.lineW = 1;
    this.lineH = 1;
  }
}

function hex(b: number): string {
  return "0x" + (b < 16 ? "0" : "") + b.toString(16).toUpperCase();
}

function hexAll(s: string): string {
  let r = "";
  for (let i = 0; i < s.length; i++) r += (i ? " " : "") + hex(s.charCodeAt(i));
  return r;
}

/** Fallback decoder (no iconv inside Espruino): <C7A9>. */
function hexGb(bytes: string): string {
  let r = "<";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes.charCodeAt(i);
    r += (b < 16 ? "0" : "") + b.toString(16).toUpperCase();
  }
  return r + ">";
}

function displayWidth(s: string): number {
  let w = 0;
  for (let i = 0; i < s.length; i++) w += s.charCodeAt(i) >= 0x2e80 ? 2 : 1;
  return w;
}

function repeat(c: string, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += c;
  return s;
}
