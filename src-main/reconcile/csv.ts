/**
 * CSV of a run's findings (what the view shows, filtered the same way), for a spreadsheet, with
 * the persons it names (the export log keeps who was in it). Written as every CSV here is
 * (csvExport.ts): a byte-order mark, CRLF records, formula starts escaped.
 */
import { GROUP_LABELS, KIND_LABELS, type Finding, type FindingGroup, type FindingKind } from '../../src-shared/domain/reconcile';
import { AppError } from '../../src-shared/errors';
import { csvValue } from '../../src-shared/format';
import type { Db } from '../store/db';
import type { EventBus } from '../core/events';
import type { RunsRepo } from './runs';
import { writeLoggedCsv, type CsvBatch } from '../export/exportLog';

export const CSV_COLUMNS = [
  'group',
  'kind',
  'change',
  'api',
  'resource',
  'source_id',
  'person_id',
  'name',
  'occurred_at',
  'amount',
  'crm_amount',
  'campaign',
  'crm_url',
  'detail',
] as const;

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function money(c: unknown): string {
  return typeof c === 'number' ? (csvValue.money(c) ?? '') : '';
}

export function findingRow(f: Finding): string[] {
  const d = f.detail;
  const rest = Object.entries(d)
    .filter(([k]) => !['amountCents', 'raiseAmountCents', 'crmAmountCents', 'campaign'].includes(k))
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('; ');
  return [
    GROUP_LABELS[f.group],
    KIND_LABELS[f.kind],
    f.change ?? '',
    f.api,
    f.resource,
    f.sourceId,
    f.personId ?? '',
    f.label ?? '',
    csvValue.dateTime(f.occurredAt) ?? '',
    money(d.amountCents ?? d.raiseAmountCents),
    money(d.crmAmountCents),
    (d.campaign as string | undefined) ?? '',
    f.crmUrl ?? '',
    rest,
  ].map(text);
}

/** A findings CSV as a job: which run's findings, filtered as the view, to which checked file. */
export interface FindingsCsvInput {
  runId: number;
  filter: { group?: FindingGroup; kind?: FindingKind; change?: 'all' | 'new' | 'changed' | 'fixed' };
  target: string;
  destination: 'file' | 'download';
  /** The name the log shows (a download's file is named by its id). */
  fileName: string;
}

export interface FindingsCsvDeps {
  db: Db;
  runs: Pick<RunsRepo, 'get' | 'findings'>;
  events: Pick<EventBus, 'emit'>;
}

/** Findings read and written per batch (one index range each: the last costs what the first does). */
const BATCH = 1000;

/**
 * Writes a run's findings, filtered as the view shows them, to a CSV, in the list's order, page by
 * page through the list's cursor; runs as a job (200,000 findings took 4.5 s on the core's thread).
 * Written, logged with the persons it names (the findings name donors and their gifts,
 * unencrypted) and left whole or not at all as every logged CSV is (exportLog.ts: writeLoggedCsv).
 */
export async function writeFindingsCsv(
  deps: FindingsCsvDeps,
  input: FindingsCsvInput,
  job: { signal?: { readonly aborted: boolean }; onProgress?(step: string, done: number, total: number | null): void } = {},
): Promise<{ rows: number }> {
  const run = deps.runs.get(input.runId);
  if (!run) throw new AppError('NOT_FOUND', `There is no reconciliation run ${input.runId}.`);
  function* pages(): Generator<CsvBatch> {
    let cursor: string | null = null;
    let done = 0;
    for (;;) {
      const page = deps.runs.findings(run!.id, run!.previousRunId, { ...input.filter, cursor, limit: BATCH });
      job.onProgress?.('write', done, page.total);
      done += page.rows.length;
      yield { rows: page.rows.map(findingRow), personIds: page.rows.flatMap((f) => (f.personId ? [f.personId] : [])) };
      if (!page.nextCursor) return;
      cursor = page.nextCursor;
    }
  }
  const f = input.filter;
  const described = [f.group && GROUP_LABELS[f.group], f.kind && KIND_LABELS[f.kind], f.change && f.change !== 'all' && `${f.change} since the run before`];
  const rows = await writeLoggedCsv(
    deps.db,
    {
      profileId: run.profileId,
      kind: 'reconciliation',
      filters: { reconcileRunId: run.id, findings: described.filter(Boolean).join(' · ') },
      columns: CSV_COLUMNS,
      fileName: input.fileName,
      destination: input.destination,
      filePath: input.target,
    },
    pages(),
    {
      what: 'The findings',
      stop: () => {
        if (job.signal?.aborted) throw new AppError('CANCELLED', 'The export was cancelled; no file was written.');
      },
    },
  );
  deps.events.emit('data.changed', { profileId: run.profileId, scope: 'exports' });
  return { rows };
}
