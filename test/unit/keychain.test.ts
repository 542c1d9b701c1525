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

  it("keeps each data folder's tokens apart, though both folders number their first profile 1", async () => {
    const cores = [tempDir(), tempDir()].map((d) => ({ dir: d, core: createCore({ dataDir: d, secrets: new KeychainSecretStore(), storeKey: testStoreKey() }) }));
    try {
      const ids: number[] = [];
      for (const [i, c] of cores.entries()) {
        const p = await c.core.invoke('profiles.add', { name: `Org ${i}`, vomoUrl: 'https://v.example', crmUrl: 'https://c.example' });
        if (!p.ok) throw new Error(p.error.message);
        ids.push((p.data as { id: number }).id);
      }
      expect(ids).toEqual([1, 1]);
      await cores[0].core.invoke('secrets.set', { profileId: 1, api: 'vomo', token: `${token}_a` });
      expect(await cores[1].core.invoke('secrets.has', { profileId: 1, api: 'vomo' })).toEqual({ ok: true, data: { present: false } });
      await cores[1].core.invoke('secrets.set', { profileId: 1, api: 'vomo', token: `${token}_b` });
      expect(await cores[0].core.secrets.get(1, 'vomo')).toBe(`${token}_a`);
      expect(await cores[1].core.secrets.get(1, 'vomo')).toBe(`${token}_b`);
      await cores[0].core.invoke('secrets.delete', { profileId: 1, api: 'vomo' });
      expect(await cores[0].core.secrets.get(1, 'vomo')).toBeNull();
      expect(await cores[1].core.secrets.get(1, 'vomo')).toBe(`${token}_b`);
    } finally {
      for (const c of cores) {
        await c.core.invoke('secrets.delete', { profileId: 1, api: 'vomo' });
        await c.core.close();
        fs.rmSync(c.dir, { recursive: true, force: true });
      }
    }
  });

  it('moves a token saved before tokens were kept per store to the first store that asks for it', async () => {
    // The entry as an earlier version wrote it: named by the profile's number alone.
    const unscoped = new KeychainSecretStore();
    const legacy = `${token}_legacy`;
    await unscoped.set(profileId, 'raise', legacy);
    try {
      expect(await core.invoke('secrets.has', { profileId, api: 'raise' })).toEqual({ ok: true, data: { present: true } });
      expect(await core.secrets.get(profileId, 'raise')).toBe(legacy);
      expect(await unscoped.get(profileId, 'raise')).toBeNull(); // no longer under the shared name
      const other = tempDir();
      const second = createCore({ dataDir: other, secrets: new KeychainSecretStore(), storeKey: testStoreKey() });
      try {
        expect(await second.secrets.get(profileId, 'raise')).toBeNull(); // another folder does not get it
      } finally {
        await second.close();
        fs.rmSync(other, { recursive: true, force: true });
      }
      expect(await core.secrets.get(profileId, 'raise')).toBe(legacy);
    } finally {
      await core.invoke('secrets.delete', { profileId, api: 'raise' });
      await unscoped.delete(profileId, 'raise');
    }
    expect(await core.secrets.get(profileId, 'raise')).toBeNull();
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
