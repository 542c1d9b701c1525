/**
 * The profile's sync settings the steward may change: the pace ceiling for APIs that publish no
 * limit, how often every volunteer's participations are re-read in full, and the deletion limit.
 */
import { useEffect, useState } from 'react';
import { Button, Group, NumberInput, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api } from '../../ipc/client';
import type { SyncSettings } from '../../../src-shared/domain/sync';

export function SyncSettingsForm({ profileId, onSaved }: { profileId: number; onSaved?: () => void }) {
  const [s, setS] = useState<SyncSettings | null>(null);
  useEffect(() => {
    void api['sync.settings']({ profileId }).then(setS);
  }, [profileId]);
  if (!s) return null;
  const num = (v: string | number, fallback: number) => (typeof v === 'number' ? v : Number(v) || fallback);
  return (
    <Group gap="sm" align="end" aria-label="Sync settings">
      <NumberInput
        size="xs"
        w={190}
        label="Pace ceiling (requests/second)"
        description="For an API that sends no limit"
        min={1}
        max={500}
        value={s.paceCeilingPerSecond}
        onChange={(v) => setS({ ...s, paceCeilingPerSecond: num(v, 30) })}
      />
      <NumberInput
        size="xs"
        w={190}
        label="Full participation re-read (days)"
        description="Every volunteer, one request each"
        min={1}
        max={365}
        value={s.participationRereadDays}
        onChange={(v) => setS({ ...s, participationRereadDays: num(v, 30) })}
      />
      <NumberInput size="xs" w={150} label="Deletion limit (%)" description="Held above this" min={0} max={100} value={s.deletionLimitPercent} onChange={(v) => setS({ ...s, deletionLimitPercent: num(v, 20) })} />
      <Button
        size="compact-sm"
        variant="default"
        onClick={() =>
          void api['sync.saveSettings']({ profileId, settings: s }).then(
            (saved) => {
              setS(saved);
              notifications.show({ message: 'Sync settings saved; they apply from the next sync.' });
              onSaved?.();
            },
            (e: Error) => notifications.show({ color: 'red', message: e.message }),
          )
        }
      >
        Save settings
      </Button>
      <Text size="xs" c="dimmed" maw={260}>
        Servers that send their own limit are paced to it, whatever the ceiling.
      </Text>
    </Group>
  );
}
