/** Waiting on jobs in tests: for a condition, and for a promise that must reject. */
import type { AppError } from '../../src-shared/errors';

/** Resolves once `test` holds; throws after 20 s. */
export async function until(test: () => boolean): Promise<void> {
  const end = Date.now() + 20_000;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The error a promise rejects with; throws if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected the job to fail');
}
