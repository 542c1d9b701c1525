import { Progress, Stack, Text } from '@mantine/core';
import { API_LABELS, resourceWords } from '../../../src-shared/domain/apis';
import type { SyncProgress } from '../../../src-shared/ipc/events';
import { fmtCount, fmtDuration, plural } from '../../../src-shared/format';

const PHASE: Record<string, string> = { starting: 'Starting', running: 'Reading', waiting: 'Waiting', done: 'Done', failed: 'Failed', skipped: 'Skipped', cancelled: 'Cancelled' };

/**
 * One API's live progress: pages, records (of the estimate when known), ETA. The request budget
 * is shown only where it is an hourly budget (CRM+); VOMO's and Raise's per-second windows say
 * nothing a steward can act on.
 */
export function SyncProgressLine({ p }: { p: SyncProgress }) {
  const pct = p.total ? Math.min(100, (p.records / p.total) * 100) : null;
  const parts = [
    `${API_LABELS[p.api]}: ${PHASE[p.phase] ?? p.phase}${p.resource ? ` ${resourceWords(p.resource)}` : ''}`,
    plural(p.pages, 'page'),
    `${fmtCount(p.records)}${p.total ? ` of ${fmtCount(p.total)}` : ''} records`,
  ];
  if (p.api === 'crm' && p.budgetRemaining !== null) parts.push(`${fmtCount(p.budgetRemaining)} requests left this hour`);
  if (p.etaSeconds !== null) parts.push(`about ${fmtDuration(Math.ceil(p.etaSeconds))} left`);
  if (p.message) parts.push(p.message);
  return (
    <Stack gap={4}>
      <Progress value={pct ?? 100} animated={p.phase === 'running' || p.phase === 'waiting'} striped={pct === null} aria-label={`${API_LABELS[p.api]} progress`} />
      <Text size="xs" c="dimmed">
        {parts.join(' · ')}
      </Text>
    </Stack>
  );
}
