/**
 * Raise (RaiseDonors) HTTP client. Holds only the Raise token.
 *
 * Rules: `Authorization: Bearer <token>`; `/api/<Resource>/list` with PascalCase `Skip`, `Take`,
 * `SortBy`, `Descending` (booleans as "true"/"false"); envelope `{items,total}`. Rate limits
 * are undocumented: the shared Pacer (shared/pacer.ts) follows rate-limit headers if Raise ever
 * sends them, else starts at `requestsPerSecond` (5) and climbs while no 429 comes back, up to
 * the steward's ceiling; 429 → `Retry-After`, then half the rate. 5xx and dropped connections →
 * bounded jittered retries (p-retry), 401/403 → at once.
 */
import { AbortError } from 'p-retry';
import { registerSecret } from '../../core/log';
import { httpFailure, incompleteResponse, malformedPage } from '../shared/parseValues';
import { cancelled, fetchText, withRetries } from '../shared/transport';
import { retryDefaults, type RetryOptions } from '../shared/pacing';
import { Pacer, type PaceState, type RateHeaders } from '../shared/pacer';

export const RAISE_LABEL = 'Raise';

export interface RaiseClientOptions extends RetryOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Starting rate while Raise sends no rate-limit headers (default 5); 0 = no pacing unless it does. */
  requestsPerSecond?: number;
  /** Highest rate the adaptive pacing may reach (the profile's setting). */
  ceilingPerSecond?: number;
  maxConcurrent?: number;
  onWait?: (ms: number, reason: string) => void;
  onRateHeaders?: (h: RateHeaders & { observedAt: number }) => void;
}

export interface RaisePage {
  items: unknown[];
  total: number | null;
}

export class RaiseClient {
  private readonly base: string;
  private readonly token: string;
  private readonly f: typeof fetch;
  private readonly o: ReturnType<typeof retryDefaults>;
  readonly pacer: Pacer;
  calls = 0;

  constructor(private readonly opts: RaiseClientOptions) {
    // Accept a base with or without the trailing /api.
    this.base = opts.baseUrl.replace(/\/+$/, '').replace(/\/api$/i, '');
    this.token = opts.token;
    registerSecret(opts.token);
    this.f = opts.fetch ?? fetch;
    this.o = retryDefaults(opts, 600_000);
    const start = opts.requestsPerSecond ?? 5;
    this.pacer = new Pacer({
      label: RAISE_LABEL,
      startPerSecond: start > 0 && Number.isFinite(start) ? start : 0,
      ceilingPerSecond: opts.ceilingPerSecond ?? 30,
      maxConcurrent: opts.maxConcurrent ?? 4,
      maxWaitMs: this.o.maxWaitMs,
      onWait: opts.onWait,
      onHeaders: opts.onRateHeaders,
    });
  }

  close(): void {
    /* nothing is held between calls */
  }

  pace(): PaceState {
    return this.pacer.state();
  }

  /** `GET /api/{resource}/list?Skip&Take&SortBy&Descending&...extra`. */
  async list(resource: string, params: Record<string, string | number | boolean | undefined>, signal?: AbortSignal): Promise<RaisePage> {
    const url = new URL(`${this.base}/api/${resource}/list`);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, String(v));
    return readRaisePage(await this.getJson(url, signal));
  }

  async getJson(url: URL, signal?: AbortSignal): Promise<unknown> {
    return withRetries(this.o, () => this.pacer.run((sentAt) => this.once(url, sentAt, signal), signal), {
      signal,
      onRateLimited: (err) => this.pacer.rateLimited(err),
    });
  }

  private async once(url: URL, sentAt: number, signal?: AbortSignal): Promise<unknown> {
    if (signal?.aborted) throw new AbortError(cancelled());
    this.calls++;
    const { res, text } = await fetchText(this.f, url, { headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' } }, {
      timeoutMs: this.o.timeoutMs,
      label: RAISE_LABEL,
      signal,
      onResponse: (r) => this.pacer.observe(r.status, r.headers, sentAt),
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
