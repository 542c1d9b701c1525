/**
 * Reconciliation against the sandbox: its manifest is the ground truth (computed from the data
 * as served), the connectors and the sync engine fill the store, the sandbox clock is the
 * reference time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempCore } from '../helpers/tempCore';
import { startSandbox, type Manifest, type SandboxHandle } from '../../src-main/sandbox/index';
import type { Finding, ReportPage, RunInfo } from '../../src-shared/domain/reconcile';

type Recon = Manifest['reconciliation'];
const ids = (list: { [k: string]: unknown }[], key: string) => list.map((x) => String(x[key])).sort();

describe('reconciliation on the sandbox', () => {
  let sb: SandboxHandle;
  let core: ReturnType<typeof tempCore>;
  let profileId: number;

  async function admin<T = unknown>(path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${sb.admin}/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
  const manifest = () => admin<Manifest>('manifest');
  const sync = async (full = false) => {
    const run = await core.sync.run(profileId, { full });
    expect(run.status).toMatch(/ok|partial/);
  };
  async function report(run: RunInfo, change: 'all' | 'new' | 'changed' | 'fixed' = 'all'): Promise<ReportPage> {
    const out: Finding[] = [];
    let page: ReportPage | null = null;
    for (let offset = 0; ; offset += 1000) {
      const env = await core.invoke('reconcile.report', { runId: run.id, change, offset, limit: 1000 });
      if (!env.ok) throw new Error(env.error.message);
      page = env.data as ReportPage;
      out.push(...page.findings);
      if (page.findings.length < 1000) break;
    }
    return { ...page!, findings: out };
  }
  const of = (p: ReportPage, kind: Finding['kind']) => p.findings.filter((f) => f.kind === kind);
  const reconcile = async (lagHours: number) => core.reconcile.run({ profileId, asOf: sb.clock.now().toISOString(), lagHours });

  beforeAll(async () => {
    sb = await startSandbox({ people: 150, seed: 11, rateLimits: 'off' });
    core = tempCore();
    profileId = core.profiles.insert({ name: 'Gotham', vomoUrl: sb.vomo.baseUrl, crmUrl: sb.crm.baseUrl, raiseUrl: sb.raise.baseUrl }).id;
    await core.secrets.set(profileId, 'vomo', sb.vomo.token);
    await core.secrets.set(profileId, 'crm', sb.crm.token);
    await core.secrets.set(profileId, 'raise', sb.raise.token);
    core.sync.configure({ vomo: { requestsPerSecond: 0 }, raise: { requestsPerSecond: 0 } });
    await sync(true);
  });
  afterAll(async () => {
    await core?.cleanup();
    await sb?.stop();
  });

  let first: RunInfo;
  let insideLag: Recon['raiseGiftsInsideLagWindow'];

  it('after a sync finds exactly the missing gifts and held-back donors, and no gift inside the lag window as missing', async () => {
    const m = await manifest();
    const r = m.reconciliation;
    insideLag = r.raiseGiftsInsideLagWindow;
    expect(r.raiseGiftsMissingInCrm.length).toBeGreaterThan(0);
    expect(r.donorsHeldBackByCanSyncFalse.list!.length).toBeGreaterThan(0);
    expect(insideLag.length).toBeGreaterThan(0);

    first = await reconcile(m.syncLagHours);
    expect(first.settings.asOfSource).toBe('input');
    const page = await report(first);
    const missing = of(page, 'gift_missing_in_crm');
    expect(missing.map((f) => f.sourceId).sort()).toEqual(ids(r.raiseGiftsMissingInCrm, 'raiseGiftId'));
    expect(of(page, 'donor_held_back').map((f) => f.sourceId).sort()).toEqual(r.donorsHeldBackByCanSyncFalse.list!.map(String).sort());
    expect(of(page, 'gift_not_yet_synced').map((f) => f.sourceId).sort()).toEqual(ids(insideLag, 'raiseGiftId'));
    const insideIds = new Set(ids(insideLag, 'raiseGiftId'));
    expect(missing.filter((f) => insideIds.has(f.sourceId))).toEqual([]);
    expect(of(page, 'crm_gift_without_raise').map((f) => f.sourceId).sort()).toEqual(ids(r.crmGiftsClaimingRaiseWithoutRaiseGift, 'crmGiftId'));
    expect(of(page, 'gift_held_back').length).toBe(r.heldBackByCanSyncFalse);
    expect(first.summary!.campaignsSyncOff.reduce((a, c) => a + c.gifts, 0)).toBe(r.heldBackByCanSyncFalse);
    expect(first.summary!.raise.giftsMatched).toBe(r.syncedToCrm);
    // The default 24 h window agrees here: the sandbox's late gifts are minutes old, its failures days.
    const byDefault = await report(await core.reconcile.run({ profileId, asOf: sb.clock.now().toISOString(), checkApis: false, sweep: false }));
    expect(of(byDefault, 'gift_missing_in_crm').map((f) => f.sourceId).sort()).toEqual(ids(r.raiseGiftsMissingInCrm, 'raiseGiftId'));
    expect(of(byDefault, 'gift_not_yet_synced').map((f) => f.sourceId).sort()).toEqual(ids(insideLag, 'raiseGiftId'));
    // Nothing drifted: the store was just synced.
    expect(of(page, 'store_missing').length + of(page, 'store_stale').length).toBe(0);
    // Drill-down: missing gifts of known donors lead to a person.
    expect(missing.some((f) => f.personId)).toBe(true);
    // The observed lag is the sandbox's own (CRM+ keeps 0-7 digits of the time: within a second).
    expect(first.summary!.lag.count).toBeGreaterThan(0);
    expect(Math.abs(first.summary!.lag.medianSeconds! - m.syncLagHours * 3600)).toBeLessThan(1);
  });

  it('after the sandbox Raise sync and a re-sync, the gifts inside the window leave the report and the diff says so', async () => {
    const m0 = await manifest();
    await admin('advance', { hours: m0.syncLagHours + 1 });
    await admin('raise-sync', {});
    await sync();
    const m = await manifest();
    const second = await reconcile(m.syncLagHours);
    expect(second.previousRunId).toBeGreaterThanOrEqual(first.id);
    const page = await report(second);
    const stillPending = new Set(of(page, 'gift_not_yet_synced').map((f) => f.sourceId));
    for (const g of insideLag) expect(stillPending.has(String(g.raiseGiftId))).toBe(false);

    const fixed = await report(second, 'fixed');
    const fixedIds = new Set(fixed.findings.filter((f) => f.kind === 'gift_not_yet_synced').map((f) => f.sourceId));
    for (const g of insideLag) {
      if (g.willFail) {
        // A gift whose sync fails is now overdue: the same subject, now "missing" (changed).
        const f = page.findings.find((x) => x.subject === `raise_gift:${g.raiseGiftId}`)!;
        expect([f.kind, f.change]).toEqual(['gift_missing_in_crm', 'changed']);
      } else expect(fixedIds.has(String(g.raiseGiftId))).toBe(true);
    }
    expect(page.diff.fixed).toBeGreaterThanOrEqual(insideLag.filter((g) => !g.willFail).length);
    expect(page.diff.byGroup.not_yet_synced!.fixed).toBeGreaterThan(0);
    // And still exactly the manifest's missing gifts.
    expect(of(page, 'gift_missing_in_crm').map((f) => f.sourceId).sort()).toEqual(ids(m.reconciliation.raiseGiftsMissingInCrm, 'raiseGiftId'));
  });

  it('a record deleted from the local store by hand is found missing and restored by the targeted re-sync', async () => {
    const since = new Date(sb.clock.nowMs() - 86_400_000).toISOString();
    const victim = core.db
      .prepare('SELECT id, raw_json FROM raise_gifts WHERE profile_id = ? AND modified_at >= ? AND gone_at IS NULL ORDER BY modified_at DESC LIMIT 1')
      .get(profileId, since) as { id: string; raw_json: string };
    expect(victim).toBeDefined();
    const others = core.db.prepare('SELECT count(*) FROM raise_gifts WHERE profile_id = ?').pluck().get(profileId) as number;
    core.db.prepare('DELETE FROM raise_gifts WHERE profile_id = ? AND id = ?').run(profileId, victim.id);

    const run = await reconcile((await manifest()).syncLagHours);
    const page = await report(run);
    const drift = page.findings.filter((f) => f.kind === 'store_missing' || f.kind === 'store_stale');
    expect(drift.map((f) => [f.kind, f.api, f.resource, f.sourceId, f.detail.resynced])).toEqual([['store_missing', 'raise', 'gifts', victim.id, true]]);
    const back = core.db.prepare('SELECT raw_json FROM raise_gifts WHERE profile_id = ? AND id = ?').get(profileId, victim.id) as { raw_json: string } | undefined;
    expect(back?.raw_json).toBe(victim.raw_json);
    expect(core.db.prepare('SELECT count(*) FROM raise_gifts WHERE profile_id = ?').pluck().get(profileId)).toBe(others);
    expect(run.summary!.apiChecks.find((c) => c.api === 'raise' && c.resource === 'gifts')).toMatchObject({ status: 'ok', missing: 1, stale: 0, resynced: 1 });
  });

  it('the IDs-only sweep marks a gift refunded at the source as gone, and its CRM+ gift is then without a Raise gift', async () => {
    const m = await manifest();
    const synced = core.db
      .prepare(`SELECT g.id, cg.id AS crm_id FROM raise_gifts g JOIN crm_gifts cg ON cg.profile_id = g.profile_id AND cg.transaction_source = 'Raise' AND cg.transaction_id = g.id WHERE g.profile_id = ? AND g.gone_at IS NULL LIMIT 1`)
      .get(profileId) as { id: string; crm_id: string };
    await admin('delete', { api: 'raise', resource: 'gifts', id: Number(synced.id) });
    const run = await reconcile(m.syncLagHours);
    expect(run.summary!.sweeps.find((s) => s.api === 'raise' && s.resource === 'gifts')).toMatchObject({ status: 'ok', markedGone: 1 });
    const row = core.db.prepare('SELECT gone_at FROM raise_gifts WHERE profile_id = ? AND id = ?').get(profileId, synced.id) as { gone_at: string | null };
    expect(row.gone_at).not.toBeNull();
    const page = await report(run);
    const gone = page.findings.find((f) => f.subject === `gone:raise_gifts:${synced.id}`);
    expect(gone).toMatchObject({ kind: 'gone_at_source', change: 'new' });
    expect(page.findings.find((f) => f.subject === `crm_gift:${synced.crm_id}`)).toMatchObject({ kind: 'crm_gift_without_raise', change: 'new' });
    const after = (await manifest()).reconciliation;
    expect(of(page, 'crm_gift_without_raise').map((f) => f.sourceId).sort()).toEqual(ids(after.crmGiftsClaimingRaiseWithoutRaiseGift, 'crmGiftId'));
  });
});
