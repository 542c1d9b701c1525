/**
 * A run's findings are listed in the view's order (group in the steward's order, kind, newest
 * first with undated ones last, id) and paged by cursor: walking every page forward, or back from
 * the last, visits each finding of the filter exactly once, also where findings tie on kind and
 * time; every page is one walk of the page index (no sort of the run), and the totals the view
 * shows are those of the filter.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/store/db';
import { RunsRepo, type FindingsQuery } from '../../src-main/reconcile/runs';
import type { FindingDraft } from '../../src-main/reconcile/types';
import { FindingKind, GROUP_ORDER, KIND_GROUP, type Finding } from '../../src-shared/domain/reconcile';
import { tempDir } from '../helpers/tempCore';

const KINDS = FindingKind.options;
let dir: string;
let db: Db;
let runs: RunsRepo;
let first: number;
let second: number;

/** Findings over every kind, many sharing a kind and a day, a sixth with no time; `shift` moves the subjects between runs. */
function drafts(n: number, shift: number, changedEvery: number): FindingDraft[] {
  return Array.from({ length: n }, (_, i) => {
    const s = i + shift;
    const kind = KINDS[s % KINDS.length]!;
    return {
      kind,
      api: 'raise',
      resource: 'gifts',
      sourceId: String(s),
      subject: `raise_gift:${s}`,
      label: s % 9 === 0 ? `Ann ${s}` : `Bo ${s}`,
      personId: s % 4 === 0 ? `P${s % 50}` : null,
      occurredAt: s % 6 === 0 ? null : `2026-01-0${1 + (s % 3)}T00:00:00Z`,
      detail: { amountCents: s },
      fingerprintExtra: shift > 0 && s % changedEvery === 0 ? 'x' : undefined,
    };
  });
}

beforeAll(() => {
  dir = tempDir();
  db = openDatabase(path.join(dir, 'a.sqlite'));
  db.prepare("INSERT INTO profiles (id, name, vomo_url, crm_url, created_at, updated_at) VALUES (1, 'Org', 'https://v', 'https://c', 'x', 'x')").run();
  runs = new RunsRepo(db);
  first = runs.start(1, '2026-01-05T00:00:00Z', { lagHours: 6 } as never);
  runs.finish(first, 'ok', drafts(260, 0, 0), {} as never);
  second = runs.start(1, '2026-01-06T00:00:00Z', { lagHours: 6 } as never);
  runs.finish(second, 'ok', drafts(240, 60, 7), {} as never);
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const byListOrder = (a: Finding, b: Finding) =>
  GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group) ||
  (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) ||
  // Newest first; an undated finding ('') after every dated one.
  (b.occurredAt ?? '').localeCompare(a.occurredAt ?? '') ||
  a.id - b.id;

function walk(runId: number, prev: number | null, q: Omit<FindingsQuery, 'limit'>, dir: 'next' | 'prev'): { ids: number[]; totals: number[] } {
  const ids: number[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 500; i++) {
    const page = runs.findings(runId, prev, { ...q, cursor, direction: dir, limit: 7 });
    totals.push(page.total);
    if (dir === 'next') ids.push(...page.rows.map((f) => f.id));
    else ids.unshift(...page.rows.map((f) => f.id));
    cursor = dir === 'next' ? page.nextCursor : page.prevCursor;
    if (!cursor) return { ids, totals };
  }
  throw new Error('the pages never ended');
}

const FILTERS: Omit<FindingsQuery, 'limit'>[] = [
  {},
  { change: 'new' },
  { change: 'changed' },
  { change: 'fixed' },
  { group: 'mismatch' },
  { group: 'store_drift', change: 'new' },
  { kind: 'gift_missing_in_crm' },
  { kind: 'store_stale', change: 'changed' },
  { search: 'Ann' },
  { change: 'fixed', group: 'gone' },
];

describe('findings by cursor', () => {
  for (const f of FILTERS) {
    it(`visits each finding once, in the list's order, both ways: ${JSON.stringify(f)}`, () => {
      const every = runs.findings(second, first, { ...f, limit: -1 }).rows;
      expect(every.length).toBeGreaterThan(0);
      expect([...every].sort(byListOrder).map((x) => x.id)).toEqual(every.map((x) => x.id));
      const forward = walk(second, first, f, 'next');
      const back = walk(second, first, f, 'prev');
      expect(forward.ids).toEqual(every.map((x) => x.id));
      expect(back.ids).toEqual(every.map((x) => x.id));
      // The total the view shows is the filter's, on every page (from the kept comparison or counted).
      expect(new Set([...forward.totals, ...back.totals])).toEqual(new Set([every.length]));
    });
  }

  it('counts every finding as new in a run with none before it, as the list lists them', () => {
    const every = runs.findings(first, null, { change: 'new', limit: -1 });
    expect(every.rows).toHaveLength(260);
    expect(runs.findings(first, null, { change: 'new', limit: 5 }).total).toBe(260);
    expect(runs.findings(first, null, { change: 'fixed', limit: 5 }).total).toBe(0);
  });

  it('keeps the comparison with the run before with the run, equal to counting it again', () => {
    const kept = JSON.parse(db.prepare('SELECT diff_json FROM reconcile_runs WHERE id = ?').pluck().get(second) as string);
    db.prepare('UPDATE reconcile_runs SET diff_json = NULL WHERE id = ?').run(second);
    try {
      expect(new RunsRepo(db).diff(second, first)).toEqual(kept);
    } finally {
      db.prepare('UPDATE reconcile_runs SET diff_json = ? WHERE id = ?').run(JSON.stringify(kept), second);
    }
    expect(kept.byGroup.mismatch.count).toBe(runs.findings(second, first, { group: 'mismatch', limit: -1 }).rows.length);
    expect(kept.fixed).toBe(runs.findings(second, first, { change: 'fixed', limit: -1 }).rows.length);
  });

  it('pages by offset without a cursor (the CLI) in the same order', () => {
    const every = runs.findings(second, first, { limit: -1 }).rows.map((x) => x.id);
    expect(runs.findings(second, first, { offset: 30, limit: 10 }).rows.map((x) => x.id)).toEqual(every.slice(30, 40));
  });

  it('refuses a cursor it did not give', () => {
    expect(() => runs.findings(second, first, { cursor: 'bm90IGEgY3Vyc29y', limit: 5 })).toThrow(/page position is not valid/);
  });

  it('reads every page as one walk of the page index, never sorting the run', () => {
    const plans: string[][] = [];
    const prepare = db.prepare.bind(db);
    (db as { prepare: Db['prepare'] }).prepare = ((sql: string) => {
      const stmt = prepare(sql);
      if (!/ORDER BY c\.grp_rank/.test(sql)) return stmt;
      const all = stmt.all.bind(stmt);
      return Object.assign(stmt, {
        all: (params: Record<string, unknown>) => {
          plans.push((prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail));
          return all(params);
        },
      });
    }) as Db['prepare'];
    try {
      for (const f of FILTERS) {
        const p1 = runs.findings(second, first, { ...f, limit: 7 });
        if (p1.nextCursor) runs.findings(second, first, { ...f, cursor: p1.nextCursor, limit: 7 });
        runs.findings(second, first, { ...f, direction: 'prev', limit: 7 });
      }
    } finally {
      (db as { prepare: Db['prepare'] }).prepare = prepare;
    }
    expect(plans.length).toBeGreaterThan(FILTERS.length * 2);
    for (const steps of plans) {
      const text = steps.join('\n');
      expect(text, text).not.toMatch(/TEMP B-TREE/);
      expect(text, text).toMatch(/^SEARCH c USING INDEX reconcile_findings_page \(run_id=/);
    }
  });

  it('ranks each group as the view orders them', () => {
    const ranks = db.prepare('SELECT DISTINCT grp, grp_rank FROM reconcile_findings').all() as { grp: string; grp_rank: number }[];
    for (const r of ranks) expect(r.grp_rank).toBe(GROUP_ORDER.indexOf(r.grp as never));
    expect(new Set(ranks.map((r) => r.grp))).toEqual(new Set(Object.values(KIND_GROUP)));
  });
});
