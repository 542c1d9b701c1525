/**
 * One way to write counts, money, hours, days, instants and durations: every view, the CLI's text
 * reports and the CSV files use these, so a figure reads the same wherever the steward meets it.
 *
 * Screens and text reports write in the steward's locale (the runtime's default: the browser's
 * language in the app, LANG in the CLI). CSV cells use the forms a spreadsheet reads back as
 * values instead of text: ISO days (2024-03-01), "YYYY-MM-DD HH:MM:SS" instants in UTC, plain
 * decimal numbers with a dot and no grouping or currency sign.
 *
 * Days: a stored day (YYYY-MM-DD) or an instant's UTC day. The lists' windows count UTC days
 * (src-main/insights/dates.ts), so a day is shown as that UTC day, never shifted by the time zone.
 */

/** undefined: the runtime's default locale. Tests pin one. */
let locale: string | undefined;
export function setFormatLocale(l: string | undefined): void {
  locale = l;
  cache.clear();
}

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function nf(key: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  let f = cache.get(key) as Intl.NumberFormat | undefined;
  if (!f) cache.set(key, (f = new Intl.NumberFormat(locale, opts)));
  return f;
}
function df(key: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) cache.set(key, (f = new Intl.DateTimeFormat(locale, opts)));
  return f;
}

const NONE = '—';

/** 12,345 */
export function fmtCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NONE;
  return nf('count', { maximumFractionDigits: 0 }).format(n);
}

/** "1 row", "12,345 rows". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${fmtCount(n)} ${n === 1 ? one : many}`;
}

/** $1,234.50 (the stores keep cents). */
export function fmtMoney(cents: number | null | undefined): string {
  if (cents === null || cents === undefined || !Number.isFinite(cents)) return NONE;
  return nf('money', { style: 'currency', currency: 'USD' }).format(cents / 100);
}

/** Hours with at most two decimals: 18, 2.75, 1,204.5 */
export function fmtHours(h: number | null | undefined): string {
  if (h === null || h === undefined || !Number.isFinite(h)) return NONE;
  return nf('hours', { maximumFractionDigits: 2 }).format(h);
}

/** 37.5% from a share 0..1 */
export function fmtPercent(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return NONE;
  return nf('pct', { style: 'percent', maximumFractionDigits: 1 }).format(share);
}

/** The UTC day (YYYY-MM-DD) of a stored day or instant; null when it is not a date. */
export function utcDay(v: string | null | undefined): string | null {
  if (!v) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  const head = /^(\d{4}-\d{2}-\d{2})[T ]/.exec(v);
  // A timestamp without a zone is what the APIs meant as UTC; keep its day as written.
  if (head && !/([zZ]|[+-]\d{2}:?\d{2})$/.test(v)) return head[1]!;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString().slice(0, 10);
}

/** "Oct 28, 2023" in the steward's locale. */
export function fmtDay(v: string | null | undefined): string {
  const day = utcDay(v);
  if (!day) return v ? v : NONE;
  return df('day', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

/** "Oct 28, 2023, 3:05 PM" in the steward's locale and time zone. */
export function fmtDateTime(v: string | null | undefined): string {
  if (!v) return NONE;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return v;
  return df('datetime', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
}

/** "42 s", "5 min", "1 h 5 min", "3.5 days". */
export function fmtDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return NONE;
  const s = Math.round(seconds);
  const a = Math.abs(s);
  if (a < 60) return `${s} s`;
  if (a < 3600) return `${Math.round(s / 60)} min`;
  if (a < 86_400) {
    const m = Math.round((a % 3600) / 60);
    return `${Math.sign(s) * Math.floor(a / 3600)} h${m ? ` ${m} min` : ''}`;
  }
  return `${nf('days', { maximumFractionDigits: 1 }).format(s / 86_400)} days`;
}

/** "just now", "5 min ago", "3 h ago", "12 days ago"; "never" when absent. */
export function fmtAgo(v: string | null | undefined, now = Date.now()): string {
  if (!v) return 'never';
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return v;
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 129_600) return `${Math.round(s / 3600)} h ago`;
  return `${fmtCount(Math.round(s / 86_400))} days ago`;
}

/** Values for CSV cells: what a spreadsheet reads back as a number or a date. */
export const csvValue = {
  day(v: string | null | undefined): string | null {
    return utcDay(v);
  },
  /** "2024-03-01 14:05:00" (UTC). */
  dateTime(v: string | null | undefined): string | null {
    if (!v) return null;
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) return v;
    return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  },
  /** 1234.50 */
  money(cents: number | null | undefined): string | null {
    return cents === null || cents === undefined || !Number.isFinite(cents) ? null : (cents / 100).toFixed(2);
  },
  /** Plain decimal, at most two places: 18, 2.75 */
  number(n: number | null | undefined): number | null {
    return n === null || n === undefined || !Number.isFinite(n) ? null : Math.round(n * 100) / 100;
  },
};
