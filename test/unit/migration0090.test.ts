/** Migration 0090 (list counts taken with the measures): added to a store that holds profiles, gone with its profile. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/store/db';
import { allMigrations } from '../../src-main/store/migrations';
import { tempDir } from '../helpers/tempCore';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('migration 0090: insight counts', () => {
  it('adds the counts table to a store that holds profiles; a profile removed takes its counts along', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'a.sqlite');
    const before = openDatabase(file, { migrations: allMigrations.filter((m) => m.id < 90) });
    before.prepare("INSERT INTO profiles (id, name, vomo_url, crm_url, created_at, updated_at) VALUES (1, 'Org', 'https://v', 'https://c', 'x', 'x')").run();
    before.close();
    const db = openDatabase(file, { migrations: allMigrations.filter((m) => m.id <= 90) });
    expect(db.prepare('SELECT name FROM profiles').pluck().all()).toEqual(['Org']);
    db.prepare("INSERT INTO insight_counts (profile_id, key, n) VALUES (1, 'k', 7)").run();
    expect(() => db.prepare("INSERT INTO insight_counts (profile_id, key, n) VALUES (1, 'k', 8)").run()).toThrow(/UNIQUE|PRIMARY/);
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT n FROM insight_counts WHERE profile_id = 1 AND key = 'k'").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING PRIMARY KEY/);
    db.prepare('DELETE FROM profiles WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) FROM insight_counts').pluck().get()).toBe(0);
    db.close();
  });
});
