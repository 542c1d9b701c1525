import type { syncChannels } from '../../../src-shared/ipc/channels/sync';
import type { HandlerMap } from '../handlerTypes';

// Handlers of the sync domain: thin wrappers over the SyncService (which checks the profile).
export const syncHandlers: HandlerMap<typeof syncChannels> = {
  async 'sync.estimate'(input, { core }) {
    return core.sync.estimate(input.profileId, { apis: input.apis, full: input.full });
  },
  async 'sync.start'(input, { core }) {
    return core.sync.start(input.profileId, { apis: input.apis, full: input.full, confirmDeletions: input.confirmDeletions });
  },
  async 'sync.cancel'(input, { core }) {
    return { cancelled: core.sync.cancel(input.profileId) };
  },
  async 'sync.status'(input, { core }) {
    return core.sync.status(input.profileId);
  },
  async 'sync.runs'(input, { core }) {
    return core.sync.runs(input.profileId, input.limit);
  },
  async 'sync.quarantine'(input, { core }) {
    return core.sync.quarantine(input.profileId, { limit: input.limit, offset: input.offset, includeResolved: input.includeResolved });
  },
  async 'sync.resetCheckpoints'(input, { core }) {
    core.sync.resetCheckpoints(input.profileId, input.apis);
    return { ok: true as const };
  },
  async 'sync.settings'(input, { core }) {
    return core.sync.settings(input.profileId);
  },
  async 'sync.saveSettings'(input, { core }) {
    return core.sync.saveSettings(input.profileId, input.settings);
  },
  async 'connections.test'(input, { core }) {
    return core.sync.testConnection(input.profileId, input.api);
  },
};
