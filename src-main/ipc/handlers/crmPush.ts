import type { crmPushChannels } from '../../../src-shared/ipc/channels/crmPush';
import type { HandlerMap } from '../handlerTypes';

export const crmPushHandlers: HandlerMap<typeof crmPushChannels> = {
  async 'push.preview'(input, { core }) {
    return core.push.preview(input);
  },
  async 'push.cancelPreview'(input, { core }) {
    return { cancelled: core.push.cancelPreview(input.profileId) };
  },
  async 'push.submit'(input, { core }) {
    return core.push.submit(input);
  },
  async 'push.checkPending'(input, { core }) {
    return core.push.checkPending({ profileId: input.profileId, manual: true });
  },
  async 'push.submissions'(input, { core }) {
    return core.push.submissions(input);
  },
};
