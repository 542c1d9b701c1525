import { useCallback, useEffect, useState } from 'react';
import { Alert, Badge, Button, Group, Pagination, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { DataTable } from '../../components/DataTable';
import { fmtCount } from '../../../src-shared/format';
import { notifications } from '@mantine/notifications';
import { api, onEvent } from '../../ipc/client';
import type { PushCheckResult, PushSubmissionPage, PushSubmissionStatus } from '../../../src-shared/domain/crmPush';
import { STATUS_COLOR, STATUS_LABEL, when } from './format';

type Filter = 'waiting' | 'confirmed' | 'linked_existing' | 'failed' | 'needs_followup' | 'all';
const FILTERS: { value: Filter; label: string; statuses: PushSubmissionStatus[] }[] = [
  { value: 'waiting', label: 'Pending', statuses: ['pending', 'submitting'] },
  { value: 'confirmed', label: 'Confirmed', statuses: ['confirmed'] },
  { value: 'linked_existing', label: 'Linked', statuses: ['linked_existing'] },
  { value: 'failed', label: 'Failed', statuses: ['failed'] },
  { value: 'needs_followup', label: 'Needs follow-up', statuses: ['needs_followup'] },
  { value: 'all', label: 'All', statuses: [] },
];
const PAGE = 50;
type Row = PushSubmissionPage['rows'][number];
const HOW: Record<string, string> = { reference: 'by reference', email: 'by email', direct: 'created directly' };

function checkText(r: PushCheckResult): string {
  const parts = [`${fmtCount(r.checked)} looked up`, `${fmtCount(r.confirmed)} confirmed`, `${fmtCount(r.stillPending)} still pending`];
  if (r.needsFollowup) parts.push(`${fmtCount(r.needsFollowup)} need follow-up`);
  return parts.join(', ') + (r.stopped ? `. ${r.stopped.message}` : '.');
}

/** Pending, confirmed, failed and needs-follow-up submissions of "Add to CRM+", with "Check pending". */
export function SubmissionsPanel({ profileId, compact = false }: { profileId: number; compact?: boolean }) {
  const [filter, setFilter] = useState<Filter>('waiting');
  const [page, setPage] = useState(1);
  const [data, setData] = useState<PushSubmissionPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const [checkResult, setCheckResult] = useState<PushCheckResult | null>(null);

  const load = useCallback(async () => {
    try {
      const status = filter === 'all' ? undefined : filter;
      setData(await api['push.submissions']({ profileId, status, offset: (page - 1) * PAGE, limit: PAGE }));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [profileId, filter, page]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(
    () =>
      onEvent('data.changed', (p) => {
        if (p.profileId === profileId && (p.scope === 'crmPush' || p.scope === 'identity')) void load();
      }),
    [profileId, load],
  );

  async function check() {
    setChecking(true);
    try {
      const r = await api['push.checkPending']({ profileId });
      setCheckResult(r);
      notifications.show({ color: r.stopped ? 'red' : 'green', message: `Check pending: ${checkText(r)}` });
      await load();
    } catch (err) {
      notifications.show({ color: 'red', message: (err as Error).message });
    } finally {
      setChecking(false);
    }
  }

  const count = (f: (typeof FILTERS)[number]) =>
    f.value === 'all' ? Object.values(data?.counts ?? {}).reduce((a, b) => a + b, 0) - (data?.counts.preview ?? 0) : f.statuses.reduce((a, s) => a + (data?.counts[s] ?? 0), 0);
  const waiting = (data?.counts.pending ?? 0) + (data?.counts.submitting ?? 0) + (data?.counts.needs_followup ?? 0);

  return (
    <Stack gap="sm" role="region" aria-label="CRM+ submissions">
      <Group justify="space-between">
        <Title order={compact ? 5 : 4}>Added to CRM+</Title>
        <Button onClick={check} loading={checking} disabled={waiting === 0}>
          Check pending
        </Button>
      </Group>
      <Text size="sm" c="dimmed" hidden={compact}>
        New contacts go to CRM+ as Contact Transactions and appear after its nightly batch. Twofold looks each one up by its reference (Twofold/VOMO + VOMO user id); those still missing a
        day plus the batch window after sending are flagged for follow-up in CRM+.
      </Text>
      <SegmentedControl
        aria-label="Submission status"
        value={filter}
        onChange={(v) => {
          setFilter(v as Filter);
          setPage(1);
        }}
        data={FILTERS.map((f) => ({ value: f.value, label: `${f.label} (${fmtCount(count(f))})` }))}
      />
      {checkResult && (
        <Text size="sm" role="status" aria-label="Check result">
          {checkText(checkResult)}
        </Text>
      )}
      {error && (
        <Alert color="red" title="Could not load submissions">
          {error}
        </Alert>
      )}
      {data && data.rows.length === 0 && <Text c="dimmed">Nothing here yet. Use "Add to CRM+" on a volunteer list to send people to CRM+.</Text>}
      {data && data.rows.length > 0 && (
        <DataTable<Row>
          ariaLabel="CRM+ submissions"
          columns={[
            {
              id: 'person',
              header: 'Person',
              cell: (r) => (
                <Stack gap={0}>
                  <Text size="sm">{r.name ?? '—'}</Text>
                  <Text size="xs" c="dimmed">
                    {r.email ?? ''}
                  </Text>
                </Stack>
              ),
            },
            { id: 'ref', header: 'Reference', cell: (r) => `${r.referenceSource}/${r.referenceId}` },
            {
              id: 'status',
              header: 'Status',
              cell: (r) => (
                <Badge color={STATUS_COLOR[r.status]} variant="light">
                  {STATUS_LABEL[r.status]}
                </Badge>
              ),
            },
            { id: 'sent', header: 'Sent', cell: (r) => when(r.submittedAt) },
            { id: 'contact', header: 'CRM+ contact', cell: (r) => (r.confirmedContactId ? `#${r.confirmedContactId}${r.confirmedHow ? ` (${HOW[r.confirmedHow] ?? r.confirmedHow})` : ''}` : '—') },
            {
              id: 'details',
              header: 'Details',
              wrap: 360,
              cell: (r) =>
                r.status === 'failed'
                  ? `${r.errorField ? `${r.errorField}: ` : ''}${r.errorMessage ?? ''}`
                  : r.status === 'needs_followup'
                    ? `Not in CRM+ since ${when(r.submittedAt)}: look for it in CRM+ (the Transaction may need manual resolution).`
                    : r.status === 'submitting'
                      ? (r.errorMessage ?? 'Interrupted: looked up by reference before it is sent again.')
                      : r.lastCheckedAt
                        ? `Last checked ${when(r.lastCheckedAt)}`
                        : r.followupDueAt
                          ? `Follow up after ${when(r.followupDueAt)}`
                          : '',
            },
          ]}
          rows={data.rows}
          rowKey={(r) => String(r.id)}
          rowProps={(r) => ({ 'aria-label': r.name ?? r.referenceId })}
        />
      )}
      {data && data.total > PAGE && <Pagination aria-label="Submission pages" total={Math.ceil(data.total / PAGE)} value={page} onChange={setPage} />}
    </Stack>
  );
}
