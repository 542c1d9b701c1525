import type { crmPushChannels } from '../../../src-shared/ipc/channels/crmPush';
import type { HandlerMap } from '../handlerTypes';

// Handlers of the crmPush domain; filled in by the issue that builds it.
export const crmPushHandlers: HandlerMap<typeof crmPushChannels> = {};
