import { Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api } from '../../ipc/client';
import { navigate } from '../../app/router';
import { API_LABELS, API_NAMES } from '../../../src-shared/domain/apis';
import { fmtAgo } from '../../../src-shared/format';
import { useSyncStatus } from './useSyncStatus';

/**
 * The header's "Sync now" with how fresh the data is. When the last run of any API failed it says
 * so (in red) instead of "synced just now", and names the APIs; the last successful time moves
 * to the tooltip.
 */
export function HeaderSync({ profileId }: { profileId: number }) {
  const { status } = useSyncStatus(profileId);
  const lasts = API_NAMES.map((a) => [a, status?.lastByApi[a]] as const).filter(([, l]) => !!l);
  const failed = lasts.filter(([, l]) => l!.status === 'failed').map(([a]) => API_LABELS[a]);
  const lastOk = lasts.map(([, l]) => l!.lastOkAt).filter((x): x is string => !!x).sort().at(-1) ?? null;
  const running = !!status?.running;
  const text = running ? 'syncing…' : failed.length ? `sync failed: ${failed.join(', ')}` : lastOk ? `synced ${fmtAgo(lastOk)}` : 'never synced';
  return (
    <Group gap="xs" visibleFrom="md" wrap="nowrap">
      <Text size="sm" c={failed.length && !running ? 'red' : 'dimmed'} title={failed.length ? `Last successful sync ${fmtAgo(lastOk)}; see the Sync view` : undefined} style={{ whiteSpace: 'nowrap' }}>
        {text}
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
