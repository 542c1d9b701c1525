/**
 * Opens the one SQLite database of a data folder.
 *
 * Rules: every connection gets the same pragmas (WAL, foreign keys, a busy timeout so a CLI
 * run and the app can share the file), and migrations run before anyone else touches it.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { migrate, type Migration } from './migrate';
import { allMigrations } from './migrations';

export type Db = Database.Database;

export interface OpenOptions {
  /** Override the migration list (tests build a database at N-1 or with a failing step). */
  migrations?: Migration[];
  /** Electron loads an Electron-ABI copy of the native addon; plain Node leaves this unset. */
  nativeBinding?: string;
  readonly?: boolean;
}

export const DB_FILE_NAME = 'twofold.sqlite';

export function databasePath(dataDir: string): string {
  return path.join(dataDir, DB_FILE_NAME);
}

export function applyPragmas(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the
  // last transactions, which a re-sync restores.
  db.pragma('synchronous = NORMAL');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -65536');
}

export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, {
    readonly: opts.readonly ?? false,
    ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
  });
  applyPragmas(db);
  if (!opts.readonly) migrate(db, opts.migrations ?? allMigrations);
  return db;
}
