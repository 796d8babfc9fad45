/**
 * Magnetic-stripe reader driver: a swipe module that decodes the stripe itself and sends the
 * tracks as ASCII over a UART.
 *
 * Part: serial-output MSR modules - ID TECH MiniMag RS-232 ("ID TECH format"), MSR100-class
 * RS-232 readers, and the common unbranded 3-track "magnetic card reader module, TTL UART".
 * Datasheet: ID TECH MiniMag RS-232 User's Manual (sections "Message Formatting Selections",
 * "Output Format Selection": ID TECH / UIC formats, optional LRC, terminator CR/LF);
 * track layout ISO/IEC 7813 (tracks 1 and 2), ISO 4909 (track 3).
 *
 * Wiring: module TXD -> MCU RX (module RXD only matters for configuring it); RS-232-level modules
 * through a MAX3232. Usually 9600 8N1; the board profile sets the UART up.
 *
 * Byte stream accepted for one swipe (what those modules send):
 *   [STX|ESC]  %<track 1>?[LRC]  <sep>  ;<track 2>?[LRC]  <sep>  ;|+<track 3>?[LRC]  <end>  [ETX]
 *   - any track may be missing; tracks come in order 1, 2, 3; track 3 starts with ';' (ISO,
 *     the second ';' of a swipe) or '+' (modules that mark it);
 *   - <sep> between tracks: any of CR, LF, STX, ETX, ESC (ignored outside a track);
 *   - <end>: the swipe is complete when `endByte` arrives (default LF, i.e. a module set to the
 *     CR/LF terminator; 0x03 for STX..ETX framing; -1 for none) or, whatever the terminator,
 *     when the line has been quiet for `endGapMs` after the last end sentinel;
 *   - `lrc: true`: one LRC byte follows each '?': XOR of the bytes from the start sentinel to
 *     the end sentinel inclusive, as sent (the module must be set to send it the same way);
 *   - a track the module could not read comes as "<SS>E?" (ID TECH, MagTek): a read error.
 * Track contents: track 1 "B<PAN>^<NAME>^<YYMM><SVC><discretionary>" (0x20..0x5F),
 * track 2 "<PAN>=<YYMM><SVC><discretionary>" and track 3: digits and '=' only.
 *
 * A swipe is accepted only when track 2 is present and well formed (PAN 13..19 digits with a
 * valid Luhn check digit, YYMM with month 01..12, 3-digit service code) and, when track 1 is
 * present, it agrees with track 2 (PAN, expiry, service code). Then the reader keeps tracks 2
 * and 3 (track 1 is zeroed) and EV_CARD_SWIPED is pushed with a = MSR_SWIPE_CHIP when the
 * service code starts with 2 or 6 (the card has a chip: the UI should say "use chip", see
 * serviceCodeWantsChip). The owner of the event hands the swipe over with take(record): the
 * record is filled (entryMode ENTRY_SWIPE); or drops it with take(null). Either way the kept
 * tracks are zeroed; the next swipe also drops them. The reader has no card record of its own:
 * a swipe while the chip reader fills its record cannot overwrite that record.
 * Anything else - garbled bytes, a track cut off (no '?' within
 * `swipeTimeoutMs` of the first byte), a bad LRC, a bad character, Luhn - gives one
 * EV_CARD_READ_ERROR (a = MSR_ERR_*, b = track) per swipe, keeps nothing, and take() then
 * leaves the record untouched.
 * Expiry against today's date is the transaction engine's check, not the reader's.
 * A silent module cannot be told apart from nobody swiping: this driver never raises
 * EV_READER_FAULT.
 *
 * Usage:
 *   const msr = new MagStripeReader({ serial: Serial2, ring, clock });
 *   setInterval(function () { msr.tick(clock.now()); }, 10);
 *   // ring: EV_CARD_SWIPED -> if (msr.take(card)) card holds PAN, expiry, service code,
 *   //   track 2 (and 3); to ignore the swipe: msr.take(null).
 *
 * Memory: a constructor function with its methods put on the prototype at the module's top
 * level (TypeScript's ES5 class output puts methods inside a function of their own, and on
 * Espruino a method keeps a link to every scope around it); the receive handler made
 * at construction parses each byte inline (no helper call per byte: a call frame is a transient
 * allocation); the end of a swipe (checks, event) is one method; the three tracks share one
 * 217-byte buffer, the only copy of a swipe the reader holds (no card record of its own: the
 * owner's record is filled by take()); properties have names of at most 4 characters (one block
 * each).
 */
import type { SerialLike } from "../hal/serial";
import type { Clock } from "../hal/clock";
import { CardData, ENTRY_SWIPE } from "../txn/card-data";
import { EventRing } from "../lib/event-ring";
import { EV_CARD_SWIPED, EV_CARD_READ_ERROR } from "../events";

/** EV_CARD_READ_ERROR reasons (event a); event b is the track (1..3) or 0. */
export const MSR_ERR_GARBLED = 1; // bytes outside any track, or a track out of order / twice
export const MSR_ERR_PARTIAL = 2; // a track started but did not end in time, or was cut
export const MSR_ERR_CHAR = 3; // a character the track's character set does not have
export const MSR_ERR_PARITY = 4; // a byte with bit 7 set: UART parity/framing error or noise
export const MSR_ERR_LRC = 5; // LRC byte does not match
export const MSR_ERR_TRACK_FAILED = 6; // the module reported the track unreadable ("E")
export const MSR_ERR_NO_TRACK2 = 7; // no track 2 (needed for the host: field 35)
export const MSR_ERR_FORMAT = 8; // PAN length/digits, expiry, service code or layout wrong
export const MSR_ERR_LUHN = 9; // PAN check digit wrong
export const MSR_ERR_MISMATCH = 10; // track 1 and track 2 disagree
export const MSR_ERR_TOO_LONG = 11; // more characters than the track can hold
export const MSR_ERR_NAMES = [
  "",
  "garbled",
  "partial swipe",
  "bad character",
  "parity error",
  "LRC error",
  "track unreadable",
  "no track 2",
  "bad format",
  "bad check digit",
  "tracks disagree",
  "track too long",
];

/** EV_CARD_SWIPED a: the service code says the card has a chip (first digit 2 or 6). */
export const MSR_SWIPE_CHIP = 1;

export interface MagStripeReaderOptions {
  serial: SerialLike;
  ring: EventRing;
  clock: Clock;
  /** From the first byte of a swipe to its end (default 1000 ms): else MSR_ERR_PARTIAL. */
  swipeTimeoutMs?: number;
  /** The module sends an LRC byte after each end sentinel (default false). */
  lrc?: boolean;
  /** Byte that ends a swipe (default 0x0A LF; 0x03 ETX; -1 none). Not the track separator. */
  endByte?: number;
  /** Quiet time after an end sentinel that also ends a swipe (default 50 ms; 0 = off). */
  endGapMs?: number;
}

// Track data capacities (ISO/IEC 7813 / 4909, sentinels and LRC excluded), and where each
// track sits in the one track buffer.
const T1_MAX = 76;
const T2_MAX = 37;
const T3_MAX = 104;
const T1_AT = 0;
const T2_AT = T1_MAX;
const T3_AT = T1_MAX + T2_MAX;

/**
 * The reader's small numbers, slots of one Int32Array `v` (a slot is 4 bytes, a property a
 * 16-byte block): swipeTimeoutMs, lrc (1/0), endByte, endGapMs; the length of each track in this
 * swipe (-1 = not seen); the parser's state (S_*), the track being read, its length so far, its
 * LRC so far; 1 when the module sent "E" for this track; the swipe's first error and its track.
 */
const V_TMO = 0;
const V_LRC = 1;
const V_ENDB = 2;
const V_GAP = 3;
const V_N1 = 4;
const V_N2 = 5;
const V_N3 = 6;
const V_ST = 7;
const V_T = 8;
const V_TL = 9;
const V_ACC = 10;
const V_TF = 11;
const V_ERR = 12;
const V_ET = 13;
const V_PL = 14; // PAN length of the kept good swipe (0 = none kept)
const V_SLOTS = 15;

const S_IDLE = 0; // no swipe in progress
const S_BETWEEN = 1; // in a swipe, outside a track
const S_TRACK = 2; // inside a track
const S_LRC = 3; // expecting the LRC byte
const S_DRAIN = 4; // swipe failed: discard until it ends

const C_STX = 0x02;
const C_ETX = 0x03;
const C_LF = 0x0a;
const C_CR = 0x0d;
const C_ESC = 0x1b;
const C_SS1 = 0x25; // %
const C_SS2 = 0x3b; // ;
const C_SS3 = 0x2b; // +
const C_ES = 0x3f; // ?
const C_FS1 = 0x5e; // ^
const C_FS2 = 0x3d; // =
const C_E = 0x45; // E

/** True when the service code in `card` asks for the chip (first digit 2 or 6). */
export function serviceCodeWantsChip(card: CardData): boolean {
  const d = card.serviceCode[0];
  return d === 0x32 || d === 0x36;
}

/** Luhn (ISO/IEC 7812-1) over the first `n` ASCII digits of `d` (the driver has its own copy inline). */
export function luhnOk(d: Uint8Array, n: number): boolean {
  let sum = 0;
  for (let i = n - 1, dbl = 0; i >= 0; i--, dbl ^= 1) {
    const v = (d[i] - 0x30) * (dbl + 1);
    sum += v > 9 ? v - 9 : v;
  }
  return sum % 10 === 0;
}

export interface MagStripeReader {
  /**
   * Hands the last good swipe over and forgets it: fills `out` (as wipe() then the stripe's
   * fields) and returns true, or returns false and leaves `out` untouched when no good swipe is
   * kept. With null it only forgets it. The raw tracks are zeroed either way.
   */
  take(out: CardData | null): boolean;
  /** Last EV_CARD_READ_ERROR reason, for diagnostics. */
  lastError: number;
  /** True while a swipe is being received. */
  busy(): boolean;
  /** Swipe timeout and end-of-swipe gap. Call every few ms. */
  tick(now: number): void;
}

/** The driver's own fields (names of at most 4 characters: one block each). */
interface Reader extends MagStripeReader {
  ring: EventRing;
  clk: Clock;
  /** Tracks 1, 2, 3 at T1_AT, T2_AT, T3_AT (done() zeroes all but a good swipe's tracks 2 and 3). */
  trk: Uint8Array;
  /** Slots V_*. */
  v: Int32Array;
  /** When the swipe's first byte came, and its last. */
  t0: number;
  last: number;
  /**
   * The swipe has ended: check it, keep tracks 2 and 3 when good, zero the rest.
   * Returns 0 (good; et = the EV_CARD_SWIPED a) or the MSR_ERR_* (et = its track): the caller
   * pushes the event, so the ring's frame is not stacked on this one (transient RAM).
   */
  done(): number;
}

export const MagStripeReader = function (this: Reader, options: MagStripeReaderOptions): void {
  const m = this;
  m.v = new Int32Array(V_SLOTS);
  m.lastError = 0;
  m.ring = options.ring;
  m.clk = options.clock;
  m.v[V_TMO] = options.swipeTimeoutMs !== undefined ? options.swipeTimeoutMs : 1000;
  m.v[V_LRC] = options.lrc ? 1 : 0;
  m.v[V_ENDB] = options.endByte !== undefined ? options.endByte : C_LF;
  m.v[V_GAP] = options.endGapMs !== undefined ? options.endGapMs : 50;
  m.trk = new Uint8Array(T3_AT + T3_MAX);
  m.v[V_N1] = -1;
  m.v[V_N2] = -1;
  m.v[V_N3] = -1;
  m.v[V_ST] = S_IDLE;
  m.t0 = 0;
  m.last = 0;
  // Bytes from the module, parsed one at a time right here. A failure keeps the first error
  // of the swipe and drains the rest of it (S_DRAIN).
  options.serial.on(
    "data",
    /** Bytes from the module, parsed one at a time. @hot */
    function (data: string) {
      // `last` is this chunk's time (read only while a swipe is on), `t0` the swipe's first byte's
      m.last = m.clk.now();
      for (let i = 0; i < data.length; i++) {
        if (m.v[V_ST] === S_IDLE) m.t0 = m.last;
        let c = data.charCodeAt(i) & 0xff;
        // c becomes -1 when the track just ended (its end sentinel, or its LRC checked)
        if (m.v[V_ST] === S_LRC) {
          if (c !== m.v[V_ACC]) {
            if (!m.v[V_ERR]) (m.v[V_ERR] = MSR_ERR_LRC), (m.v[V_ET] = m.v[V_T]);
            m.v[V_ST] = S_DRAIN;
            continue;
          }
          c = -1;
        } else if (c === m.v[V_ENDB]) {
          if (m.v[V_ST] === S_IDLE) continue; // a stray terminator on an idle line
          if (m.v[V_ST] === S_TRACK && !m.v[V_ERR]) (m.v[V_ERR] = MSR_ERR_PARTIAL), (m.v[V_ET] = m.v[V_T]);
          c = m.done();
          m.ring.push(c ? EV_CARD_READ_ERROR : EV_CARD_SWIPED, c ? c : m.v[V_ET], c ? m.v[V_ET] : 0);
          continue;
        } else if (m.v[V_ST] === S_DRAIN) {
          continue;
        } else if (m.v[V_ST] === S_IDLE || m.v[V_ST] === S_BETWEEN) {
          // separators between tracks: CR, LF, STX, ETX, ESC
          if (c === C_CR || c === C_LF || c === C_STX || c === C_ETX || c === C_ESC) continue;
          if (m.v[V_ST] === S_IDLE) {
            m.v[V_ST] = S_BETWEEN;
            m.v[V_N1] = -1;
            m.v[V_N2] = -1;
            m.v[V_N3] = -1;
            m.v[V_ERR] = 0;
            m.v[V_ET] = 0;
            m.v[V_PL] = 0; // a kept swipe not taken goes: its bytes are overwritten or zeroed by done()
          }
          if (c === C_SS1 && m.v[V_N1] < 0 && m.v[V_N2] < 0 && m.v[V_N3] < 0) m.v[V_T] = 1;
          else if (c === C_SS2 && m.v[V_N2] < 0 && m.v[V_N3] < 0) m.v[V_T] = 2;
          else if ((c === C_SS2 || c === C_SS3) && m.v[V_N3] < 0) m.v[V_T] = 3;
          else {
            if (!m.v[V_ERR]) (m.v[V_ERR] = c >= 0x80 ? MSR_ERR_PARITY : MSR_ERR_GARBLED), (m.v[V_ET] = 0);
            m.v[V_ST] = S_DRAIN;
            continue;
          }
          m.v[V_ST] = S_TRACK;
          m.v[V_TL] = 0;
          m.v[V_ACC] = c;
          m.v[V_TF] = 0;
          continue;
        } else {
          // S_TRACK
          if (c >= 0x80) {
            if (!m.v[V_ERR]) (m.v[V_ERR] = MSR_ERR_PARITY), (m.v[V_ET] = m.v[V_T]);
            m.v[V_ST] = S_DRAIN;
            continue;
          }
          m.v[V_ACC] ^= c;
          if (c === C_ES) {
            if (m.v[V_LRC]) {
              m.v[V_ST] = S_LRC;
              continue;
            }
            c = -1;
          } else if (m.v[V_T] === 1 && !m.v[V_TF] && c >= 0x20 && c <= 0x5f && c !== C_SS1) {
            if (m.v[V_TL] < T1_MAX) m.trk[T1_AT + m.v[V_TL]++] = c;
            else c = -2; // too long
          } else if (m.v[V_T] === 1 || m.v[V_TF] || ((c < 0x30 || c > 0x39) && c !== C_FS2 && !(c === C_E && m.v[V_TL] === 0))) {
            if (!m.v[V_ERR]) (m.v[V_ERR] = MSR_ERR_CHAR), (m.v[V_ET] = m.v[V_T]);
            m.v[V_ST] = S_DRAIN;
            continue;
          } else if (c === C_E) {
            m.v[V_TF] = 1; // "<SS>E?": the module could not read this track
          } else if (m.v[V_TL] < (m.v[V_T] === 2 ? T2_MAX : T3_MAX)) {
            m.trk[(m.v[V_T] === 2 ? T2_AT : T3_AT) + m.v[V_TL]++] = c;
          } else {
            c = -2;
          }
          if (c === -2) {
            if (!m.v[V_ERR]) (m.v[V_ERR] = MSR_ERR_TOO_LONG), (m.v[V_ET] = m.v[V_T]);
            m.v[V_ST] = S_DRAIN;
          }
          if (c !== -1) continue;
        }
        // The track ended.
        m.v[V_ST] = S_BETWEEN;
        if (m.v[V_TF] || (m.v[V_T] === 1 && m.v[V_TL] === 1 && m.trk[T1_AT] === C_E)) {
          if (!m.v[V_ERR]) (m.v[V_ERR] = MSR_ERR_TRACK_FAILED), (m.v[V_ET] = m.v[V_T]);
          m.v[V_ST] = S_DRAIN;
        } else if (m.v[V_T] === 1) m.v[V_N1] = m.v[V_TL];
        else if (m.v[V_T] === 2) m.v[V_N2] = m.v[V_TL];
        else m.v[V_N3] = m.v[V_TL];
      }
    },
  );
  // The handler keeps this call's scope alive: let the options object go.
  options = null as unknown as MagStripeReaderOptions;
} as unknown as { new (options: MagStripeReaderOptions): MagStripeReader; prototype: MagStripeReader };

const proto = MagStripeReader.prototype as Reader;

proto.busy = function (this: Reader): boolean {
  return this.v[V_ST] !== S_IDLE;
};

/** @hot */
proto.tick = function (this: Reader, now: number): void {
  if (this.v[V_ST] === S_IDLE) return;
  if (now - this.t0 >= this.v[V_TMO]) {
    if ((this.v[V_ST] === S_TRACK || this.v[V_ST] === S_LRC) && !this.v[V_ERR]) {
      this.v[V_ERR] = MSR_ERR_PARTIAL;
      this.v[V_ET] = this.v[V_T];
    }
  } else if (!(this.v[V_GAP] > 0 && now - this.last >= this.v[V_GAP] && (this.v[V_ST] === S_BETWEEN || this.v[V_ST] === S_DRAIN))) {
    return;
  }
  now = this.done();
  this.ring.push(now ? EV_CARD_READ_ERROR : EV_CARD_SWIPED, now ? now : this.v[V_ET], now ? this.v[V_ET] : 0);
};

/**
 * Checks the swipe (track 2 well formed, Luhn, track 1 agreeing) and keeps tracks 2 and 3 when
 * it is good (see done() above). Three locals only: each is a block taken while it runs. @hot
 */
proto.done = function (this: Reader): number {
  let pan = 0; // PAN digits in track 2
  let k = 0;
  let j = 0;
  if (this.v[V_ERR] === 0) {
    this.v[V_ET] = 2;
    // track 2: PAN (13..19 digits) '=' YYMM (month 01..12) SSS
    while (pan < this.v[V_N2] && this.trk[T2_AT + pan] !== C_FS2 && this.trk[T2_AT + pan] >= 0x30 && this.trk[T2_AT + pan] <= 0x39) pan++;
    if (this.v[V_N2] <= 0) this.v[V_ERR] = MSR_ERR_NO_TRACK2;
    else if (pan < 13 || pan > 19 || this.trk[T2_AT + pan] !== C_FS2 || this.v[V_N2] < pan + 8) this.v[V_ERR] = MSR_ERR_FORMAT;
    for (k = pan + 1; this.v[V_ERR] === 0 && k < pan + 8; k++) if (this.trk[T2_AT + k] < 0x30 || this.trk[T2_AT + k] > 0x39) this.v[V_ERR] = MSR_ERR_FORMAT;
    k = (this.trk[T2_AT + pan + 3] - 0x30) * 10 + (this.trk[T2_AT + pan + 4] - 0x30);
    if (this.v[V_ERR] === 0 && (k < 1 || k > 12)) this.v[V_ERR] = MSR_ERR_FORMAT;
    if (this.v[V_ERR] === 0) {
      // Luhn (ISO/IEC 7812-1): every second digit from the right doubled (2d - 9 when > 9)
      j = 0;
      for (k = pan - 1; k >= 0; k--) {
        j += ((pan - 1 - k) & 1) === 0 ? this.trk[T2_AT + k] - 0x30 : 2 * (this.trk[T2_AT + k] - 0x30) - (this.trk[T2_AT + k] > 0x34 ? 9 : 0);
      }
      if (j % 10 !== 0) this.v[V_ERR] = MSR_ERR_LUHN;
    }
    if (this.v[V_ERR] === 0 && this.v[V_N1] > 0) {
      // track 1: 'B' PAN '^' NAME (2..26) '^' YYMM SSS ...: PAN, expiry, service code as track 2's
      this.v[V_ET] = 1;
      k = 1;
      while (k < this.v[V_N1] && this.trk[T1_AT + k] !== C_FS1) k++;
      if (this.trk[T1_AT] !== 0x42 || k >= this.v[V_N1]) this.v[V_ERR] = MSR_ERR_FORMAT;
      else if (k - 1 !== pan) this.v[V_ERR] = MSR_ERR_MISMATCH;
      for (j = 0; this.v[V_ERR] === 0 && j < pan; j++) if (this.trk[T1_AT + 1 + j] !== this.trk[T2_AT + j]) this.v[V_ERR] = MSR_ERR_MISMATCH;
      j = ++k; // where the name starts
      while (k < this.v[V_N1] && this.trk[T1_AT + k] !== C_FS1) k++;
      if (this.v[V_ERR] === 0 && (k >= this.v[V_N1] || k - j < 2 || k - j > 26 || this.v[V_N1] < k + 8)) this.v[V_ERR] = MSR_ERR_FORMAT;
      for (j = 0; this.v[V_ERR] === 0 && j < 7; j++) if (this.trk[T1_AT + k + 1 + j] !== this.trk[T2_AT + pan + 1 + j]) this.v[V_ERR] = MSR_ERR_MISMATCH;
    }
    if (this.v[V_ERR] === 0) this.v[V_ET] = 0;
  }
  if (this.v[V_ERR] !== 0) {
    this.lastError = this.v[V_ERR];
  } else {
    this.v[V_PL] = pan;
    // a = MSR_SWIPE_CHIP when the service code starts with 2 or 6: the card has a chip
    k = this.trk[T2_AT + pan + 5];
    this.v[V_ET] = k === 0x32 || k === 0x36 ? MSR_SWIPE_CHIP : 0;
  }
  this.v[V_ST] = S_IDLE;
  // zero all but a good swipe's tracks 2 and 3 (track 1, a bad swipe, an older swipe's tail)
  for (k = 0; k < T3_AT + T3_MAX; k++) {
    if (!this.v[V_PL] || !((k >= T2_AT && k < T2_AT + this.v[V_N2]) || (k >= T3_AT && k < T3_AT + this.v[V_N3]))) this.trk[k] = 0;
  }
  this.v[V_TL] = 0;
  return this.v[V_ERR];
};

/** See MagStripeReader.take. @hot */
proto.take = function (this: Reader, out: CardData | null): boolean {
  const pan = out ? this.v[V_PL] : 0;
  let k = 0;
  if (out && pan) {
    out.wipe();
    for (k = 0; k < pan; k++) out.pan[k] = this.trk[T2_AT + k];
    out.panLen = pan;
    for (k = 0; k < 4; k++) out.expiry[k] = this.trk[T2_AT + pan + 1 + k];
    for (k = 0; k < 3; k++) out.serviceCode[k] = this.trk[T2_AT + pan + 5 + k];
    for (k = 0; k < this.v[V_N2]; k++) out.track2[k] = this.trk[T2_AT + k];
    out.track2Len = this.v[V_N2];
    for (k = 0; k < this.v[V_N3]; k++) out.track3[k] = this.trk[T3_AT + k];
    out.track3Len = this.v[V_N3] > 0 ? this.v[V_N3] : 0;
    out.entryMode = ENTRY_SWIPE;
  }
  this.v[V_PL] = 0;
  // not in the middle of a swipe: its bytes so far are in the buffer
  if (this.v[V_ST] === S_IDLE) this.trk.fill(0);
  return pan > 0;
};
