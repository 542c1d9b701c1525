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
 */
export function daysBetween(earlier: string | null | undefined, day: string): number | null {
  if (!earlier) return null;
  const a = Date.parse(`${earlier.slice(0, 10)}T00:00:00Z`);
  const b = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(a) || Number.isNaN(b)) return null;
  return Math.round((b - a) / DAY_MS);
}
