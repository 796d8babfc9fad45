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
 */
import type { SerialLike } from "../hal/serial";
import type { PinLike } from "../hal/pin";
import type { Clock } from "../hal/clock";
import { CardData, ENTRY_CHIP } from "../txn/card-data";
import { EventRing } from "../lib/event-ring";
import {
  EV_CARD_INSERTED,
  EV_CARD_REMOVED,
  EV_CHIP_READ,
  EV_CHIP_ERROR,
  EV_READER_FAULT,
} from "../events";
import {
  IccFrameParser,
  writeFrame,
  FRAME_OK,
  CMD_POWER_ON,
  CMD_APDU,
  CMD_POWER_OFF,
  RSP_FRAME_ERROR,
  ST_OK,
  ST_NO_CARD,
  ST_MUTE,
} from "./icc-frame";
import { TlvReader, DolReader, TLV_OK, TLV_END } from "./emv-tlv";
import { EmvTagStore } from "./emv-store";
import {
  newTerminalStore,
  CARD_SPEC,
  FIELD55_TAGS,
  UNIONPAY_AIDS,
  buildDol,
  buildTlvList,
  setDateTime,
  setBcd,
} from "./emv-terminal";

/** EV_CHIP_ERROR reasons (event a); event b carries the detail named. */
export const ICC_ERR_FRAME = 1; // corrupted frame from/to the module (b = FRAME_ERR_* or module status)
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

// "2PAY.SYS.DDF01"
const PPSE_NAME = [0x32, 0x50, 0x41, 0x59, 0x2e, 0x53, 0x59, 0x53, 0x2e, 0x44, 0x44, 0x46, 0x30, 0x31];
const APDU_MAX = 261;
const ICC_DATA_MAX = 255;
/** GET RESPONSE / Le corrections allowed per command before giving up. */
const MAX_RETRIES = 4;

export class ChipReader {
  /** The card record, written only on EV_CHIP_READ. */
  readonly card: CardData;
  /** Terminal data elements (amount, date, capabilities ...) used for PDOL/CDOL1 and field 55. */
  readonly terminal: EmvTagStore;
  /** Where the read is (ICC_STEP_*). */
  step = ICC_STEP_IDLE;
  /** Last EV_CHIP_ERROR reason and its detail (event a / b), for diagnostics. */
  lastError = 0;
  lastDetail = 0;

  private readonly serial: SerialLike;
  private readonly pin: PinLike;
  private readonly ring: EventRing;
  private readonly clock: Clock;
  private readonly debounceMs: number;
  private readonly timeoutMs: number;
  private readonly presentLevel: boolean;
  private readonly generateAc: boolean;
  private readonly autoRead: boolean;
  private readonly random: () => number;

  private readonly parser = new IccFrameParser();
  private readonly tlv = new TlvReader();
  private readonly dol = new DolReader();
  private readonly tags = new EmvTagStore(CARD_SPEC);
  private readonly apdu = new Uint8Array(APDU_MAX);
  private apduLen = 0;

  private readonly aidPool: Uint8Array;
  private readonly aidOff: Int32Array;
  private readonly aidLen: Int32Array;
  private readonly aidCount: number;
  private readonly chosen = new Uint8Array(16);
  private chosenLen = 0;
  /** Index in the terminal AID list being tried, -1 while selecting the PPSE's choice. */
  private listIdx = -1;
  private sawBlocked = false;

  // PPSE scan scratch (fields, so the scan allocates nothing)
  private bestPrio = 0;
  private bestOff = 0;
  private bestLen = 0;
  private curOff = 0;
  private curLen = 0;
  private curPrio = 0;

  private awaiting = 0;
  private deadline = 0;
  private retries = 0;
  private powered = false;
  private aflPos = 0;
  private recNo = 0;

  private present = false;
  private rawLast = false;
  private rawSince = 0;
  /** The module said "no card" while the switch still reads present: wait for it to open. */
  private waitOpen = false;

  constructor(options: ChipReaderOptions) {
    this.serial = options.serial;
    this.pin = options.presentPin;
    this.ring = options.ring;
    this.clock = options.clock;
    this.card = options.card || new CardData();
    this.debounceMs = options.debounceMs !== undefined ? options.debounceMs : 30;
    this.timeoutMs = options.responseTimeoutMs !== undefined ? options.responseTimeoutMs : 1500;
    this.presentLevel = !!options.presentLevel;
    this.generateAc = options.generateAc !== false;
    this.autoRead = options.autoRead !== false;
    this.random = options.random || Math.random;
    this.terminal = newTerminalStore();

    const aids = options.aids || UNIONPAY_AIDS;
    let total = 0;
    for (let i = 0; i < aids.length; i++) total += aids[i].length >> 1;
    this.aidPool = new Uint8Array(total);
    this.aidOff = new Int32Array(aids.length);
    this.aidLen = new Int32Array(aids.length);
    this.aidCount = aids.length;
    let at = 0;
    for (let i = 0; i < aids.length; i++) {
      const hex = aids[i];
      this.aidOff[i] = at;
      this.aidLen[i] = hex.length >> 1;
      for (let k = 0; k + 1 < hex.length; k += 2) this.aidPool[at++] = parseInt(hex.substr(k, 2), 16);
    }

    this.pin.mode(options.pullUp === false ? "input" : "input_pullup");
    const self = this;
    this.serial.on("data", function (data: string) {
      self.onData(data);
    });
  }

  /** Card seated (debounced), as the driver last saw it. */
  isPresent(): boolean {
    return this.present;
  }

  /**
   * Amount (integer fen), transaction type (9C, TXN_* in emv-terminal.ts) and the terminal's
   * sequence counter (9F41, e.g. the STAN) for the next read. Not the hot path.
   */
  setTransaction(amountFen: number, txnType: number, sequence?: number): void {
    setBcd(this.terminal, 0x9f02, amountFen, 6);
    this.terminal.set(0x9c, [txnType]);
    if (sequence !== undefined) setBcd(this.terminal, 0x9f41, sequence, 4);
  }

  /** Poll the card-present switch and the response timeout. Call every few ms. @hot */
  tick(now: number): void {
    const raw = this.pin.read() === this.presentLevel;
    if (raw !== this.rawLast) {
      this.rawLast = raw;
      this.rawSince = now;
    } else if (now - this.rawSince >= this.debounceMs) {
      if (raw && !this.present && !this.waitOpen) {
        this.present = true;
        this.ring.push(EV_CARD_INSERTED, 0, 0);
        if (this.autoRead) this.read();
      } else if (!raw) {
        this.waitOpen = false;
        if (this.present) this.removed();
      }
    }
    if (this.awaiting !== 0 && now >= this.deadline) {
      this.awaiting = 0;
      this.ring.push(EV_READER_FAULT, READER_ICC, this.step);
      this.stop();
    }
  }

  /** Start the EMV read of a seated card; false when no card or a read is running. @hot */
  read(): boolean {
    if (!this.present || (this.step !== ICC_STEP_IDLE && this.step !== ICC_STEP_DONE)) return false;
    this.tags.clear();
    this.parser.reset();
    setDateTime(this.terminal, this.clock.now());
    const ui = this.terminal.find(0x9f37);
    for (let k = 0; k < 4; k++) this.terminal.pool[this.terminal.offs[ui] + k] = Math.floor(this.random() * 256) & 0xff;
    this.terminal.lens[ui] = 4;
    this.listIdx = -1;
    this.sawBlocked = false;
    this.step = ICC_STEP_POWER_ON;
    this.retries = 0;
    this.send(CMD_POWER_ON, 0);
    return true;
  }

  /** Stop any read and power the card off (e.g. the app cancels). */
  abort(): void {
    this.stop();
  }

  /** Serial receive handler. @hot */
  private onData(data: string): void {
    for (let i = 0; i < data.length; i++) {
      const r = this.parser.feed(data.charCodeAt(i) & 0xff);
      if (r === FRAME_OK) this.onFrame();
      else if (r < 0 && this.awaiting !== 0) this.fail(ICC_ERR_FRAME, -r);
    }
  }

  /** @hot */
  private onFrame(): void {
    const p = this.parser.payload;
    const n = this.parser.len;
    if (this.awaiting === 0) return; // nothing asked: a late answer to an aborted exchange
    if (p[0] === RSP_FRAME_ERROR) {
      this.fail(ICC_ERR_FRAME, n > 1 ? p[1] : 0);
      return;
    }
    if (p[0] !== this.awaiting) return; // answer to an earlier command (e.g. its POWER_OFF)
    this.awaiting = 0;
    if (n < 2) {
      this.fail(ICC_ERR_FRAME, 0);
      return;
    }
    const st = p[1];
    if (st === ST_NO_CARD) {
      this.waitOpen = this.rawLast;
      this.removed();
      return;
    }
    if (st === ST_MUTE) {
      this.fail(ICC_ERR_MUTE, st);
      return;
    }
    if (st !== ST_OK) {
      this.fail(ICC_ERR_READER, st);
      return;
    }
    if (this.step === ICC_STEP_POWER_ON) {
      this.powered = true;
      // ATR: TS must be 3B (direct) or 3F (inverse convention), then at least T0.
      if (n < 4 || (p[2] !== 0x3b && p[2] !== 0x3f)) {
        this.fail(ICC_ERR_ATR, n > 2 ? p[2] : 0);
        return;
      }
      this.selectPpse();
      return;
    }
    if (n < 4) {
      this.fail(ICC_ERR_FRAME, 0);
      return;
    }
    const sw1 = p[n - 2];
    const sw2 = p[n - 1];
    if (sw1 === 0x61 || sw1 === 0x6c) {
      if (++this.retries > MAX_RETRIES) {
        this.fail(ICC_ERR_SW, sw1 * 256 + sw2);
        return;
      }
      if (sw1 === 0x61) {
        // T=0: the answer is waiting; fetch it with GET RESPONSE.
        const a = this.apdu;
        a[0] = 0x00;
        a[1] = 0xc0;
        a[2] = 0x00;
        a[3] = 0x00;
        a[4] = sw2;
        this.send(CMD_APDU, 5);
      } else {
        // Wrong Le: send the same command again with Le = SW2.
        this.apdu[this.apduLen - 1] = sw2;
        this.send(CMD_APDU, this.apduLen);
      }
      return;
    }
    this.onResponse(p, 2, n - 2, sw1 * 256 + sw2);
  }

  /** A final R-APDU for the current step: data p[off, end), status word sw. @hot */
  private onResponse(p: Uint8Array, off: number, end: number, sw: number): void {
    const step = this.step;
    if (step === ICC_STEP_SELECT_PPSE) {
      if (sw === 0x6a81) {
        this.fail(ICC_ERR_BLOCKED, sw);
        return;
      }
      if (sw === 0x9000) {
        const rc = this.scanPpse(p, off, end);
        if (rc < 0) {
          this.fail(ICC_ERR_TLV, rc);
          return;
        }
        if (rc > 0) {
          this.selectAid(this.chosen, 0, this.chosenLen);
          return;
        }
      }
      this.nextListAid();
      return;
    }
    if (step === ICC_STEP_SELECT_AID) {
      if (sw !== 0x9000) {
        if (sw === 0x6283 || sw === 0x6a81) this.sawBlocked = true;
        this.nextListAid();
        return;
      }
      if (this.keep(p, off, end, 0x6f)) return;
      this.sendGpo();
      return;
    }
    if (sw !== 0x9000) {
      this.fail(ICC_ERR_SW, sw);
      return;
    }
    if (step === ICC_STEP_GPO) {
      if (end - off >= 2 && p[off] === 0x80) {
        // Format 1: 80 L AIP(2) AFL(4n)
        this.tlv.reset(p, off, end);
        const rc = this.tlv.next();
        if (rc !== TLV_OK) {
          this.fail(ICC_ERR_TLV, rc);
          return;
        }
        const v = this.tlv.valOff;
        const l = this.tlv.len;
        if (l < 2 || this.tags.put(0x82, p, v, 2) < 0 || this.tags.put(0x94, p, v + 2, l - 2) < 0) {
          this.fail(ICC_ERR_DATA, 0x94);
          return;
        }
      } else if (this.keep(p, off, end, 0x77)) {
        return;
      }
      if (this.tags.lenOf(0x82) !== 2) {
        this.fail(ICC_ERR_MISSING, 0x82);
        return;
      }
      if (!this.checkAfl()) return;
      this.aflPos = 0;
      this.recNo = 0;
      this.step = ICC_STEP_READ_RECORD;
      this.readNext();
      return;
    }
    if (step === ICC_STEP_READ_RECORD) {
      if (this.keep(p, off, end, 0x70)) return;
      this.readNext();
      return;
    }
    if (step === ICC_STEP_GEN_AC) {
      if (end - off >= 2 && p[off] === 0x80) {
        // Format 1: 80 L CID(1) ATC(2) AC(8) IAD(0..32)
        this.tlv.reset(p, off, end);
        const rc = this.tlv.next();
        if (rc !== TLV_OK) {
          this.fail(ICC_ERR_TLV, rc);
          return;
        }
        const v = this.tlv.valOff;
        const l = this.tlv.len;
        if (l < 11 || this.tags.put(0x9f10, p, v + 11, l - 11) < 0) {
          this.fail(ICC_ERR_DATA, 0x9f26);
          return;
        }
        this.tags.put(0x9f27, p, v, 1);
        this.tags.put(0x9f36, p, v + 1, 2);
        this.tags.put(0x9f26, p, v + 3, 8);
      } else if (this.keep(p, off, end, 0x77)) {
        return;
      }
      if (this.tags.lenOf(0x9f27) !== 1 || this.tags.lenOf(0x9f26) !== 8 || this.tags.lenOf(0x9f36) !== 2) {
        this.fail(ICC_ERR_MISSING, 0x9f26);
        return;
      }
      const cid = this.tags.pool[this.tags.offs[this.tags.find(0x9f27)]] & 0xc0;
      if (cid === 0x00) {
        this.fail(ICC_ERR_DECLINED, 0);
        return;
      }
      if (cid !== 0x80) {
        // A TC when an ARQC was asked for is not allowed (EMV Book 3, 9.3).
        this.fail(ICC_ERR_DATA, 0x9f27);
        return;
      }
      this.finish();
    }
  }

  /**
   * Keep the wanted data elements of a response that must be template `tmpl`; on error
   * report it and return true. @hot
   */
  private keep(p: Uint8Array, off: number, end: number, tmpl: number): boolean {
    const t = this.tlv;
    t.reset(p, off, end);
    let rc = t.next();
    if (rc !== TLV_OK || t.tag !== tmpl || t.depth !== 0) {
      this.fail(ICC_ERR_TLV, rc < 0 ? rc : 0);
      return true;
    }
    rc = t.next();
    while (rc === TLV_OK) {
      if (t.depth === 0) {
        // Only one template per response.
        this.fail(ICC_ERR_TLV, 0);
        return true;
      }
      if (!t.constructed && this.tags.put(t.tag, p, t.valOff, t.len) < 0) {
        this.fail(ICC_ERR_DATA, t.tag);
        return true;
      }
      rc = t.next();
    }
    if (rc !== TLV_END) {
      this.fail(ICC_ERR_TLV, rc);
      return true;
    }
    return false;
  }

  /** Find the best supported AID in a PPSE FCI: 1 chosen, 0 none, < 0 TLV error. @hot */
  private scanPpse(p: Uint8Array, off: number, end: number): number {
    const t = this.tlv;
    t.reset(p, off, end);
    this.bestPrio = 99;
    this.bestLen = 0;
    this.curOff = -1;
    let inEntry = false;
    let rc = t.next();
    while (rc === TLV_OK) {
      if (t.tag === 0x61) {
        if (inEntry) this.considerEntry(p);
        inEntry = true;
        this.curOff = -1;
        this.curPrio = 16;
      } else if (inEntry && t.tag === 0x4f) {
        this.curOff = t.valOff;
        this.curLen = t.len;
      } else if (inEntry && t.tag === 0x87 && t.len === 1) {
        const pr = p[t.valOff] & 0x0f;
        this.curPrio = pr === 0 ? 16 : pr;
      }
      rc = t.next();
    }
    if (rc !== TLV_END) return rc;
    if (inEntry) this.considerEntry(p);
    if (this.bestLen === 0) return 0;
    for (let k = 0; k < this.bestLen; k++) this.chosen[k] = p[this.bestOff + k];
    this.chosenLen = this.bestLen;
    return 1;
  }

  /** @hot */
  private considerEntry(p: Uint8Array): void {
    const o = this.curOff;
    const l = this.curLen;
    if (o < 0 || l < 5 || l > 16 || this.curPrio >= this.bestPrio) return;
    for (let a = 0; a < this.aidCount; a++) {
      const al = this.aidLen[a];
      if (al > l) continue;
      let same = true;
      for (let k = 0; k < al; k++) {
        if (this.aidPool[this.aidOff[a] + k] !== p[o + k]) {
          same = false;
          break;
        }
      }
      if (same) {
        this.bestPrio = this.curPrio;
        this.bestOff = o;
        this.bestLen = l;
        return;
      }
    }
  }

  /** @hot */
  private selectPpse(): void {
    this.step = ICC_STEP_SELECT_PPSE;
    const a = this.apdu;
    a[0] = 0x00;
    a[1] = 0xa4;
    a[2] = 0x04;
    a[3] = 0x00;
    a[4] = PPSE_NAME.length;
    for (let k = 0; k < PPSE_NAME.length; k++) a[5 + k] = PPSE_NAME[k];
    a[5 + PPSE_NAME.length] = 0x00;
    this.retries = 0;
    this.send(CMD_APDU, 6 + PPSE_NAME.length);
  }

  /** @hot */
  private selectAid(src: Uint8Array, off: number, len: number): void {
    this.step = ICC_STEP_SELECT_AID;
    this.tags.remove(0x84);
    this.tags.remove(0x9f38);
    const a = this.apdu;
    a[0] = 0x00;
    a[1] = 0xa4;
    a[2] = 0x04;
    a[3] = 0x00;
    a[4] = len;
    for (let k = 0; k < len; k++) a[5 + k] = src[off + k];
    a[5 + len] = 0x00;
    this.retries = 0;
    this.send(CMD_APDU, 6 + len);
  }

  /** Try the next AID of the terminal's list (EMV "list of AIDs" selection). @hot */
  private nextListAid(): void {
    this.listIdx++;
    if (this.listIdx >= this.aidCount) {
      this.fail(this.sawBlocked ? ICC_ERR_BLOCKED : ICC_ERR_NO_APP, 0);
      return;
    }
    this.selectAid(this.aidPool, this.aidOff[this.listIdx], this.aidLen[this.listIdx]);
  }

  /** GET PROCESSING OPTIONS: 80 A8 00 00 Lc 83 L [PDOL data] 00. @hot */
  private sendGpo(): void {
    this.step = ICC_STEP_GPO;
    const a = this.apdu;
    const t = this.tags;
    const pi = t.find(0x9f38);
    let end = 7;
    if (t.lens[pi] > 0) {
      end = buildDol(this.dol, t.pool, t.offs[pi], t.lens[pi], this.terminal, t, a, 7, APDU_MAX - 1);
      if (end < 0 || end - 7 > 0x7f) {
        this.fail(end === -1 || end >= 0 ? ICC_ERR_DATA : ICC_ERR_TLV, 0x9f38);
        return;
      }
    }
    a[0] = 0x80;
    a[1] = 0xa8;
    a[2] = 0x00;
    a[3] = 0x00;
    a[4] = end - 5;
    a[5] = 0x83;
    a[6] = end - 7;
    a[end] = 0x00;
    this.retries = 0;
    this.send(CMD_APDU, end + 1);
  }

  /** The AFL must be 4n bytes of (SFI 1..30, first >= 1, last >= first). @hot */
  private checkAfl(): boolean {
    const t = this.tags;
    const i = t.find(0x94);
    const n = t.lens[i];
    if (n === 0) {
      this.fail(ICC_ERR_MISSING, 0x94);
      return false;
    }
    const b = t.offs[i];
    let ok = n % 4 === 0;
    for (let k = 0; ok && k < n; k += 4) {
      const sfi = t.pool[b + k] >> 3;
      const first = t.pool[b + k + 1];
      const last = t.pool[b + k + 2];
      if (sfi < 1 || sfi > 30 || first < 1 || last < first) ok = false;
    }
    if (!ok) this.fail(ICC_ERR_DATA, 0x94);
    return ok;
  }

  /** READ RECORD the next record named by the AFL, or go on when all are read. @hot */
  private readNext(): void {
    const t = this.tags;
    const i = t.find(0x94);
    const b = t.offs[i];
    const n = t.lens[i];
    while (this.aflPos < n) {
      const sfi = t.pool[b + this.aflPos] >> 3;
      const first = t.pool[b + this.aflPos + 1];
      const last = t.pool[b + this.aflPos + 2];
      if (this.recNo < first) this.recNo = first;
      if (this.recNo <= last) {
        const a = this.apdu;
        a[0] = 0x00;
        a[1] = 0xb2;
        a[2] = this.recNo;
        a[3] = (sfi << 3) | 0x04;
        a[4] = 0x00;
        this.recNo++;
        this.retries = 0;
        this.send(CMD_APDU, 5);
        return;
      }
      this.aflPos += 4;
      this.recNo = 0;
    }
    this.recordsDone();
  }

  /** @hot */
  private recordsDone(): void {
    const t = this.tags;
    if (t.lenOf(0x5a) === 0) {
      this.fail(ICC_ERR_MISSING, 0x5a);
      return;
    }
    if (t.lenOf(0x57) === 0) {
      this.fail(ICC_ERR_MISSING, 0x57);
      return;
    }
    if (t.lenOf(0x5f24) !== 3) {
      this.fail(ICC_ERR_MISSING, 0x5f24);
      return;
    }
    const bad = this.checkCardData();
    if (bad !== 0) {
      this.fail(ICC_ERR_DATA, bad);
      return;
    }
    if (!this.generateAc) {
      this.finish();
      return;
    }
    const ci = t.find(0x8c);
    if (t.lens[ci] === 0) {
      this.fail(ICC_ERR_MISSING, 0x8c);
      return;
    }
    // GENERATE AC, ARQC requested (P1 = 80): 80 AE 80 00 Lc [CDOL1 data] 00
    const a = this.apdu;
    const end = buildDol(this.dol, t.pool, t.offs[ci], t.lens[ci], this.terminal, t, a, 5, APDU_MAX - 1);
    if (end < 0 || end - 5 > 0xff) {
      this.fail(end === -1 || end >= 0 ? ICC_ERR_DATA : ICC_ERR_TLV, 0x8c);
      return;
    }
    this.step = ICC_STEP_GEN_AC;
    a[0] = 0x80;
    a[1] = 0xae;
    a[2] = 0x80;
    a[3] = 0x00;
    a[4] = end - 5;
    a[end] = 0x00;
    this.retries = 0;
    this.send(CMD_APDU, end + 1);
  }

  /**
   * PAN (5A) 13..19 digits, equal to the PAN in track 2 equivalent (57), 57 = PAN D YYMM SSS
   * [discretionary] F-padded, at most 37 characters; expiry (5F24) a real YYMMDD. Returns 0 or
   * the offending tag. @hot
   */
  private checkCardData(): number {
    const t = this.tags;
    const pool = t.pool;
    const pi = t.find(0x5a);
    const panDigits = nibbleDigits(pool, t.offs[pi], t.lens[pi], 0x0f);
    if (panDigits < 13 || panDigits > 19) return 0x5a;
    const ti = t.find(0x57);
    const tb = t.offs[ti];
    const tn = t.lens[ti] * 2;
    let k = 0;
    for (; k < tn; k++) {
      const d = nibble(pool, tb, k);
      if (d === 0x0d) break;
      if (d > 9 || k >= panDigits || d !== nibble(pool, t.offs[pi], k)) return 0x57;
    }
    if (k !== panDigits) return 0x57;
    let chars = k + 1;
    for (let j = k + 1; j < tn; j++) {
      const d = nibble(pool, tb, j);
      if (d === 0x0f) {
        if (j !== tn - 1) return 0x57;
        break;
      }
      if (d > 9) return 0x57;
      chars++;
    }
    if (chars - k - 1 < 7 || chars > 37) return 0x57;
    const ei = t.find(0x5f24);
    if (nibbleDigits(pool, t.offs[ei], 3, 0xff) !== 6) return 0x5f24;
    const mm = (pool[t.offs[ei] + 1] >> 4) * 10 + (pool[t.offs[ei] + 1] & 0x0f);
    return mm < 1 || mm > 12 ? 0x5f24 : 0;
  }

  /** Fill the card record from the data read, field 55 included, then report. @hot */
  private finish(): void {
    const t = this.tags;
    const pool = t.pool;
    const c = this.card;
    c.wipe();
    const pi = t.find(0x5a);
    c.panLen = nibbleDigits(pool, t.offs[pi], t.lens[pi], 0x0f);
    for (let k = 0; k < c.panLen; k++) c.pan[k] = 0x30 + nibble(pool, t.offs[pi], k);
    const ei = t.find(0x5f24);
    for (let k = 0; k < 4; k++) c.expiry[k] = 0x30 + nibble(pool, t.offs[ei], k);
    const ti = t.find(0x57);
    const tn = t.lens[ti] * 2;
    let sep = -1;
    for (let k = 0; k < tn; k++) {
      const d = nibble(pool, t.offs[ti], k);
      if (d === 0x0f) break;
      if (d === 0x0d) sep = k;
      c.track2[k] = d === 0x0d ? 0x3d : 0x30 + d;
      c.track2Len = k + 1;
    }
    for (let k = 0; k < 3; k++) c.serviceCode[k] = c.track2[sep + 5 + k];
    const si = t.find(0x5f34);
    c.panSeq = t.lens[si] === 1 ? (pool[t.offs[si]] >> 4) * 10 + (pool[t.offs[si]] & 0x0f) : -1;
    const n = buildTlvList(FIELD55_TAGS, t, this.terminal, c.iccData, 0, ICC_DATA_MAX);
    if (n < 0) {
      c.wipe();
      this.fail(ICC_ERR_DATA, 0x55);
      return;
    }
    c.iccLen = n;
    c.entryMode = ENTRY_CHIP;
    this.ring.push(EV_CHIP_READ, 0, 0);
    this.powerOff();
    this.tags.clear();
    this.parser.payload.fill(0);
    this.step = ICC_STEP_DONE;
  }

  /** @hot */
  private send(cmd: number, len: number): void {
    this.apduLen = len;
    writeFrame(this.serial, cmd, this.apdu, 0, len);
    this.awaiting = cmd;
    this.deadline = this.clock.now() + this.timeoutMs;
  }

  /** Deactivate the contacts; the module's answer is not waited for. @hot */
  private powerOff(): void {
    writeFrame(this.serial, CMD_POWER_OFF, this.apdu, 0, 0);
    this.powered = false;
    this.awaiting = 0;
  }

  /** End any read: card off, card data out of RAM. @hot */
  private stop(): void {
    if (this.step !== ICC_STEP_IDLE && this.step !== ICC_STEP_DONE) this.powerOff();
    else if (this.powered) this.powerOff();
    this.awaiting = 0;
    this.tags.clear();
    this.parser.payload.fill(0); // the last response may hold PAN / track 2 equivalent
    this.step = ICC_STEP_IDLE;
  }

  /** @hot */
  private fail(code: number, detail: number): void {
    this.lastError = code;
    this.lastDetail = detail;
    this.ring.push(EV_CHIP_ERROR, code, detail);
    this.stop();
  }

  /** @hot */
  private removed(): void {
    const at = this.step;
    this.present = false;
    this.ring.push(EV_CARD_REMOVED, at === ICC_STEP_DONE ? 0 : at, 0);
    this.stop();
  }
}

/** Nibble k (0 = high nibble of the first byte) of the bytes at `off`. @hot */
function nibble(buf: Uint8Array, off: number, k: number): number {
  const b = buf[off + (k >> 1)];
  return k & 1 ? b & 0x0f : b >> 4;
}

/**
 * Count of leading decimal digits in `bytes` bytes of BCD at `off`, stopping at the `pad`
 * nibble; -1 when another non-digit nibble comes first or a non-pad follows the pad. @hot
 */
function nibbleDigits(buf: Uint8Array, off: number, bytes: number, pad: number): number {
  const n = bytes * 2;
  let k = 0;
  while (k < n) {
    const d = nibble(buf, off, k);
    if (d === pad) break;
    if (d > 9) return -1;
    k++;
  }
  for (let j = k; j < n; j++) if (nibble(buf, off, j) !== pad) return -1;
  return k;
}
