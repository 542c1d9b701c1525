/**
 * Pacing that follows the server: a Laravel-style API that says its limit in headers is paced to
 * it without a 429; one that says nothing and answers 429 above a hidden rate is found and kept
 * to, and a 429 pauses everyone for its Retry-After, then halves the pace.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { VomoClient } from '../../src-main/connectors/vomo/client';
import { RaiseClient } from '../../src-main/connectors/raise/client';
import { readRateHeaders } from '../../src-main/connectors/shared/pacer';

interface Served {
  url: string;
  /** When each answer that was not a 429 went out (ms). */
  okAt: number[];
  limited: number;
  close(): Promise<void>;
}

/**
 * A fixed window that opens with the first request after the previous one ended (Laravel's
 * throttle, the sandbox's FixedWindow), `limit` requests per `windowMs`.
 */
async function serve(o: { limit: number; windowMs: number; laravelHeaders: boolean }): Promise<Served> {
  let start = 0;
  let used = 0;
  const okAt: number[] = [];
  let limited = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    const now = Date.now();
    if (now >= start + o.windowMs) {
      start = now;
      used = 0;
    }
    const ok = used < o.limit;
    if (ok) used++;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (o.laravelHeaders) {
      headers['X-RateLimit-Limit'] = String(o.limit);
      headers['X-RateLimit-Remaining'] = String(Math.max(0, o.limit - used));
    }
    if (!ok) {
      limited++;
      headers['Retry-After'] = String(Math.max(1, Math.ceil((start + o.windowMs - now) / 1000)));
      if (o.laravelHeaders) headers['X-RateLimit-Reset'] = String(Math.ceil((start + o.windowMs) / 1000));
      res.writeHead(429, headers);
      return res.end('{"message":"Too Many Attempts."}');
    }
    okAt.push(now);
    res.writeHead(200, headers);
    res.end(req.url?.includes('/api/') ? '{"items":[],"total":0}' : '{"data":[],"links":{"next":null},"meta":{"total":0}}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    okAt,
    get limited() {
      return limited;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Answers per second over the last `n` answers. */
function rateOfLast(okAt: number[], n: number): number {
  const last = okAt.slice(-n);
  return (last.length - 1) / ((last[last.length - 1]! - last[0]!) / 1000);
}

const open: Served[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

describe('pacing', () => {
  it('reads X-RateLimit-Limit/Remaining/Reset and Retry-After (seconds or a date)', () => {
    const now = Date.UTC(2026, 0, 1);
    const h = readRateHeaders(new Headers({ 'X-RateLimit-Limit': '600', 'X-RateLimit-Remaining': '12', 'X-RateLimit-Reset': String(now / 1000 + 30), 'Retry-After': '7' }), now);
    expect(h).toEqual({ limit: 600, remaining: 12, resetAt: now + 30_000, retryAfterMs: 7000 });
    expect(readRateHeaders(new Headers({ 'Content-Type': 'application/json' }), now)).toBeNull();
    expect(readRateHeaders(new Headers({ 'Retry-After': new Date(now + 5000).toUTCString() }), now)?.retryAfterMs).toBe(5000);
  });

  it('follows Laravel-style headers: a few hundred requests, no 429, close to the limit', async () => {
    // 60 a second; the client is told only the limit and what is left, never when the window resets.
    const s = await serve({ limit: 60, windowMs: 1000, laravelHeaders: true });
    open.push(s);
    const c = new VomoClient({ baseUrl: `${s.url}/v1`, token: 'tok-123456', requestsPerSecond: 3, ceilingPerSecond: 25, maxConcurrent: 8, minRetryDelayMs: 5, maxRetryDelayMs: 20 });
    await Promise.all(Array.from({ length: 450 }, (_, i) => c.getJson(c.url('users', { page: i + 1 }))));
    expect(s.limited).toBe(0);
    expect(c.pace().mode).toBe('headers');
    // Once the window is learned, the pace is the server's limit less the 1% reserve.
    const rate = rateOfLast(s.okAt, 200);
    expect(rate).toBeGreaterThan(60 * 0.85);
    expect(rate).toBeLessThanOrEqual(61);
  }, 60_000);

  it('without headers, climbs from its starting pace and settles near a hidden limit it learns from 429s', async () => {
    const s = await serve({ limit: 60, windowMs: 1000, laravelHeaders: false });
    open.push(s);
    const c = new RaiseClient({ baseUrl: s.url, token: 'tok-123456', requestsPerSecond: 30, ceilingPerSecond: 500, maxConcurrent: 16, minRetryDelayMs: 5, maxRetryDelayMs: 20 });
    let peak = 0;
    let afterFirst429: number | null = null;
    const calls = Array.from({ length: 600 }, async () => {
      await c.list('Donor', { Skip: 0, Take: 1 });
      const p = c.pace();
      peak = Math.max(peak, p.perSecond ?? 0);
      if (p.limited > 0 && afterFirst429 === null) afterFirst429 = p.perSecond;
    });
    await Promise.all(calls);
    expect(c.pace().mode).toBe('adaptive');
    // It went past the limit once, then halved after the Retry-After.
    expect(peak).toBeGreaterThan(60);
    expect(afterFirst429).not.toBeNull();
    expect(afterFirst429!).toBeLessThanOrEqual(peak / 2 + 1);
    // And kept close below it, with only the few 429s that taught it where the limit is.
    const rate = rateOfLast(s.okAt, 200);
    expect(rate).toBeGreaterThan(60 * 0.75);
    expect(rate).toBeLessThanOrEqual(61);
    expect(s.limited).toBeLessThanOrEqual(6);
  }, 60_000);

  it('never climbs past the ceiling the steward set', async () => {
    const s = await serve({ limit: 1000, windowMs: 1000, laravelHeaders: false });
    open.push(s);
    const c = new RaiseClient({ baseUrl: s.url, token: 'tok-123456', requestsPerSecond: 20, ceilingPerSecond: 30, maxConcurrent: 4 });
    await Promise.all(Array.from({ length: 200 }, () => c.list('Donor', { Skip: 0, Take: 1 })));
    expect(c.pace().perSecond).toBe(30);
    expect(rateOfLast(s.okAt, 60)).toBeLessThanOrEqual(31);
  }, 60_000);
});
