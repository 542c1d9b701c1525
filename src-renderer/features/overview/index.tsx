/**
 * Overview: the donor-volunteer overlap as figures and a chart (each figure opens its list),
 * and the trust panel: last sync per API, quarantined records, open conflicts and duplicate
 * candidates, reconciliation findings — how far to trust the numbers.
 */
import { useCallback, useEffect, useState } from 'react';
import { Badge, Card, Group, Loader, SimpleGrid, Stack, Table, Text, Title, UnstyledButton } from '@mantine/core';
import { BarChart } from '@mantine/charts';
import type { ViewProps } from '../../app/views';
import { api, onEvent } from '../../ipc/client';
import { navigate } from '../../app/router';
import { EmptyState } from '../../components/EmptyState';
import type { Overview } from '../../../src-shared/domain/insights';

const API_LABEL = { vomo: 'VOMO', crm: 'CRM+', raise: 'Raise' } as const;

function ago(iso: string | null): string {
  if (!iso) return 'never';
  const s = (Date.now() - Date.parse(iso)) / 1000;
  if (s < 90) return 'just now';
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 129_600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}

function Figure({ label, value, color, onOpen }: { label: string; value: number; color: string; onOpen: () => void }) {
  return (
    <UnstyledButton onClick={onOpen} aria-label={`${label}: ${value.toLocaleString('en-US')} — open the list`}>
      <Card withBorder padding="md">
        <Text size="sm" c="dimmed">
          {label}
        </Text>
        <Text fz={34} fw={700} c={color}>
          {value.toLocaleString('en-US')}
        </Text>
      </Card>
    </UnstyledButton>
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
  if (o.totalPersons === 0)
    return (
      <EmptyState title="Nobody here yet">
        The overview fills in after the first sync joins VOMO, CRM+ and Raise. Run a sync from the Sync view.
      </EmptyState>
    );

  const data = [
    { segment: 'Donor-volunteers', persons: o.donorVolunteers },
    { segment: 'Volunteers only', persons: o.volunteersOnly },
    { segment: 'Donors only', persons: o.donorsOnly },
  ];
  const t = o.trust;
  return (
    <Stack gap="lg">
      <Title order={2}>Overview</Title>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Figure label="Donor-volunteers" value={o.donorVolunteers} color="indigo" onOpen={() => navigate('insights', 'donor-volunteers')} />
        <Figure label="Volunteers only" value={o.volunteersOnly} color="teal" onOpen={() => navigate('insights', 'volunteer-only')} />
        <Figure label="Donors only" value={o.donorsOnly} color="grape" onOpen={() => navigate('insights', 'donors-only')} />
        <Figure label="Total persons" value={o.totalPersons} color="dark" onOpen={() => navigate('people')} />
      </SimpleGrid>
      <Card withBorder aria-label="Overlap chart">
        <BarChart h={220} data={data} dataKey="segment" series={[{ name: 'persons', color: 'indigo.6', label: 'Persons' }]} withTooltip withBarValueLabel />
      </Card>
      <Card withBorder>
        <Title order={4} mb="sm">
          How far to trust these numbers
        </Title>
        <Table aria-label="Last sync per API" mb="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>API</Table.Th>
              <Table.Th>Last sync</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Last successful</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {t.sync.map((s) => (
              <Table.Tr key={s.api}>
                <Table.Td>{API_LABEL[s.api]}</Table.Td>
                <Table.Td title={s.lastRunAt ?? undefined}>{ago(s.lastRunAt)}</Table.Td>
                <Table.Td>
                  {s.lastStatus ? (
                    <Badge color={s.lastStatus === 'ok' ? 'green' : s.lastStatus === 'failed' ? 'red' : 'yellow'} variant="light" title={s.errorMessage ?? undefined}>
                      {s.lastStatus}
                    </Badge>
                  ) : (
                    '—'
                  )}
                </Table.Td>
                <Table.Td>{ago(s.lastOkAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Group gap="xl">
          <UnstyledButton onClick={() => navigate('conflicts')} aria-label={`Open conflicts: ${t.openConflicts}`}>
            <Text size="sm">
              Open conflicts <b>{t.openConflicts}</b>
            </Text>
          </UnstyledButton>
          <UnstyledButton onClick={() => navigate('duplicates')} aria-label={`Open duplicate candidates: ${t.openDuplicates}`}>
            <Text size="sm">
              Open duplicate candidates <b>{t.openDuplicates}</b>
            </Text>
          </UnstyledButton>
          <UnstyledButton onClick={() => navigate('sync')} aria-label={`Records quarantined: ${t.quarantined}`}>
            <Text size="sm">
              Records quarantined <b>{t.quarantined}</b>
            </Text>
          </UnstyledButton>
          {t.reconciliationFindings !== null && (
            <UnstyledButton onClick={() => navigate('reconciliation')} aria-label={`Reconciliation findings: ${t.reconciliationFindings}`}>
              <Text size="sm">
                Reconciliation findings <b>{t.reconciliationFindings}</b>
              </Text>
            </UnstyledButton>
          )}
        </Group>
        {t.measuresRefreshedAt && (
          <Text size="xs" c="dimmed" mt="xs">
            Hours and engagement measures computed {ago(t.measuresRefreshedAt)}.
          </Text>
        )}
      </Card>
    </Stack>
  );
}
