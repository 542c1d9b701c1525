import type { Migration } from '../migrate';

/**
 * "Add to CRM+": the previews the steward saw (batches) and one row per reference pair ever
 * handled (submissions).
 *
 * Rules: a submission row is unique per (profile, referenceSource, referenceId), so a person can
 * never be sent twice from two batches or two runs. The row is written as 'submitting' and
 * committed BEFORE the HTTP call; only a 200 moves it to 'pending'. A row left in 'submitting'
 * (a crash, a dropped connection) is resolved by a reference lookup before anything else is
 * sent for it. Rows are never deleted; every change is also in audit_log.
 *
 * Statuses: preview (reserved; previews live in crm_push_batches) · submitting (committed
 * intent, outcome unknown) · pending (CRM+ accepted the Transaction; waiting for the nightly
 * batch) · confirmed (found by our reference: the contact id is known) · linked_existing (the
 * pre-create lookup found the contact; nothing was sent) · failed (CRM+ refused it; the field
 * is named; nothing is held in CRM+) · needs_followup (still not found past the window).
 */
export const migration: Migration = {
  id: 40,
  name: 'crm push: previews and submissions of volunteers to CRM+',
  up(db) {
    db.exec(`
      CREATE TABLE crm_push_batches (
        id INTEGER PRIMARY KEY,
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        list_name TEXT,                        -- 'volunteer-only' | 'top-volunteers' | NULL (hand-picked)
        person_ids_json TEXT NOT NULL,         -- the selection, in order
        items_json TEXT NOT NULL,              -- the preview as shown: classification + exact body per person
        counts_json TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'previewed' CHECK (status IN ('previewed', 'submitting', 'done', 'stopped')),
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        submitted_at TEXT,
        finished_at TEXT,
        summary_json TEXT
      );
      CREATE INDEX crm_push_batches_by_profile ON crm_push_batches (profile_id, created_at);

      CREATE TABLE crm_push_submissions (
        id INTEGER PRIMARY KEY,
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        person_id TEXT,                        -- the person when submitted (IDs are kept across rebuilds)
        vomo_user_id TEXT NOT NULL,
        reference_source TEXT NOT NULL,
        reference_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('preview', 'submitting', 'pending', 'confirmed', 'linked_existing', 'failed', 'needs_followup')),
        method TEXT NOT NULL DEFAULT 'transaction' CHECK (method IN ('transaction', 'direct', 'existing')),
        display_name TEXT,
        email TEXT,
        body_json TEXT,                        -- exactly what was (or will be) sent
        error_status INTEGER,
        error_field TEXT,
        error_message TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,   -- HTTP sends of this pair (a resend after a crash counts)
        submitted_at TEXT,                     -- reference clock (the sandbox's own clock for a sandbox)
        followup_due_at TEXT,                  -- reference clock: submitted_at + batch window + follow-up window
        confirmed_contact_id TEXT,
        confirmed_individual_id TEXT,
        confirmed_at TEXT,
        confirmed_how TEXT,                    -- 'reference' | 'email' | 'direct'
        last_checked_at TEXT,                  -- wall clock: the polite polling interval
        check_count INTEGER NOT NULL DEFAULT 0,
        batch_id INTEGER REFERENCES crm_push_batches(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (profile_id, reference_source, reference_id)
      );
      CREATE INDEX crm_push_submissions_by_status ON crm_push_submissions (profile_id, status, updated_at);
      CREATE INDEX crm_push_submissions_by_person ON crm_push_submissions (profile_id, person_id);
      CREATE INDEX crm_push_submissions_by_vomo ON crm_push_submissions (profile_id, vomo_user_id);
      CREATE INDEX crm_push_submissions_by_contact ON crm_push_submissions (profile_id, confirmed_contact_id) WHERE confirmed_contact_id IS NOT NULL;
    `);
  },
};
