/**
 * Overview: the donor-volunteer overlap as figures and a chart (each figure opens its list),
 * and the trust panel: last sync per API, quarantined records, open conflicts and duplicate
 * candidates, reconciliation findings — how far to trust the numbers.
 */
import { useCallback, useEffect, useState } from 'react';
import { Badge, Card, Group, Loader, SimpleGrid, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { BarChart } from '@mantine/charts';
import type { ViewProps } from '../../app/views';
import { api, onEvent } from '../../ipc/client';
import { navigate } from '../../app/router';
import { EmptyState } from '../../components/EmptyState';
import { DataTable } from '../../components/DataTable';
import type { Overview } from '../../../src-shared/domain/insights';
import { API_LABELS } from '../../../src-shared/domain/apis';
import { fmtAgo, fmtCount } from '../../../src-shared/format';
import { useSyncStatus } from '../sync/useSyncStatus';
import { SyncProgressLine } from '../sync/SyncProgressLine';

/** One colour per segment, shared by the figures and the chart (a readable shade in each scheme). */
const SEGMENT = {
  donorVolunteers: { color: 'indigo', label: 'Donor-volunteers', list: 'donor-volunteers' },
  volunteersOnly: { color: 'teal', label: 'Volunteers only', list: 'volunteer-only' },
  donorsOnly: { color: 'grape', label: 'Donors only', list: 'donors-only' },
} as const;

/** Text in a colour that keeps AA contrast on the card in light and dark. */
export function textShade(color: string): string {
  return `light-dark(var(--mantine-color-${color}-9), var(--mantine-color-${color}-3))`;
}

type SyncRow = Overview['trust']['sync'][number];

function Figure({ label, value, color, onOpen }: { label: string; value: number; color: string | null; onOpen: () => void }) {
  return (
    <UnstyledButton onClick={onOpen} aria-label={`${label}: ${fmtCount(value)} — open the list`}>
      <Card withBorder padding="md" style={color ? { borderTop: `4px solid var(--mantine-color-${color}-6)` } : undefined}>
        <Text size="sm" c="dimmed">
          {label}
        </Text>
        <Text fz={34} fw={700} style={color ? { color: textShade(color) } : undefined}>
          {fmtCount(value)}
        </Text>
      </Card>
    </UnstyledButton>
  );
}

/** First run: the sync that fills the overview is already running, so say so and show it. */
function Filling({ profileId }: { profileId: number }) {
  const { status, progress } = useSyncStatus(profileId);
  const running = !!status?.running;
  return (
    <EmptyState
      title={running ? 'The first sync is running' : 'Nobody here yet'}
      action={
        running ? (
          <Stack gap="xs" w="100%" maw={520} aria-label="First sync progress">
            {Object.values(progress).map((p) => p && <SyncProgressLine key={p.api} p={p} />)}
          </Stack>
        ) : undefined
      }
    >
      {running
        ? 'Twofold is reading VOMO, CRM+ and Raise and joining them into people. The overview fills in when it ends.'
        : 'The overview fills in after the first sync joins VOMO, CRM+ and Raise. Run a sync from the Sync view.'}
    </EmptyState>
  );
}

export default function OverviewView({ profileId }: ViewProps) {
  const [o, setO] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api['insights.overview']({ profileId })
      .then((v) => {
        setO(v);
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, [profileId]);
  useEffect(() => {
    load();
    return onEvent('data.changed', (e) => {
      if (e.profileId === profileId && e.scope !== 'exports') load();
    });
  }, [profileId, load]);

  if (error) return <EmptyState title="Overview">{error}</EmptyState>;
  if (!o) return <Loader aria-label="Loading overview" />;
  if (o.totalPersons === 0) return <Filling profileId={profileId} />;

  const segments = (Object.keys(SEGMENT) as (keyof typeof SEGMENT)[]).map((k) => ({ key: k, ...SEGMENT[k], value: o[k] }));
  const data = segments.map((s) => ({ segment: s.label, persons: s.value, color: `${s.color}.6` }));
  const t = o.trust;
  return (
    <Stack gap="lg">
      <Title order={2}>Overview</Title>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        {segments.map((s) => (
          <Figure key={s.key} label={s.label} value={s.value} color={s.color} onOpen={() => navigate('insights', s.list)} />
        ))}
        <Figure label="Total persons" value={o.totalPersons} color={null} onOpen={() => navigate('people')} />
      </SimpleGrid>
      <Card withBorder aria-label="Overlap chart">
        <BarChart h={220} data={data} dataKey="segment" series={[{ name: 'persons', label: 'Persons' }]} withTooltip withBarValueLabel valueFormatter={(v) => fmtCount(v)} />
      </Card>
      <Card withBorder>
        <Title order={4} mb="sm">
          How far to trust these numbers
        </Title>
        <DataTable<SyncRow>
          ariaLabel="Last sync per API"
          striped={false}
          columns={[
            { id: 'api', header: 'API', cell: (s) => API_LABELS[s.api] },
            { id: 'last', header: 'Last sync', cell: (s) => <span title={s.lastRunAt ?? undefined}>{fmtAgo(s.lastRunAt)}</span> },
            {
              id: 'status',
              header: 'Status',
              cell: (s) =>
                s.lastStatus ? (
                  <Badge color={s.lastStatus === 'ok' ? 'green' : s.lastStatus === 'failed' ? 'red' : 'yellow'} variant="light" title={s.errorMessage ?? undefined}>
                    {s.lastStatus === 'ok' ? 'ok' : s.lastStatus}
                  </Badge>
                ) : (
                  '—'
                ),
            },
            { id: 'ok', header: 'Last successful', cell: (s) => fmtAgo(s.lastOkAt) },
          ]}
          rows={t.sync}
          rowKey={(s) => s.api}
        />
        <Group gap="xl" mt="sm">
          <UnstyledButton onClick={() => navigate('conflicts')} aria-label={`Open conflicts: ${fmtCount(t.openConflicts)}`}>
            <Text size="sm">
              Open conflicts <b>{fmtCount(t.openConflicts)}</b>
            </Text>
          </UnstyledButton>
          <UnstyledButton onClick={() => navigate('duplicates')} aria-label={`Open duplicate candidates: ${fmtCount(t.openDuplicates)}`}>
            <Text size="sm">
              Open duplicate candidates <b>{fmtCount(t.openDuplicates)}</b>
            </Text>
          </UnstyledButton>
          <UnstyledButton onClick={() => navigate('sync')} aria-label={`Records set aside (quarantined): ${fmtCount(t.quarantined)}`}>
            <Text size="sm">
              Records set aside <b>{fmtCount(t.quarantined)}</b>
            </Text>
          </UnstyledButton>
          {t.reconciliationFindings !== null && (
            <UnstyledButton onClick={() => navigate('reconciliation')} aria-label={`Reconciliation findings: ${fmtCount(t.reconciliationFindings)}`}>
              <Text size="sm">
                Reconciliation findings <b>{fmtCount(t.reconciliationFindings)}</b>
              </Text>
            </UnstyledButton>
          )}
        </Group>
        {t.measuresRefreshedAt && (
          <Text size="xs" c="dimmed" mt="xs">
            Hours and engagement measures computed {fmtAgo(t.measuresRefreshedAt)}.
          </Text>
        )}
      </Card>
    </Stack>
  );
}
