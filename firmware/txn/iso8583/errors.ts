/**
 * Error codes of the ISO 8583 codec. Pack, unpack and the message setters return these numbers
 * (0 = OK) and never throw; `isoErrorName(code)` gives the name for logs and the UI.
 * Crypto codes (40..59) live in ../crypto/errors.ts; `isoErrorName` names them too.
 */
import { cryptoErrorName, nthWord } from "../crypto/errors";

export const ISO_OK = 0;
// --- unpack: framing ---
/** The buffer is shorter than the 2-byte length, or the length argument exceeds the array. */
export const E_SHORT_FRAME = 1;
/** The 2-byte length prefix does not equal the bytes received after it. */
export const E_FRAME_LENGTH = 2;
/** The MTI is not 4 decimal digits. */
export const E_BAD_MTI = 3;
/** The message ends before the bitmap or a field the bitmap names is complete. */
export const E_TRUNCATED = 4;
/** The bitmap names a field the profile does not define (includes a tertiary bitmap). */
export const E_UNKNOWN_FIELD = 5;
/** An LL/LLL length prefix is not valid BCD / ASCII digits. */
export const E_BAD_LENGTH_PREFIX = 6;
/** An LL/LLL length is over the field's maximum. */
export const E_FIELD_TOO_LONG = 7;
/** A numeric (n) or track (z) field holds a nibble that is not a digit (or separator/pad). */
export const E_BAD_BCD = 8;
/** A character field holds a byte its format does not allow. */
export const E_BAD_CHAR = 9;
/** Bytes remain after the last field the bitmap names. */
export const E_TRAILING_DATA = 10;
// --- unpack: reply matching ---
/** The reply MTI is not the request MTI + 10 (0200 -> 0210). */
export const E_UNEXPECTED_MTI = 11;
/** Field 11 (STAN) missing from the reply or not the request's. */
export const E_STAN_MISMATCH = 12;
/** Field 41 (terminal id) missing from the reply or not the request's. */
export const E_TID_MISMATCH = 13;
/** An approved reply to a MACed request carries no field 64. */
export const E_MAC_MISSING = 14;
/** The reply's field 64 is not the MAC of its content. */
export const E_MAC_MISMATCH = 15;
// --- building and packing ---
/** The field is not defined in the profile, or the setter does not suit its format. */
export const E_FIELD_FORMAT = 20;
/** A value does not fit the field (too long, too many digits, negative, not an integer). */
export const E_VALUE_RANGE = 21;
/** A value holds a character the field's format does not allow. */
export const E_VALUE_CHAR = 22;
/** The message's data buffer is full. */
export const E_MESSAGE_FULL = 23;
/** The output buffer is too small for the packed message. */
export const E_OUTPUT_FULL = 24;
/** Reading a field the message does not have. */
export const E_FIELD_ABSENT = 25;
/** A MAC was asked for a message with a secondary bitmap (MAC must be the last field, 64). */
export const E_MAC_PLACEMENT = 26;
/** A setter was called on a received message (a view into the receive buffer): clear() it first. */
export const E_READ_ONLY_VIEW = 27;

/**
 * Names by code, one string (it stays in flash when the bundle runs from Storage, where an array
 * of strings would cost RAM); "-" marks an unused code.
 */
const NAMES =
  "OK SHORT_FRAME FRAME_LENGTH BAD_MTI TRUNCATED UNKNOWN_FIELD BAD_LENGTH_PREFIX FIELD_TOO_LONG BAD_BCD BAD_CHAR TRAILING_DATA " +
  "UNEXPECTED_MTI STAN_MISMATCH TID_MISMATCH MAC_MISSING MAC_MISMATCH - - - - FIELD_FORMAT " +
  "VALUE_RANGE VALUE_CHAR MESSAGE_FULL OUTPUT_FULL FIELD_ABSENT MAC_PLACEMENT READ_ONLY_VIEW";


/** Name of a codec or crypto error code, e.g. "MAC_MISMATCH"; "ERROR" for an unknown code. */
export function isoErrorName(code: number): string {
  const n = code >= 0 && code < 40 ? nthWord(NAMES, code) : cryptoErrorName(code);
  return n === "" || n === "-" ? "ERROR" : n;
}
