/** What a backup holds: its date, and per profile the persons, last sync and the steward's decisions. */
import { Stack, Table, Text } from '@mantine/core';
import type { BackupSummary } from '../../../src-shared/domain/store';
import { formatBytes } from './useStoreStatus';

export function BackupSummaryTable({ summary }: { summary: BackupSummary }) {
  return (
    <Stack gap="xs">
      <Text size="sm">
        Made {summary.createdAt ? new Date(summary.createdAt).toLocaleString() : '(date unknown)'} by Twofold {summary.appVersion ?? '?'} · {formatBytes(summary.sizeBytes)} ·{' '}
        {summary.auditEntries.toLocaleString()} audit log entries
      </Text>
      <Table aria-label="Backup contents" striped withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Profile</Table.Th>
            <Table.Th>Persons</Table.Th>
            <Table.Th>Last sync</Table.Th>
            <Table.Th>Verdicts</Table.Th>
            <Table.Th>Merges</Table.Th>
            <Table.Th>Resolved conflicts</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {summary.profiles.map((p) => (
            <Table.Tr key={p.name}>
              <Table.Td>
                {p.name}
                {p.isSandbox ? ' (sandbox)' : ''}
              </Table.Td>
              <Table.Td>{p.persons.toLocaleString()}</Table.Td>
              <Table.Td>{p.lastSyncAt ? new Date(p.lastSyncAt).toLocaleString() : 'never'}</Table.Td>
              <Table.Td>{p.verdicts.toLocaleString()}</Table.Td>
              <Table.Td>{p.merges.toLocaleString()}</Table.Td>
              <Table.Td>{p.resolvedConflicts.toLocaleString()}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed">
        API tokens are not in backups (they live in the OS keychain): enter them again after restoring on another computer.
      </Text>
    </Stack>
  );
}
