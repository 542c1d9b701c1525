import type { reconcileChannels } from '../../../src-shared/ipc/channels/reconcile';
import type { HandlerMap } from '../handlerTypes';

// Handlers of the reconcile domain; filled in by the issue that builds it.
export const reconcileHandlers: HandlerMap<typeof reconcileChannels> = {};
