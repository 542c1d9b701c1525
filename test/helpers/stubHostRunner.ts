/**
 * A job worker run directly (no job process, no core) for tests of what runs inside it: the host
 * it asks for tokens, sandboxes, the clock and the write gate answers that there are none.
 */
import { WorkerRunner } from '../../src-main/jobs/workerRunner';
import { WriteGate } from '../../src-main/jobs/writeGate';
import type { WorkerInit } from '../../src-main/jobs/protocol';

export function stubHostRunner(script: string, init: WorkerInit): WorkerRunner {
  return new WorkerRunner({
    script,
    init,
    host: {
      secrets: { get: async () => null },
      sandboxes: { prepare: async () => undefined },
      clock: { sandboxNow: async () => null },
      gate: new WriteGate(),
      events: { emit: () => undefined },
    },
  });
}
