/**
 * Person: every source record and field side by side (authority marked, disagreements
 * highlighted), then tabs: gifts, hours, email lineage, links with match cards, conflicts,
 * duplicate candidates, merges and the audit trail.
 */
import { useCallback, useEffect, useState } from 'react';
import { Anchor, Badge, Button, Card, Code, Group, Loader, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api, onEvent } from '../../ipc/client';
import { navigate } from '../../app/router';
import { EmptyState } from '../../components/EmptyState';
import type { PersonDetail } from '../../../src-shared/domain/identity';

const FIELD_LABEL: Record<string, string> = { email: 'Email', first_name: 'First name', last_name: 'Last name', phone: 'Phone', address: 'Address' };
const SOURCE_LABEL: Record<string, string> = { vomo: 'VOMO user', crm_individual: 'CRM+ individual', crm_contact: 'CRM+ contact', raise: 'Raise donor' };
const money = (c: number | null) => (c == null ? '—' : (c / 100).toLocaleString(undefined, { style: 'currency', currency: 'USD' }));
const day = (s: string | null | undefined) => (s ? s.slice(0, 10) : '—');

function Records({ title, rows }: { title: string; rows: Record<string, unknown>[] }) {
  if (!rows.length) return null;
  return (
    <Card withBorder padding="sm">
      <Text fw={600} mb={4}>
        {title}
      </Text>
      {rows.map((r, i) => (
        <Table key={i} withRowBorders={false} verticalSpacing={2} mb="xs">
          <Table.Tbody>
            {Object.entries(r)
              .filter(([, v]) => v !== null && v !== '')
              .map(([k, v]) => (
                <Table.Tr key={k}>
                  <Table.Td w={200}>
                    <Text size="xs" c="dimmed">
                      {k}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{String(v)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
          </Table.Tbody>
        </Table>
      ))}
    </Card>
  );
}

export default function PersonView({ profileId, param, personId }: { profileId: number; param?: string | null; personId?: string }) {
  const id = personId ?? param ?? null;
  const [d, setD] = useState<PersonDetail | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    if (!id) return;
    try {
      setD(await api['people.get']({ profileId, personId: id }));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [profileId, id]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => onEvent('data.changed', (p) => (p.profileId === profileId || p.profileId === null) && void load()), [profileId, load]);

  if (!id) return <EmptyState title="Person">Open a person from People, Conflicts or Duplicates.</EmptyState>;
  if (error) return <EmptyState title="Person">{error}</EmptyState>;
  if (!d) return <Loader />;
  const p = d.person as Record<string, string | number | null>;
  const activeLinks = d.links.filter((l) => l.active);

  const verdict = async (keyA: string, keyB: string, v: 'same' | 'not_same') => {
    try {
      await api['people.linkVerdict']({ profileId, personId: id, keyA, keyB, verdict: v });
      notifications.show({ message: v === 'same' ? 'Confirmed: the same person' : 'Split: the record now stands on its own' });
      await load();
    } catch (err) {
      notifications.show({ color: 'red', message: (err as Error).message });
    }
  };
  const anchor = activeLinks[0];

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2}>{d.displayName}</Title>
          <Text c="dimmed" size="sm">
            {p.display_email ?? 'no email'} · {p.display_phone ?? 'no phone'} · {id}
          </Text>
          <Group gap={4} mt={4}>
            {p.has_vomo === 1 && <Badge color="teal" variant="light">VOMO</Badge>}
            {p.has_crm === 1 && <Badge color="indigo" variant="light">CRM+</Badge>}
            {p.has_raise === 1 && <Badge color="grape" variant="light">Raise</Badge>}
            {p.is_donor_volunteer === 1 && <Badge color="green">Donor-volunteer</Badge>}
            {p.crm_shared_email === 1 && (
              <Badge color="orange" variant="light" title="Two individuals of this CRM+ household share the email">
                Shared household email
              </Badge>
            )}
          </Group>
        </div>
        <Group gap="xs">
          {p.crm_url && (
            <Anchor href={String(p.crm_url)} target="_blank" rel="noreferrer">
              View in CRM+
            </Anchor>
          )}
        </Group>
      </Group>

      <Group gap="xl">
        <div>
          <Text size="xs" c="dimmed">Lifetime giving</Text>
          <Text fw={600}>{money(p.lifetime_giving_cents as number)}</Text>
        </div>
        <div>
          <Text size="xs" c="dimmed">Last gift</Text>
          <Text fw={600}>{day(p.last_gift_date as string)}</Text>
        </div>
        <div>
          <Text size="xs" c="dimmed">Verified hours</Text>
          <Text fw={600}>{p.vomo_hours_verified}</Text>
        </div>
        <div>
          <Text size="xs" c="dimmed">Participations</Text>
          <Text fw={600}>{p.vomo_participations_count}</Text>
        </div>
      </Group>

      <Table withTableBorder aria-label="Fields by system">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Field</Table.Th>
            <Table.Th>VOMO</Table.Th>
            <Table.Th>CRM+</Table.Th>
            <Table.Th>Raise</Table.Th>
            <Table.Th>Shown</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {d.fields.map((f) => (
            <Table.Tr key={f.field} bg={f.disagree ? 'var(--mantine-color-orange-light)' : undefined}>
              <Table.Td>
                {FIELD_LABEL[f.field] ?? f.field}
                {f.disagree && (
                  <Badge ml={6} size="xs" color="orange">
                    differs
                  </Badge>
                )}
              </Table.Td>
              {(['vomo', 'crm', 'raise'] as const).map((s) => (
                <Table.Td key={s} fw={f.authority === s ? 600 : undefined}>
                  {f[s] ?? <Text span c="dimmed">—</Text>}
                  {f.authority === s && (
                    <Badge ml={6} size="xs" variant="light">
                      authority
                    </Badge>
                  )}
                </Table.Td>
              ))}
              <Table.Td>{f.display ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>

      <Tabs defaultValue="links">
        <Tabs.List>
          <Tabs.Tab value="links">Links ({d.links.length})</Tabs.Tab>
          <Tabs.Tab value="records">Source records</Tabs.Tab>
          <Tabs.Tab value="gifts">Gifts ({d.gifts.length})</Tabs.Tab>
          <Tabs.Tab value="hours">Participations ({d.participations.length})</Tabs.Tab>
          <Tabs.Tab value="lineage">Email lineage ({d.lineage.length})</Tabs.Tab>
          <Tabs.Tab value="conflicts">Conflicts ({d.conflicts.filter((c) => c.status === 'open').length})</Tabs.Tab>
          <Tabs.Tab value="candidates">Candidates ({d.candidates.length})</Tabs.Tab>
          <Tabs.Tab value="audit">Audit ({d.audit.length + d.merges.length})</Tabs.Tab>
        </Tabs.List>

        <Tabs.Panel value="links" pt="sm">
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Record</Table.Th>
                <Table.Th>Why it is here</Table.Th>
                <Table.Th>What would break it</Table.Th>
                <Table.Th>Seen</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {d.links.map((l) => (
                <Table.Tr key={l.sourceKey + l.firstSeenAt} opacity={l.active ? 1 : 0.6}>
                  <Table.Td>
                    {SOURCE_LABEL[l.source] ?? l.source} {l.sourceId}
                    {!l.active && (
                      <Badge ml={6} size="xs" color="gray">
                        past
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{l.matchCard.summary}</Table.Td>
                  <Table.Td>
                    <Text size="xs">{l.matchCard.wouldBreak}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">
                      {day(l.firstSeenAt)} → {day(l.lastSeenAt)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {l.active && anchor && l.sourceKey !== anchor.sourceKey && (
                      <Group gap={4} wrap="nowrap">
                        <Button size="compact-xs" variant="light" aria-label={`Confirm ${l.sourceKey} is the same person`} onClick={() => void verdict(anchor.sourceKey, l.sourceKey, 'same')}>
                          Same
                        </Button>
                        <Button size="compact-xs" variant="subtle" color="red" aria-label={`${l.sourceKey} is not the same person`} onClick={() => void verdict(anchor.sourceKey, l.sourceKey, 'not_same')}>
                          Not this person
                        </Button>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {d.findings.map((f) => (
            <Text key={f.kind + f.sourceId} size="sm" c="orange" mt="xs">
              {f.kind === 'crm_key_email_mismatch'
                ? `Raise donor ${f.sourceId} points at CRM+ contact ${String(f.detail.crmKey)} whose email differs (${String(f.detail.raiseEmail)}).`
                : `Raise donor ${f.sourceId} has a crmKey (${String(f.detail.crmKey)}) that matches no CRM+ contact.`}
            </Text>
          ))}
        </Tabs.Panel>

        <Tabs.Panel value="records" pt="sm">
          <Stack gap="sm">
            <Records title="VOMO" rows={d.sources.vomo} />
            <Records title="CRM+ contact" rows={d.sources.crmContacts} />
            <Records title="CRM+ individuals" rows={d.sources.crmIndividuals} />
            <Records title="CRM+ contact methods" rows={d.sources.crmMethods} />
            <Records title="Raise" rows={d.sources.raise} />
          </Stack>
        </Tabs.Panel>

        <Tabs.Panel value="gifts" pt="sm">
          {d.gifts.length === 0 ? (
            <Text c="dimmed">No gifts.</Text>
          ) : (
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Date</Table.Th>
                  <Table.Th>System</Table.Th>
                  <Table.Th>Amount</Table.Th>
                  <Table.Th>Detail</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {d.gifts.map((g) => (
                  <Table.Tr key={g.system + g.id}>
                    <Table.Td>{day(g.date)}</Table.Td>
                    <Table.Td>{g.system === 'crm' ? 'CRM+' : 'Raise'}</Table.Td>
                    <Table.Td>{money(g.amountCents)}</Table.Td>
                    <Table.Td>{g.detail ?? ''}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Tabs.Panel>

        <Tabs.Panel value="hours" pt="sm">
          {d.participations.length === 0 ? (
            <Text c="dimmed">No participations.</Text>
          ) : (
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Date</Table.Th>
                  <Table.Th>Project</Table.Th>
                  <Table.Th>Hours</Table.Th>
                  <Table.Th>Verified</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {d.participations.map((r) => (
                  <Table.Tr key={r.userId + r.id}>
                    <Table.Td>{day(r.date)}</Table.Td>
                    <Table.Td>{r.projectName ?? '—'}</Table.Td>
                    <Table.Td>{r.hours ?? '—'}</Table.Td>
                    <Table.Td>{r.verified == null ? 'unknown' : r.verified ? 'yes' : 'pending'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Tabs.Panel>

        <Tabs.Panel value="lineage" pt="sm">
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Address</Table.Th>
                <Table.Th>Shown by</Table.Th>
                <Table.Th>First seen</Table.Th>
                <Table.Th>Last seen</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {d.lineage.map((e) => (
                <Table.Tr key={e.source + e.sourceId + e.emailNorm}>
                  <Table.Td>
                    <Code>{e.email ?? e.emailNorm}</Code>
                    {!e.isCurrent && (
                      <Badge ml={6} size="xs" color="gray">
                        no longer shown
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {SOURCE_LABEL[e.source]} {e.sourceId}
                  </Table.Td>
                  <Table.Td>{day(e.firstSeenAt)}</Table.Td>
                  <Table.Td>{e.isCurrent ? 'now' : day(e.lastSeenAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Tabs.Panel>

        <Tabs.Panel value="conflicts" pt="sm">
          {d.conflicts.length === 0 ? (
            <Text c="dimmed">VOMO and CRM+ agree.</Text>
          ) : (
            <Stack gap={4}>
              {d.conflicts.map((c) => (
                <Text key={c.id} size="sm">
                  <b>{FIELD_LABEL[c.field]}</b>: VOMO “{c.vomoValue}” vs CRM+ “{c.crmValue}” — {c.status}
                  {c.chosenValue ? ` (kept “${c.chosenValue}”)` : ''}
                </Text>
              ))}
              <Anchor size="sm" onClick={() => navigate('conflicts')}>
                Open Conflicts
              </Anchor>
            </Stack>
          )}
        </Tabs.Panel>

        <Tabs.Panel value="candidates" pt="sm">
          {d.candidates.length === 0 ? (
            <Text c="dimmed">No open duplicate candidates.</Text>
          ) : (
            <Stack gap={4}>
              {d.candidates.map((c) => {
                const other = c.personA === id ? c.b : c.a;
                return (
                  <Text key={c.id} size="sm">
                    Score {c.score}: {other ? <Anchor onClick={() => navigate('person', other.id)}>{other.displayName}</Anchor> : '?'} — {c.evidence[0]?.text}
                  </Text>
                );
              })}
              <Anchor size="sm" onClick={() => navigate('duplicates')}>
                Review in Duplicates
              </Anchor>
            </Stack>
          )}
        </Tabs.Panel>

        <Tabs.Panel value="audit" pt="sm">
          <Stack gap={4}>
            {d.merges.map((m) => (
              <Text key={'m' + m.id} size="sm">
                {day(m.mergedAt)} · {m.mergedBy}: merged {m.mergedName ?? m.mergedId} into {m.survivorName ?? m.survivorId}
                {m.undoneAt ? ` (undone ${day(m.undoneAt)})` : ''}
              </Text>
            ))}
            {d.audit.map((a, i) => (
              <Text key={i} size="sm">
                {new Date(a.at).toLocaleString()} · {a.actor} · {a.action}
              </Text>
            ))}
            {d.audit.length + d.merges.length === 0 && <Text c="dimmed">Nothing recorded yet.</Text>}
          </Stack>
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
