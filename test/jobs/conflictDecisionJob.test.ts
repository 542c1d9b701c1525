/**
 * A decision on many conflicts runs as a job in the job process: the core's thread keeps serving,
 * the job reports its steps, and cancelled mid-way it leaves every table as it was. A few
 * conflicts are decided where they are asked, with no job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempCore } from '../helpers/tempCore';
import { dumpAllTables, workerBundles } from '../helpers/bundles';
import { Mirrors } from '../identity/fixtures';
import { INLINE_DECISIONS } from '../../src-main/identity/identityService';
import type { JobInfo } from '../../src-shared/domain/jobs';

const PERSONS = 4 * INLINE_DECISIONS;

describe('a decision on many conflicts', () => {
  let core: ReturnType<typeof tempCore>;
  let profileId: number;
  const ok = async <T = any>(ch: string, input: unknown): Promise<T> => {
    const r = await core.invoke(ch, input);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
    return r.data as T;
  };
  const openPhones = () => core.db.prepare(`SELECT COUNT(*) FROM conflicts WHERE profile_id = ? AND field = 'phone' AND status = 'open'`).pluck().get(profileId) as number;
  const conflictJobs = async () => (await ok<JobInfo[]>('jobs.list', { profileId })).filter((j) => j.kind === 'conflicts');

  beforeAll(async () => {
    const { jobHost } = await workerBundles();
    core = tempCore({ jobWorker: { script: jobHost } });
    profileId = core.profiles.insert({ name: 'Org', vomoUrl: null, crmUrl: null, raiseUrl: null } as never).id;
    const m = new Mirrors(core.db, profileId);
    core.db.transaction(() => {
      for (let i = 0; i < PERSONS; i++) {
        const n = String(i).padStart(4, '0');
        m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: 'Pat', last: `Lee${n}`, phone: `+1 217 555 ${n}` });
        m.crmContact({ id: `c${i}`, individuals: [{ id: `i${i}`, first: 'Pat', last: `Lee${n}`, primary: true, emails: [`p${i}@x.example`], phones: [`+1 309 555 ${n}`] }] });
      }
    })();
    await ok('identity.rebuild', { profileId });
    expect(openPhones()).toBe(PERSONS);
  }, 180_000);

  afterAll(async () => {
    await core?.cleanup();
  });

  it('cancelled mid-way, changes nothing', async () => {
    const before = dumpAllTables(core.db);
    const asked = ok('conflicts.bulkResolve', { profileId, field: 'phone', action: 'resolve', choice: 'crm' });
    await new Promise<void>((resolve) => {
      const off = core.events.on('job.progress', (j) => {
        // Once every conflict's status and audit row is written, while its persons are.
        if (j.kind === 'conflicts' && j.state === 'running' && j.step === 'persons') {
          off();
          expect(core.jobs.cancelKind(profileId, 'conflicts')).toBe(1);
          resolve();
        }
      });
    });
    const err = await asked.then(
      () => null,
      (e: { code: string }) => e,
    );
    expect(err?.code).toBe('CANCELLED');
    expect(dumpAllTables(core.db)).toEqual(before);
    expect((await conflictJobs())[0]).toMatchObject({ state: 'cancelled', label: 'Deciding conflicts' });
  });

  it('runs in the job process, stepping through the conflicts and their persons, and the core answers meanwhile', async () => {
    const steps = new Set<string>();
    const off = core.events.on('job.progress', (j) => {
      if (j.kind === 'conflicts' && j.step) steps.add(j.step);
    });
    const asked = ok<{ updated: number }>('conflicts.bulkResolve', { profileId, field: 'phone', action: 'resolve', choice: 'crm' });
    // Served while the job runs: a page of the queue.
    const page = await ok<{ total: number }>('conflicts.list', { profileId, status: 'all', limit: 5 });
    expect(page.total).toBe(PERSONS);
    expect(await asked).toEqual({ updated: PERSONS });
    off();
    expect([...steps]).toEqual(expect.arrayContaining(['conflicts', 'persons', 'evaluate']));
    expect(openPhones()).toBe(0);
    const shown = core.db.prepare(`SELECT display_phone FROM persons WHERE profile_id = ? AND vomo_user_id = 'v7'`).pluck().get(profileId);
    expect(shown).toBe('+1 309 555 0007');
    expect((await conflictJobs())[0]).toMatchObject({ state: 'done' });
    expect(core.audit.list(profileId, { subjectType: 'person' }).filter((a) => a.action === 'conflict.resolve').length).toBeGreaterThanOrEqual(Math.min(PERSONS, 100));
  });

  it('a few conflicts are decided where they are asked, with no job', async () => {
    const jobs = (await conflictJobs()).length;
    const ids = core.db.prepare(`SELECT id FROM conflicts WHERE profile_id = ? AND field = 'phone' LIMIT 3`).pluck().all(profileId) as number[];
    expect(await ok('conflicts.reopen', { profileId, ids })).toEqual({ updated: 3 });
    expect(await conflictJobs()).toHaveLength(jobs);
    expect(openPhones()).toBe(3);
  });
});
