/** The export files (unencrypted CSVs) of a profile that still exist on this computer, each deletable. */
import { useEffect, useState } from 'react';
import { Button, Card, Code, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api, onEvent } from '../../ipc/client';
import type { ExportFile } from '../../../src-shared/domain/store';
import { exportLabel } from '../../../src-shared/domain/insights';
import { formatBytes } from './useStoreStatus';

export function ExportFiles({ profileId }: { profileId: number }) {
  const [files, setFiles] = useState<ExportFile[] | null>(null);
  useEffect(() => {
    const load = () =>
      api['exports.files']({ profileId })
        .then(setFiles)
        .catch(() => setFiles([]));
    void load();
    return onEvent('data.changed', (e) => {
      if (e.profileId === profileId && e.scope === 'exports') void load();
    });
  }, [profileId]);

  const remove = async (f: ExportFile) => {
    try {
      await api['exports.deleteFile']({ profileId, exportId: f.exportId });
      notifications.show({ message: `Deleted ${f.filePath}` });
    } catch (e) {
      notifications.show({ color: 'red', message: (e as Error).message });
    }
  };

  return (
    <Card withBorder padding="md" aria-label="Export files">
      <Title order={4} mb="xs">
        Export files on this computer
      </Title>
      <Text size="sm" mb="sm">
        CSV exports, fix lists and reconciliation CSVs are written unencrypted. These are the ones that still exist where they were written; delete those you no longer need. The export log keeps who was in each.
      </Text>
      {files === null ? (
        <Text c="dimmed">Loading…</Text>
      ) : files.length === 0 ? (
        <Text c="dimmed" size="sm">
          No export files of this profile remain.
        </Text>
      ) : (
        <Table aria-label="Export files" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>What</Table.Th>
              <Table.Th>Rows</Table.Th>
              <Table.Th>File</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {files.map((f) => (
              <Table.Tr key={f.exportId}>
                <Table.Td>{new Date(f.createdAt).toLocaleString()}</Table.Td>
                <Table.Td>{exportLabel(f.list)}</Table.Td>
                <Table.Td>{f.rowCount.toLocaleString()}</Table.Td>
                <Table.Td>
                  <Code>{f.filePath}</Code> ({formatBytes(f.bytes)})
                </Table.Td>
                <Table.Td>
                  <Button size="xs" color="red" variant="light" onClick={() => void remove(f)} aria-label={`Delete ${f.filePath}`}>
                    Delete file
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
