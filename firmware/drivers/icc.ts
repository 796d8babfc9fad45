/**
 * Contact chip (ICC) reader driver: a card-present switch plus a serial APDU reader module.
 *
 * Part: an ISO 7816 contact-card reader module on a UART (a small MCU with a card interface
 * chip such as NXP TDA8035, or the "IC card reader module, TTL serial" kind), and the
 * card-present (landing) switch of the card connector (e.g. Amphenol C702-series smart-card
 * connectors: a normally-open switch that closes when a card is fully seated).
 * Datasheets: NXP TDA8035 "Integrated smart card interface"; ISO/IEC 7816-3; EMV 4.3 Books 1
 * and 3 (EMVCo). The module's frame format is this project's own, documented in icc-frame.ts
 * (the same shape as NXP's ALPAR framing for the TDA8029, not byte-compatible with it): a
 * module with another protocol needs its own icc-frame.ts and status mapping.
 *
 * Wiring: module TXD -> MCU RX, module RXD <- MCU TX (9600..115200 8N1, set up by the board);
 * card-present switch between the pin and GND, MCU pull-up on (`presentLevel: false`, default),
 * or the module's active-high CARD_DET line (`presentLevel: true, pullUp: false`).
 *
 * Usage:
 *   const icc = new ChipReader({ serial: Serial2, presentPin: B4, ring, clock });
 *   icc.setTransaction(12345, TXN_SALE, stan);          // before the card is read
 *   setInterval(function () { icc.tick(clock.now()); }, 10);
 *   // ring: EV_CARD_INSERTED, then EV_CHIP_READ (icc.card holds PAN, expiry, track 2
 *   // equivalent, PAN sequence, field-55 TLV) or EV_CHIP_ERROR / EV_CARD_REMOVED / EV_READER_FAULT.
 *
 * The EMV read (a step machine driven by the module's answers and tick()):
 *   POWER_ON (ATR) -> SELECT PPSE "2PAY.SYS.DDF01" -> pick the highest-priority AID the
 *   terminal supports (UnionPay A000000333010101/02/03/06 by default) -> SELECT AID ->
 *   GET PROCESSING OPTIONS (PDOL filled from terminal data) -> READ RECORD for every AFL entry
 *   -> GENERATE AC asking for an ARQC with CDOL1 data (option `generateAc`, default on) ->
 *   card record + field 55 filled, EV_CHIP_READ, card powered off.
 *   If PPSE is absent (6A82 etc.) or lists nothing supported, the terminal's AID list is tried
 *   with SELECT one by one (EMV "list of AIDs"). T=0 answers 61xx (GET RESPONSE) and 6Cxx
 *   (resend with the right Le) are handled here.
 * Not done (the transaction engine or a later issue): the contact PSE directory (1PAY.SYS.DDF01
 * records), cardholder application choice, offline data authentication (TVR says "not
 * performed"), processing restrictions, terminal risk management, CVM processing (9F34 stays
 * 3F0000 unless the app sets it), second GENERATE AC / issuer authentication / scripts.
 *
 * Card removal at any step (switch opens after debounce, or the module answers "no card")
 * gives EV_CARD_REMOVED at once and aborts the read; the card record is written only when the
 * whole read succeeded (EV_CHIP_READ), so it is never half filled.
 *
 * Memory (notes/MEMORY.md): a constructor function with its methods put on the prototype at the
 * module's top level (TypeScript's ES5 class output puts methods inside a function of their own,
 * and on Espruino a method keeps a link to every scope around it); the module's frames are parsed byte by byte inside the receive handler; every answer is
 * handled by one method, got(), whose steps chain through a local action code instead of a
 * method each; the terminal's and the card's data elements share one tag store (emv-store.ts)
 * that is this object itself, described by one spec string; the AID list is one string;
 * properties have names of at most 4 characters (one block each).
 */
import type { SerialLike } from "../hal/serial";
import type { PinLike } from "../hal/pin";
import type { Clock } from "../hal/clock";
import { CardData, ENTRY_CHIP } from "../txn/card-data";
import { EventRing } from "../lib/event-ring";
import { EV_CARD_INSERTED, EV_CARD_REMOVED, EV_CHIP_READ, EV_CHIP_ERROR, EV_READER_FAULT } from "../events";
import {
  writeFrame,
  FRAME_STX,
  FRAME_ETX,
  FRAME_MAX_PAYLOAD,
  FRAME_ERR_LEN,
  FRAME_ERR_CHECKSUM,
  FRAME_ERR_ETX,
  P_STX,
  P_LEN_HI,
  P_LEN_LO,
  P_DATA,
  P_BCC,
  CMD_POWER_ON,
  CMD_APDU,
  CMD_POWER_OFF,
  RSP_FRAME_ERROR,
  ST_OK,
  ST_NO_CARD,
  ST_MUTE,
} from "./icc-frame";
import { tlvNext, TLV_OK, TLV_END, W_SIZE, W_TAG, W_LEN, W_VAL, W_CONS, W_DEPTH } from "./emv-tlv";
import { TagStore, tagFind, tagPut, tagClear } from "./emv-store";
import { EMV_SPEC, EMV_DEFAULTS, FIELD55, putDateTime, buildDol, buildTlvList } from "./emv-terminal";

/** EV_CHIP_ERROR reasons (event a); event b carries the detail named. */
export const ICC_ERR_FRAME = 1; // corrupted frame from/to the module (b = -FRAME_ERR_* or module status)
export const ICC_ERR_MUTE = 2; // the card gives no ATR / stopped answering
export const ICC_ERR_ATR = 3; // ATR unusable
export const ICC_ERR_READER = 4; // the module reported an error (b = ST_*)
export const ICC_ERR_SW = 5; // the card refused a command (b = SW1SW2)
export const ICC_ERR_NO_APP = 6; // no application the terminal supports
export const ICC_ERR_BLOCKED = 7; // card or application blocked (b = SW1SW2)
export const ICC_ERR_TLV = 8; // malformed TLV in a response (b = TLV_ERR_* or DOL_ERR)
export const ICC_ERR_MISSING = 9; // a mandatory data element is missing (b = tag)
export const ICC_ERR_DATA = 10; // data present but wrong: format, length, PAN mismatch (b = tag)
export const ICC_ERR_DECLINED = 11; // the card answered GENERATE AC with an AAC (offline decline)
export const ICC_ERR_NAMES = [
  "",
  "reader frame error",
  "card mute",
  "bad ATR",
  "reader error",
  "card refused command",
  "no supported application",
  "card blocked",
  "malformed card data",
  "card data missing",
  "bad card data",
  "card declined",
];

/** Where a read is (event b for EV_READER_FAULT, event a for EV_CARD_REMOVED). */
export const ICC_STEP_IDLE = 0;
export const ICC_STEP_POWER_ON = 1;
export const ICC_STEP_SELECT_PPSE = 2;
export const ICC_STEP_SELECT_AID = 3;
export const ICC_STEP_GPO = 4;
export const ICC_STEP_READ_RECORD = 5;
export const ICC_STEP_GEN_AC = 6;
export const ICC_STEP_DONE = 7;
export const ICC_STEP_NAMES = ["idle", "power on", "select PPSE", "select AID", "GPO", "read record", "generate AC", "done"];

/** EV_READER_FAULT a for this reader. */
export const READER_ICC = 2;

export interface ChipReaderOptions {
  serial: SerialLike;
  presentPin: PinLike;
  ring: EventRing;
  clock: Clock;
  card?: CardData;
  /** Card-present switch must be stable this long (default 30 ms). */
  debounceMs?: number;
  /** No answer from the module within this -> EV_READER_FAULT (default 1500 ms). */
  responseTimeoutMs?: number;
  /** Pin level meaning "card present" (default false: switch to GND with pull-up). */
  presentLevel?: boolean;
  /** Enable the MCU pull-up on the switch pin (default true). */
  pullUp?: boolean;
  /** Supported AIDs, hex, preference order (default UnionPay debit/credit/quasi-credit/e-cash). */
  aids?: string[];
  /** Ask the card for an ARQC (GENERATE AC with CDOL1) so field 55 has 9F26/9F27/9F10/9F36. Default true. */
  generateAc?: boolean;
  /** Start the EMV read by itself when a card is inserted (default true); else call read(). */
  autoRead?: boolean;
  /** 0 <= x < 1, for the unpredictable number 9F37 (default Math.random). */
  random?: () => number;
}

/**
 * UnionPay (PBOC) application identifiers this terminal accepts, in preference order, each as
 * a length byte and the AID's bytes: A000000333010101 / 02 / 03 / 06.
 */
const UNIONPAY_AIDS =
  "\x08\xa0\x00\x00\x03\x33\x01\x01\x01" +
  "\x08\xa0\x00\x00\x03\x33\x01\x01\x02" +
  "\x08\xa0\x00\x00\x03\x33\x01\x01\x03" +
  "\x08\xa0\x00\x00\x03\x33\x01\x01\x06";
/** SELECT PPSE: 00 A4 04 00 0E "2PAY.SYS.DDF01" 00. */
const SELECT_PPSE = "\x00\xa4\x04\x00\x0e2PAY.SYS.DDF01\x00";
const APDU_MAX = 261;
const ICC_DATA_MAX = 255;
/**
 * The reader's small numbers live in `w` after the TLV walk's slots (one Int32Array: a slot is
 * 4 bytes, a property a 16-byte block): debounceMs, responseTimeoutMs, presentLevel, generateAc,
 * autoRead (1/0); the C-APDU's length (kept for a 6Cxx resend); the receive parser's state
 * (P_*), position, length and BCC; the command whose answer is awaited (0 none); GET RESPONSE /
 * Le corrections of this command; card powered (1/0); the AFL position and next record; the
 * index in the terminal's AID list being tried (-1: the PPSE's choice) and a blocked answer
 * seen; the switch: debounced present, last raw reading, waiting for it to open.
 */
const I_DEB = W_SIZE + 0;
const I_TMO = W_SIZE + 1;
const I_PLVL = W_SIZE + 2;
const I_GAC = W_SIZE + 3;
const I_AUTO = W_SIZE + 4;
const I_ALEN = W_SIZE + 5;
const I_PS = W_SIZE + 6;
const I_PN = W_SIZE + 7;
const I_PL = W_SIZE + 8;
const I_PB = W_SIZE + 9;
const I_AWT = W_SIZE + 10;
const I_TRI = W_SIZE + 11;
const I_POW = W_SIZE + 12;
const I_AFL = W_SIZE + 13;
const I_REC = W_SIZE + 14;
const I_LI = W_SIZE + 15;
const I_BLK = W_SIZE + 16;
const I_PRES = W_SIZE + 17;
const I_RAW = W_SIZE + 18;
const I_WOPN = W_SIZE + 19;
const W_SLOTS = W_SIZE + 20;
/** GET RESPONSE / Le corrections allowed per command before giving up. */
const MAX_RETRIES = 4;

// What got() does after handling an answer (each may lead to a later one).
const A_NONE = 0;
const A_SELECT_PPSE = 1;
const A_NEXT_AID = 2; // try the next AID of the terminal's list
const A_SELECT = 3; // SELECT the AID already in apdu[5, 5 + selLen)
const A_GPO = 4;
const A_READ = 5; // READ RECORD the next record the AFL names, or the records are done
const A_RECORDS_DONE = 6;
const A_FINISH = 7;

/** Nibble k (0 = high nibble of the first byte) of the bytes at `off`. @hot */
function nibble(buf: Uint8Array, off: number, k: number): number {
  return k & 1 ? buf[off + (k >> 1)] & 0x0f : buf[off + (k >> 1)] >> 4;
}

export interface ChipReader {
  /** The card record, written only on EV_CHIP_READ. */
  readonly card: CardData;
  /** Where the read is (ICC_STEP_*). */
  readonly step: number;
  /** Last EV_CHIP_ERROR reason and its detail (event a / b), for diagnostics. */
  lastError: number;
  lastDetail: number;
  /** Card seated (debounced), as the driver last saw it. */
  isPresent(): boolean;
  /**
   * Amount (integer fen), transaction type (9C, TXN_* in emv-terminal.ts) and the terminal's
   * sequence counter (9F41, e.g. the STAN) for the next read. Not the hot path.
   */
  setTransaction(amountFen: number, txnType: number, sequence?: number): void;
  /** Poll the card-present switch and the response timeout. Call every few ms. */
  tick(now: number): void;
  /** Start the EMV read of a seated card; false when no card or a read is running. */
  read(): boolean;
  /** Stop any read and power the card off (e.g. the app cancels). */
  abort(): void;
}

/** The driver's own fields (names of at most 4 characters: one block each); it is its tag store. */
interface Chip extends ChipReader, TagStore {
  card: CardData;
  step: number;
  ser: SerialLike;
  pin: PinLike;
  ring: EventRing;
  clk: Clock;
  rnd: () => number;
  /** The terminal's AIDs, each a length byte and its bytes. */
  aids: string;
  /** The command being sent (C-APDU). */
  apdu: Uint8Array;
  /** The last frame's payload. */
  rx: Uint8Array;
  /** The TLV walk (emv-tlv.ts, slots W_*), then the reader's small numbers (slots I_*). */
  w: Int32Array;
  /** Until when the awaited answer may come; since when the switch reads as it does. */
  due: number;
  rsin: number;
  /** End the read: push event `kind` (0 none), power the card off, card data out of RAM. */
  abort(kind?: number, a?: number, b?: number): void;
  /** A whole frame is in rx: handle it, and send what comes next. */
  got(): void;
  send(cmd: number, len: number): void;
  /** Keep the wanted data elements of an answer that must be template `tmpl`; true (reported) on error. */
  keep(off: number, end: number, tmpl: number): boolean;
}

export const ChipReader = function (this: Chip, options: ChipReaderOptions): void {
  const m = this;
  m.w = new Int32Array(W_SLOTS);
  m.card = options.card || new CardData();
  m.step = ICC_STEP_IDLE;
  m.lastError = 0;
  m.lastDetail = 0;
  m.ser = options.serial;
  m.pin = options.presentPin;
  m.ring = options.ring;
  m.clk = options.clock;
  m.rnd = options.random || Math.random;
  m.w[I_DEB] = options.debounceMs !== undefined ? options.debounceMs : 30;
  m.w[I_TMO] = options.responseTimeoutMs !== undefined ? options.responseTimeoutMs : 1500;
  m.w[I_PLVL] = options.presentLevel ? 1 : 0;
  m.w[I_GAC] = options.generateAc !== false ? 1 : 0;
  m.w[I_AUTO] = options.autoRead !== false ? 1 : 0;
  // the tag store: the terminal's data elements with their defaults, and the card's (empty)
  m.spec = EMV_SPEC;
  m.lens = new Uint8Array(EMV_SPEC.length >> 2);
  let n = 0;
  for (let i = 2; i < EMV_SPEC.length; i += 4) n += EMV_SPEC.charCodeAt(i);
  m.pool = new Uint8Array(n);
  m.at = 0;
  m.cap = 0;
  m.si = 0;
  for (let i = 0; i < EMV_DEFAULTS.length; i += 3 + EMV_DEFAULTS.charCodeAt(i + 2)) {
    tagFind(m, EMV_DEFAULTS.charCodeAt(i) * 256 + EMV_DEFAULTS.charCodeAt(i + 1));
    m.lens[m.si] = EMV_DEFAULTS.charCodeAt(i + 2);
    for (let k = 0; k < m.lens[m.si]; k++) m.pool[m.at + k] = EMV_DEFAULTS.charCodeAt(i + 3 + k);
  }
  let aids = UNIONPAY_AIDS;
  if (options.aids) {
    aids = "";
    for (let i = 0; i < options.aids.length; i++) {
      const hex = options.aids[i];
      aids += String.fromCharCode(hex.length >> 1);
      for (let k = 0; k + 1 < hex.length; k += 2) aids += String.fromCharCode(parseInt(hex.substr(k, 2), 16));
    }
  }
  m.aids = aids;
  m.apdu = new Uint8Array(APDU_MAX);
  m.rx = new Uint8Array(FRAME_MAX_PAYLOAD);
  m.w[I_PS] = P_STX;
  m.due = 0;
  m.w[I_LI] = -1;
  m.rsin = 0;
  m.pin.mode(options.pullUp === false ? "input" : "input_pullup");
  // The module's bytes: frames parsed right here, byte by byte (STX, LEN hi, LEN lo, payload
  // into rx, BCC, ETX; icc-frame.ts). A whole frame goes to got(); a broken one fails the
  // exchange when an answer is awaited.
  m.ser.on(
    "data",
    /** Frames from the module, byte by byte. @hot */
    function (data: string) {
      for (let i = 0; i < data.length; i++) {
        const c = data.charCodeAt(i) & 0xff;
        let r = 0; // 1 a frame is complete, < 0 a FRAME_ERR_*
        if (m.w[I_PS] === P_STX) {
          if (c === FRAME_STX) m.w[I_PS] = P_LEN_HI; // anything else is line noise, skipped
        } else if (m.w[I_PS] === P_LEN_HI) {
          m.w[I_PL] = c << 8;
          m.w[I_PB] = c;
          m.w[I_PS] = P_LEN_LO;
        } else if (m.w[I_PS] === P_LEN_LO) {
          m.w[I_PL] |= c;
          m.w[I_PB] ^= c;
          m.w[I_PN] = 0;
          m.w[I_PS] = P_DATA;
          if (m.w[I_PL] === 0 || m.w[I_PL] > FRAME_MAX_PAYLOAD) {
            m.w[I_PS] = P_STX;
            m.w[I_PL] = 0;
            r = FRAME_ERR_LEN;
          }
        } else if (m.w[I_PS] === P_DATA) {
          m.rx[m.w[I_PN]++] = c;
          m.w[I_PB] ^= c;
          if (m.w[I_PN] === m.w[I_PL]) m.w[I_PS] = P_BCC;
        } else if (m.w[I_PS] === P_BCC) {
          m.w[I_PS] = c === m.w[I_PB] ? P_BCC + 1 : P_STX;
          if (c !== m.w[I_PB]) r = FRAME_ERR_CHECKSUM;
        } else {
          m.w[I_PS] = P_STX;
          r = c === FRAME_ETX ? 1 : FRAME_ERR_ETX;
        }
        if (r === 1) m.got();
        else if (r < 0 && m.w[I_AWT] !== 0) m.abort(EV_CHIP_ERROR, ICC_ERR_FRAME, -r);
      }
    },
  );
  // The handler keeps this call's scope alive: let the options object go.
  options = null as unknown as ChipReaderOptions;
} as unknown as { new (options: ChipReaderOptions): ChipReader; prototype: ChipReader };

const proto = ChipReader.prototype as Chip;

proto.isPresent = function (this: Chip): boolean {
  return this.w[I_PRES] === 1;
};

proto.setTransaction = function (this: Chip, amountFen: number, txnType: number, sequence?: number): void {
  // 9F02 (6 bytes) and 9F41 (4 bytes) as BCD, right-aligned
  for (let f = 0; f < 2; f++) {
    let v = f === 0 ? amountFen : sequence;
    if (v === undefined) continue;
    tagFind(this, f === 0 ? 0x9f02 : 0x9f41);
    v = Math.floor(v);
    for (let k = this.cap - 1; k >= 0; k--) {
      const lo = v % 10;
      v = Math.floor(v / 10);
      this.pool[this.at + k] = ((v % 10) << 4) | lo;
      v = Math.floor(v / 10);
    }
    this.lens[this.si] = this.cap;
  }
  tagFind(this, 0x9c);
  this.pool[this.at] = txnType & 0xff;
  this.lens[this.si] = 1;
};

/** @hot */
proto.tick = function (this: Chip, now: number): void {
  const raw = this.pin.read() === (this.w[I_PLVL] === 1) ? 1 : 0;
  if (raw !== this.w[I_RAW]) {
    this.w[I_RAW] = raw;
    this.rsin = now;
  } else if (now - this.rsin >= this.w[I_DEB]) {
    if (raw && !this.w[I_PRES] && !this.w[I_WOPN]) {
      this.w[I_PRES] = 1;
      this.ring.push(EV_CARD_INSERTED, 0, 0);
      if (this.w[I_AUTO]) this.read();
    } else if (!raw) {
      this.w[I_WOPN] = 0;
      if (this.w[I_PRES]) this.abort(EV_CARD_REMOVED, 0, 0);
    }
  }
  if (this.w[I_AWT] !== 0 && now >= this.due) {
    this.w[I_AWT] = 0;
    this.abort(EV_READER_FAULT, READER_ICC, this.step);
  }
};

/** @hot */
proto.read = function (this: Chip): boolean {
  if (!this.w[I_PRES] || (this.step !== ICC_STEP_IDLE && this.step !== ICC_STEP_DONE)) return false;
  tagClear(this, 0);
  this.w[I_PS] = P_STX;
  this.w[I_PN] = 0;
  this.w[I_PL] = 0;
  // 9A and 9F21 (adjacent slots: EMV_SPEC), then the unpredictable number 9F37
  tagFind(this, 0x9a);
  putDateTime(this.pool, this.at, this.clk.now());
  this.lens[this.si] = 3;
  this.lens[this.si + 1] = 3;
  tagFind(this, 0x9f37);
  for (let k = 0; k < 4; k++) this.pool[this.at + k] = Math.floor(this.rnd() * 256) & 0xff;
  this.lens[this.si] = 4;
  this.w[I_LI] = -1;
  this.w[I_BLK] = 0;
  this.step = ICC_STEP_POWER_ON;
  this.w[I_TRI] = 0;
  this.send(CMD_POWER_ON, 0);
  return true;
};

/** @hot */
proto.abort = function (this: Chip, kind?: number, a?: number, b?: number): void {
  if (kind === EV_CHIP_ERROR) {
    this.lastError = a as number;
    this.lastDetail = b as number;
  } else if (kind === EV_CARD_REMOVED) {
    this.w[I_PRES] = 0;
    a = this.step === ICC_STEP_DONE ? 0 : this.step;
  }
  if (kind) this.ring.push(kind, a as number, b as number);
  // Deactivate the contacts (the module's answer is not waited for), card data out of RAM: the
  // last answer may hold the PAN / track 2 equivalent.
  if ((this.step !== ICC_STEP_IDLE && this.step !== ICC_STEP_DONE) || this.w[I_POW]) {
    writeFrame(this.ser, CMD_POWER_OFF, this.apdu, 0);
    this.w[I_POW] = 0;
  }
  this.w[I_AWT] = 0;
  tagClear(this, 0);
  for (let k = 0; k < this.rx.length; k++) this.rx[k] = 0;
  this.step = kind === EV_CHIP_READ ? ICC_STEP_DONE : ICC_STEP_IDLE;
};

/** @hot */
proto.send = function (this: Chip, cmd: number, len: number): void {
  this.w[I_ALEN] = len;
  writeFrame(this.ser, cmd, this.apdu, len);
  this.w[I_AWT] = cmd;
  this.due = this.clk.now() + this.w[I_TMO];
};

/** @hot */
proto.keep = function (this: Chip, off: number, end: number, tmpl: number): boolean {
  const w = this.w;
  let rc = tlvNext(this.rx, w, off, end);
  if (rc !== TLV_OK || w[W_TAG] !== tmpl || w[W_DEPTH] !== 0) {
    this.abort(EV_CHIP_ERROR, ICC_ERR_TLV, rc < 0 ? rc : 0);
    return true;
  }
  rc = tlvNext(this.rx, w, -1, 0);
  while (rc === TLV_OK) {
    if (w[W_DEPTH] === 0) {
      this.abort(EV_CHIP_ERROR, ICC_ERR_TLV, 0); // only one template per answer
      return true;
    }
    if (!w[W_CONS] && tagPut(this, w[W_TAG], this.rx, w[W_VAL], w[W_LEN]) < 0) {
      this.abort(EV_CHIP_ERROR, ICC_ERR_DATA, w[W_TAG]);
      return true;
    }
    rc = tlvNext(this.rx, w, -1, 0);
  }
  if (rc !== TLV_END) {
    this.abort(EV_CHIP_ERROR, ICC_ERR_TLV, rc);
    return true;
  }
  return false;
};

/**
 * A frame from the module is in rx (length pl). Checks it, then handles the answer for the
 * current step and sends the next command: the actions (A_*) after an answer run in order,
 * each possibly leading to a later one (a function each would cost RAM). @hot
 */
proto.got = function (this: Chip): void {
  const p = this.rx;
  const a = this.apdu;
  const w = this.w;
  const n = this.w[I_PL];
  if (this.w[I_AWT] === 0) return; // nothing asked: a late answer to an aborted exchange
  if (p[0] === RSP_FRAME_ERROR) return this.abort(EV_CHIP_ERROR, ICC_ERR_FRAME, n > 1 ? p[1] : 0);
  if (p[0] !== this.w[I_AWT]) return; // answer to an earlier command (e.g. its POWER_OFF)
  this.w[I_AWT] = 0;
  if (n < 2) return this.abort(EV_CHIP_ERROR, ICC_ERR_FRAME, 0);
  if (p[1] === ST_NO_CARD) {
    this.w[I_WOPN] = this.w[I_RAW];
    return this.abort(EV_CARD_REMOVED, 0, 0);
  }
  if (p[1] === ST_MUTE) return this.abort(EV_CHIP_ERROR, ICC_ERR_MUTE, ST_MUTE);
  if (p[1] !== ST_OK) return this.abort(EV_CHIP_ERROR, ICC_ERR_READER, p[1]);
  let act = A_NONE;
  let rc = 0; // a result code, then the APDU's end
  let k = 0;
  let j = 0;
  if (this.step === ICC_STEP_POWER_ON) {
    this.w[I_POW] = 1;
    // ATR: TS must be 3B (direct) or 3F (inverse convention), then at least T0.
    if (n < 4 || (p[2] !== 0x3b && p[2] !== 0x3f)) return this.abort(EV_CHIP_ERROR, ICC_ERR_ATR, n > 2 ? p[2] : 0);
    act = A_SELECT_PPSE;
  } else {
    if (n < 4) return this.abort(EV_CHIP_ERROR, ICC_ERR_FRAME, 0);
    const sw = p[n - 2] * 256 + p[n - 1];
    if (p[n - 2] === 0x61 || p[n - 2] === 0x6c) {
      if (++this.w[I_TRI] > MAX_RETRIES) return this.abort(EV_CHIP_ERROR, ICC_ERR_SW, sw);
      if (p[n - 2] === 0x61) {
        // T=0: the answer is waiting; fetch it with GET RESPONSE.
        a[0] = 0x00;
        a[1] = 0xc0;
        a[2] = 0x00;
        a[3] = 0x00;
        a[4] = p[n - 1];
        this.send(CMD_APDU, 5);
      } else {
        // Wrong Le: send the same command again with Le = SW2.
        a[this.w[I_ALEN] - 1] = p[n - 1];
        this.send(CMD_APDU, this.w[I_ALEN]);
      }
      return;
    }
    const end = n - 2; // the answer's data is p[2, end)
    if (this.step === ICC_STEP_SELECT_PPSE) {
      if (sw === 0x6a81) return this.abort(EV_CHIP_ERROR, ICC_ERR_BLOCKED, sw);
      act = A_NEXT_AID;
      if (sw === 0x9000) {
        // The best supported AID of the PPSE's entries (61: 4F AID, 87 priority, 1 first, 0
        // or none = last): k = its offset, j = its length, act = A_SELECT when there is one.
        let best = 99;
        let cur = -2; // the entry being read: its AID's offset (-1 none yet; -2 before the first 61), length, priority
        let curLen = 0;
        let prio = 16;
        rc = tlvNext(p, w, 2, end);
        for (;;) {
          if (rc !== TLV_OK || w[W_TAG] === 0x61) {
            // the entry before ends here: is it supported, and better?
            if (cur >= 0 && curLen >= 5 && curLen <= 16 && prio < best) {
              for (let o = 0; o < this.aids.length; o += this.aids.charCodeAt(o) + 1) {
                const al = this.aids.charCodeAt(o);
                let same = al <= curLen;
                for (let q = 0; same && q < al; q++) same = this.aids.charCodeAt(o + 1 + q) === p[cur + q];
                if (same) {
                  best = prio;
                  k = cur;
                  j = curLen;
                  act = A_SELECT;
                  break;
                }
              }
            }
            if (rc !== TLV_OK) break;
            cur = -1;
            prio = 16;
          } else if (cur !== -2 && w[W_TAG] === 0x4f) {
            cur = w[W_VAL];
            curLen = w[W_LEN];
          } else if (cur !== -2 && w[W_TAG] === 0x87 && w[W_LEN] === 1) {
            prio = p[w[W_VAL]] & 0x0f ? p[w[W_VAL]] & 0x0f : 16;
          }
          rc = tlvNext(p, w, -1, 0);
        }
        if (rc !== TLV_END) return this.abort(EV_CHIP_ERROR, ICC_ERR_TLV, rc);
        if (act === A_SELECT) {
          for (let q = 0; q < j; q++) a[5 + q] = p[k + q];
          k = j; // the AID's length, as A_SELECT wants it
        }
      }
    } else if (this.step === ICC_STEP_SELECT_AID) {
      if (sw !== 0x9000) {
        if (sw === 0x6283 || sw === 0x6a81) this.w[I_BLK] = 1;
        act = A_NEXT_AID;
      } else {
        if (this.keep(2, end, 0x6f)) return;
        act = A_GPO;
      }
    } else if (sw !== 0x9000) {
      return this.abort(EV_CHIP_ERROR, ICC_ERR_SW, sw);
    } else if (this.step === ICC_STEP_GPO) {
      if (end - 2 >= 2 && p[2] === 0x80) {
        // Format 1: 80 L AIP(2) AFL(4n)
        rc = tlvNext(p, w, 2, end);
        if (rc !== TLV_OK) return this.abort(EV_CHIP_ERROR, ICC_ERR_TLV, rc);
        if (w[W_LEN] < 2 || tagPut(this, 0x82, p, w[W_VAL], 2) < 0 || tagPut(this, 0x94, p, w[W_VAL] + 2, w[W_LEN] - 2) < 0) {
          return this.abort(EV_CHIP_ERROR, ICC_ERR_DATA, 0x94);
        }
      } else if (this.keep(2, end, 0x77)) {
        return;
      }
      tagFind(this, 0x82);
      if (this.lens[this.si] !== 2) return this.abort(EV_CHIP_ERROR, ICC_ERR_MISSING, 0x82);
      // The AFL must be 4n bytes of (SFI 1..30, first >= 1, last >= first).
      tagFind(this, 0x94);
      if (this.lens[this.si] === 0) return this.abort(EV_CHIP_ERROR, ICC_ERR_MISSING, 0x94);
      rc = this.lens[this.si] % 4 === 0 ? 1 : 0;
      for (k = 0; rc && k < this.lens[this.si]; k += 4) {
        j = this.pool[this.at + k] >> 3; // SFI
        if (j < 1 || j > 30 || this.pool[this.at + k + 1] < 1 || this.pool[this.at + k + 2] < this.pool[this.at + k + 1]) rc = 0;
      }
      if (!rc) return this.abort(EV_CHIP_ERROR, ICC_ERR_DATA, 0x94);
      this.w[I_AFL] = 0;
      this.w[I_REC] = 0;
      this.step = ICC_STEP_READ_RECORD;
      act = A_READ;
    } else if (this.step === ICC_STEP_READ_RECORD) {
      if (this.keep(2, end, 0x70)) return;
      act = A_READ;
    } else if (this.step === ICC_STEP_GEN_AC) {
      if (end - 2 >= 2 && p[2] === 0x80) {
        // Format 1: 80 L CID(1) ATC(2) AC(8) IAD(0..32)
        rc = tlvNext(p, w, 2, end);
        if (rc !== TLV_OK) return this.abort(EV_CHIP_ERROR, ICC_ERR_TLV, rc);
        if (w[W_LEN] < 11 || tagPut(this, 0x9f10, p, w[W_VAL] + 11, w[W_LEN] - 11) < 0) {
          return this.abort(EV_CHIP_ERROR, ICC_ERR_DATA, 0x9f26);
        }
        tagPut(this, 0x9f27, p, w[W_VAL], 1);
        tagPut(this, 0x9f36, p, w[W_VAL] + 1, 2);
        tagPut(this, 0x9f26, p, w[W_VAL] + 3, 8);
      } else if (this.keep(2, end, 0x77)) {
        return;
      }
      tagFind(this, 0x9f36);
      k = this.lens[this.si];
      tagFind(this, 0x9f26);
      j = this.lens[this.si];
      tagFind(this, 0x9f27);
      if (this.lens[this.si] !== 1 || j !== 8 || k !== 2) return this.abort(EV_CHIP_ERROR, ICC_ERR_MISSING, 0x9f26);
      k = this.pool[this.at] & 0xc0; // cryptogram type
      if (k === 0x00) return this.abort(EV_CHIP_ERROR, ICC_ERR_DECLINED, 0);
      // A TC when an ARQC was asked for is not allowed (EMV Book 3, 9.3).
      if (k !== 0x80) return this.abort(EV_CHIP_ERROR, ICC_ERR_DATA, 0x9f27);
      act = A_FINISH;
    }
  }

  if (act === A_SELECT_PPSE) {
    this.step = ICC_STEP_SELECT_PPSE;
    for (k = 0; k < SELECT_PPSE.length; k++) a[k] = SELECT_PPSE.charCodeAt(k);
    this.w[I_TRI] = 0;
    this.send(CMD_APDU, SELECT_PPSE.length);
    return;
  }
  if (act === A_NEXT_AID) {
    // the terminal's list of AIDs, one by one (EMV "list of AIDs" selection)
    this.w[I_LI]++;
    j = 0;
    for (k = 0; k < this.w[I_LI] && j < this.aids.length; k++) j += this.aids.charCodeAt(j) + 1;
    if (j >= this.aids.length) return this.abort(EV_CHIP_ERROR, this.w[I_BLK] ? ICC_ERR_BLOCKED : ICC_ERR_NO_APP, 0);
    k = this.aids.charCodeAt(j);
    for (let q = 0; q < k; q++) a[5 + q] = this.aids.charCodeAt(j + 1 + q);
    act = A_SELECT;
  }
  if (act === A_SELECT) {
    // SELECT by name: 00 A4 04 00 Lc AID 00 (the AID is in place, k bytes)
    this.step = ICC_STEP_SELECT_AID;
    tagClear(this, 0x84);
    tagClear(this, 0x9f38);
    a[0] = 0x00;
    a[1] = 0xa4;
    a[2] = 0x04;
    a[3] = 0x00;
    a[4] = k;
    a[5 + k] = 0x00;
    this.w[I_TRI] = 0;
    this.send(CMD_APDU, 6 + k);
    return;
  }
  if (act === A_GPO) {
    // GET PROCESSING OPTIONS: 80 A8 00 00 Lc 83 L [PDOL data] 00
    this.step = ICC_STEP_GPO;
    rc = 7;
    tagFind(this, 0x9f38);
    if (this.lens[this.si] > 0) {
      rc = buildDol(this, this.at, this.lens[this.si], a, 7, APDU_MAX - 1);
      if (rc < 0 || rc - 7 > 0x7f) return this.abort(EV_CHIP_ERROR, rc === -1 || rc >= 0 ? ICC_ERR_DATA : ICC_ERR_TLV, 0x9f38);
    }
    a[0] = 0x80;
    a[1] = 0xa8;
    a[2] = 0x00;
    a[3] = 0x00;
    a[4] = rc - 5;
    a[5] = 0x83;
    a[6] = rc - 7;
    a[rc] = 0x00;
    this.w[I_TRI] = 0;
    this.send(CMD_APDU, rc + 1);
    return;
  }
  if (act === A_READ) {
    // READ RECORD the next record the AFL names: entries of SFI << 3, first, last, (offline)
    tagFind(this, 0x94);
    while (this.w[I_AFL] < this.lens[this.si]) {
      if (this.w[I_REC] < this.pool[this.at + this.w[I_AFL] + 1]) this.w[I_REC] = this.pool[this.at + this.w[I_AFL] + 1];
      if (this.w[I_REC] <= this.pool[this.at + this.w[I_AFL] + 2]) {
        a[0] = 0x00;
        a[1] = 0xb2;
        a[2] = this.w[I_REC];
        a[3] = (this.pool[this.at + this.w[I_AFL]] & 0xf8) | 0x04;
        a[4] = 0x00;
        this.w[I_REC]++;
        this.w[I_TRI] = 0;
        this.send(CMD_APDU, 5);
        return;
      }
      this.w[I_AFL] += 4;
      this.w[I_REC] = 0;
    }
    act = A_RECORDS_DONE;
  }
  if (act === A_RECORDS_DONE) {
    tagFind(this, 0x5a);
    if (this.lens[this.si] === 0) return this.abort(EV_CHIP_ERROR, ICC_ERR_MISSING, 0x5a);
    tagFind(this, 0x57);
    if (this.lens[this.si] === 0) return this.abort(EV_CHIP_ERROR, ICC_ERR_MISSING, 0x57);
    tagFind(this, 0x5f24);
    if (this.lens[this.si] !== 3) return this.abort(EV_CHIP_ERROR, ICC_ERR_MISSING, 0x5f24);
    // PAN (5A) 13..19 digits, F-padded, equal to the PAN in the track 2 equivalent (57): PAN D
    // YYMM SSS [discretionary], F-padded, at most 37 characters; expiry (5F24) a real YYMMDD.
    // rc = 0 or the offending tag.
    rc = 0;
    const pool = this.pool;
    tagFind(this, 0x5a);
    const pan = this.at;
    let nibs = this.lens[this.si] * 2;
    for (k = 0; k < nibs && nibble(pool, pan, k) !== 0x0f; k++) if (nibble(pool, pan, k) > 9) rc = 0x5a;
    for (j = k; j < nibs; j++) if (nibble(pool, pan, j) !== 0x0f) rc = 0x5a;
    if (k < 13 || k > 19) rc = 0x5a;
    const digits = k;
    tagFind(this, 0x57);
    nibs = this.lens[this.si] * 2;
    for (k = 0; rc === 0 && k < nibs && nibble(pool, this.at, k) !== 0x0d; k++) {
      if (nibble(pool, this.at, k) > 9 || k >= digits || nibble(pool, this.at, k) !== nibble(pool, pan, k)) rc = 0x57;
    }
    if (rc === 0 && k !== digits) rc = 0x57;
    // after the separator: digits up to a single F pad in the last nibble; j counts characters
    j = k + 1;
    for (let q = k + 1; rc === 0 && q < nibs; q++) {
      if (nibble(pool, this.at, q) === 0x0f) {
        if (q !== nibs - 1) rc = 0x57;
        break;
      }
      if (nibble(pool, this.at, q) > 9) rc = 0x57;
      j++;
    }
    if (rc === 0 && (j - k - 1 < 7 || j > 37)) rc = 0x57;
    tagFind(this, 0x5f24);
    for (k = 0; rc === 0 && k < 6; k++) if (nibble(pool, this.at, k) > 9) rc = 0x5f24;
    k = (pool[this.at + 1] >> 4) * 10 + (pool[this.at + 1] & 0x0f); // month
    if (rc === 0 && (k < 1 || k > 12)) rc = 0x5f24;
    if (rc !== 0) return this.abort(EV_CHIP_ERROR, ICC_ERR_DATA, rc);
    if (!this.w[I_GAC]) {
      act = A_FINISH;
    } else {
      // GENERATE AC, ARQC requested (P1 = 80): 80 AE 80 00 Lc [CDOL1 data] 00
      tagFind(this, 0x8c);
      if (this.lens[this.si] === 0) return this.abort(EV_CHIP_ERROR, ICC_ERR_MISSING, 0x8c);
      rc = buildDol(this, this.at, this.lens[this.si], a, 5, APDU_MAX - 1);
      if (rc < 0 || rc - 5 > 0xff) return this.abort(EV_CHIP_ERROR, rc === -1 || rc >= 0 ? ICC_ERR_DATA : ICC_ERR_TLV, 0x8c);
      this.step = ICC_STEP_GEN_AC;
      a[0] = 0x80;
      a[1] = 0xae;
      a[2] = 0x80;
      a[3] = 0x00;
      a[4] = rc - 5;
      a[rc] = 0x00;
      this.w[I_TRI] = 0;
      this.send(CMD_APDU, rc + 1);
      return;
    }
  }
  if (act === A_FINISH) {
    // The card record from the data read, field 55 included, then report.
    const c = this.card;
    c.wipe();
    tagFind(this, 0x5a);
    for (k = 0; k < this.lens[this.si] * 2 && nibble(this.pool, this.at, k) !== 0x0f; k++) c.pan[k] = 0x30 + nibble(this.pool, this.at, k);
    c.panLen = k;
    tagFind(this, 0x5f24);
    for (k = 0; k < 4; k++) c.expiry[k] = 0x30 + nibble(this.pool, this.at, k);
    tagFind(this, 0x57);
    rc = -1; // where the separator D is
    for (k = 0; k < this.lens[this.si] * 2; k++) {
      j = nibble(this.pool, this.at, k);
      if (j === 0x0f) break;
      if (j === 0x0d) rc = k;
      c.track2[k] = j === 0x0d ? 0x3d : 0x30 + j;
      c.track2Len = k + 1;
    }
    for (k = 0; k < 3; k++) c.serviceCode[k] = c.track2[rc + 5 + k];
    tagFind(this, 0x5f34);
    c.panSeq = this.lens[this.si] === 1 ? (this.pool[this.at] >> 4) * 10 + (this.pool[this.at] & 0x0f) : -1;
    rc = buildTlvList(this, FIELD55, c.iccData, 0, ICC_DATA_MAX);
    if (rc < 0) {
      c.wipe();
      return this.abort(EV_CHIP_ERROR, ICC_ERR_DATA, 0x55);
    }
    c.iccLen = rc;
    c.entryMode = ENTRY_CHIP;
    this.abort(EV_CHIP_READ, 0, 0);
  }
};
