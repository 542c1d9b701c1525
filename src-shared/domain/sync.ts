/**
 * What the sync domain returns over IPC: estimates, runs with per-collector outcomes, status,
 * quarantine entries and connection tests. No tokens, ever.
 */
import { z } from 'zod';
import { ApiName } from './apis';
import { ErrorCode } from '../errors';
import { SyncProgress } from './syncProgress';

export const CollectorStatus = z.enum(['running', 'ok', 'failed', 'skipped', 'cancelled']);
export type CollectorStatus = z.infer<typeof CollectorStatus>;

export const RunStatus = z.enum(['running', 'ok', 'partial', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof RunStatus>;

/** Per entity (users, participations, contacts, gifts, donors, …). */
export const EntityCounts = z.object({
  new: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  quarantined: z.number().int(),
  /** Marked gone by the deletion sweep of a full walk. */
  gone: z.number().int().default(0),
  /** Not seen by a full walk but left live: more than the deletion valve allows at once (see SyncSettings). */
  held: z.number().int().default(0),
});
export type EntityCounts = z.infer<typeof EntityCounts>;

export const ResourceEstimate = z.object({
  resource: z.string(),
  /** Records changed since the checkpoint (or all, for a full sync), when the API can tell. */
  records: z.number().int().nullable(),
  calls: z.number().int().nullable(),
  /** True when this resource will be read in full (first sync, --full, or no filter). */
  full: z.boolean(),
  /** Why this resource is read the way it is ("every volunteer's participations: the last full read was 31 days ago"). */
  note: z.string().nullable().optional(),
  /** The resource will not be read: the account does not offer it or the token may not read it. */
  unavailable: z.boolean().optional(),
});
export type ResourceEstimate = z.infer<typeof ResourceEstimate>;

export const ApiEstimate = z.object({
  api: ApiName,
  status: z.enum(['ok', 'skipped', 'failed']),
  resources: z.array(ResourceEstimate),
  calls: z.number().int().nullable(),
  /** Expected duration given the rate limit (seconds). */
  seconds: z.number().nullable(),
  /** "3 requests/second", "5,000 requests/hour (1,234 left)". */
  rateLimit: z.string().nullable(),
  budgetRemaining: z.number().nullable(),
  /** Calls the estimate itself used. */
  probeCalls: z.number().int(),
  error: z.string().nullable(),
  errorCode: ErrorCode.nullable(),
});
export type ApiEstimate = z.infer<typeof ApiEstimate>;

export const SyncEstimate = z.object({
  profileId: z.number().int(),
  full: z.boolean(),
  apis: z.array(ApiEstimate),
  /** Collectors run concurrently: the slowest API bounds the run. */
  seconds: z.number().nullable(),
});
export type SyncEstimate = z.infer<typeof SyncEstimate>;

/** An optional resource the run could not read, and why (404, 405, 501: not offered; 403: forbidden). */
export const UnavailableResource = z.object({
  resource: z.string(),
  status: z.enum(['unavailable', 'forbidden']),
  httpStatus: z.number().int().nullable(),
  reason: z.string(),
});
export type UnavailableResource = z.infer<typeof UnavailableResource>;

export const CollectorOutcome = z.object({
  api: ApiName,
  status: CollectorStatus,
  pages: z.number().int(),
  records: z.number().int(),
  new: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  quarantined: z.number().int(),
  errorCode: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  budgetRemaining: z.number().nullable(),
  budgetResetAt: z.string().nullable(),
  entities: z.record(z.string(), EntityCounts),
  estimate: ApiEstimate.nullable(),
  /** Optional resources not read (the API's status stays ok). */
  unavailable: z.array(UnavailableResource).default([]),
});
export type CollectorOutcome = z.infer<typeof CollectorOutcome>;

export const SyncRun = z.object({
  id: z.number().int(),
  profileId: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  status: z.string(),
  full: z.boolean(),
  apis: z.array(ApiName),
  collectors: z.array(CollectorOutcome),
});
export type SyncRun = z.infer<typeof SyncRun>;

export const LastApiRun = z.object({
  runId: z.number().int(),
  status: CollectorStatus,
  records: z.number().int(),
  quarantined: z.number().int(),
  error: z.string().nullable(),
  errorCode: z.string().nullable(),
  finishedAt: z.string().nullable(),
  budgetRemaining: z.number().nullable(),
  /** The last run of this API that ended ok (for "synced 2 h ago"). */
  lastOkAt: z.string().nullable(),
  unavailable: z.array(UnavailableResource).default([]),
});
export type LastApiRun = z.infer<typeof LastApiRun>;

/** One resource as a connection check (or a sync's probe) found it. */
export const ResourceCheck = z.object({
  api: ApiName,
  resource: z.string(),
  required: z.boolean(),
  status: z.enum(['available', 'unavailable', 'forbidden', 'failed']),
  /** The HTTP status of the answer, when there was one. */
  httpStatus: z.number().int().nullable(),
  /** In words: "not available (HTTP 404)", "forbidden for this token (HTTP 403)". */
  message: z.string(),
  checkedAt: z.string(),
});
export type ResourceCheck = z.infer<typeof ResourceCheck>;

/**
 * The rate limit an API last reported in its headers: for CRM+ the organization's hourly budget,
 * shared with every other integration. One figure, shown wherever a request is about to be spent.
 */
export const ApiBudget = z.object({
  api: ApiName,
  limit: z.number().nullable(),
  remaining: z.number().nullable(),
  /** When the window resets (ISO), if the server said. */
  resetAt: z.string().nullable(),
  /** When the answer carrying these headers arrived (ISO). */
  observedAt: z.string(),
});
export type ApiBudget = z.infer<typeof ApiBudget>;

/** The monthly re-read of every volunteer's participations (VOMO), as the store knows it. */
export const ParticipationReread = z.object({
  /** When every volunteer's participations were last read in full (null: never). */
  lastFullAt: z.string().nullable(),
  /** Days between full re-reads (the profile's setting). */
  everyDays: z.number().int(),
  /** The next sync re-reads every volunteer's participations. */
  due: z.boolean(),
  /** Volunteers whose participations a full re-read asks for (one request each). */
  users: z.number().int(),
});
export type ParticipationReread = z.infer<typeof ParticipationReread>;

export const SyncStatus = z.object({
  profileId: z.number().int(),
  running: z
    .object({
      runId: z.number().int(),
      startedAt: z.string(),
      full: z.boolean(),
      apis: z.array(ApiName),
      progress: z.array(SyncProgress),
    })
    .nullable(),
  lastByApi: z.object({ vomo: LastApiRun.nullable(), crm: LastApiRun.nullable(), raise: LastApiRun.nullable() }),
  quarantineOpen: z.number().int(),
  /** Records set aside and not read since, per API: what the Quarantined records table lists. */
  quarantineOpenByApi: z.object({ vomo: z.number().int(), crm: z.number().int(), raise: z.number().int() }),
  /** The latest rate-limit figure per API (CRM+: the hourly budget). */
  budgets: z.object({ vomo: ApiBudget.nullable(), crm: ApiBudget.nullable(), raise: ApiBudget.nullable() }),
  /** What the last connection check or sync found per resource. */
  resources: z.array(ResourceCheck).default([]),
  participations: ParticipationReread,
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const QuarantineItem = z.object({
  id: z.number().int(),
  api: ApiName,
  resource: z.string(),
  sourceId: z.string().nullable(),
  reason: z.string(),
  rawJson: z.string(),
  runId: z.number().int().nullable(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  resolvedAt: z.string().nullable(),
});
export type QuarantineItem = z.infer<typeof QuarantineItem>;

export const QuarantinePage = z.object({ total: z.number().int(), items: z.array(QuarantineItem) });
export type QuarantinePage = z.infer<typeof QuarantinePage>;

/** The rate-limit headers one answer carried. */
export const RateLimitHeaders = z.object({
  limit: z.number().nullable(),
  remaining: z.number().nullable(),
  resetAt: z.string().nullable(),
  retryAfterSeconds: z.number().nullable(),
});
export type RateLimitHeaders = z.infer<typeof RateLimitHeaders>;

export const ConnectionTestResult = z.object({
  api: ApiName,
  ok: z.boolean(),
  code: ErrorCode.nullable(),
  message: z.string(),
  ms: z.number().int(),
  /** Each resource the collectors read, called once with the smallest page. */
  resources: z.array(ResourceCheck).default([]),
  /** The rate-limit headers the server sent (null: none), and how Twofold will pace. */
  rateLimit: RateLimitHeaders.nullable().default(null),
  pacing: z.string().nullable().default(null),
});
export type ConnectionTestResult = z.infer<typeof ConnectionTestResult>;

/** `twofold sync --json`: keyed by API. */
export const CliSyncSummaryEntry = z.object({
  status: z.enum(['ok', 'failed', 'skipped', 'cancelled']),
  records: z.number().int(),
  quarantined: z.number().int(),
  error: z.string().nullable(),
  /** Optional resources not read: `["recurringGifts"]`. */
  unavailable: z.array(z.string()),
});

/** Per-profile sync settings (profile_settings key `sync`). */
export const SyncSettings = z.object({
  /**
   * The deletion valve: a full sync that would mark more than this share (percent) of a
   * resource's live records as deleted marks none and asks first.
   */
  deletionLimitPercent: z.number().min(0).max(100).default(20),
  /**
   * Highest pace (requests per second) for an API that publishes no rate limit (Raise; VOMO
   * when it sends no headers). Twofold starts at 3-5/s and climbs while the server keeps
   * answering without a 429; this caps the climb. Servers that send limits are paced to them.
   */
  paceCeilingPerSecond: z.number().min(1).max(500).default(30),
  /**
   * Days between full re-reads of every volunteer's participations (one request per volunteer).
   * Between them an incremental sync reads only the project dates since the previous sync.
   */
  participationRereadDays: z.number().int().min(1).max(365).default(30),
});
export type SyncSettings = z.infer<typeof SyncSettings>;
export const SYNC_SETTINGS_KEY = 'sync';
