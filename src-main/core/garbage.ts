/**
 * A long job's hint that much of what it held has just become garbage (a mirror pass's strings,
 * a join's records). V8 collects when allocation pressure says so, which is after the next phase
 * has grown the process around that garbage: a first build at a million persons peaked at 2.2 GB,
 * most of a gigabyte of it garbage. The thread that runs long jobs installs a collector (the job
 * worker at its start); elsewhere the hint does nothing. Below `minHeapMb` of used heap it does
 * nothing either: a full collection costs a few hundred milliseconds at a gigabyte, nothing worth
 * paying for a small job.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

export const RELEASE_ABOVE_HEAP_MB = 256;

let collect: (() => void) | null = null;
let aboveMb = RELEASE_ABOVE_HEAP_MB;

/** The collector `releaseGarbage` calls (null: hints do nothing), and the used heap below which it does not. */
export function installGarbageCollector(fn: (() => void) | null, minHeapMb = RELEASE_ABOVE_HEAP_MB): void {
  collect = fn;
  aboveMb = minHeapMb;
}

/**
 * V8's full collection as a function: the global `gc` when the process runs with --expose-gc,
 * else one from a fresh context after turning the flag on (it only exposes the function to
 * contexts made afterwards). null if neither works.
 */
export function exposedCollector(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn = vm.runInNewContext('gc') as unknown;
    return typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    return null;
  }
}

export function releaseGarbage(): void {
  if (!collect) return;
  if (v8.getHeapStatistics().used_heap_size < aboveMb * 1048576) return;
  collect();
}
