import type { syncChannels } from '../../../src-shared/ipc/channels/sync';
import type { HandlerMap } from '../handlerTypes';

// Handlers of the sync domain; filled in by the issue that builds it.
export const syncHandlers: HandlerMap<typeof syncChannels> = {};
