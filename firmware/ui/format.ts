/**
 * Allocation-free number formatting into byte buffers (ASCII codes): money from fen, unsigned
 * numbers with padding, dates and times. Times travel as one number, the 14-digit stamp
 * yyyymmddhhmmss (exact in a double), instead of six fields. `putNum` takes (buf, off, ...) and
 * returns the offset after what it wrote; it does not check room (callers size their buffers).
 * `str()` turns a buffer range into a string for the printer: that one allocates and is only for
 * receipts (built once per job) and debug reads, never for the screen.
 */

const C_0 = 48;
const C_DOT = 46;
const C_MINUS = 45;
const C_COLON = 58;
const C_SPACE = 32;

/** putNum kinds. A number kind below 0x100 other than F_MONEY is the pad character. */
export const F_MONEY = 1; // fen as "1234.56" ("0.05" for 5 fen)
export const F_ZEROS = 48; // right-aligned in `width` cells, leading zeros
export const F_SPACES = 32; // right-aligned in `width` cells, leading spaces
// Stamp kinds: 0x100 + 16 * first digit + last digit of yyyymmddhhmmss, with "-", " " and ":".
export const F_DATE = 0x107; // 2024-03-05
export const F_HM = 0x18b; // 14:07
export const F_MD_HM = 0x14b; // 03-05 14:07
export const F_DATETIME = 0x10d; // 2024-03-05 14:07:09

/**
 * `n` formatted as `kind` (F_*). A number (F_ZEROS / F_SPACES) wider than `width` is written
 * whole; negative amounts count as 0. @hot
 */
export function putNum(buf: Uint8Array, off: number, kind: number, n: number, width: number): number {
  let at = off;
  if (kind >= 0x100) {
    const last = kind & 15;
    let div = 1;
    for (let i = (kind >> 4) & 15; i < 13; i++) div *= 10;
    for (let i = (kind >> 4) & 15; i <= last; i++) {
      buf[at++] = C_0 + (Math.floor(n / div) % 10);
      div /= 10;
      if (i === last) break;
      if (i === 3 || i === 5) buf[at++] = C_MINUS;
      else if (i === 7) buf[at++] = C_SPACE;
      else if (i === 9 || i === 11) buf[at++] = C_COLON;
    }
    return at;
  }
  let v = n < 0 ? 0 : Math.floor(n);
  let frac = -1;
  let pad = kind;
  let w = width;
  if (kind === F_MONEY) {
    frac = v % 100;
    v = Math.floor(v / 100);
    pad = C_0;
    w = 1;
  }
  let d = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) d++;
  for (let i = d; i < w; i++) buf[at++] = pad;
  for (let i = d - 1; i >= 0; i--) {
    buf[at + i] = C_0 + (v % 10);
    v = Math.floor(v / 10);
  }
  at += d;
  if (frac >= 0) {
    buf[at++] = C_DOT;
    buf[at++] = C_0 + Math.floor(frac / 10);
    buf[at++] = C_0 + (frac % 10);
  }
  return at;
}

/**
 * A terminal-clock time (ms since the epoch, local time as the Clock gives it) as the stamp
 * yyyymmddhhmmss. Civil-from-days (H. Hinnant's algorithm), integer arithmetic only. @hot
 */
export function stampOf(ms: number): number {
  const secs = Math.floor(ms / 1000);
  const days = Math.floor(secs / 86400);
  const sod = secs - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y * 10000000000 + m * 100000000 + d * 1000000 + Math.floor(sod / 3600) * 10000 + (Math.floor(sod / 60) % 60) * 100 + (sod % 60);
}

/** A buffer range as a string. Allocates: receipts and debug reads only, never the screen. */
export function str(buf: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += String.fromCharCode(buf[i]);
  return s;
}
