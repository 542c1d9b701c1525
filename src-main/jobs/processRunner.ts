/**
 * Runs jobs in a process of their own (jobHost.ts, which runs each in a worker thread), so the
 * process that serves the steward never runs one, and what a large job leaves behind goes back
 * to the system when its process ends.
 *
 * Rules:
 * - one job at a time (the queue sees to it); the process is started on first use, ahead of it
 *   by warm(), and again after one ended;
 * - a process a job left large ends after that job (protocol.ts, RETIRE_ABOVE_RSS_MB) and a new
 *   one starts in the background; an idle one above RETIRE_IDLE_ABOVE_RSS_MB ends after a minute,
 *   and the next job starts one; a job that reads every record (cleanProcessFor) starts in a
 *   process no job has used;
 * - cancel is passed on: the job process sets the job's shared flag and stops its worker if the
 *   job does not stop by itself. A process that has not settled the job well after that is
 *   killed; its store connection goes with it, uncommitted, so SQLite rolls the job back;
 * - a job process that dies mid-job fails that job with a typed error (cancelled, if it was being
 *   cancelled) and frees the write gate; the next job gets a new process;
 * - the job process asks the core for what only the core has (hostCalls.ts); events it emits are
 *   re-emitted on the core's bus. The store key reaches it over its IPC channel only.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { JobKind } from '../../src-shared/domain/jobs';
import { AppError } from '../../src-shared/errors';
import { log } from '../core/log';
import { cancelledError } from './cancel';
import { removeLitter } from './litter';
import { HostAnswerer, type WorkerHost } from './hostCalls';
import type { FromJobProcess, JobProcessInit, JobUsage, ToJobProcess } from './protocol';
import type { JobOutput, JobRunner, RunnableJob } from './types';

export interface ProcessRunnerOptions {
  /** The bundled job process entry (out/main/jobHost.js, with jobWorker.js beside it). */
  script: string;
  init: JobProcessInit;
  host: WorkerHost;
  /** Files a stopped job of this kind may leave behind (removed after the process is killed). */
  litter?(kind: JobKind, input: unknown): string[];
  /** How long a cancelled job's process may take, after its own hard stop, before it is killed. */
  killAfterMs?: number;
  /** What the job process runs with besides the script (V8 flags). */
  execArgv?: string[];
  /** Jobs that start in a process no job has used (kinds.ts, wantsCleanProcess). */
  cleanProcessFor?(kind: JobKind, input: unknown): boolean;
}

interface Current {
  job: RunnableJob;
  /** The process it was sent to. */
  child: ChildProcess;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  kill: NodeJS.Timeout | null;
  killed: boolean;
}

export class ProcessRunner implements JobRunner {
  private child: ChildProcess | null = null;
  private ready: Promise<ChildProcess> | null = null;
  private current: Current | null = null;
  private closed = false;
  /** Every job process that has not exited (one starting, the current one, retiring ones). */
  private readonly alive = new Set<ChildProcess>();
  private readonly retiring = new Set<ChildProcess>();
  /** Processes that have run a job. */
  private readonly used = new WeakSet<ChildProcess>();
  private readonly answers: HostAnswerer;
  /** What the last job cost its process (the identity bench reads it). */
  lastUsage: JobUsage | null = null;

  constructor(private readonly opts: ProcessRunnerOptions) {
    this.answers = new HostAnswerer(opts.host);
  }

  async run<K extends JobKind>(job: RunnableJob<K>): Promise<JobOutput<K>> {
    if (this.closed) throw new AppError('CONFLICT', 'Twofold is shutting down.');
    let child = await this.start();
    if (this.used.has(child) && this.opts.cleanProcessFor?.(job.kind, job.input)) {
      this.send(child, { type: 'end' });
      this.retire(child, false);
      child = await this.start();
    }
    job.token.throwIfAborted();
    this.used.add(child);
    return new Promise<JobOutput<K>>((resolve, reject) => {
      this.current = { job: job as RunnableJob, child, resolve: resolve as (v: unknown) => void, reject, kill: null, killed: false };
      this.send(child, { type: 'run', jobId: job.id, kind: job.kind, input: job.input });
    });
  }

  /** Starts the job process ahead of its first job (its worker also folds the log the core's writes leave). */
  warm(): void {
    if (!this.closed) this.start().catch(() => undefined);
  }

  cancel(jobId: number): void {
    const c = this.current;
    if (!c || c.job.id !== jobId) return;
    // Committed already (the job released the gate after its commit): nothing to stop.
    if (!c.job.token.cancel()) return;
    const child = c.child;
    this.send(child, { type: 'cancel', jobId });
    c.kill ??= setTimeout(() => {
      if (this.current !== c || c.job.token.finished) return;
      log.warn('a cancelled job did not stop in its process; killing the process', { jobId, kind: c.job.kind });
      c.killed = true;
      child.kill('SIGKILL');
    }, this.opts.killAfterMs ?? 10_000);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.child = null;
    this.ready = null;
    await Promise.all(
      [...this.alive].map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGKILL');
          }),
      ),
    );
  }

  /** The process that runs the next job (its pid, null: none started), and how many retired ones are still ending. */
  get processes(): { current: number | null; retiring: number } {
    return { current: this.child?.pid ?? null, retiring: this.retiring.size };
  }

  private async resend(c: Current): Promise<void> {
    try {
      const next = await this.start();
      if (this.current !== c) return;
      c.child = next;
      this.used.add(next);
      this.send(next, { type: 'run', jobId: c.job.id, kind: c.job.kind, input: c.job.input });
    } catch (err) {
      if (this.current === c) {
        this.current = null;
        c.reject(err);
      }
    }
  }

  private send(child: ChildProcess, m: ToJobProcess): void {
    if (child.connected) child.send(m);
  }

  /** A process that ends by itself (asked to, or on its own) after its last job; warm: start the next one now. */
  private retire(child: ChildProcess, warm = true): void {
    if (this.child === child) {
      this.child = null;
      this.ready = null;
    }
    this.retiring.add(child);
    // It ends by itself; one that lingers is not left holding its memory.
    setTimeout(() => {
      if (this.alive.has(child)) child.kill('SIGKILL');
    }, 30_000).unref();
    if (warm) this.warm();
  }

  private start(): Promise<ChildProcess> {
    this.ready ??= new Promise<ChildProcess>((resolve, reject) => {
      const child = fork(this.opts.script, [], {
        execArgv: this.opts.execArgv ?? [],
        // Electron's binary runs the script as Node (its RunAsNode fuse is on: build/ does not flip it).
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        // Structured clone, as between threads: the key's bytes, job inputs and outputs as they are.
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      this.alive.add(child);
      let started = false;
      child.on('message', (m: FromJobProcess) => {
        if (m.type === 'ready') {
          started = true;
          if (this.closed) {
            child.kill('SIGKILL');
            return reject(new AppError('CONFLICT', 'Twofold is shutting down.'));
          }
          this.child = child;
          resolve(child);
        } else if (m.type === 'fatal') reject(new AppError('INTERNAL', `The job worker could not start: ${m.message}`));
        else this.onMessage(child, m);
      });
      child.on('error', (err) => {
        log.error('job process error', { error: err });
        if (!started) reject(new AppError('INTERNAL', `The job worker could not start: ${err.message}`));
      });
      child.on('exit', (code, signal) => this.exited(child, started, code, signal, reject));
      this.send(child, { type: 'init', init: this.opts.init });
    });
    return this.ready;
  }

  private exited(child: ChildProcess, started: boolean, code: number | null, signal: NodeJS.Signals | null, reject: (e: unknown) => void): void {
    this.alive.delete(child);
    // A retired process ends on its own time: its job is settled and the gate released.
    if (this.retiring.delete(child)) {
      if (code !== 0 && !this.closed && signal !== 'SIGKILL') log.warn('a retired job process exited with an error', { code, signal });
      return;
    }
    if (this.child === child || !started) {
      this.child = null;
      this.ready = null;
    }
    this.answers.releaseHeld();
    if (!started) reject(new AppError('INTERNAL', `The job worker stopped while starting (exit ${code ?? signal}).`));
    const c = this.current;
    if (!c || c.child !== child) return;
    this.current = null;
    if (c.kill) clearTimeout(c.kill);
    if (c.killed || c.job.token.aborted) {
      this.removeLitter(c.job);
      c.reject(cancelledError());
    } else c.reject(new AppError('INTERNAL', 'The background worker stopped unexpectedly; the job did not finish and the store was left as before.'));
  }

  private onMessage(child: ChildProcess, m: FromJobProcess): void {
    const c = this.current;
    switch (m.type) {
      case 'progress':
        if (c?.job.id === m.jobId) c.job.onProgress(m.progress);
        return;
      case 'ending':
        // Idle and large: it gives its memory back; the next job starts a new one. A job sent to
        // it in that instant was not started there: it goes to the next process.
        this.retire(child, false);
        if (c?.child === child) void this.resend(c);
        return;
      case 'event':
        this.opts.host.events.emit(m.message.name, m.message.payload as never);
        return;
      case 'done':
      case 'failed':
        if (!c || c.job.id !== m.jobId) return;
        this.current = null;
        if (c.kill) clearTimeout(c.kill);
        this.lastUsage = m.usage;
        log.debug('job ended in its process', { jobId: m.jobId, kind: c.job.kind, ...m.usage, retiring: m.retiring });
        // Before the result goes out: the queue may hand the next job over as soon as it does.
        if (m.retiring) this.retire(child);
        if (m.type === 'done') c.resolve(m.output);
        else c.reject(new AppError(m.error.code, m.error.message, m.error.issues));
        return;
      case 'host':
        // The job committed before it let the gate go: from here a cancel is too late.
        if (m.method === 'gate.release') c?.job.token.finish();
        void this.answers.answer(m.method, m.args).then((a) => this.send(child, { type: 'host.result', callId: m.callId, ...a }));
        return;
    }
  }

  private removeLitter(job: RunnableJob): void {
    removeLitter(this.opts.litter?.(job.kind, job.input) ?? []);
  }
}
