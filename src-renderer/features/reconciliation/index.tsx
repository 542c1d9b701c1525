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
import { GROUP_ORDER, type FindingGroup, type ReportPage, type RunInfo } from '../../../src-shared/domain/reconcile';
import { GroupCards, RunFacts } from './RunOverview';
import { FindingsTable } from './FindingsTable';
import { ReconcileSettings } from './ReconcileSettings';
import { fmtDateTime, fmtDay, fmtCount, plural } from '../../../src-shared/format';
import { replaceQuery, useRoute } from '../../app/router';

/** A date in running text stays on one line. */
function Nowrap({ children }: { children: React.ReactNode }) {
  return <span style={{ whiteSpace: 'nowrap' }}>{children}</span>;
}

const CLOCK_WORDS: Record<string, string> = { sandbox: "the sandbox's clock", api: "the APIs' clock", wall: "this computer's clock", data: 'the newest record', input: 'the time given' };

function RunItem({ run, active, onOpen }: { run: RunInfo; active: boolean; onOpen: () => void }) {
  const total = run.summary?.total;
  return (
    <NavLink
      component="button"
      active={active}
      onClick={onOpen}
      aria-label={`Open run of ${fmtDateTime(run.at)}`}
      label={fmtDateTime(run.at)}
      description={run.status === 'failed' ? 'not finished' : run.status === 'running' ? 'running…' : `${plural(total ?? 0, 'finding')} · as of ${fmtDay(run.asOf)}`}
      rightSection={run.status === 'partial' ? <Badge size="xs" color="yellow">partial</Badge> : run.status === 'failed' ? <Badge size="xs" color="red">not finished</Badge> : null}
    />
  );
}

export default function ReconciliationView({ profileId }: ViewProps) {
  // The run and the filters live in the URL, so Back from a person returns to them.
  const { query } = useRoute();
  const [runs, setRuns] = useState<RunInfo[] | null>(null);
  const [running, setRunning] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [selected, setSelected] = useState<number | null>(Number(query.run) || null);
  const [group, setGroup] = useState<FindingGroup | null>(GROUP_ORDER.includes(query.group as FindingGroup) ? (query.group as FindingGroup) : null);
  useEffect(() => replaceQuery({ run: selected ? String(selected) : null, group }), [selected, group]);
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
      notifications.show({ message: `Reconciliation finished: ${plural(run.summary?.total ?? 0, 'finding')}` });
    } catch (err) {
      notifications.show({ color: (err as { code?: string }).code === 'CANCELLED' ? 'yellow' : 'red', message: (err as Error).message });
      await load();
    } finally {
      setRunning(false);
      setCancelling(false);
      setProgress(null);
    }
  }

  async function cancel() {
    setCancelling(true);
    try {
      await api['reconcile.cancel']({ profileId });
    } catch (err) {
      notifications.show({ color: 'red', message: (err as Error).message });
      setCancelling(false);
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
          {running ? (
            <Button color="red" variant="light" onClick={cancel} loading={cancelling}>
              Cancel reconciliation
            </Button>
          ) : (
            <Button onClick={runNow}>Run reconciliation</Button>
          )}
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
              <Text c="red">This run did not finish (it failed or was cancelled); its findings were not kept.</Text>
            ) : (
              <Stack gap="md">
                <Text size="sm" c="dimmed">
                  Run of <Nowrap>{fmtDateTime(run.at)}</Nowrap>, judged as of <Nowrap>{fmtDateTime(run.asOf)}</Nowrap> ({CLOCK_WORDS[run.settings.asOfSource] ?? run.settings.asOfSource}); lag window{' '}
                  {fmtCount(run.settings.lagHours)} h; re-read changes since <Nowrap>{fmtDay(run.settings.since)}</Nowrap>.{' '}
                  {diff?.previousRunId
                    ? `Compared with the previous run: ${fmtCount(diff.new)} new, ${fmtCount(diff.fixed)} fixed, ${fmtCount(diff.changed)} changed.`
                    : 'The first run: nothing to compare with.'}
                </Text>
                <GroupCards run={run} diff={diff} selected={group} onSelect={setGroup} />
                <RunFacts run={run} />
                <FindingsTable
                  key={run.id}
                  profileId={profileId}
                  runId={run.id}
                  group={group}
                  onGroup={setGroup}
                  onPage={onPage}
                  // The page the URL names is this run's only if the URL names this run (another run opens at its first page).
                  initial={{ change: query.change, search: query.q, ...(Number(query.run) === run.id ? { at: query.at, dir: query.dir, from: query.from } : {}) }}
                />
              </Stack>
            )}
          </Grid.Col>
        </Grid>
      )}
    </Stack>
  );
}
