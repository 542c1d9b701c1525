/**
 * The web shell as `twofold serve` runs it (the core in a worker thread, its jobs in another)
 * keeps answering while a rebuild of a store big enough to take seconds runs. A generous bound
 * here; `npm run bench -- responsiveness` holds the real target at 1M persons.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tempCore';
import { workerBundles } from '../helpers/bundles';
import { generate } from '../../bench/identityData';
import { openDatabase, databasePath } from '../../src-main/store/db';
import { startThreadBackend } from '../../src-main/backend/thread';
import type { BackendClient } from '../../src-main/backend/client';
import { startWebShell, type WebShell } from '../../src-main/web/server';

const N = 60_000;

describe('the web shell while a rebuild runs', () => {
  let dataDir: string;
  let rendererDir: string;
  let backend: BackendClient;
  let shell: WebShell;

  beforeAll(async () => {
    dataDir = tempDir();
    rendererDir = tempDir();
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<html><head></head><body>app</body></html>');
    const db = openDatabase(databasePath(dataDir));
    db.transaction(() => generate(db, N))();
    db.close();
    const { backend: script } = await workerBundles();
    backend = await startThreadBackend({ dataDir }, script);
    shell = await startWebShell({ backend, rendererDir });
  }, 120_000);

  afterAll(async () => {
    await shell?.close();
    await backend?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(rendererDir, { recursive: true, force: true });
  });

  const call = async (channel: string, input: unknown) => {
    const res = await fetch(`${shell.origin}/api/invoke/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-twofold-secret': shell.secret },
      body: JSON.stringify(input),
    });
    return (await res.json()) as { ok: boolean; data?: unknown; error?: { code: string; message: string } };
  };

  it('answers the profile list within 250 ms through a first build of the person store', async () => {
    const latencies: number[] = [];
    let rebuilding = true;
    const rebuild = call('identity.rebuild', { profileId: 1 }).finally(() => (rebuilding = false));
    const started = performance.now();
    while (rebuilding) {
      const t = performance.now();
      const env = await call('profiles.list', {});
      latencies.push(performance.now() - t);
      expect(env.ok).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
    }
    const built = await rebuild;
    const rebuildMs = performance.now() - started;
    expect(built.ok).toBe(true);
    expect((built.data as { persons: number }).persons).toBeGreaterThan(N * 0.9);
    // The rebuild took seconds, and the server answered all along.
    expect(rebuildMs).toBeGreaterThan(1000);
    expect(latencies.length).toBeGreaterThan(5);
    // Within 250 ms as a rule (the median: `npm test` runs two test files at once on a machine
    // that may be shared, and the benchmark holds the tail), and never anywhere near the
    // rebuild's own length, as a server on the rebuild's thread would.
    const sorted = [...latencies].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(250);
    expect(sorted.at(-1)).toBeLessThan(Math.min(2000, rebuildMs / 2));
    // While it ran, its progress was on the job list.
    const jobs = (await call('jobs.list', { profileId: 1 })).data as { kind: string; state: string; done: number; total: number }[];
    expect(jobs.find((j) => j.kind === 'rebuild')).toMatchObject({ state: 'done' });
  });
});
