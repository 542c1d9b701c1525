/**
 * A long job's hint that much just became garbage (core/garbage.ts): acted on only where a
 * collector is installed (the job worker) and only when the heap is large enough to matter.
 */
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { exposedCollector, installGarbageCollector, releaseGarbage } from '../../src-main/core/garbage';

afterEach(() => installGarbageCollector(null));

describe('garbage hints', () => {
  it('do nothing without a collector', () => {
    expect(() => releaseGarbage()).not.toThrow();
  });

  it('call the installed collector once the used heap is over the limit, and not below it', () => {
    let calls = 0;
    installGarbageCollector(() => calls++, 1_000_000); // a terabyte of heap: not reached
    releaseGarbage();
    expect(calls).toBe(0);
    installGarbageCollector(() => calls++, 0);
    releaseGarbage();
    expect(calls).toBe(1);
  });

  it('get a working full collection in a thread started without --expose-gc', async () => {
    // The job worker's case: a worker thread of a process that was not started with the flag.
    const src = `
      const { parentPort } = require('node:worker_threads');
      const v8 = require('node:v8'), vm = require('node:vm');
      const had = typeof globalThis.gc === 'function';
      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc');
      let junk = Array.from({ length: 300000 }, (_, i) => ({ i, s: 'x'.repeat(40) + i }));
      const before = process.memoryUsage().heapUsed;
      junk = null;
      gc();
      parentPort.postMessage({ had, isFn: typeof gc === 'function', freedMb: (before - process.memoryUsage().heapUsed) / 1048576 });`;
    const w = new Worker(src, { eval: true, execArgv: [] });
    const r = await new Promise<{ had: boolean; isFn: boolean; freedMb: number }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    expect(r.isFn).toBe(true);
    expect(r.freedMb).toBeGreaterThan(10);
    // And the module's own helper hands back a callable collector here too.
    const gc = exposedCollector();
    expect(typeof gc).toBe('function');
    expect(() => gc!()).not.toThrow();
  });
});
