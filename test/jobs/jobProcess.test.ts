/**
 * Long jobs run in a process of their own (jobs/processRunner.ts, jobs/jobHost.ts). A process a
 * job left large ends after it, so what the job freed goes back to the system; a process that
 * dies or hangs mid-job costs that job only: the store is as before, the write gate is free, and
 * the next job runs in a new process. The store key reaches the process over its IPC channel,
 * never in its arguments or environment.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until, rejection } from '../helpers/waits';
import { tempCore, TEST_STORE_KEY_HEX } from '../helpers/tempCore';
import { dumpAllTables, workerBundles } from '../helpers/bundles';
import { generate } from '../../bench/identityData';
import { ProcessRunner } from '../../src-main/jobs/processRunner';
import { wantsCleanProcess } from '../../src-main/jobs/kinds';
import { RETIRE_ABOVE_RSS_MB } from '../../src-main/jobs/protocol';
import { WriteGate } from '../../src-main/jobs/writeGate';
import { CancelToken } from '../../src-main/jobs/cancel';
import type { JobKind } from '../../src-shared/domain/jobs';
import type { JobInput, JobProgress } from '../../src-main/jobs/types';
import { AppError } from '../../src-shared/errors';

let core: ReturnType<typeof tempCore>;
let script: string;
let seq = 0;
const runners: ProcessRunner[] = [];

function runner(o: { retireAboveRssMb?: number; gate?: WriteGate; killAfterMs?: number; idleRetireMs?: number; idleRetireAboveRssMb?: number; askStore?: boolean } = {}): ProcessRunner {
  const r = new ProcessRunner({
    script,
    init: {
      worker: { dataDir: core.dataDir, storeKey: Buffer.from(TEST_STORE_KEY_HEX, 'hex'), idleFoldMs: 60_000 },
      retireAboveRssMb: o.retireAboveRssMb,
      idleRetireMs: o.idleRetireMs,
      idleRetireAboveRssMb: o.idleRetireAboveRssMb,
    },
    cleanProcessFor: (kind, input) => wantsCleanProcess(kind, input, o.askStore ? core.identity : undefined),
    host: {
      secrets: { get: async () => null },
      sandboxes: { prepare: async () => undefined },
      clock: { sandboxNow: async () => null },
      gate: o.gate ?? new WriteGate(),
      events: { emit: () => undefined },
    },
    killAfterMs: o.killAfterMs,
  });
  runners.push(r);
  return r;
}

function job<K extends JobKind>(r: ProcessRunner, kind: K, input: JobInput<K>, o: { token?: CancelToken; onProgress?: (p: JobProgress) => void } = {}) {
  return r.run({ id: ++seq, kind, input, token: o.token ?? new CancelToken(), onProgress: o.onProgress ?? (() => undefined) });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  ({ jobHost: script } = await workerBundles());
  core = tempCore();
  core.db.transaction(() => generate(core.db, 20_000))();
  await core.jobs.run('rebuild', { profileId: 1, kind: 'rebuild' }, { profileId: 1 });
}, 120_000);

afterAll(async () => {
  for (const r of runners) await r.close();
  await core?.cleanup();
});

describe('the job process', () => {
  it('a process a job left above the resident limit ends after it; the next job runs in a new one', async () => {
    const r = runner({ retireAboveRssMb: 0 }); // every process is above 0 MB: every job ends its process
    const first = await job(r, 'measures', { profileId: 1, asOf: '2026-01-10', force: true });
    expect(first.as_of).toBe('2026-01-10');
    expect(r.lastUsage!.peakRssMb).toBeGreaterThan(20);
    expect(r.lastUsage!.cpuMs).toBeGreaterThan(0);
    await until(() => r.processes.retiring === 0 && r.processes.current !== null);
    const second = r.processes.current!;
    const rebuilt = await job(r, 'rebuild', { profileId: 1, kind: 'rebuild', fromScratch: true });
    expect(rebuilt.persons).toBeGreaterThan(10_000);
    // What the job cost its process, the kernel's part named: a rebuild in a new process faults
    // in its heap and page cache (how many pages that takes depends on the machine's page sizes),
    // and the kernel's time is part of its CPU time.
    expect(r.lastUsage!.minorFaults).toBeGreaterThan(0);
    expect(r.lastUsage!.systemMs).toBeLessThanOrEqual(r.lastUsage!.cpuMs);
    await until(() => r.processes.retiring === 0 && r.processes.current !== null);
    expect(r.processes.current).not.toBe(second);
    expect(alive(second)).toBe(false);
    // What the ended processes wrote is in the store (they committed before they ended).
    expect(core.db.prepare(`SELECT COUNT(*) FROM persons WHERE profile_id = 1`).pluck().get()).toBe(rebuilt.persons);
  });

  it('a process below the limit runs the next job too', async () => {
    expect(RETIRE_ABOVE_RSS_MB).toBeGreaterThanOrEqual(256);
    const r = runner();
    await job(r, 'measures', { profileId: 1, asOf: '2026-01-12', force: true });
    const pid = r.processes.current;
    expect(pid).not.toBeNull();
    await job(r, 'measures', { profileId: 1, asOf: '2026-01-13', force: true });
    expect(r.processes).toEqual({ current: pid, retiring: 0 });
  });

  it('a rebuild for a new setting or from scratch starts in a process no job has used; other jobs keep theirs', async () => {
    const r = runner();
    await job(r, 'measures', { profileId: 1, asOf: '2026-01-16', force: true });
    const used = r.processes.current!;
    await job(r, 'rebuild', { profileId: 1, kind: 'rebuild' });
    expect(r.processes.current).toBe(used);
    await job(r, 'rebuild', { profileId: 1, kind: 'settings' });
    const clean = r.processes.current!;
    expect(clean).not.toBe(used);
    await until(() => !alive(used));
    await job(r, 'rebuild', { profileId: 1, kind: 'rebuild', fromScratch: true });
    expect(r.processes.current).not.toBe(clean);
    expect(wantsCleanProcess('rebuild', { profileId: 1, kind: 'refresh' })).toBe(false);
    expect(wantsCleanProcess('measures', { profileId: 1, asOf: '2026-01-16' })).toBe(false);
  });

  it('a rebuild the store says will read every record (a sync changed more than a fifth of them) starts in a process no job has used', async () => {
    const r = runner({ askStore: true });
    await job(r, 'measures', { profileId: 1, asOf: '2026-01-19', force: true });
    const used = r.processes.current!;
    await job(r, 'rebuild', { profileId: 1, kind: 'refresh' });
    expect(r.processes.current).toBe(used);
    // Two VOMO users in three renamed: 8,000 of the 28,800 records.
    core.db.exec(`UPDATE vomo_users SET last_name = last_name || '-Moved' WHERE profile_id = 1 AND CAST(id AS INTEGER) % 3 != 0`);
    expect(core.identity.nextRebuildReadsEverything(1)).toBe(true);
    const rebuilt = await job(r, 'rebuild', { profileId: 1, kind: 'refresh' });
    expect(r.processes.current).not.toBe(used);
    expect(rebuilt.persons).toBeGreaterThan(10_000);
    // What the job cost its process, the kernel's part named: a rebuild in a new process faults
    // in its heap and page cache (how many pages that takes depends on the machine's page sizes),
    // and the kernel's time is part of its CPU time.
    expect(r.lastUsage!.minorFaults).toBeGreaterThan(0);
    expect(r.lastUsage!.systemMs).toBeLessThanOrEqual(r.lastUsage!.cpuMs);
    expect(core.identity.nextRebuildReadsEverything(1)).toBe(false);
  });

  it('an idle process above the idle limit ends by itself; the next job starts a new one', async () => {
    const r = runner({ idleRetireMs: 200, idleRetireAboveRssMb: 0 });
    await job(r, 'measures', { profileId: 1, asOf: '2026-01-17', force: true });
    const pid = r.processes.current!;
    await until(() => r.processes.current === null && !alive(pid));
    const next = await job(r, 'measures', { profileId: 1, asOf: '2026-01-18', force: true });
    expect(next.as_of).toBe('2026-01-18');
    expect(r.processes.current).not.toBe(pid);
  });

  it('the store key is in neither the arguments nor the environment of the job process', async () => {
    const r = runner();
    r.warm();
    await until(() => r.processes.current !== null);
    const pid = r.processes.current!;
    const key = TEST_STORE_KEY_HEX.toLowerCase();
    for (const file of ['cmdline', 'environ']) {
      const text = fs.readFileSync(`/proc/${pid}/${file}`).toString('latin1').toLowerCase();
      expect(text.length).toBeGreaterThan(0);
      expect(text).not.toContain(key);
      expect(text).not.toContain(Buffer.from(key, 'hex').toString('latin1').toLowerCase());
    }
    // Electron's binary, started the same way, runs the job process as Node.
    expect(fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0')).toContain('ELECTRON_RUN_AS_NODE=1');
  });

  it('a process killed mid-rebuild fails the job with a typed error; the store is as before, the gate free, the next job runs in a new process', async () => {
    const gate = new WriteGate();
    const r = runner({ gate });
    const before = dumpAllTables(core.db);
    let pid = 0;
    const running = job(r, 'rebuild', { profileId: 1, kind: 'rebuild', fromScratch: true }, {
      onProgress: (p) => {
        if (!pid && p.done >= 1) {
          pid = r.processes.current!;
          process.kill(pid, 'SIGKILL');
        }
      },
    });
    const err = await rejection(running);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('INTERNAL');
    expect(err.message).toMatch(/stopped unexpectedly.*store was left as before/);
    expect(dumpAllTables(core.db)).toEqual(before);
    // The gate the job held while it wrote is free again.
    const release = await Promise.race([gate.acquire('exclusive'), new Promise<null>((r) => setTimeout(() => r(null), 2_000))]);
    expect(release).not.toBeNull();
    release!();
    const next = await job(r, 'measures', { profileId: 1, asOf: '2026-01-14', force: true });
    expect(next.as_of).toBe('2026-01-14');
    expect(r.processes.current).not.toBe(pid);
  });

  it('a cancelled job whose process does not answer is killed with it; the store is as before and the job reads cancelled', async () => {
    const r = runner({ killAfterMs: 300 });
    const before = dumpAllTables(core.db);
    const token = new CancelToken();
    let pid = 0;
    const running = job(r, 'rebuild', { profileId: 1, kind: 'rebuild', fromScratch: true }, {
      token,
      onProgress: (p) => {
        if (!pid && p.done >= 1) {
          pid = r.processes.current!;
          // Frozen: neither the cancel message nor the worker's own hard stop can act.
          process.kill(pid, 'SIGSTOP');
          token.cancel();
          r.cancel(seq);
        }
      },
    });
    const err = await rejection(running);
    expect(err.code).toBe('CANCELLED');
    await until(() => !alive(pid));
    expect(dumpAllTables(core.db)).toEqual(before);
    const next = await job(r, 'measures', { profileId: 1, asOf: '2026-01-15', force: true });
    expect(next.as_of).toBe('2026-01-15');
  });
});
