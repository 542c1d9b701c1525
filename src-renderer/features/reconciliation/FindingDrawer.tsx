import { Anchor, Badge, Button, Drawer, Group, Stack, Text } from '@mantine/core';
import { navigate } from '../../app/router';
import { GROUP_LABELS, KIND_LABELS, type Finding } from '../../../src-shared/domain/reconcile';
import { fmtDateTime } from '../../../src-shared/format';
import { DataTable } from '../../components/DataTable';
import { detailLabel, detailLine, detailValue, kindColor, recordName } from './format';

type Entry = [string, unknown];

/** One finding in full: what it is, the record, the evidence in words, and where to go next. */
export function FindingDrawer({ finding, onClose }: { finding: Finding | null; onClose: () => void }) {
  const f = finding;
  return (
    <Drawer opened={!!f} onClose={onClose} position="right" size="md" title={f ? KIND_LABELS[f.kind] : ''} aria-label="Finding">
      {f && (
        <Stack gap="sm">
          <Group gap="xs">
            <Badge color={kindColor(f.kind)} variant="light">
              {GROUP_LABELS[f.group]}
            </Badge>
            {f.change && f.change !== 'same' && <Badge variant="outline">{f.change}</Badge>}
          </Group>
          <Text fw={600}>{f.label ?? recordName(f)}</Text>
          <Text size="sm">{recordName(f)}</Text>
          {detailLine(f) && <Text size="sm">{detailLine(f)}</Text>}
          <Text size="sm" c="dimmed">
            When: {fmtDateTime(f.occurredAt)}
          </Text>
          <DataTable<Entry>
            ariaLabel="Finding detail"
            compact
            striped={false}
            highlightOnHover={false}
            columns={[
              { id: 'k', header: 'Detail', cell: (e) => detailLabel(e[0]) },
              { id: 'v', header: 'Value', cell: (e) => detailValue(e[0], e[1]), wrap: 260 },
            ]}
            rows={Object.entries(f.detail)}
            rowKey={(e) => e[0]}
          />
          <Group>
            {f.personId ? (
              <Button onClick={() => navigate('person', f.personId)} aria-label={`Open person ${f.label ?? f.personId}`}>
                Open person
              </Button>
            ) : (
              <Text size="sm" c="dimmed">
                No person in the store for this record yet.
              </Text>
            )}
            {f.crmUrl && (
              <Anchor href={f.crmUrl} target="_blank" rel="noopener noreferrer">
                View in CRM+
              </Anchor>
            )}
          </Group>
        </Stack>
      )}
    </Drawer>
  );
}
