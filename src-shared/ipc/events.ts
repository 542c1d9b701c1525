/**
 * Events pushed from main to renderer. One map, each payload a zod schema, so both shells
 * forward them unchanged and the renderer gets typed payloads.
 */
import { z } from 'zod';
import { StoreJob } from '../domain/store';
import { JobInfo } from '../domain/jobs';
import { ApiEstimate } from '../domain/sync';
import { SyncProgress } from '../domain/syncProgress';

export { SyncProgress };

export const events = {
  'sync.progress': SyncProgress,
  /** What a run is about to spend per API, before it spends it (the CLI prints it; the Sync view shows it). */
  'sync.estimated': z.object({ profileId: z.number(), runId: z.number(), estimate: ApiEstimate }),
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
