/**
 * The job queue of a core: long jobs run one at a time, in order, on a runner (the worker thread
 * in the app, inline in the CLI). Each job is queued → running → done | failed | cancelled, and
 * every change goes out as a `job.progress` event.
 *
 * Rules: a queued job that is cancelled never runs; a running one is asked to stop (the runner
 * makes sure it does) and leaves the store as before; a failure reaches the caller as an AppError
 * with its code and the next job runs; a rebuild or measures request identical to one still
 * queued joins it instead of queuing twice (a sync and a read asking for the same work).
 */
import type { JobInfo, JobKind } from '../../src-shared/domain/jobs';
import { AppError, type IpcErrorShape } from '../../src-shared/errors';
import type { EventBus } from '../core/events';
import { log } from '../core/log';
import { CancelToken, cancelledError, isCancelled } from './cancel';
import type { JobInput, JobOutput, JobProgress, JobRunner } from './types';

const LABELS: Record<JobKind, string> = {
  rebuild: 'Rebuilding the person store',
  measures: 'Refreshing the insight measures',
  export: 'Exporting a list',
  reconcile: 'Reconciling the systems',
  conflicts: 'Deciding conflicts',
  findingsCsv: 'Exporting reconciliation findings',
  fixList: 'Exporting a fix list',
};

/** Finished jobs kept for the views (the last outcome of each kind). */
const KEEP_FINISHED = 20;
/** Progress events of one job at most this often (state changes always go out). */
const PROGRESS_EVERY_MS = 100;

interface Entry {
  info: JobInfo;
  input: unknown;
  token: CancelToken;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  done: Promise<unknown>;
  lastEmit: number;
}

export interface JobMeta {
  profileId: number | null;
  syncRunId?: number | null;
}

export class JobQueue {
  private readonly entries: Entry[] = [];
  private running: Entry | null = null;
  private seq = 0;
  private closed = false;

  constructor(
    private readonly runner: JobRunner,
    private readonly events: Pick<EventBus, 'emit'>,
  ) {}

  /** Queues a job; `done` settles with its output or its typed error. */
  submit<K extends JobKind>(kind: K, input: JobInput<K>, meta: JobMeta): { id: number; done: Promise<JobOutput<K>> } {
    if (this.closed) throw new AppError('CONFLICT', 'Twofold is shutting down.');
    const same = this.joinable(kind, input, meta);
    if (same) return { id: same.info.id, done: same.done as Promise<JobOutput<K>> };
    let resolve!: (v: unknown) => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Callers that only queue (a sync's follow-up) must not see an unhandled rejection.
    done.catch(() => undefined);
    const entry: Entry = {
      info: {
        id: ++this.seq,
        kind,
        profileId: meta.profileId,
        state: 'queued',
        label: LABELS[kind],
        step: null,
        done: 0,
        total: null,
        message: null,
        error: null,
        syncRunId: meta.syncRunId ?? null,
        queuedAt: new Date().toISOString(),
        startedAt: null,
        finishedAt: null,
      },
      input,
      token: new CancelToken(),
      resolve,
      reject,
      done,
      lastEmit: 0,
    };
    this.entries.push(entry);
    this.emit(entry);
    this.pump();
    return { id: entry.info.id, done: done as Promise<JobOutput<K>> };
  }

  run<K extends JobKind>(kind: K, input: JobInput<K>, meta: JobMeta): Promise<JobOutput<K>> {
    return this.submit(kind, input, meta).done;
  }

  cancel(jobId: number): boolean {
    const e = this.entries.find((x) => x.info.id === jobId);
    if (!e || (e.info.state !== 'queued' && e.info.state !== 'running')) return false;
    if (e.info.state === 'queued') {
      this.settle(e, 'cancelled', cancelledError());
      return true;
    }
    // Finished in the worker, its result on the way: too late, and not to be called cancelled.
    if (!e.token.cancel()) return false;
    e.info.message = 'Cancelling…';
    this.emit(e);
    this.runner.cancel(jobId);
    return true;
  }

  /** Cancels every queued or running job of a kind for a profile; returns how many. */
  cancelKind(profileId: number, kind: JobKind): number {
    return this.entries.filter((e) => e.info.kind === kind && e.info.profileId === profileId && isActive(e)).filter((e) => this.cancel(e.info.id)).length;
  }

  /** Queued and running jobs first, then the last finished ones. */
  list(profileId?: number | null): JobInfo[] {
    const mine = this.entries.filter((e) => profileId == null || e.info.profileId === profileId).map((e) => ({ ...e.info }));
    return [...mine.filter((j) => j.state === 'queued' || j.state === 'running'), ...mine.filter((j) => j.state !== 'queued' && j.state !== 'running').reverse()];
  }

  active(profileId: number, kind: JobKind): JobInfo | undefined {
    return this.entries.find((e) => e.info.profileId === profileId && e.info.kind === kind && isActive(e))?.info;
  }

  /** Cancels what is queued, stops what runs, and stops the runner. */
  async close(): Promise<void> {
    this.closed = true;
    for (const e of [...this.entries]) if (isActive(e)) this.cancel(e.info.id);
    const running = this.running;
    if (running) await running.done.catch(() => undefined);
    await this.runner.close();
  }

  private joinable(kind: JobKind, input: unknown, meta: JobMeta): Entry | undefined {
    if (kind !== 'rebuild' && kind !== 'measures') return undefined;
    const key = JSON.stringify(input);
    return this.entries.find((e) => e.info.state === 'queued' && e.info.kind === kind && e.info.profileId === meta.profileId && JSON.stringify(e.input) === key);
  }

  private pump(): void {
    if (this.running) return;
    const next = this.entries.find((e) => e.info.state === 'queued');
    if (!next) return;
    this.running = next;
    next.info.state = 'running';
    next.info.startedAt = new Date().toISOString();
    this.emit(next);
    const onProgress = (p: JobProgress) => {
      if (next.info.state !== 'running') return;
      const stepChanged = p.step !== next.info.step;
      next.info.step = p.step;
      next.info.done = p.done;
      next.info.total = p.total;
      if (p.message !== undefined) next.info.message = p.message;
      if (stepChanged || Date.now() - next.lastEmit >= PROGRESS_EVERY_MS) this.emit(next);
    };
    this.runner
      .run({ id: next.info.id, kind: next.info.kind, input: next.input as never, token: next.token, onProgress })
      .then(
        (out) => this.settle(next, 'done', out),
        (err) => this.settle(next, next.token.aborted || isCancelled(err) ? 'cancelled' : 'failed', err),
      )
      .finally(() => {
        if (this.running === next) this.running = null;
        this.pump();
      });
  }

  private settle(e: Entry, state: 'done' | 'failed' | 'cancelled', value: unknown): void {
    e.info.state = state;
    e.info.finishedAt = new Date().toISOString();
    if (state === 'done') {
      e.info.message = null;
      e.resolve(value);
    } else {
      const err = state === 'cancelled' ? cancelledError() : toAppError(value, e.info.kind);
      e.info.error = err.toShape() as IpcErrorShape;
      e.info.message = err.message;
      e.reject(err);
    }
    this.emit(e);
    this.prune();
  }

  private prune(): void {
    const finished = this.entries.filter((e) => !isActive(e));
    for (const e of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.entries.splice(this.entries.indexOf(e), 1);
  }

  private emit(e: Entry): void {
    e.lastEmit = Date.now();
    this.events.emit('job.progress', { ...e.info });
  }
}

function isActive(e: Entry): boolean {
  return e.info.state === 'queued' || e.info.state === 'running';
}

function toAppError(err: unknown, kind: JobKind): AppError {
  if (err instanceof AppError) return err;
  log.error(`job ${kind} failed`, { error: err });
  return new AppError('INTERNAL', `${LABELS[kind]} failed. Details are in the log.`);
}
