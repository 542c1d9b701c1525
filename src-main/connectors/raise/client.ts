/**
 * Raise (RaiseDonors) HTTP client. Holds only the Raise token.
 *
 * Rules: `Authorization: Bearer <token>`; `/api/<Resource>/list` with PascalCase `Skip`, `Take`,
 * `SortBy`, `Descending` (booleans as "true"/"false"); envelope `{items,total}`. Rate limits
 * are undocumented: a modest Bottleneck spacing, 429 → `Retry-After`, 5xx and dropped
 * connections → bounded jittered retries (p-retry), 401/403 → at once.
 */
import Bottleneck from 'bottleneck';
import { AbortError } from 'p-retry';
import { registerSecret } from '../../core/log';
import { httpFailure, incompleteResponse, malformedPage } from '../shared/parseValues';
import { cancelled, fetchText, withRetries } from '../shared/transport';
import { ConcurrencyGate, RateLimitPause, retryDefaults, type RetryOptions } from '../shared/pacing';

export const RAISE_LABEL = 'Raise';

export interface RaiseClientOptions extends RetryOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  requestsPerSecond?: number;
  maxConcurrent?: number;
  onWait?: (ms: number, reason: string) => void;
}

export interface RaisePage {
  items: unknown[];
  total: number | null;
}

export class RaiseClient {
  private readonly base: string;
  private readonly token: string;
  private readonly f: typeof fetch;
  private readonly limiter: Bottleneck | null;
  private readonly gate: ConcurrencyGate | null;
  private readonly o: ReturnType<typeof retryDefaults>;
  private readonly pause: RateLimitPause;
  readonly requestsPerSecond: number;
  calls = 0;

  constructor(private readonly opts: RaiseClientOptions) {
    // Accept a base with or without the trailing /api.
    this.base = opts.baseUrl.replace(/\/+$/, '').replace(/\/api$/i, '');
    this.token = opts.token;
    registerSecret(opts.token);
    this.f = opts.fetch ?? fetch;
    const rps = opts.requestsPerSecond ?? 5;
    this.requestsPerSecond = rps > 0 ? rps : Infinity;
    const finite = Number.isFinite(this.requestsPerSecond);
    this.o = retryDefaults(opts, 600_000);
    this.pause = new RateLimitPause(RAISE_LABEL, this.o.maxWaitMs, opts.onWait);
    this.limiter = finite ? new Bottleneck({ maxConcurrent: opts.maxConcurrent ?? 2, minTime: Math.ceil(1000 / this.requestsPerSecond) }) : null;
    this.gate = finite ? null : new ConcurrencyGate(opts.maxConcurrent ?? 2);
  }

  close(): void {
    void this.limiter?.stop({ dropWaitingJobs: true }).catch(() => undefined);
  }

  private schedule<T>(fn: () => Promise<T>): Promise<T> {
    return this.limiter ? this.limiter.schedule(fn) : this.gate!.run(fn);
  }

  /** `GET /api/{resource}/list?Skip&Take&SortBy&Descending&...extra`. */
  async list(resource: string, params: Record<string, string | number | boolean | undefined>, signal?: AbortSignal): Promise<RaisePage> {
    const url = new URL(`${this.base}/api/${resource}/list`);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, String(v));
    return readRaisePage(await this.getJson(url, signal));
  }

  async getJson(url: URL, signal?: AbortSignal): Promise<unknown> {
    return withRetries(this.o, () => this.schedule(() => this.once(url, signal)), {
      signal,
      onRateLimited: this.pause.onRateLimited(1000),
    });
  }

  private async once(url: URL, signal?: AbortSignal): Promise<unknown> {
    await this.pause.wait(signal);
    if (signal?.aborted) throw new AbortError(cancelled());
    this.calls++;
    const { res, text } = await fetchText(this.f, url, { headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' } }, {
      timeoutMs: this.o.timeoutMs,
      label: RAISE_LABEL,
      signal,
    });
    if (!res.ok) throw httpFailure(RAISE_LABEL, res.status, text, res.headers.get('retry-after'));
    if (!text.trim()) return null;
    try {
      return JSON.parse(text);
    } catch {
      throw incompleteResponse(RAISE_LABEL);
    }
  }
}

/**
 * `{items,total}` (either casing); `{list,total}` or a bare array tolerated. Items that are null,
 * missing or not an array make a malformed page, never an empty one.
 */
export function readRaisePage(json: unknown): RaisePage {
  if (Array.isArray(json)) return { items: json, total: json.length };
  if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    const key = ['items', 'Items', 'list', 'List', 'data'].find((k) => k in o) ?? 'items';
    const items = o[key];
    const t = o.total ?? o.Total ?? o.totalCount ?? o.TotalCount;
    const total = typeof t === 'number' ? t : typeof t === 'string' && /^\d+$/.test(t.trim()) ? Number(t) : null;
    if (Array.isArray(items)) return { items, total };
    throw malformedPage(RAISE_LABEL, key, items);
  }
  throw malformedPage(RAISE_LABEL, 'items', json);
}
