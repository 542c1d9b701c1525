import type { Core } from '../core/app';
import { syncService } from '../sync/syncService';

/**
 * After "Explore with sandbox data": start the first sync in the background so the steward lands
 * on real numbers; the join is rebuilt when it finishes (the identity service listens for
 * sync.finished). Returns the run id.
 */
export async function startSyncAfterSandbox(core: Core, profileId: number): Promise<number | null> {
  const { runId } = await syncService(core).start(profileId, {});
  return runId;
}
