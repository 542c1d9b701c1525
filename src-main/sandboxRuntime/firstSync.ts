import type { Core } from '../core/app';

/**
 * After "Explore with sandbox data": start the first sync so the steward lands on real numbers.
 * Returns the run id, or null when this build has no sync service yet.
 */
export async function startSyncAfterSandbox(_core: Core, _profileId: number): Promise<number | null> {
  return null;
}
