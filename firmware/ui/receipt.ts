/**
 * Receipt layouts for the 58 mm printer (32 columns of font A): the sales slip (merchant and
 * cardholder copies), the settlement report, the failed-reversal slip and the declined slip.
 * Labels come from the catalogue in the printer language: English as ASCII, or Chinese as the
 * build-time GB18030 bytes printed with `gbTextAt` (a Chinese character takes 2 columns).
 * Values (numbers, masked PAN, codes) are ASCII either way.
 *
 * Each function builds ONE printer job (begin ... end) and returns the job id, or 0 when the
 * printer would not start one (busy, or a failed job is kept). Off the hot path: a job is built
 * once per copy and the value strings are made here (a few dozen short strings per receipt).
 * The full PAN never reaches this file: ReceiptData holds it masked.
 */
import { MSG_EN, MSG_EN_AT, MSG_ZH_GB, MSG_ZH_AT } from "./messages.gen";
import {
  MSG_SLIP_TITLE,
  MSG_MERCHANT_COPY,
  MSG_CARDHOLDER_COPY,
  MSG_TXN_TYPE,
  MSG_AMOUNT,
  MSG_REF_NO,
  MSG_AUTH_CODE,
  MSG_BATCH_NO,
  MSG_TRACE_NO,
  MSG_REPRINT,
  MSG_REVERSAL_FAILED,
  MSG_UI_DEBIT,
  MSG_UI_CREDIT,
  MSG_UI_BALANCED,
  MSG_UI_UPLOADED,
  MSG_RCP_MERCHANT_NAME,
  MSG_RCP_MERCHANT_NO,
  MSG_RCP_TERMINAL_NO,
  MSG_RCP_OPERATOR,
  MSG_RCP_CARD_NO,
  MSG_RCP_SWIPE,
  MSG_RCP_CHIP,
  MSG_RCP_DATE_TIME,
  MSG_RCP_SIGNATURE,
  MSG_RCP_AGREE,
  MSG_RCP_SETTLE_REPORT,
  MSG_RCP_COUNT,
  MSG_RCP_TOTAL,
  MSG_RCP_CONTACT_ACQUIRER,
  MSG_RCP_REVERSE_BY_HAND,
  MSG_RCP_RESPONSE,
  MSG_RCP_TRIES,
  MSG_RCP_DECLINED_SLIP,
} from "./messages.gen";
import { ENTRY_CHIP, ENTRY_SWIPE } from "../txn/card-data";
import { TXN_REVERSAL } from "../txn/engine-api";
import type { ReceiptData } from "./receipt-data";
import { putDate, putMoney, putTime, putUint, str } from "./format";

/** The part of EscPosPrinter the layouts use. */
export interface ReceiptPrinter {
  begin(): number;
  init(): number;
  text(s: string): number;
  gbTextAt(src: string, start: number, end: number): number;
  line(): number;
  bold(on: boolean): number;
  doubleSize(on: boolean): number;
  align(n: number): number;
  feed(n: number): number;
  cut(): number;
  end(): number;
}

/** Who printed it: from the terminal config. */
export interface ReceiptHeader {
  merchantName: string;
  mid: string;
  tid: string;
  operator: string;
}

export const COLUMNS = 32;
const RULE = "--------------------------------";

/** Which sales-slip copy. */
export const COPY_MERCHANT = 1;
export const COPY_CARDHOLDER = 2;

export class ReceiptWriter {
  /** Print Chinese labels (config lang "zh"). */
  chinese = false;
  private p: ReceiptPrinter;
  private readonly h: ReceiptHeader;
  private readonly buf = new Uint8Array(40);

  constructor(printer: ReceiptPrinter, header: ReceiptHeader, chinese: boolean) {
    this.p = printer;
    this.h = header;
    this.chinese = chinese;
  }

  /** Sales slip, one copy. */
  salesSlip(d: ReceiptData, copy: number, reprint: boolean): number {
    const p = this.p;
    const id = p.begin();
    if (!id) return 0;
    p.init();
    this.title(MSG_SLIP_TITLE, true);
    this.centered(copy === COPY_MERCHANT ? MSG_MERCHANT_COPY : MSG_CARDHOLDER_COPY, false);
    if (reprint) this.reprintMark();
    this.header();
    this.cardLines(d);
    this.kv(MSG_TXN_TYPE, "", d.typeMsg);
    this.kv(MSG_BATCH_NO, this.num(d.batch, 6), -1);
    this.kv(MSG_TRACE_NO, this.num(d.stan, 6), -1);
    if (d.hasRrn()) this.kv(MSG_REF_NO, ascii(d.rrn), -1);
    if (d.hasAuth()) this.kv(MSG_AUTH_CODE, ascii(d.authCode), -1);
    this.kv(MSG_RCP_DATE_TIME, this.dateTime(d), -1);
    p.bold(true);
    this.kv(MSG_AMOUNT, this.money(d.amount), -1);
    p.bold(false);
    p.text(RULE);
    p.line();
    if (copy === COPY_MERCHANT) {
      this.label(MSG_RCP_SIGNATURE);
      p.text(":");
      p.line();
      p.feed(3);
      p.text(RULE);
      p.line();
      this.label(MSG_RCP_AGREE);
      p.line();
    }
    p.feed(3);
    p.cut();
    p.end();
    return id;
  }

  /** Settlement report. */
  settlement(d: ReceiptData, reprint: boolean): number {
    const p = this.p;
    const id = p.begin();
    if (!id) return 0;
    p.init();
    this.title(MSG_RCP_SETTLE_REPORT, false);
    if (reprint) this.reprintMark();
    this.header();
    this.kv(MSG_BATCH_NO, this.num(d.batch, 6), -1);
    this.kv(MSG_RCP_DATE_TIME, this.dateTime(d), -1);
    p.text(RULE);
    p.line();
    this.totals(MSG_UI_DEBIT, d.debitCount, d.debitTotal);
    this.totals(MSG_UI_CREDIT, d.creditCount, d.creditTotal);
    p.text(RULE);
    p.line();
    this.centered(d.uploaded ? MSG_UI_UPLOADED : MSG_UI_BALANCED, true);
    p.feed(3);
    p.cut();
    p.end();
    return id;
  }

  /** "Reversal failed - contact the acquirer", with what is needed to reverse by hand. */
  reversalSlip(d: ReceiptData, reprint: boolean): number {
    const p = this.p;
    const id = p.begin();
    if (!id) return 0;
    p.init();
    this.centered(MSG_REVERSAL_FAILED, true);
    if (reprint) this.reprintMark();
    this.label(MSG_RCP_CONTACT_ACQUIRER);
    p.line();
    this.label(MSG_RCP_REVERSE_BY_HAND);
    p.line();
    this.header();
    if (d.type !== TXN_REVERSAL && d.type !== 0) this.kv(MSG_TXN_TYPE, "", d.typeMsg);
    this.kv(MSG_TRACE_NO, this.num(d.stan, 6), -1);
    if (d.batch > 0) this.kv(MSG_BATCH_NO, this.num(d.batch, 6), -1);
    if (d.panLen > 0) {
      this.label(MSG_RCP_CARD_NO);
      p.text(":");
      p.line();
      p.text(ascii(d.pan, d.panLen));
      p.line();
    }
    p.bold(true);
    this.kv(MSG_AMOUNT, this.money(d.amount), -1);
    p.bold(false);
    this.kv(MSG_RCP_DATE_TIME, this.dateTime(d), -1);
    if (d.tries > 0) this.kv(MSG_RCP_TRIES, "" + d.tries, -1);
    p.feed(3);
    p.cut();
    p.end();
    return id;
  }

  /** A declined transaction (when the config asks for it). */
  declinedSlip(d: ReceiptData, reprint: boolean): number {
    const p = this.p;
    const id = p.begin();
    if (!id) return 0;
    p.init();
    this.centered(MSG_RCP_DECLINED_SLIP, true);
    if (reprint) this.reprintMark();
    this.header();
    this.cardLines(d);
    this.kv(MSG_TXN_TYPE, "", d.typeMsg);
    this.kv(MSG_TRACE_NO, this.num(d.stan, 6), -1);
    this.kv(MSG_AMOUNT, this.money(d.amount), -1);
    this.kv(MSG_RCP_DATE_TIME, this.dateTime(d), -1);
    this.kv(MSG_RCP_RESPONSE, d.rc0 ? String.fromCharCode(d.rc0, d.rc1) : "--", -1);
    if (d.msgId > 0) {
      this.label(d.msgId);
      p.line();
    }
    p.feed(3);
    p.cut();
    p.end();
    return id;
  }

  // ---- building blocks ----

  private header(): void {
    const h = this.h;
    this.kv(MSG_RCP_MERCHANT_NAME, h.merchantName, -1);
    this.kv(MSG_RCP_MERCHANT_NO, h.mid, -1);
    this.kv(MSG_RCP_TERMINAL_NO, h.tid, -1);
    this.kv(MSG_RCP_OPERATOR, h.operator, -1);
    this.p.text(RULE);
    this.p.line();
  }

  private cardLines(d: ReceiptData): void {
    const p = this.p;
    this.label(MSG_RCP_CARD_NO);
    p.text(":");
    p.line();
    p.bold(true);
    p.text(ascii(d.pan, d.panLen));
    p.bold(false);
    if (d.entry === ENTRY_SWIPE || d.entry === ENTRY_CHIP) {
      p.text(" ");
      this.label(d.entry === ENTRY_CHIP ? MSG_RCP_CHIP : MSG_RCP_SWIPE);
    }
    p.line();
  }

  private totals(kind: number, count: number, total: number): void {
    this.label(kind);
    this.p.line();
    this.kv(MSG_RCP_COUNT, "" + count, -1);
    this.kv(MSG_RCP_TOTAL, this.money(total), -1);
  }

  private title(id: number, big: boolean): void {
    const p = this.p;
    p.align(1);
    p.bold(true);
    if (big) p.doubleSize(true);
    this.label(id);
    p.line();
    if (big) p.doubleSize(false);
    p.bold(false);
    p.align(0);
  }

  private centered(id: number, bold: boolean): void {
    const p = this.p;
    p.align(1);
    if (bold) p.bold(true);
    this.label(id);
    p.line();
    if (bold) p.bold(false);
    p.align(0);
  }

  private reprintMark(): void {
    const p = this.p;
    p.align(1);
    p.bold(true);
    p.text("*** ");
    this.label(MSG_REPRINT);
    p.text(" ***");
    p.line();
    p.bold(false);
    p.align(0);
  }

  /**
   * "LABEL: value" with the value right-aligned; on a line of its own when it does not fit.
   * The value is `value`, or message `valueMsg` (>= 0) in the printer language.
   */
  private kv(labelId: number, value: string, valueMsg: number): void {
    const p = this.p;
    const lw = this.label(labelId) + 1;
    p.text(":");
    const vw = valueMsg >= 0 ? this.width(valueMsg) : value.length;
    let pad = COLUMNS - lw - vw;
    if (pad < 1) {
      p.line();
      pad = COLUMNS - vw;
    }
    if (pad > 0) p.text(spaces(pad));
    if (valueMsg >= 0) this.label(valueMsg);
    else p.text(value);
    p.line();
  }

  /** Print message `id` in the printer language; returns the columns it took. */
  private label(id: number): number {
    if (this.chinese) {
      this.p.gbTextAt(MSG_ZH_GB, MSG_ZH_AT[id], MSG_ZH_AT[id + 1]);
      return gbWidth(id);
    }
    this.p.text(MSG_EN.substring(MSG_EN_AT[id], MSG_EN_AT[id + 1]));
    return MSG_EN_AT[id + 1] - MSG_EN_AT[id];
  }

  private width(id: number): number {
    return this.chinese ? gbWidth(id) : MSG_EN_AT[id + 1] - MSG_EN_AT[id];
  }

  private num(n: number, width: number): string {
    return str(this.buf, 0, putUint(this.buf, 0, n, width, 48));
  }

  private money(fen: number): string {
    this.buf[0] = 82; // R
    this.buf[1] = 77; // M
    this.buf[2] = 66; // B
    this.buf[3] = 32;
    return str(this.buf, 0, putMoney(this.buf, 4, fen));
  }

  private dateTime(d: ReceiptData): string {
    let at = putDate(this.buf, 0, d.when);
    this.buf[at++] = 32;
    at = putTime(this.buf, at, d.when, true);
    return str(this.buf, 0, at);
  }
}

/** Columns message `id` takes printed in Chinese: 2 per GB character, 1 per ASCII byte. */
export function gbWidth(id: number): number {
  let w = 0;
  let i = MSG_ZH_AT[id];
  const end = MSG_ZH_AT[id + 1];
  while (i < end) {
    const b = MSG_ZH_GB.charCodeAt(i);
    if (b < 0x80) {
      w++;
      i++;
    } else {
      const b2 = MSG_ZH_GB.charCodeAt(i + 1);
      i += b2 >= 0x30 && b2 <= 0x39 ? 4 : 2;
      w += 2;
    }
  }
  return w;
}

function ascii(b: Uint8Array, n?: number): string {
  const len = n === undefined ? b.length : n;
  let s = "";
  for (let i = 0; i < len; i++) {
    const c = b[i];
    if (c === 0) break;
    s += String.fromCharCode(c >= 32 && c < 127 ? c : 63);
  }
  return s;
}

function spaces(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += " ";
  return s;
}
