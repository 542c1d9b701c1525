/** What every collector gets from the service, and the counting helpers they share. */
import type { Db } from '../../store/db';
import { API_LABELS, resourceWords, type ApiName } from '../../../src-shared/domain/apis';
import type { ApiEstimate, EntityCounts, SyncSettings, UnavailableResource } from '../../../src-shared/domain/sync';
import { AppError } from '../../../src-shared/errors';
import { RemoteCallError } from '../../connectors/shared/parseValues';
import type { ApiObservations } from '../../store/repos/apiObservations';
import type { Checkpoints } from '../checkpoints';
import type { ProgressReporter } from '../progress';
import type { QuarantineWriter } from '../quarantine';
import type { RunLog, CollectorResult } from '../runs';
import type { UpsertOutcome } from '../mirrors/table';
import type { DeletionValve, Sweepable } from '../deletionValve';

export interface CollectorContext {
  db: Db;
  profileId: number;
  runId: number;
  full: boolean;
  signal: AbortSignal;
  progress: ProgressReporter;
  quarantine: QuarantineWriter;
  checkpoints: Checkpoints;
  runLog: RunLog;
  /** Every deletion sweep goes through it: it may hold a sweep that would mark too much. */
  valve: DeletionValve;
  settings: SyncSettings;
  observations: ApiObservations;
}

export interface EstimateContext {
  db: Db;
  profileId: number;
  full: boolean;
  signal?: AbortSignal;
  settings: SyncSettings;
  observations: ApiObservations;
}

export interface Collector {
  readonly api: ApiName;
  estimate(ctx: EstimateContext): Promise<ApiEstimate>;
  run(ctx: CollectorContext, estimate: ApiEstimate | null): Promise<CollectorResult>;
  /** Calls made by this collector's client so far. */
  calls(): number;
  /** What the current/last run committed so far (kept when a run fails or is cancelled). */
  tally(): Tally;
  lastEstimate(): ApiEstimate | null;
  close(): void;
}

export function emptyCounts(): EntityCounts {
  return { new: 0, updated: 0, unchanged: 0, quarantined: 0, gone: 0, held: 0 };
}

export class Tally {
  readonly entities: Record<string, EntityCounts> = {};
  pages = 0;
  records = 0;
  of(entity: string): EntityCounts {
    return (this.entities[entity] ??= emptyCounts());
  }
  count(entity: string, outcome: UpsertOutcome | 'quarantined'): void {
    this.of(entity)[outcome]++;
    this.records++;
  }
}

export function checkCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new AppError('CANCELLED', 'The sync was cancelled.');
}

export function estimateFailed(api: ApiName, err: unknown): ApiEstimate {
  const e = err instanceof AppError ? err : null;
  return {
    api,
    status: 'failed',
    resources: [],
    calls: null,
    seconds: null,
    rateLimit: null,
    budgetRemaining: null,
    probeCalls: 0,
    error: e ? e.message : (err as Error)?.message ?? String(err),
    errorCode: e ? e.code : 'INTERNAL',
  };
}

/**
 * An optional resource's failure that means "not offered to this account" (404, 405, 501) or "not
 * for this token" (403), in words; null for anything else (a 5xx, a malformed page, a 401).
 */
export function unavailability(api: ApiName, resource: string, err: unknown): UnavailableResource | null {
  if (!(err instanceof RemoteCallError) || err.status === null) return null;
  const s = err.status;
  const what = `${API_LABELS[api]} ${resourceWords(resource)}`;
  if (s === 404 || s === 405 || s === 501) return { resource, status: 'unavailable', httpStatus: s, reason: `${what}: not available to this account (HTTP ${s}); the rest was synced` };
  if (s === 403) return { resource, status: 'forbidden', httpStatus: s, reason: `${what}: this token may not read them (HTTP 403); the rest was synced` };
  return null;
}

/** How long a resource found unavailable is taken at its word before it is probed again. */
export const UNAVAILABLE_RECHECK_MS = 24 * 3_600_000;

/** A resource's status as last checked, if it said unavailable recently enough to skip it. */
export function knownUnavailable(ctx: EstimateContext, api: ApiName, resource: string): UnavailableResource | null {
  if (ctx.full) return null;
  const r = ctx.observations.resource(ctx.profileId, api, resource, UNAVAILABLE_RECHECK_MS);
  if (!r || (r.status !== 'unavailable' && r.status !== 'forbidden')) return null;
  return { resource, status: r.status, httpStatus: r.httpStatus, reason: r.message };
}

/** Highest of two ISO timestamps (either may be null). */
export function maxIso(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

/** A completed full walk's deletion sweep, through the valve; what it marked or held is tallied. */
export function sweepGone(ctx: CollectorContext, tally: Tally, table: Sweepable, resource: string, walkStartedAt: string, now: string): void {
  const before = ctx.valve.holds.length;
  tally.of(resource).gone += ctx.valve.sweep(table, resource, ctx.profileId, walkStartedAt, now);
  for (const h of ctx.valve.holds.slice(before)) tally.of(resource).held += h.wouldMark;
}
