/**
 * The cancel flag shared with the worker: "cancelled" must always mean the store is as it was, so
 * a cancel and the job's commit race for the flag and only one of them wins.
 */
import { describe, expect, it } from 'vitest';
import { CancelToken } from '../../src-main/jobs/cancel';

describe('a job cancel token', () => {
  it('a cancel before the job finishes is taken: the job sees it, in this thread and through the shared flag', () => {
    const t = new CancelToken();
    const inWorker = new CancelToken(t.flag);
    expect(t.cancel()).toBe(true);
    expect(t.aborted).toBe(true);
    expect(inWorker.aborted).toBe(true);
    expect(() => inWorker.throwIfAborted()).toThrow(/Cancelled/);
  });

  it('a cancel after the job finished is refused, so a committed job is never reported cancelled', () => {
    const t = new CancelToken();
    const inWorker = new CancelToken(t.flag);
    inWorker.finish();
    expect(t.finished).toBe(true);
    expect(t.cancel()).toBe(false);
    expect(t.aborted).toBe(false);
    expect(t.abortSignal.aborted).toBe(false);
  });

  it('a job that commits while a cancel is on its way is marked finished, and the hard stop leaves it alone', () => {
    const t = new CancelToken();
    const inWorker = new CancelToken(t.flag);
    t.cancel();
    inWorker.finish();
    expect(t.finished).toBe(true);
    expect(t.aborted).toBe(false);
    expect(() => inWorker.throwIfAborted()).not.toThrow();
  });
});
