import { Alert, Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { navigate } from '../../app/router';
import { API_LABELS, type ApiName } from '../../../src-shared/domain/apis';
import type { CollectorOutcome, LastApiRun } from '../../../src-shared/domain/sync';
import type { SyncProgress } from '../../../src-shared/ipc/events';
import { fmtAgo, plural } from '../../../src-shared/format';
import { advice } from './advice';
import { SyncProgressLine } from './SyncProgressLine';
import { EntityTable } from './EntityTable';

const STATUS_COLOR: Record<string, string> = { ok: 'green', failed: 'red', skipped: 'gray', cancelled: 'yellow', running: 'blue' };

export interface SyncCardProps {
  api: ApiName;
  last: LastApiRun | null;
  /** The collector's outcome in the API's latest run (what that run changed). */
  outcome: CollectorOutcome | null;
  live: SyncProgress | undefined;
  running: boolean;
  /** Records of this API set aside and not read since (the table below the cards lists them). */
  setAside: number;
  isSandbox: boolean;
  /** What a failed run asks of the steward beyond advice (the deletion valve's confirmation). */
  failureAction?: React.ReactNode;
  /** What the API said about itself: its rate limit (CRM+'s hourly budget), what it does not offer, the plan. */
  facts?: React.ReactNode;
}

/** One API: status, the latest run, what is set aside, live progress, and what to do when it failed. */
export function SyncCard({ api, last, outcome, live, running, setAside, isSandbox, failureAction, facts }: SyncCardProps) {
  const label = API_LABELS[api];
  const tip = last?.status === 'failed' ? advice(api, last.errorCode, isSandbox) : null;
  const state = live && running ? 'running' : (last?.status ?? 'never');
  return (
    <Card withBorder padding="md" aria-label={`${label} sync`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Title order={4}>{label}</Title>
          <Badge color={STATUS_COLOR[state] ?? 'gray'} variant="light" data-testid={`sync-status-${api}`}>
            {live && running ? live.phase : (last?.status ?? 'never synced')}
          </Badge>
        </Group>
        <Text size="sm">Last successful sync: {fmtAgo(last?.lastOkAt)}</Text>
        {outcome && (
          <Text size="sm">
            Latest run read {plural(outcome.records, 'record')} in {plural(outcome.pages, 'page')}.
          </Text>
        )}
        <Text size="sm" c={setAside ? undefined : 'dimmed'}>
          {setAside ? `${plural(setAside, 'record')} set aside (listed below).` : 'No records set aside.'}
        </Text>
        {facts}
        {live && running && <SyncProgressLine p={live} />}
        {last?.status === 'failed' && (
          <Alert color="red" p="xs">
            <Text size="sm">{last.error}</Text>
            {tip && (
              <Text size="sm" fw={500}>
                {tip}{' '}
                {(last.errorCode === 'UNAUTHENTICATED' || last.errorCode === 'TOKEN_MISSING' || (isSandbox && last.errorCode === 'NETWORK')) && (
                  <Button size="compact-xs" variant="light" onClick={() => navigate('settings', 'connections')}>
                    Open Settings
                  </Button>
                )}
              </Text>
            )}
            {failureAction}
          </Alert>
        )}
        {!running && outcome && <EntityTable api={api} outcome={outcome} />}
      </Stack>
    </Card>
  );
}
