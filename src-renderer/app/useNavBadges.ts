import { useEffect, useState } from 'react';
import { api, onEvent } from '../ipc/client';

/** Work waiting per view (open conflicts, candidate pairs, findings, quarantined records). */
export function useNavBadges(profileId: number | null): Record<string, number> {
  const [badges, setBadges] = useState<Record<string, number>>({});
  useEffect(() => {
    if (!profileId) return setBadges({});
    let alive = true;
    const load = async () => {
      try {
        const o = await api['insights.overview']({ profileId });
        if (!alive) return;
        setBadges({
          conflicts: o.trust.openConflicts,
          duplicates: o.trust.openDuplicates,
          reconciliation: o.trust.reconciliationFindings ?? 0,
          sync: o.trust.quarantined,
        });
      } catch {
        /* badges are a hint; the views show errors themselves */
      }
    };
    void load();
    const offData = onEvent('data.changed', (e) => {
      if (e.profileId === null || e.profileId === profileId) void load();
    });
    const offSync = onEvent('sync.finished', (e) => {
      if (e.profileId === profileId) void load();
    });
    return () => {
      alive = false;
      offData();
      offSync();
    };
  }, [profileId]);
  return badges;
}
