/**
 * One list, paged, sorted, filtered and searched by the main process (the renderer holds one
 * page, never the list). Column chooser, filters, "Export CSV", links to the person and CRM+.
 * Keyboard: `/` focuses search, `j`/`k` move between rows, Enter opens the person.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Anchor, Badge, Button, Checkbox, Group, Loader, NumberInput, Popover, Select, Stack, Table, Text, TextInput, Tooltip, UnstyledButton } from '@mantine/core';
import { api, onEvent } from '../../ipc/client';
import { navigate } from '../../app/router';
import {
  COLUMN_LABELS,
  COLUMN_SORT,
  SORT_LABELS,
  formatCents,
  type ColumnKey,
  type InsightRow,
  type ListFilters,
  type ListInfo,
  type ListName,
  type ListPage,
  type ListSort,
} from '../../../src-shared/domain/insights';
import { ExportDialog } from './ExportDialog';
import { AddToCrmButton } from '../crmPush';
import { PushListName } from '../../../src-shared/domain/crmPush';

/** Lists of people who are not in CRM+ yet, where "Add to CRM+" makes sense. */
const PUSHABLE_LISTS = new Set<string>(PushListName.options);

const PAGE = 50;

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

function SystemBadges({ row }: { row: InsightRow }) {
  return (
    <Group gap={4} wrap="nowrap">
      {row.hasVomo && (
        <Badge size="xs" color="teal" variant="light">
          VOMO
        </Badge>
      )}
      {row.hasCrm && (
        <Badge size="xs" color="indigo" variant="light">
          CRM+
        </Badge>
      )}
      {row.hasRaise && (
        <Badge size="xs" color="grape" variant="light">
          Raise
        </Badge>
      )}
    </Group>
  );
}

function day(v: string | null): string {
  return v ? v.slice(0, 10) : '—';
}

function Cell({ row, col }: { row: InsightRow; col: ColumnKey }) {
  const e = row.engagement;
  switch (col) {
    case 'personId':
      return <Text size="xs" ff="monospace">{row.personId}</Text>;
    case 'firstName':
      return <>{row.firstName ?? ''}</>;
    case 'lastName':
      return <>{row.lastName ?? ''}</>;
    case 'email':
      return (
        <Group gap={4} wrap="nowrap">
          <Text size="sm">{row.email ?? '—'}</Text>
          {row.emailOptedIn === false && (
            <Tooltip label="This address is opted out: outreach exports leave it out">
              <Badge size="xs" color="orange" variant="outline">
                opted out
              </Badge>
            </Tooltip>
          )}
        </Group>
      );
    case 'phone':
      return <>{row.phone ?? '—'}</>;
    case 'systems':
      return <SystemBadges row={row} />;
    case 'emailOptedIn':
      return <>{row.emailOptedIn === null ? 'unknown' : row.emailOptedIn ? 'yes' : 'no'}</>;
    case 'lifetimeGivingCents':
      return <>{formatCents(row.lifetimeGivingCents)}</>;
    case 'giftCount':
      return <>{row.giftCount}</>;
    case 'firstGiftDate':
      return <>{day(row.firstGiftDate)}</>;
    case 'lastGiftDate':
      return <>{day(row.lastGiftDate)}</>;
    case 'firstRaiseGiftDate':
      return <>{day(row.firstRaiseGiftDate)}</>;
    case 'verifiedHours':
      return <>{row.verifiedHours.toLocaleString('en-US')}</>;
    case 'totalHours':
      return <>{row.totalHours.toLocaleString('en-US')}</>;
    case 'participations':
      return <>{row.participations}</>;
    case 'verifiedParticipations':
      return <>{row.verifiedParticipations}</>;
    case 'lastParticipationAt':
      return <>{day(row.lastParticipationAt)}</>;
    case 'crmUrl':
      return row.crmUrl ? (
        <Anchor href={row.crmUrl} target="_blank" rel="noopener noreferrer" size="sm" aria-label={`View ${row.displayName} in CRM+`}>
          View in CRM+
        </Anchor>
      ) : (
        <Text size="sm" c="dimmed">
          —
        </Text>
      );
    case 'score':
      return e ? (
        <Tooltip
          multiline
          w={260}
          label={`Giving ${e.givingRecencyPts}+${e.givingFrequencyPts}+${e.givingAmountPts} (recency, frequency, amount) · Serving ${e.servingRecencyPts}+${e.servingHoursPts}+${e.servingCountPts} (recency, hours, count)`}
        >
          <Text size="sm" fw={600}>
            {e.score}
          </Text>
        </Tooltip>
      ) : (
        <>—</>
      );
    default:
      return <>{e ? e[col] : '—'}</>;
  }
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

function FilterBar({ info, filters, onChange }: { info: ListInfo; filters: ListFilters; onChange: (f: ListFilters) => void }) {
  const set = (patch: Partial<ListFilters>) => {
    const next = { ...filters, ...patch };
    for (const k of Object.keys(next) as (keyof ListFilters)[]) if (next[k] === undefined || next[k] === false) delete next[k];
    onChange(next);
  };
  const num = (v: string | number) => (v === '' || v === null ? undefined : Number(v));
  const has = (k: ListInfo['filters'][number]) => info.filters.includes(k);
  return (
    <Group gap="sm" align="flex-end" wrap="wrap">
      {has('lapseDays') && (
        <NumberInput size="xs" w={150} label="Lapse window (days)" min={0} max={36500} value={filters.lapseDays ?? ''} placeholder="setting" onChange={(v) => set({ lapseDays: num(v) })} />
      )}
      {has('activityDays') && (
        <NumberInput size="xs" w={160} label="Activity window (days)" min={0} max={36500} value={filters.activityDays ?? ''} placeholder="setting" onChange={(v) => set({ activityDays: num(v) })} />
      )}
      {has('recentDays') && (
        <NumberInput size="xs" w={150} label="Recent window (days)" min={0} max={36500} value={filters.recentDays ?? ''} placeholder="setting" onChange={(v) => set({ recentDays: num(v) })} />
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
  const [offset, setOffset] = useState(0);
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
  useEffect(() => setOffset(0), [debounced, filters, sort]);

  useEffect(() => {
    const off = onEvent('data.changed', (e) => {
      if (e.profileId === profileId && e.scope !== 'exports') setTick((t) => t + 1);
    });
    return off;
  }, [profileId]);

  // One page, and separately the count (so the first page never waits for a count).
  const query = useMemo(
    () => ({ profileId, list, search: debounced || undefined, filters, sort: sort ?? undefined, offset, limit: PAGE }),
    [profileId, list, debounced, filters, sort, offset],
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
    const { offset: _o, limit: _l, ...rest } = query;
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

  const toggleSort = (col: ColumnKey) => {
    const key = COLUMN_SORT[col];
    if (!key || !info?.sortKeys.includes(key)) return;
    const cur = effectiveSort;
    const dir = cur?.key === key ? (cur.dir === 'asc' ? 'desc' : 'asc') : key === 'name' || key === 'email' ? 'asc' : 'desc';
    setSort({ key, dir });
  };

  if (!info) return <Loader aria-label="Loading list" />;
  const rows = page?.rows ?? [];
  const from = rows.length ? offset + 1 : 0;
  const to = offset + rows.length;

  return (
    <Stack gap="sm">
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
      <FilterBar info={info} filters={filters} onChange={setFilters} />
      {page && (
        <Text size="xs" c="dimmed">
          {page.definition} {cols.includes('verifiedHours') || list === 'top-volunteers' ? page.verifiedRule.text : ''}
        </Text>
      )}
      {error && (
        <Text c="red" role="alert">
          {error}
        </Text>
      )}
      <Table.ScrollContainer minWidth={700}>
        <Table striped highlightOnHover aria-label={label} aria-busy={loading}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              {cols.map((c) => {
                const key = COLUMN_SORT[c];
                const sortable = !!key && info.sortKeys.includes(key) && c !== 'firstName';
                const active = sortable && effectiveSort?.key === key;
                return (
                  <Table.Th key={c} aria-sort={active ? (effectiveSort!.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                    {sortable ? (
                      <UnstyledButton onClick={() => toggleSort(c)} aria-label={`Sort by ${COLUMN_LABELS[c]}`} fw={600} fz="sm">
                        {COLUMN_LABELS[c]} {active ? (effectiveSort!.dir === 'asc' ? '↑' : '↓') : ''}
                      </UnstyledButton>
                    ) : (
                      COLUMN_LABELS[c]
                    )}
                  </Table.Th>
                );
              })}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody ref={bodyRef}>
            {rows.map((r) => (
              <Table.Tr key={r.personId} data-person={r.personId} tabIndex={0} onKeyDown={(e) => onRowKey(e, r.personId)}>
                <Table.Td>
                  <Anchor component="button" type="button" size="sm" onClick={() => navigate('person', r.personId)}>
                    {r.displayName}
                  </Anchor>
                </Table.Td>
                {cols.map((c) => (
                  <Table.Td key={c}>
                    <Cell row={r} col={c} />
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {page && rows.length === 0 && !loading && (
        <Text c="dimmed" ta="center" py="md">
          {debounced || Object.keys(filters).length ? 'Nobody matches these filters.' : 'Nobody is on this list yet. Run a sync to fill it.'}
        </Text>
      )}
      <Group justify="space-between">
        <Text size="sm" c="dimmed" aria-live="polite">
          {page ? `Rows ${from}–${to} of ${total === null ? '…' : total.toLocaleString('en-US')}` : 'Loading…'}
        </Text>
        <Group gap="xs">
          <Button size="xs" variant="default" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Previous page
          </Button>
          <Button size="xs" variant="default" disabled={!page?.hasMore} onClick={() => setOffset(offset + PAGE)}>
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
