/**
 * VOMO (Virtuous Volunteer) HTTP client. Holds only the VOMO token.
 *
 * Rules:
 * - `Authorization: Bearer <token>`; snake_case; pages by number (`?page=N`), following
 *   `links.next`. A `links.next` on another origin is never followed with the token (the page
 *   number is used against our own base URL instead).
 * - Paced by the shared Pacer (shared/pacer.ts): to Laravel's `X-RateLimit-Limit/Remaining`
 *   when VOMO sends them, else adaptively from `requestsPerSecond` (3, as the VOMO recipes do)
 *   up to the steward's ceiling. A 429 pauses every queued call for `Retry-After` and does not
 *   use up a retry.
 * - 5xx, timeouts and dropped connections → bounded jittered retries (p-retry); 401/403 → at once.
 * - The server's clock (the `Date` header) is kept: project dates are chosen in the server's time.
 */
import { AbortError } from 'p-retry';
import { AppError } from '../../../src-shared/errors';
import { registerSecret } from '../../core/log';
import { httpFailure, incompleteResponse } from '../shared/parseValues';
import { cancelled, fetchText, withRetries } from '../shared/transport';
import { retryDefaults, type RetryOptions } from '../shared/pacing';
import { Pacer, type PaceState, type RateHeaders } from '../shared/pacer';

export const VOMO_LABEL = 'VOMO';

export interface VomoClientOptions extends RetryOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Starting rate when VOMO sends no rate-limit headers (default 3); 0 = no pacing unless it does. */
  requestsPerSecond?: number;
  /** Highest rate the adaptive pacing may reach (the profile's setting). */
  ceilingPerSecond?: number;
  maxConcurrent?: number;
  onWait?: (ms: number, reason: string) => void;
  onRateHeaders?: (h: RateHeaders & { observedAt: number }) => void;
}

export class VomoClient {
  readonly base: URL;
  private readonly token: string;
  private readonly f: typeof fetch;
  private readonly o: ReturnType<typeof retryDefaults>;
  readonly pacer: Pacer;
  calls = 0;
  /** Last `X-RateLimit-Remaining` seen, if the server sends it. */
  remaining: number | null = null;
  /** The server's clock minus ours (ms), from the last `Date` header; 0 until one is seen. */
  clockSkewMs = 0;

  constructor(private readonly opts: VomoClientOptions) {
    this.base = new URL(opts.baseUrl.replace(/\/+$/, '') + '/');
    this.token = opts.token;
    registerSecret(opts.token);
    this.f = opts.fetch ?? fetch;
    this.o = retryDefaults(opts, 600_000);
    const start = opts.requestsPerSecond ?? 3;
    this.pacer = new Pacer({
      label: VOMO_LABEL,
      startPerSecond: start > 0 && Number.isFinite(start) ? start : 0,
      ceilingPerSecond: opts.ceilingPerSecond ?? 30,
      maxConcurrent: opts.maxConcurrent ?? 8,
      maxWaitMs: this.o.maxWaitMs,
      onWait: opts.onWait,
      onHeaders: (h) => {
        if (h.remaining !== null) this.remaining = h.remaining;
        opts.onRateHeaders?.(h);
      },
    });
  }

  close(): void {
    /* nothing is held between calls */
  }

  pace(): PaceState {
    return this.pacer.state();
  }

  /** The server's time now (its `Date` header, carried forward by our clock). */
  serverNow(): Date {
    return new Date(Date.now() + this.clockSkewMs);
  }

  /** A URL under the base: `users?page=2`. */
  url(relative: string, query: Record<string, string | number | undefined> = {}): URL {
    const u = new URL(relative.replace(/^\/+/, ''), this.base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  /** True when `u` may receive our token: the base URL's origin and path prefix. */
  isOurs(u: URL): boolean {
    return u.origin === this.base.origin && u.pathname.startsWith(this.base.pathname.replace(/\/$/, ''));
  }

  async getJson(u: URL, signal?: AbortSignal): Promise<unknown> {
    if (!this.isOurs(u)) throw new AppError('INTERNAL', 'refusing to send the VOMO token to another address');
    return withRetries(this.o, () => this.pacer.run((sentAt) => this.once(u, sentAt, signal), signal), {
      signal,
      onRateLimited: (err) => this.pacer.rateLimited(err),
    });
  }

  private async once(u: URL, sentAt: number, signal?: AbortSignal): Promise<unknown> {
    if (signal?.aborted) throw new AbortError(cancelled());
    this.calls++;
    const { res, text } = await fetchText(this.f, u, { headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' } }, {
      timeoutMs: this.o.timeoutMs,
      label: VOMO_LABEL,
      signal,
      onResponse: (r) => {
        this.pacer.observe(r.status, r.headers, sentAt);
        const date = Date.parse(r.headers.get('date') ?? '');
        if (Number.isFinite(date)) this.clockSkewMs = date - Date.now();
      },
    });
    if (!res.ok) throw httpFailure(VOMO_LABEL, res.status, text, res.headers.get('retry-after'));
    if (!text.trim()) return null;
    try {
      return JSON.parse(text);
    } catch {
      throw incompleteResponse(VOMO_LABEL);
    }
  }
}
