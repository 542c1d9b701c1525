import type { sandboxChannels } from '../../../src-shared/ipc/channels/sandbox';
import type { HandlerMap } from '../handlerTypes';

// Handlers of the sandbox domain; filled in by the issue that builds it.
export const sandboxHandlers: HandlerMap<typeof sandboxChannels> = {};
