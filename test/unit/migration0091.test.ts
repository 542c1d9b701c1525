/** Migration 0091 (persons carry a digest of their row): added to a store that holds persons; any other write clears it. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/store/db';
import { allMigrations } from '../../src-main/store/migrations';
import { tempDir } from '../helpers/tempCore';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('migration 0091: persons.row_digest', () => {
  it('adds an empty digest to the persons a store holds; a write that leaves the digest as it was clears it, one that sets it keeps it', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'a.sqlite');
    const before = openDatabase(file, { migrations: allMigrations.filter((m) => m.id < 91) });
    before.prepare("INSERT INTO profiles (id, name, vomo_url, crm_url, created_at, updated_at) VALUES (1, 'Org', 'https://v', 'https://c', 'x', 'x')").run();
    before.prepare("INSERT INTO persons (profile_id, id, display_name, display_last_name, created_at, updated_at) VALUES (1, 'P1', 'Ann Lee', 'Lee', 'x', 'x')").run();
    before.close();
    const db = openDatabase(file, { migrations: allMigrations.filter((m) => m.id <= 91) });
    const digest = () => db.prepare(`SELECT row_digest FROM persons WHERE id = 'P1'`).pluck().get();
    expect(db.prepare(`SELECT display_name FROM persons WHERE id = 'P1'`).pluck().get()).toBe('Ann Lee');
    expect(digest()).toBeNull();
    // The rebuild's writes set the digest with the row (or alone): kept.
    db.prepare(`UPDATE persons SET display_last_name = 'Li', row_digest = 4503599627370495 WHERE id = 'P1'`).run();
    expect(digest()).toBe(4503599627370495); // 52 bits, exact
    db.prepare(`UPDATE persons SET row_digest = 7 WHERE id = 'P1'`).run();
    expect(digest()).toBe(7);
    // Anyone else's write, whatever it sets (even nothing new): cleared.
    db.prepare(`UPDATE persons SET open_conflicts = open_conflicts WHERE id = 'P1'`).run();
    expect(digest()).toBeNull();
    db.prepare(`UPDATE persons SET row_digest = 7 WHERE id = 'P1'`).run();
    db.prepare(`UPDATE persons SET display_last_name = 'Lee' WHERE id = 'P1'`).run();
    expect(digest()).toBeNull();
    expect(db.prepare(`SELECT display_last_name FROM persons WHERE id = 'P1'`).pluck().get()).toBe('Lee');
    db.close();
  });
});
