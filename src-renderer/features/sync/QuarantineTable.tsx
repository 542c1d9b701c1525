import { useEffect, useState } from 'react';
import { Badge, Code, Group, Pagination, Stack, Text, Title } from '@mantine/core';
import { api } from '../../ipc/client';
import type { QuarantineItem, QuarantinePage } from '../../../src-shared/domain/sync';
import { API_LABELS, resourceLabel } from '../../../src-shared/domain/apis';
import { DataTable } from '../../components/DataTable';
import { fmtCount, fmtDateTime } from '../../../src-shared/format';

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
        No records set aside: every record the APIs sent could be read.
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      <Group>
        <Title order={4}>Records set aside (quarantined)</Title>
        <Badge color="orange" variant="light">
          {fmtCount(data.total)}
        </Badge>
      </Group>
      <Text size="sm" c="dimmed">
        These records came back in a shape Twofold could not read. They were set aside; everything else was saved. Fix them at the source; the next sync picks them up.
      </Text>
      <DataTable<QuarantineItem>
        ariaLabel="Quarantined records"
        columns={[
          { id: 'system', header: 'System', cell: (q) => API_LABELS[q.api] },
          { id: 'resource', header: 'Records', cell: (q) => resourceLabel(q.resource) },
          { id: 'id', header: 'ID', cell: (q) => q.sourceId ?? '—' },
          {
            id: 'reason',
            header: 'Why it was set aside',
            wrap: 640,
            cell: (q) => (
              <Stack gap={4}>
                <Text size="sm">{q.reason}</Text>
                <Code block fz="xs" mah={80} style={{ overflow: 'auto', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                  {q.rawJson.slice(0, 400)}
                </Code>
              </Stack>
            ),
          },
          { id: 'seen', header: 'Seen', cell: (q) => fmtDateTime(q.lastSeenAt) },
        ]}
        rows={data.items}
        rowKey={(q) => String(q.id)}
      />
      {data.total > PAGE && <Pagination total={Math.ceil(data.total / PAGE)} value={page} onChange={setPage} aria-label="Quarantine pages" />}
    </Stack>
  );
}
