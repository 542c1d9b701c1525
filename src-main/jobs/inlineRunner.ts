/**
 * Runs jobs on the calling thread, over the core's own connection: the CLI (one command, nobody
 * waiting on its thread) and the tests that are not about threads.
 */
import type { JobKind } from '../../src-shared/domain/jobs';
import type { WriteGate } from './writeGate';
import { jobKinds, type JobServices } from './kinds';
import type { JobOutput, JobRunner, RunnableJob } from './types';
import { databasePath } from '../store/db';
import { storeWriteError } from '../store/storeErrors';

export class InlineRunner implements JobRunner {
  constructor(
    private readonly services: JobServices,
    private readonly gate: WriteGate,
  ) {}

  run<K extends JobKind>(job: RunnableJob<K>): Promise<JobOutput<K>> {
    const impl = jobKinds[job.kind] as (s: JobServices, i: unknown, ctx: Parameters<(typeof jobKinds)[K]>[2]) => Promise<JobOutput<K>>;
    return impl(this.services, job.input, {
      token: job.token,
      progress: job.onProgress,
      exclusive: (fn) => this.gate.exclusive(fn),
      dedicatedConnection: false,
    }).catch((err: unknown) => {
      throw storeWriteError(err, databasePath(this.services.exports.dataDir));
    });
  }

  cancel(): void {
    /* the queue already set the job's token; synchronous work here cannot be interrupted */
  }

  async close(): Promise<void> {}
}
