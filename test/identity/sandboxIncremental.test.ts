/**
 * The incremental rebuild through the real sync writers: days of sandbox events (an email
 * changed in VOMO only, user, contact and donor edits, new volunteers and donors, new gifts)
 * arrive by re-syncs, each followed by the post-sync rebuild, which re-reads only the records
 * the mirror triggers marked. The store must then be exactly what a rebuild from scratch gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src-main/sandbox/index';
import { forgetRebuildShortcuts } from '../../src-main/identity/rebuildPipeline';
import { makeEnv, type TestEnv } from '../sync/helpers';
import { storeSnapshot } from './fixtures';
import { loadJoinNodes, nodeFromFields } from '../../src-main/identity/nodes';

describe('incremental rebuilds after sandbox re-syncs', () => {
  let h: SandboxHandle;
  let env: TestEnv;
  beforeAll(async () => {
    h = await startSandbox({ people: 300, seed: 23, rateLimits: 'off', port: 0 });
    env = await makeEnv({ vomo: h.vomo.baseUrl, crm: h.crm.baseUrl, raise: h.raise.baseUrl }, { vomo: h.vomo.token, crm: h.crm.token, raise: h.raise.token }, { crm: { take: 200 }, raise: { take: 200 } });
  });
  afterAll(async () => {
    await env?.close();
    await h?.stop();
  });

  it('leave the store exactly as a rebuild from scratch does', async () => {
    const svc = env.core.identity; // registers the post-sync rebuild
    const db = env.core.db;
    const { profileId } = env;
    await env.sync.run(profileId);
    const marks = () => db.prepare(`SELECT COUNT(*) FROM identity_dirty WHERE profile_id = ?`).pluck().get(profileId) as number;
    expect(marks()).toBe(0);
    const records = db.prepare(`SELECT COUNT(*) FROM identity_nodes WHERE profile_id = ?`).pluck().get(profileId) as number;
    expect(records).toBeGreaterThan(300);

    let reread = 0;
    let joined = 0;
    for (let day = 1; day <= 3; day++) {
      h.clock.advance({ days: 1 });
      await env.sync.run(profileId);
      expect(marks()).toBe(0); // the post-sync rebuild consumed them
      const timings = JSON.parse(String(svc.lastRun(profileId)?.summary_json ?? '{}')).timings ?? {};
      reread += timings.recordsRead ?? 0;
      joined += timings.recordsJoined ?? 0;
    }
    // Each day's events touch a handful of records, not the store, and only the records they
    // can reach are joined again.
    expect(reread).toBeGreaterThan(0);
    expect(reread).toBeLessThan(records);
    expect(joined).toBeGreaterThanOrEqual(reread);
    expect(joined).toBeLessThan(records);
    const incremental = storeSnapshot(db, profileId);

    forgetRebuildShortcuts(db, profileId);
    const full = svc.rebuild(profileId);
    expect(full.timings?.recordsRead).toBe(full.links);
    expect(storeSnapshot(db, profileId)).toEqual(incremental);

    // The fields the node cache keeps read back as the records themselves (the snapshots above
    // showed them kept through the days exactly as a read of the mirrors gives them) ...
    const set = loadJoinNodes(db, profileId, true);
    for (let i = 0; i < set.nodes.length; i++) expect(nodeFromFields(set.nodes[i], set.fieldsText!(i))).toEqual(set.full!(i));
    // ... and a new field authority, which (nothing else having changed since the last rebuild)
    // picks the displayed values of the persons in two or more systems again from their rows
    // (displayRecompute.ts), leaves what a rebuild from the mirrors under that setting leaves ...
    const settings = svc.settings(profileId);
    const authority = { ...settings, fieldAuthority: { ...settings.fieldAuthority, first_name: 'crm' as const, email: 'crm' as const, phone: 'vomo' as const } };
    await svc.setSettings(profileId, authority);
    const persons = db.prepare(`SELECT COUNT(*) FROM persons WHERE profile_id = ?`).pluck().get(profileId) as number;
    const inSeveral = db.prepare(`SELECT COUNT(*) FROM persons WHERE profile_id = ? AND has_vomo + has_crm + has_raise > 1`).pluck().get(profileId) as number;
    expect(inSeveral).toBeGreaterThan(0);
    expect(inSeveral).toBeLessThan(persons);
    expect(JSON.parse(String(svc.lastRun(profileId)?.summary_json)).timings.personsWritten).toBe(inSeveral);
    const recomputed = storeSnapshot(db, profileId);
    forgetRebuildShortcuts(db, profileId);
    svc.rebuild(profileId);
    expect(storeSnapshot(db, profileId)).toEqual(recomputed);
    // ... also after a day of syncs has left the kept fields of the records it changed outdated ...
    h.clock.advance({ days: 1 });
    await env.sync.run(profileId);
    await svc.setSettings(profileId, settings);
    const back = storeSnapshot(db, profileId);
    forgetRebuildShortcuts(db, profileId);
    svc.rebuild(profileId);
    expect(storeSnapshot(db, profileId)).toEqual(back);
    // ... and for a phone region, which every person is computed with.
    await svc.setSettings(profileId, { ...settings, defaultPhoneRegion: 'CA' });
    expect(JSON.parse(String(svc.lastRun(profileId)?.summary_json)).timings.personsWritten).toBe(db.prepare(`SELECT COUNT(*) FROM persons WHERE profile_id = ?`).pluck().get(profileId));
    const again = storeSnapshot(db, profileId);
    forgetRebuildShortcuts(db, profileId);
    svc.rebuild(profileId);
    expect(storeSnapshot(db, profileId)).toEqual(again);
  });
});
