/**
 * Donor data at rest: the store and its write-ahead log hold no personal value in clear, a
 * wrong key or a damaged file is refused with a message naming the file and the ways out, and
 * refusing never changes the file.
 */
import fs from 'node:fs';
import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/secrets/memoryStore';
import { StoreKey, randomSalt, readHead } from '../../src-main/store/cipher';
import { CoreHost } from '../../src-main/core/host';
import { MemoryStoreKeys } from '../../src-main/secrets/storeKeys';
import { databasePath } from '../../src-main/store/db';
import { StoreError } from '../../src-main/store/storeErrors';
import { tempDir, testStoreKey } from '../helpers/tempCore';
import { foundInFile, personalValues, sha256, syncedStore, type SyncedStore } from './helpers';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('the store at rest', () => {
  let env: SyncedStore;

  it('after a sandbox sync, neither the store file nor its WAL holds a sandbox email, name or phone in clear', async () => {
    env = await syncedStore({ storeKey: testStoreKey() });
    cleanups.push(() => env.close());
    const file = databasePath(env.dir);
    const values = personalValues(env.core.db, env.profileId);
    expect(values.length).toBeGreaterThan(100);
    expect(values.some((v) => v.includes('@'))).toBe(true);
    expect(values.some((v) => /^\+?\d[\d\s().-]{6,}$/.test(v))).toBe(true);
    // While the app runs the latest pages sit in the WAL; scan it before it is folded in.
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(0);
    expect(foundInFile(`${file}-wal`, values)).toEqual([]);
    expect(foundInFile(file, values)).toEqual([]);
    expect(fs.readFileSync(file).subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0');
    await env.close();
    cleanups.pop();
    expect(foundInFile(file, values)).toEqual([]);
    // The same check is not vacuous: a plain store of the same sync holds them.
    const plain = await syncedStore({ storeKey: null });
    cleanups.push(() => plain.close());
    const plainFile = databasePath(plain.dir);
    plain.core.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(foundInFile(plainFile, personalValues(plain.core.db, plain.profileId)).length).toBeGreaterThan(50);
  });

  it('a wrong key is refused with the file named and the ways out, and the file is not changed', async () => {
    const dir = tempDir();
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const core = createCore({ dataDir: dir, secrets: new MemorySecretStore(), storeKey: testStoreKey() });
    core.profiles.insert({ name: 'Org', vomoUrl: null, crmUrl: null, raiseUrl: null });
    await core.close();
    const file = databasePath(dir);
    const before = sha256(file);
    let err: unknown;
    try {
      createCore({ dataDir: dir, secrets: new MemorySecretStore(), storeKey: { key: StoreKey.random(), salt: randomSalt(), from: 'TWOFOLD_STORE_KEY' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).problem).toBe('wrong-key');
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/TWOFOLD_STORE_KEY/);
    expect((err as Error).message).toMatch(/restore a backup.*start a new store.*never deleted/);
    expect(sha256(file)).toBe(before);
    // No key at all for an encrypted store: missing, not "damaged".
    expect(() => createCore({ dataDir: dir, secrets: new MemorySecretStore(), storeKey: null })).toThrow(/is encrypted and its key is not in/);
    expect(sha256(file)).toBe(before);
  });

  it('a second connection (long jobs, reports) is keyed like the first without the key leaving the core', async () => {
    const dir = tempDir();
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const core = createCore({ dataDir: dir, secrets: new MemorySecretStore(), storeKey: testStoreKey() });
    cleanups.push(() => core.close());
    core.profiles.insert({ name: 'Org', vomoUrl: null, crmUrl: null, raiseUrl: null });
    const second = core.openConnection({ readonly: true });
    try {
      expect(second.prepare('SELECT name FROM profiles').pluck().all()).toEqual(['Org']);
      expect(() => second.prepare("INSERT INTO profiles (name, created_at, updated_at) VALUES ('x', 'x', 'x')").run()).toThrow(/readonly/);
    } finally {
      second.close();
    }
    const writer = core.openConnection();
    try {
      writer.prepare("UPDATE profiles SET name = 'Renamed'").run();
    } finally {
      writer.close();
    }
    expect(core.profiles.list().map((p) => p.name)).toEqual(['Renamed']);
    expect(JSON.stringify(core.store)).not.toMatch(/[0-9a-f]{64}/);
  });

  describe('a broken store file is reported and left exactly as it is', () => {
    async function brokenStore(breakIt: (file: string) => void): Promise<{ dir: string; file: string; hash: string }> {
      const dir = tempDir();
      cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
      const core = createCore({ dataDir: dir, secrets: new MemorySecretStore(), storeKey: testStoreKey() });
      const p = core.profiles.insert({ name: 'Org', vomoUrl: null, crmUrl: null, raiseUrl: null });
      // Enough pages that half the file cuts through tables.
      core.db.exec('CREATE TABLE filler (x TEXT)');
      const ins = core.db.prepare('INSERT INTO filler VALUES (?)');
      core.db.transaction(() => {
        for (let i = 0; i < 3000; i++) ins.run(crypto.randomBytes(60).toString('hex'));
      })();
      core.audit.record({ profileId: p.id, action: 'x' });
      await core.close();
      const file = databasePath(dir);
      breakIt(file);
      return { dir, file, hash: sha256(file) };
    }

    it('truncated to half: damaged, named, untouched', async () => {
      const { dir, file, hash } = await brokenStore((f) => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2)));
      let err: unknown;
      try {
        createCore({ dataDir: dir, secrets: new MemorySecretStore(), storeKey: testStoreKey() });
      } catch (e) {
        err = e;
      }
      expect((err as StoreError).problem).toBe('damaged');
      expect((err as Error).message).toContain(file);
      expect((err as Error).message).toMatch(/Ways out: restore a backup/);
      expect((err as Error).message).not.toMatch(/\bdelete\b/i);
      expect(sha256(file)).toBe(hash);
    });

    it('the app (its host) shows a damaged store as unavailable with the ways out, and a new store keeps it aside', async () => {
      const { dir, file, hash } = await brokenStore((f) => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2)));
      const keys = new MemoryStoreKeys();
      await keys.save(readHead(file)!, testStoreKey().key);
      const host = new CoreHost({ dataDir: dir, keys, secrets: new MemorySecretStore(), shell: 'test' });
      cleanups.push(() => host.close());
      await host.open();
      expect(host.status()).toMatchObject({ state: 'unavailable', problem: 'damaged', recoverable: true, file });
      expect(await host.invoke('insights.lists', {})).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE', message: expect.stringContaining(file) } });
      expect(sha256(file)).toBe(hash);
      const r = (await host.invoke('store.startNew', { confirm: true })) as { ok: true; data: { keptAs: string } };
      expect(sha256(r.data.keptAs)).toBe(hash);
      expect(host.status().state).toBe('open');
    });

    it('random bytes: refused (the key does not open it), named, untouched', async () => {
      const { dir, file, hash } = await brokenStore((f) => fs.writeFileSync(f, crypto.randomBytes(fs.statSync(f).size)));
      // A key source that has a key (TWOFOLD_STORE_KEY): wrong key or damaged.
      expect(() => createCore({ dataDir: dir, secrets: new MemorySecretStore(), storeKey: testStoreKey() })).toThrow(
        new RegExp(`does not open the store ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: either it is not this file's key or the file is damaged`),
      );
      expect(sha256(file)).toBe(hash);
      expect(fs.existsSync(`${file}-wal`)).toBe(false);
    });
  });
});
