/** The store's state (open or why not) and its running backup or restore, kept current by events. */
import { useCallback, useEffect, useState } from 'react';
import { api, onEvent } from '../../ipc/client';
import type { StoreJob, StoreStatus } from '../../../src-shared/domain/store';

export function useStoreStatus(): { status: StoreStatus | null; error: string | null; job: StoreJob | null; reload(): void } {
  const [status, setStatus] = useState<StoreStatus | null>(null);
  const [job, setJob] = useState<StoreJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    api['store.status']({})
      .then((s) => {
        setStatus(s);
        setJob((j) => j ?? s.job);
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, []);
  useEffect(() => {
    reload();
    const offJob = onEvent('store.job', (j) => setJob(j));
    const offChanged = onEvent('store.changed', () => reload());
    return () => {
      offJob();
      offChanged();
    };
  }, [reload]);
  return { status, error, job, reload };
}

export function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${Math.max(1, Math.round(n / 1024))} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}
