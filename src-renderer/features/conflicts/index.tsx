/**
 * Conflicts: per person and field, the VOMO value beside the CRM+ value with the authority
 * marked. Choose a side, keep both, or dismiss, one by one or in bulk per field; export the
 * fix lists of what to correct by hand in each system.
 */
import { useCallback, useEffect, useState } from 'react';
import { Accordion, Anchor, Badge, Button, Checkbox, Group, Loader, SegmentedControl, Select, Stack, Text, Title, Tooltip } from '@mantine/core';
import { AuthoritySettings } from './AuthoritySettings';
import { notifications } from '@mantine/notifications';
import { api, onEvent } from '../../ipc/client';
import { startDownload } from '../../ipc/transport';
import { navigate } from '../../app/router';
import { EmptyState } from '../../components/EmptyState';
import { DataTable, type DataColumn } from '../../components/DataTable';
import { CursorPager, FIRST_PAGE, type CursorNav } from '../../components/CursorPager';
import { fmtCount, plural } from '../../../src-shared/format';
import { useJobs } from '../jobs/useJobs';
import { JobProgress } from '../jobs/JobProgress';
import type { Conflict } from '../../../src-shared/domain/identity';

const PAGE = 50;
const FIELD_LABEL: Record<string, string> = { email: 'Email', first_name: 'First name', last_name: 'Last name', phone: 'Phone' };
type Status = 'open' | 'resolved' | 'dismissed' | 'all';
type Choice = 'vomo' | 'crm' | 'keep_both';

function Value({ value, authority }: { value: string | null; authority: boolean }) {
  return (
    <Group gap={6} wrap="nowrap" preventGrowOverflow={false}>
      <Text size="sm" fw={authority ? 600 : 400} c={value ? undefined : 'dimmed'}>
        {value ?? '—'}
      </Text>
      {authority && (
        <Tooltip label="The authority for this field: its value is what Twofold shows">
          <Badge size="sm" variant="light" color="blue">
            authority
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}


export default function ConflictsView({ profileId }: { profileId: number; param?: string | null }) {
  const [status, setStatus] = useState<Status>('open');
  const [field, setField] = useState<string | null>(null);
  const [fresh, setFresh] = useState(false);
  const [nav, setNav] = useState<CursorNav>(FIRST_PAGE);
  const [data, setData] = useState<{ total: number; items: Conflict[]; counts: Record<string, number>; nextCursor: string | null; prevCursor: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [busy, setBusy] = useState(false);
  // A decision on many conflicts runs as a job: its progress, and a Cancel that changes nothing.
  const jobs = useJobs(profileId);
  const decision = jobs.active('conflicts');
  // A fix list is written by a job too: its progress and Cancel.
  const fixList = jobs.active('fixList');

  const load = useCallback(async () => {
    try {
      const r = await api['conflicts.list']({
        profileId,
        status,
        field: (field as Conflict['field']) ?? null,
        newSinceLastSync: fresh,
        cursor: nav.cursor ?? null,
        direction: nav.direction,
        limit: PAGE,
      });
      setData(r);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [profileId, status, field, fresh, nav]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => onEvent('data.changed', (p) => (p.profileId === profileId || p.profileId === null) && void load()), [profileId, load]);
  useEffect(() => setNav(FIRST_PAGE), [status, field, fresh]);
  useEffect(() => setSelected(new Set()), [status, field, fresh, nav]);

  const act = async (label: string, fn: () => Promise<{ updated: number }>) => {
    setBusy(true);
    try {
      const r = await fn();
      notifications.show({ message: label === 'Re-checked' ? `Re-checked: ${plural(r.updated, 'open conflict')}` : `${label}: ${plural(r.updated, 'conflict')}` });
      setSelected(new Set());
      await load();
    } catch (err) {
      if ((err as { code?: string }).code === 'CANCELLED') {
        notifications.show({ message: 'Cancelled: no conflict was changed.' });
        return;
      }
      notifications.show({ color: 'red', title: 'Could not update the conflicts', message: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  const resolve = (ids: number[], choice: Choice, label: string) => act(label, () => api['conflicts.resolve']({ profileId, ids, choice }));
  const dismiss = (ids: number[]) => act('Dismissed', () => api['conflicts.dismiss']({ profileId, ids }));
  const reopen = (ids: number[]) => act('Reopened', () => api['conflicts.reopen']({ profileId, ids }));

  const exportList = async (system: 'vomo' | 'crm') => {
    try {
      const r = await api['conflicts.exportFixList']({ profileId, system });
      if (r.cancelled) return;
      // A fix list names persons and their details: say it is not encrypted, as the export dialog does.
      if (r.path) notifications.show({ title: 'Fix list saved, not encrypted', message: `${plural(r.rows, 'correction')} in ${r.path}; Settings → Backups lists the file until you delete it.` });
      else if (r.downloadId) {
        startDownload(r.downloadId, r.fileName);
        notifications.show({ title: 'Fix list downloaded, not encrypted', message: `${plural(r.rows, 'correction')} to make in ${system === 'vomo' ? 'VOMO' : 'CRM+'}, in clear text in your browser's downloads folder.` });
      }
    } catch (err) {
      notifications.show({ color: 'red', title: 'Could not export the fix list', message: (err as Error).message });
    }
  };

  const items = data?.items ?? [];
  const ids = [...selected];
  const allOnPage = items.length > 0 && items.every((c) => selected.has(c.id));
  const openCount = Object.values(data?.counts ?? {}).reduce((a, b) => a + b, 0);

  const chosenBg = (c: Conflict, value: string | null) => (c.chosenValue != null && c.chosenValue === value ? { background: 'var(--mantine-color-green-light)', borderRadius: 4, padding: '0 4px' } : undefined);
  const columns: DataColumn<Conflict>[] = [
    {
      id: 'select',
      header: 'Select',
      width: 36,
      headerNode: <Checkbox aria-label="Select all on this page" checked={allOnPage} onChange={() => setSelected(allOnPage ? new Set() : new Set(items.map((c) => c.id)))} />,
      cell: (c) => (
        <Checkbox
          aria-label={`Select ${c.personName} ${FIELD_LABEL[c.field].toLowerCase()}`}
          checked={selected.has(c.id)}
          onChange={() => {
            const next = new Set(selected);
            if (next.has(c.id)) next.delete(c.id);
            else next.add(c.id);
            setSelected(next);
          }}
        />
      ),
    },
    {
      id: 'person',
      header: 'Person',
      cell: (c) => (
        <Anchor component="button" type="button" size="sm" onClick={() => navigate('person', c.personId)}>
          {c.personName}
        </Anchor>
      ),
    },
    { id: 'field', header: 'Field', cell: (c) => FIELD_LABEL[c.field] },
    { id: 'vomo', header: 'VOMO', cell: (c) => <div style={chosenBg(c, c.vomoValue)}><Value value={c.vomoValue} authority={c.authority === 'vomo'} /></div> },
    { id: 'crm', header: 'CRM+', cell: (c) => <div style={chosenBg(c, c.crmValue)}><Value value={c.crmValue} authority={c.authority === 'crm'} /></div> },
    {
      id: 'status',
      header: 'Status',
      cell: (c) => (
        <Group gap={4} wrap="nowrap" preventGrowOverflow={false}>
          <Badge variant="light" color={c.status === 'open' ? 'orange' : c.status === 'resolved' ? 'green' : 'gray'}>
            {c.status === 'resolved' && c.resolution === 'keep_both' ? 'kept both' : c.status}
          </Badge>
          {c.reopenedAt && c.status === 'open' && (
            <Badge variant="outline" color="red" size="sm">
              changed again
            </Badge>
          )}
        </Group>
      ),
    },
    {
      id: 'actions',
      header: 'Actions',
      cell: (c) => {
        const who = `${c.personName} ${FIELD_LABEL[c.field].toLowerCase()}`;
        return c.status === 'open' ? (
          <Group gap={4} wrap="nowrap" preventGrowOverflow={false}>
            <Button size="compact-xs" variant="light" disabled={busy} aria-label={`Use VOMO value for ${who}`} onClick={() => void resolve([c.id], 'vomo', 'Resolved')}>
              Use VOMO
            </Button>
            <Button size="compact-xs" variant="light" disabled={busy} aria-label={`Use CRM+ value for ${who}`} onClick={() => void resolve([c.id], 'crm', 'Resolved')}>
              Use CRM+
            </Button>
            <Button size="compact-xs" variant="subtle" disabled={busy} aria-label={`Keep both values for ${who}`} onClick={() => void resolve([c.id], 'keep_both', 'Kept both')}>
              Keep both
            </Button>
            <Button size="compact-xs" variant="subtle" color="gray" disabled={busy} aria-label={`Dismiss conflict for ${who}`} onClick={() => void dismiss([c.id])}>
              Dismiss
            </Button>
          </Group>
        ) : (
          <Button size="compact-xs" variant="subtle" disabled={busy} aria-label={`Reopen conflict for ${who}`} onClick={() => void reopen([c.id])}>
            Reopen
          </Button>
        );
      },
    },
  ];

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>Conflicts</Title>
          <Text c="dimmed" size="sm">
            Where VOMO and CRM+ disagree about the same person. Phones are compared as numbers and names without regard to case or spacing, so formatting alone is never a conflict.
          </Text>
        </div>
        <Group gap="xs">
          <Button
            variant="subtle"
            disabled={busy}
            onClick={() =>
              void act('Re-checked', async () => {
                const r = await api['identity.rebuild']({ profileId });
                return { updated: r.conflictsOpen };
              })
            }
          >
            Re-check now
          </Button>
          <Button variant="default" onClick={() => void exportList('vomo')}>
            Export fix list for VOMO
          </Button>
          <Button variant="default" onClick={() => void exportList('crm')}>
            Export fix list for CRM+
          </Button>
        </Group>
      </Group>

      <Group gap="md" align="flex-end">
        <SegmentedControl
          aria-label="Conflict status"
          value={status}
          onChange={(v) => {
            setStatus(v as Status);
          }}
          data={[
            { value: 'open', label: `Open${openCount ? ` (${fmtCount(openCount)})` : ''}` },
            { value: 'resolved', label: 'Resolved' },
            { value: 'dismissed', label: 'Dismissed' },
            { value: 'all', label: 'All' },
          ]}
        />
        <Select
          aria-label="Field"
          placeholder="All fields"
          clearable
          value={field}
          onChange={(v) => {
            setField(v);
          }}
          data={Object.entries(FIELD_LABEL).map(([value, label]) => ({ value, label: `${label}${data?.counts[value] ? ` (${fmtCount(data.counts[value])})` : ''}` }))}
          w={200}
        />
        <Checkbox label="New since last sync" checked={fresh} onChange={(e) => setFresh(e.currentTarget.checked)} />
      </Group>

      {(selected.size > 0 || (field && status === 'open')) && (
        <Group gap="xs" p="xs" style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 8 }}>
          <Text size="sm" fw={500}>
            {selected.size > 0 ? `${selected.size} selected:` : `Every open ${FIELD_LABEL[field!].toLowerCase()} conflict:`}
          </Text>
          {(['vomo', 'crm', 'keep_both'] as const).map((choice) => (
            <Button
              key={choice}
              size="xs"
              variant="light"
              disabled={busy}
              onClick={() =>
                selected.size > 0
                  ? void resolve(ids, choice, 'Resolved')
                  : void act('Resolved', () => api['conflicts.bulkResolve']({ profileId, field: field as Conflict['field'], action: 'resolve', choice }))
              }
            >
              {choice === 'vomo' ? 'Use VOMO' : choice === 'crm' ? 'Use CRM+' : 'Keep both'} {selected.size > 0 ? 'for selected' : 'for all'}
            </Button>
          ))}
          <Button
            size="xs"
            variant="subtle"
            color="gray"
            disabled={busy}
            onClick={() =>
              selected.size > 0 ? void dismiss(ids) : void act('Dismissed', () => api['conflicts.bulkResolve']({ profileId, field: field as Conflict['field'], action: 'dismiss' }))
            }
          >
            Dismiss {selected.size > 0 ? 'selected' : 'all'}
          </Button>
        </Group>
      )}

      <Accordion variant="contained">
        <Accordion.Item value="authority">
          <Accordion.Control>Field authority</Accordion.Control>
          <Accordion.Panel>
            <AuthoritySettings profileId={profileId} />
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>

      {decision && <JobProgress job={decision} />}
      {fixList && <JobProgress job={fixList} />}
      {error && <Text c="red">{error}</Text>}
      {!data && !error && <Loader />}
      {data && data.total === 0 && (
        <EmptyState title={status === 'open' ? 'No open conflicts' : 'Nothing here'}>
          {status === 'open' ? 'VOMO and CRM+ agree on every joined person. Conflicts are re-checked after every sync.' : 'No conflicts with this status.'}
        </EmptyState>
      )}
      {data && data.total > 0 && <DataTable ariaLabel="Conflicts" columns={columns} rows={items} rowKey={(c) => String(c.id)} rowProps={(c) => ({ 'data-testid': `conflict-${c.id}` })} />}
      {data && <CursorPager nav={nav} page={data} shown={items.length} pageSize={PAGE} noun="Conflicts" label="Conflict pages" onNav={setNav} />}
    </Stack>
  );
}
