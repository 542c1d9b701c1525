/**
 * The reference day every window is measured from. "N days before" is calendar arithmetic on
 * UTC days, so a window does not shift with the hour of the call.
 *
 * Lapse rule (precise, as the sandbox manifest's edge people have it): with reference day D and
 * lapse window N, a donor is lapsed when the last gift day is on or before D − N, i.e. the gift
 * is N or more whole days old. A last gift exactly N days before D is lapsed; N − 1 days is not.
 * Activity rule: a participation on a day ≥ D − N (and ≤ D) is within the window.
 */
const DAY_MS = 86_400_000;

/** YYYY-MM-DD (UTC) of an ISO instant or day; today when absent. */
export function referenceDay(asOf?: string | null, now: () => number = Date.now): string {
  if (!asOf) return new Date(now()).toISOString().slice(0, 10);
  if (/^\d{4}-\d{2}-\d{2}$/.test(asOf)) return asOf;
  const ms = Date.parse(asOf);
  if (Number.isNaN(ms)) throw new Error(`not a date: ${asOf}`);
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  const ms = Date.parse(`${day}T00:00:00Z`) + n * DAY_MS;
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Whole days from `earlier` (a day or instant: its first ten characters) to the reference day;
 * null when absent or not a date. The same count as SQLite's
 * `CAST(julianday(day) - julianday(substr(earlier, 1, 10)) AS INTEGER)`, which scores the
 * engagement parts (measures.ts), for every YYYY-MM-DD (a day past its month's end rolls over in both).
 * Read digit by digit: every row a list shows counts two of them (Date.parse: ~0.37 µs each, this
 * ~0.1 µs).
 */
export function daysBetween(earlier: string | null | undefined, day: string): number | null {
  if (!earlier) return null;
  const a = dayNumber(earlier);
  const b = dayNumber(day);
  return Number.isNaN(a) || Number.isNaN(b) ? null : b - a;
}

/** The day number (days from 1970-01-01) of a YYYY-MM-DD prefix: month 1–12, day 1–31, as SQLite parses one; NaN otherwise. */
function dayNumber(s: string): number {
  if (s.length < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  const digit = (i: number) => {
    const c = s.charCodeAt(i) - 48;
    return c >= 0 && c <= 9 ? c : NaN;
  };
  const y = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  const m = digit(5) * 10 + digit(6);
  const d = digit(8) * 10 + digit(9);
  if (!(m >= 1 && m <= 12 && d >= 1 && d <= 31)) return NaN;
  // Civil date to day number (H. Hinnant's days_from_civil), years counted from March so that a
  // day past February's end rolls into March as it does for SQLite; any year, where Date.UTC
  // reads 0–99 as 1900–1999.
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
