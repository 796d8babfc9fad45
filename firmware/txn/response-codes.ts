/**
 * Field 39 response codes -> what the operator should do (CLS_*) and what the screen says
 * (MSG_RC_* id). Every code of PROTOCOL.md's table, plus the ones the host simulator gives that
 * the table does not list (21 not activated, 54 expired, 57 not allowed, 62 restricted/frozen,
 * 64 amount differs from the original). Anything else: CLS_DO_NOT_RETRY + MSG_RC_OTHER
 * ("declined", the UI shows the two characters beside it).
 *
 * The table is three constant strings (they stay in flash when the bundle runs from Storage) and
 * one byte array built once; lookups are allocation-free.
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
  MSG_RC_00,
  MSG_RC_01,
  MSG_RC_03,
  MSG_RC_05,
  MSG_RC_12,
  MSG_RC_13,
  MSG_RC_14,
  MSG_RC_21,
  MSG_RC_25,
  MSG_RC_30,
  MSG_RC_33,
  MSG_RC_41,
  MSG_RC_43,
  MSG_RC_51,
  MSG_RC_54,
  MSG_RC_55,
  MSG_RC_57,
  MSG_RC_61,
  MSG_RC_62,
  MSG_RC_64,
  MSG_RC_65,
  MSG_RC_75,
  MSG_RC_77,
  MSG_RC_94,
  MSG_RC_96,
  MSG_RC_97,
  MSG_RC_98,
  MSG_RC_A0,
  MSG_RC_OTHER,
} from "./message-ids";

/** Known codes, two characters each. */
export const RC_CODES = "000103051213142125303341435154555761626465757794969798A0";
/** Class of each code (a digit = CLS_*), same order. */
const RC_CLASSES = "0372252227222224222222671716";
/** Message id of each code, same order. */
const RC_MSGS = new Uint8Array([
  MSG_RC_00, MSG_RC_01, MSG_RC_03, MSG_RC_05, MSG_RC_12, MSG_RC_13, MSG_RC_14, MSG_RC_21, MSG_RC_25, MSG_RC_30,
  MSG_RC_33, MSG_RC_41, MSG_RC_43, MSG_RC_51, MSG_RC_54, MSG_RC_55, MSG_RC_57, MSG_RC_61, MSG_RC_62, MSG_RC_64,
  MSG_RC_65, MSG_RC_75, MSG_RC_77, MSG_RC_94, MSG_RC_96, MSG_RC_97, MSG_RC_98, MSG_RC_A0,
]);

/** Index of the code (two ASCII codes) in the table, -1 when unknown. @hot */
export function rcIndex(c0: number, c1: number): number {
  for (let i = 0; i < RC_CODES.length; i += 2) if (RC_CODES.charCodeAt(i) === c0 && RC_CODES.charCodeAt(i + 1) === c1) return i >> 1;
  return -1;
}

// rcClass and rcMessage search the table themselves: each function the firmware calls costs RAM
// on Espruino, and rcIndex stays out of the bundle.

/** CLS_* for a response code; unknown codes are CLS_DO_NOT_RETRY. @hot */
export function rcClass(c0: number, c1: number): number {
  for (let i = 0; i < RC_CODES.length; i += 2) if (RC_CODES.charCodeAt(i) === c0 && RC_CODES.charCodeAt(i + 1) === c1) return RC_CLASSES.charCodeAt(i >> 1) - 48;
  return CLS_DO_NOT_RETRY;
}

/** MSG_RC_* id for a response code; unknown codes give MSG_RC_OTHER. @hot */
export function rcMessage(c0: number, c1: number): number {
  for (let i = 0; i < RC_CODES.length; i += 2) if (RC_CODES.charCodeAt(i) === c0 && RC_CODES.charCodeAt(i + 1) === c1) return RC_MSGS[i >> 1];
  return MSG_RC_OTHER;
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
