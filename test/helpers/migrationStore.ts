/**
 * For a migration's own test: a store file taken up to just before migration `id`, seeded as the
 * previous version would have left it, then opened again with `id` applied. The folder goes when
 * the test ends.
 */
import fs from 'node:fs';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { openDatabase, type Db } from '../../src-main/store/db';
import { allMigrations } from '../../src-main/store/migrations';
import { tempDir } from './tempCore';

export function storeAcrossMigration(id: number, seed: (before: Db) => void): Db {
  const dir = tempDir();
  const file = path.join(dir, 'a.sqlite');
  const before = openDatabase(file, { migrations: allMigrations.filter((m) => m.id < id) });
  seed(before);
  before.close();
  const db = openDatabase(file, { migrations: allMigrations.filter((m) => m.id <= id) });
  onTestFinished(() => {
    if (db.open) db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return db;
}

/** The one profile most migration tests need present. */
export const seedProfile = (db: Db): void => {
  db.prepare("INSERT INTO profiles (id, name, vomo_url, crm_url, created_at, updated_at) VALUES (1, 'Org', 'https://v', 'https://c', 'x', 'x')").run();
};
