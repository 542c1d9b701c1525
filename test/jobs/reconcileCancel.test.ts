/**
 * A reconciliation run in the worker is one transaction across its API calls: cancelled mid-way
 * (while it re-reads and lists the APIs), it leaves every table exactly as before — no run row, no
 * re-synced record, no deletion mark.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempCore } from '../helpers/tempCore';
import { dumpAllTables, workerBundles } from '../helpers/bundles';
import { startSandbox, type SandboxHandle } from '../../src-main/sandbox/index';
import { AppError } from '../../src-shared/errors';

describe('a reconciliation cancelled mid-way', () => {
  let sb: SandboxHandle;
  let core: ReturnType<typeof tempCore>;
  let profileId: number;

  beforeAll(async () => {
    const { jobHost } = await workerBundles();
    sb = await startSandbox({ people: 150, seed: 5, rateLimits: 'off' });
    core = tempCore({ jobWorker: { script: jobHost } });
    profileId = core.profiles.insert({ name: 'Metropolis', vomoUrl: sb.vomo.baseUrl, crmUrl: sb.crm.baseUrl, raiseUrl: sb.raise.baseUrl }).id;
    for (const api of ['vomo', 'crm', 'raise'] as const) await core.secrets.set(profileId, api, sb[api].token);
    core.sync.configure({ vomo: { requestsPerSecond: 0 }, raise: { requestsPerSecond: 0 } });
    const run = await core.sync.run(profileId, { full: true });
    expect(run.status).toMatch(/ok|partial/);
    // Changes at the source, so the run has records to re-sync and ids to mark gone.
    await fetch(`${sb.admin}/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ days: 3 }) });
  }, 180_000);

  afterAll(async () => {
    await core?.cleanup();
    await sb?.stop();
  });

  it('leaves every table as it was, and the next run completes', async () => {
    const before = dumpAllTables(core.db);
    const asOf = sb.clock.now().toISOString();
    const running = core.reconcile.run({ profileId, asOf, since: '2000-01-01' });
    // The reconciliation reads the APIs at their real pace (3 VOMO calls a second): cancel once it is at it.
    await new Promise<void>((resolve) => {
      const off = core.events.on('job.progress', (j) => {
        if (j.kind === 'reconcile' && (j.step === 'store-vs-api' || j.step === 'sweep') && j.done >= 1) {
          off();
          resolve();
        }
      });
    });
    expect(core.jobs.cancelKind(profileId, 'reconcile')).toBe(1);
    const err = await running.then(
      () => null,
      (e: AppError) => e,
    );
    expect(err?.code).toBe('CANCELLED');
    expect(dumpAllTables(core.db)).toEqual(before);
    expect(core.reconcile.runs.list(profileId, 10)).toEqual([]);

    core.sync.configure({ http: { retries: 1 } });
    const done = await core.reconcile.run({ profileId, asOf, since: '2000-01-01', checkApis: false, sweep: false });
    expect(done.status).toBe('ok');
  });
});
