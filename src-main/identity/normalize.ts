/**
 * The only normalizations the join and the comparisons use.
 *
 * Rules: an email key is lower(trim(email)) and nothing more (no guessing at dots or plus tags);
 * phones compare in E.164 as libphonenumber-js parses them with the profile's default region;
 * names compare case- and space-insensitively.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export function normEmail(email: string | null | undefined): string | null {
  if (email == null) return null;
  const e = email.trim().toLowerCase();
  return e === '' ? null : e;
}

/** Regions whose national numbers are 10 digits behind country code 1. */
const NANP = new Set(['US', 'CA', 'PR', 'GU', 'VI', 'AS', 'MP', 'BS', 'BB', 'BM', 'JM', 'TT', 'DO', 'AG', 'AI', 'DM', 'GD', 'KN', 'KY', 'LC', 'MS', 'SX', 'TC', 'VC', 'VG']);
const SIMPLE_PLUS = /^\+[\d\s().-]+$/;
const SIMPLE_NATIONAL = /^[\d\s().-]+$/;

/**
 * E.164 form of a phone number, or null when it cannot be read as one. Unambiguous shapes
 * (a '+' number with plain separators; ten NANP digits) take a fast path that gives exactly what
 * libphonenumber-js gives for them; everything else goes through the library.
 */
export function toE164(raw: string | null | undefined, region = 'US'): string | null {
  if (raw == null) return null;
  const s = raw.trim();
  if (s === '') return null;
  const digits = s.replace(/\D/g, '');
  if (digits.length < 4) return null;
  if (s.startsWith('+') && SIMPLE_PLUS.test(s) && !s.includes('(0)') && digits.length >= 8 && digits.length <= 15) {
    return '+' + digits;
  }
  if (NANP.has(region) && SIMPLE_NATIONAL.test(s)) {
    if (digits.length === 10 && digits[0] !== '0' && digits[0] !== '1') return '+1' + digits;
    if (digits.length === 11 && digits[0] === '1' && digits[1] !== '0' && digits[1] !== '1') return '+' + digits;
  }
  try {
    const p = parsePhoneNumberFromString(s, region as CountryCode);
    if (p?.number) return p.number as string;
  } catch {
    /* not a phone number */
  }
  return digits.length >= 7 ? '+' + digits : null;
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

/** Name as compared: lowercase, inner whitespace collapsed, trimmed. */
export function normName(name: string | null | undefined): string | null {
  if (name == null) return null;
  // NFKC only when needed: most names are plain ASCII, and normalize() is not free at a million rows.
  const n = (ASCII.test(name) ? name : name.normalize('NFKC')).toLowerCase().replace(/\s+/g, ' ').trim();
  return n === '' ? null : n;
}

/** 'last|first' for blocking and similarity; null when both parts are empty. */
export function nameKey(first: string | null | undefined, last: string | null | undefined): string | null {
  const f = normName(first) ?? '';
  const l = normName(last) ?? '';
  if (!f && !l) return null;
  return `${l}|${f}`;
}

/** The first five characters of a postal code, upper case, without spaces. */
export function normPostal(postal: string | null | undefined): string | null {
  if (postal == null) return null;
  const p = postal.replace(/\s+/g, '').toUpperCase().slice(0, 5);
  return p === '' ? null : p;
}

/** A US ZIP at the end of a one-line address ("12 Main St, Springfield, IL 62701"). */
export function postalFromAddress(address: string | null | undefined): string | null {
  if (!address) return null;
  const m = /\b(\d{5})(?:-\d{4})?\s*(?:,?\s*(?:US|USA|United States))?\s*$/i.exec(address.trim());
  return m ? m[1] : null;
}

/** Jaro-Winkler similarity of two normalized strings, 0..1. */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length ? 1 : 0;
  const la = a.length;
  const lb = b.length;
  if (!la || !lb) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const ma = new Array<boolean>(la).fill(false);
  const mb = new Array<boolean>(lb).fill(false);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (!mb[j] && a[i] === b[j]) {
        ma[i] = mb[j] = true;
        matches++;
        break;
      }
    }
  }
  if (!matches) return 0;
  let t = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (!ma[i]) continue;
    while (!mb[k]) k++;
    if (a[i] !== b[k]) t++;
    k++;
  }
  const jaro = (matches / la + matches / lb + (matches - t / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/**
 * How alike two people's names are, 0..1: last names must be close, first names may be a
 * nickname-style prefix ("Rob" / "Robert") or an initial ("B." / "Bruce").
 */
export function nameSimilarity(f1: string | null, l1: string | null, f2: string | null, l2: string | null): number {
  const a1 = normName(f1) ?? '';
  const b1 = normName(l1) ?? '';
  const a2 = normName(f2) ?? '';
  const b2 = normName(l2) ?? '';
  if ((!a1 && !b1) || (!a2 && !b2)) return 0;
  const last = jaroWinkler(b1, b2);
  let first = jaroWinkler(a1, a2);
  const x1 = a1.replace(/\./g, '');
  const x2 = a2.replace(/\./g, '');
  if (x1 && x2 && (x1.startsWith(x2) || x2.startsWith(x1))) first = Math.max(first, 0.9);
  return Math.round((last * 0.55 + first * 0.45) * 1000) / 1000;
}
