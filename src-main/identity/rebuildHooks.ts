/**
 * What the caller of a rebuild can hook into: progress between phases, and cancel. A rebuild runs
 * inside one transaction (the caller's), so cancelling is throwing between two phases: the
 * transaction rolls back and the store is exactly as it was before the rebuild started. Long
 * phases also check between batches (a first build writes a million rows in one phase).
 */
import { AppError } from '../../src-shared/errors';

export interface RebuildHooks {
  /**
   * Called when a phase starts (its name, how many phases are done, how many there are), and
   * once more when the last is done (done = total).
   */
  onProgress?(step: string, done: number, total: number): void;
  /** Aborting it cancels the rebuild at the next check. */
  signal?: AbortSignal;
  /** Polled at every check; true cancels the rebuild. */
  shouldCancel?(): boolean;
  /**
   * Not a hook: the caller started the rebuild's transaction for it and wrote no mirror row in it,
   * so another connection reads the mirrors as the rebuild does (a load of every record may then
   * read them on a second thread: mirrorReader.ts).
   */
  mirrorsCommitted?: boolean;
}

/** The phases of a rebuild, in order (rebuildPipeline.ts runs them). */
export const REBUILD_STEPS = ['records', 'join', 'persons', 'links', 'lineage', 'conflicts', 'indexes', 'splits'] as const;
export type RebuildStep = (typeof REBUILD_STEPS)[number];

export class RebuildCancelled extends AppError {
  constructor() {
    super('CANCELLED', 'The rebuild was cancelled; the person store is as it was.');
  }
}

export interface Checkpoint {
  /** Enter a phase: cancel check, then progress. */
  step(name: RebuildStep): void;
  /** Inside a long phase: cancel check only. */
  check(): void;
  /** After the last phase: a last cancel check, then progress at total. */
  done(): void;
}

export function checkpoint(hooks: RebuildHooks | undefined): Checkpoint {
  const check = () => {
    if (hooks?.signal?.aborted || hooks?.shouldCancel?.()) throw new RebuildCancelled();
  };
  return {
    check,
    step(name) {
      check();
      hooks?.onProgress?.(name, REBUILD_STEPS.indexOf(name), REBUILD_STEPS.length);
    },
    done() {
      check();
      hooks?.onProgress?.(REBUILD_STEPS[REBUILD_STEPS.length - 1], REBUILD_STEPS.length, REBUILD_STEPS.length);
    },
  };
}
