/**
 * How long a number of calls takes at the pace a client will keep, and that pace in words, for
 * the estimate: the server's own limit when it sends one, else the climb from the starting rate
 * to the steward's ceiling (a quarter faster each second; see connectors/shared/pacer.ts).
 */
import type { PaceState } from '../../connectors/shared/pacer';

/** Seconds per call when nothing paces (a loopback sandbox with limits off). */
const UNPACED_SECONDS_PER_CALL = 0.02;

function windowText(ms: number): string {
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? 'hour' : `${ms / 3_600_000} hours`;
  if (ms % 60_000 === 0) return ms === 60_000 ? 'minute' : `${ms / 60_000} minutes`;
  const s = Math.round(ms / 1000);
  return s === 1 ? 'second' : `${s} seconds`;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: n < 10 ? 1 : 0 });
}

export function paceEstimate(p: PaceState, calls: number | null, label: string): { seconds: number | null; text: string } {
  if (p.mode === 'headers' && p.limit !== null && p.windowMs) {
    const rate = p.perSecond ?? p.limit / (p.windowMs / 1000);
    return {
      seconds: calls === null ? null : Math.round(calls / Math.max(0.01, rate)),
      text: `${fmt(p.limit)} requests per ${windowText(p.windowMs)} (${label}'s own limit${p.remaining !== null ? `, ${fmt(p.remaining)} left` : ''})`,
    };
  }
  if (p.mode === 'adaptive' && p.perSecond) {
    const ceiling = p.ceilingPerSecond ?? p.perSecond;
    let seconds = 0;
    let left = calls ?? 0;
    let rate = p.perSecond;
    while (left > 0 && rate < ceiling) {
      left -= rate;
      rate = Math.min(ceiling, rate * 1.25);
      seconds++;
    }
    if (left > 0) seconds += left / ceiling;
    return {
      seconds: calls === null ? null : Math.round(seconds),
      text: `${fmt(p.perSecond)} requests/second rising to at most ${fmt(ceiling)} while ${label} answers without a 429 (${label} sends no limit)`,
    };
  }
  return { seconds: calls === null ? null : Math.round(calls * UNPACED_SECONDS_PER_CALL), text: 'no limit' };
}
