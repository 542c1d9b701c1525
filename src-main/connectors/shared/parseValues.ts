import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../../../src-shared/errors';
import { redact } from '../../core/log';

/**
 * Value parsers shared by the three connectors. Values only: money display strings, dates and
 * timestamps in the shapes the APIs really send, ids that arrive as numbers or strings, e-mail
 * normalisation, key casing, error bodies. No pagination or HTTP here — each connector keeps
 * its own (the APIs page differently on purpose).
 *
 * Convention: `undefined` means "the value is present but could not be read" (a caller may
 * quarantine the record), `null` means "absent / empty / Unavailable".
 */

export type Parsed<T> = T | null | undefined;

const EMPTY_WORDS = new Set(['', 'unavailable', 'n/a', 'na', 'none', 'null', 'undefined', '-']);

/** True for null, undefined, "", "Unavailable", "null" and other spellings of "no value". */
export function isBlank(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'string') return EMPTY_WORDS.has(v.trim().toLowerCase());
  return false;
}

/** An id as TEXT: 12 → "12", " 12 " → "12", "8205" → "8205"; objects and blanks → null/undefined. */
export function toId(v: unknown): Parsed<string> {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? String(Math.trunc(v) === v ? v : v) : undefined;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' || t.toLowerCase() === 'null' ? null : t;
  }
  return undefined;
}

/**
 * An id the API documents as an integer: 12, "12", " 12 " → "12"; anything else ("abc", 1.5,
 * -3, an object) is unreadable (`undefined`) so the record is quarantined, never joined under a
 * made-up key. Blanks → null.
 */
export function toIntId(v: unknown): Parsed<string> {
  const id = toId(v);
  if (id === null || id === undefined) return id;
  return /^\d{1,19}$/.test(id) ? id : undefined;
}

/** Text or null; numbers and booleans become their string form; objects are unreadable. */
export function toText(v: unknown): Parsed<string> {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? null : t;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** 10.5, "10.5", "1,250" → numbers; blanks → null. */
export function toNumber(v: unknown): Parsed<number> {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    if (isBlank(v)) return null;
    const t = v.trim().replace(/,(?=\d{3}(\D|$))/g, '');
    const n = Number(t);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** true/false, "true"/"True"/"1"/"yes", 1/0 → 1/0 (SQLite booleans); blanks → null. */
export function toBoolInt(v: unknown): Parsed<0 | 1> {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v === 0 ? 0 : 1;
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (t === '') return null;
    if (t === 'true' || t === '1' || t === 'yes' || t === 'y') return 1;
    if (t === 'false' || t === '0' || t === 'no' || t === 'n') return 0;
  }
  return undefined;
}

/**
 * Money to integer cents. Numbers are amounts (10.5 → 1050). Strings are display strings:
 * "$1,250.00" → 125000, "$0" → 0, "-$5.00" and "($5.00)" → -500, "1.250,50 €" → 125050,
 * "" / "Unavailable" → null. Arithmetic is done on the digits, never on floats.
 */
export function moneyToCents(v: unknown): Parsed<number> {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? Math.round(v * 100) : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (isBlank(s)) return null;
  const negative = /^\(.*\)$/.test(s) || /^-|^[^\d]*-/.test(s) || /-$/.test(s);
  let body = s.replace(/[^\d.,]/g, '');
  if (!/\d/.test(body)) return undefined;
  const lastDot = body.lastIndexOf('.');
  const lastComma = body.lastIndexOf(',');
  let decimalSep: '.' | ',' | null = null;
  if (lastDot >= 0 && lastComma >= 0) decimalSep = lastDot > lastComma ? '.' : ',';
  else if (lastDot >= 0) decimalSep = body.indexOf('.') === lastDot ? '.' : null; // "1.250.000" has no decimals
  else if (lastComma >= 0) decimalSep = body.indexOf(',') === lastComma && /,\d{1,2}$/.test(body) ? ',' : null;
  let intPart = body;
  let fracPart = '';
  if (decimalSep) {
    const at = body.lastIndexOf(decimalSep);
    intPart = body.slice(0, at);
    fracPart = body.slice(at + 1);
  }
  intPart = intPart.replace(/[.,]/g, '');
  if (!/^\d*$/.test(intPart) || !/^\d*$/.test(fracPart)) return undefined;
  const frac = (fracPart + '00').slice(0, 2);
  const roundUp = fracPart.length > 2 && Number(fracPart[2]) >= 5 ? 1 : 0;
  const cents = Number(intPart || '0') * 100 + Number(frac) + roundUp;
  if (!Number.isSafeInteger(cents)) return undefined;
  return negative ? -cents : cents;
}

const ISO_RE =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;
const MDY_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$/;

function validYmd(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/**
 * A timestamp to ISO-8601 UTC with milliseconds ("2023-11-30T14:20:56.353Z"). Accepts 0–9
 * fractional digits, an offset or none (read as UTC, as CRM+ means it), a bare date (midnight
 * UTC), "M/D/YYYY [h:mm[:ss] [AM|PM]]", and RFC-1123. Blanks and "Unavailable" → null.
 */
export function toIsoUtc(v: unknown): Parsed<string> {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    // Unix seconds or milliseconds.
    const ms = v < 1e11 ? v * 1000 : v;
    return new Date(ms).toISOString();
  }
  if (typeof v !== 'string') return undefined;
  const fast = fastIsoUtc(v);
  if (fast !== null) return fast;
  const s = v.trim();
  if (isBlank(s)) return null;
  let m = ISO_RE.exec(s);
  if (m) {
    const [, y, mo, d, hh, mi, ss, frac, tz] = m;
    const Y = Number(y), M = Number(mo), D = Number(d);
    if (!validYmd(Y, M, D)) return undefined;
    const H = Number(hh ?? 0), Mi = Number(mi ?? 0), S = Number(ss ?? 0);
    if (H > 23 || Mi > 59 || S > 60) return undefined;
    const ms = frac ? Number((frac + '00').slice(0, 3)) : 0;
    let t = Date.UTC(Y, M - 1, D, H, Mi, S, ms);
    if (tz && !/^(z|utc|gmt)$/i.test(tz)) {
      const sign = tz[0] === '-' ? -1 : 1;
      const digits = tz.slice(1).replace(':', '');
      const offMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
      t -= sign * offMin * 60_000;
    }
    return new Date(t).toISOString();
  }
  m = MDY_RE.exec(s);
  if (m) {
    const [, mo, d, y, hh, mi, ss, ampm] = m;
    const Y = Number(y), M = Number(mo), D = Number(d);
    if (!validYmd(Y, M, D)) return undefined;
    let H = Number(hh ?? 0);
    if (ampm) {
      const pm = /p/i.test(ampm);
      if (H === 12) H = pm ? 12 : 0;
      else if (pm) H += 12;
    }
    return new Date(Date.UTC(Y, M - 1, D, H, Number(mi ?? 0), Number(ss ?? 0))).toISOString();
  }
  // RFC-1123 and other forms that carry their own zone ("Thu, 07 Dec 2023 10:00:00 GMT").
  if (/[a-z]{3},?\s+\d{1,2}\s+[a-z]{3}\s+\d{4}/i.test(s) && /(GMT|UTC|[+-]\d{4})$/.test(s)) {
    const t = Date.parse(s);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  return undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digitsAt(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * The common shapes without a regex or a Date: "YYYY-MM-DDTHH:MM:SS" with an optional fraction
 * and "Z", "+00:00" or no offset (UTC). Anything else (other offsets, odd spacing) → null, and
 * the general parser decides. Hot: a sync reads millions of these.
 */
function fastIsoUtc(s: string): string | null {
  const n = s.length;
  if (n < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  if (!digitsAt(s, 0, 4) || !digitsAt(s, 5, 7) || !digitsAt(s, 8, 10) || !digitsAt(s, 11, 13) || !digitsAt(s, 14, 16) || !digitsAt(s, 17, 19)) return null;
  let end = n;
  if (s.endsWith('Z')) end = n - 1;
  else if (s.endsWith('+00:00')) end = n - 6;
  let frac = '000';
  if (end > 19) {
    if (s.charCodeAt(19) !== 46 || end - 20 < 1 || end - 20 > 9 || !digitsAt(s, 20, end)) return null;
    frac = (s.slice(20, Math.min(end, 23)) + '00').slice(0, 3);
  } else if (end !== 19) return null;
  const y = +s.slice(0, 4);
  const mo = +s.slice(5, 7);
  const d = +s.slice(8, 10);
  if (mo < 1 || mo > 12 || d < 1) return null;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (d > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!)) return null;
  if (+s.slice(11, 13) > 23 || +s.slice(14, 16) > 59 || +s.slice(17, 19) > 59) return null;
  return `${s.slice(0, 19)}.${frac}Z`;
}

/** A calendar date as YYYY-MM-DD: "9/4/1998", "1998-09-04", "2023-12-07T00:00:00". Blanks → null. */
export function toDateOnly(v: unknown): Parsed<string> {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') {
    const iso = toIsoUtc(v);
    return iso ? iso.slice(0, 10) : iso;
  }
  const s = v.trim();
  if (isBlank(s)) return null;
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(s);
  if (m) {
    const Y = Number(m[1]), M = Number(m[2]), D = Number(m[3]);
    if (!validYmd(Y, M, D)) return undefined;
    // A timestamp with an explicit non-UTC offset names a moment; convert it.
    if (/[T ]\d.*[+-]\d{2}:?\d{2}$/.test(s)) {
      const iso = toIsoUtc(s);
      return iso ? iso.slice(0, 10) : iso;
    }
    return `${m[1]}-${String(M).padStart(2, '0')}-${String(D).padStart(2, '0')}`;
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s.*)?$/.exec(s);
  if (m) {
    const Y = Number(m[3]), M = Number(m[1]), D = Number(m[2]);
    if (!validYmd(Y, M, D)) return undefined;
    return `${m[3]}-${String(M).padStart(2, '0')}-${String(D).padStart(2, '0')}`;
  }
  const iso = toIsoUtc(s);
  return iso ? iso.slice(0, 10) : iso;
}

/** The join key: lower(trim(email)); blanks → null. Only the key — no other rewriting. */
export function normEmail(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = v.trim().toLowerCase();
  return t === '' ? null : t;
}

// ---------------------------------------------------------------------------------------
// Key casing. CRM+ and Raise speak camelCase on the wire but the seeds (and some tooling)
// use PascalCase; VOMO is snake_case. These rewrite keys recursively, allocating only when a
// key actually needs a change, so well-formed payloads cost a scan.

function camelKey(k: string): string {
  const c = k.charCodeAt(0);
  if (!(c >= 65 && c <= 90)) return k; // does not start with A-Z
  if (k.length > 1 && k === k.toUpperCase()) return k.toLowerCase(); // "ID" → "id"
  // "URLPath" → "urlPath"; "IsPrimary" → "isPrimary"
  let i = 0;
  while (i < k.length && k.charCodeAt(i) >= 65 && k.charCodeAt(i) <= 90) i++;
  if (i <= 1) return k[0].toLowerCase() + k.slice(1);
  return k.slice(0, i - 1).toLowerCase() + k.slice(i - 1);
}

/**
 * Renames every key of a JSON value, recursively, without copying what doesn't change (this runs
 * on every record of a sync). When two spellings collide, the one already in the target form wins.
 */
function renameKeysDeep<T>(v: T, rename: (k: string) => string): T {
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const c = renameKeysDeep(v[i], rename);
      if (c !== v[i]) {
        out ??= v.slice();
        out[i] = c;
      }
    }
    return (out ?? v) as T;
  }
  if (v === null || typeof v !== 'object') return v;
  const src = v as Record<string, unknown>;
  let out: Record<string, unknown> | null = null;
  const keys = Object.keys(src);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const val = src[k];
    const nk = rename(k);
    const nv = val !== null && typeof val === 'object' ? renameKeysDeep(val, rename) : val;
    if (nk !== k || nv !== val) {
      if (!out) {
        out = {};
        for (let j = 0; j < i; j++) out[keys[j]] = src[keys[j]];
      }
    }
    if (out) {
      if (!(nk in out) || nk === k) out[nk] = nv;
    }
  }
  return (out ?? v) as T;
}

/** PascalCase (and ALLCAPS) keys → camelCase, recursively. The first spelling of a key wins. */
export function camelizeKeys<T = unknown>(v: T): T {
  return renameKeysDeep(v, camelKey);
}

function snakeKey(k: string): string {
  if (!/[A-Z]/.test(k)) return k;
  if (k === k.toUpperCase()) return k.toLowerCase();
  return k
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** camelCase / PascalCase keys → snake_case, recursively (VOMO). The first spelling wins. */
export function snakeKeys<T = unknown>(v: T): T {
  return renameKeysDeep(v, snakeKey);
}

// ---------------------------------------------------------------------------------------
// HTTP values: Retry-After, error bodies.

/** Retry-After as milliseconds: delta-seconds or an HTTP date; null when absent/unreadable. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | null {
  if (!header) return null;
  const t = header.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const at = Date.parse(t);
  if (!Number.isNaN(at)) return Math.max(0, at - now);
  return null;
}

function firstString(v: unknown): string | null {
  if (typeof v === 'string' && v.trim()) return v.trim();
  if (Array.isArray(v)) for (const x of v) {
    const s = firstString(x);
    if (s) return s;
  }
  return null;
}

/**
 * A readable message from any documented error body: canonical `{"error":{code,message,details}}`,
 * ASP.NET `{message, modelState}`, Laravel `{message, errors}`, OAuth `{error, error_description}`,
 * plain text, or nothing. Never longer than 300 characters.
 */
export function describeErrorBody(text: string | null | undefined): { message: string | null; code: string | null } {
  const body = (text ?? '').trim();
  if (!body) return { message: null, code: null };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    // Plain text (or an HTML error page: keep only its text).
    const plain = body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
    return { message: plain ? plain.slice(0, 300) : null, code: null };
  }
  if (typeof json === 'string') return { message: json.slice(0, 300), code: null };
  if (!json || typeof json !== 'object') return { message: null, code: null };
  const o = camelizeKeys(json) as Record<string, unknown>;
  const parts: string[] = [];
  let code: string | null = null;
  if (o.error && typeof o.error === 'object') {
    const e = o.error as Record<string, unknown>;
    code = typeof e.code === 'string' ? e.code : null;
    if (typeof e.message === 'string') parts.push(e.message);
    if (Array.isArray(e.details)) {
      for (const d of e.details.slice(0, 3)) {
        if (d && typeof d === 'object') {
          const dd = d as Record<string, unknown>;
          const f = typeof dd.field === 'string' ? `${dd.field}: ` : '';
          if (typeof dd.message === 'string') parts.push(f + dd.message);
        }
      }
    }
  } else if (typeof o.error === 'string') {
    code = o.error;
    parts.push(typeof o.errorDescription === 'string' ? o.errorDescription : typeof o.error_description === 'string' ? (o.error_description as string) : o.error);
  }
  if (typeof o.message === 'string') parts.push(o.message);
  for (const key of ['modelState', 'errors']) {
    const m = o[key];
    if (m && typeof m === 'object' && !Array.isArray(m)) {
      for (const [field, msgs] of Object.entries(m as Record<string, unknown>).slice(0, 3)) {
        const s = firstString(msgs);
        if (s) parts.push(`${field}: ${s}`);
      }
    } else if (Array.isArray(m)) {
      const s = firstString(m);
      if (s) parts.push(s);
    }
  }
  if (typeof o.title === 'string' && parts.length === 0) parts.push(o.title);
  const message = [...new Set(parts)].join('; ').slice(0, 300);
  return { message: message || null, code };
}

/**
 * A failed call to a remote API, with the code the steward sees and what the retry policy needs.
 * Messages name the API and say what to do; they never carry the token or a stack.
 */
export class RemoteCallError extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly status: number | null,
    /** Worth another attempt (5xx, dropped connection, timeout). */
    readonly retryable: boolean,
    /** A 429: wait this long (from Retry-After) and go on without using up a retry. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(code, message);
    this.name = 'RemoteCallError';
  }
  get rateLimited(): boolean {
    return this.status === 429;
  }
}

/** Turns a non-2xx answer into a RemoteCallError with a steward-facing message. */
export function httpFailure(label: string, status: number, bodyText: string, retryAfterHeader: string | null): RemoteCallError {
  const { message } = describeErrorBody(bodyText);
  // A server that echoes the request could put the token in its error text.
  const detail = message ? `: ${redact(message)}` : '';
  if (status === 401 || status === 403) {
    return new RemoteCallError('UNAUTHENTICATED', `${label} rejected the token: replace it in Settings → Connections (HTTP ${status}${detail})`, status, false);
  }
  if (status === 429) {
    return new RemoteCallError('RATE_LIMITED', `${label} is rate limiting Twofold (HTTP 429${detail}); try again later`, status, true, retryAfterMs(retryAfterHeader) ?? 5_000);
  }
  if (status === 404) return new RemoteCallError('NOT_FOUND', `${label} has no such record (HTTP 404${detail})`, status, false);
  if (status >= 500 || status === 408) {
    return new RemoteCallError('REMOTE_ERROR', `${label} is not working right now (HTTP ${status}${detail}); try again later`, status, true);
  }
  return new RemoteCallError('REMOTE_ERROR', `${label} refused the request (HTTP ${status}${detail})`, status, false);
}

/**
 * A 2xx whose body ended early or is not the JSON it announced: said as such, not as a dropped
 * connection, so the steward knows the server (or a proxy) cut it short. Worth another attempt.
 */
export function incompleteResponse(label: string): RemoteCallError {
  return new RemoteCallError('NETWORK', `${label} sent an incomplete response (the body was cut short or is not valid JSON); try again later`, null, true);
}

/**
 * A page whose envelope does not hold a list where the API documents one (`{"list": null}`, no
 * list at all, an object): never read as an empty page, because a full walk that believed it
 * would mark every record gone. The resource fails with this reason instead.
 */
export function malformedPage(label: string, field: string, got: unknown): RemoteCallError {
  const what = got === null ? 'null' : got === undefined ? 'missing' : Array.isArray(got) ? 'a list' : `a ${typeof got}`;
  return new RemoteCallError('REMOTE_ERROR', `${label} sent a malformed page: "${field}" is ${what}, not a list; nothing was marked deleted`, 200, false);
}

/** A fetch that threw (connection refused or dropped, DNS, a timeout). */
export function networkFailure(label: string, err: unknown, timedOut: boolean): RemoteCallError {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const why = timedOut ? 'the request timed out' : cause?.code ? `connection failed (${cause.code})` : 'the connection dropped';
  return new RemoteCallError('NETWORK', `${label} could not be reached: ${why}. Check the network and the base URL, then try again`, null, true);
}

/** A zod-style issue list as one short line for the quarantine. */
export function issuesLine(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(record)'}: ${i.message}`)
    .join('; ')
    .slice(0, 500);
}

// ---------------------------------------------------------------------------------------
// zod value schemas built on the parsers above: each accepts anything, yields the parsed
// value or null, and reports an issue (so the record is quarantined) only when a value is
// present but unreadable.

function valueSchema<T>(parse: (v: unknown) => Parsed<T>, what: string) {
  return z.unknown().optional().transform((v, ctx): T | null => {
    const r = parse(v);
    if (r === undefined) {
      ctx.addIssue({ code: 'custom', message: `unreadable ${what}: ${preview(v)}` });
      return z.NEVER;
    }
    return r;
  });
}

function preview(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

export const zv = {
  /** A required id (number or string). */
  id: z.unknown().optional().transform((v, ctx): string => {
    const r = toId(v);
    if (r === null || r === undefined) {
      ctx.addIssue({ code: 'custom', message: r === null ? 'missing id' : `unreadable id: ${preview(v)}` });
      return z.NEVER;
    }
    return r;
  }),
  optId: valueSchema(toId, 'id'),
  /** A required id the API documents as an integer (VOMO users, CRM+ contacts and gifts, Raise records). */
  intId: z.unknown().optional().transform((v, ctx): string => {
    const r = toIntId(v);
    if (r === null || r === undefined) {
      ctx.addIssue({ code: 'custom', message: r === null ? 'missing id' : toId(v) === undefined ? `unreadable id: ${preview(v)}` : `id is not a whole number: ${preview(v)}` });
      return z.NEVER;
    }
    return r;
  }),
  /** An optional reference to such an id (a gift's donorId). */
  optIntId: valueSchema(toIntId, 'id (not a whole number)'),
  text: valueSchema(toText, 'text'),
  number: valueSchema(toNumber, 'number'),
  bool: valueSchema(toBoolInt, 'boolean'),
  cents: valueSchema(moneyToCents, 'amount'),
  timestamp: valueSchema(toIsoUtc, 'timestamp'),
  date: valueSchema(toDateOnly, 'date'),
  /** A list that may be absent or null (→ []); anything else that is not an array is an issue. */
  /** Fallback fields (display copies of a value read elsewhere): unreadable → null, never an issue. */
  soft: {
    cents: z.unknown().optional().transform((v) => moneyToCents(v) ?? null),
    date: z.unknown().optional().transform((v) => toDateOnly(v) ?? null),
    timestamp: z.unknown().optional().transform((v) => toIsoUtc(v) ?? null),
    text: z.unknown().optional().transform((v) => toText(v) ?? null),
  },
  list<T extends z.ZodType>(item: T) {
    return z
      .array(item)
      .nullish()
      .transform((v) => v ?? []);
  },
};

/** A stable id for a record the API sent without one (first 16 hex of sha1 over its parts). */
export function syntheticId(...parts: unknown[]): string {
  return createHash('sha1').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}
