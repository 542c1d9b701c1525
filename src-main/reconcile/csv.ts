/**
 * CSV of a run's findings (what the view shows, filtered the same way), for a spreadsheet, with
 * the persons it names (the export log keeps who was in it). Written as every CSV here is
 * (csvExport.ts): a byte-order mark, CRLF records, formula starts escaped.
 */
import fs from 'node:fs';
import { GROUP_LABELS, KIND_LABELS, type Finding, type FindingGroup, type FindingKind } from '../../src-shared/domain/reconcile';
import { AppError } from '../../src-shared/errors';
import { csvValue } from '../../src-shared/format';
import type { Db } from '../store/db';
import type { EventBus } from '../core/events';
import type { RunsRepo } from './runs';
import { createCsvFileWriter } from '../export/csvExport';
import { writeLoggedFile } from '../export/exportLog';

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

/** What a stopped findings export may leave behind; removed by whoever stopped it. */
export function findingsCsvLitter(input: Pick<FindingsCsvInput, 'target'>): string[] {
  return [`${input.target}.partial`];
}

/**
 * Writes a run's findings, filtered as the view shows them, to a CSV, in the list's order, page by
 * page through the list's cursor; runs as a job (200,000 findings took 4.5 s on the core's thread).
 * The file is written under a temporary name, renamed when complete and logged in one step
 * (exportLog.ts) with the persons it names: the findings name donors and their gifts,
 * unencrypted. A cancel (checked between pages) leaves no file and logs nothing.
 */
export async function writeFindingsCsv(
  deps: FindingsCsvDeps,
  input: FindingsCsvInput,
  job: { signal?: { readonly aborted: boolean }; onProgress?(step: string, done: number, total: number | null): void } = {},
): Promise<{ rows: number }> {
  const run = deps.runs.get(input.runId);
  if (!run) throw new AppError('NOT_FOUND', `There is no reconciliation run ${input.runId}.`);
  const stopIfCancelled = () => {
    if (job.signal?.aborted) throw new AppError('CANCELLED', 'The export was cancelled; no file was written.');
  };
  const partial = findingsCsvLitter(input)[0]!;
  const writer = createCsvFileWriter(partial, [...CSV_COLUMNS]);
  const personIds = new Set<string>();
  try {
    let cursor: string | null = null;
    let total: number | null = null;
    for (;;) {
      stopIfCancelled();
      job.onProgress?.('write', writer.rowsWritten, total);
      const page = deps.runs.findings(run.id, run.previousRunId, { ...input.filter, cursor, limit: BATCH });
      total = page.total;
      for (const f of page.rows) if (f.personId) personIds.add(f.personId);
      await writer.write(page.rows.map(findingRow));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    await writer.finish();
    stopIfCancelled();
    job.onProgress?.('record', writer.rowsWritten, writer.rowsWritten);
    const f = input.filter;
    const described = [f.group && GROUP_LABELS[f.group], f.kind && KIND_LABELS[f.kind], f.change && f.change !== 'all' && `${f.change} since the run before`];
    writeLoggedFile(
      deps.db,
      {
        profileId: run.profileId,
        kind: 'reconciliation',
        filters: { reconcileRunId: run.id, findings: described.filter(Boolean).join(' · ') },
        columns: CSV_COLUMNS,
        rowCount: writer.rowsWritten,
        fileName: input.fileName,
        destination: input.destination,
        filePath: input.target,
      },
      personIds,
      () => fs.renameSync(partial, input.target),
    );
  } catch (err) {
    await writer.abort().catch(() => undefined);
    fs.rmSync(partial, { force: true });
    if (err instanceof AppError) throw err;
    throw new AppError('INTERNAL', `The findings could not be written: ${(err as Error).message.split('\n')[0]}`);
  }
  deps.events.emit('data.changed', { profileId: run.profileId, scope: 'exports' });
  return { rows: writer.rowsWritten };
}
