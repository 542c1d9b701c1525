import { Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api } from '../../ipc/client';
import { navigate } from '../../app/router';
import { API_NAMES } from '../../../src-shared/domain/apis';
import { ago, useSyncStatus } from './useSyncStatus';

/** The header's "Sync now" with the last sync time; red when a collector failed last time. */
export function HeaderSync({ profileId }: { profileId: number }) {
  const { status } = useSyncStatus(profileId);
  const lasts = API_NAMES.map((a) => status?.lastByApi[a]).filter((x) => !!x);
  const failed = lasts.some((l) => l!.status === 'failed');
  const lastOk = lasts.map((l) => l!.lastOkAt).filter((x): x is string => !!x).sort().at(-1) ?? null;
  const running = !!status?.running;
  return (
    <Group gap="xs" visibleFrom="md">
      <Text size="sm" c={failed ? 'red' : 'dimmed'} title={failed ? 'A collector failed in the last sync: see the Sync view' : undefined}>
        {running ? 'syncing…' : lastOk ? `synced ${ago(lastOk)}` : 'never synced'}
      </Text>
      <Button
        size="xs"
        variant="light"
        disabled={running || !profileId}
        onClick={async () => {
          try {
            await api['sync.start']({ profileId, full: false });
            navigate('sync');
          } catch (err) {
            notifications.show({ color: 'red', message: (err as Error).message });
          }
        }}
      >
        Sync now
      </Button>
    </Group>
  );
}
