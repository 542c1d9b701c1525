/**
 * Small hand-written fake servers reproducing the documented quirks of the real APIs
 * (api-shapes.md), independent of the sandbox: PascalCase CRM+ records, ids as strings,
 * money display strings, "Unavailable", 0–7 fractional digits without offset, 404 with an
 * empty body, 401 as plain text, canonical `{"error":{…}}`, `modelState`, VOMO `meta` numbers
 * as strings, `links.next` as the string "null", 429 + Retry-After, dropped connections.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'drop' }
  | { kind: 'truncate' };

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  raw?: string;
}

export interface FakeServer {
  url: string;
  port: number;
  /** Every request seen: method, path+query, parsed JSON body, auth header. */
  log: { method: string; url: string; body: unknown; auth: string | undefined }[];
  /** One-shot faults consumed by the next matching requests (in order). */
  faults: { match: RegExp; fault: Fault }[];
  close(): Promise<void>;
}

export async function startFake(
  token: string,
  handler: (req: { method: string; url: URL; body: unknown }) => FakeReply,
  opts: { unauthorized?: (res: http.ServerResponse) => void } = {},
): Promise<FakeServer> {
  const log: FakeServer['log'] = [];
  const faults: FakeServer['faults'] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let body: unknown = undefined;
      try {
        body = data ? JSON.parse(data) : undefined;
      } catch {
        body = data;
      }
      log.push({ method: req.method ?? 'GET', url: url.pathname + url.search, body, auth: req.headers.authorization });
      const fi = faults.findIndex((f) => f.match.test(url.pathname + url.search));
      if (fi >= 0) {
        const { fault } = faults.splice(fi, 1)[0];
        if (fault.kind === 'drop') {
          req.socket.destroy();
          return;
        }
        if (fault.kind === 'truncate') {
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
          res.write('{"list":[{"id":1,');
          setTimeout(() => req.socket.destroy(), 5);
          return;
        }
        res.writeHead(fault.status, fault.headers ?? {});
        res.end(fault.body ?? '');
        return;
      }
      if (req.headers.authorization !== `Bearer ${token}`) {
        if (opts.unauthorized) return opts.unauthorized(res);
        res.writeHead(401, { 'Content-Type': 'text/plain' });
        res.end('Authorization has been denied for this request.');
        return;
      }
      const r = handler({ method: req.method ?? 'GET', url, body });
      const text = r.raw ?? (r.body === undefined ? '' : JSON.stringify(r.body));
      res.writeHead(r.status ?? 200, { 'Content-Type': 'application/json; charset=utf-8', ...(r.headers ?? {}) });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

// ------------------------------------------------------------------------------------ CRM+

export interface FakeContact {
  id: number;
  modifiedMs: number;
  email: string;
  firstName: string;
  lastName: string;
  lifeToDateCents: number;
  lastGiftDay: string | null; // M/D/YYYY or null → "Unavailable"
  pascal?: boolean;
  stringId?: boolean;
  malformed?: boolean;
  fracDigits?: number;
}

function pad(n: number, w = 2) {
  return String(n).padStart(w, '0');
}

/** Offset-less timestamp with 0–7 fractional digits, as CRM+ writes them. */
export function crmTs(ms: number, digits = 3): string {
  const d = new Date(ms);
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  if (digits === 0) return base;
  const frac = (pad(d.getUTCMilliseconds(), 3) + '1234').slice(0, digits);
  return `${base}.${frac}`;
}

export function money(cents: number): string {
  if (cents === 0) return '$0';
  return '$' + Math.floor(cents / 100).toLocaleString('en-US') + '.' + pad(cents % 100);
}

export function contactJson(c: FakeContact): Record<string, unknown> {
  const ind = {
    id: c.id * 10,
    contactId: c.id,
    firstName: c.firstName,
    lastName: c.lastName,
    isPrimary: true,
    birthDate: '9/4/1998',
    contactMethods: [
      { id: c.id * 100, type: 'Home Email', value: ` ${c.email} `, isOptedIn: true, isPrimary: true },
      { type: 'Mobile Phone', value: '(555) 123-4567', isPrimary: true },
    ],
    unknownField: { nested: true },
  };
  const obj: Record<string, unknown> = {
    id: c.stringId ? String(c.id) : c.id,
    contactType: 'Household',
    name: `${c.firstName} ${c.lastName}`,
    address: { address1: '1 Main St', city: 'Springfield', state: 'IL', postal: '62701', country: 'US' },
    lifeToDateGiving: money(c.lifeToDateCents),
    yearToDateGiving: '$0',
    lastGiftAmount: '$25.00',
    lastGiftDate: c.lastGiftDay ?? 'Unavailable',
    createDateTimeUtc: crmTs(c.modifiedMs - 86_400_000, c.fracDigits ?? 7),
    modifiedDateTimeUtc: crmTs(c.modifiedMs, c.fracDigits ?? 3),
    contactIndividuals: [ind],
    contactReferences: [{ source: 'Raise', id: `R${c.id}` }],
    tags: ['a'],
  };
  if (c.malformed) obj.contactIndividuals = 'not-a-list';
  if (c.pascal) return pascalize(obj) as Record<string, unknown>;
  return obj;
}

function pascalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pascalize);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k[0].toUpperCase() + k.slice(1), pascalize(x)]));
  }
  return v;
}

export interface FakeCrmOptions {
  token: string;
  contacts: FakeContact[];
  gifts?: { id: number; contactId: number; amount: number; modifiedMs: number; giftDay: string }[];
  rateLimit?: { limit: number; remaining: () => number; reset: () => number };
}

export async function startFakeCrm(o: FakeCrmOptions): Promise<FakeServer & { state: FakeCrmOptions }> {
  const s = await startFake(o.token, ({ method, url, body }) => {
    const headers: Record<string, string> = {};
    if (o.rateLimit) {
      headers['X-RateLimit-Limit'] = String(o.rateLimit.limit);
      headers['X-RateLimit-Remaining'] = String(o.rateLimit.remaining());
      headers['X-RateLimit-Reset'] = String(o.rateLimit.reset());
    }
    if (method === 'GET' && url.pathname === '/api/Organization') return { headers, body: { id: 1, name: 'Fake Org' } };
    if (method === 'GET' && /^\/api\/Contact\/\d+$/.test(url.pathname)) return { status: 404, headers, raw: '' };
    if (method === 'POST' && (url.pathname === '/api/Contact/Query/FullContact' || url.pathname === '/api/Gift/Query/FullGift')) {
      const b = (body ?? {}) as { groups?: { conditions?: { parameter: string; operator: string; value: string }[] }[]; sortBy?: string; descending?: boolean };
      const byId = /^id$/i.test(b.sortBy ?? '');
      const order = <T extends { id: number; modifiedMs: number }>(xs: T[]) => {
        const sorted = xs.sort((a, c) => (byId ? a.id - c.id : a.modifiedMs - c.modifiedMs || a.id - c.id));
        return b.descending ? sorted.reverse() : sorted;
      };
      if (!b || typeof b !== 'object') return { status: 400, headers, body: { message: 'The argument cannot be null' } };
      const cond = b.groups?.[0]?.conditions?.[0];
      let sinceMs = -Infinity;
      if (cond) {
        if (cond.parameter !== 'Last Modified Date') {
          return { status: 400, headers, body: { message: 'The request is invalid.', modelState: { 'query.parameter': [`unknown parameter ${cond.parameter}`] } } };
        }
        sinceMs = Date.parse(/T/.test(cond.value) ? cond.value + 'Z' : cond.value + 'T00:00:00Z');
      }
      const skip = Number(url.searchParams.get('skip') ?? 0);
      const take = Math.min(1000, Number(url.searchParams.get('take') ?? 10));
      if (url.pathname.includes('Gift')) {
        const all = order((o.gifts ?? []).filter((g) => g.modifiedMs >= sinceMs));
        const list = all.slice(skip, skip + take).map((g) => ({
          id: g.id,
          contactId: g.contactId,
          transactionSource: 'Raise',
          transactionId: `T${g.id}`,
          giftType: 'Cash',
          giftDate: `${g.giftDay}T00:00:00`,
          giftDateFormatted: '1/1/2020',
          amount: g.amount,
          amountFormatted: '$x',
          modifiedDateTimeUtc: crmTs(g.modifiedMs),
        }));
        return { headers, body: { list, total: all.length } };
      }
      const all = order(o.contacts.filter((c) => c.modifiedMs >= sinceMs));
      return { headers, body: { list: all.slice(skip, skip + take).map(contactJson), total: all.length } };
    }
    return { status: 404, headers, raw: '' };
  });
  return Object.assign(s, { state: o });
}

// ------------------------------------------------------------------------------------ VOMO

export interface FakeUser {
  id: number;
  email: string;
  updatedMs: number;
  participations: Record<string, unknown>[];
  malformed?: boolean;
  deleted?: boolean;
}

export function vomoTs(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
}

export async function startFakeVomo(o: { token: string; users: FakeUser[]; pageSize: number }): Promise<FakeServer & { state: typeof o }> {
  let base = '';
  const s = await startFake(
    o.token,
    ({ url }) => {
      const m = /^\/v1\/users\/(\d+)$/.exec(url.pathname);
      if (m) {
        const u = o.users.find((x) => x.id === Number(m[1]) && !x.deleted);
        if (!u) return { status: 404, raw: '' };
        return { body: { data: { ...userJson(u), participations: u.participations, profile_field_values: [] } } };
      }
      if (url.pathname === '/v1/users') {
        const after = url.searchParams.get('updated_after');
        const afterMs = after ? Date.parse(after) : -Infinity;
        const all = o.users.filter((u) => !u.deleted && u.updatedMs > afterMs).sort((a, b) => a.id - b.id);
        const page = Number(url.searchParams.get('page') ?? 1);
        const last = Math.max(1, Math.ceil(all.length / o.pageSize));
        const data = all.slice((page - 1) * o.pageSize, page * o.pageSize).map(userJson);
        const q = after ? `&updated_after=${encodeURIComponent(after)}` : '';
        return {
          body: {
            data,
            links: {
              first: `${base}/v1/users?page=1${q}`,
              last: `${base}/v1/users?page=${last}${q}`,
              prev: page > 1 ? `${base}/v1/users?page=${page - 1}${q}` : 'null',
              next: page < last ? `${base}/v1/users?page=${page + 1}${q}` : 'null',
            },
            meta: { current_page: String(page), from: '1', to: String(data.length), path: `${base}/v1/users`, per_page: String(o.pageSize), total: String(all.length), last_page: String(last) },
          },
        };
      }
      return { status: 404, body: { message: 'Not found.' } };
    },
    {
      unauthorized: (res) => {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: 'Unauthenticated.' }));
      },
    },
  );
  base = s.url;
  return Object.assign(s, { state: o });
}

function userJson(u: FakeUser): Record<string, unknown> {
  if (u.malformed) return { id: { bad: true }, email: 42 };
  return {
    type: 'user',
    id: u.id % 2 ? String(u.id) : u.id,
    first_name: `First${u.id}`,
    last_name: `Last${u.id}`,
    full_name: `First${u.id} Last${u.id}`,
    email: u.email,
    phone: '+15551234567',
    birthday: '1990-01-02',
    gender: 'F',
    created_at: vomoTs(u.updatedMs - 1000),
    updated_at: vomoTs(u.updatedMs),
    user_status: 'VERIFIED',
    membership_status: 'ACCEPTED',
    membership_role: 'VOLUNTEER',
    extra_field: 1,
  };
}

// ------------------------------------------------------------------------------------ Raise

export interface FakeRaiseRecord {
  id: number;
  modifiedMs: number;
  body: Record<string, unknown>;
}

export async function startFakeRaise(o: {
  token: string;
  data: Record<'Donor' | 'Gift' | 'RecurringGift' | 'Campaign', FakeRaiseRecord[]>;
  sinceParam: string | null;
  /** Resources this account does not offer (404, 405, 501) or this token may not read (403), every time. */
  refuse?: Partial<Record<'Donor' | 'Gift' | 'RecurringGift' | 'Campaign', number>>;
}): Promise<FakeServer & { state: typeof o }> {
  const s = await startFake(o.token, ({ url }) => {
    const m = /^\/api\/(Donor|Gift|RecurringGift|Campaign)\/list$/.exec(url.pathname);
    if (!m) return { status: 404, body: { error: { code: 'NOT_FOUND', message: 'No such route', details: [] } } };
    const refused = o.refuse?.[m[1] as keyof typeof o.data];
    if (refused) return { status: refused, raw: refused === 403 ? '{"error":{"code":"FORBIDDEN","message":"Forbidden","details":[]}}' : '' };
    if (url.searchParams.has('skip') || url.searchParams.has('take')) {
      return { status: 400, body: { error: { code: 'BAD_REQUEST', message: 'lowercase skip/take are not recognized', details: [{ field: 'skip', code: 'UNKNOWN', message: 'use Skip' }] } } };
    }
    const since = o.sinceParam ? url.searchParams.get(o.sinceParam) : null;
    const sinceMs = since ? Date.parse(since) : -Infinity;
    const all = o.data[m[1] as keyof typeof o.data].filter((r) => r.modifiedMs >= sinceMs).sort((a, b) => a.id - b.id);
    const skip = Number(url.searchParams.get('Skip') ?? 0);
    const take = Number(url.searchParams.get('Take') ?? 25);
    return { body: { items: all.slice(skip, skip + take).map((r) => r.body), total: all.length } };
  });
  return Object.assign(s, { state: o });
}
