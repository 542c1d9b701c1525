import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Card, Group, NumberInput, Progress, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { ViewProps } from '../../app/views';
import { api } from '../../ipc/client';
import { API_LABELS, API_NAMES, type ApiName } from '../../../src-shared/domain/apis';
import type { SyncEstimate, SyncRun } from '../../../src-shared/domain/sync';
import type { SyncProgress } from '../../../src-shared/ipc/events';
import { ago, useSyncStatus } from './useSyncStatus';
import { QuarantineTable } from './QuarantineTable';
import { navigate } from '../../app/router';

const STATUS_COLOR: Record<string, string> = { ok: 'green', failed: 'red', skipped: 'gray', cancelled: 'yellow', running: 'blue' };

/** What to do about a failed collector, in the steward's words. */
export function advice(api: ApiName, code: string | null): string | null {
  const label = API_LABELS[api];
  switch (code) {
    case 'UNAUTHENTICATED':
      return `${label} rejected the token: replace it in Settings → Connections.`;
    case 'TOKEN_MISSING':
      return `There is no ${label} token yet: add one in Settings → Connections.`;
    case 'NETWORK':
      return `${label} could not be reached. Check the connection and the base URL, then sync again; what was saved is kept.`;
    case 'RATE_LIMITED':
      return `${label}'s request budget ran out. Sync again after it resets; the sync resumes where it stopped.`;
    case 'REMOTE_ERROR':
      return `${label} answered with an error. Try again later; if it persists, check the base URL.`;
    case 'DELETIONS_HELD':
      return `Nothing was marked deleted and nothing was lost. Check in ${label} that these records really were deleted; if so, sync again and mark them deleted. Until then, "Add to CRM+" waits.`;
    default:
      return null;
  }
}

function ProgressLine({ p }: { p: SyncProgress }) {
  const pct = p.total ? Math.min(100, (p.records / p.total) * 100) : null;
  return (
    <Stack gap={4}>
      <Progress value={pct ?? 100} animated={p.phase === 'running' || p.phase === 'waiting'} striped={pct === null} aria-label={`${API_LABELS[p.api]} progress`} />
      <Text size="xs" c="dimmed">
        {p.phase}
        {p.resource ? ` · ${p.resource}` : ''} · {p.pages} pages · {p.records.toLocaleString()}
        {p.total ? ` of ${p.total.toLocaleString()}` : ''} records
        {p.budgetRemaining !== null ? ` · budget left ${p.budgetRemaining.toLocaleString()}` : ''}
        {p.etaSeconds !== null ? ` · ETA ${Math.ceil(p.etaSeconds)} s` : ''}
        {p.message ? ` · ${p.message}` : ''}
      </Text>
    </Stack>
  );
}

function EntitySummary({ run, apiName }: { run: SyncRun | undefined; apiName: ApiName }) {
  const c = run?.collectors.find((x) => x.api === apiName);
  if (!c || !Object.keys(c.entities).length) return null;
  return (
    <Table withRowBorders={false} fz="xs" aria-label={`${API_LABELS[apiName]} changes`}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Entity</Table.Th>
          <Table.Th>New</Table.Th>
          <Table.Th>Updated</Table.Th>
          <Table.Th>Unchanged</Table.Th>
          <Table.Th>Quarantined</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {Object.entries(c.entities).map(([entity, n]) => (
          <Table.Tr key={entity}>
            <Table.Td>{entity}</Table.Td>
            <Table.Td>{n.new}</Table.Td>
            <Table.Td>{n.updated}</Table.Td>
            <Table.Td>{n.unchanged}</Table.Td>
            <Table.Td>{n.quarantined}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** A full sync stopped at the deletion valve: the steward confirms, or changes the limit. */
function DeletionHold({ profileId, apiName, busy, onConfirm }: { profileId: number; apiName: ApiName; busy: boolean; onConfirm: () => void }) {
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
          <NumberInput
            size="xs"
            w={110}
            label="Deletion limit (%)"
            min={0}
            max={100}
            value={limit}
            onChange={(v) => setLimit(typeof v === 'number' ? v : Number(v) || 0)}
          />
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

export default function SyncView({ profileId }: ViewProps) {
  const { status, progress, error, reload, setProgress } = useSyncStatus(profileId);
  const [estimate, setEstimate] = useState<SyncEstimate | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [lastRun, setLastRun] = useState<SyncRun | undefined>(undefined);

  async function act(what: string, fn: () => Promise<void>) {
    setBusy(what);
    try {
      await fn();
    } catch (err) {
      notifications.show({ color: 'red', message: (err as Error).message });
    } finally {
      setBusy(null);
    }
  }
  const loadLastRun = () => api['sync.runs']({ profileId, limit: 1 }).then((r) => setLastRun(r[0]));
  if (lastRun === undefined && status && !status.running) void loadLastRun();

  const start = (full: boolean) =>
    act(full ? 'full' : 'sync', async () => {
      setProgress({});
      await api['sync.start']({ profileId, full });
      await reload();
    });

  const running = !!status?.running;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Sync</Title>
        <Group>
          <Button variant="default" onClick={() => act('estimate', async () => setEstimate(await api['sync.estimate']({ profileId, full: false })))} loading={busy === 'estimate'} disabled={running}>
            Estimate
          </Button>
          <Button variant="default" onClick={() => start(true)} loading={busy === 'full'} disabled={running}>
            Full sync
          </Button>
          {running ? (
            <Button color="red" onClick={() => act('cancel', async () => void (await api['sync.cancel']({ profileId })))} loading={busy === 'cancel'}>
              Cancel
            </Button>
          ) : (
            <Button onClick={() => start(false)} loading={busy === 'sync'}>
              Sync now
            </Button>
          )}
        </Group>
      </Group>
      {error && <Alert color="red">{error}</Alert>}
      {estimate && !running && (
        <Alert color="blue" title="Before you go" withCloseButton onClose={() => setEstimate(null)}>
          {estimate.apis.map((a) => (
            <Text key={a.api} size="sm">
              {API_LABELS[a.api]}: {a.status === 'ok' ? `${a.calls ?? '?'} calls, about ${a.seconds !== null ? Math.ceil(a.seconds) + ' s' : 'unknown time'}${a.rateLimit ? ` at ${a.rateLimit}` : ''}` : a.status === 'skipped' ? 'skipped' : `cannot estimate: ${a.error}`}
            </Text>
          ))}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        {API_NAMES.map((a) => {
          const last = status?.lastByApi[a] ?? null;
          const live = progress[a];
          const tip = last?.status === 'failed' ? advice(a, last.errorCode) : null;
          return (
            <Card key={a} withBorder padding="md" aria-label={`${API_LABELS[a]} sync`}>
              <Stack gap="xs">
                <Group justify="space-between">
                  <Title order={4}>{API_LABELS[a]}</Title>
                  <Badge color={STATUS_COLOR[live && running ? 'running' : (last?.status ?? 'skipped')] ?? 'gray'} data-testid={`sync-status-${a}`}>
                    {live && running ? live.phase : (last?.status ?? 'never synced')}
                  </Badge>
                </Group>
                <Text size="sm">
                  Last ok sync: {ago(last?.lastOkAt)} · records {last?.records?.toLocaleString() ?? 0} · quarantined {last?.quarantined ?? 0}
                </Text>
                {last?.budgetRemaining != null && <Text size="xs" c="dimmed">Budget left: {last.budgetRemaining.toLocaleString()}</Text>}
                {live && <ProgressLine p={live} />}
                {last?.status === 'failed' && (
                  <Alert color="red" p="xs">
                    <Text size="sm">{last.error}</Text>
                    {tip && (
                      <Text size="sm" fw={500}>
                        {tip}{' '}
                        {(last.errorCode === 'UNAUTHENTICATED' || last.errorCode === 'TOKEN_MISSING') && (
                          <Button size="compact-xs" variant="light" onClick={() => navigate('settings', 'connections')}>
                            Open Settings
                          </Button>
                        )}
                      </Text>
                    )}
                    {last.errorCode === 'DELETIONS_HELD' && (
                      <DeletionHold
                        profileId={profileId}
                        apiName={a}
                        busy={busy === `confirm-${a}`}
                        onConfirm={() =>
                          act(`confirm-${a}`, async () => {
                            setProgress({});
                            await api['sync.start']({ profileId, apis: [a], full: true, confirmDeletions: true });
                            await reload();
                          })
                        }
                      />
                    )}
                  </Alert>
                )}
                {!running && <EntitySummary run={lastRun} apiName={a} />}
              </Stack>
            </Card>
          );
        })}
      </SimpleGrid>
      <QuarantineTable profileId={profileId} openCount={status?.quarantineOpen ?? 0} />
    </Stack>
  );
}
