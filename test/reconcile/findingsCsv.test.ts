/**
 * The findings CSV a steward opens in a spreadsheet: every finding of the filter in the list's
 * order, a cell that would run as a formula there (=, +, -, @, tab, carriage return, or the
 * full-width =, +, -, @ Apple Numbers reads as those) starting with an apostrophe and everything
 * else as it is; logged with the persons it names. A cancelled export leaves no file and no entry.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/store/db';
import { RunsRepo } from '../../src-main/reconcile/runs';
import { CSV_COLUMNS, writeFindingsCsv } from '../../src-main/reconcile/csv';
import type { FindingDraft } from '../../src-main/reconcile/types';
import { tempDir } from '../helpers/tempCore';
import { GROUP_LABELS } from '../../src-shared/domain/reconcile';

let dir: string;
let db: Db;
let runs: RunsRepo;
let runId: number;
const emitted: unknown[] = [];
const deps = () => ({ db, runs, events: { emit: (...a: unknown[]) => emitted.push(a) } });

function draft(i: number, label: string, detail: Record<string, unknown> = {}): FindingDraft {
  return { kind: 'gift_missing_in_crm', api: 'raise', resource: 'gifts', sourceId: `G${i}`, subject: `raise_gift:G${i}`, personId: `P${i % 3}`, label, occurredAt: null, detail };
}

beforeEach(() => {
  dir = tempDir();
  db = openDatabase(path.join(dir, 'a.sqlite'));
  db.prepare("INSERT INTO profiles (id, name, vomo_url, crm_url, created_at, updated_at) VALUES (1, 'Org', 'https://v', 'https://c', 'x', 'x')").run();
  runs = new RunsRepo(db);
  const settings = { since: '2026-01-01', lagHours: 6, dateToleranceDays: 1, asOf: '2026-01-05T00:00:00Z', asOfSource: 'input', checkApis: false, sweep: false, resync: false } as const;
  runId = runs.start(1, settings.asOf, settings);
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const target = () => path.join(dir, 'findings.csv');
const input = () => ({ runId, filter: {}, target: target(), destination: 'file' as const, fileName: 'findings.csv' });

describe('the findings CSV', () => {
  it('escapes formula starts, full-width ones too, and leaves other text as it is', async () => {
    const labels = ['=HYPERLINK("x")', '+1', '-2', '@SUM(A1)', '\tTab', '＝1', '＋1', '－1', '＠x', 'Ann Lee', 'a=b'];
    runs.finish(runId, 'ok', labels.map((l, i) => draft(i + 1, l, i === 0 ? { note: '=x' } : {})), {} as never);
    const { rows } = await writeFindingsCsv(deps(), input());
    expect(rows).toBe(labels.length);
    const text = fs.readFileSync(target(), 'utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    expect(text).toContain('\r\n');
    const records = parse(text, { bom: true }) as string[][];
    expect(records[0]).toEqual([...CSV_COLUMNS]);
    const name = records[0]!.indexOf('name');
    // The list's order: these tie on kind and time, so by id.
    expect(records.slice(1).map((r) => r[name])).toEqual([...labels.slice(0, 9).map((l) => `'${l}`), 'Ann Lee', 'a=b']);
    expect(records[1]![records[0]!.indexOf('detail')]).toBe('note==x');
  });

  it('writes every finding of a run larger than a page, and logs each person it names once', async () => {
    runs.finish(runId, 'ok', Array.from({ length: 2_345 }, (_, i) => draft(i, `Donor ${i}`)), {} as never);
    const steps: string[] = [];
    const { rows } = await writeFindingsCsv(deps(), { ...input(), filter: { group: 'missing_in_crm' } }, { onProgress: (s) => steps.push(s) });
    expect(rows).toBe(2_345);
    const records = parse(fs.readFileSync(target(), 'utf8'), { bom: true }) as string[][];
    expect(new Set(records.slice(1).map((r) => r[records[0]!.indexOf('source_id')])).size).toBe(2_345);
    expect(steps.filter((s) => s === 'write')).toHaveLength(3);
    const entry = db.prepare(`SELECT id, list, row_count, file_path, filters_json FROM exports`).get() as { id: number; list: string; row_count: number; file_path: string; filters_json: string };
    expect(entry).toMatchObject({ list: 'reconciliation', row_count: 2_345, file_path: target() });
    expect(JSON.parse(entry.filters_json)).toEqual({ reconcileRunId: runId, findings: GROUP_LABELS.missing_in_crm });
    expect(db.prepare('SELECT person_id FROM export_members WHERE export_id = ? ORDER BY person_id').pluck().all(entry.id)).toEqual(['P0', 'P1', 'P2']);
    expect(emitted).toContainEqual(['data.changed', { profileId: 1, scope: 'exports' }]);
  });

  it('leaves no file, no partial file and no log entry when cancelled between pages', async () => {
    runs.finish(runId, 'ok', Array.from({ length: 2_500 }, (_, i) => draft(i, `Donor ${i}`)), {} as never);
    const signal = { aborted: false };
    let pages = 0;
    const out = writeFindingsCsv(deps(), input(), {
      signal,
      onProgress: (step) => {
        if (step === 'write' && ++pages === 2) signal.aborted = true;
      },
    });
    await expect(out).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('findings'))).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM exports').pluck().get()).toBe(0);
  });

  it('says which run it cannot find', async () => {
    await expect(writeFindingsCsv(deps(), { ...input(), runId: 999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(fs.existsSync(`${target()}.partial`)).toBe(false);
  });
});
