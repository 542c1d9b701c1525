// Channels of the sync domain.
import { z } from 'zod';
import { channel, OkOutput } from '../channel';
import { ApiName } from '../../domain/apis';
import { ConnectionTestResult, QuarantinePage, SyncEstimate, SyncRun, SyncSettings, SyncStatus } from '../../domain/sync';

const ProfileRef = z.object({ profileId: z.number().int().positive() });
const SyncOptions = ProfileRef.extend({
  /** Which APIs; all three when omitted (Raise is skipped for a profile without a Raise URL). */
  apis: z.array(ApiName).min(1).optional(),
  /** Re-pull everything instead of what changed since the checkpoints. */
  full: z.boolean().default(false),
  /** Let a full walk mark more records deleted than the deletion valve allows (the steward saw the counts). */
  confirmDeletions: z.boolean().default(false),
});

export const syncChannels = {
  /** Calls and time each API needs before a sync starts (a few cheap probe calls). */
  'sync.estimate': channel(SyncOptions, SyncEstimate),
  /** Starts a run in the background; progress arrives as `sync.progress`, the end as `sync.finished`. CONFLICT if one is running. */
  'sync.start': channel(SyncOptions, z.object({ runId: z.number().int() })),
  /** Stops the running sync at a page boundary; what was committed stays. */
  'sync.cancel': channel(ProfileRef, z.object({ cancelled: z.boolean() })),
  'sync.status': channel(ProfileRef, SyncStatus),
  'sync.runs': channel(ProfileRef.extend({ limit: z.number().int().min(1).max(500).default(20) }), z.array(SyncRun)),
  'sync.quarantine': channel(
    ProfileRef.extend({
      limit: z.number().int().min(1).max(500).default(50),
      offset: z.number().int().min(0).default(0),
      includeResolved: z.boolean().default(false),
    }),
    QuarantinePage,
  ),
  /** Forget the checkpoints so the next sync of these APIs reads everything. */
  'sync.resetCheckpoints': channel(ProfileRef.extend({ apis: z.array(ApiName).min(1).optional() }), OkOutput),
  /** The profile's sync settings (the deletion valve's limit). */
  'sync.settings': channel(ProfileRef, SyncSettings),
  'sync.saveSettings': channel(ProfileRef.extend({ settings: SyncSettings }), SyncSettings),
  /** One cheap authenticated call with the stored token: ok, or the typed error's message. */
  'connections.test': channel(ProfileRef.extend({ api: ApiName }), ConnectionTestResult),
};
