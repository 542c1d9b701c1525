/**
 * The overview: donor-volunteer overlap and how far to trust it (last sync per API, records
 * quarantined, open conflicts and duplicate candidates, reconciliation findings).
 * The overlap is one GROUP BY over the covering index persons_by_systems.
 */
import type { Db } from '../store/db';
import type { Overview } from '../../src-shared/domain/insights';
import { insightState, latestIdentityRun } from './measures';

type Overlap = Pick<Overview, 'donorVolunteers' | 'volunteersOnly' | 'donorsOnly' | 'totalPersons'>;

/**
 * The overlap, kept with the measures' state: persons only change with an identity run (every
 * rebuild, merge and undo records one), so the numbers are computed once per run and the
 * overview is then one row read. A missing or older state is computed live.
 */
export function cachedOverlap(db: Db, profileId: number): Overlap {
  const state = insightState(db, profileId);
  const run = latestIdentityRun(db, profileId);
  if (state && (state.identity_run_id ?? null) === run && state.overlap_json) {
    try {
      return JSON.parse(state.overlap_json) as Overlap;
    } catch {
      /* recompute below */
    }
  }
  const o = overlapCounts(db, profileId);
  // A cache only: a read-only store computes it each time.
  if (state && (state.identity_run_id ?? null) === run && !db.readonly) {
    db.prepare('UPDATE insight_state SET overlap_json = ? WHERE profile_id = ?').run(JSON.stringify(o), profileId);
  }
  return o;
}

export function overlapCounts(db: Db, profileId: number): Pick<Overview, 'donorVolunteers' | 'volunteersOnly' | 'donorsOnly' | 'totalPersons'> {
  const rows = db
    .prepare(
      `SELECT has_vomo, (has_crm = 1 OR has_raise = 1) AS donor, COUNT(*) AS n
         FROM persons INDEXED BY persons_by_systems
        WHERE profile_id = ? GROUP BY has_vomo, has_crm, has_raise`,
    )
    .all(profileId) as { has_vomo: number; donor: number; n: number }[];
  const out = { donorVolunteers: 0, volunteersOnly: 0, donorsOnly: 0, totalPersons: 0 };
  for (const r of rows) {
    out.totalPersons += r.n;
    if (r.has_vomo && r.donor) out.donorVolunteers += r.n;
    else if (r.has_vomo) out.volunteersOnly += r.n;
    else if (r.donor) out.donorsOnly += r.n;
  }
  return out;
}

function count(db: Db, sql: string, ...args: unknown[]): number {
  return (db.prepare(sql).get(...args) as { n: number }).n;
}

/**
 * `reconciliationFindings`: the findings of the latest finished reconciliation, from its own
 * domain (null: none ran yet).
 */
export function overview(db: Db, profileId: number, reconciliationFindings: number | null = null): Overview {
  const sync = (['vomo', 'crm', 'raise'] as const).map((api) => {
    const last = db
      .prepare(
        `SELECT c.status, COALESCE(c.finished_at, c.started_at, r.started_at) AS at, c.error_message
           FROM sync_run_collectors c JOIN sync_runs r ON r.id = c.run_id
          WHERE r.profile_id = ? AND c.api = ? AND c.status <> 'skipped'
          ORDER BY r.started_at DESC, r.id DESC LIMIT 1`,
      )
      .get(profileId, api) as { status: string; at: string | null; error_message: string | null } | undefined;
    const ok = db
      .prepare(
        `SELECT COALESCE(c.finished_at, r.finished_at) AS at
           FROM sync_run_collectors c JOIN sync_runs r ON r.id = c.run_id
          WHERE r.profile_id = ? AND c.api = ? AND c.status = 'ok'
          ORDER BY r.started_at DESC, r.id DESC LIMIT 1`,
      )
      .get(profileId, api) as { at: string | null } | undefined;
    return {
      api,
      lastRunAt: last?.at ?? null,
      lastStatus: last?.status ?? null,
      lastOkAt: ok?.at ?? null,
      errorMessage: last?.status === 'failed' ? (last.error_message ?? null) : null,
    };
  });
  return {
    ...cachedOverlap(db, profileId),
    trust: {
      sync,
      quarantined: count(db, 'SELECT COUNT(*) AS n FROM quarantine WHERE profile_id = ? AND resolved_at IS NULL', profileId),
      openConflicts: count(db, "SELECT COUNT(*) AS n FROM conflicts WHERE profile_id = ? AND active = 1 AND status = 'open'", profileId),
      openDuplicates: count(db, "SELECT COUNT(*) AS n FROM split_candidates WHERE profile_id = ? AND status = 'open'", profileId),
      reconciliationFindings,
      measuresRefreshedAt: insightState(db, profileId)?.refreshed_at ?? null,
    },
  };
}
