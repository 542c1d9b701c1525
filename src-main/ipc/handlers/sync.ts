import type { syncChannels } from '../../../src-shared/ipc/channels/sync';
import type { HandlerMap } from '../handlerTypes';
import { syncService } from '../../sync/syncService';

// Handlers of the sync domain: thin wrappers over the SyncService (which checks the profile).
export const syncHandlers: HandlerMap<typeof syncChannels> = {
  async 'sync.estimate'(input, { core }) {
    return syncService(core).estimate(input.profileId, { apis: input.apis, full: input.full });
  },
  async 'sync.start'(input, { core }) {
    return syncService(core).start(input.profileId, { apis: input.apis, full: input.full, confirmDeletions: input.confirmDeletions });
  },
  async 'sync.cancel'(input, { core }) {
    return { cancelled: syncService(core).cancel(input.profileId) };
  },
  async 'sync.status'(input, { core }) {
    return syncService(core).status(input.profileId);
  },
  async 'sync.runs'(input, { core }) {
    return syncService(core).runs(input.profileId, input.limit);
  },
  async 'sync.quarantine'(input, { core }) {
    return syncService(core).quarantine(input.profileId, { limit: input.limit, offset: input.offset, includeResolved: input.includeResolved });
  },
  async 'sync.resetCheckpoints'(input, { core }) {
    syncService(core).resetCheckpoints(input.profileId, input.apis);
    return { ok: true as const };
  },
  async 'sync.settings'(input, { core }) {
    return syncService(core).settings(input.profileId);
  },
  async 'sync.saveSettings'(input, { core }) {
    return syncService(core).saveSettings(input.profileId, input.settings);
  },
  async 'connections.test'(input, { core }) {
    return syncService(core).testConnection(input.profileId, input.api);
  },
};
