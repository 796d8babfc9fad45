/** Host wall-clock helpers: UnionPay fields carry local (Beijing, UTC+8 by default) time. */

export interface LocalTime {
  /** YYYYMMDD */
  date: string;
  /** MMDD (fields 13, 15) */
  mmdd: string;
  /** hhmmss (field 12) */
  hhmmss: string;
  /** YYMM, to compare with card expiry */
  yymm: string;
}

function two(n: number): string {
  return (n < 10 ? "0" : "") + n;
}

export function localTime(at: Date, utcOffsetMinutes: number): LocalTime {
  const t = new Date(at.getTime() + utcOffsetMinutes * 60000);
  const y = t.getUTCFullYear();
  const mo = two(t.getUTCMonth() + 1);
  const d = two(t.getUTCDate());
  return {
    date: y + mo + d,
    mmdd: mo + d,
    hhmmss: two(t.getUTCHours()) + two(t.getUTCMinutes()) + two(t.getUTCSeconds()),
    yymm: String(y % 100).padStart(2, "0") + mo,
  };
}
