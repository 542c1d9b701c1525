/**
 * Time and money as each API writes them. All instants are UTC milliseconds internally.
 * CRM+ writes offset-less timestamps with 0–7 fractional digits (Newtonsoft trims trailing
 * zeros), VOMO writes Laravel's ISO-8601 with +00:00, Raise writes ISO with Z.
 */
import { hash } from './prng';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export const DEFAULT_START = Date.UTC(2026, 10, 1, 12, 0, 0);

export function dayOf(ms: number): number {
  return Math.floor(ms / DAY);
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** YYYY-MM-DD of a UTC day number. */
export function isoDay(day: number): string {
  const d = new Date(day * DAY);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** M/D/YYYY, as CRM+ shows lastGiftDate and giftDateFormatted. */
export function usDay(day: number): string {
  const d = new Date(day * DAY);
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
}

/**
 * How many fractional digits a CRM+ timestamp of this record shows. Truncates the instant so
 * the text and the internal value agree (a client that parses the text gets the same ms).
 */
export function crmQuantize(ms: number, salt: number): number {
  const cls = hash(salt, 77) % 8;
  if (cls === 0) return Math.floor(ms / 1000) * 1000;
  if (cls === 1) return Math.floor(ms / 100) * 100;
  if (cls === 2) return Math.floor(ms / 10) * 10;
  return Math.floor(ms);
}

/** CRM+ text of an instant: no offset, trailing zeros trimmed, up to 7 digits (100 ns ticks). */
export function crmTimestamp(ms: number, salt: number): string {
  const d = new Date(Math.floor(ms));
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const cls = hash(salt, 77) % 8;
  let frac = pad(d.getUTCMilliseconds(), 3);
  if (cls >= 4) {
    // Sub-millisecond digits the JS clock never had: the last one non-zero so the length sticks.
    const extra = cls - 3;
    const h = hash(salt, Math.floor(ms), 78);
    let digits = String(h % 10 ** extra).padStart(extra, '0');
    digits = digits.slice(0, -1) + String(1 + (h % 9));
    frac += digits;
  }
  frac = frac.replace(/0+$/, '');
  return frac ? `${base}.${frac}` : base;
}

/** CRM+ gift date: midnight, no offset. */
export function crmDate(day: number): string {
  return `${isoDay(day)}T00:00:00`;
}

/** VOMO (Laravel) ISO-8601 with offset, second precision. */
export function vomoTimestamp(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  return d.toISOString().replace('.000Z', '+00:00');
}

export function raiseTimestamp(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
}

/** "$1,250.00"; zero is "$0" like the recorded fixtures. */
export function money(cents: number): string {
  if (cents === 0) return '$0';
  const neg = cents < 0;
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}$${whole}.${pad(abs % 100)}`;
}

/**
 * Parses a timestamp a client sends. Offset-less values are UTC (as CRM+ treats them).
 * Returns null when unparseable. `dateOnly` tells whether only a date was given.
 */
export function parseInstant(text: string): { ms: number; dateOnly: boolean } | null {
  const t = text.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(t);
  if (m) {
    const [, y, mo, d, h, mi, s, f, off] = m;
    let ms = Date.UTC(+y!, +mo! - 1, +d!, h ? +h : 0, mi ? +mi : 0, s ? +s : 0, f ? Math.floor(Number(`0.${f}`) * 1000) : 0);
    if (off && off.toUpperCase() !== 'Z') {
      const sign = off[0] === '-' ? -1 : 1;
      const digits = off.slice(1).replace(':', '');
      ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * MINUTE;
    }
    return Number.isFinite(ms) ? { ms, dateOnly: !h } : null;
  }
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (us) return { ms: Date.UTC(+us[3]!, +us[1]! - 1, +us[2]!), dateOnly: true };
  return null;
}
