/**
 * Reconciliation: runs listed by time (the latest open), findings grouped with counts and the
 * comparison with the previous run, drill-down to the person, "view in CRM+", CSV export, and
 * the observed lag beside the lag window.
 */
import { useCallback, useEffect, useState } from 'react';
import { Badge, Button, Card, Grid, Group, Loader, NavLink, ScrollArea, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { ViewProps } from '../../app/views';
import { api, onEvent } from '../../ipc/client';
import { EmptyState } from '../../components/EmptyState';
import type { FindingGroup, ReportPage, RunInfo } from '../../../src-shared/domain/reconcile';
import { GroupCards, RunFacts } from './RunOverview';
import { FindingsTable } from './FindingsTable';
import { ReconcileSettings } from './ReconcileSettings';
import { when } from './format';

function RunItem({ run, active, onOpen }: { run: RunInfo; active: boolean; onOpen: () => void }) {
  const total = run.summary?.total;
  return (
    <NavLink
      component="button"
      active={active}
      onClick={onOpen}
      aria-label={`Open run of ${when(run.at)}`}
      label={when(run.at)}
      description={run.status === 'failed' ? 'failed' : run.status === 'running' ? 'running…' : `${total ?? 0} findings · as of ${when(run.asOf)}`}
      rightSection={run.status === 'partial' ? <Badge size="xs" color="yellow">partial</Badge> : run.status === 'failed' ? <Badge size="xs" color="red">failed</Badge> : null}
    />
  );
}

export default function ReconciliationView({ profileId }: ViewProps) {
  const [runs, setRuns] = useState<RunInfo[] | null>(null);
  const [running, setRunning] = useState(false);
  const [selected, setSelected] = useState<number | null>(null);
  const [group, setGroup] = useState<FindingGroup | null>(null);
  const [diffPage, setDiffPage] = useState<ReportPage | null>(null);
  const [since, setSince] = useState('');
  const [progress, setProgress] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const r = await api['reconcile.runs']({ profileId, limit: 50 });
      setRuns(r.runs);
      setRunning(r.running);
      setSelected((cur) => (cur && r.runs.some((x) => x.id === cur) ? cur : (r.runs.find((x) => x.status !== 'failed')?.id ?? null)));
    } catch (err) {
      notifications.show({ color: 'red', message: (err as Error).message });
    }
  }, [profileId]);

  useEffect(() => {
    void load();
    const offData = onEvent('data.changed', (e) => {
      if (e.profileId === profileId && e.scope === 'reconcile') void load();
    });
    const offTask = onEvent('task.progress', (e) => {
      if (e.profileId === profileId && e.task === 'reconcile') setProgress(e.done ? null : e.message);
    });
    return () => {
      offData();
      offTask();
    };
  }, [load, profileId]);

  async function runNow() {
    setRunning(true);
    try {
      const run = await api['reconcile.run']({ profileId, since: since || undefined });
      await load();
      setSelected(run.id);
      setGroup(null);
      notifications.show({ message: `Reconciliation finished: ${run.summary?.total ?? 0} findings` });
    } catch (err) {
      notifications.show({ color: 'red', message: (err as Error).message });
    } finally {
      setRunning(false);
      setProgress(null);
    }
  }

  const run = runs?.find((r) => r.id === selected) ?? null;
  const onPage = useCallback((p: ReportPage) => setDiffPage(p), []);
  const diff = diffPage && diffPage.run.id === run?.id ? diffPage.diff : null;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>Reconciliation</Title>
          <Text c="dimmed" size="sm">
            Drift between VOMO, CRM+, Raise and the local store, and Raise gifts that have not reached CRM+.
          </Text>
        </div>
        <Group align="flex-end">
          <TextInput type="date" label="Re-read changes since" description="Default: yesterday" value={since} onChange={(e) => setSince(e.currentTarget.value)} w={200} />
          <Button onClick={runNow} loading={running} aria-label="Run reconciliation">
            Run reconciliation
          </Button>
        </Group>
      </Group>
      {progress && (
        <Text size="sm" c="dimmed" role="status">
          {progress}
        </Text>
      )}
      <ReconcileSettings profileId={profileId} />
      {runs === null ? (
        <Loader aria-label="Loading runs" />
      ) : runs.length === 0 ? (
        <EmptyState title="No reconciliation yet">
          Run one to compare the local store with VOMO, CRM+ and Raise, and to find Raise gifts that have not reached CRM+.
        </EmptyState>
      ) : (
        <Grid>
          <Grid.Col span={{ base: 12, md: 3 }}>
            <Card withBorder padding="xs">
              <Title order={6} mb={4}>
                Runs
              </Title>
              <ScrollArea.Autosize mah={520}>
                <nav aria-label="Reconciliation runs">
                  {runs.map((r) => (
                    <RunItem key={r.id} run={r} active={r.id === selected} onOpen={() => setSelected(r.id)} />
                  ))}
                </nav>
              </ScrollArea.Autosize>
            </Card>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 9 }}>
            {!run ? (
              <Text c="dimmed">Choose a run.</Text>
            ) : run.status === 'failed' || !run.summary ? (
              <Text c="red">This run did not finish.</Text>
            ) : (
              <Stack gap="md">
                <Text size="sm" c="dimmed">
                  Run of {when(run.at)}, judged as of {when(run.asOf)} ({run.settings.asOfSource} clock); lag window {run.settings.lagHours} h; re-read since{' '}
                  {run.settings.since}.{' '}
                  {diff?.previousRunId
                    ? `Compared with the previous run: ${diff.new} new, ${diff.fixed} fixed, ${diff.changed} changed.`
                    : 'The first run: nothing to compare with.'}
                </Text>
                <GroupCards run={run} diff={diff} selected={group} onSelect={setGroup} />
                <RunFacts run={run} />
                <FindingsTable runId={run.id} group={group} onGroup={setGroup} onPage={onPage} />
              </Stack>
            )}
          </Grid.Col>
        </Grid>
      )}
    </Stack>
  );
}
