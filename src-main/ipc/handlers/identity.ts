import type { identityChannels } from '../../../src-shared/ipc/channels/identity';
import type { HandlerMap } from '../handlerTypes';

// Handlers of the identity domain; filled in by the issue that builds it.
export const identityHandlers: HandlerMap<typeof identityChannels> = {};
