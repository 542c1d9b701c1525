/**
 * The job process's entry (bundled as out/main/jobHost.js, started by processRunner.ts): long jobs
 * run in a process of their own, so what a large one leaves behind (the C allocator's freed
 * pages, V8's heap) goes back to the system when the process ends, and the process that serves
 * the steward never grows with a rebuild.
 *
 * Inside, the job runs in a worker thread (jobWorker.js beside this file, run by the same
 * WorkerRunner the core used to run in-process): a rebuild runs for seconds in one synchronous
 * call, and a cancel reaches it only through memory shared with a thread whose event loop is
 * free, which this one is. What only the core has (tokens, sandbox servers and clock, the write
 * gate) and the events a job emits travel over this process's IPC channel.
 *
 * The process ends after a job that left it above RETIRE_ABOVE_RSS_MB resident (its worker judges
 * that, before it folds the log), when idle and above RETIRE_IDLE_ABOVE_RSS_MB for IDLE_RETIRE_MS,
 * or when the core asks it to (the next job wants a process no job has used); the core starts a
 * new one for the next job.
 */
import path from 'node:path';
import type { JobKind } from '../../src-shared/domain/jobs';
import { AppError } from '../../src-shared/errors';
import type { EventMessage } from '../../src-shared/ipc/events';
import { log, setLogSink } from '../core/log';
import { CancelToken } from './cancel';
import { jobLitter } from './litter';
import { HostCaller } from './hostCalls';
import { IDLE_RETIRE_MS, RETIRE_ABOVE_RSS_MB, RETIRE_IDLE_ABOVE_RSS_MB, type FromJobProcess, type JobProcessInit, type JobUsage, type ToJobProcess } from './protocol';
import { WorkerRunner } from './workerRunner';

const send = (m: FromJobProcess): Promise<void> =>
  new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(m, undefined, undefined, () => resolve());
  });

const hostCalls = new HostCaller((m) => void send(m));
const host: HostCaller['call'] = (method, ...args) => hostCalls.call(method, ...args);

let runner: WorkerRunner | null = null;
/** Set when the worker retired after the job just finished (worker.ts, leftLarge): the process ends after it. */
let workerRetired = false;
let idleTimer: NodeJS.Timeout | undefined;
/** Said 'ending': a job sent meanwhile is not started (the core sends it to the next process). */
let ending = false;
let idleRetireMs = IDLE_RETIRE_MS;
let idleRetireAboveRssMb = RETIRE_IDLE_ABOVE_RSS_MB;

/** Idle and large: the memory goes back to the system until the next job, which gets a new process. */
function endIfIdleAndLarge(): void {
  clearTimeout(idleTimer);
  if (process.memoryUsage.rss() <= idleRetireAboveRssMb * 1048576) return;
  idleTimer = setTimeout(() => {
    ending = true;
    void send({ type: 'ending' }).then(() => end(0));
  }, idleRetireMs);
}

/** What the process has used so far: a job's usage is the difference across it. */
const usageMark = () => ({ cpu: process.cpuUsage(), faults: process.resourceUsage().minorPageFault });
const usageSince = (mark: ReturnType<typeof usageMark>): JobUsage => {
  const d = process.cpuUsage(mark.cpu);
  const u = process.resourceUsage();
  return { cpuMs: Math.round((d.user + d.system) / 1000), systemMs: Math.round(d.system / 1000), minorFaults: u.minorPageFault - mark.faults, peakRssMb: Math.round(u.maxRSS / 1024) };
};

async function end(code: number): Promise<never> {
  await runner?.close().catch(() => undefined);
  process.exit(code);
}

async function run(m: Extract<ToJobProcess, { type: 'run' }>): Promise<void> {
  clearTimeout(idleTimer);
  const token = new CancelToken();
  const mark = usageMark();
  let reply: FromJobProcess;
  try {
    const output = await runner!.run({ id: m.jobId, kind: m.kind as JobKind, input: m.input as never, token, onProgress: (progress) => void send({ type: 'progress', jobId: m.jobId, progress }) });
    reply = { type: 'done', jobId: m.jobId, output, retiring: workerRetired, usage: usageSince(mark) };
  } catch (err) {
    const error = err instanceof AppError ? err.toShape() : { code: 'INTERNAL' as const, message: 'The job failed. Details are in the log.' };
    if (!(err instanceof AppError)) log.error(`job ${m.kind} failed in the job process`, { error: err });
    reply = { type: 'failed', jobId: m.jobId, error, retiring: workerRetired, usage: usageSince(mark) };
  }
  await send(reply);
  if (reply.retiring) await end(0);
  endIfIdleAndLarge();
}

function start(i: JobProcessInit): void {
  idleRetireMs = i.idleRetireMs ?? IDLE_RETIRE_MS;
  idleRetireAboveRssMb = i.idleRetireAboveRssMb ?? RETIRE_IDLE_ABOVE_RSS_MB;
  if (i.worker.logLevel) setLogSink((line) => process.stderr.write(line + '\n'), i.worker.logLevel as 'warn');
  runner = new WorkerRunner({
    script: path.join(__dirname, 'jobWorker.js'),
    // The worker judges the process's size after each job, before it folds the log: a worker
    // that ends leaves the folding to the next process (the log is safe in its file meanwhile).
    // Here the process's resident size is what the steward's machine pays, garbage included:
    // it alone decides (the worker's heap limit is for a worker in a process that stays).
    init: { ...i.worker, retireAboveHeapMb: i.worker.retireAboveHeapMb ?? Number.MAX_SAFE_INTEGER, retireAboveRssMb: i.retireAboveRssMb ?? RETIRE_ABOVE_RSS_MB },
    hardStopMs: i.hardStopMs,
    litter: jobLitter(i.worker.dataDir),
    onRetire: () => void (workerRetired = true),
    host: {
      ...hostCalls.services(),
      gate: {
        async acquire() {
          await host('gate.acquire');
          return () => void host('gate.release');
        },
      },
      events: { emit: (name, payload) => void send({ type: 'event', message: { name, payload } as EventMessage }) },
    },
  });
  // Ready when the worker is: a store that cannot be opened says so now, not at the first job.
  runner.started().then(
    () => send({ type: 'ready' }),
    async (err: Error) => {
      await send({ type: 'fatal', message: err.message.replace(/^The job worker could not start: /, '') });
      await end(1);
    },
  );
}

process.on('message', (m: ToJobProcess) => {
  switch (m.type) {
    case 'init':
      return start(m.init);
    case 'run':
      if (ending) return;
      return void run(m);
    case 'cancel':
      return runner?.cancel(m.jobId);
    case 'end':
      return void end(0);
    case 'host.result':
      return hostCalls.settle(m);
  }
});
// The core is gone (it closed, or it crashed): a job still running here is rolled back with the
// process, as it would be with the core's own.
process.on('disconnect', () => void end(0));
