/**
 * Every migration file in this folder (NNNN-name.ts exporting `migration`), statically
 * bundled. Adding a migration is adding a file; the number in the file name must match
 * the migration's id.
 */
import type { Migration } from '../migrate';

const modules = import.meta.glob<{ migration: Migration }>('./[0-9][0-9][0-9][0-9]-*.ts', { eager: true });

export const allMigrations: Migration[] = Object.entries(modules)
  .map(([file, mod]) => {
    const id = Number(/\/(\d{4})-/.exec(file)?.[1]);
    if (mod.migration.id !== id) throw new Error(`${file} declares migration id ${mod.migration.id}`);
    return mod.migration;
  })
  .sort((a, b) => a.id - b.id);
