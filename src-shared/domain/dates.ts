/**
 * Calendar-valid dates at the edges. JavaScript's Date.parse accepts "2026-02-31" (as March 3),
 * so a format check alone lets impossible days through; every day or instant the steward types
 * (a CLI option, an IPC input) is checked here against the calendar.
 */
import { z } from 'zod';

/** True for a YYYY-MM-DD that names a real day. */
export function isCalendarDay(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

/** True for a real day, or an ISO-8601 instant whose day part is a real day. */
export function isIsoDayOrInstant(s: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2})([T ].*)?$/.exec(s);
  return !!m && isCalendarDay(m[1]!) && (m[2] === undefined || !Number.isNaN(Date.parse(s)));
}

export const CalendarDay = z.string().trim().refine(isCalendarDay, 'must be a real day as YYYY-MM-DD');
export const IsoDayOrInstant = z.string().trim().refine(isIsoDayOrInstant, 'must be a real day (YYYY-MM-DD) or an ISO timestamp');
