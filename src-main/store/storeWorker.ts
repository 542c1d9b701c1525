/**
 * Copies of a whole store made off the thread that serves the steward: a backup of the running
 * store, and a restore of a backup. A worker thread opens its own connections (keyed with the
 * same `applyCipherPragmas` the app uses), so the app keeps answering while gigabytes are read
 * and written, and a sync may keep writing: the copy reads one consistent snapshot.
 *
 * The copy is SQLite's `VACUUM INTO` on a read-only connection: one read transaction, a page
 * copy of every table, index and trigger into a new file, which inherits the source's
 * encryption; then `rekey` re-encrypts the copy under the target key and cipher profile (a
 * backup is written with the per-page MAC, a restored store without it: cipher.ts). A keyed
 * source is opened with whichever profile fits it, current first. (better-sqlite3's
 * `db.backup()` cannot key the file it creates, and SQLite3MC refuses a backup from an
 * encrypted store into an unkeyed file, so a plaintext intermediate is impossible anyway.)
 * No byte of a copy is ever on disk in clear.
 *
 * The worker runs the source text of `storeCopyJob` (self-contained: no imports, no outer
 * names), so the same code runs under the tests (TypeScript through Vite) and from the bundle.
 */
import { Worker } from 'node:worker_threads';
import fs from 'node:fs';
import { applyCipherPragmas, CIPHER_PROFILES, type CipherProfile } from './cipher';

export interface CopyJobParams {
  /** The file to copy from, and its raw key in hex (null: a plain file). */
  source: string;
  sourceKeyHex: string | null;
  /** The profiles a keyed source is tried with, in order (runCopyJob: cipher.ts's list). */
  sourceProfiles?: readonly CipherProfile[];
  /** Where the copy goes (removed first if present), and the raw key + salt it is re-keyed to. */
  target: string;
  targetKeyHex: string;
  /** How the copy is encrypted. */
  targetProfile: CipherProfile;
  nativeBinding: string | null;
  /** SQL run on the copy before it is re-keyed (a backup adds its info table, a restore drops it). */
  prepareSql: string | null;
  /** Named read-only queries run on the source (a backup's summary); each returns its rows. */
  queries: Record<string, string> | null;
  /** Stop after the queries (only read the source). */
  queriesOnly: boolean;
}

export interface CopyJobResult {
  sourceCounts: Record<string, number>;
  targetCounts: Record<string, number>;
  integrity: string;
  maxMigration: number | null;
  queries: Record<string, unknown[]>;
}

/** Runs inside the worker. Self-contained on purpose (see above). */
export function storeCopyJob(
  p: CopyJobParams,
  Database: new (file: string, opts: Record<string, unknown>) => any,
  applyKey: (db: { pragma(s: string): unknown }, rawHex: string, op: 'key' | 'rekey', profile: CipherProfile) => void,
  fsMod: { rmSync(p: string, o: { force: boolean }): void },
): CopyJobResult {
  const native = p.nativeBinding ? { nativeBinding: p.nativeBinding } : {};
  // Tries each profile in turn (as db.ts's connect does): the wrong one fails like a wrong key.
  const open = (file: string, keyHex: string | null, readonly: boolean, profiles: CipherProfile[]) => {
    let failure: unknown = null;
    for (const profile of keyHex ? profiles : [profiles[0]!]) {
      const db = new Database(file, { ...native, readonly, fileMustExist: true });
      try {
        if (keyHex) applyKey(db, keyHex, 'key', profile);
        db.prepare('SELECT count(*) FROM sqlite_master').get();
        db.pragma('busy_timeout = 10000');
        return { db, profile };
      } catch (err) {
        db.close();
        failure = err;
        if ((err as { code?: string }).code !== 'SQLITE_NOTADB') break;
      }
    }
    throw failure;
  };
  const counts = (db: any) => {
    const out: Record<string, number> = {};
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
    for (const r of names) out[r.name] = db.prepare('SELECT count(*) AS n FROM "' + String(r.name).replace(/"/g, '""') + '"').get().n;
    return out;
  };
  const opened = open(p.source, p.sourceKeyHex, true, [...(p.sourceProfiles ?? [p.targetProfile])]);
  const src = opened.db;
  const result: CopyJobResult = { sourceCounts: {}, targetCounts: {}, integrity: '', maxMigration: null, queries: {} };
  try {
    let hasMigrations = false;
    try {
      result.maxMigration = src.prepare('SELECT max(id) AS m FROM schema_migrations').get().m;
      hasMigrations = true;
    } catch {
      hasMigrations = false;
    }
    if (!hasMigrations) {
      const e = new Error('not a Twofold store') as Error & { code: string };
      e.code = 'TWOFOLD_NOT_A_STORE';
      throw e;
    }
    for (const [name, sql] of Object.entries(p.queries ?? {})) result.queries[name] = src.prepare(sql).all();
    if (p.queriesOnly) return result;
    for (const f of [p.target, p.target + '-journal', p.target + '-wal', p.target + '-shm']) fsMod.rmSync(f, { force: true });
    // VACUUM INTO reads in one transaction of its own. The counts after it are the copy's only
    // when nothing writes meanwhile (a restore's source); a live store's backup is checked by
    // its own integrity and counts.
    src.prepare('VACUUM INTO ?').run(p.target);
    result.sourceCounts = counts(src);
  } finally {
    src.close();
  }
  // The copy is keyed like its source until it is re-keyed; rekey needs a rollback journal.
  const dst = open(p.target, p.sourceKeyHex, false, [opened.profile]).db;
  try {
    dst.pragma('journal_mode = DELETE');
    if (p.prepareSql) dst.exec(p.prepareSql);
    applyKey(dst, p.targetKeyHex, 'rekey', p.targetProfile);
  } finally {
    dst.close();
  }
  const check = open(p.target, p.targetKeyHex.slice(0, 64), true, [p.targetProfile]).db;
  try {
    result.integrity = check.pragma('integrity_check').map((r: { integrity_check: string }) => r.integrity_check).join('; ');
    result.targetCounts = counts(check);
  } finally {
    check.close();
  }
  return result;
}

export interface RunningCopy {
  result: Promise<CopyJobResult>;
  /** Bytes of the copy written so far, for progress. */
  written(): number;
  /** Stops the job; its half-written copy is removed when the worker has stopped. */
  cancel(): void;
}

export class CopyJobError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'CopyJobError';
  }
}

function workerSource(): string {
  return `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const Database = require(workerData.moduleId);
const applyCipherPragmas = ${applyCipherPragmas.toString()};
const storeCopyJob = ${storeCopyJob.toString()};
try {
  parentPort.postMessage({ ok: true, result: storeCopyJob(workerData.params, Database, applyCipherPragmas, fs) });
} catch (err) {
  parentPort.postMessage({ ok: false, message: String((err && err.message) || err), code: (err && err.code) || null });
}
`;
}

export function runCopyJob(params: CopyJobParams): RunningCopy {
  const moduleId = require.resolve('better-sqlite3-multiple-ciphers');
  const worker = new Worker(workerSource(), { eval: true, workerData: { moduleId, params: { ...params, sourceProfiles: params.sourceProfiles ?? CIPHER_PROFILES } } });
  let cancelled = false;
  const cleanup = () => {
    for (const f of [params.target, `${params.target}-journal`]) fs.rmSync(f, { force: true });
  };
  const result = new Promise<CopyJobResult>((resolve, reject) => {
    let settled = false;
    worker.once('message', (m: { ok: true; result: CopyJobResult } | { ok: false; message: string; code: string | null }) => {
      settled = true;
      if (cancelled) {
        cleanup();
        reject(new CopyJobError('cancelled', 'CANCELLED'));
      } else if (m.ok) resolve(m.result);
      else {
        if (!params.queriesOnly) cleanup();
        reject(new CopyJobError(m.message, m.code));
      }
    });
    worker.once('error', (err) => {
      if (!params.queriesOnly) cleanup();
      if (!settled) reject(new CopyJobError(err.message, null));
      settled = true;
    });
    worker.once('exit', () => {
      if (cancelled && !params.queriesOnly) cleanup();
      if (!settled) reject(new CopyJobError(cancelled ? 'cancelled' : 'the copy stopped unexpectedly', cancelled ? 'CANCELLED' : null));
      settled = true;
    });
  });
  return {
    result,
    written() {
      try {
        return fs.statSync(params.target).size;
      } catch {
        return 0;
      }
    },
    cancel() {
      cancelled = true;
      // A running VACUUM INTO finishes its statement first; the copy is removed on exit.
      void worker.terminate();
    },
  };
}
