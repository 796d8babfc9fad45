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

/** Names from E_KEY_LENGTH on, one string (stays in flash; see iso8583/errors.ts). */
const NAMES = "KEY_LENGTH KEY_FIELD_LENGTH KCV_PIN_KEY KCV_MAC_KEY KCV_DATA_KEY PIN_FORMAT PAN_FORMAT NO_KEY";

/** Name of a crypto error code ("OK" for 0, "" when the code is not a crypto code). */
export function cryptoErrorName(code: number): string {
  if (code === CRYPTO_OK) return "OK";
  return code >= E_KEY_LENGTH ? nthWord(NAMES, code - E_KEY_LENGTH) : "";
}

/** The n-th space-separated word of `list`, "" when there is none. Not for hot code (allocates). */
export function nthWord(list: string, n: number): string {
  let start = 0;
  for (let i = 0; i < n; i++) {
    const sp = list.indexOf(" ", start);
    if (sp < 0) return "";
    start = sp + 1;
  }
  const end = list.indexOf(" ", start);
  return list.substring(start, end < 0 ? list.length : end);
}
