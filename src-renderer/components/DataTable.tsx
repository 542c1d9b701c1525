/**
 * The app's one table: every list of rows in Twofold renders through it, so they all behave the
 * same. Headers stay in view while the rows scroll; a table wider than its box scrolls sideways
 * instead of squeezing; cells keep figures, dates and badges on one line (columns take the
 * width their content needs) and only free text wraps; long pages render only the rows in view.
 *
 * TanStack Table keeps the column model and the (server-side) sort state, TanStack Virtual the
 * window of rendered rows; Mantine draws the table so it matches the rest of the app. Chosen over
 * mantine-datatable because that one has no row virtualization, and because a headless model
 * lets every view keep its own cells (links, badges, buttons) with the same table behaviour.
 */
import { useMemo, useRef, type CSSProperties, type HTMLAttributes, type ReactNode } from 'react';
import { Table, UnstyledButton } from '@mantine/core';
import { rowSortingFeature, tableFeatures, useTable, type ColumnDef, type RowData, type SortingState } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';

export interface DataColumn<T extends RowData> {
  id: string;
  /** Header text; also the name of the sort button ("Sort by …"). */
  header: string;
  /** Header content when it is more than the text (a select-all checkbox). */
  headerNode?: ReactNode;
  cell: (row: T, index: number) => ReactNode;
  /** Numbers and money line up on the right. */
  align?: 'left' | 'right';
  /**
   * Free text (reasons, evidence, JSON) may wrap, up to this width in px; everything else stays
   * on one line so a badge or a date is never cut or broken in two.
   */
  wrap?: number;
  /** Sortable by the server; the first click sorts this way. */
  sortFirst?: 'asc' | 'desc';
  /** Fixed width in px (a checkbox column). */
  width?: number;
}

export interface DataSort {
  id: string;
  dir: 'asc' | 'desc';
}

export interface DataTableProps<T extends RowData> {
  ariaLabel: string;
  columns: DataColumn<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  sort?: DataSort | null;
  onSort?: (sort: DataSort) => void;
  /** Bounds the scroll box so headers stick; default: grows with its rows. */
  maxHeight?: number | string;
  /** Pages longer than this render only the rows in view. */
  virtualizeAbove?: number;
  rowProps?: (row: T, index: number) => HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string | undefined>;
  busy?: boolean;
  striped?: boolean;
  highlightOnHover?: boolean;
  withTableBorder?: boolean;
  /** Tighter rows (small summaries inside cards). */
  compact?: boolean;
  bodyRef?: React.Ref<HTMLTableSectionElement>;
}

const features = tableFeatures({ rowSortingFeature });
const ROW_ESTIMATE = 41;

function cellStyle(c: { align?: 'left' | 'right'; wrap?: number; width?: number }): CSSProperties {
  return {
    textAlign: c.align ?? 'left',
    whiteSpace: c.wrap ? 'normal' : 'nowrap',
    maxWidth: c.wrap,
    minWidth: c.wrap ? Math.min(c.wrap, 180) : undefined,
    width: c.width,
    overflowWrap: c.wrap ? 'anywhere' : undefined,
    verticalAlign: 'top',
  };
}

export function DataTable<T extends RowData>(p: DataTableProps<T>) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const defs = useMemo<ColumnDef<typeof features, T>[]>(
    () =>
      p.columns.map((c) => ({
        id: c.id,
        header: c.header,
        // The server sorts; an accessor only makes the column sortable in the model.
        accessorFn: () => null,
        cell: (ctx) => c.cell(ctx.row.original, ctx.row.index),
        enableSorting: !!c.sortFirst && !!p.onSort,
        sortDescFirst: c.sortFirst === 'desc',
      })),
    [p.columns, p.onSort],
  );
  const sorting = useMemo<SortingState>(() => (p.sort ? [{ id: p.sort.id, desc: p.sort.dir === 'desc' }] : []), [p.sort]);
  const table = useTable({
    features,
    columns: defs,
    data: p.rows,
    getRowId: (row) => p.rowKey(row),
    state: { sorting },
    manualSorting: true,
    enableSortingRemoval: false,
    enableMultiSort: false,
    onSortingChange: (updater) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      const s = next[0];
      if (s && p.onSort) p.onSort({ id: s.id, dir: s.desc ? 'desc' : 'asc' });
    },
  });
  const rows = table.getRowModel().rows;
  const byId = useMemo(() => new Map(p.columns.map((c) => [c.id, c])), [p.columns]);

  const virtual = rows.length > (p.virtualizeAbove ?? 100);
  const virtualizer = useVirtualizer({
    count: virtual ? rows.length : 0,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_ESTIMATE,
    getItemKey: (i) => rows[i]?.id ?? i,
    overscan: 10,
  });
  const items = virtual ? virtualizer.getVirtualItems() : [];
  const padTop = virtual && items.length ? items[0]!.start : 0;
  const padBottom = virtual && items.length ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  const shown = virtual ? items.map((i) => ({ row: rows[i.index]!, index: i.index })) : rows.map((row, index) => ({ row, index }));
  const span = p.columns.length;
  const maxHeight = p.maxHeight ?? (virtual ? 'calc(100vh - 260px)' : undefined);

  return (
    <div ref={scrollRef} style={{ overflow: 'auto', maxHeight, maxWidth: '100%' }} data-table-scroll>
      <Table
        aria-label={p.ariaLabel}
        aria-busy={p.busy || undefined}
        striped={p.striped ?? true}
        highlightOnHover={p.highlightOnHover ?? true}
        withTableBorder={p.withTableBorder}
        stickyHeader={maxHeight !== undefined}
        verticalSpacing={p.compact ? 4 : 'xs'}
        horizontalSpacing={p.compact ? 'xs' : 'sm'}
        fz={p.compact ? 'xs' : 'sm'}
        // As wide as its content needs (never squeezing a badge or a date), at least the box;
        // wider than the box, it scrolls sideways inside it.
        style={{ width: 'max-content', minWidth: '100%' }}
      >
        <Table.Thead>
          {table.getHeaderGroups().map((group) => (
            <Table.Tr key={group.id}>
              {group.headers.map((h) => {
                const c = byId.get(h.column.id)!;
                const sorted = h.column.getIsSorted();
                const sortable = h.column.getCanSort();
                return (
                  <Table.Th
                    key={h.id}
                    style={{ ...cellStyle({ align: c.align, width: c.width }), whiteSpace: 'nowrap' }}
                    aria-sort={sorted ? (sorted === 'asc' ? 'ascending' : 'descending') : undefined}
                  >
                    {c.headerNode ??
                      (sortable ? (
                        <UnstyledButton onClick={h.column.getToggleSortingHandler()} aria-label={`Sort by ${c.header}`} fw={600} fz="inherit" style={{ whiteSpace: 'nowrap' }}>
                          {c.header}
                          <span aria-hidden="true">{sorted === 'asc' ? ' ↑' : sorted === 'desc' ? ' ↓' : ''}</span>
                        </UnstyledButton>
                      ) : (
                        c.header
                      ))}
                  </Table.Th>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Thead>
        <Table.Tbody ref={p.bodyRef}>
          {padTop > 0 && (
            <tr aria-hidden="true" data-spacer="">
              <td colSpan={span} style={{ height: padTop, padding: 0, border: 0 }} />
            </tr>
          )}
          {shown.map(({ row, index }) => (
            <Table.Tr key={row.id} data-index={index} ref={virtual ? virtualizer.measureElement : undefined} {...(p.rowProps?.(row.original, index) ?? {})}>
              {row.getAllCells().map((cell) => (
                <Table.Td key={cell.id} style={cellStyle(byId.get(cell.column.id)!)}>
                  <table.FlexRender cell={cell} />
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
          {padBottom > 0 && (
            <tr aria-hidden="true" data-spacer="">
              <td colSpan={span} style={{ height: padBottom, padding: 0, border: 0 }} />
            </tr>
          )}
        </Table.Tbody>
      </Table>
    </div>
  );
}
