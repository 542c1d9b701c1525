/**
 * VOMO (Virtuous Volunteer) HTTP client. Holds only the VOMO token.
 *
 * Rules:
 * - `Authorization: Bearer <token>`; snake_case; pages by number (`?page=N`), following
 *   `links.next`. A `links.next` on another origin is never followed with the token (the page
 *   number is used against our own base URL instead).
 * - Throttled to a per-second limit with Bottleneck (`requestsPerSecond`, default 3 as the
 *   VOMO recipes do). Laravel's `X-RateLimit-Remaining: 0` or a 429 pauses every queued call
 *   for `Retry-After`; a 429 does not use up a retry.
 * - 5xx, timeouts and dropped connections → bounded jittered retries (p-retry); 401/403 → at once.
 */
import Bottleneck from 'bottleneck';
import { AbortError } from 'p-retry';
import { AppError } from '../../../src-shared/errors';
import { registerSecret } from '../../core/log';
import { httpFailure, incompleteResponse, retryAfterMs } from '../shared/parseValues';
import { cancelled, fetchText, withRetries } from '../shared/transport';
import { ConcurrencyGate, RateLimitPause, retryDefaults, type RetryOptions } from '../shared/pacing';

export const VOMO_LABEL = 'VOMO';

export interface VomoClientOptions extends RetryOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Per-second limit; Infinity (or 0) for no throttle. */
  requestsPerSecond?: number;
  maxConcurrent?: number;
  onWait?: (ms: number, reason: string) => void;
}

export class VomoClient {
  readonly base: URL;
  private readonly token: string;
  private readonly f: typeof fetch;
  private readonly limiter: Bottleneck | null;
  private readonly gate: ConcurrencyGate | null;
  private readonly o: ReturnType<typeof retryDefaults>;
  private readonly pause: RateLimitPause;
  readonly requestsPerSecond: number;
  calls = 0;
  /** Last `X-RateLimit-Remaining` seen, if the server sends it. */
  remaining: number | null = null;

  constructor(private readonly opts: VomoClientOptions) {
    this.base = new URL(opts.baseUrl.replace(/\/+$/, '') + '/');
    this.token = opts.token;
    registerSecret(opts.token);
    this.f = opts.fetch ?? fetch;
    const rps = opts.requestsPerSecond ?? 3;
    this.requestsPerSecond = rps > 0 ? rps : Infinity;
    this.o = retryDefaults(opts, 600_000);
    this.pause = new RateLimitPause(VOMO_LABEL, this.o.maxWaitMs, opts.onWait);
    const finite = Number.isFinite(this.requestsPerSecond);
    const concurrency = opts.maxConcurrent ?? (finite ? Math.max(1, Math.ceil(this.requestsPerSecond)) : 8);
    // An even spacing plus a per-second reservoir: never more than N calls in any second.
    this.limiter = finite
      ? new Bottleneck({
          maxConcurrent: concurrency,
          minTime: Math.ceil(1000 / this.requestsPerSecond),
          reservoir: Math.max(1, Math.floor(this.requestsPerSecond)),
          reservoirRefreshAmount: Math.max(1, Math.floor(this.requestsPerSecond)),
          reservoirRefreshInterval: 1000,
        })
      : null;
    this.gate = finite ? null : new ConcurrencyGate(concurrency);
  }

  close(): void {
    void this.limiter?.stop({ dropWaitingJobs: true }).catch(() => undefined);
  }

  private schedule<T>(fn: () => Promise<T>): Promise<T> {
    return this.limiter ? this.limiter.schedule(fn) : this.gate!.run(fn);
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
    return withRetries(this.o, () => this.schedule(() => this.once(u, signal)), {
      signal,
      onRateLimited: this.pause.onRateLimited(1000),
    });
  }

  private async once(u: URL, signal?: AbortSignal): Promise<unknown> {
    await this.pause.wait(signal);
    if (signal?.aborted) throw new AbortError(cancelled());
    this.calls++;
    const { res, text } = await fetchText(this.f, u, { headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' } }, {
      timeoutMs: this.o.timeoutMs,
      label: VOMO_LABEL,
      signal,
    });
    const rem = res.headers.get('x-ratelimit-remaining');
    if (rem !== null && Number.isFinite(Number(rem))) {
      this.remaining = Number(rem);
      if (this.remaining <= 0 && res.ok) {
        this.pause.extend(retryAfterMs(res.headers.get('retry-after')) ?? 1000);
      }
    }
    if (!res.ok) throw httpFailure(VOMO_LABEL, res.status, text, res.headers.get('retry-after'));
    if (!text.trim()) return null;
    try {
      return JSON.parse(text);
    } catch {
      throw incompleteResponse(VOMO_LABEL);
    }
  }
}
