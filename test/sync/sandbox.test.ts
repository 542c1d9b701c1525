/**
 * The sync engine against the sandbox on loopback (src-main/sandbox): the manifest is the ground
 * truth. Full sync, incremental after a clock advance, flaky faults, a wrong CRM+ token,
 * malformed records, and a sync killed with SIGKILL mid-page then re-run.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src-main/sandbox/index';
import { buildSyncChild } from './child/build';
import { FAST, dumpMirrors, makeEnv, type TestEnv } from './helpers';

const PEOPLE = 400;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function sandbox(opts: Parameters<typeof startSandbox>[0] = {}): Promise<SandboxHandle> {
  const h = await startSandbox({ people: PEOPLE, seed: 7, rateLimits: 'off', port: 0, ...opts });
  cleanup.push(() => h.stop());
  return h;
}

async function envFor(h: SandboxHandle, tokens: Partial<Record<'vomo' | 'crm' | 'raise', string>> = {}, dir?: string): Promise<TestEnv> {
  const env = await makeEnv(
    { vomo: h.vomo.baseUrl, crm: h.crm.baseUrl, raise: h.raise.baseUrl },
    { vomo: h.vomo.token, crm: h.crm.token, raise: h.raise.token, ...tokens },
    { crm: { take: 100 }, raise: { take: 100 } },
    dir,
  );
  cleanup.push(() => env.close());
  return env;
}

function live(env: TestEnv, table: string): number {
  return env.core.db.prepare(`SELECT count(*) FROM ${table} WHERE profile_id = ? AND gone_at IS NULL`).pluck().get(env.profileId) as number;
}

function ids(env: TestEnv, table: string): string[] {
  return (env.core.db.prepare(`SELECT id FROM ${table} WHERE profile_id = ? AND gone_at IS NULL`).pluck().all(env.profileId) as string[]).sort();
}

/** Participations the sandbox serves (non-deleted, identifiable users). */
function truthParticipations(h: SandboxHandle): number {
  const w = h.core.world;
  let n = 0;
  for (const i of w.allIndexes()) {
    const v = w.plan(i).vomo;
    if (v && !v.deleted && !v.malformed) n += v.participations.length;
  }
  return n;
}

function expectMatchesManifest(env: TestEnv, h: SandboxHandle): void {
  const m = h.manifest();
  const rc = m.recordCounts;
  expect(live(env, 'vomo_users')).toBe(rc.vomo.users - rc.vomo.malformedUsers);
  expect(live(env, 'crm_contacts')).toBe(rc.crm.contacts - rc.crm.malformedContacts);
  expect(live(env, 'crm_gifts')).toBe(rc.crm.gifts);
  expect(live(env, 'raise_donors')).toBe(rc.raise.donors);
  expect(live(env, 'raise_gifts')).toBe(rc.raise.gifts);
  expect(live(env, 'raise_recurring_gifts')).toBe(rc.raise.recurringGifts);
  expect(live(env, 'raise_campaigns')).toBe(rc.raise.campaigns);
  const parts = env.core.db
    .prepare(`SELECT count(*) FROM vomo_participations p JOIN vomo_users u ON u.profile_id = p.profile_id AND u.id = p.user_id WHERE p.profile_id = ? AND u.gone_at IS NULL`)
    .pluck()
    .get(env.profileId);
  expect(parts).toBe(truthParticipations(h));
  if (m.persons) {
    const vomoIds = [...new Set(m.persons.flatMap((p) => p.vomoUserIds.map(String)))].sort();
    expect(ids(env, 'vomo_users')).toEqual(vomoIds);
    const donorIds = [...new Set(m.persons.flatMap((p) => p.raiseDonorIds.map(String)))].sort();
    expect(ids(env, 'raise_donors')).toEqual(donorIds);
  }
}

describe('sync against the sandbox', () => {
  it('a full sync mirrors exactly the manifest records; malformed ones land in quarantine', async () => {
    const h = await sandbox();
    const env = await envFor(h);
    const run = await env.sync.run(env.profileId);
    expect(run.status).toBe('ok');
    expectMatchesManifest(env, h);
    const m = h.manifest();
    const q = env.sync.quarantine(env.profileId, { limit: 100 });
    expect(q.total).toBe(m.malformed.length);
    for (const bad of m.malformed as { api: string; resource: string; id: number; kind: string }[]) {
      const hit = q.items.find((i) => i.api === bad.api && i.resource === bad.resource && (i.sourceId === String(bad.id) || (bad.kind === 'id_null' && i.sourceId === null)));
      expect(hit, `${bad.api}/${bad.resource}/${bad.id} quarantined`).toBeTruthy();
      expect(hit!.reason.length).toBeGreaterThan(5);
    }
    // Quirks were read, not quarantined.
    for (const qk of m.quirks as { api: string; resource: string; id: number; field: string }[]) {
      if (qk.api === 'vomo' && qk.field === 'email') {
        expect(env.core.db.prepare('SELECT email_norm FROM vomo_users WHERE id = ?').pluck().get(String(qk.id))).toMatch(/@/);
      }
      if (qk.api === 'crm' && qk.field === 'firstName') {
        const c = env.core.db.prepare('SELECT first_name FROM crm_individuals WHERE id = ?').pluck().get(String((qk as unknown as { individualId: number }).individualId));
        expect(c).toBeTruthy();
      }
    }
    const crm = run.collectors.find((c) => c.api === 'crm')!;
    expect(crm.entities.contacts.new).toBe(m.recordCounts.crm.contacts - m.recordCounts.crm.malformedContacts);
    expect(crm.entities.contacts.quarantined).toBe(m.recordCounts.crm.malformedContacts);
  });

  it('an incremental sync after a clock advance picks up exactly the changes', async () => {
    const h = await sandbox();
    const env = await envFor(h);
    await env.sync.run(env.profileId);
    const full = await env.sync.estimate(env.profileId, { full: true });
    const adv = (await fetch(`${h.admin}/advance`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ days: 3 }) }).then((r) => r.json())) as { changes?: unknown };
    expect(adv.changes).toBeTruthy();
    const est = await env.sync.estimate(env.profileId);
    const run = await env.sync.run(env.profileId);
    expect(run.status).toBe('ok');
    expectMatchesManifest(env, h);
    // The same store as a from-scratch sync of the advanced sandbox.
    const fresh = await envFor(h);
    await fresh.sync.run(fresh.profileId);
    expect(dumpMirrors(env.core, env.profileId)).toEqual(dumpMirrors(fresh.core, fresh.profileId));
    // And far cheaper than a full one.
    const fullCalls = full.apis.reduce((s, a) => s + (a.calls ?? 0), 0);
    const incCalls = est.apis.reduce((s, a) => s + (a.calls ?? 0), 0);
    expect(incCalls).toBeLessThan(fullCalls / 2);
    const changed = run.collectors.reduce((s, c) => s + c.new + c.updated, 0);
    expect(changed).toBeGreaterThan(0);
  });

  it('a sync under --faults flaky ends with the same store as a clean one', async () => {
    const clean = await sandbox();
    const flaky = await sandbox({ faults: 'flaky' });
    const a = await envFor(clean);
    const b = await envFor(flaky);
    const ra = await a.sync.run(a.profileId);
    const rb = await b.sync.run(b.profileId);
    expect(ra.status).toBe('ok');
    expect(rb.status, JSON.stringify(rb.collectors.map((c) => c.error))).toBe('ok');
    // Two sandboxes differ only in their ports (Raise's crmKeyUrls point at its CRM+).
    const norm = (d: unknown) => JSON.parse(JSON.stringify(d).replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT'));
    expect(norm(dumpMirrors(b.core, b.profileId))).toEqual(norm(dumpMirrors(a.core, a.profileId)));
  });

  it('a wrong CRM+ token fails CRM+ alone while VOMO and Raise complete', async () => {
    const h = await sandbox();
    const env = await envFor(h, { crm: 'sbx_not-the-right-token' });
    const run = await env.sync.run(env.profileId);
    expect(run.status).toBe('partial');
    const byApi = Object.fromEntries(run.collectors.map((c) => [c.api, c]));
    expect(byApi.crm!.status).toBe('failed');
    expect(byApi.crm!.errorCode).toBe('UNAUTHENTICATED');
    expect(byApi.crm!.error).toMatch(/^CRM\+ rejected the token: replace it in Settings → Connections/);
    expect(byApi.vomo!.status).toBe('ok');
    expect(byApi.raise!.status).toBe('ok');
    expect(live(env, 'crm_contacts')).toBe(0);
    expect(live(env, 'vomo_users')).toBeGreaterThan(0);
  });
});

describe('kill -9', () => {
  let child: ReturnType<typeof spawn> | null = null;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('a sync killed mid-page and re-run ends identical to an uninterrupted one', async () => {
    const script = await buildSyncChild();
    // Slow enough that the kill lands in the middle of the walk: VOMO throttled, small CRM+ pages.
    const h = await sandbox({ rateLimits: 'off' });
    const killedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-kill-'));
    const setup = await envFor(h, {}, killedDir);
    const profileId = setup.profileId;
    await setup.close();
    cleanup.pop();
    const tuning = { ...FAST, vomo: { requestsPerSecond: 40, detailBatch: 10 }, crm: { take: 25, overlap: 5 }, raise: { take: 25, requestsPerSecond: 40 } };
    const env = { ...process.env, TWOFOLD_VOMO_TOKEN: h.vomo.token, TWOFOLD_CRM_TOKEN: h.crm.token, TWOFOLD_RAISE_TOKEN: h.raise.token };
    const runChild = (killAfterPages: number | null) =>
      new Promise<{ code: number | null; signal: string | null; lines: string[] }>((resolve, reject) => {
        child = spawn(process.execPath, [script, killedDir, String(profileId), JSON.stringify({ tuning })], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        const lines: string[] = [];
        let buf = '';
        let err = '';
        const pages: Record<string, number> = {};
        child.stdout!.on('data', (c) => {
          buf += String(c);
          let at;
          while ((at = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, at);
            buf = buf.slice(at + 1);
            lines.push(line);
            try {
              const p = JSON.parse(line);
              if (p.api) pages[p.api] = p.pages;
            } catch {
              /* not JSON */
            }
            const total = Object.values(pages).reduce((s, n) => s + n, 0);
            if (killAfterPages !== null && total >= killAfterPages && child!.exitCode === null) child!.kill('SIGKILL');
          }
        });
        child.stderr!.on('data', (c) => (err += String(c)));
        child.on('error', reject);
        child.on('exit', (code, signal) => (code === 2 ? reject(new Error(err)) : resolve({ code, signal, lines })));
      });
    // Kill it several times at different depths, then let it finish.
    for (const at of [3, 9, 20]) {
      const r = await runChild(at);
      expect(r.signal).toBe('SIGKILL');
    }
    const last = await runChild(null);
    expect(last.code).toBe(0);
    expect(last.lines.at(-1)).toMatch(/"done":"ok"/);
    // Reference: an uninterrupted sync of the same sandbox.
    const ref = await envFor(h);
    await ref.sync.run(ref.profileId);
    const resumed = await envFor(h, {}, killedDir);
    expect(dumpMirrors(resumed.core, resumed.profileId)).toEqual(dumpMirrors(ref.core, ref.profileId));
    expectMatchesManifest(resumed, h);
    // The interrupted runs are recorded as such, not left "running".
    const runs = resumed.sync.runs(resumed.profileId, 10);
    expect(runs.filter((r) => r.status === 'running')).toEqual([]);
    expect(runs.filter((r) => r.status === 'failed').length).toBeGreaterThanOrEqual(3);
  });
});
