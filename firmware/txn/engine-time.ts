/**
 * Calendar arithmetic for the engine without Date objects (a Date per message would allocate):
 * the terminal clock is local wall time in ms since the epoch (firmware/hal/clock.ts), so its
 * "UTC" calendar fields ARE the local date and time that fields 12/13 carry.
 * Days <-> civil date: H. Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).
 * A civil date is 6 slots of an Int32Array from `at`: year, month 1..12, day 1..31, hour,
 * minute, second (the engine keeps them in its state array; two functions, each costs RAM).
 */

/** Fill c[at..at+6) with the calendar fields of `ms`. @hot */
export function civilFromMs(ms: number, c: Int32Array, at: number): void {
  const secs = Math.floor(ms / 1000);
  const days = Math.floor(secs / 86400);
  const sod = secs - days * 86400;
  c[at + 3] = Math.floor(sod / 3600);
  c[at + 4] = Math.floor((sod % 3600) / 60);
  c[at + 5] = sod % 60;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  c[at + 2] = doy - Math.floor((153 * mp + 2) / 5) + 1;
  c[at + 1] = m;
  c[at] = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

/** Epoch ms of the calendar date and time in c[at..at+6). @hot */
export function msFromCivil(c: Int32Array, at: number): number {
  const m = c[at + 1];
  const yy = m <= 2 ? c[at] - 1 : c[at];
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + c[at + 2] - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return (((days * 24 + c[at + 3]) * 60 + c[at + 4]) * 60 + c[at + 5]) * 1000;
}
