/**
 * Against a real Secret Service (gnome-keyring inside dbus-run-session; see scripts/with-keyring.js).
 * No mocks: if there is no keychain these tests are skipped locally and fail in CI.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core/app';
import { KeychainSecretStore } from '../../src-main/secrets/keychain';
import { setLogSink } from '../../src-main/core/log';
import { databasePath } from '../../src-main/store/db';
import { tempDir, testStoreKey } from '../helpers/tempCore';

const haveBus = !!process.env.DBUS_SESSION_BUS_ADDRESS;
if (process.env.TWOFOLD_REQUIRE_KEYCHAIN && !haveBus) {
  throw new Error('TWOFOLD_REQUIRE_KEYCHAIN is set but no D-Bus session is available: run the tests through scripts/with-keyring.js');
}

describe.runIf(haveBus)('OS keychain (real gnome-keyring)', () => {
  const token = `tf_test_${Date.now()}_Q9xK2mVbL7pRw4ZsT8yN`;
  let core: Core;
  let dir: string;
  const logLines: string[] = [];
  let profileId: number;

  beforeAll(async () => {
    dir = tempDir();
    setLogSink((l) => logLines.push(l), 'debug');
    core = createCore({ dataDir: dir, secrets: new KeychainSecretStore(), storeKey: testStoreKey() });
    const p = await core.invoke('profiles.add', { name: `Keychain ${Date.now()}`, vomoUrl: 'https://v.example', crmUrl: 'https://c.example' });
    if (!p.ok) throw new Error(p.error.message);
    profileId = (p.data as { id: number }).id;
  });
  afterAll(async () => {
    await core.invoke('secrets.delete', { profileId, api: 'crm' });
    await core.close();
    setLogSink((l) => process.stderr.write(l + '\n'), 'warn');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports the keychain as available', async () => {
    expect(await core.secrets.status()).toEqual({ available: true, reason: null });
  });

  it('sets a token, reports its presence, and deletes it', async () => {
    const replies: unknown[] = [];
    replies.push(await core.invoke('secrets.has', { profileId, api: 'crm' }));
    expect(replies[0]).toEqual({ ok: true, data: { present: false } });
    replies.push(await core.invoke('secrets.set', { profileId, api: 'crm', token }));
    expect(replies[1]).toEqual({ ok: true, data: { ok: true } });
    replies.push(await core.invoke('secrets.has', { profileId, api: 'crm' }));
    expect(replies[2]).toEqual({ ok: true, data: { present: true } });
    // The main process (a connector) can read it; nothing else can.
    expect(await core.secrets.get(profileId, 'crm')).toBe(token);
    replies.push(await core.invoke('profiles.list', {}));
    replies.push(await core.invoke('app.info', {}));
    const list = replies[3] as { data: { tokens: Record<string, boolean> }[] };
    expect(list.data[0].tokens).toEqual({ vomo: false, crm: true, raise: false });
    replies.push(await core.invoke('secrets.delete', { profileId, api: 'crm' }));
    replies.push(await core.invoke('secrets.has', { profileId, api: 'crm' }));
    expect(replies.at(-1)).toEqual({ ok: true, data: { present: false } });

    // The token appears in no IPC reply, no log line, and no byte of the SQLite files.
    for (const r of replies) expect(JSON.stringify(r)).not.toContain(token);
    expect(logLines.join('\n')).not.toContain(token);
    core.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const file of [databasePath(dir), databasePath(dir) + '-wal', databasePath(dir) + '-shm']) {
      if (fs.existsSync(file)) expect(fs.readFileSync(file).includes(Buffer.from(token))).toBe(false);
    }
    const all = fs.readdirSync(dir).map((f) => path.join(dir, f));
    for (const f of all) expect(fs.readFileSync(f).includes(Buffer.from(token)), f).toBe(false);
  });

  it('has no channel that reads a token back', async () => {
    const { contract } = await import('../../src-shared/ipc/contract');
    const names = Object.keys(contract);
    expect(names.filter((n) => /secret|token/i.test(n)).sort()).toEqual(['secrets.delete', 'secrets.has', 'secrets.set']);
  });
});

describe('keychain errors', () => {
  it('names the cause when no Secret Service is reachable', async () => {
    const { describeKeychainError } = await import('../../src-main/secrets/keychain');
    expect(describeKeychainError(new Error('The name org.freedesktop.secrets was not provided by any .service files'))).toMatch(/No OS keychain is running/);
    expect(describeKeychainError(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY'))).toMatch(/No D-Bus session/);
  });
});
