/**
 * Option values the CLI reads from the steward: numbers in a stated range, real calendar days.
 * Each bad value is refused with one line naming the option, the accepted range and what was
 * given (exit code 2, a usage error), before any work starts.
 */
import { CliError } from './context';
import { isCalendarDay, isIsoDayOrInstant } from '../../src-shared/domain/dates';
import { MAX_DAYS } from '../../src-shared/domain/insights';

export const USAGE_EXIT = 2;

export function numberOption(flag: string, raw: string, o: { min: number; max: number; integer?: boolean; unit?: string }): number {
  const v = Number(raw);
  if (!raw.trim() || !Number.isFinite(v) || (o.integer && !Number.isInteger(v)) || v < o.min || v > o.max) {
    const kind = o.integer ? `a whole number${o.unit ? ` of ${o.unit}` : ''}` : `a number${o.unit ? ` of ${o.unit}` : ''}`;
    throw new CliError(`${flag} must be ${kind} from ${o.min.toLocaleString('en-US')} to ${o.max.toLocaleString('en-US')} (got "${raw}")`, USAGE_EXIT);
  }
  return v;
}

/** An optional whole-days option (windows such as --lapse-days), within what the lists accept. */
export function daysOption(flag: string, raw: string | boolean | undefined): number | undefined {
  if (raw === undefined || raw === false) return undefined;
  return numberOption(flag, String(raw), { min: 0, max: MAX_DAYS, integer: true, unit: 'days' });
}

/** An optional row count (--limit). */
export function countOption(flag: string, raw: string | boolean | undefined): number | undefined {
  if (raw === undefined || raw === false) return undefined;
  return numberOption(flag, String(raw), { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true, unit: 'rows' });
}

export function dayOption(flag: string, raw: string): string {
  if (!isCalendarDay(raw.trim())) throw new CliError(`${flag} takes a real day as YYYY-MM-DD, not "${raw}"`, USAGE_EXIT);
  return raw.trim();
}

/** --as-of and TWOFOLD_AS_OF: a real day or an ISO timestamp. */
export function asOfOption(flag: string, raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!isIsoDayOrInstant(raw.trim())) throw new CliError(`${flag} takes a real day as YYYY-MM-DD (or an ISO timestamp), not "${raw}"`, USAGE_EXIT);
  return raw.trim();
}
