/**
 * The request limits a scheduled job may set for commands that call the APIs (`sync`,
 * `token test`): how long one request may take, how often a failing one is retried, and the
 * longest wait for a rate limit or budget reset. Together they bound how long a command can run
 * against a server that misbehaves, so it always ends with a verdict.
 */
import type { Command } from 'commander';
import { numberOption as number } from './options';
import type { HttpTuning } from '../sync/config';

export interface HttpOptionValues {
  timeout?: string;
  retries?: string;
  maxWait?: string;
}

export function addHttpOptions(cmd: Command): Command {
  return cmd
    .option('--timeout <seconds>', 'longest one request may take before it counts as failed (default 60)')
    .option('--retries <n>', 'retries of a request that failed with a 5xx, a timeout or a cut-short answer (default 5)')
    .option('--max-wait <seconds>', 'longest wait for a rate limit or an hourly budget to reset before giving up (default 3600)');
}

/** The HTTP tuning the options ask for (only what was given). */
export function httpTuningFrom(o: HttpOptionValues): Partial<HttpTuning> {
  const t: Partial<HttpTuning> = {};
  if (o.timeout !== undefined) t.timeoutMs = Math.round(number('--timeout', o.timeout, { min: 0.1, max: 3600 }) * 1000);
  if (o.retries !== undefined) t.retries = number('--retries', o.retries, { min: 0, max: 20, integer: true });
  if (o.maxWait !== undefined) t.maxWaitMs = Math.round(number('--max-wait', o.maxWait, { min: 0, max: 86_400 }) * 1000);
  return t;
}
