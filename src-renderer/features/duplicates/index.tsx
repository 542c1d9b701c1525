/**
 * Duplicates: split candidates (probably one person in two rows) side by side with the
 * evidence in plain words and a score; approve a merge, reject ("not the same person"), skip.
 * Every merge can be undone from the toast or from the merge history.
 */
import { useCallback, useEffect, useState } from 'react';
import { Anchor, Badge, Button, Card, Group, List, Loader, Pagination, SegmentedControl, SimpleGrid, Stack, Tabs, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api, onEvent } from '../../ipc/client';
import { navigate } from '../../app/router';
import { EmptyState } from '../../components/EmptyState';
import { mergeReasonText, SPLIT_KIND_LABELS, type MergeRecord, type PersonBrief, type SplitCandidate } from '../../../src-shared/domain/identity';
import { DataTable } from '../../components/DataTable';
import { fmtCount, fmtDateTime, fmtDay, fmtHours, fmtMoney } from '../../../src-shared/format';

const PAGE = 10;
function Side({ p, id, label }: { p: PersonBrief | null; id: string; label: string }) {
  if (!p) return <Text c="dimmed">{id} (no longer in the store)</Text>;
  return (
    <Stack gap={4}>
      <Text size="xs" c="dimmed">
        {label} · {p.id}
      </Text>
      <Anchor fw={600} onClick={() => navigate('person', p.id)}>
        {p.displayName}
      </Anchor>
      <Text size="sm">{p.displayEmail ?? '—'}</Text>
      <Text size="sm">{p.displayPhone ?? '—'}</Text>
      {p.postal && <Text size="sm">Postal {p.postal}</Text>}
      <Group gap={4}>
        {p.hasVomo && <Badge size="sm" color="teal" variant="light" style={{ textTransform: 'none' }}>VOMO {p.vomoUserId}</Badge>}
        {p.hasCrm && <Badge size="sm" color="indigo" variant="light" style={{ textTransform: 'none' }}>CRM+ {p.crmContactId}</Badge>}
        {p.hasRaise && <Badge size="sm" color="grape" variant="light" style={{ textTransform: 'none' }}>Raise {p.raiseDonorId}</Badge>}
      </Group>
      <Text size="xs" c="dimmed">
        Lifetime giving {fmtMoney(p.lifetimeGivingCents)} · {fmtHours(p.vomoHoursVerified)} verified hours
      </Text>
    </Stack>
  );
}

function CandidateCard({ c, profileId, onDone }: { c: SplitCandidate; profileId: number; onDone: (merge?: { mergeId: number }) => void }) {
  const [survivor, setSurvivor] = useState<string>(c.personA);
  const [busy, setBusy] = useState(false);
  const nameA = c.a?.displayName ?? c.personA;
  const nameB = c.b?.displayName ?? c.personB;
  const run = async (fn: () => Promise<unknown>, ok: string) => {
    setBusy(true);
    try {
      const r = await fn();
      if (ok) notifications.show({ message: ok });
      onDone(r as { mergeId: number });
    } catch (err) {
      notifications.show({ color: 'red', title: 'That did not work', message: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder padding="md" data-testid={`candidate-${c.id}`}>
      <Group justify="space-between" mb="sm">
        <Group gap="xs">
          <Badge size="lg" color={c.score >= 90 ? 'red' : c.score >= 75 ? 'orange' : 'yellow'} aria-label={`Score ${c.score} of 100`}>
            {c.score}
          </Badge>
          <Text fw={600}>{SPLIT_KIND_LABELS[c.kind] ?? c.kind}</Text>
        </Group>
        <Text size="xs" c="dimmed">
          seen since {fmtDay(c.firstSeenAt)}
        </Text>
      </Group>
      <SimpleGrid cols={2} mb="sm">
        <Side p={c.a} id={c.personA} label="A" />
        <Side p={c.b} id={c.personB} label="B" />
      </SimpleGrid>
      <Text size="sm" fw={500}>
        Evidence
      </Text>
      <List size="sm" spacing={4} mb="sm">
        {c.evidence.map((e, i) => (
          <List.Item key={i}>
            {e.text}{' '}
            <Text span size="xs" c="dimmed">
              ({e.points} points · would break: {e.matchCard.wouldBreak})
            </Text>
          </List.Item>
        ))}
      </List>
      <Group justify="space-between">
        <Group gap="xs">
          <Text size="sm">Keep the ID of</Text>
          <SegmentedControl
            size="xs"
            aria-label="Surviving person"
            value={survivor}
            onChange={setSurvivor}
            data={[
              { value: c.personA, label: `A · ${nameA}` },
              { value: c.personB, label: `B · ${nameB}` },
            ]}
          />
        </Group>
        <Group gap="xs">
          <Button
            disabled={busy}
            aria-label={`Approve merge of ${nameA} and ${nameB}`}
            onClick={() => void run(() => api['splits.approve']({ profileId, candidateId: c.id, survivorId: survivor }), '')}
            data-approve
          >
            Approve merge
          </Button>
          <Button
            variant="default"
            disabled={busy}
            aria-label={`Not the same person: ${nameA} and ${nameB}`}
            onClick={() => void run(() => api['splits.reject']({ profileId, candidateId: c.id }), 'Remembered: not the same person')}
            data-reject
          >
            Not the same person
          </Button>
          <Button variant="subtle" color="gray" disabled={busy} aria-label={`Skip ${nameA} and ${nameB}`} onClick={() => onDone()}>
            Skip
          </Button>
        </Group>
      </Group>
    </Card>
  );
}

export default function DuplicatesView({ profileId }: { profileId: number; param?: string | null }) {
  const [tab, setTab] = useState<string | null>('queue');
  const [page, setPage] = useState(1);
  const [skipped, setSkipped] = useState<Set<number>>(new Set());
  const [data, setData] = useState<{ total: number; items: SplitCandidate[] } | null>(null);
  const [merges, setMerges] = useState<MergeRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [c, m] = await Promise.all([api['splits.list']({ profileId, status: 'open', offset: (page - 1) * PAGE, limit: PAGE }), api['merges.list']({ profileId })]);
      setData(c);
      setMerges(m);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [profileId, page]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => onEvent('data.changed', (p) => (p.profileId === profileId || p.profileId === null) && void load()), [profileId, load]);

  const undo = async (mergeId: number) => {
    try {
      await api['merges.undo']({ profileId, mergeId });
      notifications.show({ message: 'Merge undone: both persons are back' });
      await load();
    } catch (err) {
      notifications.show({ color: 'red', title: 'Could not undo', message: (err as Error).message });
    }
  };

  const items = (data?.items ?? []).filter((c) => !skipped.has(c.id));

  return (
    <Stack gap="md">
      <div>
        <Title order={2}>Duplicates</Title>
        <Text c="dimmed" size="sm">
          Rows that are probably one person. Nothing merges without your approval, merging never changes VOMO, CRM+ or Raise, and every merge can be undone.
        </Text>
      </div>
      <Tabs value={tab} onChange={setTab}>
        <Tabs.List>
          <Tabs.Tab value="queue">Review queue{data ? ` (${fmtCount(data.total)})` : ''}</Tabs.Tab>
          <Tabs.Tab value="history">Merge history{merges ? ` (${fmtCount(merges.length)})` : ''}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="queue" pt="md">
          {error && <Text c="red">{error}</Text>}
          {!data && !error && <Loader />}
          {data && items.length === 0 && <EmptyState title="No candidates to review">Candidates are looked for after every sync: email changes, shared phones, CRM+ references, Raise donors' CRM+ keys.</EmptyState>}
          <Stack gap="md">
            {items.map((c) => (
              <CandidateCard
                key={c.id}
                c={c}
                profileId={profileId}
                onDone={(merge) => {
                  if (!merge) setSkipped(new Set([...skipped, c.id]));
                  if (merge?.mergeId) {
                    const id = merge.mergeId;
                    notifications.show({
                      id: `merge-${id}`,
                      autoClose: 10_000,
                      title: 'Merged',
                      message: (
                        <Group gap="xs">
                          <Text size="sm">The two rows are one person now.</Text>
                          <Button
                            size="compact-xs"
                            variant="light"
                            aria-label="Undo merge"
                            onClick={() => {
                              notifications.hide(`merge-${id}`);
                              void undo(id);
                            }}
                          >
                            Undo
                          </Button>
                        </Group>
                      ),
                    });
                  }
                  void load();
                }}
              />
            ))}
          </Stack>
          {data && data.total > PAGE && <Pagination mt="md" aria-label="Candidate pages" value={page} onChange={setPage} total={Math.ceil(data.total / PAGE)} />}
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="md">
          {merges && merges.length === 0 && <EmptyState title="No merges yet">Approved merges are listed here, each with Undo.</EmptyState>}
          {merges && merges.length > 0 && (
            <DataTable<MergeRecord>
              ariaLabel="Merge history"
              columns={[
                { id: 'when', header: 'When', cell: (m) => fmtDateTime(m.mergedAt) },
                { id: 'kept', header: 'Kept', cell: (m) => <Anchor component="button" type="button" size="sm" onClick={() => navigate('person', m.survivorId)}>{m.survivorName ?? m.survivorId}</Anchor> },
                { id: 'merged', header: 'Merged into it', cell: (m) => m.mergedName ?? m.mergedId },
                { id: 'why', header: 'Why', cell: (m) => mergeReasonText(m.reason) ?? '—', wrap: 320 },
                { id: 'who', header: 'Who', cell: (m) => m.mergedBy },
                {
                  id: 'undo',
                  header: 'Undo',
                  cell: (m) =>
                    m.undoneAt ? (
                      <Badge variant="light" color="gray">
                        undone {fmtDay(m.undoneAt)}
                      </Badge>
                    ) : (
                      <Button size="compact-xs" variant="light" aria-label={`Undo merge of ${m.mergedName ?? m.mergedId} into ${m.survivorName ?? m.survivorId}`} onClick={() => void undo(m.id)}>
                        Undo
                      </Button>
                    ),
                },
              ]}
              rows={merges}
              rowKey={(m) => String(m.id)}
            />
          )}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
