/**
 * How fast a client sends, decided by what the server says (VOMO, Raise; CRM+'s hourly budget has
 * its own reservoir in crm/client.ts):
 *
 * - **Headers.** When answers carry `X-RateLimit-Limit` and `X-RateLimit-Remaining` (Laravel sends
 *   both on every response; CRM+ adds `X-RateLimit-Reset`), what is left of the window, minus a
 *   small reserve (1% of the limit, at least one request) and the requests still in flight, is
 *   spread evenly over the time left until the window resets. Laravel does not say when that is:
 *   the window is taken to be a minute (its default `throttle:api`) until the answers bound it —
 *   an answer whose count went back up means the window had reset before it was sent, one whose
 *   count went on down means it had not. A 429 pauses everything for its `Retry-After`.
 * - **No headers.** Start at the client's configured rate (what Twofold always used: 3/s for VOMO,
 *   5/s for Raise) and rise while answers come back without a 429 — by half every half second
 *   until the first 429, up to the steward's ceiling. A 429 pauses every request for its
 *   `Retry-After`, then the rate is halved and the pace the server saw when it refused is
 *   remembered: climbing again goes by a quarter a second and stops at 90% of it; only after 5,000
 *   clean answers does the client try 5% higher (a server's limit can go up too). The pace climbs
 *   only while it is what holds requests back.
 * - **Off.** Configured rate 0 and no headers: only the concurrency gate (tests, benchmarks).
 *
 * Spacing is kept from the previous send's slot: a timer that fires late is made up for by at most
 * a quarter interval, so a stall is never made up with a burst.
 */
import { AppError } from '../../../src-shared/errors';
import { retryAfterMs, type RemoteCallError } from './parseValues';
import { ConcurrencyGate } from './pacing';
import { sleep } from './transport';

/** What one answer said about the limit. */
export interface RateHeaders {
  limit: number | null;
  remaining: number | null;
  /** When the window resets (epoch ms), if the server said. */
  resetAt: number | null;
  retryAfterMs: number | null;
}

/** The rate-limit headers of an answer; null when it carries none of them. */
export function readRateHeaders(h: Headers, now = Date.now()): RateHeaders | null {
  const num = (name: string): number | null => {
    const v = h.get(name);
    if (v === null || v.trim() === '') return null;
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  };
  const limit = num('x-ratelimit-limit');
  const remaining = num('x-ratelimit-remaining');
  const reset = num('x-ratelimit-reset');
  const retry = retryAfterMs(h.get('retry-after'), now);
  if (limit === null && remaining === null && reset === null && retry === null) return null;
  // X-RateLimit-Reset is Unix seconds (CRM+, Laravel's 429); tolerate "seconds from now" too.
  const resetAt = reset === null || reset <= 0 ? null : reset > 1e9 ? reset * 1000 : now + reset * 1000;
  return { limit: limit !== null && limit > 0 ? limit : null, remaining, resetAt, retryAfterMs: retry };
}

export type PaceMode = 'headers' | 'adaptive' | 'off';

/** What the pacer knows, for estimates and the connection check. */
export interface PaceState {
  mode: PaceMode;
  /** Requests per second it paces at now (null: no pacing). */
  perSecond: number | null;
  ceilingPerSecond: number | null;
  /** The server's limit and what is left of it, when it sends them. */
  limit: number | null;
  remaining: number | null;
  /** The window the limit applies to (ms), as known or estimated. */
  windowMs: number | null;
  /** When the window resets (epoch ms), when the server said. */
  resetAt: number | null;
  /** 429s answered so far. */
  limited: number;
}

export interface PacerOptions {
  label: string;
  /** Starting rate when the server sends no headers; 0 = no pacing until headers appear. */
  startPerSecond: number;
  /** Highest rate the adaptive climb may reach (the steward's setting). */
  ceilingPerSecond: number;
  maxConcurrent: number;
  /** Longest single pause honoured (a longer Retry-After is capped). */
  maxWaitMs: number;
  /** Window assumed for headers without a reset time, until answers bound it. */
  assumedWindowMs?: number;
  /** Share of the limit kept unused (at least one request). */
  reserveShare?: number;
  onWait?: (ms: number, reason: string) => void;
  /** Every answer's rate-limit headers (for the budget shown to the steward). */
  onHeaders?: (h: RateHeaders & { observedAt: number }) => void;
}

/** Before any 429: half again every half second of clean answers (finds an unlimited server fast). */
const CLIMB_FREE = 1.5;
/** After a 429: a quarter more per second, up to 90% of the pace that drew it. */
const CLIMB_CAREFUL = 1.25;
const BELOW_FAILURE = 0.9;
/** Clean answers at the remembered edge before trying 5% higher (rarely: each try may cost a 429). */
const PROBE_AFTER = 5000;

export class Pacer {
  private readonly gate: ConcurrencyGate;
  private readonly o: Required<Omit<PacerOptions, 'onWait' | 'onHeaders'>> & Pick<PacerOptions, 'onWait' | 'onHeaders'>;
  private chain: Promise<void> = Promise.resolve();
  /**
   * The virtual send time of the last request: the next may go one interval after it. A late
   * timer is made up for by at most a quarter interval, so the pace holds under load without a burst.
   */
  private slot = 0;
  private pauseUntil = 0;
  private inflight = 0;
  private limited = 0;

  // adaptive
  private rate: number;
  private failRate: number | null = null;
  private clean = 0;
  private lastStep = Date.now();
  private lastHalved = 0;
  /** Send times of the last second or so (a ring), for the pace actually achieved. */
  private readonly sends: number[] = [];

  // headers
  private headers = false;
  private limit: number | null = null;
  private remaining: number | null = null;
  private knownResetAt: number | null = null;
  /** Bounds of the window start (send time of the request that opened it, and its answer). */
  private windowSent = 0;
  private windowAnswered = 0;
  /** Send time of the answer `remaining` came from (answers can arrive out of order). */
  private remainingSentAt = 0;
  /** The current window's opening was seen (not a window already under way at the first answer). */
  private windowSeenOpening = false;
  private windowGuess: number;
  private windowLower = 0;
  private windowUpper = Infinity;

  constructor(opts: PacerOptions) {
    this.o = { assumedWindowMs: 60_000, reserveShare: 0.01, ...opts };
    this.gate = new ConcurrencyGate(Math.max(1, opts.maxConcurrent));
    this.rate = opts.startPerSecond > 0 ? Math.min(opts.startPerSecond, opts.ceilingPerSecond > 0 ? opts.ceilingPerSecond : Infinity) : 0;
    this.windowGuess = this.o.assumedWindowMs;
  }

  state(): PaceState {
    const mode = this.mode();
    const windowMs = this.headers ? this.windowMs() : null;
    let perSecond: number | null = null;
    if (mode === 'adaptive') perSecond = this.rate;
    else if (mode === 'headers' && this.limit !== null && windowMs) perSecond = (this.limit - this.reserve()) / (windowMs / 1000);
    return {
      mode,
      perSecond: perSecond === null ? null : Math.round(perSecond * 100) / 100,
      ceilingPerSecond: this.o.ceilingPerSecond > 0 ? this.o.ceilingPerSecond : null,
      limit: this.limit,
      remaining: this.remaining,
      windowMs,
      resetAt: this.knownResetAt,
      limited: this.limited,
    };
  }

  mode(): PaceMode {
    if (this.headers) return 'headers';
    return this.rate > 0 ? 'adaptive' : 'off';
  }

  /**
   * Runs one request when its turn comes. `fn` gets the send time, to pass back to `observe`
   * with the answer's headers.
   */
  async run<T>(fn: (sentAt: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.gate.run(async () => {
      await this.turn(signal);
      const sentAt = Date.now();
      this.inflight++;
      try {
        return await fn(sentAt);
      } finally {
        this.inflight--;
      }
    });
  }

  /** One answer: its status and headers (a 429 also goes through `rateLimited`). */
  observe(status: number, h: Headers, sentAt: number): void {
    const now = Date.now();
    const rh = readRateHeaders(h, now);
    if (rh) this.o.onHeaders?.({ ...rh, observedAt: now });
    if (rh && rh.remaining !== null && (rh.limit !== null || this.limit !== null)) this.fromHeaders(rh, status, sentAt, now);
    else if (status !== 429 && status < 500 && !this.headers) this.succeeded(now);
  }

  /** A 429 (the retry hook): pause everyone for Retry-After; without headers, halve after it. */
  rateLimited(err: RemoteCallError): void {
    this.limited++;
    const wait = Math.min(err.retryAfterMs ?? 1000, this.o.maxWaitMs);
    this.pauseUntil = Math.max(this.pauseUntil, Date.now() + wait);
    if (this.headers) {
      this.remaining = 0;
      // The window runs at least until the Retry-After: it is longer than that since it opened.
      if (this.knownResetAt === null && this.windowAnswered) this.windowLower = Math.max(this.windowLower, Date.now() + wait - this.windowAnswered);
      return;
    }
    // The requests already in flight when the first 429 came back draw 429s too: one halving per episode.
    if (this.rate > 0 && Date.now() - this.lastHalved >= Math.max(1000, wait)) {
      this.lastHalved = Date.now();
      // What drew the 429 is the pace the server saw, which may be below the pace allowed.
      const drew = Math.min(this.rate, Math.max(1, this.achieved(Date.now(), Date.now() - 1000)));
      this.failRate = this.failRate === null ? drew : Math.min(this.failRate, drew);
      this.rate = Math.max(0.5, this.rate / 2);
      this.clean = 0;
      this.lastStep = this.pauseUntil;
    }
  }

  // ------------------------------------------------------------------ turns

  private turn(signal?: AbortSignal): Promise<void> {
    const p = this.chain.then(() => this.waitForSlot(signal));
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async waitForSlot(signal?: AbortSignal): Promise<void> {
    let told = false;
    for (;;) {
      if (signal?.aborted) throw new AppError('CANCELLED', 'The sync was cancelled.');
      const now = Date.now();
      const { wait: d, interval } = this.delay(now);
      if (d <= 0) {
        // A late timer is made up for by at most a quarter interval: more would let two requests
        // come closer than the pace and push a fixed window one request over its limit.
        this.slot = interval > 0 ? Math.max(this.slot + interval, now - interval / 4) : now;
        this.sends.push(now);
        if (this.sends.length > 4096) this.sends.splice(0, 2048);
        return;
      }
      if (!told && d >= 2000) {
        told = true;
        this.o.onWait?.(d, now < this.pauseUntil ? `${this.o.label} asked Twofold to slow down` : `${this.o.label}'s request limit for this window is used up; waiting for it to reset`);
      }
      // Re-decide at least every quarter second: answers in flight may change the picture.
      await sleep(Math.min(d, 250), signal);
    }
  }

  /** How long the next request waits, and the spacing it keeps from the previous one. */
  private delay(now: number): { wait: number; interval: number } {
    if (now < this.pauseUntil) return { wait: this.pauseUntil - now, interval: 0 };
    const m = this.mode();
    if (m === 'off') return { wait: 0, interval: 0 };
    if (m === 'adaptive') {
      const interval = 1000 / this.rate;
      return { wait: this.slot + interval - now, interval };
    }
    const resetAt = this.resetAt();
    const tokens = (this.remaining ?? 0) - this.inflight - this.reserve();
    if (now >= resetAt) {
      // The window should have reset: one probe at a time finds out (its answer shows the count).
      return { wait: this.inflight > 0 ? 20 : 0, interval: 0 };
    }
    if (tokens <= 0) return { wait: resetAt - now, interval: 0 };
    const interval = (resetAt - now) / tokens;
    return { wait: this.slot + interval - now, interval };
  }

  // ------------------------------------------------------------------ adaptive

  private succeeded(now: number): void {
    if (this.rate <= 0) return;
    this.clean++;
    const careful = this.failRate !== null;
    const stepMs = careful ? 1000 : 500;
    if (this.clean < Math.max(5, (this.rate * stepMs) / 1000) || now - this.lastStep < stepMs) return;
    // Climb only while the pace is what holds requests back: a faster pace that nothing uses
    // would only let a later burst through unchecked.
    if (this.achieved(now, Math.max(this.lastStep, now - 1000)) < this.rate * 0.85) return;
    const ceiling = this.o.ceilingPerSecond > 0 ? this.o.ceilingPerSecond : Infinity;
    const cap = Math.min(ceiling, this.failRate === null ? Infinity : this.failRate * BELOW_FAILURE);
    if (this.rate < cap) {
      this.rate = Math.min(cap, this.rate * (careful ? CLIMB_CAREFUL : CLIMB_FREE));
      this.lastStep = now;
      this.clean = 0;
    } else if (this.failRate !== null && this.clean >= PROBE_AFTER) {
      // Long quiet at the remembered edge: the server may allow more now.
      this.failRate *= 1.05;
      this.lastStep = now;
      this.clean = 0;
    }
  }

  /** Requests per second sent between `since` and `now`. */
  private achieved(now: number, since: number): number {
    let n = 0;
    for (let i = this.sends.length - 1; i >= 0 && this.sends[i]! > since; i--) n++;
    return now > since ? (n * 1000) / (now - since) : 0;
  }

  // ------------------------------------------------------------------ headers

  private reserve(): number {
    return this.limit === null ? 1 : Math.max(1, Math.ceil(this.limit * this.o.reserveShare));
  }

  private windowMs(): number {
    if (this.windowLower > this.windowUpper) {
      // Contradicting answers (a sliding window, clocks): start learning again.
      this.windowLower = 0;
      this.windowUpper = Infinity;
    }
    return Math.min(this.windowUpper, Math.max(this.windowLower, this.windowGuess));
  }

  private resetAt(): number {
    if (this.knownResetAt !== null) return this.knownResetAt;
    // The latest the window can reset: its opening request reached the server before its answer.
    return (this.windowAnswered || Date.now()) + this.windowMs();
  }

  private fromHeaders(rh: RateHeaders, status: number, sentAt: number, now: number): void {
    if (rh.limit !== null) this.limit = rh.limit;
    const remaining = Math.max(0, rh.remaining!);
    const first = !this.headers;
    this.headers = true;
    const newer = sentAt >= this.remainingSentAt;
    // Within a window the count only goes down (each request uses one), so a later request that
    // sees as many or more left than the one before it was counted in a new window.
    if (first || (newer && remaining >= (this.remaining ?? 0))) {
      if (!first && this.windowSeenOpening && this.knownResetAt === null) {
        // The window had reset before this request arrived: it is no longer than that.
        this.windowUpper = Math.min(this.windowUpper, now - this.windowSent);
      }
      // The first answer opened its window only if nothing had been counted in it before.
      this.windowSeenOpening = !first || (this.limit !== null && remaining >= this.limit - 1);
      this.windowSent = sentAt;
      this.windowAnswered = now;
      this.remaining = remaining;
      this.remainingSentAt = sentAt;
    } else if (newer) {
      // Same window still: it lasts longer than this request came after the window opened.
      if (this.knownResetAt === null) this.windowLower = Math.max(this.windowLower, sentAt - this.windowAnswered);
      this.remaining = remaining;
      this.remainingSentAt = sentAt;
    }
    // An older answer arriving late says nothing newer than what is known.
    if (rh.resetAt !== null) this.knownResetAt = rh.resetAt;
    else if (this.knownResetAt !== null && now >= this.knownResetAt) this.knownResetAt = null;
    if (status === 429 && rh.retryAfterMs !== null) this.pauseUntil = Math.max(this.pauseUntil, now + Math.min(rh.retryAfterMs, this.o.maxWaitMs));
  }
}
