/**
 * A new store, plain or encrypted, is written with 8 KB pages; a store written before with 4 KB
 * pages keeps them, opens with its key (also with frames still in its log), and its backup and
 * the store restored from it keep them too: a key opens a file only at its own page size and
 * rekey cannot change it (cipher.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, describe, expect, it } from 'vitest';
import { cipherOf, connect, openDatabase } from '../../src-main/store/db';
import { BACKUP_CIPHER, cipherProfile, keyConnection, keyMaterialForWorker, randomSalt, STORE_CIPHER, StoreKey, type CipherProfile } from '../../src-main/store/cipher';
import { encryptInPlace } from '../../src-main/store/encryptStore';
import { runCopyJob } from '../../src-main/store/storeWorker';
import { tempDir } from '../helpers/tempCore';

const KEY = StoreKey.random();
const keyHex = () => keyMaterialForWorker(KEY).toString('hex');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const d = tempDir('twofold-pages-');
  dirs.push(d);
  return d;
}

const pageSize = (db: Database.Database) => db.pragma('page_size', { simple: true }) as number;
const ROWS = 3_000;

/** A store as the version before 8 KB pages left it: 4 KB pages, WAL, the given profile (null: plain). */
function olderStore(file: string, profile: CipherProfile | null): void {
  const db = new Database(file);
  if (profile) keyConnection(db, KEY, randomSalt(), profile);
  db.pragma('page_size = 4096');
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const ins = db.prepare('INSERT INTO notes (body) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) ins.run(`note ${i} `.padEnd(120, 'x'));
  })();
  expect(pageSize(db)).toBe(4096);
  db.close();
}

describe('page size', () => {
  it('a new plain store and a new encrypted store are written with 8 KB pages', () => {
    const plain = openDatabase(path.join(folder(), 'plain.sqlite'));
    expect(pageSize(plain)).toBe(8192);
    plain.close();
    const file = path.join(folder(), 'enc.sqlite');
    const enc = openDatabase(file, { key: KEY, salt: randomSalt() });
    expect(pageSize(enc)).toBe(8192);
    expect(cipherOf(enc)).toBe(STORE_CIPHER);
    enc.close();
    const again = connect(file, { key: KEY });
    expect(cipherOf(again)).toBe('no-page-mac-8k');
    again.close();
  });

  it('an encrypted store with 4 KB pages opens as it is, also with frames still in its log; a wrong key is still refused', () => {
    const dir = folder();
    const file = path.join(dir, 'old.sqlite');
    olderStore(file, 'no-page-mac');
    // A writer that has not folded its log: copy the files while it holds them.
    const writer = new Database(file);
    keyConnection(writer, KEY, undefined, 'no-page-mac');
    writer.pragma('wal_autocheckpoint = 0');
    writer.prepare('INSERT INTO notes (body) VALUES (?)').run('written after');
    const copy = path.join(dir, 'copy.sqlite');
    fs.copyFileSync(file, copy);
    fs.copyFileSync(file + '-wal', copy + '-wal');
    writer.close();
    expect(fs.statSync(copy + '-wal').size).toBeGreaterThan(4096);

    const db = connect(copy, { key: KEY });
    expect(cipherOf(db)).toBe('no-page-mac');
    expect(pageSize(db)).toBe(4096);
    expect(db.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(ROWS + 1);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    expect(() => connect(copy, { key: StoreKey.random(), keyFrom: 'a wrong key' })).toThrow(/does not open the store/);
  });

  it('a plain store with 4 KB pages is encrypted at 4 KB, one with the page MAC re-encrypted without it at 4 KB', () => {
    const dir = folder();
    const plain = path.join(dir, 'plain.sqlite');
    olderStore(plain, null);
    encryptInPlace(plain, KEY, randomSalt());
    const a = connect(plain, { key: KEY });
    expect([cipherOf(a), pageSize(a), a.prepare('SELECT count(*) FROM notes').pluck().get()]).toEqual(['no-page-mac', 4096, ROWS]);
    a.close();

    const mac = path.join(dir, 'mac.sqlite');
    olderStore(mac, 'page-mac');
    encryptInPlace(mac, KEY, randomSalt(), { from: 'page-mac' });
    const b = connect(mac, { key: KEY });
    expect([cipherOf(b), pageSize(b), b.prepare('SELECT count(*) FROM notes').pluck().get()]).toEqual(['no-page-mac', 4096, ROWS]);
    b.close();
  });

  it('a plain store with 8 KB pages is encrypted at 8 KB', () => {
    const file = path.join(folder(), 'plain8.sqlite');
    const db = openDatabase(file);
    db.close();
    encryptInPlace(file, KEY, randomSalt());
    const c = connect(file, { key: KEY });
    expect([cipherOf(c), pageSize(c)]).toEqual([STORE_CIPHER, 8192]);
    c.close();
  });

  for (const [size, source, backup, restored] of [
    [4096, 'no-page-mac', 'page-mac', 'no-page-mac'],
    [8192, 'no-page-mac-8k', 'page-mac-8k', 'no-page-mac-8k'],
  ] as const) {
    it(`a store with ${size / 1024} KB pages is backed up (page MAC) and restored (none) at ${size / 1024} KB`, async () => {
      const dir = folder();
      const file = path.join(dir, 'store.sqlite');
      if (size === 4096) olderStore(file, 'no-page-mac');
      else {
        const db = openDatabase(file, { key: KEY, salt: randomSalt(), migrations: [] });
        db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
        db.prepare('INSERT INTO notes (body) VALUES (?)').run('one');
        db.close();
      }
      // A copy job wants a store (one with schema_migrations).
      const s = connect(file, { key: KEY });
      expect(cipherOf(s)).toBe(source);
      s.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY)');
      const rows = s.prepare('SELECT count(*) FROM notes').pluck().get();
      s.close();

      const passKey = StoreKey.random();
      const backupFile = path.join(dir, 'backup.twofold');
      const made = await runCopyJob({
        source: file,
        sourceKeyHex: keyHex(),
        target: backupFile,
        targetKeyHex: keyMaterialForWorker(passKey).toString('hex') + randomSalt().toString('hex'),
        targetProfile: BACKUP_CIPHER,
        nativeBinding: null,
        prepareSql: null,
        queries: null,
        queriesOnly: false,
      }).result;
      expect(made.integrity).toBe('ok');
      const b = connect(backupFile, { key: passKey, readonly: true });
      expect([cipherOf(b), pageSize(b)]).toEqual([backup, size]);
      b.close();

      const back = path.join(dir, 'restored.sqlite');
      const done = await runCopyJob({
        source: backupFile,
        sourceKeyHex: keyMaterialForWorker(passKey).toString('hex'),
        target: back,
        targetKeyHex: keyHex() + randomSalt().toString('hex'),
        targetProfile: STORE_CIPHER,
        nativeBinding: null,
        prepareSql: null,
        queries: null,
        queriesOnly: false,
      }).result;
      expect(done.integrity).toBe('ok');
      const r = connect(back, { key: KEY });
      expect([cipherOf(r), pageSize(r), r.prepare('SELECT count(*) FROM notes').pluck().get()]).toEqual([restored, size, rows]);
      r.close();
    });
  }

  it('only 4 KB and 8 KB pages have a profile', () => {
    expect(cipherProfile(true, 4096)).toBe('page-mac');
    expect(cipherProfile(false, 8192)).toBe('no-page-mac-8k');
    expect(() => cipherProfile(false, 16384)).toThrow(/16384-byte pages cannot be encrypted/);
  });
});
