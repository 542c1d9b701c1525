import { useEffect, useState } from 'react';
import { Button, Group, NumberInput, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api } from '../../ipc/client';
import { API_LABELS, type ApiName } from '../../../src-shared/domain/apis';

/** A full sync stopped at the deletion valve: the steward confirms, or changes the limit. */
export function DeletionHold({ profileId, apiName, busy, onConfirm }: { profileId: number; apiName: ApiName; busy: boolean; onConfirm: () => void }) {
  const [limit, setLimit] = useState<number | null>(null);
  useEffect(() => {
    void api['sync.settings']({ profileId }).then((s) => setLimit(s.deletionLimitPercent));
  }, [profileId]);
  return (
    <Stack gap={6} mt={6}>
      <Group gap="xs">
        <Button size="compact-sm" color="red" variant="light" loading={busy} onClick={onConfirm}>
          Sync {API_LABELS[apiName]} again and mark them deleted
        </Button>
      </Group>
      {limit !== null && (
        <Group gap="xs" align="end">
          <NumberInput size="xs" w={110} label="Deletion limit (%)" min={0} max={100} value={limit} onChange={(v) => setLimit(typeof v === 'number' ? v : Number(v) || 0)} />
          <Button
            size="compact-sm"
            variant="default"
            onClick={() =>
              void api['sync.saveSettings']({ profileId, settings: { deletionLimitPercent: limit } }).then(
                (s) => notifications.show({ message: `A full sync now marks at most ${s.deletionLimitPercent}% of a resource deleted at once.` }),
                (e: Error) => notifications.show({ color: 'red', message: e.message }),
              )
            }
          >
            Save limit
          </Button>
        </Group>
      )}
    </Stack>
  );
}
