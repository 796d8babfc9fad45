/**
 * Key codes of the terminal keypad, and the key maps that place them on a matrix.
 *
 * Codes are plain numbers so an event carries them without allocation (EV_KEY, a = code).
 * Digits are their ASCII codes ('0'..'9' = 48..57) so `code - KEY_0` is the digit value;
 * the function keys sit outside printable ASCII so they can never be confused with text.
 *
 * A key map lists the key at each matrix position, row-major (row 0 col 0, row 0 col 1, ...).
 * It is given as key codes (number[]), or as a string in one of two forms:
 *   - legends, one char per position, as printed on the common 4x4 membrane "123A456B789C*0#D":
 *     '0'-'9' digits, 'A' F1, 'B' F2, 'C' F3, 'D' CLEAR, '*' CANCEL, '#' ENTER, '-' no key;
 *   - key names separated by commas ("1,2,3,F1,...,CANCEL,0,ENTER,CLEAR"), names from KEY_NAMES.
 */

export const KEY_NONE = 0;
export const KEY_0 = 48;
export const KEY_1 = 49;
export const KEY_2 = 50;
export const KEY_3 = 51;
export const KEY_4 = 52;
export const KEY_5 = 53;
export const KEY_6 = 54;
export const KEY_7 = 55;
export const KEY_8 = 56;
export const KEY_9 = 57;
export const KEY_CLEAR = 8; // backspace: erase the last digit
export const KEY_ENTER = 13;
export const KEY_CANCEL = 27;
export const KEY_F1 = 129;
export const KEY_F2 = 130;
export const KEY_F3 = 131;

/** Names for the UI / terminal view, parallel to KEY_CODES. */
export const KEY_NAMES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "ENTER", "CANCEL", "CLEAR", "F1", "F2", "F3"];
export const KEY_CODES = [
  KEY_0, KEY_1, KEY_2, KEY_3, KEY_4, KEY_5, KEY_6, KEY_7, KEY_8, KEY_9,
  KEY_ENTER, KEY_CANCEL, KEY_CLEAR, KEY_F1, KEY_F2, KEY_F3,
];

/** The legend layout of the common 4x4 membrane; the default key map. */
export const DEFAULT_KEYMAP = "123A456B789C*0#D";

export const KEYMAP_OK = 0;
export const KEYMAP_ERR_LENGTH = -1; // wrong number of positions for the matrix
export const KEYMAP_ERR_UNKNOWN_KEY = -2; // a legend, name or code that is not a key

/** The name of a key code ("ENTER"), or "?" when it is not a key. */
export function keyName(code: number): string {
  for (let i = 0; i < KEY_CODES.length; i++) if (KEY_CODES[i] === code) return KEY_NAMES[i];
  return "?";
}

/** The key code for a name ("F1", "7"), or KEY_NONE. */
export function keyFromName(name: string): number {
  for (let i = 0; i < KEY_NAMES.length; i++) if (KEY_NAMES[i] === name) return KEY_CODES[i];
  return KEY_NONE;
}

/** The key code for a membrane legend char code ('#' -> ENTER), KEY_NONE for '-', -1 if unknown. */
export function keyFromLegend(ch: number): number {
  if (ch >= 48 && ch <= 57) return ch;
  if (ch === 65) return KEY_F1; // 'A'
  if (ch === 66) return KEY_F2; // 'B'
  if (ch === 67) return KEY_F3; // 'C'
  if (ch === 68) return KEY_CLEAR; // 'D'
  if (ch === 42) return KEY_CANCEL; // '*'
  if (ch === 35) return KEY_ENTER; // '#'
  if (ch === 45) return KEY_NONE; // '-'
  return -1;
}

function isKeyCode(code: number): boolean {
  if (code === KEY_NONE) return true;
  for (let i = 0; i < KEY_CODES.length; i++) if (KEY_CODES[i] === code) return true;
  return false;
}

/**
 * Fill `out` (one entry per matrix position) from a key map. Returns KEYMAP_OK or a KEYMAP_ERR_*
 * code; on error `out` is left as it was. Runs once at construction, not on the hot path.
 */
export function parseKeymap(map: string | number[], out: Uint8Array): number {
  const n = out.length;
  const codes = new Uint8Array(n);
  if (typeof map !== "string") {
    if (map.length !== n) return KEYMAP_ERR_LENGTH;
    for (let i = 0; i < n; i++) {
      if (!isKeyCode(map[i])) return KEYMAP_ERR_UNKNOWN_KEY;
      codes[i] = map[i];
    }
  } else if (map.indexOf(",") >= 0) {
    const names = map.split(",");
    if (names.length !== n) return KEYMAP_ERR_LENGTH;
    for (let i = 0; i < n; i++) {
      const name = names[i].trim();
      const code = name === "-" || name === "" ? KEY_NONE : keyFromName(name.toUpperCase());
      if (code === KEY_NONE && name !== "-" && name !== "") return KEYMAP_ERR_UNKNOWN_KEY;
      codes[i] = code;
    }
  } else {
    if (map.length !== n) return KEYMAP_ERR_LENGTH;
    for (let i = 0; i < n; i++) {
      const code = keyFromLegend(map.charCodeAt(i));
      if (code < 0) return KEYMAP_ERR_UNKNOWN_KEY;
      codes[i] = code;
    }
  }
  out.set(codes);
  return KEYMAP_OK;
}
