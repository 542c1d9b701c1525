/**
 * One-file backups of the store, and their restore on any machine.
 *
 * The file format is the store's own, an SQLCipher v4 database (see cipher.ts), but with the
 * per-page HMAC-SHA512 the store goes without (a backup travels: an altered page is refused),
 * encrypted under
 * a key derived from the steward's passphrase with scrypt (N=2^17, r=8, p=1, 32 bytes) over a
 * random 16-byte salt, which is the file's first 16 bytes (SQLCipher keeps its salt in clear
 * there, and we choose it: the raw key is given as key + salt). Why not AES-GCM over a plain
 * snapshot: the snapshot would have to exist in clear (on disk or whole in memory) before it
 * is sealed; a keyed SQLite copy never does, it is checked with SQLite's own integrity check,
 * and it can be read (the summary shown before a restore) without unpacking anything. A
 * wrong passphrase fails on the first page's HMAC.
 *
 * A backup holds every table of the store (profiles, mirrors, persons, decisions, merges,
 * conflicts, the audit log, the export log) plus a `backup_info` row saying when and by which
 * version it was made; API tokens are in the OS keychain, never in the store, so never in a
 * backup. It is taken from a consistent snapshot while the app runs (storeWorker.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../src-shared/errors';
import type { BackupSummary } from '../../src-shared/domain/store';
import { BACKUP_CIPHER, keyMaterialForWorker, randomSalt, readHead, SALT_BYTES, SQLITE_HEADER, STORE_CIPHER, type StoreKey } from './cipher';
import { runCopyJob, CopyJobError, type CopyJobResult, type RunningCopy } from './storeWorker';
import { sameCounts } from './encryptStore';
import { fsyncPath, replaceStoreFile } from './storeFile';
import { databasePath } from './db';
import type { StoreKeyGrant } from './openStore';

export const BACKUP_KDF = { N: 2 ** 17, r: 8, p: 1, keyLen: 32 } as const;
export const MIN_PASSPHRASE = 8;
export const BACKUP_EXTENSION = '.twofold-backup';

export function deriveBackupKey(passphrase: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    crypto.scrypt(passphrase.normalize('NFC'), salt, BACKUP_KDF.keyLen, { N: BACKUP_KDF.N, r: BACKUP_KDF.r, p: BACKUP_KDF.p, maxmem: 256 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export interface StoreJob<T> {
  result: Promise<T>;
  /** Bytes written so far and the size they head for (the source's size: an estimate). */
  progress(): { bytes: number; totalBytes: number };
  cancel(): void;
}

export interface BackupResult {
  file: string;
  bytes: number;
  summary: BackupSummary;
}

export interface BackupOptions {
  storeFile: string;
  /** The store's key; null for a plain store (tests). */
  storeKey: StoreKey | null;
  target: string;
  passphrase: string;
  appVersion: string;
  overwrite?: boolean;
  nativeBinding?: string;
}

function checkPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE) {
    throw new AppError('BAD_INPUT', `The backup passphrase must be at least ${MIN_PASSPHRASE} characters; without it the backup can't be opened, so choose one you will keep.`);
  }
}

const SUMMARY_QUERIES = {
  profiles: `SELECT p.name, p.is_sandbox AS isSandbox,
      (SELECT count(*) FROM persons WHERE profile_id = p.id) AS persons,
      (SELECT max(finished_at) FROM sync_runs WHERE profile_id = p.id AND status IN ('ok', 'partial')) AS lastSyncAt,
      (SELECT count(*) FROM identity_decisions WHERE profile_id = p.id AND revoked_at IS NULL) AS verdicts,
      (SELECT count(*) FROM person_merges WHERE profile_id = p.id AND undone_at IS NULL) AS merges,
      (SELECT count(*) FROM conflicts WHERE profile_id = p.id AND status <> 'open') AS resolvedConflicts
    FROM profiles p ORDER BY p.name`,
  audit: `SELECT count(*) AS n FROM audit_log`,
};
const INFO_QUERY = `SELECT created_at AS createdAt, app_version AS appVersion FROM backup_info LIMIT 1`;

function summaryOf(r: CopyJobResult, sizeBytes: number, info: { createdAt: string | null; appVersion: string | null }): BackupSummary {
  const profiles = (r.queries.profiles ?? []) as { name: string; isSandbox: number; persons: number; lastSyncAt: string | null; verdicts: number; merges: number; resolvedConflicts: number }[];
  return {
    createdAt: info.createdAt,
    appVersion: info.appVersion,
    schemaVersion: r.maxMigration,
    sizeBytes,
    profiles: profiles.map((p) => ({ ...p, isSandbox: p.isSandbox === 1 })),
    auditEntries: ((r.queries.audit?.[0] as { n: number } | undefined)?.n ?? 0),
    tokensIncluded: false,
  };
}

function storeJob<T>(copy: () => RunningCopy | null, total: number, finish: (r: CopyJobResult) => T | Promise<T>, before: Promise<unknown> = Promise.resolve()): StoreJob<T> {
  let running: RunningCopy | null = null;
  let cancelled = false;
  const result = before.then(async () => {
    if (cancelled) throw new AppError('CANCELLED', 'Cancelled.');
    running = copy();
    if (!running) throw new AppError('INTERNAL', 'Nothing to copy.');
    return finish(await running.result);
  });
  return {
    result,
    progress: () => ({ bytes: running?.written() ?? 0, totalBytes: total }),
    cancel() {
      cancelled = true;
      running?.cancel();
    },
  };
}

function fileSize(f: string): number {
  try {
    return fs.statSync(f).size + (fs.existsSync(`${f}-wal`) ? fs.statSync(`${f}-wal`).size : 0);
  } catch {
    return 0;
  }
}

/** Writes a backup of the running store to `target` (via target.partial, renamed when verified). */
export function startBackup(o: BackupOptions): StoreJob<BackupResult> {
  checkPassphrase(o.passphrase);
  const target = path.resolve(o.target);
  if (!fs.existsSync(path.dirname(target))) throw new AppError('BAD_INPUT', `The folder ${path.dirname(target)} does not exist.`);
  if (fs.existsSync(target) && !o.overwrite) throw new AppError('CONFLICT', `${target} already exists; choose another name (or replace it with --force).`);
  if (path.resolve(o.storeFile) === target) throw new AppError('BAD_INPUT', 'A backup cannot replace the store itself.');
  const salt = randomSalt();
  const partial = `${target}.partial`;
  let keyHex = '';
  const createdAt = new Date().toISOString();
  return storeJob(
    () =>
      runCopyJob({
        source: o.storeFile,
        sourceKeyHex: o.storeKey ? keyMaterialForWorker(o.storeKey).toString('hex') : null,
        target: partial,
        targetKeyHex: keyHex,
        targetProfile: BACKUP_CIPHER,
        nativeBinding: o.nativeBinding ?? null,
        prepareSql: `CREATE TABLE backup_info (created_at TEXT NOT NULL, app_version TEXT NOT NULL);
          INSERT INTO backup_info VALUES ('${createdAt}', '${o.appVersion.replace(/'/g, "''")}');`,
        queries: SUMMARY_QUERIES,
        queriesOnly: false,
      }),
    fileSize(o.storeFile),
    async (r) => {
      if (r.integrity !== 'ok') {
        fs.rmSync(partial, { force: true });
        throw new AppError('INTERNAL', `The backup copy failed its integrity check (${r.integrity.slice(0, 200)}); nothing was written.`);
      }
      fsyncPath(partial);
      fs.renameSync(partial, target);
      fsyncPath(path.dirname(target));
      return { file: target, bytes: fs.statSync(target).size, summary: summaryOf(r, fs.statSync(target).size, { createdAt, appVersion: o.appVersion }) };
    },
    deriveBackupKey(o.passphrase, salt).then((k) => {
      keyHex = k.toString('hex') + salt.toString('hex');
    }),
  );
}

/** Opens a backup with its passphrase: the key, or a clear refusal. */
async function backupKey(file: string, passphrase: string): Promise<Buffer> {
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `There is no file at ${file}.`);
  const head = readHead(file);
  if (!head || head.length < SALT_BYTES || fs.statSync(file).size < 4096) throw new AppError('BAD_INPUT', `${file} is not a Twofold backup (it is too short).`);
  if (head.equals(SQLITE_HEADER)) throw new AppError('BAD_INPUT', `${file} is an unencrypted SQLite file, not a Twofold backup.`);
  return deriveBackupKey(passphrase, head);
}

function describeOpenFailure(err: unknown, file: string): AppError {
  if (err instanceof AppError) return err;
  const code = (err as CopyJobError).code ?? '';
  if (code === 'SQLITE_NOTADB') return new AppError('BAD_INPUT', `The passphrase does not open ${file}: it is wrong, or the file is not a Twofold backup.`);
  if (code.startsWith('SQLITE_CORRUPT')) return new AppError('BAD_INPUT', `The backup ${file} is damaged (${(err as Error).message}); it cannot be restored.`);
  if (code === 'TWOFOLD_NOT_A_STORE') return new AppError('BAD_INPUT', `${file} opens with this passphrase but is not a Twofold backup.`);
  if (code === 'CANCELLED') return new AppError('CANCELLED', 'Cancelled.');
  return new AppError('INTERNAL', `The backup ${file} could not be read: ${(err as Error).message.split('\n')[0]}`);
}

/** What a backup holds, read with its passphrase (nothing is written). */
export async function readBackupSummary(file: string, passphrase: string, nativeBinding?: string): Promise<BackupSummary> {
  const abs = path.resolve(file);
  const key = await backupKey(abs, passphrase);
  const job = runCopyJob({
    source: abs,
    sourceKeyHex: key.toString('hex'),
    target: '',
    targetKeyHex: '',
    targetProfile: BACKUP_CIPHER,
    nativeBinding: nativeBinding ?? null,
    prepareSql: null,
    queries: { ...SUMMARY_QUERIES, info: INFO_QUERY },
    queriesOnly: true,
  });
  try {
    const r = await job.result;
    const info = (r.queries.info?.[0] as { createdAt: string; appVersion: string } | undefined) ?? { createdAt: null, appVersion: null };
    return summaryOf(r, fs.statSync(abs).size, info);
  } catch (err) {
    throw describeOpenFailure(err, abs);
  }
}

export interface RestoreOptions {
  backupFile: string;
  passphrase: string;
  dataDir: string;
  /** The key (and salt) the restored store gets; recorded in its key source before this runs. */
  grant: StoreKeyGrant;
  /** The newest migration this build knows: a backup from a newer Twofold is refused. */
  latestMigration: number;
  nativeBinding?: string;
}

export interface RestoreResult {
  summary: BackupSummary;
  /** Where the store that was there before went (kept, never deleted), or null. */
  previousStore: string | null;
}

/**
 * Restores a backup as the folder's store: copied and re-keyed beside it, checked (integrity,
 * every table's row count equal to the backup's), then swapped in; a store already there is
 * kept aside under a dated name. The caller has closed every connection to the store.
 */
export function startRestore(o: RestoreOptions): StoreJob<RestoreResult> {
  const abs = path.resolve(o.backupFile);
  const storeFile = databasePath(o.dataDir);
  const partial = `${storeFile}.restoring`;
  fs.mkdirSync(o.dataDir, { recursive: true });
  let sourceKey = '';
  const job = storeJob(
    () =>
      runCopyJob({
        source: abs,
        sourceKeyHex: sourceKey,
        target: partial,
        targetKeyHex: keyMaterialForWorker(o.grant.key).toString('hex') + o.grant.salt.toString('hex'),
        targetProfile: STORE_CIPHER,
        nativeBinding: o.nativeBinding ?? null,
        prepareSql: 'DROP TABLE IF EXISTS backup_info;',
        queries: { ...SUMMARY_QUERIES, info: INFO_QUERY },
        queriesOnly: false,
      }),
    fs.existsSync(abs) ? fs.statSync(abs).size : 0,
    async (r) => {
      const fail = (why: string) => {
        fs.rmSync(partial, { force: true });
        return new AppError('BAD_INPUT', `The backup ${abs} was not restored: ${why}. The store was not changed.`);
      };
      if ((r.maxMigration ?? 0) > o.latestMigration) throw fail('it was made by a newer Twofold; update Twofold first');
      if (r.integrity !== 'ok') throw fail(`the restored copy failed its integrity check (${r.integrity.slice(0, 200)})`);
      const { backup_info: _info, ...expected } = r.sourceCounts;
      const diff = sameCounts(expected, r.targetCounts);
      if (diff) throw fail(`the restored copy differs from the backup (${diff})`);
      const info = (r.queries.info?.[0] as { createdAt: string; appVersion: string } | undefined) ?? { createdAt: null, appVersion: null };
      fsyncPath(partial);
      const previousStore = replaceStoreFile(storeFile, partial, 'before-restore');
      return { summary: summaryOf(r, fs.statSync(abs).size, info), previousStore };
    },
    backupKey(abs, o.passphrase).then((k) => {
      sourceKey = k.toString('hex');
    }),
  );
  return { ...job, result: job.result.catch((err) => Promise.reject(describeOpenFailure(err, abs))) };
}
