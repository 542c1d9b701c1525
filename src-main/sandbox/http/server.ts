/**
 * One simulated API on node:http: bearer auth, the API's rate limit and headers, the fault
 * profile, routing and the API's own error bodies. /__sandbox/* is the admin API (loopback
 * only, no token, never limited or faulted).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Faults, FaultKind } from './faults';
import { FixedWindow } from './rateLimit';
import type { Limit, RateDecision } from './rateLimit';
import type { Router } from './router';
import type { Req, Res } from './types';

export interface ApiErrors {
  unauthorized(): Res;
  notFound(req: Req): Res;
  methodNotAllowed(): Res;
  badJson(): Res;
  serverError(kind: '500' | '502' | '503'): Res;
  tooMany(retryAfter: number): Res;
}

export interface ApiSpec {
  name: 'vomo' | 'crm' | 'raise';
  prefix: string;
  token: () => string;
  router: Router;
  errors: ApiErrors;
  /** Which headers carry the limit on every response. */
  rateHeaders: 'crm' | 'laravel' | 'none';
}

export interface ServerShared {
  faults: Faults;
  limits: Record<'vomo' | 'crm' | 'raise', Limit | null>;
  /**
   * Resources switched off per API (admin `POST resources`): requests whose path starts with the
   * prefix get this status, as an account without the resource (404, 405, 501) or a token without
   * the permission (403) would.
   */
  unavailable: Record<'vomo' | 'crm' | 'raise', { prefix: string; status: number }[]>;
  /** The sandbox clock: answers carry it in their `Date` header, as a server in that world would. */
  now: () => number;
  admin: (req: Req) => Promise<Res>;
  /** Accepted writes, recorded so a restarted sandbox can replay them (see SandboxAction). */
  recordWrite: (api: 'vomo' | 'crm' | 'raise', method: string, path: string, body: string) => void;
}

export interface Started {
  server: Server;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const SLOW_MS = 1200;

export function startApiServer(spec: ApiSpec, shared: ServerShared, port: number, host = '127.0.0.1'): Promise<Started> {
  let window: FixedWindow | null = null;
  let windowSpec: Limit | null = null;
  const limiter = (): FixedWindow | null => {
    const s = shared.limits[spec.name];
    if (s !== windowSpec) {
      windowSpec = s;
      window = s ? new FixedWindow(s) : null;
    }
    return window;
  };

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => handle(req, res, raw))
      .catch(() => {
        if (!res.headersSent) send(res, { status: 500, json: { message: 'An error has occurred.' } });
      });
  });
  server.keepAliveTimeout = 5000;

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const r = toReq(req, url, raw);
    if (url.pathname.startsWith('/__sandbox')) {
      if (!LOOPBACK.has(r.remote)) return send(res, { status: 403, json: { message: 'The admin API answers loopback callers only.' } });
      return send(res, await shared.admin(r));
    }
    if (spec.prefix && !url.pathname.toLowerCase().startsWith(spec.prefix.toLowerCase() + '/')) return send(res, spec.errors.notFound(r));
    r.segments = url.pathname.slice(spec.prefix.length).split('/').filter(Boolean);

    const auth = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    if (!m || m[1]!.trim() !== spec.token()) return send(res, spec.errors.unauthorized());

    let extra: Record<string, string> = { Date: new Date(shared.now()).toUTCString() };
    const lim = limiter();
    if (lim) {
      const d = lim.hit();
      extra = { ...extra, ...rateHeaders(spec.rateHeaders, d) };
      if (!d.ok) {
        const tm = spec.errors.tooMany(d.retryAfter);
        return send(res, { ...tm, headers: { ...extra, ...tm.headers, 'Retry-After': String(d.retryAfter), ...(spec.rateHeaders === 'laravel' ? { 'X-RateLimit-Reset': String(d.reset) } : {}) } });
      }
    }

    const off = shared.unavailable[spec.name].find((u) => url.pathname.slice(spec.prefix.length).toLowerCase().startsWith(u.prefix.toLowerCase()));
    if (off) {
      const body = off.status === 404 ? spec.errors.notFound(r) : off.status === 405 ? spec.errors.methodNotAllowed() : { status: off.status, json: { message: off.status === 403 ? 'This action is unauthorized.' : 'Not Implemented' } };
      return send(res, { ...body, status: off.status, headers: { ...extra, ...body.headers } });
    }
    const match = spec.router.match(r);
    const isRead = req.method === 'GET' || /\/query(\/|$)/i.test(url.pathname) || /\/Find$/i.test(url.pathname);
    const fault = match && match !== 'method' ? shared.faults.next(spec.name, isRead) : null;
    if (fault && fault !== 'slow' && fault !== 'drop' && fault !== 'malformed') {
      const f = fault === '429' ? spec.errors.tooMany(1) : spec.errors.serverError(fault);
      return send(res, { ...f, headers: { ...extra, ...f.headers, ...(fault === '429' ? { 'Retry-After': '1' } : {}) } });
    }
    let out: Res;
    if (!match) out = spec.errors.notFound(r);
    else if (match === 'method') out = spec.errors.methodNotAllowed();
    else if (r.bodyError) out = spec.errors.badJson();
    else {
      r.params = match.params;
      try {
        out = await match.handler(r);
        if (!isRead && out.status < 300) shared.recordWrite(spec.name, r.method, url.pathname.slice(spec.prefix.length) + url.search, r.rawBody);
      } catch (e) {
        if (process.env.TWOFOLD_SANDBOX_DEBUG) console.error(e);
        out = spec.errors.serverError('500');
      }
    }
    out = { ...out, headers: { ...extra, ...out.headers } };
    if (fault === 'slow') await new Promise((ok) => setTimeout(ok, SLOW_MS));
    return send(res, out, fault);
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const p = (server.address() as AddressInfo).port;
      resolve({
        server,
        port: p,
        close: () =>
          new Promise<void>((ok) => {
            server.close(() => ok());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function rateHeaders(kind: ApiSpec['rateHeaders'], d: RateDecision): Record<string, string> {
  if (kind === 'crm') return { 'X-RateLimit-Limit': String(d.limit), 'X-RateLimit-Remaining': String(d.remaining), 'X-RateLimit-Reset': String(d.reset) };
  if (kind === 'laravel') return { 'X-RateLimit-Limit': String(d.limit), 'X-RateLimit-Remaining': String(d.remaining) };
  return {};
}

/** A request built from parts, for replaying recorded writes without a socket. */
export function syntheticReq(method: string, pathAndQuery: string, raw: string, origin: string): Req {
  const url = new URL(pathAndQuery, 'http://x');
  const r = toReqParts(method, url, raw, {}, origin, '127.0.0.1');
  return r;
}

function toReq(req: IncomingMessage, url: URL, raw: string): Req {
  return toReqParts((req.method ?? 'GET').toUpperCase(), url, raw, req.headers, `http://${req.headers.host ?? '127.0.0.1'}`, req.socket.remoteAddress ?? '');
}

function toReqParts(method: string, url: URL, raw: string, headers: IncomingMessage['headers'], origin: string, remote: string): Req {
  let body: unknown;
  let bodyError = false;
  if (raw.trim()) {
    try {
      body = JSON.parse(raw);
    } catch {
      bodyError = true;
    }
  }
  return { method, segments: url.pathname.split('/').filter(Boolean), params: {}, query: url.searchParams, headers, rawBody: raw, body, bodyError, origin, remote };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

function send(res: ServerResponse, r: Res, fault?: FaultKind | null): void {
  let payload: Buffer | null = null;
  let type = r.contentType;
  if (r.json !== undefined) {
    payload = Buffer.from(JSON.stringify(r.json));
    type ??= 'application/json; charset=utf-8';
  } else if (r.text !== undefined) {
    payload = Buffer.from(r.text);
    type ??= 'text/plain; charset=utf-8';
  }
  const headers: Record<string, string | number> = { ...r.headers };
  if (type) headers['Content-Type'] = type;
  if (fault === 'malformed' && payload && payload.length > 2) {
    // A page that arrives whole but is not JSON: cut in the middle of the text.
    payload = payload.subarray(0, Math.max(1, Math.floor(payload.length / 2)));
  }
  headers['Content-Length'] = payload ? payload.length : 0;
  res.writeHead(r.status, headers);
  if (fault === 'drop' && payload && payload.length > 2) {
    res.write(payload.subarray(0, Math.floor(payload.length / 2)), () => res.destroy());
    return;
  }
  res.end(payload ?? undefined);
}
