/**
 * Events pushed from main to renderer. One map, each payload a zod schema, so both shells
 * forward them unchanged and the renderer gets typed payloads.
 */
import { z } from 'zod';
import { ApiName } from '../domain/apis';
import { StoreJob } from '../domain/store';
import { JobInfo } from '../domain/jobs';

export const SyncProgress = z.object({
  profileId: z.number(),
  runId: z.number(),
  api: ApiName,
  phase: z.enum(['estimating', 'running', 'waiting', 'done', 'failed', 'cancelled', 'skipped']),
  resource: z.string().nullable(),
  pages: z.number(),
  records: z.number(),
  total: z.number().nullable(),
  /** Requests left in the API's budget as the server last reported it, when it reports one. */
  budgetRemaining: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  message: z.string().nullable(),
});
export type SyncProgress = z.infer<typeof SyncProgress>;

export const events = {
  'sync.progress': SyncProgress,
  'sync.finished': z.object({ profileId: z.number(), runId: z.number(), status: z.string() }),
  /** Something in the store changed; views of that profile should refetch. */
  'data.changed': z.object({ profileId: z.number().nullable(), scope: z.string() }),
  'profiles.changed': z.object({}),
  /** Long-running background work other than sync (reconciliation, push, sandbox start). */
  'task.progress': z.object({
    profileId: z.number().nullable(),
    task: z.string(),
    step: z.string(),
    current: z.number(),
    total: z.number().nullable(),
    done: z.boolean(),
    message: z.string().nullable(),
  }),
  /** A backup or restore moved on (bytes written) or ended. */
  'store.job': StoreJob,
  /** The store was replaced (a restore, a new store) or opened: every view reloads. */
  'store.changed': z.object({ state: z.enum(['open', 'unavailable', 'restoring']) }),
  /** A long job changed state or made progress (queued, running step n of m, done, failed, cancelled). */
  'job.progress': JobInfo,
};

export type Events = typeof events;
export type EventName = keyof Events & string;
export type EventPayload<K extends EventName> = z.infer<Events[K]>;
export type EventMessage = { [K in EventName]: { name: K; payload: EventPayload<K> } }[EventName];
