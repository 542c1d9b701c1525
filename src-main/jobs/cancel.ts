/**
 * Cancellation that reaches synchronous code in another thread. A rebuild runs for seconds in one
 * synchronous call in the worker, where no message is delivered; the flag lives in shared memory,
 * so the core sets it and the rebuild sees it at its next check. `abortSignal` serves the async
 * code (fetches), aborted when the worker receives the cancel message.
 */
import { AppError } from '../../src-shared/errors';

export class CancelToken {
  readonly flag: Int32Array;
  private readonly controller = new AbortController();

  constructor(flag?: Int32Array) {
    this.flag = flag ?? new Int32Array(new SharedArrayBuffer(4));
  }

  get aborted(): boolean {
    return Atomics.load(this.flag, 0) === 1 || this.controller.signal.aborted;
  }

  get abortSignal(): AbortSignal {
    return this.controller.signal;
  }

  cancel(): void {
    Atomics.store(this.flag, 0, 1);
    if (!this.controller.signal.aborted) this.controller.abort();
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
