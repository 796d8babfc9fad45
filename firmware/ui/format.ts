/**
 * Allocation-free formatting into byte buffers (ASCII codes): money from fen, unsigned numbers
 * with padding, dates and times from the terminal clock, masked PANs, catalogue messages.
 * Every writer takes (buf, off, ...) and returns the offset after what it wrote; none of them
 * checks room (callers size their buffers: a 20-column row, a 32-column receipt line).
 * `str()` turns a buffer range into a string for the printer: that one allocates and is only
 * for receipts (built once per job), never for the screen.
 */
import { MSG_EN, MSG_EN_AT } from "./messages.gen";

const C_0 = 48;
const C_STAR = 42;
const C_DOT = 46;
const C_MINUS = 45;
const C_COLON = 58;
const C_SPACE = 32;

/** Digits `n` (a non-negative integer, up to 15 digits) takes in decimal. @hot */
export function digitCount(n: number): number {
  let d = 1;
  let t = n;
  while (t >= 10) {
    t = Math.floor(t / 10);
    d++;
  }
  return d;
}

/**
 * `n` in decimal, right-aligned in `width` cells filled with `pad` (a char code; 48 for leading
 * zeros). A number wider than `width` is written whole. @hot
 */
export function putUint(buf: Uint8Array, off: number, n: number, width: number, pad: number): number {
  let v = n < 0 ? 0 : Math.floor(n);
  const d = digitCount(v);
  let at = off;
  for (let i = d; i < width; i++) buf[at++] = pad;
  for (let i = d - 1; i >= 0; i--) {
    buf[at + i] = C_0 + (v % 10);
    v = Math.floor(v / 10);
  }
  return at + d;
}

/** Fen as "1234.56" ("0.05" for 5 fen). @hot */
export function putMoney(buf: Uint8Array, off: number, fen: number): number {
  const v = fen < 0 ? 0 : Math.floor(fen);
  let at = putUint(buf, off, Math.floor(v / 100), 1, C_0);
  buf[at++] = C_DOT;
  return putUint(buf, at, v % 100, 2, C_0);
}

/** Characters `putMoney` writes for this amount. @hot */
export function moneyLen(fen: number): number {
  return digitCount(Math.floor((fen < 0 ? 0 : fen) / 100)) + 3;
}

/** English text of message `id`, at most `max` characters. @hot */
export function putMsg(buf: Uint8Array, off: number, id: number, max: number): number {
  const start = MSG_EN_AT[id];
  let end = MSG_EN_AT[id + 1];
  if (end - start > max) end = start + max;
  let at = off;
  for (let i = start; i < end; i++) buf[at++] = MSG_EN.charCodeAt(i);
  return at;
}

/** Length of message `id` in English. @hot */
export function msgLen(id: number): number {
  return MSG_EN_AT[id + 1] - MSG_EN_AT[id];
}

/** `len` bytes of `src` from `from`. @hot */
export function putBytes(buf: Uint8Array, off: number, src: Uint8Array, from: number, len: number): number {
  for (let i = 0; i < len; i++) buf[off + i] = src[from + i];
  return off + len;
}

/**
 * A PAN as receipts and screens may show it: first 6, '*' for the middle, last 4
 * (a PAN of 10 digits or fewer shows no middle). The full digits go nowhere else. @hot
 */
export function putMaskedPan(buf: Uint8Array, off: number, pan: Uint8Array, panLen: number): number {
  let at = off;
  for (let i = 0; i < panLen; i++) buf[at++] = i < 6 || i >= panLen - 4 ? pan[i] : C_STAR;
  return at;
}

/**
 * Split a terminal-clock time (ms since the epoch, local time as the Clock gives it) into
 * out = [year, month, day, hour, minute, second]. Civil-from-days (H. Hinnant's algorithm),
 * integer arithmetic only. @hot
 */
export function splitTime(ms: number, out: Int32Array): void {
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
  out[0] = yoe + era * 400 + (m <= 2 ? 1 : 0);
  out[1] = m;
  out[2] = d;
  out[3] = Math.floor(sod / 3600);
  out[4] = Math.floor(sod / 60) % 60;
  out[5] = sod % 60;
}

/** YYMMDDhhmmss as one number (the engine's host date/time) into the same six fields. @hot */
export function splitYmdhms(v: number, out: Int32Array): void {
  let t = Math.floor(v);
  out[5] = t % 100;
  t = Math.floor(t / 100);
  out[4] = t % 100;
  t = Math.floor(t / 100);
  out[3] = t % 100;
  t = Math.floor(t / 100);
  out[2] = t % 100;
  t = Math.floor(t / 100);
  out[1] = t % 100;
  out[0] = 2000 + (Math.floor(t / 100) % 100);
}

/** "2024-03-05" from split fields (see splitTime). @hot */
export function putDate(buf: Uint8Array, off: number, f: Int32Array): number {
  let at = putUint(buf, off, f[0], 4, C_0);
  buf[at++] = C_MINUS;
  at = putUint(buf, at, f[1], 2, C_0);
  buf[at++] = C_MINUS;
  return putUint(buf, at, f[2], 2, C_0);
}

/** "03-05" (month-day). @hot */
export function putMonthDay(buf: Uint8Array, off: number, f: Int32Array): number {
  const at = putUint(buf, off, f[1], 2, C_0);
  buf[at] = C_MINUS;
  return putUint(buf, at + 1, f[2], 2, C_0);
}

/** "14:07", or "14:07:09" with seconds. @hot */
export function putTime(buf: Uint8Array, off: number, f: Int32Array, seconds: boolean): number {
  let at = putUint(buf, off, f[3], 2, C_0);
  buf[at++] = C_COLON;
  at = putUint(buf, at, f[4], 2, C_0);
  if (!seconds) return at;
  buf[at++] = C_COLON;
  return putUint(buf, at, f[5], 2, C_0);
}

/** `n` spaces. @hot */
export function putSpaces(buf: Uint8Array, off: number, n: number): number {
  for (let i = 0; i < n; i++) buf[off + i] = C_SPACE;
  return off + (n > 0 ? n : 0);
}

/** A buffer range as a string. Allocates: receipts and debug reads only, never the screen. */
export function str(buf: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += String.fromCharCode(buf[i]);
  return s;
}
