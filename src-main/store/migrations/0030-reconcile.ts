import type { Migration } from '../migrate';

/**
 * Reconciliation: one row per run (when, with which settings, what it found in sum) and its
 * findings. Runs are kept so each report can be compared with the one before it: a finding's
 * `subject` names the thing it is about ('raise_gift:123'), its `fingerprint` the thing and
 * what is wrong with it, so the diff can tell new, fixed and changed findings apart.
 *
 * Also the indexes the reconciliation queries need on the mirrors (the Raise-origin CRM+
 * gifts by transaction id, Raise gifts by campaign, donors without a crmKey).
 */
export const migration: Migration = {
  id: 30,
  name: 'reconciliation runs and findings',
  up(db) {
    db.exec(`
      CREATE TABLE reconcile_runs (
        id INTEGER PRIMARY KEY,
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        at TEXT NOT NULL,                    -- wall time the run started
        as_of TEXT NOT NULL,                 -- the reference time the run judged by (sandbox/API clock)
        finished_at TEXT,
        status TEXT NOT NULL,                -- 'running' | 'ok' | 'partial' | 'failed'
        settings_json TEXT NOT NULL,         -- since, lag hours, as-of and where it came from, what ran
        summary_json TEXT                    -- counts per kind/group, campaigns held back, lag stats, API checks
      );
      CREATE INDEX reconcile_runs_by_profile ON reconcile_runs (profile_id, at);

      CREATE TABLE reconcile_findings (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES reconcile_runs(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,                  -- see src-shared/domain/reconcile.ts FindingKind
        grp TEXT NOT NULL,                   -- the view's group of the kind
        api TEXT NOT NULL,                   -- 'vomo' | 'crm' | 'raise'
        resource TEXT NOT NULL,              -- 'users' | 'contacts' | 'gifts' | 'donors' | ...
        source_id TEXT NOT NULL,
        subject TEXT NOT NULL,               -- 'raise_gift:123': what the finding is about
        person_id TEXT,
        person_ref TEXT,                     -- 'raise:7|crm_contact:9': where the person is found, re-read later
        label TEXT,                          -- a name to show (donor or contact)
        crm_url TEXT,                        -- "view in CRM+"
        occurred_at TEXT,                    -- the record's own time (gift created, donor created)
        detail_json TEXT NOT NULL,
        fingerprint TEXT NOT NULL            -- subject + kind (+ what differs), for the diff
      );
      CREATE INDEX reconcile_findings_by_run ON reconcile_findings (run_id, grp, kind);
      CREATE INDEX reconcile_findings_by_subject ON reconcile_findings (run_id, subject);
      CREATE INDEX reconcile_findings_by_fingerprint ON reconcile_findings (run_id, fingerprint);

      -- By transaction id alone: the Raise-origin test (LIKE 'raise%') is applied on the few rows found;
      -- a partial index on it is not used inside a join.
      CREATE INDEX reconcile_crm_gifts_by_txid ON crm_gifts (profile_id, transaction_id);
      CREATE INDEX reconcile_raise_gifts_by_campaign ON raise_gifts (profile_id, campaign_id);
      CREATE INDEX reconcile_raise_donors_unlinked ON raise_donors (profile_id, created_at) WHERE crm_key IS NULL;
    `);
  },
};
