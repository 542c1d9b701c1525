/**
 * Cancellation that reaches synchronous code in another thread. A rebuild runs for seconds in one
 * synchronous call in the worker, where no message is delivered; the flag lives in shared memory,
 * so the core sets it and the rebuild sees it at its next check. `abortSignal` serves the async
 * code (fetches), aborted when the worker receives the cancel message.
 *
 * The flag has three states: 0 running, 1 cancel asked, 2 finished (the job's writes are
 * committed). Whoever moves it first from 0 wins: a cancel that arrives after the job finished
 * is refused rather than reported, so "cancelled" always means the store is as it was.
 */
import { AppError } from '../../src-shared/errors';

export class CancelToken {
  readonly flag: Int32Array;
  private readonly controller = new AbortController();

  constructor(flag?: Int32Array) {
    this.flag = flag ?? new Int32Array(new SharedArrayBuffer(4));
  }

  get aborted(): boolean {
    const state = Atomics.load(this.flag, 0);
    // Finished wins over a cancel that came too late (see finish()).
    return state !== 2 && (state === 1 || this.controller.signal.aborted);
  }

  /** The job's work is committed: too late to cancel it. */
  get finished(): boolean {
    return Atomics.load(this.flag, 0) === 2;
  }

  /**
   * Mark the job's work as committed, as soon as its last transaction returns. A cancel asked in
   * the instant before (while the commit ran) cannot undo it, so it is overruled here: the job
   * reports done and the worker is not stopped under it.
   */
  finish(): void {
    Atomics.store(this.flag, 0, 2);
  }

  get abortSignal(): AbortSignal {
    return this.controller.signal;
  }

  /** Ask the job to stop; false when it has already finished. */
  cancel(): boolean {
    if (Atomics.compareExchange(this.flag, 0, 0, 1) === 2) return false;
    if (!this.controller.signal.aborted) this.controller.abort();
    return true;
  }

  throwIfAborted(): void {
    if (this.aborted) throw cancelledError();
  }
}

export function cancelledError(): AppError {
  return new AppError('CANCELLED', 'Cancelled; the store is as it was before.');
}

export function isCancelled(err: unknown): boolean {
  return err instanceof AppError && err.code === 'CANCELLED';
}
