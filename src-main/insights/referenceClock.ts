/**
 * The default reference day of a profile's windows: today for a real organization; for a
 * sandbox profile, the sandbox's own clock (its data is generated around that clock, not the
 * wall clock, so "365 days ago" must be counted from it). An explicit asOf always wins.
 */
import type { Core } from '../core/app';
import { sandboxNow } from '../sandboxRuntime/clock';

export async function defaultAsOf(core: Core, profileId: number, asOf?: string): Promise<string | undefined> {
  if (asOf) return asOf;
  return (await sandboxNow(core, profileId))?.toISOString();
}
