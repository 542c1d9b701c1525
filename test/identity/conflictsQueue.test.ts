/**
 * The conflicts queue pages by keyset: a page is named by its edge conflict (field, the person's
 * last name as shown, id), so the last page costs what the first does. Walking every page in either
 * direction visits each conflict once, in the queue's order, also when many persons share a name
 * in any case, and when conflicts are resolved or found between two pages.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { tempCore } from '../helpers/tempCore';
import { evaluateConflicts } from '../../src-main/identity/conflicts';
import { undoMerge } from '../../src-main/identity/merges';
import { conflictFilter, conflictPageSql, listConflicts, type ConflictQuery } from '../../src-main/identity/queries';
import { IdentitySettings, type Conflict } from '../../src-shared/domain/identity';

const settings = IdentitySettings.parse(undefined);
const NAMES = ['smith', 'Smith', 'SMITH', null, 'Adams', 'adams', 'Zane', 'ó Briain', '', 'Lee'];

describe('the conflicts queue', () => {
  const core = tempCore();
  afterAll(() => core.cleanup());
  const db = core.db;
  const profileId = core.profiles.insert({ name: 'Org', vomoUrl: null, crmUrl: null, raiseUrl: null } as never).id;
  const addPerson = db.prepare(
    `INSERT INTO persons (profile_id, id, display_name, display_last_name, has_vomo, has_crm, vomo_email, crm_email, vomo_first_name, crm_first_name, vomo_last_name, crm_last_name, vomo_phone, crm_phone, created_at, updated_at)
     VALUES (?, ?, ?, ?, 1, 1, ?, ?, ?, ?, ?, ?, ?, ?, 'x', 'x')`,
  );
  /** A person in both systems disagreeing on some fields; its shown last name is one of NAMES. */
  const person = (i: number, fields: number) => {
    const last = NAMES[i % NAMES.length];
    const d = (bit: number, a: string, b: string) => (fields & bit ? [a, b] : [a, a]);
    addPerson.run(
      profileId,
      `P${String(i).padStart(4, '0')}`,
      `Pat ${last ?? ''}`,
      last,
      ...d(1, `p${i}@v.example`, `p${i}@c.example`),
      ...d(2, 'Pat', 'Patricia'),
      ...d(4, last ?? 'x', `${last ?? 'x'}-Other`),
      ...d(8, '+1 555 010 0001', '+1 555 010 0002'),
    );
  };
  db.transaction(() => {
    for (let i = 0; i < 120; i++) person(i, (i % 15) + 1);
  })();
  evaluateConflicts(db, profileId, settings, '2026-01-01T00:00:00.000Z');

  const expected = (q: Pick<ConflictQuery, 'status' | 'field'>) =>
    db
      .prepare(
        `SELECT c.id FROM conflicts c JOIN persons p ON p.profile_id = c.profile_id AND p.id = c.person_id
         WHERE c.profile_id = ? AND c.active = 1 AND (? = 'all' OR c.status = ?) AND (? IS NULL OR c.field = ?)
         ORDER BY c.field, coalesce(p.display_last_name, '') COLLATE NOCASE, c.id`,
      )
      .pluck()
      .all(profileId, q.status, q.status, q.field ?? null, q.field ?? null) as number[];

  /** Every page from the first forward, or from the last back; the ids in the queue's order. */
  function walk(q: Pick<ConflictQuery, 'status' | 'field'>, direction: 'next' | 'prev', limit: number, between?: (page: number) => void): number[] {
    const pages: Conflict[][] = [];
    let cursor: string | null = null;
    for (let n = 0; n < 1000; n++) {
      const page = listConflicts(db, { profileId, ...q, cursor, direction, limit }, settings);
      pages.push(page.items);
      expect(page.items.length).toBeLessThanOrEqual(limit);
      cursor = direction === 'next' ? page.nextCursor : page.prevCursor;
      if (!cursor) break;
      between?.(n);
    }
    if (direction === 'prev') pages.reverse();
    return pages.flat().map((c) => c.id);
  }

  it('names every live conflict its person\u2019s last name as shown', () => {
    const names = db.prepare(`SELECT c.person_sort AS sort, coalesce(p.display_last_name, '') AS shown FROM conflicts c JOIN persons p ON p.id = c.person_id WHERE c.active = 1`).all() as { sort: string; shown: string }[];
    expect(names.length).toBeGreaterThan(200);
    for (const n of names) expect(n.sort).toBe(n.shown);
  });

  it('visits each conflict once, in order, walking forward or back, for every status and field', () => {
    db.prepare(`UPDATE conflicts SET status = 'dismissed' WHERE id % 5 = 0`).run();
    for (const status of ['open', 'dismissed', 'all'] as const) {
      for (const field of [null, 'email', 'last_name', 'phone'] as const) {
        const want = expected({ status, field });
        expect(want.length).toBeGreaterThan(5);
        for (const limit of [1, 7, 50, 500]) {
          expect(walk({ status, field }, 'next', limit)).toEqual(want);
          expect(walk({ status, field }, 'prev', limit)).toEqual(want);
        }
      }
    }
    db.prepare(`UPDATE conflicts SET status = 'open'`).run();
  });

  it('a page from a cursor says what lies on either side, and the first and last pages say they are', () => {
    const first = listConflicts(db, { profileId, status: 'open', limit: 10 }, settings);
    expect(first.prevCursor).toBeNull();
    expect(first.nextCursor).not.toBeNull();
    const second = listConflicts(db, { profileId, status: 'open', cursor: first.nextCursor, limit: 10 }, settings);
    const back = listConflicts(db, { profileId, status: 'open', cursor: second.prevCursor, direction: 'prev', limit: 10 }, settings);
    expect(back.items.map((c) => c.id)).toEqual(first.items.map((c) => c.id));
    expect(back.prevCursor).toBeNull();
    const last = listConflicts(db, { profileId, status: 'open', direction: 'prev', limit: 10 }, settings);
    expect(last.nextCursor).toBeNull();
    expect(last.items.map((c) => c.id)).toEqual(expected({ status: 'open' }).slice(-10));
    expect(() => listConflicts(db, { profileId, status: 'open', cursor: 'not a cursor', limit: 10 }, settings)).toThrow(/not valid/);
  });

  it('a conflict resolved or found between two pages neither repeats nor skips the others', () => {
    const before = new Set(expected({ status: 'open' }));
    let resolved: number[] = [];
    const seen = walk({ status: 'open' }, 'next', 9, (page) => {
      if (page !== 2) return;
      // Resolve some conflicts behind and ahead of the cursor, and find new ones for new persons.
      resolved = db.prepare(`SELECT id FROM conflicts WHERE status = 'open' AND id % 7 = 3`).pluck().all() as number[];
      db.prepare(`UPDATE conflicts SET status = 'resolved' WHERE id % 7 = 3`).run();
      db.transaction(() => {
        for (let i = 120; i < 140; i++) person(i, 15);
      })();
      evaluateConflicts(db, profileId, settings, '2026-01-02T00:00:00.000Z', Array.from({ length: 20 }, (_, k) => `P${String(120 + k).padStart(4, '0')}`));
    });
    expect(new Set(seen).size).toBe(seen.length);
    // Every conflict open throughout was visited.
    for (const id of before) if (!resolved.includes(id)) expect(seen).toContain(id);
    // The order held across the change.
    const order = expected({ status: 'all' });
    const positions = seen.map((id) => order.indexOf(id));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('counts each person’s open conflicts as it evaluates them, in a scope or for everyone', () => {
    const stale = () =>
      db
        .prepare(
          `SELECT id, open_conflicts, (SELECT COUNT(*) FROM conflicts c WHERE c.profile_id = p.profile_id AND c.person_id = p.id AND c.active = 1 AND c.status = 'open') AS n
           FROM persons p WHERE profile_id = ? AND open_conflicts IS NOT n`,
        )
        .all(profileId);
    evaluateConflicts(db, profileId, settings, '2026-01-04T00:00:00.000Z');
    expect(stale()).toEqual([]);
    expect(db.prepare(`SELECT COUNT(*) FROM persons WHERE open_conflicts >= 3`).pluck().get()).toBeGreaterThan(10);
    // Dismissed by the steward, agreeing again, gone from CRM+: each person looked at again.
    db.prepare(`UPDATE conflicts SET status = 'dismissed' WHERE person_id IN ('P0001', 'P0002')`).run();
    db.prepare(`UPDATE persons SET crm_phone = vomo_phone WHERE id IN ('P0008', 'P0009')`).run();
    db.prepare(`UPDATE persons SET has_crm = 0 WHERE id = 'P0011'`).run();
    const scope = ['P0001', 'P0002', 'P0008', 'P0009', 'P0011'];
    const before = db.prepare(`SELECT id, open_conflicts FROM persons WHERE id IN (${scope.map(() => '?').join(', ')}) ORDER BY id`).raw().all(...scope);
    evaluateConflicts(db, profileId, settings, '2026-01-05T00:00:00.000Z', scope);
    expect(stale()).toEqual([]);
    expect(db.prepare(`SELECT id, open_conflicts FROM persons WHERE id IN (${scope.map(() => '?').join(', ')}) ORDER BY id`).raw().all(...scope)).not.toEqual(before);
    expect(db.prepare(`SELECT open_conflicts FROM persons WHERE id IN ('P0001', 'P0011')`).pluck().all()).toEqual([0, 0]);
    // Gone from CRM+ and then looked at with everyone.
    db.prepare(`UPDATE persons SET has_crm = 0 WHERE id = 'P0012'`).run();
    evaluateConflicts(db, profileId, settings, '2026-01-06T00:00:00.000Z');
    expect(stale()).toEqual([]);
    expect(db.prepare(`SELECT open_conflicts FROM persons WHERE id = 'P0012'`).pluck().get()).toBe(0);
    db.prepare(`UPDATE persons SET has_crm = 1 WHERE id IN ('P0011', 'P0012')`).run();
    db.prepare(`UPDATE conflicts SET status = 'open'`).run();
    evaluateConflicts(db, profileId, settings, '2026-01-07T00:00:00.000Z');
  });

  it('"new since the last sync" holds the conflicts first seen or reopened since the rebuild before the latest, paged the same way', () => {
    const run = db.prepare(`INSERT INTO identity_runs (profile_id, started_at, finished_at, kind) VALUES (?, ?, ?, ?)`);
    run.run(profileId, '2026-02-01T00:00:00.000Z', '2026-02-01T00:01:00.000Z', 'rebuild');
    run.run(profileId, '2026-02-02T00:00:00.000Z', '2026-02-02T00:01:00.000Z', 'refresh');
    db.prepare(`UPDATE conflicts SET first_seen_at = '2026-02-01T00:00:30.000Z' WHERE id % 9 = 1`).run();
    db.prepare(`UPDATE conflicts SET reopened_at = '2026-02-01T00:00:30.000Z' WHERE id % 13 = 2`).run();
    db.prepare(`UPDATE conflicts SET reopened_at = '2026-01-15T00:00:00.000Z' WHERE id % 13 = 5`).run(); // reopened before: not new
    for (const q of [{ status: 'open' as const }, { status: 'all' as const, field: 'phone' }]) {
      const want = expected(q).filter((id) => id % 9 === 1 || id % 13 === 2);
      expect(want.length).toBeGreaterThan(10);
      const walked: number[] = [];
      let cursor: string | null = null;
      do {
        const page = listConflicts(db, { profileId, ...q, newSinceLastSync: true, cursor, limit: 6 }, settings);
        expect(page.total).toBe(want.length);
        walked.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(walked).toEqual(want);
      // By the found ones' indexes, and the queue's for the order.
      const { where, params } = conflictFilter(db, { profileId, ...q, newSinceLastSync: true });
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${conflictPageSql(q, where, 'ASC')}`).all({ ...params, limit: 50 }) as { detail: string }[]).map((r) => r.detail).join('\n');
      expect(plan).toMatch(/SEARCH c USING INDEX conflicts_queue/);
      expect(plan).toMatch(/SEARCH conflicts USING COVERING INDEX conflicts_by_first_seen \(profile_id=\? AND first_seen_at>\?\)/);
      expect(plan).toMatch(/SEARCH conflicts USING COVERING INDEX conflicts_by_reopened \(profile_id=\? AND reopened_at>\?\)/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    }
  });

  it('an undone merge recorded before conflicts held names queues the conflicts it restores under their person’s name', () => {
    const person = { profile_id: profileId, id: 'PY0001', display_name: 'Yan Young', display_last_name: 'Young', has_vomo: 1, has_crm: 1, created_at: 'x', updated_at: 'x' };
    const conflict = { profile_id: profileId, id: 99_999, person_id: 'PY0001', field: 'phone', vomo_value: '1', crm_value: '2', authority: 'crm', status: 'open', fingerprint: 'f', active: 1, first_seen_at: 'x', last_seen_at: 'x' };
    const snapshot = { persons: [person], links: [], conflicts: [conflict], candidates: [], findings: [] };
    const mergeId = Number(
      db
        .prepare(`INSERT INTO person_merges (profile_id, survivor_id, merged_id, merged_at, merged_by, snapshot_json) VALUES (?, 'PY0001', 'PY0002', 'x', 'steward', ?)`)
        .run(profileId, JSON.stringify(snapshot)).lastInsertRowid,
    );
    undoMerge(db, profileId, mergeId, 'steward', '2026-01-03T00:00:00.000Z');
    expect(db.prepare(`SELECT person_sort FROM conflicts WHERE id = 99999`).pluck().get()).toBe('Young');
  });

  it('reads a page from a cursor as ranges of the queue\u2019s index, with any status, never sorting the queue', () => {
    for (const q of [{ status: 'open' as const }, { status: 'all' as const }, { status: 'open' as const, field: 'phone' }, { status: 'all' as const, field: 'email' }]) {
      const { where, params } = conflictFilter(db, { profileId, ...q });
      const index = q.status === 'all' ? 'conflicts_queue_all' : 'conflicts_queue';
      for (const extra of ['', 'c.field = @kf AND c.person_sort = @ks AND c.id > @kid', 'c.field = @kf AND c.person_sort > @ks', 'c.field > @kf']) {
        for (const dir of ['ASC', 'DESC'] as const) {
          const plan = (db.prepare(`EXPLAIN QUERY PLAN ${conflictPageSql(q, where, dir, extra)}`).all({ ...params, kf: 'email', ks: 'x', kid: 1, limit: 50 }) as { detail: string }[]).map((r) => r.detail);
          expect(plan[0]).toMatch(new RegExp(`^SEARCH c USING INDEX ${index} \\(profile_id=\\? AND active=\\?`));
          expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
          expect(plan[1]).toMatch(/^SEARCH p USING PRIMARY KEY/);
        }
      }
    }
  });
});
