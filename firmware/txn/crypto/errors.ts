/**
 * Error codes of the crypto module (numbers, so hot code can return them; names for logs and UI).
 * They share one number space with the ISO 8583 codec codes (1..39): crypto uses 40..59.
 */
export const CRYPTO_OK = 0;
/** A key is not 8, 16 or 24 bytes, or does not fit its buffer. */
export const E_KEY_LENGTH = 40;
/** Sign-in field 62 is not one of the known layouts (24, 40 or 60 bytes). */
export const E_KEY_FIELD_LENGTH = 41;
/** A working key's check value does not match: PIN key, MAC key, data (track) key. */
export const E_KCV_PIN_KEY = 42;
export const E_KCV_MAC_KEY = 43;
export const E_KCV_DATA_KEY = 44;
/** PIN not 4..12 digits, or a non-digit in it. */
export const E_PIN_FORMAT = 45;
/** PAN too short (fewer than 2 digits) or a non-digit in it. */
export const E_PAN_FORMAT = 46;
/** No key loaded where one is needed (e.g. MAC without a MAC key, working keys without a TMK). */
export const E_NO_KEY = 47;

const NAMES = [
  "KEY_LENGTH",
  "KEY_FIELD_LENGTH",
  "KCV_PIN_KEY",
  "KCV_MAC_KEY",
  "KCV_DATA_KEY",
  "PIN_FORMAT",
  "PAN_FORMAT",
  "NO_KEY",
];

/** Name of a crypto error code ("OK" for 0, "" when the code is not a crypto code). */
export function cryptoErrorName(code: number): string {
  if (code === CRYPTO_OK) return "OK";
  const i = code - E_KEY_LENGTH;
  return i >= 0 && i < NAMES.length ? NAMES[i] : "";
}
