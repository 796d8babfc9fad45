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
 * present, it agrees with track 2 (PAN, expiry, service code). Then the card record is filled
 * (entryMode ENTRY_SWIPE) and EV_CARD_SWIPED is pushed with a = MSR_SWIPE_CHIP when the
 * service code starts with 2 or 6 (the card has a chip: the UI should say "use chip", see
 * serviceCodeWantsChip). Anything else - garbled bytes, a track cut off (no '?' within
 * `swipeTimeoutMs` of the first byte), a bad LRC, a bad character, Luhn - gives one
 * EV_CARD_READ_ERROR (a = MSR_ERR_*, b = track) per swipe and leaves the record untouched.
 * Expiry against today's date is the transaction engine's check, not the reader's.
 * A silent module cannot be told apart from nobody swiping: this driver never raises
 * EV_READER_FAULT.
 *
 * Usage:
 *   const msr = new MagStripeReader({ serial: Serial2, ring, clock });
 *   setInterval(function () { msr.tick(clock.now()); }, 10);
 *   // ring: EV_CARD_SWIPED -> msr.card holds PAN, expiry, service code, track 2 (and 3).
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
  card?: CardData;
  /** From the first byte of a swipe to its end (default 1000 ms): else MSR_ERR_PARTIAL. */
  swipeTimeoutMs?: number;
  /** The module sends an LRC byte after each end sentinel (default false). */
  lrc?: boolean;
  /** Byte that ends a swipe (default 0x0A LF; 0x03 ETX; -1 none). Not the track separator. */
  endByte?: number;
  /** Quiet time after an end sentinel that also ends a swipe (default 50 ms; 0 = off). */
  endGapMs?: number;
}

// Track data capacities (ISO/IEC 7813 / 4909, sentinels and LRC excluded).
const T1_MAX = 76;
const T2_MAX = 37;
const T3_MAX = 104;

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

/** True when the service code in `card` asks for the chip (first digit 2 or 6). @hot */
export function serviceCodeWantsChip(card: CardData): boolean {
  const d = card.serviceCode[0];
  return d === 0x32 || d === 0x36;
}

export class MagStripeReader {
  /** The card record, written only on EV_CARD_SWIPED. */
  readonly card: CardData;
  /** Last EV_CARD_READ_ERROR reason, for diagnostics. */
  lastError = 0;

  private readonly ring: EventRing;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly lrc: boolean;
  private readonly endByte: number;
  private readonly endGapMs: number;

  private readonly t1 = new Uint8Array(T1_MAX);
  private readonly t2 = new Uint8Array(T2_MAX);
  private readonly t3 = new Uint8Array(T3_MAX);
  /** -1 = not seen in this swipe, else its length. */
  private t1Len = -1;
  private t2Len = -1;
  private t3Len = -1;

  private state = S_IDLE;
  private track = 0;
  private tlen = 0;
  private lrcAcc = 0;
  /** The module sent "E" for this track (tracks 2/3; track 1 is checked at its end). */
  private trackFailed = false;
  private err = 0;
  private errTrack = 0;
  private startMs = 0;
  private lastMs = 0;

  constructor(options: MagStripeReaderOptions) {
    this.ring = options.ring;
    this.clock = options.clock;
    this.card = options.card || new CardData();
    this.timeoutMs = options.swipeTimeoutMs !== undefined ? options.swipeTimeoutMs : 1000;
    this.lrc = !!options.lrc;
    this.endByte = options.endByte !== undefined ? options.endByte : C_LF;
    this.endGapMs = options.endGapMs !== undefined ? options.endGapMs : 50;
    const self = this;
    options.serial.on("data", function (data: string) {
      self.feed(data);
    });
  }

  /** True while a swipe is being received. */
  busy(): boolean {
    return this.state !== S_IDLE;
  }

  /** Bytes from the module (the serial handler; tests may call it directly). @hot */
  feed(data: string): void {
    const now = this.clock.now();
    for (let i = 0; i < data.length; i++) {
      if (this.state === S_IDLE) this.startMs = now;
      this.byte(data.charCodeAt(i) & 0xff);
    }
    if (this.state !== S_IDLE) this.lastMs = now;
  }

  /** Swipe timeout and end-of-swipe gap. Call every few ms. @hot */
  tick(now: number): void {
    const st = this.state;
    if (st === S_IDLE) return;
    if (now - this.startMs >= this.timeoutMs) {
      if (st === S_TRACK || st === S_LRC) this.fail(MSR_ERR_PARTIAL, this.track);
      this.complete();
      return;
    }
    if (this.endGapMs > 0 && now - this.lastMs >= this.endGapMs && (st === S_BETWEEN || st === S_DRAIN)) {
      this.complete();
    }
  }

  /** @hot */
  private byte(c: number): void {
    const st = this.state;
    if (st === S_LRC) {
      if (c !== this.lrcAcc) this.fail(MSR_ERR_LRC, this.track);
      else this.endTrack();
      return;
    }
    if (c === this.endByte) {
      if (st === S_IDLE) return; // a stray terminator on an idle line
      if (st === S_TRACK) this.fail(MSR_ERR_PARTIAL, this.track);
      this.complete();
      return;
    }
    if (st === S_IDLE) {
      if (isSeparator(c)) return;
      this.begin();
    } else if (st === S_DRAIN) {
      return;
    }
    if (c >= 0x80) {
      this.fail(MSR_ERR_PARITY, this.state === S_TRACK ? this.track : 0);
      return;
    }
    if (this.state === S_BETWEEN) {
      if (isSeparator(c)) return;
      if (c === C_SS1 && this.t1Len < 0 && this.t2Len < 0 && this.t3Len < 0) this.startTrack(1, c);
      else if (c === C_SS2 && this.t2Len < 0 && this.t3Len < 0) this.startTrack(2, c);
      else if ((c === C_SS2 || c === C_SS3) && this.t3Len < 0) this.startTrack(3, c);
      else this.fail(MSR_ERR_GARBLED, 0);
      return;
    }
    // S_TRACK
    this.lrcAcc ^= c;
    if (c === C_ES) {
      if (this.lrc) this.state = S_LRC;
      else this.endTrack();
      return;
    }
    const t = this.track;
    if (this.trackFailed) {
      this.fail(MSR_ERR_CHAR, t);
      return;
    }
    if (t === 1) {
      if (c < 0x20 || c > 0x5f || c === C_SS1) {
        this.fail(MSR_ERR_CHAR, t);
        return;
      }
      if (this.tlen >= T1_MAX) {
        this.fail(MSR_ERR_TOO_LONG, t);
        return;
      }
      this.t1[this.tlen++] = c;
      return;
    }
    if (c === C_E && this.tlen === 0) {
      this.trackFailed = true;
      return;
    }
    if ((c < 0x30 || c > 0x39) && c !== C_FS2) {
      this.fail(MSR_ERR_CHAR, t);
      return;
    }
    if (this.tlen >= (t === 2 ? T2_MAX : T3_MAX)) {
      this.fail(MSR_ERR_TOO_LONG, t);
      return;
    }
    if (t === 2) this.t2[this.tlen++] = c;
    else this.t3[this.tlen++] = c;
  }

  /** @hot */
  private begin(): void {
    this.state = S_BETWEEN;
    this.t1Len = -1;
    this.t2Len = -1;
    this.t3Len = -1;
    this.err = 0;
    this.errTrack = 0;
  }

  /** @hot */
  private startTrack(t: number, ss: number): void {
    this.state = S_TRACK;
    this.track = t;
    this.tlen = 0;
    this.lrcAcc = ss;
    this.trackFailed = false;
  }

  /** @hot */
  private endTrack(): void {
    const t = this.track;
    this.state = S_BETWEEN;
    if (this.trackFailed || (t === 1 && this.tlen === 1 && this.t1[0] === C_E)) {
      this.fail(MSR_ERR_TRACK_FAILED, t);
      return;
    }
    if (t === 1) this.t1Len = this.tlen;
    else if (t === 2) this.t2Len = this.tlen;
    else this.t3Len = this.tlen;
  }

  /** First error of the swipe wins; the rest of the swipe is discarded. @hot */
  private fail(code: number, t: number): void {
    if (this.err === 0) {
      this.err = code;
      this.errTrack = t;
    }
    this.state = S_DRAIN;
  }

  /** The swipe has ended: report it, either way, then forget the raw tracks. @hot */
  private complete(): void {
    if (this.err === 0) {
      this.err = this.validate(); // sets errTrack too
    }
    if (this.err !== 0) {
      this.lastError = this.err;
      this.ring.push(EV_CARD_READ_ERROR, this.err, this.errTrack);
    } else {
      this.commit();
    }
    this.state = S_IDLE;
    this.t1.fill(0);
    this.t2.fill(0);
    this.t3.fill(0);
    this.t1Len = -1;
    this.t2Len = -1;
    this.t3Len = -1;
    this.tlen = 0;
  }

  /** 0 when the tracks make a good card, else MSR_ERR_* (errTrack set for format errors). @hot */
  private validate(): number {
    const t2 = this.t2;
    const n2 = this.t2Len;
    this.errTrack = 2;
    if (n2 <= 0) return MSR_ERR_NO_TRACK2;
    let pan = 0;
    while (pan < n2 && t2[pan] !== C_FS2) {
      if (!isDigit(t2[pan])) return MSR_ERR_FORMAT;
      pan++;
    }
    if (pan < 13 || pan > 19 || n2 < pan + 8) return MSR_ERR_FORMAT;
    for (let k = pan + 1; k < pan + 8; k++) if (!isDigit(t2[k])) return MSR_ERR_FORMAT;
    const mm = (t2[pan + 3] - 0x30) * 10 + (t2[pan + 4] - 0x30);
    if (mm < 1 || mm > 12) return MSR_ERR_FORMAT;
    if (!luhnOk(t2, pan)) return MSR_ERR_LUHN;
    const n1 = this.t1Len;
    if (n1 > 0) {
      this.errTrack = 1;
      const t1 = this.t1;
      if (t1[0] !== 0x42) return MSR_ERR_FORMAT; // format code 'B'
      let i = 1;
      while (i < n1 && t1[i] !== C_FS1) i++;
      if (i >= n1) return MSR_ERR_FORMAT;
      if (i - 1 !== pan) return MSR_ERR_MISMATCH;
      for (let k = 0; k < pan; k++) if (t1[1 + k] !== t2[k]) return MSR_ERR_MISMATCH;
      const nameStart = ++i;
      while (i < n1 && t1[i] !== C_FS1) i++;
      if (i >= n1 || i - nameStart < 2 || i - nameStart > 26 || n1 < i + 8) return MSR_ERR_FORMAT;
      for (let k = 0; k < 7; k++) if (t1[i + 1 + k] !== t2[pan + 1 + k]) return MSR_ERR_MISMATCH;
    }
    this.errTrack = 0;
    return 0;
  }

  /** @hot */
  private commit(): void {
    const c = this.card;
    const t2 = this.t2;
    c.wipe();
    let pan = 0;
    while (t2[pan] !== C_FS2) {
      c.pan[pan] = t2[pan];
      pan++;
    }
    c.panLen = pan;
    for (let k = 0; k < 4; k++) c.expiry[k] = t2[pan + 1 + k];
    for (let k = 0; k < 3; k++) c.serviceCode[k] = t2[pan + 5 + k];
    for (let k = 0; k < this.t2Len; k++) c.track2[k] = t2[k];
    c.track2Len = this.t2Len;
    if (this.t3Len > 0) {
      for (let k = 0; k < this.t3Len; k++) c.track3[k] = this.t3[k];
      c.track3Len = this.t3Len;
    }
    c.entryMode = ENTRY_SWIPE;
    this.ring.push(EV_CARD_SWIPED, serviceCodeWantsChip(c) ? MSR_SWIPE_CHIP : 0, 0);
  }
}

/** @hot */
function isSeparator(c: number): boolean {
  return c === C_CR || c === C_LF || c === C_STX || c === C_ETX || c === C_ESC;
}

/** @hot */
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Luhn (ISO/IEC 7812-1) over the first `n` ASCII digits of `d`. @hot */
export function luhnOk(d: Uint8Array, n: number): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = n - 1; i >= 0; i--) {
    let v = d[i] - 0x30;
    if (dbl) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}
