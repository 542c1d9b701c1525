/**
 * Migration 0095 (person_asks): "recently asked" reads one row per person, kept as outreach
 * exports are logged, instead of an index over every export's members by person.
 */
import { describe, expect, it } from 'vitest';
import { recordExport } from '../../src-main/export/exportLog';
import { recentlyAskedSql } from '../../src-main/export/recentlyAsked';
import type { Db } from '../../src-main/store/db';
import { seedProfile, storeAcrossMigration } from '../helpers/migrationStore';

const base = { profileId: 1, list: 'all', filters: {}, columns: ['personId'], excludedOptedOut: 0, excludedRecentlyAsked: 0, destination: 'file' as const, fileName: 'x.csv', filePath: '/nowhere/x.csv' };

/** Logs an export of `persons` (written in the order given) at `at`. */
function logExport(db: Db, persons: string[], at: string, outreach = true): number {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS written (person_id TEXT); DELETE FROM temp.written;`);
  const put = db.prepare('INSERT INTO temp.written VALUES (?)');
  for (const p of persons) put.run(p);
  return recordExport(db, { ...base, rowCount: persons.length, outreach, createdAt: at }, { sql: 'SELECT @exportId, @pid, person_id FROM temp.written ORDER BY person_id', params: {} });
}

const asks = (db: Db) => db.prepare('SELECT person_id, last_asked_at FROM person_asks WHERE profile_id = 1 ORDER BY person_id').raw().all();
const askedSince = (db: Db, person: string, since: string) =>
  db.prepare(`SELECT ${recentlyAskedSql('@person')} AS asked`).pluck().get({ pid: 1, person, askedSince: since });

describe('migration 0095: person_asks', () => {
  it("carries each person's latest outreach export over; exports not for outreach ask no one", () => {
    const db = storeAcrossMigration(95, (before) => {
      seedProfile(before);
      // As the previous version logged them.
      const exp = before.prepare(
        `INSERT INTO exports (profile_id, created_at, actor, list, filters_json, columns_json, row_count, outreach, file_name, destination)
         VALUES (1, ?, 'me', 'all', '{}', '[]', 2, ?, 'x.csv', 'file')`,
      );
      const member = before.prepare('INSERT INTO export_members (export_id, profile_id, person_id) VALUES (?, 1, ?)');
      for (const [at, outreach, persons] of [
        ['2026-01-01T00:00:00.000Z', 1, ['P1', 'P2']],
        ['2026-02-01T00:00:00.000Z', 1, ['P2', 'P3']],
        ['2026-03-01T00:00:00.000Z', 0, ['P3', 'P4']],
      ] as const) {
        const id = exp.run(at, outreach).lastInsertRowid;
        for (const p of persons) member.run(id, p);
      }
    });
    expect(asks(db)).toEqual([
      ['P1', '2026-01-01T00:00:00.000Z'],
      ['P2', '2026-02-01T00:00:00.000Z'],
      ['P3', '2026-02-01T00:00:00.000Z'],
    ]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'export_members_by_person'").get()).toBeUndefined();
    // Who was in each export is kept as it was.
    expect(db.prepare('SELECT count(*) FROM export_members').pluck().get()).toBe(6);
    expect(askedSince(db, 'P2', '2026-01-15T00:00:00.000Z')).toBe(1);
    expect(askedSince(db, 'P1', '2026-01-15T00:00:00.000Z')).toBe(0);
    expect(askedSince(db, 'P4', '2026-01-01T00:00:00.000Z')).toBe(0);
    // Each list row's check is one key lookup.
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT ${recentlyAskedSql('@person')}`).all({ pid: 1, person: 'P1', askedSince: '' }) as { detail: string }[];
    expect(plan.map((r) => r.detail).join('\n')).toMatch(/SEARCH pa USING PRIMARY KEY \(profile_id=\? AND person_id=\?\)/);
  });

  it('an outreach export logged after brings its persons forward, never back; others leave them be', () => {
    const db = storeAcrossMigration(95, seedProfile);
    logExport(db, ['P1', 'P2'], '2026-05-01T00:00:00.000Z');
    logExport(db, ['P2'], '2026-06-01T00:00:00.000Z');
    logExport(db, ['P1'], '2026-04-01T00:00:00.000Z'); // a clock set back: the later ask stands
    logExport(db, ['P1', 'P2', 'P3'], '2026-07-01T00:00:00.000Z', false);
    expect(asks(db)).toEqual([
      ['P1', '2026-05-01T00:00:00.000Z'],
      ['P2', '2026-06-01T00:00:00.000Z'],
    ]);
  });

  it('an export writes about as much as the one before it, however many came before', () => {
    const db = storeAcrossMigration(95, seedProfile);
    db.pragma('wal_autocheckpoint = 0');
    const persons = Array.from({ length: 4000 }, (_, i) => `P${String((i * 7919) % 4000).padStart(6, '0')}`);
    const framesOf = (i: number) => {
      db.pragma('wal_checkpoint(TRUNCATE)');
      logExport(db, persons, `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`);
      const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
      return r!.log;
    };
    const frames = Array.from({ length: 30 }, (_, i) => framesOf(i));
    // Before: each export added an entry beside every earlier one in an index by person, so the
    // 30th wrote ~30 times the pages of the 1st.
    expect(frames[29]!).toBeLessThanOrEqual(frames[1]! + 5);
  });
});
