import { Alert, Badge, Card, Group, List, SimpleGrid, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { GROUP_LABELS, GROUP_ORDER, type FindingGroup, type RunDiff, type RunInfo } from '../../../src-shared/domain/reconcile';
import { SOURCE_LABEL } from './format';
import { fmtCount, fmtDay, fmtMoney, plural } from '../../../src-shared/format';
import { resourceWords } from '../../../src-shared/domain/apis';
import { DataTable } from '../../components/DataTable';

const GROUP_HINT: Record<FindingGroup, string> = {
  missing_in_crm: 'Raise gifts older than the lag window with no CRM+ gift.',
  not_yet_synced: 'Inside the lag window: a state, not an error. They usually arrive on their own.',
  held_back: 'Their campaign has sync turned off in Raise.',
  probably_failed: 'Raise donors with no CRM+ key after the lag window.',
  crm_only: 'CRM+ gifts naming a Raise origin that Raise does not have (refunded or deleted).',
  mismatch: 'Matched gifts whose amount or date differ.',
  store_drift: 'Records the local store lacked or held an older copy of; re-synced.',
  gone: 'Records that disappeared at the source; kept and marked, not dropped.',
};
const STATE_GROUPS = new Set<FindingGroup>(['not_yet_synced', 'held_back']);

/** Counts per group (click to filter), with the comparison to the previous run. */
export function GroupCards({ run, diff, selected, onSelect }: { run: RunInfo; diff: RunDiff | null; selected: FindingGroup | null; onSelect: (g: FindingGroup | null) => void }) {
  const s = run.summary;
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
      {GROUP_ORDER.map((g) => {
        const count = s?.byGroup[g] ?? 0;
        const d = diff?.byGroup[g];
        const active = selected === g;
        return (
          <UnstyledButton key={g} onClick={() => onSelect(active ? null : g)} aria-pressed={active} aria-label={`${GROUP_LABELS[g]}: ${fmtCount(count)}`}>
            <Card withBorder padding="sm" h="100%" style={active ? { outline: '2px solid var(--mantine-color-indigo-5)' } : undefined}>
              <Group justify="space-between" align="flex-start" wrap="nowrap">
                <Text size="sm" fw={600}>
                  {GROUP_LABELS[g]}
                </Text>
                <Text fz={22} fw={700} c={count === 0 ? 'dimmed' : STATE_GROUPS.has(g) ? 'blue' : g === 'gone' || g === 'store_drift' ? undefined : 'orange'}>
                  {fmtCount(count)}
                </Text>
              </Group>
              <Text size="xs" c="dimmed">
                {GROUP_HINT[g]}
              </Text>
              {diff?.previousRunId && d && (
                <Group gap={4} mt={4}>
                  {d.new > 0 && <Badge size="sm" variant="light" color="orange">{`${fmtCount(d.new)} new`}</Badge>}
                  {d.fixed > 0 && <Badge size="sm" variant="light" color="green">{`${fmtCount(d.fixed)} fixed`}</Badge>}
                  {d.changed > 0 && <Badge size="sm" variant="light">{`${fmtCount(d.changed)} changed`}</Badge>}
                  {!d.new && !d.fixed && !d.changed && (
                    <Text size="xs" c="dimmed">
                      as before
                    </Text>
                  )}
                </Group>
              )}
            </Card>
          </UnstyledButton>
        );
      })}
    </SimpleGrid>
  );
}

/** Campaigns with sync off, real-world partner figures, what was checked against the APIs. */
export function RunFacts({ run }: { run: RunInfo }) {
  const s = run.summary;
  if (!s) return null;
  return (
    <Stack gap="sm">
      {s.notes.length > 0 && (
        <Alert color="yellow" title="Notes on this run">
          <List size="sm">
            {s.notes.map((n) => (
              <List.Item key={n}>{n}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
        <Card withBorder padding="sm" aria-label="Campaigns with sync turned off">
          <Title order={6}>Campaigns with sync turned off</Title>
          {s.campaignsSyncOff.length === 0 ? (
            <Text size="sm" c="dimmed">
              Every Raise campaign syncs to CRM+.
            </Text>
          ) : (
            <>
              <List size="sm">
                {s.campaignsSyncOff.map((c) => (
                  <List.Item key={c.campaignId}>
                    {c.name ?? c.campaignId}: {plural(c.gifts, 'gift')} held back ({fmtMoney(c.amountCents)}), {plural(c.donors, 'donor')}
                  </List.Item>
                ))}
              </List>
              <Text size="xs" c="dimmed">
                Sync is switched per campaign in Raise; Twofold only reports it. Re-enabling does not backfill the held-back gifts.
              </Text>
            </>
          )}
        </Card>
        <Card withBorder padding="sm" aria-label="Records without a partner">
          <Title order={6}>Without a partner in the other system</Title>
          <Text size="sm">
            {plural(s.partners.volunteersWithoutCrm, 'volunteer')} have no CRM+ contact; {plural(s.partners.contactsWithoutVomo, 'contact')} have no VOMO user.
          </Text>
          <Text size="xs" c="dimmed">
            Real-world figures, not errors: not every volunteer gives, nor every donor serves.
          </Text>
          <Text size="sm" mt={4}>
            Raise: {fmtCount(s.raise.donorsLinked)} of {plural(s.raise.donors, 'donor')} carry a CRM+ key; {fmtCount(s.raise.giftsMatched)} of {plural(s.raise.gifts, 'gift')} are in CRM+.
          </Text>
        </Card>
      </SimpleGrid>
      {(s.apiChecks.length > 0 || s.sweeps.length > 0) && (
        <DataTable<(typeof s.apiChecks)[number]>
          ariaLabel="Checked against the APIs"
          withTableBorder
          columns={[
            { id: 'api', header: 'Records', cell: (c) => `${SOURCE_LABEL[c.api]} ${resourceWords(c.resource)}` },
            { id: 'checked', header: `Re-read since ${fmtDay(run.settings.since)}`, cell: (c) => (c.status === 'ok' ? fmtCount(c.checked) : c.status), align: 'right' },
            { id: 'missing', header: 'Missing / stale (re-synced)', cell: (c) => `${fmtCount(c.missing)} / ${fmtCount(c.stale)} (${fmtCount(c.resynced)})`, align: 'right' },
            {
              id: 'sweep',
              header: 'Deletion sweep',
              cell: (c) => {
                const sw = s.sweeps.find((x) => x.api === c.api && x.resource === c.resource);
                return sw ? (sw.status === 'ok' ? `${plural(sw.sourceIds, 'ID')} listed, ${fmtCount(sw.markedGone)} newly gone` : sw.status) : '—';
              },
            },
          ]}
          rows={s.apiChecks}
          rowKey={(c) => `${c.api}:${c.resource}`}
        />
      )}
    </Stack>
  );
}
