/**
 * How a data folder's store is opened: the one entry point for any code that opens a
 * connection to it (the app's core, a second connection for long jobs, the CLI).
 *
 *   no file yet        → created encrypted with the granted key and salt;
 *   a plain file       → encrypted in place first (encryptStore.ts), then opened;
 *   an encrypted file  → opened with the key found for its salt; one written with an earlier
 *                        cipher profile (cipher.ts) is re-encrypted in place first, like a plain one;
 *   read-only file     → opened read-only: reports work, writes fail naming the file.
 *
 * A `null` grant opens or creates a plain store: only tests and the plain benchmark do that.
 */
import { cipherOf, connect, databasePath, openDatabase, type Db, type OpenOptions } from './db';
import { readHead, SALT_BYTES, STORE_CIPHER, type StoreKey } from './cipher';
import { inspectStoreFile, readOnlyReason, setAsideOrphans } from './storeFile';
import { encryptInPlace, type EncryptStep } from './encryptStore';
import { busy, missingKey, readOnlyNeedsWrite } from './storeErrors';
import { allMigrations } from './migrations';
import { log } from '../core/log';

/** A key for the store and where it came from; `salt` is what a new or newly encrypted file gets. */
export interface StoreKeyGrant {
  key: StoreKey;
  salt: Buffer;
  /** "the OS keychain" or "TWOFOLD_STORE_KEY", for messages. */
  from: string;
}

export interface StoreOpenOptions {
  migrations?: OpenOptions['migrations'];
  nativeBinding?: string;
  /** Open read-only even when the file could be written (a second connection for reports). */
  readonly?: boolean;
  /** Tests stop the process after a step of the plain → encrypted migration. */
  afterEncryptStep?: (step: EncryptStep) => void;
}

export interface OpenedStore {
  db: Db;
  file: string;
  encrypted: boolean;
  /** Why only reads work, or null. */
  readOnly: string | null;
}

export function openStore(dataDir: string, grant: StoreKeyGrant | null, opts: StoreOpenOptions = {}): OpenedStore {
  const file = databasePath(dataDir);
  const state = inspectStoreFile(file);
  const roReason = opts.readonly ? 'opened for reading only' : readOnlyReason(file);
  const migrations = opts.migrations ?? allMigrations;
  const base = { nativeBinding: opts.nativeBinding, migrations };

  if (state.kind === 'none') {
    if (roReason) throw readOnlyNeedsWrite(file, 'has no store yet, and creating one');
    setAsideOrphans(file);
    const db = openDatabase(file, { ...base, key: grant?.key ?? null, salt: grant?.salt, keyFrom: grant?.from });
    return { db, file, encrypted: !!grant, readOnly: null };
  }

  if (state.kind === 'plain') {
    if (grant && !roReason) {
      log.info('encrypting the store (a plain store from an earlier version)', { file });
      encryptInPlace(file, grant.key, grant.salt, { nativeBinding: opts.nativeBinding, afterStep: opts.afterEncryptStep });
      return finish(file, openDatabase(file, { ...base, key: grant.key, keyFrom: grant.from }), true, null, migrations);
    }
    // Read-only: it can't be encrypted now, but reports still work (it is encrypted the first
    // time it is opened writable).
    return finish(file, openDatabase(file, { ...base, readonly: !!roReason }), false, roReason, migrations);
  }

  if (!grant) throw missingKey(file, 'what this process was given');
  if (!roReason) reencryptIfOlderProfile(file, grant, opts);
  const db = openDatabase(file, { ...base, key: grant.key, keyFrom: grant.from, readonly: !!roReason });
  return finish(file, db, true, roReason, migrations);
}

/**
 * A store encrypted with an earlier profile is re-encrypted with the current one, under its
 * own key and salt, once. Read-only, it is opened as it is (the profile is found on opening).
 */
function reencryptIfOlderProfile(file: string, grant: StoreKeyGrant, opts: StoreOpenOptions): void {
  const probe = connect(file, { key: grant.key, keyFrom: grant.from, nativeBinding: opts.nativeBinding });
  const profile = cipherOf(probe);
  probe.close();
  if (!profile || profile === STORE_CIPHER) return;
  const salt = readHead(file);
  if (!salt || salt.length !== SALT_BYTES) return;
  log.info('re-encrypting the store with the current cipher profile (a store from an earlier version)', { file, from: profile });
  encryptInPlace(file, grant.key, salt, { nativeBinding: opts.nativeBinding, afterStep: opts.afterEncryptStep, from: profile });
}

/** A read-only store must not need migrations (they write); a writable one has run them. */
function finish(file: string, db: Db, encrypted: boolean, readOnly: string | null, migrations: { id: number }[]): OpenedStore {
  if (readOnly && pendingMigrations(db, migrations)) {
    db.close();
    throw readOnlyNeedsWrite(file, 'was written by an earlier Twofold; opening it needs a one-time upgrade');
  }
  return { db, file, encrypted, readOnly };
}

function pendingMigrations(db: Db, migrations: { id: number }[]): boolean {
  let applied: Set<number>;
  try {
    applied = new Set((db.prepare('SELECT id FROM schema_migrations').all() as { id: number }[]).map((r) => r.id));
  } catch {
    return true;
  }
  return migrations.some((m) => !applied.has(m.id));
}

/**
 * Throws "busy" when another process (the app, a command) has the store open: leaving WAL mode
 * needs the only connection, so the attempt fails while anyone else holds one. Used before a
 * restore replaces the file, which would otherwise go on under a process still writing to it.
 * The store is left in rollback-journal mode, a valid state its next opening undoes.
 */
export function assertStoreNotInUse(file: string, key: StoreKey | null, nativeBinding?: string): void {
  const db = connect(file, { key, nativeBinding });
  try {
    db.pragma('busy_timeout = 0');
    let mode: unknown;
    try {
      mode = db.pragma('journal_mode = DELETE', { simple: true });
    } catch (err) {
      if (String((err as { code?: string }).code).startsWith('SQLITE_BUSY')) throw busy(file, 'replaced by a restore');
      throw err;
    }
    if (mode !== 'delete') throw busy(file, 'replaced by a restore');
  } finally {
    db.close();
  }
}
