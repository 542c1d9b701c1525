import { useCallback, useEffect, useState } from 'react';
import { api, onEvent } from '../../ipc/client';
import type { JobInfo, JobKind } from '../../../src-shared/domain/jobs';

/** A profile's long jobs (queued, running, last finished), kept live from `job.progress` events. */
export function useJobs(profileId: number) {
  const [jobs, setJobs] = useState<JobInfo[]>([]);

  const reload = useCallback(async () => {
    if (!profileId) return;
    try {
      setJobs(await api['jobs.list']({ profileId }));
    } catch {
      /* the list is a view aid; the next event refreshes it */
    }
  }, [profileId]);

  useEffect(() => {
    void reload();
    return onEvent('job.progress', (j) => {
      if (j.profileId !== profileId) return;
      setJobs((cur) => [j, ...cur.filter((x) => x.id !== j.id)]);
    });
  }, [profileId, reload]);

  const active = (kind?: JobKind) => jobs.find((j) => (kind === undefined || j.kind === kind) && (j.state === 'queued' || j.state === 'running'));
  const cancel = (jobId: number) => api['jobs.cancel']({ jobId });
  return { jobs, active, cancel, reload };
}
