/**
 * `insight_measures`: per-person volunteer and engagement measures and the facts the list rules
 * read, copied from the person store (whose rebuild computes each person's participations and
 * gifts in its person pass) and scored for a reference day, in one SQL statement.
 *
 * Verified rule (identity/verifiedHours.ts): a participation whose `verified` column is not NULL
 * (the API sent a flag) is verified exactly when the flag is true; otherwise it counts as
 * verified when it has both a check-in and a check-out. `insight_state` keeps how many
 * participations each rule judged, so the UI can say which one applied.
 *
 * Attended instant: check-in, else check-out. "Last participation" is the latest attended
 * instant (normalized to ISO UTC), which is what the activity window of the lapsed list reads.
 *
 * When: after every sync's rebuild (core/wiring.ts), for the persons identity noted as changed;
 * the lists also call `ensureInsightMeasures` before reading, so a missed refresh costs one
 * slower read, never wrong data.
 *
 * Neither a sync nor a new day recomputes everyone. A sync's changed persons are computed again
 * and only the rows that read differently are written (`refreshChanged`; the lists' counts then
 * move by those rows, listCounts.ts). A new score day (the next morning's first engagement list)
 * rescores only the persons whose last gift or participation crosses one of the recency steps
 * between the two days (`rescoreForDay`). The days since a gift or a participation are therefore
 * not stored (migration 0020's columns for them are no longer written or read): a row counts them
 * from the day the measures were scored for when it is read (rows.ts); stored, they changed every
 * row every day (a refresh of everyone: ~39 s at a million persons).
 */
import type { Db } from '../store/db';
import { shadowInTemp } from '../store/readOnlyScratch';
import { ENGAGEMENT_RULES, pointsSql } from './engagement';
import { addDays, referenceDay } from './dates';
import type { VerifiedRule } from '../../src-shared/domain/insights';
import { takePersonChanges } from '../identity/personChanges';
import { ensureListIndexes } from './listIndexes';
import { dropIndexes, restoreIndexes } from '../store/bulkIndexes';

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

function rule(key: string) {
  return ENGAGEMENT_RULES.find((r) => r.key === key)!;
}

/** Whole days from a stored date or instant (its first ten characters) to the day `day` names. */
const daysSinceSql = (column: string, day: string) => `CAST(julianday(${day}) - julianday(substr(${column}, 1, 10)) AS INTEGER)`;

/** The two recency parts (giving, serving), each with the measures column its days count from and that column's index. */
const RECENCY_PARTS = [
  { key: 'givingRecencyPts', date: 'last_gift_date', index: 'insight_measures_by_last_gift' },
  { key: 'servingRecencyPts', date: 'last_participation_at', index: 'insight_measures_by_last_participation' },
] as const;

const FACT_COLUMNS = `has_vomo, has_crm, has_raise, has_email, lifetime_giving_cents, first_gift_date, last_gift_date, first_raise_gift_date`;

/**
 * Every person's measures and list facts, or (scoped) only those of the persons in
 * temp.insight_scope: copied from the person rows, where the rebuild's person pass computed them
 * from each record's participations and gifts (identity/personMeasures.ts), and scored for the day.
 */
/** The columns the refresh writes, in its SELECT's order. */
const MEASURE_COLUMNS = [
  'profile_id', 'person_id', 'total_hours', 'verified_hours', 'participations', 'verified_participations',
  'verified_by_flag', 'verified_by_check', 'first_participation_at', 'last_participation_at', 'gift_count',
  'giving_recency_pts', 'giving_frequency_pts', 'giving_amount_pts', 'serving_recency_pts', 'serving_hours_pts', 'serving_count_pts', 'score',
  ...FACT_COLUMNS.split(', '),
];

function refreshSql(scoped: boolean, into = 'insight_measures'): string {
  const pts = {
    gr: pointsSql(rule('givingRecencyPts'), 'b.days_since_gift'),
    gf: pointsSql(rule('givingFrequencyPts'), 'b.gift_count'),
    ga: pointsSql(rule('givingAmountPts'), 'b.giving'),
    sr: pointsSql(rule('servingRecencyPts'), 'b.days_since_participation'),
    sh: pointsSql(rule('servingHoursPts'), 'b.verified_hours'),
    sc: pointsSql(rule('servingCountPts'), 'b.verified_participations'),
  };
  // Scoped: driven from the few scoped persons (CROSS JOIN fixes the loop order). Every person:
  // one pass over the table in key order; left to choose, the planner walked a narrow persons
  // index and read each wide row by key (over 20 s at a million persons).
  const persons = scoped
    ? `temp.insight_scope s CROSS JOIN persons p ON p.profile_id = @pid AND p.id = s.id`
    : `persons p INDEXED BY sqlite_autoindex_persons_1`;
  return `
    INSERT INTO ${into} (${MEASURE_COLUMNS.join(', ')})
    SELECT c.profile_id, c.person_id, c.total_hours, c.verified_hours, c.participations, c.verified_participations,
           c.by_flag, c.by_check, c.first_at, c.last_at, c.gift_count,
           c.gr, c.gf, c.ga, c.sr, c.sh, c.sc, c.gr + c.gf + c.ga + c.sr + c.sh + c.sc,
           ${FACT_COLUMNS}
      FROM (
        SELECT b.*,
               ${pts.gr} AS gr, ${pts.gf} AS gf, ${pts.ga} AS ga, ${pts.sr} AS sr, ${pts.sh} AS sh, ${pts.sc} AS sc
          FROM (
            SELECT p.profile_id, p.id AS person_id,
                   p.vomo_hours_total AS total_hours,
                   ROUND(p.vomo_hours_verified, 2) AS verified_hours,
                   p.vomo_participations_count AS participations,
                   p.vomo_verified_count AS verified_participations,
                   p.vomo_verified_by_flag AS by_flag,
                   p.vomo_verified_by_check AS by_check,
                   p.first_attended_at AS first_at, p.last_attended_at AS last_at,
                   MAX(COALESCE(p.crm_gift_count, 0), COALESCE(p.raise_gift_count, 0)) AS gift_count,
                   p.lifetime_giving_cents AS giving,
                   ${daysSinceSql('p.last_gift_date', '@day')} AS days_since_gift,
                   ${daysSinceSql('p.last_attended_at', '@day')} AS days_since_participation,
                   p.has_vomo, p.has_crm, p.has_raise,
                   (p.display_email IS NOT NULL AND p.display_email <> '') AS has_email,
                   p.lifetime_giving_cents, p.first_gift_date, p.last_gift_date, p.first_raise_gift_date
              FROM ${persons}
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

const TOTALS = `COUNT(*) AS persons, COALESCE(SUM(verified_by_flag), 0) AS by_flag, COALESCE(SUM(verified_by_check), 0) AS by_check,
  COALESCE(SUM(participations - verified_by_flag - verified_by_check), 0) AS unverified`;
type Totals = { persons: number; by_flag: number; by_check: number; unverified: number };

function saveState(db: Db, profileId: number, day: string, totals: Totals): InsightStateRow {
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
}

/**
 * Recompute every person's measures for a profile. `asOf` is the reference day of the
 * engagement score's recency parts (default today). Runs in one transaction; the identity
 * changes noted until now are taken (this covers them).
 */
export function refreshInsightMeasures(db: Db, profileId: number, opts: { asOf?: string } = {}): InsightStateRow {
  const day = referenceDay(opts.asOf);
  // A read-only store: refreshed for this connection only, into TEMP copies that carry the
  // store's indexes; the identity changes stay noted for the next writer.
  if (db.readonly) shadowInTemp(db, ['insight_measures', 'insight_state']);
  return db.transaction(() => {
    if (!db.readonly) {
      takePersonChanges(db, profileId);
      ensureListIndexes(db, { again: true });
    }
    db.prepare('DELETE FROM insight_measures WHERE profile_id = ?').run(profileId);
    // A million rows go in faster without the secondary indexes, each built once afterwards.
    const many = !db.readonly && (db.prepare(`SELECT COUNT(*) FROM (SELECT 1 FROM persons WHERE profile_id = ? LIMIT 20000)`).pluck().get(profileId) as number) >= 20000;
    const restore = many ? [dropIndexes(db, 'insight_measures')] : [];
    db.prepare(refreshSql(false)).run({ pid: profileId, day });
    restoreIndexes(db, restore);
    const totals = db.prepare(`SELECT ${TOTALS} FROM insight_measures WHERE profile_id = ?`).get(profileId) as Totals;
    return saveState(db, profileId, day, totals);
  })();
}

/**
 * Recompute the measures of the persons identity changed since the last refresh, for the day the
 * state holds; the totals move by the difference (at a million persons 10,000 changed take
 * 0.3–2.5 s, everyone ~19 s). A row that reads as stored is not written: every measures index
 * holds the facts and the score, so a rewritten row moves an entry in each, and a new name, phone
 * or address is not a measure. The temporary tables live in memory (temp_store, store/db.ts).
 */
function refreshChanged(db: Db, state: InsightStateRow, personIds: string[]): InsightStateRow {
  const profileId = state.profile_id;
  db.exec('CREATE TEMP TABLE IF NOT EXISTS insight_scope (id TEXT PRIMARY KEY) WITHOUT ROWID');
  db.exec('DELETE FROM temp.insight_scope');
  const ins = db.prepare('INSERT OR IGNORE INTO temp.insight_scope (id) VALUES (?)');
  for (const id of personIds) ins.run(id);
  for (const t of ['insight_fresh', 'insight_before']) {
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS ${t} AS SELECT ${MEASURE_COLUMNS.join(', ')} FROM main.insight_measures WHERE 0`);
    db.exec(`DELETE FROM temp.${t}`);
  }
  const sql = changedStatements();
  const args = { pid: profileId, day: state.as_of };
  db.prepare(sql.keep).run(args);
  const before = db.prepare(sql.totals).get(args) as Totals;
  db.prepare(sql.fresh).run(args);
  db.prepare(sql.gone).run(args);
  db.prepare(sql.upsert).run();
  const after = db.prepare(sql.totals).get(args) as Totals;
  const totals = {
    persons: state.persons - before.persons + after.persons,
    by_flag: state.by_flag - before.by_flag + after.by_flag,
    by_check: state.by_check - before.by_check + after.by_check,
    unverified: state.unverified - before.unverified + after.unverified,
  };
  return saveState(db, profileId, state.as_of, totals);
}

/** The changed persons' measures rows before and after `refreshChanged`, on its connection until the next. */
export const CHANGED_ROWS = { before: 'temp.insight_before', after: 'temp.insight_fresh' } as const;

/**
 * The statements of `refreshChanged`, over temp.insight_scope (the changed persons' ids),
 * temp.insight_before (their rows as stored, kept for the lists' counts: listCounts.ts) and
 * temp.insight_fresh (their rows as computed now): their rows kept; the scope's totals; the rows
 * computed; those of persons gone from the store deleted; the others inserted, or updated where a
 * column differs.
 */
export function changedStatements(): { keep: string; totals: string; fresh: string; gone: string; upsert: string } {
  const keyed = MEASURE_COLUMNS.filter((c) => c !== 'profile_id' && c !== 'person_id');
  return {
    keep: `INSERT INTO temp.insight_before (${MEASURE_COLUMNS.join(', ')})
           SELECT ${MEASURE_COLUMNS.map((c) => `im.${c}`).join(', ')} FROM temp.insight_scope s CROSS JOIN insight_measures im ON im.profile_id = @pid AND im.person_id = s.id`,
    totals: `SELECT ${TOTALS} FROM temp.insight_scope s CROSS JOIN insight_measures im ON im.profile_id = @pid AND im.person_id = s.id`,
    fresh: refreshSql(true, 'temp.insight_fresh'),
    gone: `DELETE FROM insight_measures WHERE profile_id = @pid AND person_id IN (SELECT id FROM temp.insight_scope EXCEPT SELECT person_id FROM temp.insight_fresh)`,
    upsert: `INSERT INTO insight_measures (${MEASURE_COLUMNS.join(', ')})
     SELECT ${MEASURE_COLUMNS.map((c) => `n.${c}`).join(', ')}
       FROM temp.insight_fresh n
      WHERE NOT EXISTS (SELECT 1 FROM insight_measures im WHERE im.profile_id = n.profile_id AND im.person_id = n.person_id
                          AND ${keyed.map((c) => `im.${c} IS n.${c}`).join(' AND ')})
     ON CONFLICT (profile_id, person_id) DO UPDATE SET ${keyed.map((c) => `${c} = excluded.${c}`).join(', ')}`,
  };
}

/** Past this share of a profile's persons, a new day rescores everyone (one pass beats the ranges). */
const RESCORE_SHARE = 1 / 8;

/**
 * The day ranges in which a last gift or participation moves a recency part from `from` to `to`:
 * a part's points step where its days pass 0 and each rule step (pointsSql), and a date `g` is
 * `from − g` days old on the one day and `to − g` on the other, so it crosses a step `s` exactly
 * when `g` lies in [min − s + 1, max − s]. As [start, end) of YYYY-MM-DD strings, merged; a
 * stored instant (…T…Z) compares inside its own day's range.
 */
export function recencyRanges(from: string, to: string): [string, string][] {
  const [lo, hi] = from <= to ? [from, to] : [to, from];
  const steps = [...new Set(RECENCY_PARTS.flatMap((part) => [0, ...rule(part.key).steps.map((s) => s + 1)]))].sort((a, b) => b - a);
  const out: [string, string][] = [];
  for (const s of steps) {
    const start = addDays(lo, 1 - s);
    const end = addDays(hi, 1 - s);
    const last = out[out.length - 1];
    if (last && start <= last[1]) last[1] = end > last[1] ? end : last[1];
    else out.push([start, end]);
  }
  return out;
}

/**
 * The statements that move the recency parts from one day to another (`rescoreForDay`): the
 * persons who may score differently (`candidates`: a range of a date index per part and range,
 * so each reads only its own days) and the UPDATE of those among them whose points change, each
 * reached by its key. A part's points depend on the row's own date only.
 */
export function rescoreStatements(from: string, to: string): { params: Record<string, string>; candidates: string; update: string } {
  const ranges = recencyRanges(from, to);
  const params: Record<string, string> = { day: to };
  ranges.forEach(([s, e], i) => {
    params[`s${i}`] = s;
    params[`e${i}`] = e;
  });
  const candidates = RECENCY_PARTS.flatMap((part) =>
    ranges.map((_, i) => `SELECT person_id FROM insight_measures INDEXED BY ${part.index} WHERE profile_id = @pid AND ${part.date} >= @s${i} AND ${part.date} < @e${i}`),
  ).join('\n UNION ALL ');
  const [giving, serving] = RECENCY_PARTS.map((part) => pointsSql(rule(part.key), daysSinceSql(part.date, '@day')));
  const update = `UPDATE insight_measures
        SET giving_recency_pts = ${giving}, serving_recency_pts = ${serving},
            score = ${giving} + giving_frequency_pts + giving_amount_pts + ${serving} + serving_hours_pts + serving_count_pts
      WHERE profile_id = @pid AND person_id IN (${candidates})
        AND (giving_recency_pts <> ${giving} OR serving_recency_pts <> ${serving})`;
  return { params, candidates, update };
}

/**
 * Move the engagement score to another day: only the recency parts depend on the day, and only the
 * persons whose last gift or participation lies in `recencyRanges` can score differently, read
 * through the date indexes; a row is written only where a part changed (every measures index holds
 * the score). Null when those persons are too many (a day far from the scored one): then everyone
 * is refreshed, in one pass.
 */
function rescoreForDay(db: Db, state: InsightStateRow, day: string): InsightStateRow | null {
  const profileId = state.profile_id;
  const { params, candidates, update } = rescoreStatements(state.as_of, day);
  const args = { ...params, pid: profileId };
  // Counted from the indexes alone (a person in both parts' ranges twice: an estimate is enough).
  const count = db.prepare(`SELECT COUNT(*) FROM (${candidates})`).pluck().get(args) as number;
  if (count > Math.max(1000, state.persons * RESCORE_SHARE)) return null;
  db.prepare(update).run(args);
  const { persons, by_flag, by_check, unverified } = state;
  return saveState(db, profileId, day, { persons, by_flag, by_check, unverified });
}

/**
 * Bring the measures up to the latest identity run: the persons identity noted as changed are
 * recomputed, and for another score day the persons whose recency points change; everything is
 * when the measures are missing, identity rebuilt everyone, or the day is far. Cheap when nothing
 * changed.
 */
export function ensureInsightMeasures(
  db: Db,
  profileId: number,
  opts: { scoreDay?: string } = {},
): { state: InsightStateRow; refreshed: boolean; changedFrom?: InsightStateRow } {
  if (!db.readonly) ensureListIndexes(db);
  const state = insightState(db, profileId);
  const run = latestIdentityRun(db, profileId);
  const otherDay = opts.scoreDay !== undefined && state?.as_of !== opts.scoreDay;
  if (state && (state.identity_run_id ?? null) === run && !otherDay) return { state, refreshed: false };
  if (db.readonly) return { state: refreshInsightMeasures(db, profileId, { asOf: opts.scoreDay }), refreshed: true };
  return db.transaction(() => {
    const changes = state ? takePersonChanges(db, profileId) : 'all';
    if (!state || changes === 'all') return { state: refreshInsightMeasures(db, profileId, { asOf: opts.scoreDay }), refreshed: true };
    // The changed persons are scored for the state's day, like everyone else, then all move together.
    const current = (state.identity_run_id ?? null) === run && !changes.length ? null : refreshChanged(db, state, changes);
    // Only those persons changed: the lists' counts can move by their rows (CHANGED_ROWS).
    if (!otherDay) return current ? { state: current, refreshed: true, changedFrom: state } : { state, refreshed: true };
    return { state: rescoreForDay(db, current ?? state, opts.scoreDay!) ?? refreshInsightMeasures(db, profileId, { asOf: opts.scoreDay }), refreshed: true };
  })();
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
