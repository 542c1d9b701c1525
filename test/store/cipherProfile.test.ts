/**
 * The store is written without SQLCipher's per-page MAC (cipher.ts says why); a store the
 * previous version encrypted with it is re-encrypted in place on first start, under its own
 * key and salt: the same rows after, and a kill -9 after any step leaves a store that opens
 * with all its rows. Either profile opens with the right key; neither opens with a wrong one.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/secrets/memoryStore';
import { cipherOf, connect, databasePath } from '../../src-main/store/db';
import { readHead, rekeyConnection, StoreKey, randomSalt, type CipherProfile } from '../../src-main/store/cipher';
import { ENCRYPT_STEPS } from '../../src-main/store/encryptStore';
import { buildScript } from '../sync/child/build';
import { tempDir, testStoreKey, TEST_STORE_KEY_HEX } from '../helpers/tempCore';
import { columnsOf, copyOfFolder, dumpTables, foundInFile, personalValues, runOpenChild, syncedStore } from './helpers';

const KEY = StoreKey.fromHex(TEST_STORE_KEY_HEX)!;
let legacyDir: string;
let legacySalt: Buffer;
let expected: Record<string, unknown[]>;
let columns: Record<string, string[]>;
let values: string[];
let child: string;
const dirs: string[] = [];

/** How the folder's store is encrypted, read with the test key. */
function profileOf(dir: string): CipherProfile | null {
  const db = connect(databasePath(dir), { key: KEY, readonly: true });
  try {
    return cipherOf(db);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  // The previous version's store: this version's schema, encrypted with the per-page MAC.
  const env = await syncedStore({ storeKey: null, people: 250 });
  legacyDir = env.dir;
  dirs.push(legacyDir);
  columns = columnsOf(env.core.db);
  expected = dumpTables(env.core.db, columns);
  values = personalValues(env.core.db, env.profileId);
  await env.close();
  legacySalt = randomSalt();
  const db = new Database(databasePath(legacyDir));
  try {
    db.pragma('journal_mode = DELETE');
    rekeyConnection(db, KEY, legacySalt, 'page-mac');
  } finally {
    db.close();
  }
  expect(profileOf(legacyDir)).toBe('page-mac');
  child = await buildScript(path.resolve(__dirname, 'child/openChild.ts'), 'openChild');
}, 180_000);

afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const copyOfLegacy = () => copyOfFolder(legacyDir, 'twofold-recipher-', dirs);
const runChild = (dir: string, killAt: string) => runOpenChild(child, dir, killAt);

/** Opens the folder as the app does: every row there, the current profile, the same salt. */
async function expectAllRows(dir: string): Promise<void> {
  const core = createCore({ dataDir: dir, secrets: new MemorySecretStore(), storeKey: testStoreKey() });
  try {
    expect(core.store.encrypted).toBe(true);
    expect(cipherOf(core.db)).toBe('no-page-mac');
    expect(dumpTables(core.db, columns)).toEqual(expected);
    expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    await core.close();
  }
  // The key in the keychain is found by the file's salt: it must not change.
  expect(readHead(databasePath(dir))!.equals(legacySalt)).toBe(true);
  for (const f of fs.readdirSync(dir)) expect(foundInFile(path.join(dir, f), values), f).toEqual([]);
  expect(fs.readdirSync(dir).filter((f) => f.includes('encrypting'))).toEqual([]);
}

describe('cipher profiles', () => {
  it('a new store is written without the per-page MAC, and opens with neither a wrong key nor as plain', async () => {
    const dir = tempDir('twofold-profile-');
    dirs.push(dir);
    const core = createCore({ dataDir: dir, secrets: new MemorySecretStore(), storeKey: testStoreKey() });
    core.profiles.insert({ name: 'Org', vomoUrl: null, crmUrl: null, raiseUrl: null });
    expect(cipherOf(core.db)).toBe('no-page-mac');
    await core.close();
    expect(profileOf(dir)).toBe('no-page-mac');
    expect(() => connect(databasePath(dir), { key: StoreKey.random(), keyFrom: 'a wrong key' })).toThrow(/does not open the store/);
    expect(() => connect(databasePath(dir), {})).toThrow(/not a database, or it is encrypted/);
  });

  it('a store the previous version encrypted with the per-page MAC is re-encrypted without it: same rows, same key and salt', async () => {
    const dir = copyOfLegacy();
    const r = await runChild(dir, 'none');
    expect(r.code, r.err).toBe(0);
    expect(profileOf(dir)).toBe('no-page-mac');
    await expectAllRows(dir);
  });

  it('read-only, a store with the per-page MAC opens as it is (it is re-encrypted when next opened writable)', () => {
    const dir = copyOfLegacy();
    const db = connect(databasePath(dir), { key: KEY, readonly: true });
    try {
      expect(cipherOf(db)).toBe('page-mac');
      expect(db.prepare('SELECT count(*) FROM persons').pluck().get()).toBe(expected.persons!.length);
    } finally {
      db.close();
    }
  });

  for (const step of ENCRYPT_STEPS) {
    it(`a kill -9 right after "${step}" of the re-encryption leaves a store that opens with all its rows`, async () => {
      const dir = copyOfLegacy();
      const r = await runChild(dir, step);
      expect(r.signal, r.err).toBe('SIGKILL');
      // Before the swap the old file is there as it was encrypted, after it the new one.
      expect(profileOf(dir)).toBe(step === 'swap' ? 'no-page-mac' : 'page-mac');
      await expectAllRows(dir);
    });
  }
});
