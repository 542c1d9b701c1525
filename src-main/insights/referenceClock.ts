/**
 * The default reference day of a profile's windows: today for a real organization; for a
 * sandbox profile, the sandbox's own clock (its data is generated around that clock, not the
 * wall clock, so "365 days ago" must be counted from it). An explicit asOf always wins.
 */
import type { Core } from '../core/app';

export async function defaultAsOf(core: Core, profileId: number, asOf?: string): Promise<string | undefined> {
  if (asOf) return asOf;
  const profile = core.profiles.get(profileId);
  if (!profile?.is_sandbox) return undefined;
  try {
    const env = await core.invoke('sandbox.status', { profileId });
    if (env.ok) {
      const clock = (env.data as { clock?: string | null }).clock;
      if (clock) return clock;
    }
  } catch {
    /* the sandbox is not running: fall back to today */
  }
  return undefined;
}
