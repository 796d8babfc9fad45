/**
 * Everything the screens show, as plain fields: the terminal's state machine (firmware/app/
 * terminal.ts) writes them, the painter (screens.ts) reads them. One instance, made at boot.
 */
import { ReceiptData } from "./receipt-data";

// UI states (T.state() names them with STATE_NAMES).
export const ST_IDLE = 0;
export const ST_MENU = 1;
export const ST_AMOUNT = 2;
export const ST_TRACE = 3; // trace number entry (void, query, reprint)
export const ST_RRN = 4; // refund: original reference number
export const ST_DATE = 5; // refund: original date MMDD
export const ST_CONFIRM = 6; // void: the original shown, ENTER confirms
export const ST_CARD = 7; // waiting for a swipe or an insert
export const ST_READING = 8; // chip being read
export const ST_PIN = 9;
export const ST_PROCESSING = 10; // the engine is working (stage text, countdown)
export const ST_RESULT = 11;
export const ST_QUERY = 12; // a journal entry, paged
export const ST_PAPER = 13; // printer out of paper / not answering: ENTER reprints
export const ST_FAULT = 14; // configuration error: refuses to transact

export const STATE_NAMES = [
  "IDLE",
  "MENU",
  "AMOUNT",
  "TRACE",
  "RRN",
  "DATE",
  "CONFIRM",
  "CARD",
  "READING",
  "PIN",
  "PROCESSING",
  "RESULT",
  "QUERY",
  "PAPER",
  "FAULT",
];

// What a trace number is entered for.
export const FOR_VOID = 1;
export const FOR_QUERY = 2;
export const FOR_REPRINT = 3;

/** Digits a trace number, a reference number and a date take. */
export const TRACE_DIGITS = 6;
export const RRN_DIGITS = 12;
export const DATE_DIGITS = 4;
/** Amount entry stops at 12 digits (the field-4 width). */
export const AMOUNT_DIGITS = 12;

export class UiModel {
  state = ST_IDLE;
  /** Engine transaction type being set up or run (TXN_*), 0 none. */
  txnType = 0;
  /** Fen. */
  amount = 0;
  /** Digits typed for a trace / RRN / date (ASCII). */
  readonly digits = new Uint8Array(12);
  digitLen = 0;
  purpose = 0;
  /** PIN digits typed (the digits themselves are not in the model). */
  pinLen = 0;
  menuPage = 0;
  queryPage = 0;
  /** Engine progress (STAGE_*), 0 none yet. */
  stage = 0;
  /** Seconds to the current timeout, -1 when none is shown. */
  countdown = -1;
  /** A transient message on the bottom row(s): message ids, -1 none. */
  noticeA = -1;
  noticeB = -1;
  /** Message for the paper screen (LOAD PAPER / PRINTER FAULT). */
  paperMsg = 0;
  /** The result on screen. */
  readonly result = new ReceiptData();
  /** A journal entry on screen (query, void confirmation). */
  readonly entry = new ReceiptData();
  /** Terminal id, ASCII. */
  readonly tid = new Uint8Array(8);
  tidLen = 0;
  /** Clock for the idle screen: year, month, day, hour, minute, second. */
  readonly clock = new Int32Array(6);
  signedIn = true;
  /** A chip card sits in the reader. */
  chipPresent = false;
  /** The transaction's card came from the chip. */
  cardIsChip = false;
  /** The display reported a fault (the UI goes on; the driver redraws when it is back). */
  lcdFault = false;
}
