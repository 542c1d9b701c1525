import type { insightsChannels } from '../../../src-shared/ipc/channels/insights';
import type { HandlerMap } from '../handlerTypes';

// Handlers of the insights domain; filled in by the issue that builds it.
export const insightsHandlers: HandlerMap<typeof insightsChannels> = {};
