/** Migration 0090 (list counts taken with the measures): added to a store that holds profiles, gone with its profile. */
import { describe, expect, it } from 'vitest';
import { seedProfile, storeAcrossMigration } from '../helpers/migrationStore';

describe('migration 0090: insight counts', () => {
  it('adds the counts table to a store that holds profiles; a profile removed takes its counts along', () => {
    const db = storeAcrossMigration(90, seedProfile);
    expect(db.prepare('SELECT name FROM profiles').pluck().all()).toEqual(['Org']);
    db.prepare("INSERT INTO insight_counts (profile_id, key, n) VALUES (1, 'k', 7)").run();
    expect(() => db.prepare("INSERT INTO insight_counts (profile_id, key, n) VALUES (1, 'k', 8)").run()).toThrow(/UNIQUE|PRIMARY/);
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT n FROM insight_counts WHERE profile_id = 1 AND key = 'k'").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING PRIMARY KEY/);
    db.prepare('DELETE FROM profiles WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) FROM insight_counts').pluck().get()).toBe(0);
  });
});
