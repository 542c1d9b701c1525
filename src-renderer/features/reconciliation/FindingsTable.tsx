import { useEffect, useState } from 'react';
import { ActionIcon, Anchor, Badge, Button, Group, Loader, Select, Text, TextInput, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api } from '../../ipc/client';
import { startDownload } from '../../ipc/transport';
import { navigate, replaceQuery } from '../../app/router';
import { DataTable } from '../../components/DataTable';
import { CursorPager, FIRST_PAGE, type CursorNav } from '../../components/CursorPager';
import { useJobs } from '../jobs/useJobs';
import { JobProgress } from '../jobs/JobProgress';
import { fmtDateTime, plural } from '../../../src-shared/format';
import { GROUP_LABELS, GROUP_ORDER, KIND_LABELS, type Finding, type FindingGroup, type ReportPage } from '../../../src-shared/domain/reconcile';
import { detailLine, kindColor, recordName } from './format';
import { FindingDrawer } from './FindingDrawer';

const PAGE = 50;
type Change = 'all' | 'new' | 'changed' | 'fixed';

const CHANGES: Change[] = ['all', 'new', 'changed', 'fixed'];

export function FindingsTable({
  profileId,
  runId,
  group,
  onGroup,
  onPage,
  initial,
}: {
  profileId: number;
  runId: number;
  group: FindingGroup | null;
  onGroup: (g: FindingGroup | null) => void;
  onPage?: (p: ReportPage) => void;
  /** The filters and the page the URL carried (Back to this view restores them). */
  initial?: { change?: string; search?: string; at?: string; dir?: string; from?: string };
}) {
  const [change, setChange] = useState<Change>(CHANGES.includes(initial?.change as Change) ? (initial!.change as Change) : 'all');
  const [search, setSearch] = useState(initial?.search ?? '');
  // Pages are read by cursor; the URL keeps the page's cursor, so Back returns to it.
  const [nav, setNav] = useState<CursorNav>(() =>
    initial?.at || initial?.from === 'last'
      ? { cursor: initial.at || undefined, direction: initial.dir === 'prev' ? 'prev' : 'next', first: initial.from === 'last' ? 'last' : Math.max(0, Number(initial.from) || 0) }
      : FIRST_PAGE,
  );
  const [first, setFirst] = useState(true);
  useEffect(
    () =>
      replaceQuery({
        change: change === 'all' ? null : change,
        q: search || null,
        at: nav.cursor ?? null,
        dir: nav.direction === 'prev' ? 'prev' : null,
        from: nav.first === 0 ? null : String(nav.first),
      }),
    [change, search, nav],
  );
  const [data, setData] = useState<ReportPage | null>(null);
  const [open, setOpen] = useState<Finding | null>(null);
  const [exporting, setExporting] = useState(false);
  // Writing the CSV is a job: its progress, and a Cancel that leaves no file.
  const exportJob = useJobs(profileId).active('findingsCsv');

  // A filter change starts at the first page; the first render keeps the page the URL gave.
  useEffect(() => {
    if (first) setFirst(false);
    else setNav(FIRST_PAGE);
  }, [runId, group, change, search]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    let live = true;
    setData(null);
    api['reconcile.report']({ runId, group: group ?? undefined, change, search: search.trim() || undefined, cursor: nav.cursor ?? null, direction: nav.direction, limit: PAGE })
      .then((d) => {
        if (!live) return;
        setData(d);
        onPage?.(d);
      })
      .catch((err) => {
        // A page position that no longer reads (an edited URL) starts again from the first page.
        if (live && nav.cursor && (err as { code?: string }).code === 'BAD_INPUT') setNav(FIRST_PAGE);
        else notifications.show({ color: 'red', message: (err as Error).message });
      });
    return () => {
      live = false;
    };
  }, [runId, group, change, search, nav, onPage]);

  async function exportCsv() {
    setExporting(true);
    try {
      const r = await api['reconcile.exportCsv']({ runId, group: group ?? undefined, change });
      if (r.downloadId) startDownload(r.downloadId, r.fileName);
      // The findings name donors and gifts: say the file is not encrypted, as the export dialog does.
      if (r.cancelled) notifications.show({ message: 'Export cancelled: no file was written.' });
      else
        notifications.show({
          title: 'Findings exported, not encrypted',
          message: r.file ? `${plural(r.rows, 'finding')} in ${r.file}; Settings → Backups lists the file until you delete it.` : `${plural(r.rows, 'finding')}, in clear text in your browser's downloads folder.`,
        });
    } catch (err) {
      notifications.show({ color: 'red', message: (err as Error).message });
    } finally {
      setExporting(false);
    }
  }

  return (
    <>
      <Group align="flex-end" gap="sm">
        <Select
          label="Group"
          w={300}
          data={[{ value: '', label: 'All groups' }, ...GROUP_ORDER.map((g) => ({ value: g, label: GROUP_LABELS[g] }))]}
          value={group ?? ''}
          onChange={(v) => onGroup((v || null) as FindingGroup | null)}
          allowDeselect={false}
        />
        <Select
          label="Compared with the previous run"
          w={220}
          data={[
            { value: 'all', label: 'All findings' },
            { value: 'new', label: 'New since the previous run' },
            { value: 'changed', label: 'Changed' },
            { value: 'fixed', label: 'Fixed (gone since the previous run)' },
          ]}
          value={change}
          onChange={(v) => setChange((v ?? 'all') as Change)}
          allowDeselect={false}
        />
        <TextInput label="Search" placeholder="Name, record or person id" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={220} />
        <Button variant="default" onClick={exportCsv} loading={exporting}>
          Export CSV
        </Button>
      </Group>
      {exportJob && <JobProgress job={exportJob} />}
      {!data ? (
        <Loader aria-label="Loading findings" mt="md" />
      ) : data.total === 0 ? (
        <Text c="dimmed" mt="md">
          {change === 'fixed' ? 'Nothing was fixed since the previous run.' : 'No findings here.'}
        </Text>
      ) : (
        <>
          <DataTable<Finding>
            ariaLabel="Findings"
            columns={[
              {
                id: 'finding',
                header: 'Finding',
                cell: (f) => (
                  <Group gap={4} wrap="nowrap" preventGrowOverflow={false}>
                    <Badge color={kindColor(f.kind)} variant="light" size="md" style={{ textTransform: 'none' }}>
                      {KIND_LABELS[f.kind]}
                    </Badge>
                    {f.change && f.change !== 'same' && (
                      <Badge variant="outline" size="sm">
                        {f.change}
                      </Badge>
                    )}
                  </Group>
                ),
              },
              {
                id: 'record',
                header: 'Record',
                cell: (f) => (
                  <Anchor component="button" type="button" size="sm" onClick={() => setOpen(f)} aria-label={`Details of ${recordName(f)}`}>
                    {recordName(f)}
                  </Anchor>
                ),
              },
              { id: 'name', header: 'Name', cell: (f) => f.label ?? '—' },
              { id: 'when', header: 'When', cell: (f) => fmtDateTime(f.occurredAt) },
              { id: 'details', header: 'Details', cell: (f) => detailLine(f), wrap: 360 },
              {
                id: 'go',
                header: 'Go to',
                cell: (f) => (
                  <Group gap={6} wrap="nowrap" preventGrowOverflow={false}>
                    {f.personId && (
                      <Tooltip label="Open the person">
                        <ActionIcon variant="subtle" aria-label={`Open person ${f.label ?? f.personId}`} onClick={() => navigate('person', f.personId)}>
                          ➜
                        </ActionIcon>
                      </Tooltip>
                    )}
                    {f.crmUrl && (
                      <Anchor href={f.crmUrl} target="_blank" rel="noopener noreferrer" size="sm" aria-label={`View ${f.label ?? recordName(f)} in CRM+`}>
                        CRM+
                      </Anchor>
                    )}
                  </Group>
                ),
              },
            ]}
            rows={data.findings}
            rowKey={(f) => `${f.id}:${f.change}`}
          />
          {data.prevCursor || data.nextCursor ? (
            <CursorPager nav={nav} page={data} shown={data.findings.length} pageSize={PAGE} noun="Findings" label="Findings pages" onNav={setNav} />
          ) : (
            <Text size="sm" c="dimmed" mt="xs">
              {plural(data.total, 'finding')}
            </Text>
          )}
        </>
      )}
      <FindingDrawer finding={open} onClose={() => setOpen(null)} />
    </>
  );
}
