/**
 * The store key in the real OS keychain (gnome-keyring inside dbus-run-session; see
 * scripts/with-keyring.js). No mocks: without a keychain these tests are skipped locally and
 * fail in CI. The key is created at first start under its own account, never found in the data
 * folder, the logs, an IPC reply, an export or a backup, and a lost key is reported with the
 * ways out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreHost } from '../../src-main/core/host';
import { KeychainStoreKeys, storeKeyAccount } from '../../src-main/secrets/storeKeys';
import { MemorySecretStore } from '../../src-main/secrets/memoryStore';
import { setLogSink } from '../../src-main/core/log';
import { readHead } from '../../src-main/store/cipher';
import { databasePath } from '../../src-main/store/db';
import { contract } from '../../src-shared/ipc/contract';
import type { Envelope } from '../../src-shared/ipc/channel';
import type { StoreJob } from '../../src-shared/domain/store';
import { tempDir } from '../helpers/tempCore';
import { sha256 } from './helpers';

const haveBus = !!process.env.DBUS_SESSION_BUS_ADDRESS;
if (process.env.TWOFOLD_REQUIRE_KEYCHAIN && !haveBus) {
  throw new Error('TWOFOLD_REQUIRE_KEYCHAIN is set but no D-Bus session is available: run the tests through scripts/with-keyring.js');
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const keytar = () => require('keytar') as typeof import('keytar');

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** The forms a key could leak in: hex (either case), base64, base64url, the raw bytes. */
function keyForms(hex: string): Buffer[] {
  const raw = Buffer.from(hex, 'hex');
  return [hex, hex.toUpperCase(), raw.toString('base64'), raw.toString('base64url')].map((s) => Buffer.from(s, 'utf8')).concat([raw]);
}

function leaks(haystack: Buffer | string, forms: Buffer[]): boolean {
  const b = Buffer.isBuffer(haystack) ? haystack : Buffer.from(haystack, 'utf8');
  return forms.some((f) => b.includes(f));
}

describe.runIf(haveBus)('the store key in the OS keychain (real gnome-keyring)', () => {
  const dir = tempDir('twofold-keychain-store-');
  const backups = tempDir('twofold-keychain-backups-');
  const logLines: string[] = [];
  let host: CoreHost;
  let account: string;
  let keyHex: string;

  // API tokens stay in memory here: their keychain accounts ("<profileId>:<api>") are not
  // per data folder, and test/unit/keychain.test.ts uses the same keyring at the same time.
  const newHost = () => new CoreHost({ dataDir: dir, keys: new KeychainStoreKeys(), secrets: new MemorySecretStore(), shell: 'test', backupFolder: backups });

  beforeAll(async () => {
    setLogSink((l) => logLines.push(l), 'debug');
    host = newHost();
    await host.open();
  });
  afterAll(async () => {
    await host?.close();
    setLogSink((l) => process.stderr.write(l + '\n'), 'warn');
    for (const a of (await keytar().findCredentials('Twofold')).map((c) => c.account).filter((a) => a.startsWith('store-key:'))) {
      await keytar().deletePassword('Twofold', a);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(backups, { recursive: true, force: true });
  });

  it('creates a random 256-bit key at first start, in its own account named by the file', async () => {
    expect(host.status()).toMatchObject({ state: 'open', encrypted: true, keySource: 'the OS keychain' });
    account = storeKeyAccount(readHead(databasePath(dir))!);
    expect(account).toMatch(/^store-key:[0-9a-f]{32}$/);
    keyHex = (await keytar().getPassword('Twofold', account))!;
    expect(keyHex).toMatch(/^[0-9a-f]{64}$/);
    // A second start finds it (a new process would do the same).
    await host.close();
    host = newHost();
    await host.open();
    expect(host.status().state).toBe('open');
  });

  it('is never in the data folder, the logs, an IPC reply, an export or a backup, and no channel reads it', async () => {
    const replies: Envelope<unknown>[] = [];
    const call = async (channel: string, input: unknown) => {
      const r = await host.invoke(channel, input);
      replies.push(r);
      return r;
    };
    // Some real work: a sandbox organization synced, a list exported, a backup written.
    const started = await call('sandbox.start', { people: 120, sync: true });
    expect(started.ok, JSON.stringify(started)).toBe(true);
    const profileId = (started as { data: { profileId: number } }).data.profileId;
    for (let i = 0; i < 120 && (await host.invoke('sync.status', { profileId })).ok && ((await host.invoke('sync.status', { profileId })) as { data: { running: unknown } }).data.running; i++) {
      await new Promise((r) => setTimeout(r, 500));
    }
    const exported = (await call('exports.create', { profileId, list: 'volunteer-only', excludeOptedOut: false, outreach: false })) as { ok: true; data: { exportId: number } };
    expect(exported.ok).toBe(true);
    const files = (await call('exports.files', { profileId })) as { ok: true; data: { filePath: string }[] };
    expect(files.data.length).toBe(1);
    await call('backup.create', { passphrase: 'a long enough passphrase' });
    const backup = (await host.settled()) as StoreJob;
    expect(backup.phase, backup.message ?? '').toBe('done');
    // Every channel of the contract, called with an empty input (most refuse it, some answer).
    for (const channel of Object.keys(contract)) await call(channel, {});
    await call('store.status', {});
    await call('app.info', {});

    const forms = keyForms(keyHex);
    expect(leaks(JSON.stringify(replies), forms)).toBe(false);
    expect(leaks(logLines.join('\n'), forms)).toBe(false);
    for (const f of filesUnder(dir)) expect(leaks(fs.readFileSync(f), forms), f).toBe(false);
    expect(leaks(fs.readFileSync(files.data[0]!.filePath), forms)).toBe(false);
    expect(leaks(fs.readFileSync(backup.file), forms)).toBe(false);
    // Nothing a handler is given reaches it: the core holds no copy a handler could return.
    const seen = new Set<unknown>();
    const walk = (v: unknown, depth: number): boolean => {
      if (v === null || v === undefined || depth > 5 || seen.has(v)) return false;
      if (typeof v === 'string') return leaks(v, forms);
      if (Buffer.isBuffer(v) || v instanceof Uint8Array) return leaks(Buffer.from(v), forms);
      if (typeof v !== 'object') return false;
      seen.add(v);
      if (v instanceof Map) return [...v.values()].some((x) => walk(x, depth + 1));
      return Object.values(v as object).some((x) => walk(x, depth + 1));
    };
    expect(walk(host.current(), 0)).toBe(false);
    // No channel is about keys.
    expect(Object.keys(contract).filter((c) => /key/i.test(c))).toEqual([]);
  });

  it('a lost key (keychain reset, another account) is reported with the ways out; a new store keeps the old file', async () => {
    await host.close();
    const file = databasePath(dir);
    const hash = sha256(file);
    await keytar().deletePassword('Twofold', account);
    host = newHost();
    await host.open();
    const s = host.status();
    expect(s).toMatchObject({ state: 'unavailable', problem: 'missing-key', recoverable: true });
    expect(s.message).toContain(file);
    expect(s.message).toMatch(/its key is not in the OS keychain/);
    expect(s.message).toMatch(/restore a backup.*start a new store/);
    expect(await host.invoke('profiles.list', {})).toEqual({ ok: false, error: { code: 'STORE_UNAVAILABLE', message: s.message } });
    expect(sha256(file)).toBe(hash);
    // No key was made up for the old file.
    expect(await keytar().getPassword('Twofold', account)).toBeNull();

    const r = (await host.invoke('store.startNew', { confirm: true })) as { ok: true; data: { keptAs: string } };
    expect(r.ok).toBe(true);
    expect(sha256(r.data.keptAs)).toBe(hash);
    expect(host.status()).toMatchObject({ state: 'open', encrypted: true });
    const newAccount = storeKeyAccount(readHead(file)!);
    expect(newAccount).not.toBe(account);
    expect(await keytar().getPassword('Twofold', newAccount)).toMatch(/^[0-9a-f]{64}$/);
    expect(await host.invoke('profiles.list', {})).toEqual({ ok: true, data: [] });
  });
});
