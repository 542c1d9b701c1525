/**
 * The findings CSV a steward opens in a spreadsheet: a cell that would run as a formula there
 * (=, +, -, @, tab, carriage return, or the full-width =, +, -, @ Apple Numbers reads as those)
 * starts with an apostrophe; everything else is written as it is.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { findingsCsv } from '../../src-main/reconcile/csv';
import type { RunsRepo } from '../../src-main/reconcile/runs';
import type { Finding } from '../../src-shared/domain/reconcile';

function finding(id: number, label: string, detail: Record<string, unknown> = {}): Finding {
  return { id, kind: 'gift_missing_in_crm', group: 'missing_in_crm', api: 'raise', resource: 'gifts', sourceId: `G${id}`, subject: `raise_gift:G${id}`, personId: 'P1', label, crmUrl: null, occurredAt: null, detail, change: null };
}

describe('the findings CSV', () => {
  it('escapes formula starts, full-width ones too, and leaves other text as it is', () => {
    const labels = ['=HYPERLINK("x")', '+1', '-2', '@SUM(A1)', '\tTab', '＝1', '＋1', '－1', '＠x', 'Ann Lee', 'a=b'];
    const runs = { findings: () => ({ rows: labels.map((l, i) => finding(i + 1, l, i === 0 ? { note: '=x' } : {})) }) } as unknown as RunsRepo;
    const { csv, rows } = findingsCsv(runs, 1, null, {});
    expect(rows).toBe(labels.length);
    const records = parse(csv) as string[][];
    const name = records[0]!.indexOf('name');
    expect(records.slice(1).map((r) => r[name])).toEqual([...labels.slice(0, 9).map((l) => `'${l}`), 'Ann Lee', 'a=b']);
    expect(records[1]![records[0]!.indexOf('detail')]).toBe('note==x');
  });
});
