/**
 * The store from the command line, keychain-less (TWOFOLD_STORE_KEY, as a scheduled job runs):
 * a read-only store answers reports and refuses writes in one line naming the file; a broken or
 * unopenable store stops every command with one line naming the file and the ways out, and the
 * file is never changed; backup, restore and store new work end to end; the export files that
 * remain are listed and deleted.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCliIn } from '../helpers/cliInProcess';
import { databasePath } from '../../src-main/store/db';
import { inspectStoreFile } from '../../src-main/store/storeFile';
import { tempDir, testStoreKey, TEST_STORE_KEY_HEX } from '../helpers/tempCore';
import { sha256, syncedStore } from './helpers';
import { createCore } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/secrets/memoryStore';
import { Mirrors } from '../identity/fixtures';

const cli = (dir: string, args: string[], stdin?: string) => runCliIn(dir, args, { stdin });

/** The failure line: exactly one line, "twofold: …". */
function oneLine(err: string): string {
  const lines = err.split('\n').filter(Boolean);
  expect(lines, err).toHaveLength(1);
  expect(lines[0]).toMatch(/^twofold: /);
  return lines[0]!;
}

beforeAll(() => {
  process.env.TWOFOLD_STORE_KEY = TEST_STORE_KEY_HEX;
});
afterAll(() => {
  delete process.env.TWOFOLD_STORE_KEY;
});
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) {
    for (const f of fs.existsSync(d) ? fs.readdirSync(d) : []) fs.chmodSync(path.join(d, f), 0o644);
    fs.rmSync(d, { recursive: true, force: true });
  }
});

describe('a read-only store', () => {
  it('answers reports, and refuses a write command with one line naming the file', async () => {
    const env = await syncedStore({ storeKey: testStoreKey(), people: 150 });
    dirs.push(env.dir);
    await env.close();
    const file = databasePath(env.dir);
    fs.chmodSync(file, 0o444);
    const hash = sha256(file);

    const overlap = await cli(env.dir, ['report', 'Org', 'overlap', '--json']);
    expect(overlap.code, overlap.err).toBe(0);
    expect(JSON.parse(overlap.out).totalPersons).toBeGreaterThan(50);
    const lapsed = await cli(env.dir, ['report', 'Org', 'volunteer-only', '--json']);
    expect(lapsed.code, lapsed.err).toBe(0);
    expect(JSON.parse(lapsed.out).length).toBeGreaterThan(0);
    const status = await cli(env.dir, ['store', 'status', '--json']);
    expect(JSON.parse(status.out)).toMatchObject({ state: 'open', readOnly: 'the file is marked read-only', encrypted: true });

    for (const write of [
      ['profile', 'add', 'Another', '--vomo-url', 'https://v.example', '--crm-url', 'https://c.example'],
      ['profile', 'remove', 'Org'],
      ['rebuild', 'Org', '--from-scratch'],
    ]) {
      const r = await cli(env.dir, write);
      expect(r.code, write.join(' ')).toBe(1);
      const line = oneLine(r.err);
      expect(line).toContain(file);
      expect(line).toMatch(/is read-only/);
      expect(line).toMatch(/reports still work/);
    }
    expect(sha256(file)).toBe(hash);
  });
});

describe('a broken store file', () => {
  async function storeWith(breakIt: (file: string) => void): Promise<{ dir: string; file: string; hash: string }> {
    const dir = tempDir('twofold-broken-');
    dirs.push(dir);
    const add = await cli(dir, ['profile', 'add', 'Org', '--vomo-url', 'https://v.example', '--crm-url', 'https://c.example']);
    expect(add.code, add.err).toBe(0);
    // Pages enough that half the file cuts through the schema's tables.
    for (let i = 0; i < 40; i++) await cli(dir, ['profile', 'add', `Org ${i} ${crypto.randomBytes(200).toString('hex')}`, '--vomo-url', 'https://v.example', '--crm-url', 'https://c.example']);
    const file = databasePath(dir);
    breakIt(file);
    return { dir, file, hash: sha256(file) };
  }

  for (const [name, breakIt] of [
    ['truncated to half', (f: string) => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2))],
    ['random bytes', (f: string) => fs.writeFileSync(f, crypto.randomBytes(fs.statSync(f).size))],
  ] as const) {
    it(`${name}: every command stops with one line naming the file and the ways out; the file is unchanged`, async () => {
      const { dir, file, hash } = await storeWith(breakIt);
      for (const args of [['profile', 'list'], ['report', 'Org', 'overlap'], ['sync', 'Org'], ['backup', path.join(dir, 'b.twofold-backup')]]) {
        const r = await cli(dir, args, 'a passphrase long enough\n');
        expect(r.code, args.join(' ')).toBe(1);
        const line = oneLine(r.err);
        expect(line).toContain(file);
        expect(line).toMatch(/restore a backup \(twofold restore <backup file>.*start a new store \(twofold store new.*kept aside, never deleted/);
        expect(line).not.toMatch(/\bdelete (it|the)\b/i);
      }
      expect(sha256(file)).toBe(hash);
      // The way out: the broken file is kept aside, byte for byte, and an empty store starts.
      const fresh = await cli(dir, ['store', 'new', '--yes', '--json']);
      expect(fresh.code, fresh.err).toBe(0);
      const keptAs = JSON.parse(fresh.out).keptAs as string;
      expect(sha256(keptAs)).toBe(hash);
      expect((await cli(dir, ['profile', 'list', '--json'])).out.trim()).toBe('[]');
    });
  }
});

describe('backup and restore from the command line', () => {
  it('backs up with a passphrase from stdin and restores into an empty folder after showing what it holds', async () => {
    const env = await syncedStore({ storeKey: testStoreKey(), people: 120 });
    dirs.push(env.dir);
    const persons = env.core.db.prepare('SELECT count(*) FROM persons').pluck().get() as number;
    await env.close();
    const file = path.join(tempDir('twofold-cli-backup-'), 'org.twofold-backup');
    dirs.push(path.dirname(file));
    const b = await cli(env.dir, ['backup', file, '--json'], 'a passphrase long enough\n');
    expect(b.code, b.err).toBe(0);
    expect(JSON.parse(b.out)).toMatchObject({ file, summary: { profiles: [{ name: 'Org', persons }], tokensIncluded: false } });
    expect((await cli(env.dir, ['backup', file], 'a passphrase long enough\n')).err).toMatch(/already exists/);

    const target = tempDir('twofold-cli-restore-');
    dirs.push(target);
    const wrong = await cli(target, ['restore', file, '--yes'], 'not it at all\n');
    expect(wrong.code).toBe(1);
    expect(oneLine(wrong.err)).toMatch(/The passphrase does not open/);
    expect(fs.existsSync(databasePath(target))).toBe(false);
    // Without --yes (stdin is not a terminal) it shows the contents and restores nothing.
    const asked = await cli(target, ['restore', file], 'a passphrase long enough\n');
    expect(asked.code).toBe(1);
    expect(asked.out).toMatch(new RegExp(`Org: ${persons} persons, last sync 20`));
    expect(asked.out).toMatch(/API tokens are not in backups/);
    expect(fs.existsSync(databasePath(target))).toBe(false);
    const r = await cli(target, ['restore', file, '--yes'], 'a passphrase long enough\n');
    expect(r.code, r.err).toBe(0);
    expect(inspectStoreFile(databasePath(target)).kind).toBe('encrypted');
    const overlap = await cli(target, ['report', 'Org', 'overlap', '--json']);
    expect(JSON.parse(overlap.out).totalPersons).toBe(persons);
  });
});

describe('export files from the command line', () => {
  it('lists the export files that still exist, as Settings does, and deletes one by its ID', async () => {
    const dir = tempDir();
    const out = tempDir();
    dirs.push(dir, out);
    const core = createCore({ dataDir: dir, secrets: new MemorySecretStore(), storeKey: testStoreKey() });
    const profile = core.profiles.insert({ name: 'Org', vomoUrl: null, crmUrl: null, raiseUrl: null });
    const m = new Mirrors(core.db, profile.id);
    for (let i = 1; i <= 3; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: 'P', last: `L${i}` });
    await core.close();
    expect((await cli(dir, ['rebuild', 'Org'])).code).toBe(0);
    const file = path.join(out, 'everyone.csv');
    expect((await cli(dir, ['export', 'Org', 'all', '--out', file])).code).toBe(0);

    const listed = await cli(dir, ['exports', 'Org', '--json']);
    expect(listed.code).toBe(0);
    const files = JSON.parse(listed.out) as { exportId: number; list: string; rowCount: number; filePath: string }[];
    expect(files).toEqual([expect.objectContaining({ list: 'all', rowCount: 3, filePath: file })]);
    expect((await cli(dir, ['exports', 'Org'])).out).toMatch(new RegExp(`^\\s+${files[0]!.exportId}  .*, 3 rows  ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n$`));

    const bad = await cli(dir, ['exports', 'Org', '--delete', 'latest']);
    expect(bad.code).not.toBe(0);
    expect(oneLine(bad.err)).toMatch(/--delete takes an export's ID/);
    expect(fs.existsSync(file)).toBe(true);

    const deleted = await cli(dir, ['exports', 'Org', '--delete', String(files[0]!.exportId)]);
    expect(deleted).toMatchObject({ code: 0, out: `deleted ${file}\n` });
    expect(fs.existsSync(file)).toBe(false);
    expect((await cli(dir, ['exports', 'Org'])).out).toBe('no export files of this profile remain\n');
    const again = await cli(dir, ['exports', 'Org', '--delete', String(files[0]!.exportId)]);
    expect(oneLine(again.err)).toMatch(/no longer exists/);
  });
});
