/**
 * EscPosPrinter — 58 mm ESC/POS thermal printer module on a UART.
 *
 * Part: the common 58 mm receipt modules (panel printers such as the CSN-A2 / GOOJPRT QR204
 * family and the Chinese POS-58 mechanisms): 384 dots per line, font A 12x24 = 32 columns,
 * Chinese 24x24 font (GB2312/GB18030) = 16 characters, 50-90 mm/s, 9600 or 19200 baud 8N1.
 * Datasheet: Epson ESC/POS Command Reference, https://download4.epson.biz/sec_pubs/pos/reference_en/escpos/
 *   (DLE EOT real-time status, ESC @, ESC E, ESC a, ESC d, GS !, GS V, FS & / FS .); the module
 *   makers' command manuals repeat the same set.
 * Wiring: MCU TX -> printer RX; printer TX -> MCU RX (status replies); common GND. The printer
 *   needs its own 5-9 V supply (1.5-2 A peaks while printing). Optional: printer BUSY (or DTR)
 *   -> an MCU input, high = busy; then output is paced by that pin instead of by time.
 *
 * Usage (the board profile supplies the bus, the app loop calls tick):
 *   var prn = new EscPosPrinter({ serial: Serial2, ring: ring, clock: clock, baud: 9600 });
 *   var id = prn.begin();            // 0 = busy, or a failed job is kept
 *   prn.init(); prn.align(1); prn.bold(true);
 *   prn.gbTextAt(MSG_ZH_GB, MSG_ZH_AT[MSG_SLIP_TITLE], MSG_ZH_AT[MSG_SLIP_TITLE + 1]); prn.line();
 *   prn.bold(false); prn.align(0); prn.text("AMOUNT: RMB 12.34"); prn.line(); prn.feed(3); prn.cut();
 *   prn.end();                       // queued; tick() does the rest
 *   // ring: EV_PRINT_DONE(id) or EV_PRINT_FAILED(id, PRN_ERR_*); after loading paper: prn.reprint()
 *
 * How a job is printed:
 * 1. DLE EOT 4 (paper roll sensor); no answer within statusTimeoutMs -> PRN_ERR_NO_ANSWER,
 *    paper end (bits 5-6) -> PRN_ERR_PAPER_OUT. Near end (bits 2-3) only sets `paperNearEnd`.
 * 2. Output in chunks of chunkBytes. Time pacing: the driver keeps an estimate of when the
 *    printer has printed what it was sent (wire time 10 bits/byte + lineMs per printed line;
 *    the builder counts lines exactly, wraps included) and sends the next chunk when that is at
 *    most one chunk's wire time away, so the printer never holds more than about two chunks.
 *    Busy-pin pacing: a chunk goes out when the pin is low and the previous chunk has left the wire.
 * 3. Every checkEveryBytes a DLE EOT 4 between chunks, so paper out or a dead printer stops the
 *    output early instead of stuffing a stopped printer.
 * 4. When the estimate says everything is printed, DLE EOT 4 again; then EV_PRINT_DONE.
 * Any failure keeps the job (begin() returns 0 until reprint() succeeds or discard()).
 * Known limit: after paper runs out mid-job, the printer still holds the unprinted tail and
 * prints it when paper is loaded; the reprint then prints the whole receipt again (the app
 * marks it as a reprint).
 *
 * Chunk writes do not allocate: one Uint8Array view per full chunk of the job buffer is made
 * at construction (about 2 blocks each on Espruino: buffer/chunkBytes views) and a short last
 * chunk is written byte by byte (at most chunkBytes-1 calls). The alternatives were worse: a
 * binary string per job needs a substring per chunk; writing every byte singly costs a native
 * call per byte.
 */
import type { SerialLike } from "../hal/serial";
import type { PinLike } from "../hal/pin";
import type { Clock } from "../hal/clock";
import type { EventRing } from "../lib/event-ring";
import { EV_PRINT_DONE, EV_PRINT_FAILED } from "../events";
import {
  PRN_OK,
  PRN_ERR_PAPER_OUT,
  PRN_ERR_NO_ANSWER,
  PRN_ERR_OVERFLOW,
  PRN_ERR_BUSY_TIMEOUT,
  PRN_ERR_BAD_TEXT,
  PRN_ERR_BAD_ARG,
  PRN_ERR_STATE,
  PRN_IDLE,
  PRN_BUILDING,
  PRN_PRINTING,
  PRN_FAILED,
  ESC,
  GS,
  FS,
  DLE,
  EOT,
  LF,
  STATUS_MASK,
  STATUS_FIXED,
  STATUS_NEAR_END,
  STATUS_PAPER_END,
} from "./escpos-codes";

export interface EscPosPrinterOptions {
  serial: SerialLike;
  ring: EventRing;
  clock: Clock;
  /** The UART speed the board set up; used for wire time. */
  baud: number;
  /** Printer BUSY output, high = busy. When given, pacing follows the pin. */
  busyPin?: PinLike;
  /** How long to wait for a status reply. Default 500 ms. */
  statusTimeoutMs?: number;
  /** Bytes per write. Default 32 (one text line). */
  chunkBytes?: number;
  /** Job buffer size in bytes. Default 1024 (a receipt is 500-900 bytes). */
  buffer?: number;
  /** Printing time of one text line, with margin over the datasheet speed. Default 80 ms. */
  lineMs?: number;
  /** Status check between chunks every this many bytes; 0 = only before and after. Default 256. */
  checkEveryBytes?: number;
  /** Busy pin high this long -> query status and fail the job. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Columns of font A at normal size. Default 32 (58 mm). */
  columns?: number;
}

// Internal states (state() maps them to PRN_*).
const S_IDLE = 0;
const S_BUILD = 1;
const S_QUEUED = 2;
const S_QUERY = 3;
const S_SEND = 4;
const S_DRAIN = 5;
const S_FAILED = 6;

// What a good status reply leads to.
const NEXT_SEND = 1;
const NEXT_DONE = 2;
const NEXT_BUSY = 3;

/** Line units a cut costs: feed to the cutter and the cut itself. */
const CUT_UNITS = 4;

export class EscPosPrinter {
  /** Set from the last status reply: the roll is nearly used up (bits 2-3). */
  paperNearEnd = false;
  /** The reason of the last failure (PRN_ERR_*), 0 if none yet. */
  lastError = 0;

  private readonly serial: SerialLike;
  private readonly ring: EventRing;
  private readonly clock: Clock;
  private readonly busyPin: PinLike | null;
  private readonly byteMs: number;
  private readonly lineMs: number;
  private readonly statusTimeoutMs: number;
  private readonly busyTimeoutMs: number;
  private readonly chunk: number;
  private readonly checkEvery: number;
  private readonly columns: number;
  private readonly job: Uint8Array;
  /** Print time per chunk, in line units, counted by the builder. */
  private readonly units: Uint16Array;
  /** One view per full chunk of `job`, made once. */
  private readonly views: Uint8Array[];
  private readonly query: Uint8Array;

  private st = S_IDLE;
  private jobId = 0;
  private nextId = 1;
  private len = 0;
  private overflow = false;
  // Builder: where the printer's line will be, to count lines and wraps.
  private col = 0;
  private dbl = false;
  private lineTall = false;
  // Output.
  private pos = 0;
  private sendAt = 0;
  private wireEnd = 0;
  private printEnd = 0;
  private sinceCheck = 0;
  private busySince = -1;
  // Status query.
  private then = 0;
  private queryAt = 0;
  private answered = false;
  private status = 0;

  constructor(options: EscPosPrinterOptions) {
    if (!(options.baud > 0)) throw new Error("EscPosPrinter: baud must be > 0");
    this.serial = options.serial;
    this.ring = options.ring;
    this.clock = options.clock;
    this.busyPin = options.busyPin || null;
    this.byteMs = 10000 / options.baud;
    this.lineMs = options.lineMs !== undefined ? options.lineMs : 80;
    this.statusTimeoutMs = options.statusTimeoutMs || 500;
    this.busyTimeoutMs = options.busyTimeoutMs || 5000;
    this.chunk = options.chunkBytes || 32;
    this.checkEvery = options.checkEveryBytes !== undefined ? options.checkEveryBytes : 256;
    this.columns = options.columns || 32;
    const size = options.buffer || 1024;
    if (this.chunk > size) throw new Error("EscPosPrinter: chunkBytes > buffer");
    this.job = new Uint8Array(size);
    this.units = new Uint16Array(Math.ceil(size / this.chunk));
    this.views = [];
    for (let i = 0; i + this.chunk <= size; i += this.chunk) {
      this.views.push(new Uint8Array(this.job.buffer, i, this.chunk));
    }
    this.query = new Uint8Array(3);
    this.query[0] = DLE;
    this.query[1] = EOT;
    this.query[2] = 4;
    if (this.busyPin) this.busyPin.mode("input");
    const self = this;
    this.serial.on("data", function (data: string) {
      self.onData(data);
    });
  }

  // ---- job building (off the hot path, but allocation-free too) ----

  /** Start a job. Returns its id, or 0 when a job is being built/printed or a failed one is kept. */
  begin(): number {
    if (this.st !== S_IDLE) return 0;
    this.jobId = this.nextId;
    this.nextId = this.nextId >= 0x7fffffff ? 1 : this.nextId + 1;
    this.len = 0;
    this.overflow = false;
    this.col = 0;
    this.dbl = false;
    this.lineTall = false;
    for (let i = 0; i < this.units.length; i++) this.units[i] = 0;
    this.st = S_BUILD;
    return this.jobId;
  }

  /** ESC @: reset the printer's modes (bold, size, alignment) and its line buffer. */
  init(): number {
    const r = this.room(2);
    if (r) return r;
    this.put2(ESC, 0x40);
    this.col = 0;
    this.dbl = false;
    this.lineTall = false;
    return PRN_OK;
  }

  /**
   * Printable ASCII (0x20-0x7E), as a binary string. Other characters are printed as '?'
   * and the call returns PRN_ERR_BAD_TEXT (control bytes must never reach the printer as data).
   */
  text(s: string): number {
    const r = this.room(s.length);
    if (r) return r;
    let bad = 0;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e) {
        c = 0x3f;
        bad++;
      }
      this.job[this.len++] = c;
      this.advance(this.dbl ? 2 : 1);
    }
    return bad ? PRN_ERR_BAD_TEXT : PRN_OK;
  }

  /** GB18030 bytes (a binary string, e.g. from firmware/ui/messages.gen.ts), printed in Chinese mode. */
  gbText(gb: string): number {
    return this.gbTextAt(gb, 0, gb.length);
  }

  /**
   * Characters [start, end) of a binary string of GB18030 bytes, between FS & and FS . —
   * lets the app print one message of the concatenated catalogue without a substring.
   * The bytes are checked first: a broken sequence is refused whole (PRN_ERR_BAD_TEXT), since
   * it would make the printer swallow the next character.
   */
  gbTextAt(src: string, start: number, end: number): number {
    if (this.st !== S_BUILD) return PRN_ERR_STATE;
    if (!(start >= 0 && end <= src.length && start <= end)) return PRN_ERR_BAD_ARG;
    if (!validGb(src, start, end)) return PRN_ERR_BAD_TEXT;
    const r = this.room(end - start + 4);
    if (r) return r;
    this.put2(FS, 0x26);
    let i = start;
    while (i < end) {
      const b = src.charCodeAt(i);
      if (b < 0x80) {
        this.job[this.len++] = b;
        this.advance(this.dbl ? 2 : 1);
        i++;
        continue;
      }
      const n = src.charCodeAt(i + 1) <= 0x39 ? 4 : 2;
      for (let k = 0; k < n; k++) this.job[this.len++] = src.charCodeAt(i + k);
      this.advance(this.dbl ? 4 : 2);
      i += n;
    }
    this.put2(FS, 0x2e);
    return PRN_OK;
  }

  /** LF: print the line and move to the next. */
  line(): number {
    const r = this.room(1);
    if (r) return r;
    this.job[this.len++] = LF;
    this.lineDone(1);
    return PRN_OK;
  }

  /** ESC E n: emphasized (bold) on/off. */
  bold(on: boolean): number {
    const r = this.room(3);
    if (r) return r;
    this.put3(ESC, 0x45, on ? 1 : 0);
    return PRN_OK;
  }

  /** GS ! n: double width and height (0x11) or normal (0x00). */
  doubleSize(on: boolean): number {
    const r = this.room(3);
    if (r) return r;
    this.put3(GS, 0x21, on ? 0x11 : 0);
    this.dbl = on;
    return PRN_OK;
  }

  /** ESC a n: 0 left, 1 centre, 2 right (takes effect at the start of a line). */
  align(n: number): number {
    if (n !== 0 && n !== 1 && n !== 2) return this.st !== S_BUILD ? PRN_ERR_STATE : PRN_ERR_BAD_ARG;
    const r = this.room(3);
    if (r) return r;
    this.put3(ESC, 0x61, n);
    return PRN_OK;
  }

  /** ESC d n: print the line buffer and feed n lines (0-255). */
  feed(n: number): number {
    if (!(n >= 0 && n <= 255 && n === Math.floor(n))) return this.st !== S_BUILD ? PRN_ERR_STATE : PRN_ERR_BAD_ARG;
    const r = this.room(3);
    if (r) return r;
    this.put3(ESC, 0x64, n);
    // With text pending, ESC d n is that line plus n-1 feeds; with none, n feeds.
    if (this.col > 0) this.lineDone(n > 1 ? n : 1);
    else if (n > 0) this.addUnits(n);
    return PRN_OK;
  }

  /** GS V 66 0: feed to the cutter and cut (partial). Ends a pending line first. */
  cut(): number {
    const r = this.room(this.col > 0 ? 5 : 4);
    if (r) return r;
    if (this.col > 0) this.line();
    this.job[this.len++] = GS;
    this.put3(0x56, 66, 0);
    this.addUnits(CUT_UNITS);
    return PRN_OK;
  }

  /**
   * Queue the job. A job that overflowed the buffer is dropped here with PRN_ERR_OVERFLOW
   * (returned and sent as EV_PRINT_FAILED) and nothing is printed; the printer is free again.
   */
  end(): number {
    if (this.st !== S_BUILD) return PRN_ERR_STATE;
    if (!this.overflow && this.col > 0) this.line(); // never leave text in the printer's line buffer
    if (this.overflow) {
      this.st = S_IDLE;
      this.lastError = PRN_ERR_OVERFLOW;
      this.ring.push(EV_PRINT_FAILED, this.jobId, PRN_ERR_OVERFLOW);
      return PRN_ERR_OVERFLOW;
    }
    this.startOutput();
    return PRN_OK;
  }

  /** Print the kept failed job again from its start (after paper is loaded). Returns its id, or 0. */
  reprint(): number {
    if (this.st !== S_FAILED) return 0;
    this.startOutput();
    return this.jobId;
  }

  /** Drop a job being built, or a kept failed job (the operator gave up on it). */
  discard(): boolean {
    if (this.st !== S_BUILD && this.st !== S_FAILED) return false;
    this.st = S_IDLE;
    return true;
  }

  /** PRN_IDLE, PRN_BUILDING, PRN_PRINTING or PRN_FAILED. */
  state(): number {
    const st = this.st;
    if (st === S_IDLE) return PRN_IDLE;
    if (st === S_BUILD) return PRN_BUILDING;
    if (st === S_FAILED) return PRN_FAILED;
    return PRN_PRINTING;
  }

  /** Id of the kept failed job, or 0. */
  keptJob(): number {
    return this.st === S_FAILED ? this.jobId : 0;
  }

  /** Bytes in the current job. */
  jobBytes(): number {
    return this.len;
  }

  // ---- printing (hot: called from the app loop and the UART handler) ----

  /** Drive the status queries, timeouts and paced output. `now` defaults to the clock. @hot */
  tick(now?: number): void {
    const t = now === undefined ? this.clock.now() : now;
    const st = this.st;
    if (st === S_QUEUED) this.ask(t, NEXT_SEND);
    else if (st === S_QUERY) this.stepQuery(t);
    else if (st === S_SEND) this.stepSend(t);
    else if (st === S_DRAIN && t >= this.printEnd) this.ask(t, NEXT_DONE);
  }

  /** Status replies from the printer; anything that is not a DLE EOT byte is ignored. @hot */
  onData(data: string): void {
    for (let i = 0; i < data.length; i++) {
      const b = data.charCodeAt(i);
      if ((b & STATUS_MASK) === STATUS_FIXED) {
        this.status = b;
        this.answered = true;
      }
    }
  }

  /** Send DLE EOT 4; the timeout runs from when it has left the wire. @hot */
  private ask(now: number, then: number): void {
    this.answered = false;
    this.then = then;
    this.sinceCheck = 0;
    this.serial.write(this.query);
    if (this.wireEnd < now) this.wireEnd = now;
    this.wireEnd += 3 * this.byteMs;
    this.queryAt = this.wireEnd;
    this.st = S_QUERY;
  }

  /** @hot */
  private stepQuery(now: number): void {
    if (this.answered) {
      const s = this.status;
      this.paperNearEnd = (s & STATUS_NEAR_END) !== 0;
      if ((s & STATUS_PAPER_END) !== 0) this.fail(PRN_ERR_PAPER_OUT);
      else if (this.then === NEXT_SEND) this.st = S_SEND;
      else if (this.then === NEXT_BUSY) this.fail(PRN_ERR_BUSY_TIMEOUT);
      else this.finish();
      return;
    }
    if (now - this.queryAt >= this.statusTimeoutMs) this.fail(PRN_ERR_NO_ANSWER);
  }

  /** @hot */
  private stepSend(now: number): void {
    if (now < this.sendAt) return;
    if (this.pos >= this.len) {
      this.st = S_DRAIN;
      return;
    }
    if (this.checkEvery > 0 && this.sinceCheck >= this.checkEvery) {
      this.ask(now, NEXT_SEND);
      return;
    }
    const pin = this.busyPin;
    if (pin) {
      if (pin.read()) {
        if (this.busySince < 0) this.busySince = now;
        else if (now - this.busySince >= this.busyTimeoutMs) this.ask(now, NEXT_BUSY);
        return;
      }
      this.busySince = -1;
    }
    const c = (this.pos / this.chunk) | 0;
    let n = this.len - this.pos;
    if (n >= this.chunk) {
      n = this.chunk;
      this.serial.write(this.views[c]);
    } else {
      for (let i = 0; i < n; i++) this.serial.write(this.job[this.pos + i]);
    }
    this.pos += n;
    this.sinceCheck += n;
    const tx = n * this.byteMs;
    if (this.wireEnd < now) this.wireEnd = now;
    this.wireEnd += tx;
    if (this.printEnd < this.wireEnd) this.printEnd = this.wireEnd;
    this.printEnd += this.units[c] * this.lineMs;
    // Busy pin: go on once this chunk is off the wire (the pin only counts bytes that arrived).
    // Time: go on when the printer is one chunk's wire time from having printed everything.
    this.sendAt = pin ? this.wireEnd : this.printEnd - tx;
  }

  /** @hot */
  private fail(reason: number): void {
    this.st = S_FAILED;
    this.lastError = reason;
    this.ring.push(EV_PRINT_FAILED, this.jobId, reason);
  }

  /** @hot */
  private finish(): void {
    this.st = S_IDLE;
    this.ring.push(EV_PRINT_DONE, this.jobId, 0);
  }

  // ---- builder internals ----

  private startOutput(): void {
    const now = this.clock.now();
    this.pos = 0;
    this.sendAt = 0;
    this.wireEnd = now;
    this.printEnd = now;
    this.sinceCheck = 0;
    this.busySince = -1;
    this.st = S_QUEUED;
  }

  /** 0 when n more bytes fit; else the error (and the job is marked overflowed). */
  private room(n: number): number {
    if (this.st !== S_BUILD) return PRN_ERR_STATE;
    if (this.overflow || this.len + n > this.job.length) {
      this.overflow = true;
      return PRN_ERR_OVERFLOW;
    }
    return PRN_OK;
  }

  private put2(a: number, b: number): void {
    this.job[this.len++] = a;
    this.job[this.len++] = b;
  }

  private put3(a: number, b: number, c: number): void {
    this.job[this.len++] = a;
    this.job[this.len++] = b;
    this.job[this.len++] = c;
  }

  /** A character of `w` columns was just written: wrap like the printer does. */
  private advance(w: number): void {
    if (this.col + w > this.columns) this.lineDone(1);
    this.col += w;
    if (this.dbl) this.lineTall = true;
  }

  /** The byte just written prints the current line (plus `feeds - 1` blank lines). */
  private lineDone(feeds: number): void {
    this.addUnits((this.lineTall || this.dbl ? 2 : 1) + feeds - 1);
    this.col = 0;
    this.lineTall = false;
  }

  private addUnits(u: number): void {
    const c = ((this.len - 1) / this.chunk) | 0;
    this.units[c] += u;
  }
}

/** GB18030 structure check of src[start, end): printable ASCII, 2-byte and 4-byte sequences. */
function validGb(src: string, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const b = src.charCodeAt(i);
    if (b < 0x80) {
      if (b < 0x20 || b === 0x7f) return false;
      i++;
      continue;
    }
    if (b < 0x81 || b > 0xfe || i + 1 >= end) return false;
    const b2 = src.charCodeAt(i + 1);
    if (b2 >= 0x30 && b2 <= 0x39) {
      if (i + 3 >= end) return false;
      const b3 = src.charCodeAt(i + 2);
      const b4 = src.charCodeAt(i + 3);
      if (b3 < 0x81 || b3 > 0xfe || b4 < 0x30 || b4 > 0x39) return false;
      i += 4;
    } else if ((b2 >= 0x40 && b2 <= 0x7e) || (b2 >= 0x80 && b2 <= 0xfe)) {
      i += 2;
    } else {
      return false;
    }
  }
  return true;
}
