/**
 * The export log: when, which list (or fix list, or reconciliation CSV), its filters in words, how
 * many rows and how many left out.
 */
import { useEffect, useState } from 'react';
import { Text } from '@mantine/core';
import { api, onEvent } from '../../ipc/client';
import { describeFilters, exportLabel, isFileExport, type ExportLogEntry } from '../../../src-shared/domain/insights';
import { DataTable } from '../../components/DataTable';
import { fmtCount, fmtDateTime, fmtDay, fmtMoney } from '../../../src-shared/format';

const FMT = { money: (c: number) => fmtMoney(c), count: (n: number) => fmtCount(n), day: (d: string) => fmtDay(d) };

export function ExportHistory({ profileId }: { profileId: number }) {
  const [rows, setRows] = useState<ExportLogEntry[] | null>(null);
  useEffect(() => {
    const load = () =>
      api['exports.list']({ profileId, limit: 100 })
        .then(setRows)
        .catch(() => setRows([]));
    void load();
    return onEvent('data.changed', (e) => {
      if (e.profileId === profileId && e.scope === 'exports') void load();
    });
  }, [profileId]);
  if (rows === null) return <Text c="dimmed">Loading…</Text>;
  if (rows.length === 0) return <Text c="dimmed">No exports yet. Every export is listed here, with its filters and who was in it.</Text>;
  return (
    <DataTable<ExportLogEntry>
      ariaLabel="Export history"
      columns={[
        { id: 'when', header: 'When', cell: (r) => fmtDateTime(r.createdAt) },
        { id: 'list', header: 'List', cell: (r) => exportLabel(r.list) },
        { id: 'filters', header: 'Filters', cell: (r) => describeFilters(r.filters, FMT).join(' · ') || 'none', wrap: 380 },
        { id: 'rows', header: 'Rows', cell: (r) => fmtCount(r.rowCount), align: 'right' },
        {
          id: 'left',
          header: 'Left out',
          // A fix list or a reconciliation CSV leaves no one out: it is not a list of people to contact.
          cell: (r) => (isFileExport(r.list) ? '–' : `${fmtCount(r.excludedOptedOut)} opted out · ${fmtCount(r.excludedRecentlyAsked)} recently asked`),
        },
        { id: 'outreach', header: 'Outreach', cell: (r) => (r.outreach ? 'yes' : 'no') },
        { id: 'by', header: 'By', cell: (r) => r.actor },
        { id: 'file', header: 'File', cell: (r) => r.fileName },
      ]}
      rows={rows}
      rowKey={(r) => String(r.id)}
    />
  );
}
