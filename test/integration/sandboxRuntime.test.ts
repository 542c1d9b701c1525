import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/secrets/memoryStore';
import { tempDir } from '../helpers/tempCore';

describe('the embedded sandbox ("Explore with sandbox data")', () => {
  const dir = tempDir();
  const secrets = new MemorySecretStore();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates a Sandbox profile whose tokens are stored like any others, and comes back where it was after a restart', async () => {
    const core = createCore({ dataDir: dir, secrets });
    const started = await core.invoke('sandbox.start', { people: 150, sync: false });
    expect(started.ok).toBe(true);
    const profileId = (started as { data: { profileId: number } }).data.profileId;
    const profile = core.profiles.get(profileId)!;
    expect(profile.is_sandbox).toBe(1);
    expect(profile.vomo_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(profile.crm_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const api of ['vomo', 'crm', 'raise'] as const) expect(await secrets.get(profileId, api)).toBeTruthy();

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
    const core2 = createCore({ dataDir: dir, secrets });
    await core2.invoke('sandbox.admin', { profileId, action: 'nightly-batch' });
    const restored = (await core2.invoke('sandbox.status', { profileId })) as { ok: true; data: { running: boolean; clock: string } };
    expect(restored.data.running).toBe(true);
    expect(restored.data.clock).toBe(after.data.clock);
    await core2.close();
  });

  it('refuses sandbox actions on a real profile', async () => {
    const core = createCore({ dataDir: tempDir(), secrets: new MemorySecretStore() });
    const p = await core.invoke('profiles.add', { name: 'Real', vomoUrl: 'https://v.example', crmUrl: 'https://c.example' });
    const id = (p as { data: { id: number } }).data.id;
    expect(await core.invoke('sandbox.admin', { profileId: id, action: 'advance', days: 1 })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    await core.close();
  });
});
