/**
 * CSV of a run's findings (what the view shows, filtered the same way), for a spreadsheet, with
 * the persons it names (the export log keeps who was in it).
 * Cells that a spreadsheet would run as a formula are prefixed with a quote (CSV injection;
 * csv-stringify's `escape_formulas`, as every CSV here).
 */
import { stringify } from 'csv-stringify/sync';
import { GROUP_LABELS, KIND_LABELS, type Finding, type FindingGroup, type FindingKind } from '../../src-shared/domain/reconcile';
import type { RunsRepo } from './runs';
import { writeOutputFile } from '../export/outputFile';
import { csvValue } from '../../src-shared/format';

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

export function findingsCsv(
  runs: RunsRepo,
  runId: number,
  previousRunId: number | null,
  filter: { group?: FindingGroup; kind?: FindingKind; change?: 'all' | 'new' | 'changed' | 'fixed' },
): { csv: string; rows: number; personIds: Set<string> } {
  const lines: string[][] = [[...CSV_COLUMNS]];
  const personIds = new Set<string>();
  // Every finding in one read: the list's order is a sort of the whole run (no index carries it),
  // so pages of 5,000 by OFFSET sorted it again for each (200,000 findings: 24.6 s). The file is
  // built in memory anyway.
  const { rows } = runs.findings(runId, previousRunId, { ...filter, offset: 0, limit: -1 });
  for (const f of rows) {
    lines.push(findingRow(f));
    if (f.personId) personIds.add(f.personId);
  }
  return { csv: stringify(lines, { escape_formulas: true }), rows: lines.length - 1, personIds };
}

export function writeCsv(file: string, csv: string): void {
  // A BOM so spreadsheet programs read the file as UTF-8 (names with accents).
  writeOutputFile(file, '\ufeff' + csv);
}
