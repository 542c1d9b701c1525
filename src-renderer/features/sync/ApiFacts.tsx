/**
 * What the Sync view says about an API beyond its last run, in words: the rate-limit figure its
 * latest answer carried (for CRM+ the organization's hourly budget — the same figure the push
 * preview and the estimate show), the resources it does not offer to this token, and for VOMO
 * when every volunteer's participations were last read in full.
 */
import { Alert, Stack, Text } from '@mantine/core';
import { API_LABELS, resourceWords, type ApiName } from '../../../src-shared/domain/apis';
import type { ApiBudget, ApiEstimate, SyncStatus } from '../../../src-shared/domain/sync';
import { fmtAgo, fmtCount, fmtDateTime, fmtDuration } from '../../../src-shared/format';

const n = fmtCount;
const clock = fmtDateTime;
const ago = fmtAgo;

/** "4,321 of 5,000 requests left this hour · resets 14:00 · as of 13:12" */
export function budgetWords(b: ApiBudget | null): string | null {
  if (!b || b.remaining === null) return null;
  const reset = b.resetAt ? (Date.parse(b.resetAt) <= Date.now() ? ' · reset since (full again)' : ` · resets ${clock(b.resetAt)}`) : '';
  return `${n(b.remaining)}${b.limit !== null ? ` of ${n(b.limit)}` : ''} requests left${b.api === 'crm' ? ' this hour (shared with the organization’s other integrations)' : ''}${reset} · as of ${clock(b.observedAt)}`;
}

/** One line per resource an API will not read, and why. */
export function unavailableWords(api: ApiName, status: SyncStatus | null): string[] {
  const last = status?.lastByApi[api];
  const fromRun = last?.unavailable ?? [];
  if (fromRun.length) return fromRun.map((u) => u.reason);
  return (status?.resources ?? [])
    .filter((r) => r.api === api && !r.required && (r.status === 'unavailable' || r.status === 'forbidden'))
    .map((r) => `${API_LABELS[api]} ${resourceWords(r.resource)}: ${r.status === 'forbidden' ? 'this token may not read them' : 'not available to this account'}${r.httpStatus ? ` (HTTP ${r.httpStatus})` : ''}`);
}

export function ApiFacts({ api, status }: { api: ApiName; status: SyncStatus | null }) {
  const budget = budgetWords(status?.budgets[api] ?? null);
  const missing = unavailableWords(api, status);
  const p = status?.participations;
  return (
    <Stack gap={4}>
      {budget && (
        <Text size="xs" c="dimmed" data-testid={`budget-${api}`}>
          {api === 'crm' ? 'Budget' : 'Rate limit'}: {budget}
        </Text>
      )}
      {missing.length > 0 && (
        <Alert color="yellow" p="xs" data-testid={`unavailable-${api}`}>
          {missing.map((m) => (
            <Text key={m} size="sm">
              Not synced — {m}.
            </Text>
          ))}
        </Alert>
      )}
      {api === 'vomo' && p && (
        <Text size="xs" c="dimmed" data-testid="participations-reread">
          {p.due
            ? `The next sync re-reads every volunteer’s participations (about ${n(p.users)} requests): ${p.lastFullAt ? `the last full read was ${ago(p.lastFullAt)}` : 'they were never read in full'}; between full reads only recent project dates are read.`
            : `Every volunteer’s participations were last read in full ${ago(p.lastFullAt)}; again every ${p.everyDays} days. Between full reads each sync reads the recent project dates.`}
        </Text>
      )}
    </Stack>
  );
}

/** The plan of one API as the estimate gives it, with any unusual read spelled out. */
export function EstimateWords({ a }: { a: ApiEstimate }) {
  const head =
    a.status === 'ok'
      ? `${API_LABELS[a.api]}: ${a.calls === null ? 'an unknown number of' : fmtCount(a.calls)} requests, about ${a.seconds !== null ? fmtDuration(Math.ceil(a.seconds)) : 'an unknown time'}${a.rateLimit ? ` at ${a.rateLimit}` : ''}`
      : a.status === 'skipped'
        ? `${API_LABELS[a.api]}: skipped`
        : `${API_LABELS[a.api]}: cannot estimate: ${a.error}`;
  const notes = a.resources.filter((r) => r.unavailable || (r.full && r.note)).map((r) => (r.unavailable ? `not read: ${r.note ?? r.resource}` : `reads ${r.note}`));
  return (
    <Stack gap={0}>
      <Text size="sm">{head}</Text>
      {notes.map((t) => (
        <Text key={t} size="xs" c="dimmed" pl="md">
          {t}
        </Text>
      ))}
    </Stack>
  );
}
