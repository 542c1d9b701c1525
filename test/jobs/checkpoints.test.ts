/**
 * With a job worker, the write-ahead log is folded into the store file by the worker only: after
 * each job (once its result is out) and when idle. The serving connection never folds it, so a
 * commit on the thread that answers the steward never pays for copying a rebuild's pages.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tempCore } from '../helpers/tempCore';
import { workerBundles } from '../helpers/bundles';
import { generate } from '../../bench/identityData';
import { databasePath } from '../../src-main/store/db';

const cores: { cleanup(): Promise<void> }[] = [];
afterEach(async () => {
  while (cores.length) await cores.pop()!.cleanup();
});

const size = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : 0);

async function until(test: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (test()) return true;
  return test();
}

describe('folding the write-ahead log', () => {
  it('the serving connection never folds the log; the idle worker does, and again after each job', async () => {
    const { jobHost } = await workerBundles();
    const core = tempCore({ jobWorker: { script: jobHost, idleFoldMs: 100 } });
    cores.push(core);
    const file = databasePath(core.dataDir);
    expect(core.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    // The core's own writes (as a sync's pages are): far past SQLite's 1,000-page fold point.
    const before = size(file);
    core.db.transaction(() => generate(core.db, 10_000))();
    expect(size(`${file}-wal`)).toBeGreaterThan(1_000 * 4096);
    // Folded by the idle worker, not by the commit above: the file grows only now.
    expect(await until(() => size(file) > before + 1_000 * 4096, 10_000)).toBe(true);
    // A job's pages are folded after the job, by the worker.
    const folded = size(file);
    await core.jobs.run('rebuild', { profileId: 1, kind: 'rebuild' }, { profileId: 1 });
    expect(await until(() => size(file) > folded, 10_000)).toBe(true);
    const [state] = core.db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    expect(state!.checkpointed).toBe(state!.log);
  });

  it('without a worker (the CLI) the connection folds the log itself, as SQLite does by default', () => {
    const core = tempCore();
    cores.push(core);
    expect(core.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
