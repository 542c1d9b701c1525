/**
 * What the three API clients share below their paging: one HTTP call with a timeout and the
 * run's cancel signal, an abortable sleep, and the retry policy (p-retry: jittered exponential
 * backoff for 5xx, timeouts and dropped connections; a 429 waits its Retry-After without using
 * up a retry, up to a limit). Paging stays in each client on purpose: the APIs page differently.
 */
import pRetry, { AbortError } from 'p-retry';
import { AppError } from '../../../src-shared/errors';
import { RemoteCallError, incompleteResponse, networkFailure } from './parseValues';

export function cancelled(): AppError {
  return new AppError('CANCELLED', 'The sync was cancelled.');
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const t = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(t);
      reject(cancelled());
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * One request, read to the end. One controller per call, aborted by the run's signal or the
 * timeout (cheaper than AbortSignal.timeout + AbortSignal.any at tens of thousands of calls).
 * A cancel surfaces as p-retry's AbortError (no retry); a network failure as a retryable error.
 */
export async function fetchText(
  f: typeof fetch,
  url: URL,
  init: RequestInit,
  o: { timeoutMs: number; label: string; signal?: AbortSignal; onResponse?: (res: Response) => void },
): Promise<{ res: Response; text: string }> {
  const ctl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, o.timeoutMs);
  const onAbort = () => ctl.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let headersIn = false;
  try {
    const res = await f(url, { ...init, signal: ctl.signal });
    headersIn = true;
    o.onResponse?.(res);
    return { res, text: await res.text() };
  } catch (err) {
    if (o.signal?.aborted) throw new AbortError(cancelled());
    // The answer began but its body never arrived whole: the server sent an incomplete response.
    if (headersIn && !timedOut) throw incompleteResponse(o.label);
    throw networkFailure(o.label, err, timedOut);
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

export interface RetryPolicy {
  retries: number;
  minRetryDelayMs: number;
  maxRetryDelayMs: number;
  /** Consecutive 429s tolerated for one call before giving up with RATE_LIMITED. */
  max429: number;
}

/**
 * Runs `attempt` under the retry policy. `onRateLimited` hears each 429 (the client pauses its
 * queue for the Retry-After); it may be async, and p-retry waits for it before the next attempt.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: () => Promise<T>,
  o: { signal?: AbortSignal; onRateLimited?: (error: RemoteCallError, consecutive: number) => void | Promise<void> },
): Promise<T> {
  let consecutive429 = 0;
  try {
    return await pRetry(
      async () => {
        if (o.signal?.aborted) throw new AbortError(cancelled());
        return attempt();
      },
      {
        retries: policy.retries,
        factor: 2,
        minTimeout: policy.minRetryDelayMs,
        maxTimeout: policy.maxRetryDelayMs,
        randomize: true,
        // Never unref: a CLI run whose only pending work is this wait must stay alive for it
        // (an unref'd wait let the process exit 0 mid-retry, printing nothing).
        signal: o.signal,
        onFailedAttempt: async ({ error }) => {
          if (error instanceof RemoteCallError && error.rateLimited) {
            consecutive429++;
            if (consecutive429 > policy.max429) return;
            await o.onRateLimited?.(error, consecutive429);
          }
        },
        shouldConsumeRetry: ({ error }) => !(error instanceof RemoteCallError && error.rateLimited && consecutive429 <= policy.max429),
        shouldRetry: ({ error }) => error instanceof RemoteCallError && error.retryable && !(error.rateLimited && consecutive429 > policy.max429),
      },
    );
  } catch (err) {
    if (o.signal?.aborted) throw cancelled();
    if (err instanceof RemoteCallError && err.retryable && !err.rateLimited) {
      throw new RemoteCallError(err.code, `${err.message} (gave up after ${policy.retries + 1} attempts)`, err.status, false);
    }
    throw err;
  }
}
