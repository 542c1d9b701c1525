/**
 * `insight_measures`: per-person volunteer and engagement measures, recomputed from the mirrors
 * and the person store in one SQL statement per profile.
 *
 * Verified rule: a participation whose `verified` column is not NULL (the API sent a flag) is
 * verified exactly when the flag is true; otherwise it counts as verified when it has both a
 * check-in and a check-out. `insight_state` keeps how many participations each rule judged, so
 * the UI can say which one applied.
 *
 * Attended instant: check-in, else check-out. "Last participation" is the latest attended
 * instant (normalized to ISO UTC), which is what the activity window of the lapsed list reads.
 *
 * When to call: after every join rebuild (the identity service's rebuild) — the lists also call
 * `ensureInsightMeasures` before reading, which refreshes when the identity run changed since
 * the last refresh, so a missed hook costs one slow first query, never wrong data for long.
 */
import type { Db } from '../store/db';
import { shadowInTemp } from '../store/readOnlyScratch';
import { verifiedParticipationSql } from '../identity/verifiedHours';
import { ENGAGEMENT_RULES, pointsSql } from './engagement';
import { referenceDay } from './dates';
import type { VerifiedRule } from '../../src-shared/domain/insights';

export interface InsightStateRow {
  profile_id: number;
  refreshed_at: string;
  as_of: string;
  identity_run_id: number | null;
  persons: number;
  by_flag: number;
  by_check: number;
  unverified: number;
  overlap_json?: string | null;
}

const VERIFIED = verifiedParticipationSql('vp');
const ATTENDED_AT = `strftime('%Y-%m-%dT%H:%M:%SZ', COALESCE(vp.checked_in_at, vp.checked_out_at))`;

function rule(key: string) {
  return ENGAGEMENT_RULES.find((r) => r.key === key)!;
}

function refreshSql(): string {
  const pts = {
    gr: pointsSql(rule('givingRecencyPts'), 'b.days_since_gift'),
    gf: pointsSql(rule('givingFrequencyPts'), 'b.gift_count'),
    ga: pointsSql(rule('givingAmountPts'), 'b.giving'),
    sr: pointsSql(rule('servingRecencyPts'), 'b.days_since_participation'),
    sh: pointsSql(rule('servingHoursPts'), 'b.verified_hours'),
    sc: pointsSql(rule('servingCountPts'), 'b.verified_participations'),
  };
  return `
    INSERT INTO insight_measures (
      profile_id, person_id, total_hours, verified_hours, participations, verified_participations,
      verified_by_flag, verified_by_check, first_participation_at, last_participation_at, gift_count,
      days_since_gift, days_since_participation,
      giving_recency_pts, giving_frequency_pts, giving_amount_pts, serving_recency_pts, serving_hours_pts, serving_count_pts, score)
    WITH part AS (
      SELECT l.person_id,
             SUM(COALESCE(vp.hours, 0)) AS total_hours,
             COUNT(*) AS participations,
             SUM(CASE WHEN ${VERIFIED} THEN COALESCE(vp.hours, 0) ELSE 0 END) AS verified_hours,
             SUM(CASE WHEN ${VERIFIED} THEN 1 ELSE 0 END) AS verified_participations,
             SUM(vp.verified IS NOT NULL) AS by_flag,
             SUM(vp.verified IS NULL AND vp.checked_in_at IS NOT NULL AND vp.checked_out_at IS NOT NULL) AS by_check,
             MIN(${ATTENDED_AT}) AS first_at,
             MAX(${ATTENDED_AT}) AS last_at
        FROM person_links l
        JOIN vomo_participations vp ON vp.profile_id = l.profile_id AND vp.user_id = l.source_id
       WHERE l.profile_id = @pid AND l.source = 'vomo' AND l.active = 1
       GROUP BY l.person_id
    )
    SELECT c.*, c.gr + c.gf + c.ga + c.sr + c.sh + c.sc
      FROM (
        SELECT b.profile_id, b.person_id, b.total_hours, b.verified_hours, b.participations, b.verified_participations,
               b.by_flag, b.by_check, b.first_at, b.last_at, b.gift_count, b.days_since_gift, b.days_since_participation,
               ${pts.gr} AS gr, ${pts.gf} AS gf, ${pts.ga} AS ga, ${pts.sr} AS sr, ${pts.sh} AS sh, ${pts.sc} AS sc
          FROM (
            SELECT p.profile_id, p.id AS person_id,
                   COALESCE(part.total_hours, 0) AS total_hours,
                   ROUND(COALESCE(part.verified_hours, 0), 2) AS verified_hours,
                   COALESCE(part.participations, 0) AS participations,
                   COALESCE(part.verified_participations, 0) AS verified_participations,
                   COALESCE(part.by_flag, 0) AS by_flag,
                   COALESCE(part.by_check, 0) AS by_check,
                   part.first_at, part.last_at,
                   MAX(COALESCE(p.crm_gift_count, 0), COALESCE(p.raise_gift_count, 0)) AS gift_count,
                   p.lifetime_giving_cents AS giving,
                   CAST(julianday(@day) - julianday(substr(p.last_gift_date, 1, 10)) AS INTEGER) AS days_since_gift,
                   CAST(julianday(@day) - julianday(substr(part.last_at, 1, 10)) AS INTEGER) AS days_since_participation
              FROM persons p
              LEFT JOIN part ON part.person_id = p.id
             WHERE p.profile_id = @pid
          ) b
      ) c`;
}

export function latestIdentityRun(db: Db, profileId: number): number | null {
  const row = db.prepare('SELECT MAX(id) AS id FROM identity_runs WHERE profile_id = ?').get(profileId) as { id: number | null };
  return row.id;
}

export function insightState(db: Db, profileId: number): InsightStateRow | undefined {
  return db.prepare('SELECT * FROM insight_state WHERE profile_id = ?').get(profileId) as InsightStateRow | undefined;
}

/**
 * Recompute every person's measures for a profile. `asOf` is the reference day of the
 * engagement score's recency parts (default today). Runs in one transaction.
 */
export function refreshInsightMeasures(db: Db, profileId: number, opts: { asOf?: string } = {}): InsightStateRow {
  const day = referenceDay(opts.asOf);
  const tx = db.transaction(() => {
    db.prepare('DELETE FROM insight_measures WHERE profile_id = ?').run(profileId);
    db.prepare(refreshSql()).run({ pid: profileId, day });
    const totals = db
      .prepare(
        `SELECT COUNT(*) AS persons, COALESCE(SUM(verified_by_flag), 0) AS by_flag, COALESCE(SUM(verified_by_check), 0) AS by_check,
                COALESCE(SUM(participations - verified_by_flag - verified_by_check), 0) AS unverified
           FROM insight_measures WHERE profile_id = ?`,
      )
      .get(profileId) as { persons: number; by_flag: number; by_check: number; unverified: number };
    const row: InsightStateRow = {
      profile_id: profileId,
      refreshed_at: new Date().toISOString(),
      as_of: day,
      identity_run_id: latestIdentityRun(db, profileId),
      ...totals,
    };
    db.prepare(
      `INSERT INTO insight_state (profile_id, refreshed_at, as_of, identity_run_id, persons, by_flag, by_check, unverified)
       VALUES (@profile_id, @refreshed_at, @as_of, @identity_run_id, @persons, @by_flag, @by_check, @unverified)
       ON CONFLICT (profile_id) DO UPDATE SET refreshed_at = excluded.refreshed_at, as_of = excluded.as_of,
         identity_run_id = excluded.identity_run_id, persons = excluded.persons, by_flag = excluded.by_flag,
         by_check = excluded.by_check, unverified = excluded.unverified, overlap_json = NULL`,
    ).run(row);
    return row;
  });
  return tx();
}

/**
 * Refresh when the measures are missing, older than the latest identity run, or (for the
 * engagement score) computed for another reference day. Cheap when nothing changed.
 */
export function ensureInsightMeasures(db: Db, profileId: number, opts: { scoreDay?: string } = {}): { state: InsightStateRow; refreshed: boolean } {
  const state = insightState(db, profileId);
  const run = latestIdentityRun(db, profileId);
  const stale = !state || (state.identity_run_id ?? null) !== run || (opts.scoreDay !== undefined && state.as_of !== opts.scoreDay);
  if (!stale) return { state, refreshed: false };
  // A read-only store: refreshed for this connection only, in memory.
  if (db.readonly) shadowInTemp(db, ['insight_measures', 'insight_state']);
  return { state: refreshInsightMeasures(db, profileId, { asOf: opts.scoreDay }), refreshed: true };
}

export function verifiedRuleOf(state: InsightStateRow | undefined): VerifiedRule {
  const byFlag = state?.by_flag ?? 0;
  const byCheck = state?.by_check ?? 0;
  const unverified = state?.unverified ?? 0;
  let text: string;
  if (byFlag === 0 && byCheck === 0) {
    text = 'Verified hours: no participation was verified yet (VOMO sent no verified flag and none has both a check-in and a check-out).';
  } else if (byFlag === 0) {
    text = 'Verified hours: VOMO sent no verified flag, so a participation with both a check-in and a check-out counts as verified.';
  } else if (byCheck === 0) {
    text = "Verified hours: VOMO's own verified flag was used for every participation that counts.";
  } else {
    text = `Verified hours: VOMO's verified flag where it was sent (${byFlag.toLocaleString('en-US')} participations); otherwise check-in and check-out (${byCheck.toLocaleString('en-US')}).`;
  }
  return { byFlag, byCheckInOut: byCheck, unverified, text };
}
