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

/**
 * The tables, each ONE string (a string costs a few blocks; an array costs a block or more per
 * element): key names, space-separated, and the key codes as characters, parallel to them.
 */
const NAMES = "0 1 2 3 4 5 6 7 8 9 ENTER CANCEL CLEAR F1 F2 F3";
const CODES = "0123456789\r\x1b\b\x81\x82\x83";
/** Membrane legends, and the key each stands for ('-' no key). */
const LEGENDS = "0123456789ABCD*#-";
const LEGEND_KEYS = "0123456789\x81\x82\x83\b\x1b\r\x00";

/** Names for the UI / terminal view (the HIL side; the firmware does not keep this array). */
export const KEY_NAMES = /*#__PURE__*/ NAMES.split(" ");

/** The legend layout of the common 4x4 membrane; the default key map. */
export const DEFAULT_KEYMAP = "123A456B789C*0#D";

export const KEYMAP_OK = 0;
export const KEYMAP_ERR_LENGTH = -1; // wrong number of positions for the matrix
export const KEYMAP_ERR_UNKNOWN_KEY = -2; // a legend, name or code that is not a key

/** The name of a key code ("ENTER"), or "?" when it is not a key. */
export function keyName(code: number): string {
  const i = code > 0 && code < 256 && (code | 0) === code ? CODES.indexOf(String.fromCharCode(code)) : -1;
  return i < 0 ? "?" : NAMES.split(" ")[i];
}

/** The key code for a name ("F1", "7"), or KEY_NONE. */
export function keyFromName(name: string): number {
  const i = NAMES.split(" ").indexOf(name);
  return i < 0 ? KEY_NONE : CODES.charCodeAt(i);
}

/** The key code for a membrane legend char code ('#' -> ENTER), KEY_NONE for '-', -1 if unknown. */
export function keyFromLegend(ch: number): number {
  const i = ch > 0 && ch < 128 ? LEGENDS.indexOf(String.fromCharCode(ch)) : -1;
  return i < 0 ? -1 : LEGEND_KEYS.charCodeAt(i);
}

/**
 * Fill `out` (one entry per matrix position) from a key map. Returns KEYMAP_OK or a KEYMAP_ERR_*
 * code; on error `out` is left as it was. Runs once at construction, not on the hot path, so it
 * may allocate; it does the three forms itself (one function instead of four: RAM).
 */
export function parseKeymap(map: string | number[], out: Uint8Array): number {
  const n = out.length;
  const codes = new Uint8Array(n);
  const names = NAMES.split(" ");
  const byName = typeof map === "string" && map.indexOf(",") >= 0;
  const list = byName ? (map as string).split(",") : map;
  if (list.length !== n) return KEYMAP_ERR_LENGTH;
  for (let i = 0; i < n; i++) {
    let code = -1;
    if (byName) {
      const name = (list[i] as string).trim();
      const k = names.indexOf(name.toUpperCase());
      code = name === "-" || name === "" ? KEY_NONE : k < 0 ? -1 : CODES.charCodeAt(k);
    } else if (typeof map === "string") {
      const k = LEGENDS.indexOf(map.charAt(i));
      code = k < 0 ? -1 : LEGEND_KEYS.charCodeAt(k);
    } else {
      const v = map[i];
      if (v === KEY_NONE || (v > 0 && v < 256 && (v | 0) === v && CODES.indexOf(String.fromCharCode(v)) >= 0)) code = v;
    }
    if (code < 0) return KEYMAP_ERR_UNKNOWN_KEY;
    codes[i] = code;
  }
  out.set(codes);
  return KEYMAP_OK;
}
