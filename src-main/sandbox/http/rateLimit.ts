/**
 * Fixed-window limits measured in wall time (a client's sync takes real time even though the
 * sandbox clock stands still). CRM+: 5,000 per hour per organization, so every token of the
 * org shares one window, with `X-RateLimit-Limit/Remaining/Reset` on every answer. VOMO: Laravel's
 * throttle, a per-minute window (600 a minute: the 10/s the sandbox always allowed, on average)
 * with `X-RateLimit-Limit/Remaining` on every answer and `Retry-After` + `X-RateLimit-Reset` on a
 * 429. Raise: undocumented; a per-second limit and no headers at all, so a client must find it.
 */
export type RateMode = 'real' | 'scaled' | 'off';
export interface Limit {
  limit: number;
  windowMs: number;
}
export type RateLimitsOption = RateMode | Partial<Record<'vomo' | 'crm' | 'raise', Limit | null>>;

const PRESETS: Record<RateMode, Record<'vomo' | 'crm' | 'raise', Limit | null>> = {
  real: { crm: { limit: 5000, windowMs: 3_600_000 }, vomo: { limit: 600, windowMs: 60_000 }, raise: { limit: 20, windowMs: 1000 } },
  // Reachable in a demo without waiting an hour: the CRM+ budget runs out after 100 calls a minute.
  scaled: { crm: { limit: 100, windowMs: 60_000 }, vomo: { limit: 600, windowMs: 60_000 }, raise: { limit: 20, windowMs: 1000 } },
  off: { crm: null, vomo: null, raise: null },
};

export function resolveLimits(o: RateLimitsOption | undefined): Record<'vomo' | 'crm' | 'raise', Limit | null> {
  if (o === undefined) return { ...PRESETS.real };
  if (typeof o === 'string') {
    const p = PRESETS[o];
    if (!p) throw new RangeError(`rate limits must be real, scaled or off (got ${o})`);
    return { ...p };
  }
  return { ...PRESETS.off, ...o };
}

export interface RateDecision {
  ok: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds when the window resets. */
  reset: number;
  retryAfter: number;
}

export class FixedWindow {
  private start = 0;
  private used = 0;
  constructor(public spec: Limit) {}

  hit(now = Date.now()): RateDecision {
    if (now >= this.start + this.spec.windowMs) {
      this.start = now;
      this.used = 0;
    }
    const end = this.start + this.spec.windowMs;
    const ok = this.used < this.spec.limit;
    if (ok) this.used++;
    return {
      ok,
      limit: this.spec.limit,
      remaining: Math.max(0, this.spec.limit - this.used),
      reset: Math.ceil(end / 1000),
      retryAfter: Math.max(1, Math.ceil((end - now) / 1000)),
    };
  }
}
