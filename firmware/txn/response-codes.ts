/**
 * Field 39 response codes -> what the operator should do (CLS_*) and what the screen says
 * (MSG_RC_* id). Every code of PROTOCOL.md's table, plus the ones the host simulator gives that
 * the table does not list (21 not activated, 54 expired, 57 not allowed, 62 restricted/frozen,
 * 64 amount differs from the original). Anything else: CLS_DO_NOT_RETRY + MSG_RC_OTHER
 * ("declined", the UI shows the two characters beside it).
 *
 * The table is three constant strings (they stay in flash when the bundle runs from Storage);
 * lookups are allocation-free.
 */
import {
  CLS_CALL_ISSUER,
  CLS_DO_NOT_RETRY,
  CLS_REENTER_AMOUNT,
  CLS_REENTER_PIN,
  CLS_RETRY_LATER,
  CLS_SIGN_IN_AGAIN,
  CLS_SUCCESS,
  CLS_SYSTEM,
} from "./engine-api";
import {
  MSG_ACT_CALL_ISSUER,
  MSG_ACT_CALL_SUPPORT,
  MSG_ACT_KEEP_CARD,
  MSG_ACT_OTHER_CARD,
  MSG_ACT_REENTER_AMOUNT,
  MSG_ACT_REENTER_PIN,
  MSG_ACT_RETRY_LATER,
  MSG_ACT_SIGN_IN,
  MSG_RC_OTHER,
} from "./message-ids";

/** Known codes, two characters each. */
export const RC_CODES = "000103051213142125303341435154555761626465757794969798A0";
/** Class of each code (a digit = CLS_*), same order. */
const RC_CLASSES = "0372252227222224222222671716";
/**
 * Message id of each code, same order, as character codes (a literal: it stays in flash):
 * MSG_RC_00 01 03 05 12 13 14 21 25 30 33 41 43 51 54 55 57 61 62 64 65 75 77 94 96 97 98 A0
 * (test/engine/tables.test.ts holds it to those constants).
 */
const RC_MSGS = "\x0c\x0d\x0e\x0f\x10\x11\x12\x3e\x13\x14\x15\x16\x17\x18\x40\x19\x1a\x1b\x1c\x3f\x1d\x1e\x1f\x20\x21\x22\x23\x24";

/** Index of the code (two ASCII codes) in the table, -1 when unknown. @hot */
export function rcIndex(c0: number, c1: number): number {
  for (let i = 0; i < RC_CODES.length; i += 2) if (RC_CODES.charCodeAt(i) === c0 && RC_CODES.charCodeAt(i + 1) === c1) return i >> 1;
  return -1;
}

/**
 * (CLS_* << 8) | MSG_RC_* id for a response code; unknown codes give CLS_DO_NOT_RETRY and
 * MSG_RC_OTHER. The firmware's one lookup (each function costs RAM on Espruino): it searches the
 * table itself, so rcIndex stays out of the bundle. @hot
 */
export function rcLookup(c0: number, c1: number): number {
  for (let i = 0; i < RC_CODES.length; i += 2) {
    if (RC_CODES.charCodeAt(i) === c0 && RC_CODES.charCodeAt(i + 1) === c1) return ((RC_CLASSES.charCodeAt(i >> 1) - 48) << 8) | RC_MSGS.charCodeAt(i >> 1);
  }
  return (CLS_DO_NOT_RETRY << 8) | MSG_RC_OTHER;
}

/** CLS_* for a response code; unknown codes are CLS_DO_NOT_RETRY. @hot */
export function rcClass(c0: number, c1: number): number {
  return rcLookup(c0, c1) >> 8;
}

/** MSG_RC_* id for a response code; unknown codes give MSG_RC_OTHER. @hot */
export function rcMessage(c0: number, c1: number): number {
  return rcLookup(c0, c1) & 255;
}

/**
 * What-to-do message (MSG_ACT_*) for a class, -1 for success. Lost / stolen cards (41, 43) say
 * "keep the card"; other do-not-retry codes "use another card". @hot
 */
export function actionMessage(cls: number, c0: number, c1: number): number {
  if (cls === CLS_SUCCESS) return -1;
  if (cls === CLS_RETRY_LATER) return MSG_ACT_RETRY_LATER;
  if (cls === CLS_CALL_ISSUER) return MSG_ACT_CALL_ISSUER;
  if (cls === CLS_REENTER_PIN) return MSG_ACT_REENTER_PIN;
  if (cls === CLS_REENTER_AMOUNT) return MSG_ACT_REENTER_AMOUNT;
  if (cls === CLS_SIGN_IN_AGAIN) return MSG_ACT_SIGN_IN;
  if (cls === CLS_SYSTEM) return MSG_ACT_CALL_SUPPORT;
  if (c0 === 52 && (c1 === 49 || c1 === 51)) return MSG_ACT_KEEP_CARD;
  return MSG_ACT_OTHER_CARD;
}
