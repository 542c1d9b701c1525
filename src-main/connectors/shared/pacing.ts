/**
 * Pacing pieces the API clients share: a concurrency gate (the Pacer's, in pacer.ts), the pause a
 * 429 (or an exhausted budget) puts on CRM+'s queue, and the retry defaults. Paging and budgets
 * stay per client.
 */
import type { RemoteCallError } from './parseValues';
import { sleep } from './transport';

/**
 * A plain concurrency gate: at most `max` calls at once, the rest queued in order. Not Bottleneck:
 * it dispatches each job through a timer and a lock (measured ~3 ms per job, ~300 jobs/s), which
 * would cap an unthrottled sync.
 */
export class ConcurrencyGate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** Until when a client holds its calls because the server asked it to slow down. */
export class RateLimitPause {
  private until = 0;

  constructor(
    private readonly label: string,
    private readonly maxWaitMs: number,
    private readonly onWait?: (ms: number, reason: string) => void,
  ) {}

  /** Hold calls for `ms` from now (capped at the client's longest wait); never shortens a pause. */
  extend(ms: number): void {
    this.until = Math.max(this.until, Date.now() + Math.min(ms, this.maxWaitMs));
  }

  /** The withRetries hook: each 429 pauses the queue for its Retry-After, else `fallbackMs`. */
  onRateLimited(fallbackMs: number): (error: RemoteCallError) => void {
    return (error) => this.extend(error.retryAfterMs ?? fallbackMs);
  }

  /** Before a call: sit out the pause, saying so. */
  async wait(signal?: AbortSignal): Promise<void> {
    const wait = this.until - Date.now();
    if (wait > 0) {
      this.onWait?.(wait, `${this.label} asked Twofold to slow down`);
      await sleep(wait, signal);
    }
  }
}

/** The request and retry options every client takes. */
export interface RetryOptions {
  /** Per-request timeout (ms). */
  timeoutMs?: number;
  /** Retries after the first attempt for 5xx / network failures. */
  retries?: number;
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Consecutive 429s tolerated for one call before giving up with RATE_LIMITED. */
  max429?: number;
  /** Longest single Retry-After or reset wait honoured (ms); longer ones are capped. */
  maxWaitMs?: number;
}

/** The retry policy with the defaults every client uses; only the longest wait differs per API. */
export function retryDefaults(opts: RetryOptions, maxWaitMs: number): Required<RetryOptions> {
  return {
    timeoutMs: opts.timeoutMs ?? 60_000,
    retries: opts.retries ?? 5,
    minRetryDelayMs: opts.minRetryDelayMs ?? 500,
    maxRetryDelayMs: opts.maxRetryDelayMs ?? 30_000,
    max429: opts.max429 ?? 30,
    maxWaitMs: opts.maxWaitMs ?? maxWaitMs,
  };
}
