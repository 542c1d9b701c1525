/**
 * Planner statistics: PRAGMA optimize analyzes a table that has none, and ANALYZE counts every
 * row; a table read only by its key gets its statistics declared instead, and optimize leaves them.
 */
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3-multiple-ciphers';
import { declareKeyStats, refreshPlannerStats } from '../../src-main/store/plannerStats';

describe('declareKeyStats', () => {
  it('writes one row per key as the statistics of a key-only table, which PRAGMA optimize then does not measure again', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE f (profile_id INTEGER, rank INTEGER, source_id TEXT, fields TEXT, PRIMARY KEY (profile_id, rank, source_id)) WITHOUT ROWID`);
    const put = db.prepare(`INSERT INTO f VALUES (1, 0, ?, 'x')`);
    for (let i = 0; i < 8; i++) put.run(`v${i}`);
    declareKeyStats(db, 'f', 8, 3);
    const stat = () => db.prepare(`SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'f'`).all();
    expect(stat()).toEqual([{ idx: 'f', stat: '8 8 2 1' }]);
    refreshPlannerStats(db);
    expect(stat()).toEqual([{ idx: 'f', stat: '8 8 2 1' }]); // measured, it would read '8 8 8 1'
    // Declared again (a rebuilt cache): replaced, not added.
    declareKeyStats(db, 'f', 20, 3);
    expect(stat()).toEqual([{ idx: 'f', stat: '20 20 5 1' }]);
    // The lookups by key the table exists for still use the key.
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT fields FROM f WHERE profile_id = 1 AND rank = 0 AND source_id = 'v1'`).all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING PRIMARY KEY/);
    db.close();
  });
});
