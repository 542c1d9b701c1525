/**
 * Runs jobs in a worker thread with its own SQLite connection: inside the job process
 * (jobHost.ts), where the thread's free event loop is what lets a cancel reach a synchronous job.
 *
 * Rules:
 * - one job at a time (the queue sees to it); the worker is started on first use and again after
 *   it stopped;
 * - cancel sets the job's shared-memory flag (read by synchronous code between steps) and sends a
 *   message (for awaits); a job still running `hardStopMs` later is stopped by terminating the
 *   worker: its connection closes with the transaction uncommitted, so SQLite rolls it back, and
 *   the files a stopped job may leave (an export's partial file) are removed here;
 * - the worker asks the core for what only the core has (tokens, sandbox servers and clock, the
 *   write gate); events it emits are re-emitted on the core's bus;
 * - a worker that dies mid-job fails that job with a typed error; the next job gets a new worker;
 * - a worker that a job left holding a large heap ends after it (protocol.ts, RETIRE_ABOVE_HEAP_MB)
 *   and a fresh one is started in the background (or, in the job process, the process ends).
 */
import { Worker } from 'node:worker_threads';
import type { JobKind } from '../../src-shared/domain/jobs';
import { AppError } from '../../src-shared/errors';
import { log } from '../core/log';
import { cancelledError } from './cancel';
import { removeLitter } from './litter';
import { HostAnswerer, type WorkerHost } from './hostCalls';
import type { FromWorker, HostMethod, ToWorker, WorkerInit } from './protocol';
import { SEMI_SPACE_MB } from './protocol';
import type { JobOutput, JobRunner, RunnableJob } from './types';

export type { WorkerHost } from './hostCalls';

export interface WorkerRunnerOptions {
  /** The bundled worker entry (out/main/jobWorker.js; tests build one). */
  script: string;
  init: WorkerInit;
  host: WorkerHost;
  /** How long a cancelled job may take to stop by itself before the worker is terminated. */
  hardStopMs?: number;
  /** Files a stopped job of this kind may leave behind (removed after a hard stop). */
  litter?(kind: JobKind, input: unknown): string[];
  execArgv?: string[];
  /**
   * Called instead of starting a new worker when one retires (the job process ends then: see
   * jobHost.ts); without it, a fresh worker starts in the background.
   */
  onRetire?(): void;
}

interface Current {
  job: RunnableJob;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  hardStop: NodeJS.Timeout | null;
  stopping: boolean;
}

export class WorkerRunner implements JobRunner {
  private worker: Worker | null = null;
  private ready: Promise<Worker> | null = null;
  private current: Current | null = null;
  private readonly answers: HostAnswerer;
  private closed = false;
  /** Workers ending after their last job, until their thread has exited. */
  private readonly retiring = new Set<Worker>();
  /** Every worker whose thread has not exited (one starting, the current one, retiring ones). */
  private readonly alive = new Set<Worker>();

  constructor(private readonly opts: WorkerRunnerOptions) {
    this.answers = new HostAnswerer(opts.host);
  }

  async run<K extends JobKind>(job: RunnableJob<K>): Promise<JobOutput<K>> {
    if (this.closed) throw new AppError('CONFLICT', 'Twofold is shutting down.');
    const worker = await this.start();
    job.token.throwIfAborted();
    return new Promise<JobOutput<K>>((resolve, reject) => {
      this.current = { job: job as RunnableJob, resolve: resolve as (v: unknown) => void, reject, hardStop: null, stopping: false };
      const msg: ToWorker = { type: 'run', jobId: job.id, kind: job.kind, input: job.input, flag: job.token.flag };
      worker.postMessage(msg);
    });
  }

  /**
   * Starts the worker ahead of its first job: it also folds the write-ahead log the core's own
   * writes leave (store/checkpoints.ts). A worker that can't start says so when a job asks for it.
   */
  warm(): void {
    if (!this.closed) this.start().catch(() => undefined);
  }

  /** The worker started (its store opened), or why it could not. */
  async started(): Promise<void> {
    if (this.closed) throw new AppError('CONFLICT', 'Twofold is shutting down.');
    await this.start();
  }

  cancel(jobId: number): void {
    const c = this.current;
    if (!c || c.job.id !== jobId) return;
    // Finished already (its result is on the way): nothing to stop.
    if (!c.job.token.cancel()) return;
    this.worker?.postMessage({ type: 'cancel', jobId } satisfies ToWorker);
    c.hardStop ??= setTimeout(() => void this.hardStop(jobId), this.opts.hardStopMs ?? 2000);
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    this.ready = null;
    await Promise.all([...new Set([...(w ? [w] : []), ...this.alive])].map((x) => x.terminate()));
  }

  /** The thread that runs the next job (null: none started), and how many retired ones are still ending. */
  get threads(): { current: number | null; retiring: number } {
    return { current: this.worker?.threadId ?? null, retiring: this.retiring.size };
  }

  /** A worker ending after its job: no job is sent to it again; the next job (and idle folding) gets a new one. */
  private retire(worker: Worker): void {
    if (this.worker === worker) {
      this.worker = null;
      this.ready = null;
    }
    this.retiring.add(worker);
    if (this.opts.onRetire) this.opts.onRetire();
    else this.warm();
  }

  private start(): Promise<Worker> {
    this.ready ??= new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(this.opts.script, {
        workerData: this.opts.init,
        execArgv: this.opts.execArgv,
        // Three semi-spaces (protocol.ts says why their size).
        resourceLimits: { maxYoungGenerationSizeMb: 3 * SEMI_SPACE_MB, maxOldGenerationSizeMb: 8192 },
      });
      this.alive.add(worker);
      let started = false;
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          started = true;
          if (this.closed) {
            void worker.terminate();
            return reject(new AppError('CONFLICT', 'Twofold is shutting down.'));
          }
          this.worker = worker;
          resolve(worker);
        } else if (m.type === 'fatal') reject(new AppError('INTERNAL', `The job worker could not start: ${m.message}`));
        else this.onMessage(worker, m);
      });
      worker.on('error', (err) => {
        log.error('job worker error', { error: err });
        if (!started) reject(new AppError('INTERNAL', `The job worker could not start: ${err.message}`));
      });
      worker.on('exit', (code) => {
        this.alive.delete(worker);
        // A retired worker ends on its own time: its job is settled and the gate released.
        if (this.retiring.delete(worker)) {
          if (code !== 0 && !this.closed) log.warn('a retired job worker exited with an error', { code });
          return;
        }
        if (this.worker === worker || !started) {
          this.worker = null;
          this.ready = null;
        }
        this.answers.releaseHeld();
        if (!started) reject(new AppError('INTERNAL', `The job worker stopped while starting (exit ${code}).`));
        const c = this.current;
        if (c) {
          this.current = null;
          if (c.hardStop) clearTimeout(c.hardStop);
          if (c.stopping || c.job.token.aborted) {
            this.removeLitter(c.job);
            c.reject(cancelledError());
          } else c.reject(new AppError('INTERNAL', 'The background worker stopped unexpectedly; the job did not finish and the store was left as before.'));
        }
      });
    });
    return this.ready;
  }

  private onMessage(worker: Worker, m: FromWorker): void {
    const c = this.current;
    switch (m.type) {
      case 'progress':
        if (c?.job.id === m.jobId) c.job.onProgress(m.progress);
        return;
      case 'event':
        this.opts.host.events.emit(m.message.name, m.message.payload as never);
        return;
      case 'done':
      case 'failed':
        if (!c || c.job.id !== m.jobId) return;
        this.current = null;
        if (c.hardStop) clearTimeout(c.hardStop);
        // Before the result goes out: the queue may hand the next job over as soon as it does.
        if (m.retiring) this.retire(worker);
        if (m.type === 'done') c.resolve(m.output);
        else c.reject(new AppError(m.error.code, m.error.message, m.error.issues));
        return;
      case 'host':
        void this.answer(worker, m.callId, m.method, m.args);
        return;
    }
  }

  private async answer(worker: Worker, callId: number, method: HostMethod, args: unknown[]): Promise<void> {
    worker.postMessage({ type: 'host.result', callId, ...(await this.answers.answer(method, args)) } satisfies ToWorker);
  }

  private async hardStop(jobId: number): Promise<void> {
    const c = this.current;
    if (!c || c.job.id !== jobId || !this.worker) return;
    // It committed while we waited: stopping it now would call committed work cancelled.
    if (c.job.token.finished) return;
    log.warn('a cancelled job did not stop by itself; stopping its worker', { jobId, kind: c.job.kind });
    c.stopping = true;
    // The exit handler rejects the job as cancelled and removes its litter.
    await this.worker.terminate();
  }

  private removeLitter(job: RunnableJob): void {
    removeLitter(this.opts.litter?.(job.kind, job.input) ?? []);
  }
}
