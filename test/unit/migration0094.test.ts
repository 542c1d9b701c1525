/** Migration 0094 (the store's own identity): a store from before gets one id, kept for its life, and only one. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/store/db';
import { allMigrations } from '../../src-main/store/migrations';
import { storeIdentity } from '../../src-main/store/storeIdentity';
import { seedProfile, storeAcrossMigration } from '../helpers/migrationStore';
import { tempDir } from '../helpers/tempCore';

describe('migration 0094: store_identity', () => {
  it('gives a store from before a random id of its own, one row only', () => {
    const db = storeAcrossMigration(94, (before) => {
      seedProfile(before);
      expect(storeIdentity(before)).toBeNull(); // an older store has none
    });
    const id = storeIdentity(db);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(() => db.prepare(`INSERT INTO store_identity (only, id, created_at) VALUES (2, 'x', 'y')`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`INSERT INTO store_identity (only, id, created_at) VALUES (1, 'x', 'y')`).run()).toThrow(/UNIQUE|PRIMARY/);
  });

  it('keeps the id when the store is opened again, and two stores get two ids', () => {
    const dir = tempDir();
    const open = (name: string) => openDatabase(path.join(dir, name), { migrations: allMigrations });
    const a = open('a.sqlite');
    const first = storeIdentity(a);
    a.close();
    const again = open('a.sqlite');
    expect(storeIdentity(again)).toBe(first);
    const b = open('b.sqlite');
    expect(storeIdentity(b)).not.toBe(first);
    again.close();
    b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
