/**
 * A plain store (made before encryption) becomes an encrypted one, in place, once; a store
 * encrypted with an earlier cipher profile (cipher.ts: with the per-page MAC) is re-encrypted
 * with the current one the same way, under the same key and salt.
 *
 * Steps, and what a kill -9 after each leaves (the test kills a child process at each):
 *   check      the file is read whole (integrity_check) before anything changes it: a
 *              damaged file is reported and left exactly as it is;
 *   fold       the write-ahead log is folded into the file (journal_mode=DELETE, which also
 *              fails if another process has the store open), and an exclusive lock is held
 *              from here to the swap, so no other process writes to the file being replaced;
 *   copy       the file is copied beside it, as it is on disk, as twofold.sqlite.encrypting;
 *   encrypt    the copy is encrypted under the store key and profile (SQLite3MC's rekey);
 *   verify     the copy opens with the key, passes integrity_check and has every table's row
 *              count of the original;
 *   swap       the copy is renamed over the original (one atomic rename; the folder synced).
 * Before the swap the old store is complete and untouched in content; after it the new one is.
 * A copy left by a kill is removed on the next start (it is always redundant: the original still
 * exists until the rename, and the rename consumes the copy).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { keyConnection, rekeyConnection, STORE_CIPHER, type CipherProfile, type StoreKey } from './cipher';
import { busy, damaged, diskFull, isDiskFull } from './storeErrors';
import { fsyncPath, sidecars } from './storeFile';

export const ENCRYPT_STEPS = ['check', 'fold', 'copy', 'encrypt', 'verify', 'swap'] as const;
export type EncryptStep = (typeof ENCRYPT_STEPS)[number];

export interface EncryptOptions {
  nativeBinding?: string;
  /** How the file is encrypted now: absent for a plain file. */
  from?: CipherProfile;
  /** Called after each step completes (tests stop the process here). */
  afterStep?: (step: EncryptStep) => void;
}

export function encryptingPath(file: string): string {
  return `${file}.encrypting`;
}

/** Removes what a killed encryption left beside the store: a redundant copy and its journal. */
export function removeStaleEncryptionCopy(file: string): void {
  const partial = encryptingPath(file);
  for (const f of [partial, ...sidecars(partial)]) fs.rmSync(f, { force: true });
}

/** Every user table and its row count, read in one transaction. */
export function tableCounts(db: Database.Database): Record<string, number> {
  const tables = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
    .all() as { name: string }[];
  const out: Record<string, number> = {};
  for (const t of tables) out[t.name] = (db.prepare(`SELECT count(*) AS n FROM "${t.name.replace(/"/g, '""')}"`).get() as { n: number }).n;
  return out;
}

export function sameCounts(a: Record<string, number>, b: Record<string, number>): string | null {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const n of names) if (a[n] !== b[n]) return `${n}: ${a[n] ?? 'missing'} rows before, ${b[n] ?? 'missing'} after`;
  return null;
}

export function integrity(db: Database.Database): string {
  const rows = db.pragma('integrity_check') as { integrity_check: string }[];
  return rows.map((r) => r.integrity_check).join('; ');
}

export function encryptInPlace(file: string, key: StoreKey, salt: Buffer, opts: EncryptOptions = {}): void {
  const native = opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {};
  const step = (s: EncryptStep) => opts.afterStep?.(s);
  removeStaleEncryptionCopy(file);

  // One descriptor on the original for the whole run, closed only after SQLite lets go: POSIX
  // drops every lock a process holds on a file when it closes *any* descriptor of that file, so
  // the copy below must not open and close one of its own while the exclusive lock is held.
  const fd = fs.openSync(file, 'r');
  const plain = new Database(file, native);
  try {
    if (opts.from) keyConnection(plain, key, undefined, opts.from);
    plain.pragma('busy_timeout = 5000');
    let check: string;
    try {
      check = integrity(plain);
    } catch (err) {
      throw damaged(file, firstLine(err));
    }
    if (check !== 'ok') throw damaged(file, `integrity check: ${check.slice(0, 300)}`);
    step('check');

    try {
      // Leaving WAL needs the only connection: another Twofold holding the store makes it fail.
      if (plain.pragma('journal_mode = DELETE', { simple: true }) !== 'delete') throw busy(file);
      plain.exec('BEGIN EXCLUSIVE');
      plain.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (err) {
      if (String((err as { code?: string }).code).startsWith('SQLITE_BUSY')) throw busy(file);
      throw err;
    }
    const before = tableCounts(plain);
    step('fold');

    const partial = encryptingPath(file);
    copyFromDescriptor(fd, partial);
    step('copy');

    const copy = new Database(partial, native);
    try {
      if (opts.from) keyConnection(copy, key, undefined, opts.from);
      copy.pragma('journal_mode = DELETE');
      rekeyConnection(copy, key, salt, STORE_CIPHER);
    } finally {
      copy.close();
    }
    step('encrypt');

    const check2 = new Database(partial, { ...native, readonly: true });
    try {
      keyConnection(check2, key, undefined, STORE_CIPHER);
      const ok = integrity(check2);
      if (ok !== 'ok') throw new Error(`the encrypted copy failed its integrity check (${ok.slice(0, 200)})`);
      const diff = sameCounts(before, tableCounts(check2));
      if (diff) throw new Error(`the encrypted copy lost rows (${diff})`);
    } finally {
      check2.close();
    }
    step('verify');

    fsyncPath(partial);
    // The old file goes with this rename (its log was folded in above and removed).
    fs.renameSync(partial, file);
    fsyncPath(path.dirname(file));
    step('swap');
  } catch (err) {
    removeStaleEncryptionCopy(file);
    // The encrypted copy is written beside the store: on a full disk, say so in words.
    if (isDiskFull(err)) throw diskFull(file, opts.from ? 're-encrypted once' : 'encrypted once', fs.fstatSync(fd).size);
    throw err;
  } finally {
    try {
      if (plain.inTransaction) plain.exec('ROLLBACK');
    } catch {
      /* the lock goes with the connection */
    }
    plain.close();
    fs.closeSync(fd);
  }
}

function copyFromDescriptor(fd: number, target: string): void {
  const out = fs.openSync(target, 'w');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (let pos = 0; ; ) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      fs.writeSync(out, buf, 0, n);
      pos += n;
    }
    fs.fsyncSync(out);
  } finally {
    fs.closeSync(out);
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!;
}
