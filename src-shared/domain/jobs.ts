/**
 * Long jobs (the identity rebuild, insight measures, list exports, reconciliation runs, a decision
 * on many conflicts): what the
 * views see of them. One job runs at a time in the worker; each reports progress and can be
 * cancelled, and a cancelled job leaves the store as it was before it started.
 */
import { z } from 'zod';
import { IpcErrorShape } from '../errors';

export const JOB_KINDS = ['rebuild', 'measures', 'export', 'reconcile', 'conflicts', 'findingsCsv', 'fixList'] as const;
export const JobKind = z.enum(JOB_KINDS);
export type JobKind = z.infer<typeof JobKind>;

export const JobState = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobState>;

export const JobInfo = z.object({
  id: z.number(),
  kind: JobKind,
  profileId: z.number().nullable(),
  state: JobState,
  /** What the job does, in the steward's words ("Rebuilding the person store"). */
  label: z.string(),
  /** The current step (rebuild: join, lineage, measures, …) with how far it got. */
  step: z.string().nullable(),
  done: z.number(),
  total: z.number().nullable(),
  message: z.string().nullable(),
  error: IpcErrorShape.nullable(),
  /** The sync run whose post-processing this job is (the Sync view shows it as its last step). */
  syncRunId: z.number().nullable(),
  queuedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type JobInfo = z.infer<typeof JobInfo>;

export const ACTIVE_JOB_STATES: readonly JobState[] = ['queued', 'running'];
