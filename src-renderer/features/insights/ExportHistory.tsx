/** The export log: when, which list, filters, how many rows and how many left out. */
import { useEffect, useState } from 'react';
import { Table, Text } from '@mantine/core';
import { api, onEvent } from '../../ipc/client';
import type { ExportLogEntry } from '../../../src-shared/domain/insights';

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
    <Table aria-label="Export history" striped>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>When</Table.Th>
          <Table.Th>List</Table.Th>
          <Table.Th>Filters</Table.Th>
          <Table.Th>Rows</Table.Th>
          <Table.Th>Left out</Table.Th>
          <Table.Th>Outreach</Table.Th>
          <Table.Th>By</Table.Th>
          <Table.Th>File</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.id}>
            <Table.Td>{new Date(r.createdAt).toLocaleString()}</Table.Td>
            <Table.Td>{r.list}</Table.Td>
            <Table.Td>
              <Text size="xs">
                {Object.entries(r.filters)
                  .filter(([, v]) => v !== null && v !== undefined && v !== '')
                  .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
                  .join(' · ')}
              </Text>
            </Table.Td>
            <Table.Td>{r.rowCount}</Table.Td>
            <Table.Td>
              {r.excludedOptedOut} opted out · {r.excludedRecentlyAsked} recently asked
            </Table.Td>
            <Table.Td>{r.outreach ? 'yes' : 'no'}</Table.Td>
            <Table.Td>{r.actor}</Table.Td>
            <Table.Td>{r.fileName}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
