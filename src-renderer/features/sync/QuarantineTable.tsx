import { useEffect, useState } from 'react';
import { Badge, Code, Group, Pagination, Stack, Table, Text, Title } from '@mantine/core';
import { api } from '../../ipc/client';
import type { QuarantinePage } from '../../../src-shared/domain/sync';
import { API_LABELS } from '../../../src-shared/domain/apis';

const PAGE = 20;

/** Records a sync could not read, with the reason, kept aside rather than failing the sync. */
export function QuarantineTable({ profileId, openCount }: { profileId: number; openCount: number }) {
  const [page, setPage] = useState(1);
  const [data, setData] = useState<QuarantinePage | null>(null);
  useEffect(() => {
    void api['sync.quarantine']({ profileId, limit: PAGE, offset: (page - 1) * PAGE }).then(setData);
  }, [profileId, page, openCount]);
  if (!data || data.total === 0) {
    return (
      <Text c="dimmed" size="sm">
        No quarantined records: every record the APIs sent could be read.
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      <Group>
        <Title order={4}>Quarantined records</Title>
        <Badge color="orange">{data.total}</Badge>
      </Group>
      <Text size="sm" c="dimmed">
        These records came back in a shape Twofold could not read. They were set aside; everything else was saved. Fix them at the
        source; the next sync picks them up.
      </Text>
      <Table striped aria-label="Quarantined records">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>System</Table.Th>
            <Table.Th>Resource</Table.Th>
            <Table.Th>ID</Table.Th>
            <Table.Th>Reason</Table.Th>
            <Table.Th>Seen</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {data.items.map((q) => (
            <Table.Tr key={q.id}>
              <Table.Td>{API_LABELS[q.api]}</Table.Td>
              <Table.Td>{q.resource}</Table.Td>
              <Table.Td>{q.sourceId ?? '—'}</Table.Td>
              <Table.Td>
                <Text size="sm">{q.reason}</Text>
                <Code block fz="xs" mah={80} maw={640} style={{ overflow: 'auto', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                  {q.rawJson.slice(0, 400)}
                </Code>
              </Table.Td>
              <Table.Td>{new Date(q.lastSeenAt).toLocaleString()}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {data.total > PAGE && <Pagination total={Math.ceil(data.total / PAGE)} value={page} onChange={setPage} aria-label="Quarantine pages" />}
    </Stack>
  );
}
