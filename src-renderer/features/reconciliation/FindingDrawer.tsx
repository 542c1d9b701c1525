import { Anchor, Badge, Button, Drawer, Group, Stack, Table, Text } from '@mantine/core';
import { navigate } from '../../app/router';
import { GROUP_LABELS, KIND_LABELS, type Finding } from '../../../src-shared/domain/reconcile';
import { detailLine, kindColor, recordName, when } from './format';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** One finding in full: what it is, the record, the evidence, and where to go next. */
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
            When: {when(f.occurredAt)}
          </Text>
          <Table withRowBorders={false} aria-label="Finding detail">
            <Table.Tbody>
              {Object.entries(f.detail).map(([k, v]) => (
                <Table.Tr key={k}>
                  <Table.Td>
                    <Text size="xs" c="dimmed">
                      {k}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{cell(v)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
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
