/**
 * A job worker that a job left holding a large heap is retired after that job: its thread ends
 * (giving the memory back) and the next job runs in a new one, with the store as the jobs left it.
 * A worker below the limit keeps running jobs.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { until } from '../helpers/waits';
import { tempCore, TEST_STORE_KEY_HEX } from '../helpers/tempCore';
import { workerBundles } from '../helpers/bundles';
import { stubHostRunner } from '../helpers/stubHostRunner';
import { generate } from '../../bench/identityData';
import { WorkerRunner } from '../../src-main/jobs/workerRunner';
import { RETIRE_ABOVE_HEAP_MB } from '../../src-main/jobs/protocol';
import { CancelToken } from '../../src-main/jobs/cancel';
import type { JobKind } from '../../src-shared/domain/jobs';
import type { JobInput } from '../../src-main/jobs/types';
import { setLogSink } from '../../src-main/core/log';

let core: ReturnType<typeof tempCore>;
let dataDir: string;
let script: string;
let seq = 0;
const runners: WorkerRunner[] = [];

function runner(retireAboveHeapMb?: number): WorkerRunner {
  const r = stubHostRunner(script, { dataDir, storeKey: Buffer.from(TEST_STORE_KEY_HEX, 'hex'), idleFoldMs: 60_000, retireAboveHeapMb });
  runners.push(r);
  return r;
}

function job<K extends JobKind>(r: WorkerRunner, kind: K, input: JobInput<K>) {
  return r.run({ id: ++seq, kind, input, token: new CancelToken(), onProgress: () => undefined });
}

beforeAll(async () => {
  ({ jobWorker: script } = await workerBundles());
  core = tempCore();
  dataDir = core.dataDir;
  core.db.transaction(() => generate(core.db, 2_000))();
  await core.jobs.run('rebuild', { profileId: 1, kind: 'rebuild' }, { profileId: 1 });
}, 120_000);

afterAll(async () => {
  for (const r of runners) await r.close();
  await core?.cleanup();
});

describe('retiring a job worker', () => {
  it('a worker left above the heap limit ends after its job; the next job runs in a new worker', async () => {
    const r = runner(0); // every heap is above 0 MB: every job retires its worker
    // A retired worker that did not exit cleanly (code 0, its connection closed) is logged.
    const logged: string[] = [];
    setLogSink((line) => void logged.push(line));
    onTestFinished(() => setLogSink((line) => void process.stderr.write(line + '\n')));
    const first = await job(r, 'measures', { profileId: 1, asOf: '2026-01-10', force: true });
    expect(first.as_of).toBe('2026-01-10');
    // The retired thread exits by itself; a fresh one is already starting for the next job.
    await until(() => r.threads.retiring === 0 && r.threads.current !== null);
    const firstThread = r.threads.current;
    const second = await job(r, 'rebuild', { profileId: 1, kind: 'rebuild', fromScratch: true });
    expect(second.persons).toBeGreaterThan(1_000);
    await until(() => r.threads.retiring === 0 && r.threads.current !== null);
    expect(r.threads.current).not.toBe(firstThread);
    // What the retired workers wrote is in the store (they committed and closed cleanly).
    const third = await job(r, 'measures', { profileId: 1, asOf: '2026-01-11', force: true });
    expect(third.as_of).toBe('2026-01-11');
    expect(core.db.prepare(`SELECT COUNT(*) FROM persons WHERE profile_id = 1`).pluck().get()).toBe(second.persons);
    expect(core.db.prepare(`SELECT COUNT(*) FROM identity_runs WHERE profile_id = 1`).pluck().get()).toBeGreaterThanOrEqual(2);
    await until(() => r.threads.retiring === 0);
    expect(logged.filter((l) => /retir/.test(l))).toEqual([]);
  });

  it('a worker below the limit runs the next job too', async () => {
    expect(RETIRE_ABOVE_HEAP_MB).toBeGreaterThan(100);
    const r = runner();
    await job(r, 'measures', { profileId: 1, asOf: '2026-01-12', force: true });
    const thread = r.threads.current;
    expect(thread).not.toBeNull();
    await job(r, 'measures', { profileId: 1, asOf: '2026-01-13', force: true });
    expect(r.threads).toEqual({ current: thread, retiring: 0 });
  });

  it('closing the runner ends a worker that is still retiring', async () => {
    const r = runner(0);
    await job(r, 'measures', { profileId: 1, asOf: '2026-01-14', force: true });
    await r.close();
    expect(r.threads.current).toBeNull();
    await until(() => r.threads.retiring === 0);
  });
});
