/**
 * One list, paged, sorted, filtered and searched by the main process (the renderer holds one
 * page, never the list). Column chooser, filters, "Export CSV", links to the person and CRM+.
 * Keyboard: `/` focuses search, `j`/`k` move between rows, Enter opens the person.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Button, Checkbox, Group, Loader, NumberInput, Paper, Popover, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { api, onEvent } from '../../ipc/client';
import { navigate } from '../../app/router';
import {
  COLUMN_LABELS,
  COLUMN_SORT,
  SORT_LABELS,
  type ColumnKey,
  type InsightRow,
  type ListFilters,
  type ListInfo,
  type ListName,
  type ListPage,
  type ListSort,
} from '../../../src-shared/domain/insights';
import { fmtCount } from '../../../src-shared/format';
import { ExportDialog } from './ExportDialog';
import { AddToCrmButton } from '../crmPush';
import { PushListName } from '../../../src-shared/domain/crmPush';
import { DataTable, type DataSort } from '../../components/DataTable';
import { listColumns } from './listColumns';

/** Lists of people who are not in CRM+ yet, where "Add to CRM+" makes sense. */
const PUSHABLE_LISTS = new Set<string>(PushListName.options);

const PAGE_SIZES = ['50', '100', '250', '500'];

let listsCache: Promise<ListInfo[]> | null = null;
export function useListInfo(list: ListName): ListInfo | null {
  const [info, setInfo] = useState<ListInfo | null>(null);
  useEffect(() => {
    listsCache ??= api['insights.lists']({});
    let live = true;
    listsCache.then((all) => live && setInfo(all.find((l) => l.name === list) ?? null)).catch(() => (listsCache = null));
    return () => {
      live = false;
    };
  }, [list]);
  return info;
}

function ColumnChooser({ info, columns, onChange }: { info: ListInfo; columns: ColumnKey[]; onChange: (c: ColumnKey[]) => void }) {
  const all = useMemo(() => {
    const extra = (Object.keys(COLUMN_LABELS) as ColumnKey[]).filter((c) => !info.columns.includes(c));
    return [...info.columns, ...extra];
  }, [info]);
  return (
    <Popover position="bottom-end" withinPortal shadow="md">
      <Popover.Target>
        <Button variant="default" size="xs">
          Columns
        </Button>
      </Popover.Target>
      <Popover.Dropdown aria-label="Choose columns">
        <Stack gap={4} mah={360} style={{ overflowY: 'auto' }}>
          {all.map((c) => (
            <Checkbox
              key={c}
              size="xs"
              label={COLUMN_LABELS[c]}
              checked={columns.includes(c)}
              onChange={(e) => onChange(e.currentTarget.checked ? all.filter((x) => x === c || columns.includes(x)) : columns.filter((x) => x !== c))}
            />
          ))}
          <Button size="compact-xs" variant="subtle" onClick={() => onChange(info.columns)}>
            Reset columns
          </Button>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

type Windows = Required<Pick<ListFilters, 'lapseDays' | 'activityDays' | 'recentDays'>>;

/**
 * The list's own filters. The window fields show the value in use (the profile's setting until
 * the steward types another); "Still volunteering" offers the wider reading as an explicit choice.
 */
function FilterBar({ info, filters, effective, onChange }: { info: ListInfo; filters: ListFilters; effective: Windows | null; onChange: (f: ListFilters) => void }) {
  const set = (patch: Partial<ListFilters>) => {
    const next = { ...filters, ...patch };
    for (const k of Object.keys(next) as (keyof ListFilters)[]) if (next[k] === undefined || next[k] === false) delete next[k];
    onChange(next);
  };
  const num = (v: string | number) => (v === '' || v === null ? undefined : Number(v));
  const has = (k: ListInfo['filters'][number]) => info.filters.includes(k);
  const win = (k: keyof Windows) => filters[k] ?? effective?.[k] ?? '';
  const anyVolunteer = (filters.activityDays ?? effective?.activityDays) === 0;
  const [lastWindow, setLastWindow] = useState<number>(365);
  useEffect(() => {
    const d = filters.activityDays ?? effective?.activityDays;
    if (d) setLastWindow(d);
  }, [filters.activityDays, effective?.activityDays]);
  return (
    <Group gap="sm" align="flex-end" wrap="wrap">
      {has('lapseDays') && (
        <NumberInput size="xs" w={150} label="Lapse window (days)" min={1} max={36500} value={win('lapseDays')} onChange={(v) => set({ lapseDays: num(v) })} />
      )}
      {has('activityDays') && (
        <>
          <Stack gap={2}>
            <Text size="xs" fw={500} id="still-volunteering">
              Still volunteering means
            </Text>
            <SegmentedControl
              size="xs"
              aria-labelledby="still-volunteering"
              value={anyVolunteer ? 'any' : 'served'}
              onChange={(v) => set({ activityDays: v === 'any' ? 0 : lastWindow })}
              data={[
                { value: 'served', label: 'Served within the activity window' },
                { value: 'any', label: 'Any current VOMO volunteer' },
              ]}
            />
          </Stack>
          {!anyVolunteer && (
            <NumberInput size="xs" w={160} label="Activity window (days)" min={1} max={36500} value={win('activityDays')} onChange={(v) => set({ activityDays: num(v) === 0 ? undefined : num(v) })} />
          )}
        </>
      )}
      {has('recentDays') && (
        <NumberInput size="xs" w={150} label="Recent window (days)" min={1} max={36500} value={win('recentDays')} onChange={(v) => set({ recentDays: num(v) })} />
      )}
      {has('system') && (
        <Select
          size="xs"
          w={130}
          label="System"
          placeholder="any"
          clearable
          data={[
            { value: 'vomo', label: 'VOMO' },
            { value: 'crm', label: 'CRM+' },
            { value: 'raise', label: 'Raise' },
          ]}
          value={filters.system ?? null}
          onChange={(v) => set({ system: (v ?? undefined) as ListFilters['system'] })}
        />
      )}
      {has('minGivingCents') && (
        <NumberInput
          size="xs"
          w={150}
          label="Min. lifetime giving ($)"
          min={0}
          value={filters.minGivingCents !== undefined ? filters.minGivingCents / 100 : ''}
          onChange={(v) => set({ minGivingCents: num(v) === undefined ? undefined : Math.round(Number(v) * 100) })}
        />
      )}
      {has('minVerifiedHours') && (
        <NumberInput size="xs" w={150} label="Min. verified hours" min={0} value={filters.minVerifiedHours ?? ''} onChange={(v) => set({ minVerifiedHours: num(v) })} />
      )}
      {has('hasEmail') && <Checkbox size="xs" label="Has an email" checked={!!filters.hasEmail} onChange={(e) => set({ hasEmail: e.currentTarget.checked || undefined })} />}
    </Group>
  );
}

/** The rule of the list in words, with the windows and the reference day in use. */
export function ListRule({ page, showVerified }: { page: ListPage; showVerified: boolean }) {
  return (
    <Paper withBorder p="xs" radius="sm" role="note" aria-label="Who is on this list">
      <Text size="sm">
        <Text span fw={600}>
          Who is on this list:{' '}
        </Text>
        {page.definition}
      </Text>
      {showVerified && (
        <Text size="xs" c="dimmed" mt={2}>
          {page.verifiedRule.text}
        </Text>
      )}
    </Paper>
  );
}

export interface ListTableProps {
  profileId: number;
  list: ListName;
  /** The table's accessible name. */
  label: string;
}

export function ListTable({ profileId, list, label }: ListTableProps) {
  const info = useListInfo(list);
  const [search, setSearch] = useState('');
  const [debounced, setDebounced] = useState('');
  const [filters, setFilters] = useState<ListFilters>({});
  const [sort, setSort] = useState<ListSort | null>(null);
  const [pageSize, setPageSize] = useState(50);
  // Pages are read by cursor (the main process names each page by its edge rows); `offset` only
  // numbers the rows shown.
  const [nav, setNav] = useState<{ cursor?: string; direction: 'next' | 'prev'; offset: number }>({ direction: 'next', offset: 0 });
  const [columns, setColumns] = useState<ColumnKey[] | null>(null);
  const [page, setPage] = useState<(ListPage & { hasMore: boolean }) | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [exportOpen, setExportOpen] = useState(false);
  const [tick, setTick] = useState(0);
  const searchRef = useRef<HTMLInputElement>(null);
  const bodyRef = useRef<HTMLTableSectionElement>(null);

  const cols = columns ?? info?.columns ?? [];
  const effectiveSort = sort ?? info?.defaultSort ?? null;

  useEffect(() => {
    const t = setTimeout(() => setDebounced(search.trim()), 200);
    return () => clearTimeout(t);
  }, [search]);
  useEffect(() => setNav({ direction: 'next', offset: 0 }), [debounced, filters, sort, pageSize]);

  useEffect(() => {
    const off = onEvent('data.changed', (e) => {
      if (e.profileId === profileId && e.scope !== 'exports') setTick((t) => t + 1);
    });
    return off;
  }, [profileId]);

  // One page, and separately the count (so the first page never waits for a count).
  const query = useMemo(
    () => ({ profileId, list, search: debounced || undefined, filters, sort: sort ?? undefined, cursor: nav.cursor, direction: nav.direction, limit: pageSize }),
    [profileId, list, debounced, filters, sort, nav, pageSize],
  );
  useEffect(() => {
    let live = true;
    setLoading(true);
    api['insights.list']({ ...query, withTotal: false })
      .then((p) => {
        if (!live) return;
        setPage(p);
        setError(null);
      })
      .catch((e: Error) => live && setError(e.message))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [query, tick]);
  useEffect(() => {
    let live = true;
    setTotal(null);
    const { cursor: _c, direction: _d, limit: _l, ...rest } = query;
    api['insights.count'](rest)
      .then((c) => live && setTotal(c.total))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [query.profileId, query.list, query.search, query.filters, tick]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.key === '/' && t && !['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName)) {
        e.preventDefault();
        searchRef.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const onRowKey = useCallback((e: KeyboardEvent<HTMLTableRowElement>, personId: string) => {
    const rows = Array.from(bodyRef.current?.querySelectorAll<HTMLTableRowElement>('tr[data-person]') ?? []);
    const i = rows.indexOf(e.currentTarget);
    if (e.key === 'Enter') navigate('person', personId);
    else if (e.key === 'j') rows[Math.min(rows.length - 1, i + 1)]?.focus();
    else if (e.key === 'k') rows[Math.max(0, i - 1)]?.focus();
  }, []);

  const dataColumns = useMemo(() => (info ? listColumns(info, cols) : []), [info, cols]);
  // A column sorts by its sort key (last name carries the name sort), where the list allows it.
  const onSort = useCallback(
    (s: DataSort) => {
      const key = COLUMN_SORT[s.id as ColumnKey];
      if (key && info?.sortKeys.includes(key)) setSort({ key, dir: s.dir });
    },
    [info],
  );
  const rowProps = useCallback(
    (r: InsightRow) => ({ 'data-person': r.personId, tabIndex: 0, onKeyDown: (e: KeyboardEvent<HTMLTableRowElement>) => onRowKey(e, r.personId) }),
    [onRowKey],
  );

  if (!info) return <Loader aria-label="Loading list" />;
  const rows = page?.rows ?? [];
  const offset = page && !page.prevCursor ? 0 : nav.offset;
  const from = rows.length ? offset + 1 : 0;
  const to = offset + rows.length;
  // The column the current sort shows on (last name carries the name sort).
  const sortColumn = effectiveSort ? (effectiveSort.key === 'name' ? 'lastName' : cols.find((c) => c === effectiveSort.key) ?? null) : null;
  const windows = page ? (page.filters as Windows) : null;

  return (
    <Stack gap="sm">
      {page && <ListRule page={page} showVerified={cols.includes('verifiedHours') || list === 'top-volunteers'} />}
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <TextInput
          ref={searchRef}
          w={280}
          size="xs"
          label="Search"
          aria-label={`Search ${label}`}
          placeholder="Name or email starts with… (press /)"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
        />
        <Group gap="xs">
          <Select
            size="xs"
            w={200}
            aria-label="Sort by"
            data={info.sortKeys.flatMap((k) => [
              { value: `${k}:asc`, label: `${SORT_LABELS[k]} ↑` },
              { value: `${k}:desc`, label: `${SORT_LABELS[k]} ↓` },
            ])}
            value={effectiveSort ? `${effectiveSort.key}:${effectiveSort.dir}` : null}
            onChange={(v) => {
              if (!v) return;
              const [key, dir] = v.split(':') as [ListSort['key'], ListSort['dir']];
              setSort({ key, dir });
            }}
            allowDeselect={false}
          />
          <ColumnChooser info={info} columns={cols} onChange={setColumns} />
          <Button size="xs" onClick={() => setExportOpen(true)}>
            Export CSV
          </Button>
          {PUSHABLE_LISTS.has(list) && <AddToCrmButton size="xs" variant="light" profileId={profileId} list={list as PushListName} filters={filters} search={debounced} />}
        </Group>
      </Group>
      <FilterBar info={info} filters={filters} effective={windows} onChange={setFilters} />
      {error && (
        <Text c="red" role="alert">
          {error}
        </Text>
      )}
      <DataTable
        ariaLabel={label}
        columns={dataColumns}
        rows={rows}
        rowKey={(r) => r.personId}
        sort={sortColumn && effectiveSort ? { id: sortColumn, dir: effectiveSort.dir } : null}
        onSort={onSort}
        rowProps={rowProps}
        busy={loading}
        bodyRef={bodyRef}
      />
      {page && rows.length === 0 && !loading && (
        <Text c="dimmed" ta="center" py="md">
          {debounced || Object.keys(filters).length ? 'Nobody matches these filters.' : 'Nobody is on this list yet. Run a sync to fill it.'}
        </Text>
      )}
      <Group justify="space-between">
        <Text size="sm" c="dimmed" aria-live="polite">
          {!page ? 'Loading…' : rows.length === 0 ? 'No rows' : `Rows ${fmtCount(from)}–${fmtCount(to)} of ${total === null ? '…' : fmtCount(total)}`}
        </Text>
        <Group gap="xs">
          <Select size="xs" w={120} aria-label="Rows per page" data={PAGE_SIZES.map((v) => ({ value: v, label: `${v} per page` }))} value={String(pageSize)} onChange={(v) => v && setPageSize(Number(v))} allowDeselect={false} />
          <Button size="xs" variant="default" disabled={!page?.prevCursor} onClick={() => setNav({ cursor: page!.prevCursor!, direction: 'prev', offset: Math.max(0, offset - pageSize) })}>
            Previous page
          </Button>
          <Button size="xs" variant="default" disabled={!page?.nextCursor} onClick={() => setNav({ cursor: page!.nextCursor!, direction: 'next', offset: offset + rows.length })}>
            Next page
          </Button>
        </Group>
      </Group>
      <ExportDialog
        opened={exportOpen}
        onClose={() => setExportOpen(false)}
        profileId={profileId}
        list={list}
        title={label}
        columns={cols}
        filters={filters}
        search={debounced || undefined}
        sort={sort ?? undefined}
        total={total}
      />
    </Stack>
  );
}
