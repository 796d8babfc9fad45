/**
 * Receipt layouts for the 58 mm printer (32 columns of font A): the sales slip (merchant and
 * cardholder copies), the settlement report, the failed-reversal slip and the declined slip.
 * Labels come from the catalogue in the printer language: English as ASCII, or Chinese as the
 * build-time GB18030 bytes printed with `gbTextAt` (a Chinese character takes 2 columns).
 * Values (numbers, masked PAN, codes) are ASCII either way.
 *
 * Each layout is a program, one character per step (see printJob), run by one function: on
 * Espruino every function costs RAM, a longer body does not. A job is built once per copy, off
 * the hot path. Labels print as ranges of the catalogue and values from the bytes they are
 * formatted into (no strings built: on Espruino each statement costs ~10,000 instructions). The
 * full PAN never reaches this file: the records hold it masked.
 */
import type { Terminal } from "../app/terminal";
import {
  MSG_COUNT,
  MSG_TEXT,
  msgAt,
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
  MSG_RCP_DECLINED_SLIP,
} from "./messages.gen";
import { ENTRY_CHIP, ENTRY_SWIPE } from "../txn/card-data";
import { TXN_REVERSAL } from "../txn/engine-api";
import { B_TMP, B_LINE, B_REC, V_CHINESE } from "./ui-model";
import {
  RW,
  RB,
  RB_AUTH,
  RB_RRN,
  RB_PAN,
  R_TYPE,
  R_TYPE_MSG,
  R_RC,
  R_MSG,
  R_STAN,
  R_BATCH,
  R_AMOUNT,
  R_PAN_LEN,
  R_ENTRY,
  R_WHEN,
  R_DEBIT_TOTAL,
  R_DEBIT_COUNT,
  R_CREDIT_TOTAL,
  R_CREDIT_COUNT,
  R_UPLOADED,
} from "./receipt-data";
import { putNum, F_ZEROS, F_MONEY, F_DATETIME } from "./format";
import { flashBytes } from "../lib/flash-bytes";

/** The part of EscPosPrinter the layouts use. */
export interface ReceiptPrinter {
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
}

export const COLUMNS = 32;
/**
 * What the slip prints is bytes where it can: Espruino copies a range of a Uint8Array in one
 * native call, a string a character at a time (~60,000 instructions each). The catalogue, and
 * the colon after a label with the padding before its value (one range of FRAME: one printer
 * call) and the rule (FRAME's dashes).
 */
const MSG_BYTES = flashBytes(MSG_TEXT);
const FRAME = flashBytes(":                                --------------------------------");
const RULE_AT = 33;

// Receipt jobs (print-queue.ts).
export const JOB_MERCHANT = 1;
export const JOB_CARDHOLDER = 2;
export const JOB_SETTLEMENT = 3;
export const JOB_REVERSAL_SLIP = 4;
export const JOB_DECLINED = 5;

/*
 * The layouts, one step per character:
 *   T title, big (SALES SLIP)       t title (SETTLEMENT REPORT)      c the copy's name, centred
 *   V X U centred, bold: REVERSAL FAILED / DECLINED SLIP / BALANCED or UPLOADED
 *   R *** REPRINT *** when reprinting                    L contact the acquirer, reverse by hand
 *   1 2 3 4 merchant name, merchant no, terminal no, operator                     - rule
 *   P card no, the masked PAN and how it was read        N card no and PAN, when there is a PAN
 *   y txn type    Y txn type, unless unknown or the reversal itself
 *   b batch no    B batch no, when there is one          s trace no
 *   f ref no, when there is one    a auth code, when there is one    d date/time    m amount
 *   [ ] bold on / off              G signature and agreement (merchant copy)
 *   D C debit / credit heading, then n count and o total of it
 *   e response code                M the engine's message, when there is one
 */
const SALES = "TcR1234-Pybsfad[m]-G";
const SETTLEMENT = "tR1234-bd-DnoCno-U";
const REVERSAL = "VRL1234-YsBN[m]d";
const DECLINED = "XR1234-PysmdeM";
/** The ops that print a "LABEL: value" line. */
const VALUE_OPS = "1234yYbBsnfadmoe";

/**
 * Build one printer job for record `slot` (receipt-data.ts) as `kind` (JOB_*). Returns the job
 * id, or 0 when the printer would not start one (busy, or a failed job is kept).
 */
export function printJob(t: Terminal, kind: number, slot: number, reprint: boolean): number {
  if (kind < JOB_MERCHANT || kind > JOB_DECLINED) return 0;
  const p = t.printer;
  const id = p.begin();
  if (!id) return 0;
  p.init();
  const R = t.rec;
  const b = t.b;
  const o = slot * RW;
  const ob = B_REC + slot * RB;
  const prog = kind === JOB_SETTLEMENT ? SETTLEMENT : kind === JOB_REVERSAL_SLIP ? REVERSAL : kind === JOB_DECLINED ? DECLINED : SALES;
  let debit = true;
  const en = !t.v[V_CHINESE];
  for (let i = 0; i < prog.length; i++) {
    const op = prog.charAt(i);
    let lab = -1; // "LABEL: value", the value right-aligned (on a line of its own if it does not fit)
    let val = "";
    let valMsg = -1; // the value is this message, in the printer language
    let from = -1; // the value is the ASCII bytes b[from, to) (a 0 ends it early)
    let to = 0;
    // Espruino compares op with each branch's letter in turn and steps over the bodies of those
    // it passes (~10,000 instructions a test): the value lines, most of a slip, come first and
    // are short; the rest only after one test
    if (VALUE_OPS.indexOf(op) >= 0) {
      if (op === "1") {
        lab = MSG_RCP_MERCHANT_NAME;
        val = t.merchant;
      } else if (op === "2") {
        lab = MSG_RCP_MERCHANT_NO;
        val = t.mid;
      } else if (op === "3") {
        lab = MSG_RCP_TERMINAL_NO;
        val = t.tid;
      } else if (op === "4") {
        lab = MSG_RCP_OPERATOR;
        val = t.operator;
      } else if (op === "y" || (op === "Y" && R[o + R_TYPE] !== TXN_REVERSAL && R[o + R_TYPE] !== 0)) {
        lab = MSG_TXN_TYPE;
        valMsg = R[o + R_TYPE_MSG];
      } else if (op === "s" || op === "b" || op === "n" || (op === "B" && R[o + R_BATCH] > 0)) {
        lab = op === "s" ? MSG_TRACE_NO : op === "n" ? MSG_RCP_COUNT : MSG_BATCH_NO;
        from = B_TMP;
        to = putNum(b, B_TMP, F_ZEROS, R[o + (op === "s" ? R_STAN : op === "n" ? (debit ? R_DEBIT_COUNT : R_CREDIT_COUNT) : R_BATCH)], op === "n" ? 1 : 6);
      } else if ((op === "f" && b[ob + RB_RRN] > 32) || (op === "a" && b[ob + RB_AUTH] > 32)) {
        lab = op === "f" ? MSG_REF_NO : MSG_AUTH_CODE;
        from = ob + (op === "f" ? RB_RRN : RB_AUTH);
        to = from + (op === "f" ? 12 : 6);
      } else if (op === "d") {
        lab = MSG_RCP_DATE_TIME;
        from = B_TMP;
        to = putNum(b, B_TMP, F_DATETIME, R[o + R_WHEN], 0);
      } else if (op === "m" || op === "o") {
        lab = op === "m" ? MSG_AMOUNT : MSG_RCP_TOTAL;
        b[B_TMP] = 82; // R
        b[B_TMP + 1] = 77; // M
        b[B_TMP + 2] = 66; // B
        b[B_TMP + 3] = 32;
        from = B_TMP;
        to = putNum(b, B_TMP + 4, F_MONEY, R[o + (op === "m" ? R_AMOUNT : debit ? R_DEBIT_TOTAL : R_CREDIT_TOTAL)], 0);
      } else if (op === "e") {
        const rc = R[o + R_RC];
        lab = MSG_RCP_RESPONSE;
        b[B_TMP] = rc >> 8 ? rc >> 8 : 45; // "--" when there is none
        b[B_TMP + 1] = rc >> 8 ? rc & 0xff : 45;
        from = B_TMP;
        to = B_TMP + 2;
      }
      if (lab < 0) continue;
    } else {
      let centre = -1; // a line of this message, centred
      if (op === "-") {
        p.text(FRAME, RULE_AT, RULE_AT + COLUMNS);
        p.line();
      } else if (op === "[" || op === "]") p.bold(op === "[");
      else if (op === "c") centre = kind === JOB_MERCHANT ? MSG_MERCHANT_COPY : MSG_CARDHOLDER_COPY;
      else if (op === "V") centre = MSG_REVERSAL_FAILED;
      else if (op === "X") centre = MSG_RCP_DECLINED_SLIP;
      else if (op === "U") centre = R[o + R_UPLOADED] ? MSG_UI_UPLOADED : MSG_UI_BALANCED;
      else if (op === "P" || (op === "N" && R[o + R_PAN_LEN] > 0)) {
        label(t, MSG_RCP_CARD_NO, true);
        p.text(":");
        p.line();
        if (op === "P") p.bold(true);
        let k = ob + RB_PAN;
        while (k < ob + RB_PAN + R[o + R_PAN_LEN] && b[k] !== 0) k++;
        p.text(b, ob + RB_PAN, k);
        const mode = R[o + R_ENTRY];
        if (op === "P") {
          p.bold(false);
          if (mode === ENTRY_SWIPE || mode === ENTRY_CHIP) {
            p.text(" ");
            label(t, mode === ENTRY_CHIP ? MSG_RCP_CHIP : MSG_RCP_SWIPE, true);
          }
        }
        p.line();
      } else if (op === "T" || op === "t") {
        p.align(1);
        p.bold(true);
        if (op === "T") p.doubleSize(true);
        label(t, op === "T" ? MSG_SLIP_TITLE : MSG_RCP_SETTLE_REPORT, true);
        p.line();
        if (op === "T") p.doubleSize(false);
        p.bold(false);
        p.align(0);
      } else if (op === "R") {
        if (reprint) {
          p.align(1);
          p.bold(true);
          p.text("*** ");
          label(t, MSG_REPRINT, true);
          p.text(" ***");
          p.line();
          p.bold(false);
          p.align(0);
        }
      } else if (op === "G") {
        if (kind === JOB_MERCHANT) {
          label(t, MSG_RCP_SIGNATURE, true);
          p.text(":");
          p.line();
          p.feed(3);
          p.text(FRAME, RULE_AT, RULE_AT + COLUMNS);
          p.line();
          label(t, MSG_RCP_AGREE, true);
          p.line();
        }
      } else if (op === "L") {
        label(t, MSG_RCP_CONTACT_ACQUIRER, true);
        p.line();
        label(t, MSG_RCP_REVERSE_BY_HAND, true);
        p.line();
      } else if (op === "D" || op === "C") {
        debit = op === "D";
        label(t, debit ? MSG_UI_DEBIT : MSG_UI_CREDIT, true);
        p.line();
      } else if (op === "M" && R[o + R_MSG] > 0) {
        label(t, R[o + R_MSG], true);
        p.line();
      }
      if (centre >= 0) {
        p.align(1);
        if (op !== "c") p.bold(true);
        label(t, centre, true);
        p.line();
        if (op !== "c") p.bold(false);
        p.align(0);
      }
      continue;
    }
    if (from >= 0) {
      const z = b.indexOf(0, from); // a 0 ends the value early
      if (z >= 0 && z < to) to = z;
    }
    const ls = en ? msgAt(lab) : 0; // English: the label's bytes start here, and the value's at vs
    const vs = en && valMsg >= 0 ? msgAt(valMsg) : 0;
    // a Chinese label is printed here (every way below prints it first on its line), its width
    // coming back from the same call instead of being measured and then printed
    const lw = (en ? msgAt(lab + 1) - ls : label(t, lab, true)) + 1;
    const vw = valMsg >= 0 ? (en ? msgAt(valMsg + 1) - vs : label(t, valMsg, false)) : from >= 0 ? to - from : val.length;
    const pad = COLUMNS - lw - vw;
    if (pad >= 1 && (en || valMsg < 0)) {
      // the line composed in b by native copies, then printed by one call, not four: the label
      // (English; a Chinese one is out already, as GB18030), the colon, the padding, the value
      let at = B_LINE;
      if (en) {
        b.set(MSG_BYTES.subarray(ls, ls + lw - 1), at);
        at += lw - 1;
      }
      b.set(FRAME.subarray(0, 1 + pad), at);
      at += 1 + pad;
      if (valMsg >= 0) b.set(MSG_BYTES.subarray(vs, vs + vw), at);
      else if (from >= 0) b.set(b.subarray(from, to), at);
      else b.set(flashBytes(val), at);
      p.text(b, B_LINE, at + vw);
      p.line();
      continue;
    }
    if (en) label(t, lab, true);
    if (pad >= 1) p.text(FRAME, 0, 1 + pad);
    else {
      // the value on a line of its own, right-aligned
      p.text(FRAME, 0, 1);
      p.line();
      if (vw < COLUMNS) p.text(FRAME, 1, 1 + COLUMNS - vw);
    }
    if (valMsg >= 0) label(t, valMsg, true);
    else if (from >= 0) p.text(b, from, to);
    else p.text(val);
    p.line();
  }
  p.feed(3);
  p.cut();
  p.end();
  return id;
}

/**
 * The columns message `id` takes in the printer language (a Chinese character 2, an ASCII byte
 * 1), printing it first when `print`.
 */
export function label(t: Terminal, id: number, print: boolean): number {
  if (!t.v[V_CHINESE]) {
    const s = msgAt(id);
    const e = msgAt(id + 1);
    if (print) t.printer.text(MSG_BYTES, s, e);
    return e - s;
  }
  const i = msgAt(MSG_COUNT + id);
  const end = msgAt(MSG_COUNT + id + 1);
  if (print) t.printer.gbTextAt(MSG_TEXT, i, end);
  // a column a byte: ASCII is 1 byte, and the build lets only 2-byte characters into the
  // catalogue (tools/gb18030/encode.ts refuses 4-byte ones), each 2 columns wide
  return end - i;
}
