/**
 * Tuning per API: page sizes, rate limits, filter and sort parameter names, retry policy.
 * Defaults follow the reference (api-shapes.md); tests and the benchmark override them.
 */
import { CRM_MODIFIED_PARAMETER } from '../connectors/crm/paging';

export interface HttpTuning {
  timeoutMs: number;
  retries: number;
  minRetryDelayMs: number;
  maxRetryDelayMs: number;
  max429: number;
  /** Longest single wait honoured for a Retry-After or a budget reset. */
  maxWaitMs: number;
}

export interface VomoTuning {
  /**
   * Starting pace when VOMO sends no rate-limit headers (undocumented; the recipes use 3); the
   * pacing climbs from here to the profile's ceiling. 0 = no pacing unless the server sends limits.
   */
  requestsPerSecond: number;
  maxConcurrent: number | null;
  /** Users whose detail (participations) is read and committed per transaction. */
  detailBatch: number;
  /** Overlap subtracted from the watermark for `updated_after` (ms), against equal timestamps. */
  watermarkOverlapMs: number;
  /**
   * Days of project dates before the previous sync that an incremental sync reads again: a
   * check-out recorded after the sync that saw the check-in, or an hours correction the next day.
   * Each day costs one request per project with a date that day; later changes wait for the
   * periodic full re-read (SyncSettings.participationRereadDays).
   */
  projectDateOverlapDays: number;
}

export interface CrmTuning {
  /** Items per Query call (CRM+ max 1000). */
  take: number;
  /** Items re-read before `skip` to find the anchors. */
  overlap: number;
  contactFilterParameter: string;
  contactSortBy: string;
  giftFilterParameter: string;
  giftSortBy: string;
  filterOperator: string;
  /**
   * Sort of a full walk (no filter): by id, so edits during the walk do not move records and the
   * mirror is written in key order (measured 3-4x less write work at 200k contacts than modified
   * order). null walks full syncs in modified order too.
   */
  fullSortBy: string | null;
  /** 'date' sends YYYY-MM-DD (what production clients send); 'datetime' the full timestamp. */
  filterGranularity: 'date' | 'datetime';
  hourlyLimit: number;
  /** Requests left in the organization's budget for its other integrations. */
  reserve: number;
  maxConcurrent: number;
  /** Whether gifts are collected (reconciliation needs them). */
  gifts: boolean;
}

export interface RaiseTuning {
  take: number;
  overlap: number;
  /** Query parameter of the modified-since filter on /list; null sends none (always a full walk). */
  sinceParam: string | null;
  /** Subtracted from the watermark for the filter (ms): re-reads the edge, idempotently. */
  watermarkOverlapMs: number;
  sortBy: string;
  /** Starting pace (Raise publishes no limit); the pacing climbs to the profile's ceiling. 0 = no pacing. */
  requestsPerSecond: number;
  maxConcurrent: number;
  resources: ('campaigns' | 'donors' | 'gifts' | 'recurringGifts')[];
}

export interface SyncTuning {
  http: HttpTuning;
  vomo: VomoTuning;
  crm: CrmTuning;
  raise: RaiseTuning;
  /** Minimum ms between progress events per collector. */
  progressIntervalMs: number;
  /**
   * WAL auto-checkpoint threshold (pages) while a sync runs. Mirror pages land at random places
   * in big B-trees, so each committed page dirties thousands of database pages; the default
   * (1000) checkpoints after nearly every commit and copies the same hot pages again and again.
   * Restored when the run ends, followed by one passive checkpoint.
   */
  walAutocheckpointPages: number;
}

export const DEFAULT_TUNING: SyncTuning = {
  http: { timeoutMs: 60_000, retries: 5, minRetryDelayMs: 500, maxRetryDelayMs: 30_000, max429: 30, maxWaitMs: 3_600_000 },
  vomo: { requestsPerSecond: 3, maxConcurrent: null, detailBatch: 50, watermarkOverlapMs: 1000, projectDateOverlapDays: 2 },
  crm: {
    take: 1000,
    overlap: 20,
    contactFilterParameter: CRM_MODIFIED_PARAMETER,
    contactSortBy: CRM_MODIFIED_PARAMETER,
    giftFilterParameter: CRM_MODIFIED_PARAMETER,
    giftSortBy: CRM_MODIFIED_PARAMETER,
    filterOperator: 'OnOrAfter',
    fullSortBy: 'Id',
    filterGranularity: 'date',
    hourlyLimit: 5000,
    reserve: 50,
    maxConcurrent: 2,
    gifts: true,
  },
  raise: {
    take: 500,
    overlap: 10,
    sinceParam: 'ModifiedAfter',
    watermarkOverlapMs: 1000,
    sortBy: 'id',
    requestsPerSecond: 5,
    maxConcurrent: 2,
    resources: ['campaigns', 'donors', 'gifts', 'recurringGifts'],
  },
  progressIntervalMs: 250,
  walAutocheckpointPages: 20_000,
};

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object | null ? DeepPartial<T[K]> : T[K] };

export function mergeTuning(base: SyncTuning, over?: DeepPartial<SyncTuning>): SyncTuning {
  if (!over) return base;
  return {
    http: { ...base.http, ...(over.http ?? {}) } as HttpTuning,
    vomo: { ...base.vomo, ...(over.vomo ?? {}) } as VomoTuning,
    crm: { ...base.crm, ...(over.crm ?? {}) } as CrmTuning,
    raise: { ...base.raise, ...(over.raise ?? {}) } as RaiseTuning,
    progressIntervalMs: over.progressIntervalMs ?? base.progressIntervalMs,
    walAutocheckpointPages: over.walAutocheckpointPages ?? base.walAutocheckpointPages,
  };
}
