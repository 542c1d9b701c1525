/**
 * Opens one SQLite connection to a store file.
 *
 * Rules: every connection gets the same pragmas (WAL, foreign keys, a busy timeout so a CLI
 * run and the app can share the file), and migrations run before anyone else touches it. An
 * encrypted store's connection is keyed (cipher.ts) before its first read, and that first read
 * is a probe: a wrong key or a damaged file fails here, before any pragma could write to it,
 * with an error that names the file and the ways out (storeErrors.ts).
 *
 * `openStore` (openStore.ts) decides how a data folder's store is opened (new, plain to be
 * encrypted, encrypted, read-only); this module opens the connection it asks for.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import fs from 'node:fs';
import path from 'node:path';
import { migrate, MigrationError, type Migration } from './migrate';
import { allMigrations } from './migrations';
import { CIPHER_PROFILES, keyConnection, STORE_CIPHER, type CipherProfile, type StoreKey } from './cipher';
import { damaged, StoreError, wrongKey } from './storeErrors';

export type Db = Database.Database;

export interface OpenOptions {
  /** Override the migration list (tests build a database at N-1 or with a failing step). */
  migrations?: Migration[];
  /** Electron loads an Electron-ABI copy of the native addon; plain Node leaves this unset. */
  nativeBinding?: string;
  readonly?: boolean;
  /** The store's key; absent or null opens a plain (unencrypted) file. */
  key?: StoreKey | null;
  /** With a key: the salt a new file is created with (see cipher.ts). */
  salt?: Buffer;
  /** Where the key came from, for the steward ("the OS keychain", "TWOFOLD_STORE_KEY"). */
  keyFrom?: string;
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

/** A read-only connection gets the same settings less the journal mode, which is the writer's. */
function applyReadPragmas(db: Db): void {
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -65536');
}

/** The cipher profile each keyed connection opened its file with (see `cipherOf`). */
const profileOf = new WeakMap<Db, CipherProfile>();

/** How an encrypted connection's file is encrypted; null for a plain one. */
export function cipherOf(db: Db): CipherProfile | null {
  return profileOf.get(db) ?? null;
}

/**
 * A keyed (or plain) connection that has read the file's schema: no pragmas, no migrations.
 * An existing encrypted file is tried with each cipher profile, the current one first (a file
 * says nothing in clear about how it is encrypted; the wrong profile fails like a wrong key).
 * Throws a StoreError naming the file when the key doesn't fit or the file is damaged.
 */
export function connect(file: string, opts: Pick<OpenOptions, 'nativeBinding' | 'readonly' | 'key' | 'salt' | 'keyFrom'> = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  // A new file (a salt to create it with) is written with the current profile only.
  const profiles: readonly (CipherProfile | null)[] = !opts.key ? [null] : opts.salt ? [STORE_CIPHER] : CIPHER_PROFILES;
  let failure: unknown;
  for (const profile of profiles) {
    let db: Db;
    try {
      db = new Database(file, {
        readonly: opts.readonly ?? false,
        ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
      });
    } catch (err) {
      throw new StoreError('damaged', file, `The store ${file} cannot be opened: ${firstLine(err)}.`);
    }
    try {
      if (opts.key && profile) keyConnection(db, opts.key, opts.salt, profile);
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      if (profile) profileOf.set(db, profile);
      return db;
    } catch (err) {
      db.close();
      failure = err;
      if (String((err as { code?: unknown })?.code ?? '') !== 'SQLITE_NOTADB') break;
    }
  }
  throw describeOpenError(failure, file, opts);
}

function describeOpenError(err: unknown, file: string, opts: Pick<OpenOptions, 'key' | 'keyFrom'>): Error {
  const code = String((err as { code?: unknown })?.code ?? '');
  if (code === 'SQLITE_NOTADB') {
    return opts.key ? wrongKey(file, opts.keyFrom ?? 'the key given') : damaged(file, 'it is not a database, or it is encrypted and was opened without its key');
  }
  if (code.startsWith('SQLITE_CORRUPT')) return damaged(file, firstLine(err));
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR')) {
    return new StoreError('damaged', file, `The store ${file} cannot be read: ${firstLine(err)}.`);
  }
  return err as Error;
}

export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  const db = connect(file, opts);
  try {
    if (!opts.readonly) applyPragmas(db);
    else applyReadPragmas(db);
    if (!opts.readonly) migrate(db, opts.migrations ?? allMigrations);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof MigrationError) throw new MigrationError(`The store ${file} cannot be opened: ${err.message}`, err.migrationId);
    throw err;
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!;
}
