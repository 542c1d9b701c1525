/**
 * Long jobs in the worker thread: progress, cancel and failure, against a store big enough that a
 * rebuild from scratch takes seconds. A cancelled job leaves every table's rows as they were.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../helpers/waits';
import { tempCore } from '../helpers/tempCore';
import { dumpAllTables, workerBundles } from '../helpers/bundles';
import { generate } from '../../bench/identityData';
import { AppError } from '../../src-shared/errors';
import type { JobInfo } from '../../src-shared/domain/jobs';
import type { PersonDetail } from '../../src-shared/domain/identity';

const N = 40_000;
let core: ReturnType<typeof tempCore>;

function nextProgress(kind: JobInfo['kind'], test: (j: JobInfo) => boolean): Promise<JobInfo> {
  return new Promise((resolve) => {
    const off = core.events.on('job.progress', (j) => {
      if (j.kind === kind && test(j)) {
        off();
        resolve(j);
      }
    });
  });
}

beforeAll(async () => {
  const { jobHost } = await workerBundles();
  core = tempCore({ jobWorker: { script: jobHost, hardStopMs: 100 } });
  core.db.transaction(() => generate(core.db, N))();
  // The first build, as after a first sync; its measures too.
  await core.jobs.run('rebuild', { profileId: 1, kind: 'rebuild' }, { profileId: 1 });
  await core.jobs.run('measures', { profileId: 1, asOf: '2026-01-10' }, { profileId: 1 });
}, 300_000);

afterAll(async () => {
  await core?.cleanup();
});

describe('jobs in the worker', () => {
  it('a rebuild reports its steps and ends with what an inline rebuild gives', async () => {
    const steps: string[] = [];
    const off = core.events.on('job.progress', (j) => {
      if (j.kind === 'rebuild' && j.step && !steps.includes(j.step)) steps.push(j.step);
    });
    const summary = await core.jobs.run('rebuild', { profileId: 1, kind: 'rebuild' }, { profileId: 1 });
    off();
    // The pipeline's phases in order, the last being split detection; done counts up to total.
    expect(steps.length).toBeGreaterThanOrEqual(5);
    expect(steps.at(-1)).toBe('splits');
    expect(summary.persons).toBeGreaterThan(N * 0.9);
    const job = core.jobs.list(1).find((j) => j.kind === 'rebuild')!;
    expect(job.state).toBe('done');
    expect(job.total).toBeGreaterThanOrEqual(5);
  });

  it("a person's figures answer at once from the last measures while their refresh runs, and say so", async () => {
    await core.jobs.run('measures', { profileId: 1 }, { profileId: 1 });
    const personId = core.db.prepare('SELECT person_id FROM insight_measures WHERE profile_id = 1 ORDER BY person_id LIMIT 1').pluck().get() as string;
    const get = async () => {
      const env = await core.invoke('people.get', { profileId: 1, personId });
      if (!env.ok) throw new Error(JSON.stringify(env.error));
      return env.data as PersonDetail;
    };
    const fresh = await get();
    expect(fresh.figuresUpdating).toBe(false);
    // A committed rebuild makes the measures stale: the person page does not wait for their refresh.
    await core.jobs.run('rebuild', { profileId: 1, kind: 'rebuild' }, { profileId: 1 });
    const refreshed = nextProgress('measures', (j) => j.state === 'done');
    const during = await get();
    expect(core.jobs.active(1, 'measures')?.state, 'the read started the refresh and did not wait for it').toMatch(/queued|running/);
    expect(during.figuresUpdating).toBe(true);
    expect(during.figures).toEqual(fresh.figures);
    // However often the page asks meanwhile, one refresh runs.
    await Promise.all([get(), get(), get()]);
    expect(core.jobs.list(1).filter((j) => j.kind === 'measures' && (j.state === 'queued' || j.state === 'running'))).toHaveLength(1);
    await refreshed;
    expect((await get()).figuresUpdating).toBe(false);
  });

  it('cancelling a rebuild from scratch mid-way leaves every table exactly as before', async () => {
    const before = dumpAllTables(core.db);
    const job = core.jobs.submit('rebuild', { profileId: 1, kind: 'rebuild', fromScratch: true }, { profileId: 1 });
    await nextProgress('rebuild', (j) => j.id === job.id && j.state === 'running' && j.done >= 1);
    expect(core.jobs.cancel(job.id)).toBe(true);
    const err = await rejection(job.done);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('CANCELLED');
    expect(core.jobs.list(1).find((j) => j.id === job.id)?.state).toBe('cancelled');
    expect(dumpAllTables(core.db)).toEqual(before);
  });

  it('cancelling an export mid-way leaves no file, no partial file and no log entry; started again, it finishes', async () => {
    // The export's list needs current measures: refreshed first (their own job), then the store is as the export finds it.
    await core.insights.measures(1);
    const before = dumpAllTables(core.db);
    const file = path.join(core.dataDir, 'everyone.csv');
    const request = { profileId: 1, list: 'all' as const, asOf: '2026-01-10', outreach: true, excludeOptedOut: true };
    const started = core.exports.create(request, { kind: 'file', path: file });
    await nextProgress('export', (j) => j.state === 'running' && j.step === 'write' && j.done > 0);
    expect(core.jobs.cancelKind(1, 'export')).toBe(1);
    const res = await started;
    expect(res.cancelled).toBe(true);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(core.dataDir).filter((f) => f.endsWith('.partial'))).toEqual([]);
    expect(fs.readdirSync(path.join(core.dataDir, 'exports')).filter((f) => f.includes('scratch'))).toEqual([]);
    expect(dumpAllTables(core.db)).toEqual(before);
    const again = await core.exports.create(request, { kind: 'file', path: file });
    expect(again.cancelled).toBe(false);
    expect(again.rowCount).toBeGreaterThan(N * 0.9);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n').length).toBe(again.rowCount + 1);
  });

  it('a job that fails in the worker reaches the caller as a typed error, and the next job runs', async () => {
    const err = await rejection(core.reconcile.run({ profileId: 1, since: 'not a date', checkApis: false, sweep: false }));
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toMatch(/not a date/);
    expect(core.jobs.list(1).find((j) => j.kind === 'reconcile')).toMatchObject({ state: 'failed', error: { code: 'BAD_INPUT' } });
    const state = await core.jobs.run('measures', { profileId: 1, asOf: '2026-01-11' }, { profileId: 1 });
    expect(state.as_of).toBe('2026-01-11');
  });

  it('a job that does not stop by itself is stopped with its worker; the store is as before and the next job gets a new worker', async () => {
    const before = dumpAllTables(core.db);
    // The measures refresh is one SQL statement: nothing in it looks at the cancel flag.
    const job = core.jobs.submit('measures', { profileId: 1, asOf: '2026-01-12', force: true }, { profileId: 1 });
    await nextProgress('measures', (j) => j.id === job.id && j.state === 'running' && j.step === 'measures');
    core.jobs.cancel(job.id);
    expect((await rejection(job.done)).code).toBe('CANCELLED');
    expect(dumpAllTables(core.db)).toEqual(before);
    // The store is not left locked: the core writes, and a new worker runs the next job.
    core.settings.set(1, 'probe', { ok: true });
    const state = await core.jobs.run('measures', { profileId: 1, asOf: '2026-01-12' }, { profileId: 1 });
    expect(state.as_of).toBe('2026-01-12');
  });

  it('a queued job that is cancelled never runs', async () => {
    const first = core.jobs.submit('rebuild', { profileId: 1, kind: 'rebuild' }, { profileId: 1 });
    const second = core.jobs.submit('measures', { profileId: 1, asOf: '2026-01-13', force: true }, { profileId: 1 });
    expect(core.jobs.list(1).find((j) => j.id === second.id)?.state).toBe('queued');
    core.jobs.cancel(second.id);
    expect((await rejection(second.done)).code).toBe('CANCELLED');
    await first.done;
    expect(core.jobs.list(1).find((j) => j.id === second.id)).toMatchObject({ state: 'cancelled', startedAt: null });
  });
});
