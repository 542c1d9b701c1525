import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/secrets/memoryStore';
import { tempDir, testStoreKey } from '../helpers/tempCore';
import { profileNow } from '../../src-main/sandboxRuntime/clock';

describe('the embedded sandbox ("Explore with sandbox data")', () => {
  const dir = tempDir();
  const secrets = new MemorySecretStore();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates a Sandbox profile whose tokens every process derives from its seed, and comes back where it was after a restart', async () => {
    const core = createCore({ dataDir: dir, secrets, storeKey: testStoreKey() });
    const started = await core.invoke('sandbox.start', { people: 150, sync: false });
    expect(started.ok).toBe(true);
    const profileId = (started as { data: { profileId: number } }).data.profileId;
    const profile = core.profiles.get(profileId)!;
    expect(profile.is_sandbox).toBe(1);
    expect(profile.vomo_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(profile.crm_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // Sandbox tokens are derived, not stored: the keychain holds none, the core answers them.
    for (const api of ['vomo', 'crm', 'raise'] as const) {
      expect(await secrets.get(profileId, api)).toBeNull();
      expect(await core.secrets.get(profileId, api)).toBeTruthy();
    }

    const before = await core.invoke('sandbox.status', { profileId });
    const advanced = await core.invoke('sandbox.admin', { profileId, action: 'advance', days: 2 });
    expect(advanced.ok).toBe(true);
    const after = (await core.invoke('sandbox.status', { profileId })) as { ok: true; data: { clock: string } };
    const beforeClock = (before as { ok: true; data: { clock: string } }).data.clock;
    expect(Date.parse(after.data.clock) - Date.parse(beforeClock)).toBe(2 * 86_400_000);
    // A second start reuses the profile rather than making another.
    const again = await core.invoke('sandbox.start', { sync: false });
    expect((again as { data: { profileId: number } }).data.profileId).toBe(profileId);
    await core.close();

    // A new process: the servers start again on new ports, replaying what happened.
    const core2 = createCore({ dataDir: dir, secrets, storeKey: testStoreKey() });
    await core2.invoke('sandbox.admin', { profileId, action: 'nightly-batch' });
    const restored = (await core2.invoke('sandbox.status', { profileId })) as { ok: true; data: { running: boolean; clock: string } };
    expect(restored.data.running).toBe(true);
    expect(restored.data.clock).toBe(after.data.clock);
    await core2.close();
  });

  it('has one owner: a second process uses the running servers, never rewrites them, and takes over when they are gone', async () => {
    const dataDir = tempDir();
    const app = createCore({ dataDir, secrets: new MemorySecretStore(), shell: 'web', storeKey: testStoreKey() });
    const started = (await app.invoke('sandbox.start', { people: 150, sync: false })) as { ok: true; data: { profileId: number } };
    const profileId = started.data.profileId;
    await app.invoke('sandbox.admin', { profileId, action: 'advance', days: 3 });
    const urls = app.profiles.get(profileId)!;
    const appState = (await app.invoke('sandbox.status', { profileId })) as { ok: true; data: { clock: string; owner: string } };
    expect(appState.data.owner).toBe('this-process');

    // A CLI run on the same data folder: it uses the app's servers and its clock.
    const cli = createCore({ dataDir, secrets: new MemorySecretStore(), shell: 'cli', storeKey: testStoreKey() });
    const ensured = (await cli.invoke('sandbox.ensure', { profileId })) as { ok: true; data: { owner: string; ownerShell: string; clock: string; urls: { crm: string } } };
    expect(ensured.data).toMatchObject({ owner: 'another-process', ownerShell: 'web', clock: appState.data.clock });
    expect(ensured.data.urls.crm).toBe(urls.crm_url);
    expect(cli.profiles.get(profileId)!.crm_url).toBe(urls.crm_url);
    expect((await profileNow(cli.clock, profileId)).at.toISOString()).toBe(appState.data.clock);
    expect(await cli.secrets.get(profileId, 'crm')).toBe(await app.secrets.get(profileId, 'crm'));
    await cli.close();
    // The CLI's exit leaves the app's servers and addresses alone.
    expect(app.profiles.get(profileId)!.crm_url).toBe(urls.crm_url);
    const res = await fetch(`${urls.crm_url}/__sandbox/state`);
    expect(res.ok).toBe(true);
    await app.close();

    // Nobody serves it now: the saved clock still answers, and the next user starts servers of its own.
    const later = createCore({ dataDir, secrets: new MemorySecretStore(), shell: 'cli', storeKey: testStoreKey() });
    const idle = (await later.invoke('sandbox.status', { profileId })) as { ok: true; data: { running: boolean; clock: string } };
    expect(idle.data).toMatchObject({ running: false, clock: appState.data.clock });
    const own = (await later.invoke('sandbox.ensure', { profileId })) as { ok: true; data: { owner: string; clock: string } };
    expect(own.data).toMatchObject({ owner: 'this-process', clock: appState.data.clock });
    expect(later.profiles.get(profileId)!.crm_url).not.toBe(urls.crm_url);
    await later.close();
  });

  it('refuses sandbox actions on a real profile', async () => {
    const core = createCore({ dataDir: tempDir(), secrets: new MemorySecretStore(), storeKey: testStoreKey() });
    const p = await core.invoke('profiles.add', { name: 'Real', vomoUrl: 'https://v.example', crmUrl: 'https://c.example' });
    const id = (p as { data: { id: number } }).data.id;
    expect(await core.invoke('sandbox.admin', { profileId: id, action: 'advance', days: 1 })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    await core.close();
  });
});
