/**
 * An export's snapshot (export/exportSnapshot.ts) filled in person order holds the same rows, in
 * the same order, as one filled by walking the list's own sort index: for every list, every sort
 * it allows, both directions, through ties, case-only differences and missing values, with the
 * recently asked left out of the file and out of the log; sorted in one part or in several, merged
 * without a sort. Which way a list is read depends on the profile's size and the list's share of
 * it (and the sort's cap), and a search is always read through its hits.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tempCore, tempDir } from '../helpers/tempCore';
import { addPersons, addProfile, markIdentityRun, tiedPersons } from './fixtures.test';
import { LISTS } from '../../src-main/insights/listRegistry';
import { prepareList } from '../../src-main/insights/service';
import * as snapshots from '../../src-main/export/exportSnapshot';
import { CACHED_PERSONS, membersByPerson, PERSON_ORDER_SHARE, personOrderParts, SORTED_ROWS_MAX, writeSnapshot } from '../../src-main/export/exportSnapshot';
import { exportList, scratchFile, scratchName } from '../../src-main/export/listExport';
import { recentlyAskedSql } from '../../src-main/export/recentlyAsked';
import type { BuiltQuery } from '../../src-main/insights/query';
import type { ListName, ListSort } from '../../src-shared/domain/insights';

const AS_OF = '2026-11-01';
const COLUMNS = {
  select: 'p.id, p.display_first_name, p.display_last_name, p.display_email, p.email_opted_in, im.lifetime_giving_cents, im.last_gift_date, im.verified_hours, im.score',
  aliases: ['person_id', 'display_first_name', 'display_last_name', 'display_email', 'email_opted_in', 'lifetime_giving_cents', 'last_gift_date', 'verified_hours', 'score'],
};

let core: ReturnType<typeof tempCore>;
let profileId: number;
beforeAll(() => {
  core = tempCore();
  profileId = addProfile(core.db);
  addPersons(core.db, profileId, tiedPersons(160));
  markIdentityRun(core.db, profileId);
  // Every seventh person was in an outreach export two days ago; some others long ago.
  const ask = core.db.prepare('INSERT OR IGNORE INTO person_asks (profile_id, person_id, last_asked_at) VALUES (?, ?, ?)');
  for (let i = 0; i < 160; i += 7) ask.run(profileId, `P${String(i).padStart(4, '0')}`, '2026-10-30T00:00:00.000Z');
  for (let i = 3; i < 160; i += 11) ask.run(profileId, `P${String(i).padStart(4, '0')}`, '2025-01-01T00:00:00.000Z');
});
afterAll(() => core.cleanup());

let schemas = 0;
/** The snapshot's rows as the export reads them: batch by batch, every column but the position. */
function snapshot(q: BuiltQuery, parts: number): { rows: unknown[][]; members: string[] } {
  const schema = `snap_${++schemas}`;
  core.db.prepare(`ATTACH DATABASE ':memory:' AS ${schema}`).run();
  try {
    const snap = writeSnapshot(core.db, {
      schema,
      query: q,
      columns: COLUMNS,
      askedExpr: recentlyAskedSql('p.id'),
      optedOutExpr: 'COALESCE(p.email_opted_in = 0, 0)',
      params: { ...q.params, askedSince: '2026-10-01T00:00:00.000Z' },
      parts,
      persons: 160,
    });
    const batch = core.db.prepare(snap.batchSql(7, [...COLUMNS.aliases, 'asked', 'opted_out']));
    const rows: unknown[][] = [];
    for (let after = 0; ; ) {
      const got = batch.all({ after }) as Record<string, unknown>[];
      if (got.length === 0) break;
      after = got[got.length - 1]!.pos as number;
      for (const r of got) rows.push(COLUMNS.aliases.map((c) => r[c]).concat([r.asked, r.opted_out]));
    }
    const members = (core.db.prepare(snap.membersSql).raw(true).all({ exportId: 1, pid: profileId }) as unknown[][]).map((r) => r[2] as string);
    return { rows, members };
  } finally {
    core.db.exec(`DETACH DATABASE ${schema}`);
  }
}

async function query(list: ListName, sort?: ListSort, search?: string): Promise<BuiltQuery> {
  const deps = { ...core, measures: (pid: number, day?: string) => core.insights.measures(pid, day) };
  return (await prepareList(deps, { profileId, list, sort, search, asOf: AS_OF })).query;
}

describe('an export snapshot', () => {
  it('in person order, in one part or several, holds the rows of the list order walk, in its order, for every list and sort both ways', async () => {
    let compared = 0;
    for (const def of Object.values(LISTS)) {
      for (const key of def.sortKeys) {
        for (const dir of ['asc', 'desc'] as const) {
          const q = await query(def.name, { key, dir });
          const walked = snapshot(q, 0);
          const label = `${def.name} ${key} ${dir}`;
          expect(walked.rows.length, label).toBeGreaterThan(5);
          // Neither the file nor the log holds the recently asked; the log holds everyone else once.
          expect(walked.rows.every((r) => r[r.length - 2] === 0), label).toBe(true);
          expect(new Set(walked.members).size, label).toBe(walked.rows.length);
          // One sort; three parts of 54 persons; seven of 23 (parts holding no member, too).
          for (const parts of [1, 3, 7]) {
            const byPerson = snapshot(q, parts);
            expect(byPerson.rows, `${label} in ${parts}`).toEqual(walked.rows);
            expect(byPerson.members, `${label} in ${parts}`).toEqual(walked.members);
          }
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(40);
  });

  it('reads a list in person order only when it is a large share of a profile too large for the page cache, in parts past the sort cap, never a search', async () => {
    const q = await query('all');
    const big = CACHED_PERSONS * 8;
    expect(personOrderParts(q, () => big / 4, big)).toBe(1);
    expect(personOrderParts(q, () => Math.floor(big * PERSON_ORDER_SHARE) - 1, big)).toBe(0);
    // More rows than one sort may hold in memory: parts of at most that many persons each.
    expect(personOrderParts(q, () => SORTED_ROWS_MAX + 1, big)).toBe(Math.ceil(big / SORTED_ROWS_MAX));
    expect(Math.ceil(big / personOrderParts(q, () => big, big))).toBeLessThanOrEqual(SORTED_ROWS_MAX);
    let counted = 0;
    const members = () => {
      counted++;
      return CACHED_PERSONS;
    };
    expect(personOrderParts(q, members, CACHED_PERSONS)).toBe(0);
    expect(personOrderParts(await query('all', undefined, 'Lee'), members, big)).toBe(0);
    expect(counted, 'neither a cached profile nor a search is counted').toBe(0);
  });

  it('merges its parts through their own indexes, without a sort that would hold every row', async () => {
    const q = await query('all', { key: 'name', dir: 'desc' });
    const statements: string[] = [];
    // The connection as writeSnapshot sees it, every statement it runs noted.
    const noting = new Proxy(core.db, {
      get(target, key) {
        const value = Reflect.get(target, key) as unknown;
        if (key === 'exec' || key === 'prepare') return (sql: string) => (statements.push(sql), (value as (s: string) => unknown).call(target, sql));
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    core.db.prepare(`ATTACH DATABASE ':memory:' AS merge_probe`).run();
    try {
      writeSnapshot(noting, { schema: 'merge_probe', query: q, columns: COLUMNS, askedExpr: '0', optedOutExpr: '0', params: q.params, parts: 4, persons: 160 });
      const merge = statements.find((s) => s.includes('UNION ALL'))!;
      const plan = (core.db.prepare(`EXPLAIN QUERY PLAN ${merge}`).all() as { detail: string }[]).map((r) => r.detail);
      expect(plan).toContain('MERGE (UNION ALL)');
      for (let i = 0; i < 4; i++) expect(plan).toContain(`SCAN merge_probe.part${i} USING INDEX part${i}_order`);
      expect(plan.join(' / ')).not.toMatch(/TEMP B-TREE/);
      // And each part was written in person-id ranges of at most 40 persons (160 ÷ 4).
      const sizes = [0, 1, 2, 3].map((i) => core.db.prepare(`SELECT COUNT(*) FROM merge_probe.part${i}`).pluck().get() as number);
      expect(sizes.every((n) => n <= 40)).toBe(true);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(core.db.prepare('SELECT COUNT(*) FROM merge_probe.rows').pluck().get());
    } finally {
      core.db.exec('DETACH DATABASE merge_probe');
    }
  });

  it('walks the measures by their key, not through a list index, and each persons row by the same key', async () => {
    for (const [list, sort] of [
      ['lapsed', { key: 'lastGiftDate', dir: 'desc' }],
      ['volunteer-only', { key: 'name', dir: 'asc' }],
      ['top-volunteers', { key: 'verifiedHours', dir: 'desc' }],
    ] as [ListName, ListSort][]) {
      const q = await query(list, sort);
      const plan = (core.db.prepare(`EXPLAIN QUERY PLAN ${membersByPerson(q, 'p.id')}`).all(q.params) as { detail: string }[]).map((r) => r.detail);
      expect(plan[0], list).toMatch(/^SEARCH im USING PRIMARY KEY \(profile_id=\?\)/);
      expect(plan[1], list).toMatch(/^SEARCH p USING PRIMARY KEY \(profile_id=\? AND id=\?\)/);
      expect(plan, list).toHaveLength(2);
    }
  });
});

describe('an export of a long list of a large profile', () => {
  it('is read in person order and writes the file, the counts and the log a walk in the list order writes', async () => {
    const big = tempCore();
    const dir = tempDir();
    try {
      const pid = addProfile(big.db);
      addPersons(big.db, pid, tiedPersons(9000));
      markIdentityRun(big.db, pid);
      const asked = big.db.prepare('INSERT INTO person_asks (profile_id, person_id, last_asked_at) VALUES (?, ?, ?)');
      for (let i = 0; i < 9000; i += 13) asked.run(pid, `P${String(i).padStart(4, '0')}`, '2026-10-30T00:00:00.000Z');
      const spy = vi.spyOn(snapshots, 'writeSnapshot');
      const run = async (persons: number | null, file: string) => {
        // The profile's size as the measures state says it: 9,000, or as large as a real organization's.
        const measures = async (p: number, day?: string) => {
          const state = await big.insights.measures(p, day);
          return persons === null ? state : { ...state, persons };
        };
        const target = path.join(dir, file);
        const req = { profileId: pid, list: 'all' as const, asOf: AS_OF, sort: { key: 'name' as const, dir: 'desc' as const }, excludeRecentlyAskedDays: 30, outreach: false };
        const res = await exportList({ ...big, measures }, req, { target, destination: 'file', scratchName: scratchName(), downloadId: null }, { now: () => Date.parse('2026-11-01T12:00:00Z') });
        return { res, bytes: fs.readFileSync(target), parts: spy.mock.lastCall![1].parts, members: big.db.prepare('SELECT person_id FROM export_members WHERE export_id = ? ORDER BY person_id').pluck().all(res.exportId) };
      };
      const walked = await run(null, 'walked.csv');
      const byPerson = await run(CACHED_PERSONS + 1, 'by-person.csv');
      expect(walked.parts).toBe(0);
      expect(byPerson.parts).toBe(1);
      expect(byPerson.res).toMatchObject({ rowCount: walked.res.rowCount, excludedRecentlyAsked: walked.res.excludedRecentlyAsked, excludedOptedOut: walked.res.excludedOptedOut });
      expect(walked.res.excludedRecentlyAsked).toBeGreaterThan(600);
      expect(byPerson.bytes.equals(walked.bytes)).toBe(true);
      expect(byPerson.members).toEqual(walked.members);
      spy.mockRestore();
    } finally {
      await big.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sorted in parts, says which part it is at, and a cancel between parts leaves no file, no log and no scratch', async () => {
    const big = tempCore();
    const dir = tempDir();
    const parts = vi.spyOn(snapshots, 'personOrderParts');
    try {
      const pid = addProfile(big.db);
      addPersons(big.db, pid, tiedPersons(2000));
      markIdentityRun(big.db, pid);
      const deps = { ...big, measures: (p: number, day?: string) => big.insights.measures(p, day) };
      const req = { profileId: pid, list: 'all' as const, asOf: AS_OF, sort: { key: 'name' as const, dir: 'asc' as const } };
      const logged = () => big.db.prepare('SELECT (SELECT COUNT(*) FROM exports) + (SELECT COUNT(*) FROM export_members) + (SELECT COUNT(*) FROM person_asks)').pluck().get();
      const walked = path.join(dir, 'walked.csv');
      await exportList(deps, req, { target: walked, destination: 'file', scratchName: scratchName(), downloadId: null });
      expect(parts.mock.results.at(-1)!.value).toBe(0);

      // As a list of a million persons is read: four parts, then their merge.
      parts.mockReturnValue(4);
      const steps: string[] = [];
      const inParts = path.join(dir, 'in-parts.csv');
      await exportList(deps, req, { target: inParts, destination: 'file', scratchName: scratchName(), downloadId: null }, { onProgress: (step, done, total) => steps.push(`${step} ${done}/${total}`) });
      expect(steps.filter((s) => !s.startsWith('write'))).toEqual(['select 0/null', 'sort 0/4', 'sort 1/4', 'sort 2/4', 'sort 3/4', 'merge 4/null', 'record 2000/2000']);
      expect(fs.readFileSync(inParts).equals(fs.readFileSync(walked))).toBe(true);

      // Cancelled while the third part is sorted: it stops before the next statement.
      const before = logged();
      const signal = { aborted: false };
      const name = scratchName();
      const target = path.join(dir, 'cancelled.csv');
      const seen: string[] = [];
      const stopped = exportList(deps, req, { target, destination: 'file', scratchName: name, downloadId: null }, {
        signal,
        onProgress: (step, done) => {
          seen.push(`${step} ${done}`);
          if (step === 'sort' && done === 2) signal.aborted = true;
        },
      });
      await expect(stopped).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(seen).toEqual(['select 0', 'sort 0', 'sort 1', 'sort 2']);
      expect(fs.existsSync(target) || fs.existsSync(`${target}.partial`) || fs.existsSync(scratchFile(big.dataDir, name))).toBe(false);
      expect(logged()).toBe(before);
      expect((big.db.prepare('PRAGMA database_list').all() as { name: string }[]).map((d) => d.name)).not.toContain(name); // detached
    } finally {
      parts.mockRestore();
      await big.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
