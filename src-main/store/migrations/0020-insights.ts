import type { Migration } from '../migrate';

/**
 * Insights and outreach exports.
 *
 * - `insight_measures`: one row per person, recomputed from the mirrors by
 *   `refreshInsightMeasures` after every join rebuild (volunteer hours under the verified rule,
 *   participation counts and recency, the engagement score and each of its parts). Kept in its
 *   own table so a rebuild of `persons` cannot clobber it and it cannot clobber the rebuild.
 * - `insight_state`: when the measures were last computed, against which identity run, and how
 *   participations were judged verified (by the API's flag or by check-in + check-out).
 * - `exports` / `export_members`: the export log (who was in every export), which is also what
 *   "recently asked" reads.
 * - Indexes on `persons` the lists need beyond identity's: first-name prefix search, and a
 *   partial name index for the volunteers-only list.
 */
export const migration: Migration = {
  id: 20,
  name: 'insights: measures, export log',
  up(db) {
    db.exec(`
      CREATE TABLE insight_measures (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        person_id TEXT NOT NULL,
        total_hours REAL NOT NULL DEFAULT 0,
        verified_hours REAL NOT NULL DEFAULT 0,
        participations INTEGER NOT NULL DEFAULT 0,
        verified_participations INTEGER NOT NULL DEFAULT 0,
        verified_by_flag INTEGER NOT NULL DEFAULT 0,        -- participations judged by the API's own flag
        verified_by_check INTEGER NOT NULL DEFAULT 0,       -- judged verified by check-in + check-out
        first_participation_at TEXT,                        -- attended (checked in), ISO UTC
        last_participation_at TEXT,
        gift_count INTEGER NOT NULL DEFAULT 0,
        -- engagement: every part of the score is kept, nothing hidden
        days_since_gift INTEGER,
        days_since_participation INTEGER,
        giving_recency_pts INTEGER NOT NULL DEFAULT 0,
        giving_frequency_pts INTEGER NOT NULL DEFAULT 0,
        giving_amount_pts INTEGER NOT NULL DEFAULT 0,
        serving_recency_pts INTEGER NOT NULL DEFAULT 0,
        serving_hours_pts INTEGER NOT NULL DEFAULT 0,
        serving_count_pts INTEGER NOT NULL DEFAULT 0,
        score INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (profile_id, person_id)
      ) WITHOUT ROWID;
      CREATE INDEX insight_measures_by_hours ON insight_measures (profile_id, verified_hours);
      CREATE INDEX insight_measures_by_score ON insight_measures (profile_id, score);
      CREATE INDEX insight_measures_by_last_participation ON insight_measures (profile_id, last_participation_at);

      CREATE TABLE insight_state (
        profile_id INTEGER PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
        refreshed_at TEXT NOT NULL,
        as_of TEXT NOT NULL,                  -- the reference day the engagement score was computed for
        identity_run_id INTEGER,              -- MAX(identity_runs.id) the measures were computed after
        persons INTEGER NOT NULL DEFAULT 0,
        by_flag INTEGER NOT NULL DEFAULT 0,
        by_check INTEGER NOT NULL DEFAULT 0,
        unverified INTEGER NOT NULL DEFAULT 0,
        overlap_json TEXT                     -- the overview's four numbers for this identity run (NULL: not computed yet)
      );

      CREATE TABLE exports (
        id INTEGER PRIMARY KEY,
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        actor TEXT NOT NULL,
        list TEXT NOT NULL,
        filters_json TEXT NOT NULL,           -- effective filters, search, sort, reference day
        columns_json TEXT NOT NULL,
        row_count INTEGER NOT NULL,
        excluded_opted_out INTEGER NOT NULL DEFAULT 0,
        excluded_recently_asked INTEGER NOT NULL DEFAULT 0,
        outreach INTEGER NOT NULL DEFAULT 1,  -- 1: its persons count as asked
        file_name TEXT NOT NULL,
        destination TEXT NOT NULL             -- 'file' | 'download'
      );
      CREATE INDEX exports_by_profile ON exports (profile_id, created_at);

      CREATE TABLE export_members (
        export_id INTEGER NOT NULL REFERENCES exports(id) ON DELETE CASCADE,
        profile_id INTEGER NOT NULL,
        person_id TEXT NOT NULL,
        PRIMARY KEY (export_id, person_id)
      ) WITHOUT ROWID;
      CREATE INDEX export_members_by_person ON export_members (profile_id, person_id, export_id);

      CREATE INDEX persons_by_display_first ON persons (profile_id, display_first_name COLLATE NOCASE);
      -- Volunteers only is sorted by name by default and is sparse in a donor-heavy store: its
      -- own partial index keeps its first page one short index read whatever the mix.
      CREATE INDEX persons_volunteer_only_by_name ON persons (profile_id, display_last_name COLLATE NOCASE, display_first_name COLLATE NOCASE)
        WHERE has_vomo = 1 AND has_crm = 0 AND has_raise = 0;
    `);
  },
};
