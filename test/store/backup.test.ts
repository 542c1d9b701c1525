/**
 * Backup and restore: one passphrase-encrypted file, restored into an empty data folder with
 * identical rows in every table; a wrong passphrase refused; a backup taken while a sync runs
 * restores to a consistent store that a sync then completes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CoreHost } from '../../src-main/core/host';
import { MemoryStoreKeys } from '../../src-main/secrets/storeKeys';
import { MemorySecretStore } from '../../src-main/secrets/memoryStore';
import { cipherOf, connect, databasePath } from '../../src-main/store/db';
import { readHead, StoreKey } from '../../src-main/store/cipher';
import { deriveBackupKey } from '../../src-main/store/backup';
import { startSandbox } from '../../src-main/sandbox/index';
import type { StoreJob } from '../../src-shared/domain/store';
import { FAST, dumpMirrors } from '../sync/helpers';
import { tempDir } from '../helpers/tempCore';
import { dumpTables, foundInFile, personalValues, sha256 } from './helpers';

const PASS = 'correct horse battery staple';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function host(dir = tempDir('twofold-host-'), keys = new MemoryStoreKeys()): Promise<CoreHost> {
  const h = new CoreHost({ dataDir: dir, keys, secrets: new MemorySecretStore(), shell: 'test', backupFolder: path.join(dir, '..', path.basename(dir) + '-backups') });
  await h.open();
  cleanups.push(async () => {
    await h.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(h.status().backupFolder, { recursive: true, force: true });
  });
  return h;
}

async function call<T>(h: CoreHost, channel: string, input: unknown): Promise<T> {
  const r = await h.invoke(channel, input);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
  return r.data as T;
}

/** A store with one profile synced from a sandbox, through the host's core. */
async function syncedHost(people = 250) {
  const sandbox = await startSandbox({ people, seed: 9, rateLimits: 'off', port: 0 });
  cleanups.push(() => sandbox.stop());
  const h = await host();
  const core = h.current()!;
  const profile = core.profiles.insert({ name: 'Org', vomoUrl: sandbox.vomo.baseUrl, crmUrl: sandbox.crm.baseUrl, raiseUrl: sandbox.raise.baseUrl });
  for (const api of ['vomo', 'crm', 'raise'] as const) await core.secrets.set(profile.id, api, sandbox[api].token);
  const sync = core.sync;
  sync.configure(FAST);
  sync.configure({ crm: { take: 100 }, raise: { take: 100 } });
  return { h, core, sandbox, profileId: profile.id, sync };
}

/** How a backup file is encrypted, read with its passphrase. */
async function backupProfile(file: string) {
  const db = connect(file, { key: StoreKey.fromBytes(await deriveBackupKey(PASS, readHead(file)!)), readonly: true });
  try {
    return cipherOf(db);
  } finally {
    db.close();
  }
}

/**
 * Replaces the global fetch (which the connectors take when a sync builds them) with one that,
 * from the `n`th request to `baseUrl` on, holds every request until released.
 */
function holdFetchAfter(baseUrl: string, n: number) {
  const real = globalThis.fetch;
  let seen = 0;
  let reached!: () => void;
  let open!: () => void;
  const holding = new Promise<void>((r) => (reached = r));
  const released = new Promise<void>((r) => (open = r));
  let held = false;
  vi.stubGlobal('fetch', async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    if (!held && String(input instanceof Request ? input.url : input).startsWith(baseUrl) && ++seen >= n) {
      held = true;
      reached();
    }
    if (held) await released;
    return real(input, init);
  });
  // A test that fails while requests are held lets them go, so its sync ends before its host closes.
  cleanups.push(() => {
    open();
    vi.unstubAllGlobals();
  });
  return {
    holding,
    release() {
      open();
      vi.unstubAllGlobals();
    },
  };
}

async function finished(h: CoreHost): Promise<StoreJob> {
  const job = await h.settled();
  if (!job) throw new Error('no job');
  return job;
}

describe('backup and restore', () => {
  it('backup then restore into an empty data folder gives identical rows in every table', async () => {
    const { h, core, profileId, sync } = await syncedHost();
    expect((await sync.run(profileId, { full: true })).status).toBe('ok');
    // Decisions too: a conflict resolved, an audit entry.
    core.audit.record({ profileId, action: 'test.decision', detail: { why: 'in the backup' } });
    const before = dumpTables(core.db);
    const values = personalValues(core.db, profileId);

    const started = await call<StoreJob>(h, 'backup.create', { passphrase: PASS });
    expect(started.phase).toBe('running');
    const done = await finished(h);
    expect(done.phase, done.message ?? '').toBe('done');
    const file = done.file;
    expect(file.endsWith('.twofold-backup')).toBe(true);
    expect(done.summary).toMatchObject({ tokensIncluded: false, profiles: [{ name: 'Org', persons: before.persons!.length }] });
    // One file, encrypted: no personal value in clear, not the store's salt (its own key).
    expect(fs.readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
    expect(foundInFile(file, values)).toEqual([]);
    expect(readHead(file)!.equals(readHead(databasePath(h.dataDir))!)).toBe(false);

    // A new laptop: an empty data folder, another keychain.
    const fresh = await host(tempDir('twofold-newlaptop-'), new MemoryStoreKeys());
    const preview = await call<StoreJob['summary']>(fresh, 'backup.preview', { file, passphrase: PASS });
    expect(preview!.profiles[0]).toMatchObject({ name: 'Org', persons: before.persons!.length, verdicts: 0 });
    expect(preview!.profiles[0]!.lastSyncAt).toBeTruthy();
    expect(preview!.createdAt).toBe(done.summary!.createdAt);
    await call(fresh, 'backup.restore', { file, passphrase: PASS, confirm: true });
    const restored = await finished(fresh);
    expect(restored.phase, restored.message ?? '').toBe('done');
    expect(fresh.status().state).toBe('open');
    expect(dumpTables(fresh.current()!.db)).toEqual({ ...before, audit_log: expect.any(Array) });
    // The audit log has every entry of the backup, plus the restore's own.
    const audit = dumpTables(fresh.current()!.db).audit_log!;
    expect(audit.slice(0, before.audit_log!.length)).toEqual(before.audit_log);
    expect(fresh.current()!.store.encrypted).toBe(true);
    expect(foundInFile(databasePath(fresh.dataDir), values)).toEqual([]);
    // The backup carries a MAC on every page; the store restored from it does not (cipher.ts).
    expect(await backupProfile(file)).toBe('page-mac');
    expect(cipherOf(fresh.current()!.db)).toBe('no-page-mac');
  });

  it('a backup with one bit altered on disk is refused as damaged, and the store keeps what it had', async () => {
    const { h, profileId, sync } = await syncedHost();
    expect((await sync.run(profileId, { full: true })).status).toBe('ok');
    await call(h, 'backup.create', { passphrase: PASS });
    const file = (await finished(h)).file;
    // One bit of one page in the middle of the file (a page the preview's queries need not read).
    const bytes = fs.readFileSync(file);
    const page = Math.floor(bytes.length / 4096 / 2);
    bytes[page * 4096 + 1000] ^= 0x01;
    fs.writeFileSync(file, bytes);
    const fresh = await host(tempDir('twofold-altered-'), new MemoryStoreKeys());
    fresh.current()!.profiles.insert({ name: 'Kept', vomoUrl: null, crmUrl: null, raiseUrl: null });
    await call(fresh, 'backup.restore', { file, passphrase: PASS, confirm: true });
    const job = await finished(fresh);
    expect(job.phase).toBe('failed');
    expect(job.message).toMatch(/damaged|integrity check/);
    expect(fresh.status().state).toBe('open');
    expect(fresh.current()!.profiles.list().map((p) => p.name)).toEqual(['Kept']);
    expect(fs.readdirSync(fresh.dataDir).filter((f) => f.includes('restoring'))).toEqual([]);
  });

  it('a wrong passphrase is refused with a clear error, and nothing changes', async () => {
    const h = await host();
    h.current()!.profiles.insert({ name: 'Org', vomoUrl: null, crmUrl: null, raiseUrl: null });
    await call(h, 'backup.create', { passphrase: PASS });
    const file = (await finished(h)).file;
    const storeHash = sha256(databasePath(h.dataDir));
    for (const channel of ['backup.preview', 'backup.restore']) {
      const r = await h.invoke(channel, { file, passphrase: 'not the passphrase', confirm: true });
      expect(r).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
      expect((r as { error: { message: string } }).error.message).toMatch(/The passphrase does not open .*: it is wrong, or the file is not a Twofold backup/);
    }
    expect(h.status().state).toBe('open');
    expect(sha256(databasePath(h.dataDir))).toBe(storeHash);
    // A short passphrase is refused before anything is written.
    expect(await h.invoke('backup.create', { passphrase: 'short' })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: /at least 8 characters/ } });
    // Not a backup at all.
    const junk = path.join(h.status().backupFolder, 'junk.twofold-backup');
    fs.writeFileSync(junk, Buffer.alloc(8192, 7));
    expect(await h.invoke('backup.preview', { file: junk, passphrase: PASS })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(await h.invoke('backup.preview', { file: path.join(h.dataDir, 'nope'), passphrase: PASS })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('restoring over a store keeps the old one aside, never deleted', async () => {
    const h = await host();
    h.current()!.profiles.insert({ name: 'Before backup', vomoUrl: null, crmUrl: null, raiseUrl: null });
    await call(h, 'backup.create', { passphrase: PASS });
    const file = (await finished(h)).file;
    h.current()!.profiles.insert({ name: 'After backup', vomoUrl: null, crmUrl: null, raiseUrl: null });
    await call(h, 'backup.restore', { file, passphrase: PASS, confirm: true });
    const job = await finished(h);
    expect(job.phase, job.message ?? '').toBe('done');
    expect(h.current()!.profiles.list().map((p) => p.name)).toEqual(['Before backup']);
    expect(job.previousStore).toMatch(/twofold\.sqlite\.before-restore-/);
    expect(fs.existsSync(job.previousStore!)).toBe(true);
  });

  it('a restore refuses to replace a store another process has open, and changes nothing', async () => {
    const h = await host();
    h.current()!.profiles.insert({ name: 'Org', vomoUrl: null, crmUrl: null, raiseUrl: null });
    await call(h, 'backup.create', { passphrase: PASS });
    const file = (await finished(h)).file;
    // Another process's connection (the app while the CLI restores, say).
    const other = h.current()!.openConnection();
    try {
      const r = await h.invoke('backup.restore', { file, passphrase: PASS, confirm: true });
      expect(r).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE', message: /is open in another Twofold .* replaced by a restore; close the other one/ } });
      expect(h.status().state).toBe('open');
      expect(fs.readdirSync(h.dataDir).filter((f) => f.includes('before-restore'))).toEqual([]);
    } finally {
      other.close();
    }
    await call(h, 'backup.restore', { file, passphrase: PASS, confirm: true });
    expect((await finished(h)).phase).toBe('done');
  });

  it('a backup taken during a running sync restores to a consistent store that a sync then completes', async () => {
    const { h, core, sandbox, profileId, sync } = await syncedHost(1200);
    sync.configure({ vomo: { requestsPerSecond: 150, detailBatch: 10 }, crm: { take: 40 }, raise: { take: 40 } });
    // The sync is held at its fourth CRM+ request until the backup is taken: how far a free-running
    // sync gets while a backup job starts depends on the machine (on a loaded CI runner it had
    // finished), and this test is about a snapshot taken part-way.
    const gate = holdFetchAfter(sandbox.crm.baseUrl, 4);
    const running = sync.run(profileId, { full: true });
    await gate.holding;
    await call(h, 'backup.create', { passphrase: PASS });
    const backup = await finished(h);
    gate.release();
    expect(backup.phase, backup.message ?? '').toBe('done');
    expect((await running).status).toBe('ok');
    expect(sync.status(profileId).running).toBeNull();

    const fresh = await host(tempDir('twofold-midsync-'), new MemoryStoreKeys());
    await call(fresh, 'backup.restore', { file: backup.file, passphrase: PASS, confirm: true });
    expect((await finished(fresh)).phase).toBe('done');
    const rc = fresh.current()!;
    expect(rc.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(rc.db.pragma('foreign_key_check')).toEqual([]);
    // The snapshot caught the sync part-way: fewer records than the finished store has.
    expect(rc.db.prepare('SELECT count(*) FROM crm_contacts').pluck().get()).toBeLessThan(core.db.prepare('SELECT count(*) FROM crm_contacts').pluck().get() as number);
    // Tokens are not in backups: on the new laptop they are entered again.
    for (const api of ['vomo', 'crm', 'raise'] as const) {
      expect(await rc.secrets.has(profileId, api)).toBe(false);
      await rc.secrets.set(profileId, api, sandbox[api].token);
    }
    // Consistent means the next sync resumes from it and ends where the live store ended.
    const resumed = rc.sync;
    resumed.configure(FAST);
    resumed.configure({ crm: { take: 100 }, raise: { take: 100 } });
    const after = await resumed.run(profileId, {});
    expect(after.status, JSON.stringify(after.collectors.map((c) => [c.api, c.status, c.error]))).toBe('ok');
    expect(dumpMirrors(rc, profileId)).toEqual(dumpMirrors(core, profileId));
  });
});
