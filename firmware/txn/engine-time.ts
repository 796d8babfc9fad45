/**
 * Calendar arithmetic for the engine without Date objects (a Date per message would allocate):
 * the terminal clock is local wall time in ms since the epoch (firmware/hal/clock.ts), so its
 * "UTC" calendar fields ARE the local date and time that fields 12/13 carry.
 * Days <-> civil date: H. Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).
 * A civil date is 6 slots of an Int32Array from `at`: year, month 1..12, day 1..31, hour,
 * minute, second (the engine keeps them in its state array; two functions, each costs RAM).
 * Divisions of non-negative values below 2^31 truncate with `| 0` (on Espruino ~12,000
 * instructions cheaper than Math.floor); the milliseconds and days keep Math.floor (times past
 * 2038 and before 1970).
 */

/** Fill c[at..at+6) with the calendar fields of `ms`. @hot */
export function civilFromMs(ms: number, c: Int32Array, at: number): void {
  const secs = Math.floor(ms / 1000);
  const days = Math.floor(secs / 86400);
  const sod = secs - days * 86400;
  c[at + 3] = (sod / 3600) | 0;
  c[at + 4] = ((sod % 3600) / 60) | 0;
  c[at + 5] = sod % 60;
  const z = days + 719468;
  const era = (z / 146097) | 0;
  const doe = z - era * 146097;
  const yoe = ((doe - ((doe / 1460) | 0) + ((doe / 36524) | 0) - ((doe / 146096) | 0)) / 365) | 0;
  const doy = doe - (365 * yoe + ((yoe / 4) | 0) - ((yoe / 100) | 0));
  const mp = ((5 * doy + 2) / 153) | 0;
  const m = mp < 10 ? mp + 3 : mp - 9;
  c[at + 2] = doy - (((153 * mp + 2) / 5) | 0) + 1;
  c[at + 1] = m;
  c[at] = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

/** Epoch ms of the calendar date and time in c[at..at+6). @hot */
export function msFromCivil(c: Int32Array, at: number): number {
  const m = c[at + 1];
  const yy = m <= 2 ? c[at] - 1 : c[at];
  const era = (yy / 400) | 0;
  const yoe = yy - era * 400;
  const doy = (((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) | 0) + c[at + 2] - 1;
  const doe = yoe * 365 + ((yoe / 4) | 0) - ((yoe / 100) | 0) + doy;
  const days = era * 146097 + doe - 719468;
  return (((days * 24 + c[at + 3]) * 60 + c[at + 4]) * 60 + c[at + 5]) * 1000;
}
