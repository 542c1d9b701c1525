import { useCallback, useEffect, useState } from 'react';
import { api, onEvent } from '../../ipc/client';
import type { SyncStatus } from '../../../src-shared/domain/sync';
import type { SyncProgress } from '../../../src-shared/ipc/events';
import type { ApiName } from '../../../src-shared/domain/apis';

/** Sync status of a profile, with live progress from `sync.progress` events between refetches. */
export function useSyncStatus(profileId: number) {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [progress, setProgress] = useState<Partial<Record<ApiName, SyncProgress>>>({});
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    if (!profileId) return;
    try {
      const s = await api['sync.status']({ profileId });
      setStatus(s);
      if (s.running) setProgress(Object.fromEntries(s.running.progress.map((p) => [p.api, p])));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [profileId]);

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

  return { status, progress, error, reload, setProgress };
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}
