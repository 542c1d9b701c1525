import type { jobsChannels } from '../../../src-shared/ipc/channels/jobs';
import type { HandlerMap } from '../handlerTypes';

export const jobsHandlers: HandlerMap<typeof jobsChannels> = {
  'jobs.list': (i, { core }) => core.jobs.list(i.profileId ?? null),
  'jobs.cancel'(i, { core }) {
    if ('jobId' in i) return { cancelled: core.jobs.cancel(i.jobId) ? 1 : 0 };
    return { cancelled: core.jobs.cancelKind(i.profileId, i.kind) };
  },
};
