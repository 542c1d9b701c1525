/**
 * A full disk while a plain store is encrypted (a store from before encryption, opened by this
 * version): the steward is told in words, how much room it needs, and nothing is lost — the
 * original store opens with its rows (only its journal mode was switched, which opening undoes),
 * and no partial copy is left beside it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/store/db';
import { StoreKey, randomSalt } from '../../src-main/store/cipher';
import { encryptInPlace, encryptingPath } from '../../src-main/store/encryptStore';
import { StoreError } from '../../src-main/store/storeErrors';
import { tempDir } from '../helpers/tempCore';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('encrypting a plain store on a full disk', () => {
  it.each([
    ['ENOSPC', 'copy'],
    ['SQLITE_FULL', 'encrypt'],
  ] as const)('%s at the %s step: a disk-full store error naming the room it needs, the store intact, no copy left', (code, at) => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'twofold.sqlite');
    const db = openDatabase(file, {});
    db.prepare("INSERT INTO profiles (id, name, vomo_url, crm_url, created_at, updated_at) VALUES (1, 'Org', 'https://v', 'https://c', 'x', 'x')").run();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    // The step's write is where the disk runs out (the copy beside the store, or SQLite's rekey of it).
    const full = Object.assign(new Error(code === 'ENOSPC' ? 'ENOSPC: no space left on device, write' : 'database or disk is full'), { code });
    let thrown: unknown;
    try {
      encryptInPlace(file, StoreKey.random(), randomSalt(), {
        afterStep: (s) => {
          if (s === at) throw full;
        },
      });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(StoreError);
    expect((thrown as StoreError).problem).toBe('disk-full');
    expect((thrown as StoreError).recoverable).toBe(false); // no backup or new store needed: free space
    expect((thrown as Error).message).toMatch(new RegExp(`The disk holding the store ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is full: .* needs about 0\\.1 GB free .* Nothing was changed\\.`));
    expect(fs.existsSync(encryptingPath(file))).toBe(false);
    // And it still opens as it was.
    const again = openDatabase(file, {});
    expect(again.prepare('SELECT name FROM profiles').pluck().all()).toEqual(['Org']);
    expect(again.pragma('integrity_check', { simple: true })).toBe('ok');
    again.close();
  });
});
