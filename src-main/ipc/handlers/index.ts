import type { CoreContract } from '../../../src-shared/ipc/contract';
import type { HandlerMap } from '../handlerTypes';
import { profileHandlers } from './profiles';
import { syncHandlers } from './sync';
import { identityHandlers } from './identity';
import { insightsHandlers } from './insights';
import { reconcileHandlers } from './reconcile';
import { crmPushHandlers } from './crmPush';
import { sandboxHandlers } from './sandbox';
import { jobsHandlers } from './jobs';

/** Every channel of the contract has exactly one handler; a missing one is a compile error. */
export const allHandlers: HandlerMap<CoreContract> = {
  ...profileHandlers,
  ...syncHandlers,
  ...identityHandlers,
  ...insightsHandlers,
  ...reconcileHandlers,
  ...crmPushHandlers,
  ...sandboxHandlers,
  ...jobsHandlers,
};
