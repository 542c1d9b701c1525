/**
 * Person: the figures every list shows for this person (and which systems each counts), every
 * source record and field side by side (authority marked, disagreements highlighted), then tabs:
 * gifts, hours, email lineage, links with match cards, conflicts, duplicate candidates, merges
 * and the audit trail.
 */
import { useCallback, useEffect, useState } from 'react';
import { Anchor, Badge, Button, Card, Code, Group, Loader, SimpleGrid, Stack, Tabs, Text, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api, onEvent } from '../../ipc/client';
import { navigate } from '../../app/router';
import { EmptyState } from '../../components/EmptyState';
import { DataTable, type DataColumn } from '../../components/DataTable';
import { SystemBadges } from '../../components/SystemBadges';
import { mergeReasonText, SPLIT_KIND_LABELS, type PersonDetail } from '../../../src-shared/domain/identity';
import { FIGURE_NOTES } from '../../../src-shared/domain/figures';
import { fmtCount, fmtDateTime, fmtDay, fmtHours, fmtMoney } from '../../../src-shared/format';
import { OptedOutBadge } from '../insights/listColumns';

const FIELD_LABEL: Record<string, string> = { email: 'Email', first_name: 'First name', last_name: 'Last name', phone: 'Phone', address: 'Address' };
const SOURCE_LABEL: Record<string, string> = { vomo: 'VOMO user', crm_individual: 'CRM+ individual', crm_contact: 'CRM+ contact', raise: 'Raise donor' };

type Field = PersonDetail['fields'][number];
type Link = PersonDetail['links'][number];
type Gift = PersonDetail['gifts'][number];
type Participation = PersonDetail['participations'][number];
type Lineage = PersonDetail['lineage'][number];

/** "first_name" → "First name": stored column names read as words. */
function words(key: string): string {
  const w = key.replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return w.charAt(0).toUpperCase() + w.slice(1);
}

function Records({ title, rows }: { title: string; rows: Record<string, unknown>[] }) {
  if (!rows.length) return null;
  return (
    <Card withBorder padding="sm">
      <Text fw={600} mb={4}>
        {title}
      </Text>
      {rows.map((r, i) => (
        <DataTable
          key={i}
          ariaLabel={`${title} ${i + 1}`}
          compact
          striped={false}
          highlightOnHover={false}
          columns={[
            { id: 'k', header: 'Field', cell: (e: [string, unknown]) => words(e[0]) },
            { id: 'v', header: 'Value', cell: (e: [string, unknown]) => String(e[1]), wrap: 520 },
          ]}
          rows={Object.entries(r).filter(([, v]) => v !== null && v !== '')}
          rowKey={(e) => e[0]}
        />
      ))}
    </Card>
  );
}

function Figure({ label, value, note, children }: { label: string; value: string; note: string; children?: React.ReactNode }) {
  return (
    <Card withBorder padding="sm" role="group" aria-label={label}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} fz="lg" data-figure={label}>
        {value}
      </Text>
      <Text size="xs" c="dimmed">
        {note}
      </Text>
      {children}
    </Card>
  );
}

function optInText(v: boolean | null | undefined): string {
  return v === false ? 'Opted out' : v === true ? 'Opted in' : 'Unknown';
}

function verifiedText(p: Participation): string {
  if (!p.attended) return 'Not attended';
  if (p.verifiedBy === 'flag') return p.verified ? 'Yes (VOMO verified it)' : 'No (VOMO says not verified)';
  return p.verified ? 'Yes (checked in and out)' : 'No (no check-out)';
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
  if (!d) return <Loader aria-label="Loading person" />;
  const p = d.person as Record<string, string | number | null>;
  const f = d.figures;
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

  const fieldColumns: DataColumn<Field>[] = [
    {
      id: 'field',
      header: 'Field',
      cell: (x) => (
        <Group gap={6} wrap="nowrap" preventGrowOverflow={false}>
          <span>{FIELD_LABEL[x.field] ?? words(x.field)}</span>
          {x.disagree && (
            <Badge size="sm" color="orange">
              differs
            </Badge>
          )}
          {x.field === 'email' && f?.emailOptedIn === false && <OptedOutBadge />}
        </Group>
      ),
    },
    ...(['vomo', 'crm', 'raise'] as const).map(
      (s): DataColumn<Field> => ({
        id: s,
        header: s === 'vomo' ? 'VOMO' : s === 'crm' ? 'CRM+' : 'Raise',
        cell: (x) => (
          <Group gap={6} wrap="nowrap" preventGrowOverflow={false}>
            <Text span size="sm" fw={x.authority === s ? 600 : undefined} c={x[s] ? undefined : 'dimmed'}>
              {x[s] ?? '—'}
            </Text>
            {x.authority === s && (
              <Badge size="sm" variant="light">
                authority
              </Badge>
            )}
          </Group>
        ),
      }),
    ),
    { id: 'shown', header: 'Shown', cell: (x) => x.display ?? '—' },
  ];

  const linkColumns: DataColumn<Link>[] = [
    {
      id: 'record',
      header: 'Record',
      cell: (l) => (
        <Group gap={6} wrap="nowrap" preventGrowOverflow={false}>
          <span>
            {SOURCE_LABEL[l.source] ?? l.source} {l.sourceId}
          </span>
          {!l.active && (
            <Badge size="sm" color="gray">
              past
            </Badge>
          )}
        </Group>
      ),
    },
    { id: 'why', header: 'Why it is here', cell: (l) => l.matchCard.summary, wrap: 300 },
    { id: 'break', header: 'What would break it', cell: (l) => l.matchCard.wouldBreak, wrap: 240 },
    { id: 'seen', header: 'Seen', cell: (l) => `${fmtDay(l.firstSeenAt)} – ${fmtDay(l.lastSeenAt)}` },
    {
      id: 'actions',
      header: 'Actions',
      cell: (l) =>
        l.active && anchor && l.sourceKey !== anchor.sourceKey ? (
          <Group gap={4} wrap="nowrap" preventGrowOverflow={false}>
            <Button size="compact-xs" variant="light" aria-label={`Confirm ${l.sourceKey} is the same person`} onClick={() => void verdict(anchor.sourceKey, l.sourceKey, 'same')}>
              Same
            </Button>
            <Button size="compact-xs" variant="subtle" color="red" aria-label={`${l.sourceKey} is not the same person`} onClick={() => void verdict(anchor.sourceKey, l.sourceKey, 'not_same')}>
              Not this person
            </Button>
          </Group>
        ) : null,
    },
  ];

  const giftColumns: DataColumn<Gift>[] = [
    { id: 'date', header: 'Date', cell: (g) => fmtDay(g.date) },
    { id: 'system', header: 'System', cell: (g) => (g.system === 'crm' ? 'CRM+' : 'Raise') },
    { id: 'amount', header: 'Amount', cell: (g) => fmtMoney(g.amountCents), align: 'right' },
    {
      id: 'counted',
      header: 'In lifetime giving',
      cell: (g) =>
        g.system === 'raise' && g.sameAs ? (
          <Tooltip label={`CRM+ has this gift too (gift ${g.sameAs}); it counts once, as that CRM+ gift`}>
            <Text span size="sm">
              once, as CRM+ gift {g.sameAs}
            </Text>
          </Tooltip>
        ) : g.system === 'crm' && g.sameAs ? (
          `yes (copy of Raise gift ${g.sameAs})`
        ) : g.system === 'raise' ? (
          'yes (not in CRM+ yet)'
        ) : d.giving.householdOwner ? (
          `on ${d.giving.householdOwner.name}`
        ) : (
          'yes'
        ),
    },
    { id: 'detail', header: 'Detail', cell: (g) => g.detail ?? '', wrap: 360 },
  ];

  const partColumns: DataColumn<Participation>[] = [
    { id: 'date', header: 'Date', cell: (r) => fmtDay(r.date) },
    { id: 'project', header: 'Project', cell: (r) => r.projectName ?? '—', wrap: 320 },
    { id: 'hours', header: 'Hours', cell: (r) => fmtHours(r.hours), align: 'right' },
    { id: 'verified', header: 'Verified', cell: (r) => verifiedText(r) },
  ];

  const lineageColumns: DataColumn<Lineage>[] = [
    {
      id: 'address',
      header: 'Address',
      cell: (e) => (
        <Group gap={6} wrap="nowrap" preventGrowOverflow={false}>
          <Code>{e.email ?? e.emailNorm}</Code>
          {!e.isCurrent && (
            <Badge size="sm" color="gray">
              no longer shown
            </Badge>
          )}
        </Group>
      ),
    },
    { id: 'by', header: 'Shown by', cell: (e) => `${SOURCE_LABEL[e.source] ?? e.source} ${e.sourceId}` },
    { id: 'first', header: 'First seen', cell: (e) => fmtDay(e.firstSeenAt) },
    { id: 'last', header: 'Last seen', cell: (e) => (e.isCurrent ? 'now' : fmtDay(e.lastSeenAt)) },
  ];

  const g = d.giving;
  const givingNote = g.householdOwner
    ? `This CRM+ household's giving is counted on ${g.householdOwner.name}.`
    : g.crmCents !== null && g.raiseNotInCrmCents > 0
      ? `CRM+ ${fmtMoney(g.crmCents)} + Raise gifts not yet in CRM+ ${fmtMoney(g.raiseNotInCrmCents)}.`
      : FIGURE_NOTES.lifetimeGiving;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2}>{d.displayName}</Title>
          <Text c="dimmed" size="sm">
            {p.display_email ?? 'no email'} · {p.display_phone ?? 'no phone'} · {id}
          </Text>
          <Group gap={4} mt={4}>
            <SystemBadges vomo={p.has_vomo === 1} crm={p.has_crm === 1} raise={p.has_raise === 1} size="md" />
            {p.is_donor_volunteer === 1 && <Badge color="green">Donor-volunteer</Badge>}
            {f?.emailOptedIn === false && (
              <Badge color="orange" variant="outline" title="Outreach exports leave this address out">
                Email opted out
              </Badge>
            )}
            {p.crm_shared_email === 1 && (
              <Badge color="orange" variant="light" title="Two individuals of this CRM+ household share the email">
                Shared household email
              </Badge>
            )}
          </Group>
        </div>
        <Group gap="xs">
          {f?.crmUrl && (
            <Anchor href={f.crmUrl} target="_blank" rel="noreferrer">
              View in CRM+
            </Anchor>
          )}
        </Group>
      </Group>

      {d.figuresUpdating && (
        <Text size="sm" c="dimmed" data-testid="figures-updating">
          {f ? 'Figures as of the last refresh: updating…' : 'Figures: updating…'}
        </Text>
      )}
      {f && (
        <SimpleGrid cols={{ base: 2, md: 3, lg: 6 }} spacing="sm" aria-label="Figures">
          <Figure label="Lifetime giving" value={fmtMoney(f.lifetimeGivingCents)} note={givingNote}>
            {g.householdOwner && (
              <Anchor size="xs" onClick={() => navigate('person', g.householdOwner!.id)}>
                Open {g.householdOwner.name}
              </Anchor>
            )}
          </Figure>
          <Figure label="Last gift" value={fmtDay(f.lastGiftDate)} note={FIGURE_NOTES.lastGift} />
          <Figure label="Verified hours" value={fmtHours(f.verifiedHours)} note={FIGURE_NOTES.verifiedHours} />
          <Figure label="Participations" value={fmtCount(f.participations)} note={`${fmtCount(f.verifiedParticipations)} verified, in VOMO.`} />
          <Figure label="Last participation" value={fmtDay(f.lastParticipationAt)} note={FIGURE_NOTES.lastParticipation} />
          <Figure label="Email opt-in" value={optInText(f.emailOptedIn)} note={FIGURE_NOTES.emailOptIn} />
        </SimpleGrid>
      )}

      <DataTable
        ariaLabel="Fields by system"
        withTableBorder
        striped={false}
        columns={fieldColumns}
        rows={d.fields}
        rowKey={(x) => x.field}
        rowProps={(x) => ({ style: x.disagree ? { background: 'var(--mantine-color-orange-light)' } : undefined })}
      />

      <Tabs defaultValue="links">
        <Tabs.List>
          <Tabs.Tab value="links">Links ({fmtCount(d.links.length)})</Tabs.Tab>
          <Tabs.Tab value="records">Source records</Tabs.Tab>
          <Tabs.Tab value="gifts">Gifts ({fmtCount(d.gifts.length)})</Tabs.Tab>
          <Tabs.Tab value="hours">Participations ({fmtCount(d.participations.length)})</Tabs.Tab>
          <Tabs.Tab value="lineage">Email lineage ({fmtCount(d.lineage.length)})</Tabs.Tab>
          <Tabs.Tab value="conflicts">Conflicts ({fmtCount(d.conflicts.filter((c) => c.status === 'open').length)})</Tabs.Tab>
          <Tabs.Tab value="candidates">Candidates ({fmtCount(d.candidates.length)})</Tabs.Tab>
          <Tabs.Tab value="audit">Audit ({fmtCount(d.audit.length + d.merges.length)})</Tabs.Tab>
        </Tabs.List>

        <Tabs.Panel value="links" pt="sm">
          <DataTable ariaLabel="Links" columns={linkColumns} rows={d.links} rowKey={(l) => l.sourceKey + l.firstSeenAt} rowProps={(l) => ({ style: l.active ? undefined : { opacity: 0.75 } })} />
          {d.findings.map((x) => (
            <Text key={x.kind + x.sourceId} size="sm" c="orange" mt="xs">
              {x.kind === 'crm_key_email_mismatch'
                ? `Raise donor ${x.sourceId} points at CRM+ contact ${String(x.detail.crmKey)}, whose email differs (${String(x.detail.raiseEmail)}).`
                : `Raise donor ${x.sourceId} names CRM+ contact ${String(x.detail.crmKey)}, which is not in CRM+.`}
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
            <Stack gap="xs">
              <Text size="sm" c="dimmed">
                {FIGURE_NOTES.lifetimeGiving}
              </Text>
              <DataTable ariaLabel="Gifts" columns={giftColumns} rows={d.gifts} rowKey={(x) => x.system + x.id} />
            </Stack>
          )}
        </Tabs.Panel>

        <Tabs.Panel value="hours" pt="sm">
          {d.participations.length === 0 ? (
            <Text c="dimmed">No participations.</Text>
          ) : (
            <Stack gap="xs">
              <Text size="sm" c="dimmed">
                {FIGURE_NOTES.verifiedHours}
              </Text>
              <DataTable ariaLabel="Participations" columns={partColumns} rows={d.participations} rowKey={(r) => r.userId + r.id} />
            </Stack>
          )}
        </Tabs.Panel>

        <Tabs.Panel value="lineage" pt="sm">
          <DataTable ariaLabel="Email lineage" columns={lineageColumns} rows={d.lineage} rowKey={(e) => e.source + e.sourceId + e.emailNorm} />
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
                    {SPLIT_KIND_LABELS[c.kind] ?? c.kind}, score {c.score}: {other ? <Anchor onClick={() => navigate('person', other.id)}>{other.displayName}</Anchor> : '?'} — {c.evidence[0]?.text}
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
                {fmtDateTime(m.mergedAt)} · {m.mergedBy}: merged {m.mergedName ?? m.mergedId} into {m.survivorName ?? m.survivorId}
                {m.reason ? ` (${mergeReasonText(m.reason)})` : ''}
                {m.undoneAt ? `, undone ${fmtDateTime(m.undoneAt)}` : ''}
              </Text>
            ))}
            {d.audit.map((a, i) => (
              <Text key={i} size="sm">
                {fmtDateTime(a.at)} · {a.actor} · {auditWords(a.action)}
              </Text>
            ))}
            {d.audit.length + d.merges.length === 0 && <Text c="dimmed">Nothing recorded yet.</Text>}
          </Stack>
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

const AUDIT_WORDS: Record<string, string> = {
  'candidate.reject': 'said two rows are not the same person',
  'crm_push.create_now': 'created this person in CRM+',
  'person.merge.undo': 'undid a merge',
  'person.merged_into': 'merged another row into this person',
  'link.same': 'confirmed a link',
  'link.not_same': 'split a record off',
};

function auditWords(action: string): string {
  return AUDIT_WORDS[action] ?? action.replace(/[._]/g, ' ');
}
