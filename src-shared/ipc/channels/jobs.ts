import { z } from 'zod';
import { channel } from '../channel';
import { JobInfo, JobKind } from '../../domain/jobs';

export const jobsChannels = {
  /** The jobs queued or running, and the last finished ones (of one profile, or all). */
  'jobs.list': channel(z.object({ profileId: z.number().int().positive().nullish() }).default({}), z.array(JobInfo)),
  /** Cancel one job by id, or every queued or running job of a kind for a profile. */
  'jobs.cancel': channel(
    z.union([
      z.object({ jobId: z.number().int().positive() }),
      z.object({ profileId: z.number().int().positive(), kind: JobKind }),
    ]),
    z.object({ cancelled: z.number() }),
  ),
};
