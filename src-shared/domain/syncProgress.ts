/** A collector's progress during a sync (the `sync.progress` event), apart so domain types can use it. */
import { z } from 'zod';
import { ApiName } from './apis';

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

