import { useCallback, useEffect, useState } from 'react';
import { api, onEvent } from '../../ipc/client';
import type { SyncRun, SyncStatus } from '../../../src-shared/domain/sync';
import type { SyncProgress } from '../../../src-shared/ipc/events';
import type { ApiName } from '../../../src-shared/domain/apis';

/**
 * Sync status of a profile, with live progress from `sync.progress` events between refetches,
 * and (withRuns) the recent runs, refetched whenever a run ends so "what changed" is the latest.
 */
export function useSyncStatus(profileId: number, opts: { withRuns?: boolean } = {}) {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [runs, setRuns] = useState<SyncRun[]>([]);
  const [progress, setProgress] = useState<Partial<Record<ApiName, SyncProgress>>>({});
  const [error, setError] = useState<string | null>(null);
  const withRuns = !!opts.withRuns;

  const reload = useCallback(async () => {
    if (!profileId) return;
    try {
      const [s, r] = await Promise.all([api['sync.status']({ profileId }), withRuns ? api['sync.runs']({ profileId, limit: 10 }) : Promise.resolve(null)]);
      setStatus(s);
      if (r) setRuns(r);
      if (s.running) setProgress(Object.fromEntries(s.running.progress.map((p) => [p.api, p])));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [profileId, withRuns]);

  useEffect(() => {
    void reload();
    const offProgress = onEvent('sync.progress', (p) => {
      if (p.profileId !== profileId) return;
      setProgress((cur) => ({ ...cur, [p.api]: p }));
    });
    const offFinished = onEvent('sync.finished', (f) => {
      if (f.profileId === profileId) void reload();
    });
    return () => {
      offProgress();
      offFinished();
    };
  }, [profileId, reload]);

  return { status, runs, progress, error, reload, setProgress };
}
