/**
 * CRM+ (Virtuous CRM) HTTP client. Holds only the CRM+ token.
 *
 * Rules:
 * - `Authorization: Bearer <token>`; JSON bodies camelCase; skip/take in the query string.
 * - The hourly budget (5,000 requests per organization, shared with every other integration)
 *   is read from `X-RateLimit-Limit/Remaining/Reset` on every answer and enforced with a
 *   Bottleneck reservoir: when what is left falls to the reserve kept for other integrations
 *   (`reserve`, at most 5% of the limit the server reports, at least one request), calls wait
 *   for the reset. Without headers the client counts its own calls per hour.
 * - 429 → wait `Retry-After` (every queued call waits too), then go on; it does not use up a
 *   retry. 5xx, timeouts and dropped connections → bounded retries with jittered exponential
 *   backoff (p-retry). 401/403 → UNAUTHENTICATED at once.
 * - The token never appears in a message, a log line or a returned value.
 */
import Bottleneck from 'bottleneck';
import { AbortError } from 'p-retry';
import { AppError } from '../../../src-shared/errors';
import { registerSecret } from '../../core/log';
import { httpFailure, incompleteResponse, malformedPage } from '../shared/parseValues';
import { cancelled, fetchText, withRetries } from '../shared/transport';
import { RateLimitPause, retryDefaults, type RetryOptions } from '../shared/pacing';

export const CRM_LABEL = 'CRM+';

export interface CrmBudget {
  limit: number | null;
  remaining: number | null;
  /** ISO time the server says the window resets. */
  resetAt: string | null;
}

export interface CrmClientOptions extends RetryOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  maxConcurrent?: number;
  /** Requests per hour when the server sends no X-RateLimit headers. */
  hourlyLimit?: number;
  /** Requests left untouched for the organization's other integrations (capped at 5% of the limit). */
  reserve?: number;
  /** Told whenever the client waits for the budget or a Retry-After (for progress). */
  onWait?: (ms: number, reason: string) => void;
  /** Told whenever the server reports its budget. */
  onBudget?: (b: CrmBudget) => void;
}

export interface CrmPage {
  list: unknown[];
  total: number | null;
}



export class CrmClient {
  private readonly base: string;
  private readonly token: string;
  private readonly f: typeof fetch;
  private readonly limiter: Bottleneck;
  private readonly o: Required<Omit<CrmClientOptions, 'fetch' | 'onWait' | 'onBudget' | 'baseUrl' | 'token'>>;
  private readonly pause: RateLimitPause;
  private budget: CrmBudget = { limit: null, remaining: null, resetAt: null };
  private refillTimer: NodeJS.Timeout | null = null;
  private sawHeaders = false;
  /** Set when the budget is spent beyond the longest wait: every further call fails with it. */
  private exhausted: AppError | null = null;
  private spentProbes = 0;
  /** Calls made, for estimates and the run summary. */
  calls = 0;

  constructor(private readonly opts: CrmClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.token = opts.token;
    registerSecret(opts.token);
    this.f = opts.fetch ?? fetch;
    this.o = {
      ...retryDefaults(opts, 3_600_000),
      maxConcurrent: opts.maxConcurrent ?? 2,
      hourlyLimit: opts.hourlyLimit ?? 5000,
      reserve: opts.reserve ?? 50,
    };
    this.pause = new RateLimitPause(CRM_LABEL, this.o.maxWaitMs, opts.onWait);
    // Until the server reports its budget, count our own calls against the documented hourly limit.
    const own = Math.max(1, this.o.hourlyLimit - this.o.reserve);
    this.limiter = new Bottleneck({
      maxConcurrent: this.o.maxConcurrent,
      reservoir: own,
      reservoirRefreshAmount: own,
      reservoirRefreshInterval: 3_600_000,
    });
  }

  /** What the server last said about the hourly budget. */
  budgetSnapshot(): CrmBudget {
    return { ...this.budget };
  }

  close(): void {
    if (this.refillTimer) clearTimeout(this.refillTimer);
    this.refillTimer = null;
    void this.limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
  }

  // ---------------------------------------------------------------- high level

  /** `POST /api/Contact/Query/FullContact?skip&take` with a query body: full Contact objects. */
  queryFullContacts(body: unknown, skip: number, take: number, signal?: AbortSignal): Promise<CrmPage> {
    return this.page('POST', '/api/Contact/Query/FullContact', { skip, take }, body, signal);
  }

  /** `POST /api/Gift/Query/FullGift?skip&take`: full Gift objects. */
  queryFullGifts(body: unknown, skip: number, take: number, signal?: AbortSignal): Promise<CrmPage> {
    return this.page('POST', '/api/Gift/Query/FullGift', { skip, take }, body, signal);
  }

  /** The credential check the official node uses. */
  async organization(signal?: AbortSignal): Promise<unknown> {
    return (await this.request('GET', '/api/Organization', {}, undefined, signal)).json;
  }

  private async page(method: string, path: string, query: Record<string, string | number>, body: unknown, signal?: AbortSignal): Promise<CrmPage> {
    const { json } = await this.request(method, path, query, body, signal);
    return readPage(json);
  }

  // ---------------------------------------------------------------- transport

  async request(
    method: string,
    path: string,
    query: Record<string, string | number | undefined>,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<{ json: unknown; status: number }> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return withRetries(this.o, () => this.limiter.schedule(() => this.once(method, url, body, signal)), {
      signal,
      onRateLimited: this.pause.onRateLimited(5_000),
    });
  }

  private async once(method: string, url: URL, body: unknown, signal?: AbortSignal): Promise<{ json: unknown; status: number }> {
    await this.pause.wait(signal);
    if (signal?.aborted) throw new AbortError(cancelled());
    if (this.exhausted) throw new AbortError(this.exhausted);
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    this.calls++;
    const { res, text } = await fetchText(this.f, url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }, {
      timeoutMs: this.o.timeoutMs,
      label: CRM_LABEL,
      signal,
      onResponse: (r) => this.readBudget(r.headers),
    });
    if (!res.ok) throw httpFailure(CRM_LABEL, res.status, text, res.headers.get('retry-after'));
    if (!text.trim()) return { json: null, status: res.status };
    try {
      return { json: JSON.parse(text), status: res.status };
    } catch {
      throw incompleteResponse(CRM_LABEL);
    }
  }

  private readBudget(h: Headers): void {
    const remaining = h.get('x-ratelimit-remaining');
    if (remaining === null) return;
    const rem = Number(remaining);
    if (!Number.isFinite(rem)) return;
    const lim = Number(h.get('x-ratelimit-limit'));
    const reset = Number(h.get('x-ratelimit-reset'));
    // X-RateLimit-Reset is Unix seconds (docs); tolerate "seconds from now" too.
    let resetMs: number | null = null;
    if (Number.isFinite(reset) && reset > 0) resetMs = reset > 1e9 ? reset * 1000 : Date.now() + reset * 1000;
    this.budget = {
      limit: Number.isFinite(lim) && lim > 0 ? lim : this.budget.limit,
      remaining: rem,
      resetAt: resetMs ? new Date(resetMs).toISOString() : this.budget.resetAt,
    };
    if (!this.sawHeaders) {
      this.sawHeaders = true;
      // The server keeps the count now; stop counting our own.
      this.limiter.updateSettings({ reservoirRefreshInterval: null, reservoirRefreshAmount: null });
    }
    const usable = Math.max(0, rem - this.reserve());
    this.opts.onBudget?.(this.budgetSnapshot());
    if (this.exhausted) return;
    if (usable > 0) this.spentProbes = 0;
    this.limiter.updateSettings({ reservoir: usable });
    if (usable === 0) this.budgetSpent(resetMs, rem);
  }

  /**
   * What is kept for other integrations: the configured reserve, never more than 5% of the limit
   * the server reports (50 of a 5,000 hourly budget is 1%; on a small window the same 50 would
   * keep half of it idle).
   */
  reserve(): number {
    const limit = this.budget.limit;
    return limit === null ? this.o.reserve : Math.min(this.o.reserve, Math.max(1, Math.ceil(limit * 0.05)));
  }

  /**
   * The budget is down to the reserve. Wait for the reset when it comes within the longest wait
   * allowed (`maxWaitMs`), then probe with one call; if the reset is further away, or the server
   * still reports nothing left after two waits, give up with a reason instead of waiting on
   * (a scheduled job must end with a verdict, not hang or exit silently).
   */
  private budgetSpent(resetMs: number | null, remaining: number): void {
    if (this.refillTimer) return;
    const untilReset = (resetMs ?? Date.now() + 60_000) - Date.now() + 500;
    this.spentProbes++;
    if (untilReset > this.o.maxWaitMs || this.spentProbes > 2) {
      const at = resetMs ? new Date(resetMs).toISOString().replace(/\.\d{3}Z$/, 'Z') : 'within the hour';
      this.exhausted = new AppError(
        'RATE_LIMITED',
        `${CRM_LABEL}'s hourly request budget is used up (${remaining.toLocaleString('en-US')} left, ${this.reserve().toLocaleString('en-US')} kept for the organization's other integrations); it resets at ${at}: sync again after that`,
      );
      // Release every queued call: each fails at once with this reason instead of waiting.
      this.limiter.updateSettings({ reservoir: null });
      return;
    }
    const wait = Math.max(1000, untilReset);
    this.opts.onWait?.(wait, `${CRM_LABEL} hourly budget used up (other integrations share it); waiting for the reset`);
    // A referenced timer on purpose: this wait is the work still pending, and the process must live for it.
    this.refillTimer = setTimeout(() => {
      this.refillTimer = null;
      // One probe call; its answer sets the real reservoir.
      this.limiter.updateSettings({ reservoir: 1 });
    }, wait);
  }
}

/**
 * `{list,total}` (either casing), a bare array, or `{items,total}` from a proxy. An empty result is
 * `{"list":[],"total":0}` (api-shapes.md §2); a list that is null, missing or not an array is a
 * malformed page, never an empty one.
 */
export function readPage(json: unknown): CrmPage {
  if (Array.isArray(json)) return { list: json, total: json.length };
  if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    const key = ['list', 'List', 'items', 'Items', 'data'].find((k) => k in o) ?? 'list';
    const list = o[key];
    const totalRaw = o.total ?? o.Total ?? o.totalCount ?? o.TotalCount;
    const total = typeof totalRaw === 'number' ? totalRaw : typeof totalRaw === 'string' && /^\d+$/.test(totalRaw.trim()) ? Number(totalRaw) : null;
    if (Array.isArray(list)) return { list, total };
    throw malformedPage(CRM_LABEL, key, list);
  }
  throw malformedPage(CRM_LABEL, 'list', json);
}
