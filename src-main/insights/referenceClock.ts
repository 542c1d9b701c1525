/**
 * The default reference day of a profile's windows: today for a real organization; for a
 * sandbox profile, the sandbox's own clock (its data is generated around that clock, not the
 * wall clock, so "365 days ago" must be counted from it). An explicit asOf always wins.
 */
import type { SandboxClock } from '../sandboxRuntime/clock';

export async function defaultAsOf(clock: SandboxClock, profileId: number, asOf?: string): Promise<string | undefined> {
  if (asOf) return asOf;
  // A sandbox whose servers are not running says nothing: fall back to today.
  const now = await clock.sandboxNow(profileId, { start: false });
  return now?.toISOString();
}
