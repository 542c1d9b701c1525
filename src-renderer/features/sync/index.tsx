/**
 * Sync: start, estimate and cancel; one card per API (SyncCard) with its status, latest run and
 * live progress; the records set aside below. The view only arranges; each part has its file.
 */
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Collapse, Group, SimpleGrid, Stack, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { ViewProps } from '../../app/views';
import { api, onEvent } from '../../ipc/client';
import { useProfiles } from '../../app/useProfiles';
import { API_NAMES, type ApiName } from '../../../src-shared/domain/apis';
import type { ApiEstimate, SyncEstimate } from '../../../src-shared/domain/sync';
import { ApiFacts, EstimateWords } from './ApiFacts';
import { SyncSettingsForm } from './SyncSettingsForm';
import { useSyncStatus } from './useSyncStatus';
import { QuarantineTable } from './QuarantineTable';
import { SyncCard } from './SyncCard';
import { DeletionHold } from './DeletionHold';
import { useJobs } from '../jobs/useJobs';
import { JobProgress } from '../jobs/JobProgress';

export { advice } from './advice';

function EstimateAlert({ estimate, onClose }: { estimate: SyncEstimate; onClose: () => void }) {
  return (
    <Alert color="blue" title="Before you go" withCloseButton onClose={onClose}>
      {estimate.apis.map((a) => (
        <EstimateWords key={a.api} a={a} />
      ))}
    </Alert>
  );
}

export default function SyncView({ profileId }: ViewProps) {
  const { status, runs, progress, error, reload, setProgress } = useSyncStatus(profileId, { withRuns: true });
  const { current } = useProfiles();
  const [estimate, setEstimate] = useState<SyncEstimate | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [plans, setPlans] = useState<Partial<Record<ApiName, ApiEstimate>>>({});
  const [showSettings, setShowSettings] = useState(false);
  // What each API is about to spend, shown as the run starts spending it.
  useEffect(() => onEvent('sync.estimated', (e) => e.profileId === profileId && setPlans((p) => ({ ...p, [e.estimate.api]: e.estimate }))), [profileId]);

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

  const start = (full: boolean) =>
    act(full ? 'full' : 'sync', async () => {
      setProgress({});
      setPlans({});
      await api['sync.start']({ profileId, full });
      await reload();
    });

  const running = !!status?.running;
  // The sync's last steps: the person store and the measures, rebuilt as jobs after the APIs are read.
  const { jobs } = useJobs(profileId);
  const syncRunId = status?.running?.runId ?? runs[0]?.id ?? null;
  const followUps = syncRunId === null ? [] : (['rebuild', 'measures'] as const).map((k) => jobs.find((j) => j.kind === k && j.syncRunId === syncRunId)).filter((j) => !!j);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Sync</Title>
        <Group>
          <Button variant="subtle" onClick={() => setShowSettings((v) => !v)} aria-expanded={showSettings}>
            Settings
          </Button>
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
      <Collapse expanded={showSettings}>
        <Card withBorder padding="sm">
          <SyncSettingsForm profileId={profileId} onSaved={() => void reload()} />
        </Card>
      </Collapse>
      {estimate && !running && <EstimateAlert estimate={estimate} onClose={() => setEstimate(null)} />}
      <SimpleGrid cols={{ base: 1, lg: 3 }}>
        {API_NAMES.map((a) => {
          const last = status?.lastByApi[a] ?? null;
          const outcome = runs.find((r) => r.id === last?.runId)?.collectors.find((c) => c.api === a) ?? null;
          return (
            <SyncCard
              key={a}
              api={a}
              last={last}
              outcome={outcome}
              live={progress[a]}
              running={running}
              setAside={status?.quarantineOpenByApi[a] ?? 0}
              isSandbox={!!current?.isSandbox}
              facts={
                <>
                  <ApiFacts api={a} status={status} />
                  {running && plans[a] && <EstimateWords a={plans[a]!} />}
                </>
              }
              failureAction={
                last?.errorCode === 'DELETIONS_HELD' ? (
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
                ) : undefined
              }
            />
          );
        })}
      </SimpleGrid>
      {followUps.length > 0 && (
        <Card withBorder padding="md" aria-label="After the sync">
          <Stack gap="sm">
            <Title order={4}>After the sync</Title>
            {followUps.map((j) => (
              <JobProgress key={j.id} job={j} label={j.kind === 'rebuild' ? 'Rebuilding the person store' : 'Refreshing the insight measures'} />
            ))}
          </Stack>
        </Card>
      )}
      <QuarantineTable profileId={profileId} openCount={status?.quarantineOpen ?? 0} />
    </Stack>
  );
}
