/**
 * Calendar arithmetic for the engine without Date objects (a Date per message would allocate):
 * the terminal clock is local wall time in ms since the epoch (firmware/hal/clock.ts), so its
 * "UTC" calendar fields ARE the local date and time that fields 12/13 carry.
 * Days <-> civil date: H. Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).
 */

/** Index into a civil Int32Array(6): year, month 1..12, day 1..31, hour, minute, second. */
export const C_YEAR = 0;
export const C_MONTH = 1;
export const C_DAY = 2;
export const C_HOUR = 3;
export const C_MIN = 4;
export const C_SEC = 5;

/** Fill out[0..5] with the calendar fields of `ms`. @hot */
export function civilFromMs(ms: number, out: Int32Array): void {
  const secs = Math.floor(ms / 1000);
  const days = Math.floor(secs / 86400);
  const sod = secs - days * 86400;
  out[C_HOUR] = Math.floor(sod / 3600);
  out[C_MIN] = Math.floor((sod % 3600) / 60);
  out[C_SEC] = sod % 60;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  out[C_DAY] = doy - Math.floor((153 * mp + 2) / 5) + 1;
  out[C_MONTH] = m;
  out[C_YEAR] = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

/** Epoch ms of a calendar date and time. @hot */
export function msFromCivil(y: number, m: number, d: number, hh: number, mi: number, ss: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return (((days * 24 + hh) * 60 + mi) * 60 + ss) * 1000;
}

/** YYMMDDhhmmss as one number (TxnResult.dateTime). @hot */
export function stampOf(c: Int32Array): number {
  return ((((c[C_YEAR] % 100) * 100 + c[C_MONTH]) * 100 + c[C_DAY]) * 10000 + c[C_HOUR] * 100 + c[C_MIN]) * 100 + c[C_SEC];
}

/**
 * The year of a host date MMDD seen at local time `local` (fields 12/13 carry no year): the
 * local year, one less when the host month is far ahead (host still in December, terminal in
 * January), one more when it is far behind. @hot
 */
export function hostYear(local: Int32Array, hostMonth: number): number {
  const d = hostMonth - local[C_MONTH];
  if (d > 6) return local[C_YEAR] - 1;
  if (d < -6) return local[C_YEAR] + 1;
  return local[C_YEAR];
}
