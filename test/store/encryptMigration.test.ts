/**
 * A plain store made by the previous version is encrypted in place on first start: the same
 * rows after, no plain copy left, and a kill -9 after any step (or at a random moment) leaves
 * a store that opens with all its rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/secrets/memoryStore';
import { allMigrations } from '../../src-main/store/migrations';
import { databasePath, openDatabase } from '../../src-main/store/db';
import { ENCRYPT_STEPS } from '../../src-main/store/encryptStore';
import { inspectStoreFile } from '../../src-main/store/storeFile';
import { buildScript } from '../sync/child/build';
import { testStoreKey } from '../helpers/tempCore';
import { columnsOf, copyOfFolder, dumpTables, foundInFile, personalValues, runOpenChild, sha256, syncedStore } from './helpers';

/** The previous version: every migration but this (0050–0059). */
const PREVIOUS = allMigrations.filter((m) => m.id < 50 || m.id >= 60);

let plainDir: string;
let expected: Record<string, unknown[]>;
let columns: Record<string, string[]>;
let values: string[];
let child: string;
const dirs: string[] = [];

beforeAll(async () => {
  const env = await syncedStore({ storeKey: null, migrations: PREVIOUS, people: 250 });
  plainDir = env.dir;
  dirs.push(plainDir);
  columns = columnsOf(env.core.db);
  expected = dumpTables(env.core.db, columns);
  values = personalValues(env.core.db, env.profileId);
  await env.close();
  expect(inspectStoreFile(databasePath(plainDir)).kind).toBe('plain');
  expect(foundInFile(databasePath(plainDir), values).length).toBeGreaterThan(50);
  child = await buildScript(path.resolve(__dirname, 'child/openChild.ts'), 'openChild');
}, 180_000);

afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh copy of the plain store's folder. */
function copyOfPlain(): string {
  return copyOfFolder(plainDir, 'twofold-encrypt-', dirs);
}

const runChild = (dir: string, killAt: string, killAfterMs?: number) => runOpenChild(child, dir, killAt, killAfterMs);

/** Opens the folder as the app does and checks every row of the previous version is there. */
async function expectAllRows(dir: string): Promise<void> {
  const core = createCore({ dataDir: dir, secrets: new MemorySecretStore(), storeKey: testStoreKey() });
  try {
    expect(core.store.encrypted).toBe(true);
    const { schema_migrations: applied, ...rows } = dumpTables(core.db, columns);
    const { schema_migrations: appliedBefore, ...rowsBefore } = expected;
    expect(rows).toEqual(rowsBefore);
    // The migrations of this version ran after the encryption, on top of the previous ones.
    expect(applied).toEqual(expect.arrayContaining(appliedBefore!));
    expect(applied!.length).toBe(allMigrations.length);
    expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    await core.close();
  }
  // Nothing plain is left in the folder: not the store, not its log, not a half-made copy.
  for (const f of fs.readdirSync(dir)) expect(foundInFile(path.join(dir, f), values), f).toEqual([]);
  expect(fs.readdirSync(dir).filter((f) => f.includes('encrypting'))).toEqual([]);
}

describe('plain store → encrypted store', () => {
  it('keeps every row of every table, and leaves no plain file or log behind', async () => {
    const dir = copyOfPlain();
    const r = await runChild(dir, 'none');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ encrypted: true });
    expect(inspectStoreFile(databasePath(dir)).kind).toBe('encrypted');
    await expectAllRows(dir);
  });

  it('waits for another process: a plain store open elsewhere is not encrypted under it, and not changed', async () => {
    const dir = copyOfPlain();
    const other = openDatabase(databasePath(dir));
    try {
      const hash = sha256(databasePath(dir));
      expect(() => createCore({ dataDir: dir, secrets: new MemorySecretStore(), storeKey: testStoreKey() })).toThrow(/is open in another Twofold .* encrypted once/);
      expect(inspectStoreFile(databasePath(dir)).kind).toBe('plain');
      expect(sha256(databasePath(dir))).toBe(hash);
      expect(fs.readdirSync(dir).filter((f) => f.includes('encrypting'))).toEqual([]);
    } finally {
      other.close();
    }
    await expectAllRows(dir);
  });

  for (const step of ENCRYPT_STEPS) {
    it(`a kill -9 right after "${step}" leaves a store that opens with all its rows`, async () => {
      const dir = copyOfPlain();
      const r = await runChild(dir, step);
      expect(r.signal, r.err).toBe('SIGKILL');
      // Before the swap the old store is there (plain), after it the new one (encrypted).
      const kind = inspectStoreFile(databasePath(dir)).kind;
      expect(kind).toBe(step === 'swap' ? 'encrypted' : 'plain');
      await expectAllRows(dir);
    });
  }

  it('a kill -9 at random moments of the migration leaves a store that opens with all its rows', async () => {
    // Time one uninterrupted run, then kill runs at spread-out points within it.
    const timing = copyOfPlain();
    const t = performance.now();
    expect((await runChild(timing, 'none')).code).toBe(0);
    const span = performance.now() - t;
    for (const share of [0.3, 0.5, 0.65, 0.8, 0.9]) {
      const dir = copyOfPlain();
      await runChild(dir, 'none', Math.round(span * share));
      await expectAllRows(dir);
    }
  });
});
