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
 * Memory (the budget on a board is blocks of RAM, see shared/ESPRUINO.md): chunks are written
 * byte by byte straight from the job buffer (no view or substring per chunk: a native call per
 * byte, nothing allocated); every number the driver keeps is one slot of a Float64Array (times
 * are wall-clock ms, beyond 32 bits) instead of a property each; the builder's bookkeeping is one
 * private helper, and the printing steps are one `tick()`.
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
const S_QUEUED = 2; // end() / reprint(): the next tick starts the output
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

// Slots of the state array `s`.
const ST = 0; // S_*
const JOB_ID = 1;
const NEXT_ID = 2;
const LEN = 3; // bytes in the job
const OVERFLOW = 4; // 1: the job did not fit
const COL = 5; // builder: where the printer's line is, to count lines and wraps
const DBL = 6; // builder: double size on
const TALL = 7; // builder: the line holds double-height characters
const POS = 8; // output: next byte to send
const SEND_AT = 9;
const WIRE_END = 10; // when the bytes sent so far have left the wire
const PRINT_END = 11; // when the printer will have printed them
const SINCE_CHECK = 12; // bytes since the last status query
const BUSY_SINCE = 13; // -1 = busy pin low
const THEN = 14; // NEXT_*: what a good status reply leads to
const QUERY_AT = 15; // when the query left the wire
const ANSWERED = 16;
const STATUS = 17; // the last DLE EOT 4 reply
const BYTE_MS = 18; // configuration, from the options
const LINE_MS = 19;
const STATUS_TIMEOUT = 20;
const BUSY_TIMEOUT = 21;
const CHUNK = 22;
const CHECK_EVERY = 23;
const COLUMNS = 24;
const SLOTS = 25;

/**
 * What the app and the print queue call. The driver is a constructor function with its methods
 * put on the prototype at the module's top level, not a TypeScript class: TypeScript's ES5 class
 * output puts methods inside a function of their own, and on Espruino a method keeps a link to
 * every scope around it (measured: 10.4 blocks a method that way, 7.3 at a bundle's top level).
 */
export interface EscPosPrinter {
  /** Set from the last status reply: the roll is nearly used up (bits 2-3). */
  paperNearEnd: boolean;
  /** The reason of the last failure (PRN_ERR_*), 0 if none yet. */
  lastError: number;
  begin(): number;
  init(): number;
  text(src: string | Uint8Array, start?: number, end?: number): number;
  gbTextAt(src: string, start: number, end: number): number;
  line(): number;
  bold(on: boolean): number;
  doubleSize(on: boolean): number;
  align(n: number): number;
  feed(n: number): number;
  cut(): number;
  end(): number;
  reprint(): number;
  discard(): boolean;
  state(): number;
  keptJob(): number;
  tick(now?: number): void;
}

/** The driver's own fields and helpers besides its public face. */
interface Printer extends EscPosPrinter {
  ser: SerialLike;
  ring: EventRing;
  clk: Clock;
  busy: PinLike | null;
  job: Uint8Array;
  /** Print time per chunk of the job, in line units, counted by the builder. */
  unit: Uint16Array;
  /** Every number the driver keeps (slot constants above). */
  s: Float64Array;
  /** PRINTABLE as bytes where E.mapInPlace copies text natively (Espruino), else null. */
  map: Uint8Array | null;
  put(need: number, n: number, a: number, b: number, c: number): number;
}

/** What the driver uses of Espruino's E (absent in Node). */
declare const E: { mapInPlace(from: Uint8Array, to: Uint8Array, map: Uint8Array, bits: number): void; toArrayBuffer(s: string): ArrayBuffer } | undefined;

/**
 * Byte -> itself when printable ASCII (0x20-0x7E), else 0: the table E.mapInPlace copies text
 * through. A literal, so on a board its 256 bytes stay in flash with the code.
 */
const PRINTABLE =
  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0" +
  " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\0" +
  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0" +
  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0" +
  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0" +
  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

export const EscPosPrinter = function (this: Printer, options: EscPosPrinterOptions): void {
  this.paperNearEnd = false;
  this.lastError = 0;
  if (!(options.baud > 0)) throw new Error("EscPosPrinter: baud must be > 0");
  const s = new Float64Array(SLOTS);
  this.s = s;
  this.ser = options.serial;
  this.ring = options.ring;
  this.clk = options.clock;
  this.busy = options.busyPin || null;
  s[NEXT_ID] = 1;
  s[BYTE_MS] = 10000 / options.baud;
  s[LINE_MS] = options.lineMs !== undefined ? options.lineMs : 80;
  s[STATUS_TIMEOUT] = options.statusTimeoutMs || 500;
  s[BUSY_TIMEOUT] = options.busyTimeoutMs || 5000;
  s[CHUNK] = options.chunkBytes || 32;
  s[CHECK_EVERY] = options.checkEveryBytes !== undefined ? options.checkEveryBytes : 256;
  s[COLUMNS] = options.columns || 32;
  const size = options.buffer || 1024;
  if (s[CHUNK] > size) throw new Error("EscPosPrinter: chunkBytes > buffer");
  this.job = new Uint8Array(size);
  this.unit = new Uint16Array(Math.ceil(size / s[CHUNK]));
  // Espruino copies a run of text bytes in one native call, ~6,000 instructions a byte instead
  // of ~30,000 for a statement of a loop; Node has no E (the loop in text() runs instead)
  this.map = typeof E !== "undefined" && typeof E.mapInPlace === "function" ? new Uint8Array(E.toArrayBuffer(PRINTABLE)) : null;
  if (this.busy) this.busy.mode("input");
  // Status replies; anything that is not a DLE EOT 4 byte (XON/XOFF, ASB) is ignored.
  this.ser.on(
    "data",
    /** Status replies. @hot */
    function (data: string) {
      for (let i = 0; i < data.length; i++) {
        if ((data.charCodeAt(i) & STATUS_MASK) === STATUS_FIXED) {
          s[STATUS] = data.charCodeAt(i);
          s[ANSWERED] = 1;
        }
      }
    },
  );
  // The handler keeps this call's scope alive: let the options object go.
  options = null as unknown as EscPosPrinterOptions;
} as unknown as { new (options: EscPosPrinterOptions): EscPosPrinter; prototype: EscPosPrinter };

const proto = EscPosPrinter.prototype as Printer;


// ---- job building (off the hot path; text() of bytes makes two short-lived views) ----

/** Start a job. Returns its id, or 0 when a job is being built/printed or a failed one is kept. */
proto.begin = function (this: Printer): number {
  const s = this.s;
  if (s[ST] !== S_IDLE) return 0;
  s[JOB_ID] = s[NEXT_ID];
  s[NEXT_ID] = s[NEXT_ID] >= 0x7fffffff ? 1 : s[NEXT_ID] + 1;
  s[LEN] = 0;
  s[OVERFLOW] = 0;
  s[COL] = 0;
  s[DBL] = 0;
  s[TALL] = 0;
  this.unit.fill(0);
  s[ST] = S_BUILD;
  return s[JOB_ID];
};

/** ESC @: reset the printer's modes (bold, size, alignment) and its line buffer. */
proto.init = function (this: Printer): number {
  const r = this.put(2, 2, ESC, 0x40, 0);
  if (r === PRN_OK) {
    this.s[COL] = 0;
    this.s[DBL] = 0;
    this.s[TALL] = 0;
  }
  return r;
};

/**
 * Printable ASCII (0x20-0x7E): a binary string, or bytes of a Uint8Array, whole or its
 * [start, end) (a message of the catalogue, a number formatted into a buffer: no substring).
 * Other characters are printed as '?' and the call returns PRN_ERR_BAD_TEXT (control bytes must
 * never reach the printer as data).
 */
proto.text = function (this: Printer, src: string | Uint8Array, start?: number, end?: number): number {
  const from = start === undefined ? 0 : start;
  const to = end === undefined ? src.length : end;
  const s = this.s;
  const job = this.job;
  if (s[ST] !== S_BUILD) return PRN_ERR_STATE;
  if (!(from >= 0 && to <= src.length && from <= to)) return PRN_ERR_BAD_ARG;
  // put(to - from, 0, ...) written out: a call costs as much as a few characters
  if (s[OVERFLOW] || s[LEN] + to - from > job.length) {
    s[OVERFLOW] = 1;
    return PRN_ERR_OVERFLOW;
  }
  const bytes = typeof src !== "string";
  // On Espruino every statement costs ~10,000 instructions: the characters that fit on the
  // current line are copied by one small loop per kind of source with the bookkeeping done once;
  // only the rest (a value that wraps) goes a character at a time through put()
  const w = s[DBL] ? 2 : 1;
  let fit = from + ((s[COLUMNS] - s[COL]) >> (w - 1));
  if (fit > to) fit = to;
  let at = s[LEN];
  let bad = 0;
  let c = 0;
  let i = from;
  if (bytes && this.map && fit > from) {
    // one native pass; what was not printable came out 0 and becomes '?' (rare: a slow loop)
    const run = job.subarray(at, at + fit - from);
    E!.mapInPlace((src as Uint8Array).subarray(from, fit), run, this.map, 0);
    at += fit - from;
    i = fit;
    if (run.indexOf(0) >= 0) {
      for (c = 0; c < run.length; c++) {
        if (run[c] === 0) {
          run[c] = 0x3f;
          bad++;
        }
      }
    }
  } else if (bytes) for (; i < fit; i++) job[at++] = (c = (src as Uint8Array)[i]) >= 0x20 && c <= 0x7e ? c : (bad++, 0x3f);
  else for (; i < fit; i++) job[at++] = (c = (src as string).charCodeAt(i)) >= 0x20 && c <= 0x7e ? c : (bad++, 0x3f);
  s[LEN] = at;
  if (fit > from) {
    s[COL] += (fit - from) * w;
    if (w === 2) s[TALL] = 1;
  }
  for (; i < to; i++) {
    c = bytes ? (src as Uint8Array)[i] : (src as string).charCodeAt(i);
    if (c < 0x20 || c > 0x7e) {
      c = 0x3f;
      bad++;
    }
    job[s[LEN]++] = c;
    if (s[COL] + w > s[COLUMNS]) this.put(-1, 0, 1, 0, 0);
    else {
      s[COL] += w;
      if (w === 2) s[TALL] = 1;
    }
  }
  return bad ? PRN_ERR_BAD_TEXT : PRN_OK;
};

/**
 * Characters [start, end) of a binary string of GB18030 bytes (e.g. the catalogue in
 * firmware/ui/messages.gen.ts), printed in Chinese mode between FS & and FS . — one message
 * of the concatenated catalogue without a substring. The bytes are checked first: a broken
 * sequence is refused whole (PRN_ERR_BAD_TEXT), since it would make the printer swallow the
 * next character. Printable ASCII may be mixed in.
 */
proto.gbTextAt = function (this: Printer, src: string, start: number, end: number): number {
  if (this.s[ST] !== S_BUILD) return PRN_ERR_STATE;
  if (!(start >= 0 && end <= src.length && start <= end)) return PRN_ERR_BAD_ARG;
  // GB18030 structure: printable ASCII, 2-byte and 4-byte sequences; and the columns it takes
  let i = start;
  let cols = 0;
  while (i < end) {
    const b = src.charCodeAt(i);
    if (b < 0x80) {
      if (b < 0x20 || b === 0x7f) return PRN_ERR_BAD_TEXT;
      i++;
      cols++;
      continue;
    }
    if (b < 0x81 || b > 0xfe || i + 1 >= end) return PRN_ERR_BAD_TEXT;
    const b2 = src.charCodeAt(i + 1);
    if (b2 >= 0x30 && b2 <= 0x39) {
      if (i + 3 >= end) return PRN_ERR_BAD_TEXT;
      const b3 = src.charCodeAt(i + 2);
      const b4 = src.charCodeAt(i + 3);
      if (b3 < 0x81 || b3 > 0xfe || b4 < 0x30 || b4 > 0x39) return PRN_ERR_BAD_TEXT;
      i += 4;
    } else if ((b2 >= 0x40 && b2 <= 0x7e) || (b2 >= 0x80 && b2 <= 0xfe)) {
      i += 2;
    } else {
      return PRN_ERR_BAD_TEXT;
    }
    cols += 2;
  }
  const r = this.put(end - start + 4, 2, FS, 0x26, 0);
  if (r) return r;
  const s = this.s;
  const job = this.job;
  const dbl = s[DBL] ? 2 : 1;
  if (this.map && s[COL] + cols * dbl <= s[COLUMNS]) {
    // it fits on the line: the bytes copied by one native call from a view of the string (where
    // E is, as in text()), the columns counted once
    job.set(new Uint8Array(E!.toArrayBuffer(src), start, end - start), s[LEN]);
    s[LEN] += end - start;
    s[COL] += cols * dbl;
    if (dbl === 2 && cols > 0) s[TALL] = 1;
    return this.put(2, 2, FS, 0x2e, 0);
  }
  i = start;
  while (i < end) {
    const b = src.charCodeAt(i);
    // one column for ASCII, two for a hanzi; a wrapping character goes through put() (see text())
    const a = b < 0x80 ? 1 : 2;
    const n = a === 1 ? 1 : src.charCodeAt(i + 1) <= 0x39 ? 4 : 2;
    for (let k = 0; k < n; k++) job[s[LEN]++] = src.charCodeAt(i + k);
    if (s[COL] + a * dbl > s[COLUMNS]) this.put(-1, 0, a, 0, 0);
    else {
      s[COL] += a * dbl;
      if (dbl === 2) s[TALL] = 1;
    }
    i += n;
  }
  return this.put(2, 2, FS, 0x2e, 0);
};

/** LF: print the line and move to the next. */
proto.line = function (this: Printer): number {
  // put(1, 1, LF) and put(-1, 0, 0) written out: the slip ends ~30 lines, a call costs
  const s = this.s;
  if (s[ST] !== S_BUILD) return PRN_ERR_STATE;
  if (s[OVERFLOW] || s[LEN] >= this.job.length) {
    s[OVERFLOW] = 1;
    return PRN_ERR_OVERFLOW;
  }
  this.job[s[LEN]++] = LF;
  // the line prints (two units when it holds double-height characters)
  this.unit[((s[LEN] - 1) / s[CHUNK]) | 0] += s[TALL] || s[DBL] ? 2 : 1;
  s[COL] = 0;
  s[TALL] = 0;
  return PRN_OK;
};

/** ESC E n: emphasized (bold) on/off. */
proto.bold = function (this: Printer, on: boolean): number {
  return this.put(3, 3, ESC, 0x45, on ? 1 : 0);
};

/** GS ! n: double width and height (0x11) or normal (0x00). */
proto.doubleSize = function (this: Printer, on: boolean): number {
  const r = this.put(3, 3, GS, 0x21, on ? 0x11 : 0);
  if (r === PRN_OK) this.s[DBL] = on ? 1 : 0;
  return r;
};

/** ESC a n: 0 left, 1 centre, 2 right (takes effect at the start of a line). */
proto.align = function (this: Printer, n: number): number {
  if (n !== 0 && n !== 1 && n !== 2) return this.s[ST] !== S_BUILD ? PRN_ERR_STATE : PRN_ERR_BAD_ARG;
  return this.put(3, 3, ESC, 0x61, n);
};

/** ESC d n: print the line buffer and feed n lines (0-255). */
proto.feed = function (this: Printer, n: number): number {
  if (!(n >= 0 && n <= 255 && n === Math.floor(n))) return this.s[ST] !== S_BUILD ? PRN_ERR_STATE : PRN_ERR_BAD_ARG;
  const r = this.put(3, 3, ESC, 0x64, n);
  // With text pending, ESC d n is that line plus n-1 feeds; with none, n feeds.
  if (r === PRN_OK) this.put(-1, 0, this.s[COL] > 0 ? -(n > 1 ? n : 1) : -0x10000 - n, 0, 0);
  return r;
};

/** GS V 66 0: feed to the cutter and cut (partial). Ends a pending line first. */
proto.cut = function (this: Printer): number {
  const pending = this.s[COL] > 0;
  let r = this.put(pending ? 5 : 4, 0, 0, 0, 0);
  if (r) return r;
  if (pending) this.line();
  r = this.put(4, 3, GS, 0x56, 66);
  if (r) return r;
  this.job[this.s[LEN]++] = 0;
  this.put(-1, 0, -0x10000 - CUT_UNITS, 0, 0);
  return PRN_OK;
};

/**
 * Queue the job. A job that overflowed the buffer is dropped here with PRN_ERR_OVERFLOW
 * (returned and sent as EV_PRINT_FAILED) and nothing is printed; the printer is free again.
 */
proto.end = function (this: Printer): number {
  const s = this.s;
  if (s[ST] !== S_BUILD) return PRN_ERR_STATE;
  if (!s[OVERFLOW] && s[COL] > 0) this.line(); // never leave text in the printer's line buffer
  if (s[OVERFLOW]) {
    s[ST] = S_IDLE;
    this.lastError = PRN_ERR_OVERFLOW;
    this.ring.push(EV_PRINT_FAILED, s[JOB_ID], PRN_ERR_OVERFLOW);
    return PRN_ERR_OVERFLOW;
  }
  s[ST] = S_QUEUED;
  return PRN_OK;
};

/** Print the kept failed job again from its start (after paper is loaded). Returns its id, or 0. */
proto.reprint = function (this: Printer): number {
  if (this.s[ST] !== S_FAILED) return 0;
  this.s[ST] = S_QUEUED;
  return this.s[JOB_ID];
};

/** Drop a job being built, or a kept failed job (the operator gave up on it). */
proto.discard = function (this: Printer): boolean {
  const st = this.s[ST];
  if (st !== S_BUILD && st !== S_FAILED) return false;
  this.s[ST] = S_IDLE;
  return true;
};

/** PRN_IDLE, PRN_BUILDING, PRN_PRINTING or PRN_FAILED. */
proto.state = function (this: Printer): number {
  const st = this.s[ST];
  if (st === S_IDLE) return PRN_IDLE;
  if (st === S_BUILD) return PRN_BUILDING;
  if (st === S_FAILED) return PRN_FAILED;
  return PRN_PRINTING;
};

/** Id of the kept failed job, or 0. */
proto.keptJob = function (this: Printer): number {
  return this.s[ST] === S_FAILED ? this.s[JOB_ID] : 0;
};

// ---- printing (hot: called from the app loop) ----

/**
 * Drive the status queries, timeouts and paced output. `now` defaults to the clock.
 * One function for every step (a function costs RAM on Espruino): start a queued job,
 * wait for the status reply, send the next chunk, wait for the end of printing.
 * @hot
 */
proto.tick = function (this: Printer, now?: number): void {
  const s = this.s;
  if (now === undefined) now = this.clk.now();
  let then = 0; // > 0: send a status query, and what its good answer leads to
  let fail = 0; // > 0: the job failed with this reason
  if (s[ST] === S_QUEUED) {
    s[POS] = 0;
    s[SEND_AT] = 0;
    s[WIRE_END] = now;
    s[PRINT_END] = now;
    s[BUSY_SINCE] = -1;
    then = NEXT_SEND;
  } else if (s[ST] === S_QUERY) {
    if (s[ANSWERED]) {
      this.paperNearEnd = (s[STATUS] & STATUS_NEAR_END) !== 0;
      if ((s[STATUS] & STATUS_PAPER_END) !== 0) fail = PRN_ERR_PAPER_OUT;
      else if (s[THEN] === NEXT_SEND) s[ST] = S_SEND;
      else if (s[THEN] === NEXT_BUSY) fail = PRN_ERR_BUSY_TIMEOUT;
      else {
        s[ST] = S_IDLE;
        this.ring.push(EV_PRINT_DONE, s[JOB_ID], 0);
      }
    } else if (now - s[QUERY_AT] >= s[STATUS_TIMEOUT]) {
      fail = PRN_ERR_NO_ANSWER;
    }
  } else if (s[ST] === S_DRAIN) {
    if (now >= s[PRINT_END]) then = NEXT_DONE;
  } else if (s[ST] === S_SEND && now >= s[SEND_AT]) {
    if (s[POS] >= s[LEN]) {
      s[ST] = S_DRAIN;
    } else if (s[CHECK_EVERY] > 0 && s[SINCE_CHECK] >= s[CHECK_EVERY]) {
      then = NEXT_SEND;
    } else if (this.busy && this.busy.read()) {
      if (s[BUSY_SINCE] < 0) s[BUSY_SINCE] = now;
      else if (now - s[BUSY_SINCE] >= s[BUSY_TIMEOUT]) then = NEXT_BUSY;
    } else {
      s[BUSY_SINCE] = -1;
      // One chunk, byte by byte from the job buffer (nothing allocated).
      const c = (s[POS] / s[CHUNK]) | 0;
      let n = s[LEN] - s[POS];
      if (n > s[CHUNK]) n = s[CHUNK];
      for (let i = 0; i < n; i++) this.ser.write(this.job[s[POS]++]);
      s[SINCE_CHECK] += n;
      if (s[WIRE_END] < now) s[WIRE_END] = now;
      s[WIRE_END] += n * s[BYTE_MS];
      if (s[PRINT_END] < s[WIRE_END]) s[PRINT_END] = s[WIRE_END];
      s[PRINT_END] += this.unit[c] * s[LINE_MS];
      // Busy pin: go on once this chunk is off the wire (the pin only counts bytes that arrived).
      // Time: go on when the printer is one chunk's wire time from having printed everything.
      s[SEND_AT] = this.busy ? s[WIRE_END] : s[PRINT_END] - n * s[BYTE_MS];
    }
  }
  if (then > 0) {
    // DLE EOT 4; the timeout runs from when it has left the wire.
    s[ANSWERED] = 0;
    s[THEN] = then;
    s[SINCE_CHECK] = 0;
    this.ser.write(DLE);
    this.ser.write(EOT);
    this.ser.write(4);
    if (s[WIRE_END] < now) s[WIRE_END] = now;
    s[WIRE_END] += 3 * s[BYTE_MS];
    s[QUERY_AT] = s[WIRE_END];
    s[ST] = S_QUERY;
  }
  if (fail > 0) {
    s[ST] = S_FAILED;
    this.lastError = fail;
    this.ring.push(EV_PRINT_FAILED, s[JOB_ID], fail);
  }
};

// ---- builder internals ----

/**
 * Room for `need` more bytes (else the job is marked overflowed), then the first `n` (0..3)
 * of the bytes a, b, c written. Returns PRN_OK, PRN_ERR_STATE or PRN_ERR_OVERFLOW.
 *
 * need < 0: instead, line bookkeeping for the byte(s) just written, so the pacing knows the
 * print time (one function for both: each costs RAM on Espruino); `a` says what they were:
 * a > 0: a character a columns wide at normal size (wraps like the printer does);
 * a <= 0 and > -0x10000: the last byte prints the current line plus (-a - 1) blank lines
 * (0: a plain LF); a <= -0x10000: (-a - 0x10000) line units of feed or cut, no pending line.
 */
proto.put = function (this: Printer, need: number, n: number, a: number, b: number, c: number): number {
  const s = this.s;
  // room first: Espruino reads through a branch it does not take, so the shorter one goes first
  if (need >= 0) {
    if (s[ST] !== S_BUILD) return PRN_ERR_STATE;
    if (s[OVERFLOW] || s[LEN] + need > this.job.length) {
      s[OVERFLOW] = 1;
      return PRN_ERR_OVERFLOW;
    }
    if (n > 0) {
      const job = this.job;
      job[s[LEN]++] = a;
      if (n > 1) {
        job[s[LEN]++] = b;
        if (n > 2) job[s[LEN]++] = c;
      }
    }
    return PRN_OK;
  }
  let u = 0;
  if (a > 0) {
    if (s[DBL]) a *= 2;
    if (s[COL] + a > s[COLUMNS]) u = 1; // wraps: the line before it prints
  } else if (a > -0x10000) {
    u = a < 0 ? -a : 1;
  } else {
    this.unit[((s[LEN] - 1) / s[CHUNK]) | 0] += -a - 0x10000;
    return PRN_OK;
  }
  if (u > 0) {
    this.unit[((s[LEN] - 1) / s[CHUNK]) | 0] += (s[TALL] || s[DBL] ? 2 : 1) + u - 1;
    s[COL] = 0;
    s[TALL] = 0;
  }
  if (a > 0) {
    s[COL] += a;
    if (s[DBL]) s[TALL] = 1;
  }
  return PRN_OK;
};
