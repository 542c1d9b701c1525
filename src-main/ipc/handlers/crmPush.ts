import type { crmPushChannels } from '../../../src-shared/ipc/channels/crmPush';
import type { HandlerMap } from '../handlerTypes';
import { pushService } from '../../crmPush/pushService';

export const crmPushHandlers: HandlerMap<typeof crmPushChannels> = {
  async 'push.preview'(input, { core }) {
    return pushService(core).preview(input);
  },
  async 'push.submit'(input, { core }) {
    return pushService(core).submit(input);
  },
  async 'push.checkPending'(input, { core }) {
    return pushService(core).checkPending({ profileId: input.profileId, manual: true });
  },
  async 'push.submissions'(input, { core }) {
    return pushService(core).submissions(input);
  },
};
