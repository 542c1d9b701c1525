/**
 * The Raise → CRM+ lag actually observed: for every matched pair, the CRM+ gift's creation time
 * minus the Raise gift's. Shown beside the lag window so the steward can set it from evidence.
 */
import type { Db } from '../store/db';
import type { LagStats } from '../../src-shared/domain/reconcile';
import { raiseOrigin } from './raiseCrm';

const BUCKETS: { label: string; upTo: number | null }[] = [
  { label: '≤ 1 min', upTo: 60 },
  { label: '≤ 5 min', upTo: 300 },
  { label: '≤ 15 min', upTo: 900 },
  { label: '≤ 1 h', upTo: 3600 },
  { label: '≤ 6 h', upTo: 6 * 3600 },
  { label: '≤ 24 h', upTo: 24 * 3600 },
  { label: '≤ 48 h', upTo: 48 * 3600 },
  { label: '≤ 7 days', upTo: 7 * 86400 },
  { label: '> 7 days', upTo: null },
];

/** Nearest-rank percentile of sorted values (p in 0..1). */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function median(sorted: number[]): number | null {
  const n = sorted.length;
  if (!n) return null;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

export function lagSeconds(db: Db, profileId: number): number[] {
  const values = db
    .prepare(
      `SELECT (julianday(cg.created_at) - julianday(g.created_at)) * 86400.0
         FROM crm_gifts cg
         JOIN raise_gifts g ON g.profile_id = cg.profile_id AND g.id = cg.transaction_id
        WHERE cg.profile_id = ? AND ${raiseOrigin('cg')} AND cg.gone_at IS NULL
          AND cg.created_at IS NOT NULL AND g.created_at IS NOT NULL`,
    )
    .pluck()
    .all(profileId) as (number | null)[];
  return values.filter((v): v is number => v !== null && Number.isFinite(v)).map((v) => Math.round(v * 1000) / 1000).sort((a, b) => a - b);
}

export function lagStatsFrom(sorted: number[], lagHours: number): LagStats {
  const window = lagHours * 3600;
  const histogram = BUCKETS.map((b) => ({ label: b.label, upToSeconds: b.upTo, count: 0 }));
  let within = 0;
  for (const v of sorted) {
    if (v <= window) within++;
    const i = BUCKETS.findIndex((b) => b.upTo === null || v <= b.upTo);
    histogram[i]!.count++;
  }
  return {
    count: sorted.length,
    medianSeconds: median(sorted),
    p95Seconds: percentile(sorted, 0.95),
    minSeconds: sorted[0] ?? null,
    maxSeconds: sorted.at(-1) ?? null,
    withinWindowShare: sorted.length ? within / sorted.length : null,
    histogram,
  };
}

export function lagStats(db: Db, profileId: number, lagHours: number): LagStats {
  return lagStatsFrom(lagSeconds(db, profileId), lagHours);
}
