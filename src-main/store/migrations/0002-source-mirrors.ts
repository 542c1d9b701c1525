import type { Migration } from '../migrate';

/**
 * Source mirrors: one table per API resource, the parsed columns the domain queries plus the
 * raw JSON as the API sent it. Source IDs are TEXT everywhere (APIs send ints, and sometimes
 * strings for the same field). Timestamps are ISO-8601 UTC strings; calendar dates are
 * YYYY-MM-DD; money is integer cents. `gone_at` is set by the deletion sweep, never a DELETE,
 * so a record that vanished at the source stays visible as such.
 *
 * Tables that carry raw JSON are ordinary rowid tables: SQLite's WITHOUT ROWID layout is meant
 * for small rows, and rows of a few kilobytes made every mirror write move far more b-tree data.
 *
 * Also the sync bookkeeping: checkpoints per (profile, API, resource), runs, per-collector
 * outcomes, and the quarantine of records that failed to parse.
 */
export const migration: Migration = {
  id: 2,
  name: 'source mirrors and sync bookkeeping',
  up(db) {
    db.exec(`
      -- VOMO -----------------------------------------------------------------
      CREATE TABLE vomo_users (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        email TEXT,
        email_norm TEXT,               -- lower(trim(email)); the join key, nothing more
        first_name TEXT,
        last_name TEXT,
        full_name TEXT,
        phone TEXT,
        address TEXT,
        birthday TEXT,
        gender TEXT,
        user_status TEXT,
        membership_status TEXT,
        membership_role TEXT,
        created_at TEXT,
        updated_at TEXT,
        detail_fetched_at TEXT,        -- when participations were last read from /users/{id}
        raw_json TEXT NOT NULL,
        first_synced_at TEXT NOT NULL,
        last_synced_at TEXT NOT NULL,
        gone_at TEXT,
        PRIMARY KEY (profile_id, id)
      );
      CREATE INDEX vomo_users_by_email ON vomo_users (profile_id, email_norm);
      CREATE INDEX vomo_users_by_updated ON vomo_users (profile_id, updated_at);

      CREATE TABLE vomo_participations (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        id TEXT NOT NULL,              -- the API's id, or a stable key derived from project date + sign-up time
        project_date_id TEXT,
        project_name TEXT,
        hours REAL,
        signed_up_at TEXT,
        checked_in_at TEXT,
        checked_out_at TEXT,
        verified INTEGER,              -- NULL: the API sent no verified flag
        raw_json TEXT NOT NULL,
        last_synced_at TEXT NOT NULL,
        PRIMARY KEY (profile_id, user_id, id)
      );

      -- CRM+ -----------------------------------------------------------------
      CREATE TABLE crm_contacts (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        contact_type TEXT,
        name TEXT,
        is_private INTEGER,
        address1 TEXT,
        address2 TEXT,
        city TEXT,
        state TEXT,
        postal TEXT,
        country TEXT,
        life_to_date_giving_cents INTEGER,   -- parsed from the display string ("$1,250.00")
        year_to_date_giving_cents INTEGER,
        last_gift_amount_cents INTEGER,
        last_gift_date TEXT,                 -- NULL when the API says "Unavailable"
        merged_into_contact_id TEXT,
        contact_view_url TEXT,
        created_at TEXT,
        modified_at TEXT,
        raw_json TEXT NOT NULL,
        first_synced_at TEXT NOT NULL,
        last_synced_at TEXT NOT NULL,
        gone_at TEXT,
        PRIMARY KEY (profile_id, id)
      );
      CREATE INDEX crm_contacts_by_modified ON crm_contacts (profile_id, modified_at);

      CREATE TABLE crm_individuals (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        contact_id TEXT NOT NULL,
        first_name TEXT,
        middle_name TEXT,
        last_name TEXT,
        nickname TEXT,
        is_primary INTEGER NOT NULL DEFAULT 0,
        is_secondary INTEGER NOT NULL DEFAULT 0,
        is_deceased INTEGER NOT NULL DEFAULT 0,
        birth_date TEXT,
        modified_at TEXT,
        PRIMARY KEY (profile_id, id)
      ) WITHOUT ROWID;
      CREATE INDEX crm_individuals_by_contact ON crm_individuals (profile_id, contact_id);

      CREATE TABLE crm_contact_methods (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        id TEXT NOT NULL,              -- the API's id, or individual id + type + value when absent
        contact_id TEXT NOT NULL,
        individual_id TEXT NOT NULL,
        type TEXT,
        kind TEXT NOT NULL,            -- 'email' | 'phone' | 'other', from the type string
        value TEXT,
        email_norm TEXT,               -- for kind = 'email': lower(trim(value))
        is_opted_in INTEGER,
        is_primary INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (profile_id, id)
      ) WITHOUT ROWID;
      CREATE INDEX crm_methods_by_individual ON crm_contact_methods (profile_id, individual_id);
      CREATE INDEX crm_methods_by_contact ON crm_contact_methods (profile_id, contact_id);
      CREATE INDEX crm_methods_by_email ON crm_contact_methods (profile_id, email_norm) WHERE email_norm IS NOT NULL;

      CREATE TABLE crm_contact_references (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        contact_id TEXT NOT NULL,
        source TEXT NOT NULL,
        ref_id TEXT NOT NULL,
        PRIMARY KEY (profile_id, contact_id, source, ref_id)
      ) WITHOUT ROWID;
      CREATE INDEX crm_references_by_ref ON crm_contact_references (profile_id, source, ref_id);

      CREATE TABLE crm_gifts (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        contact_id TEXT,
        contact_individual_id TEXT,
        transaction_source TEXT,
        transaction_id TEXT,
        gift_type TEXT,
        gift_date TEXT,
        amount_cents INTEGER,
        currency_code TEXT,
        segment TEXT,
        created_at TEXT,
        modified_at TEXT,
        raw_json TEXT NOT NULL,
        first_synced_at TEXT NOT NULL,
        last_synced_at TEXT NOT NULL,
        gone_at TEXT,
        PRIMARY KEY (profile_id, id)
      );
      CREATE INDEX crm_gifts_by_contact ON crm_gifts (profile_id, contact_id, gift_date);
      CREATE INDEX crm_gifts_by_transaction ON crm_gifts (profile_id, transaction_source, transaction_id);
      CREATE INDEX crm_gifts_by_modified ON crm_gifts (profile_id, modified_at);

      -- Raise ----------------------------------------------------------------
      CREATE TABLE raise_campaigns (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        name TEXT,
        can_sync INTEGER,
        crm_key TEXT,
        start_date TEXT,
        end_date TEXT,
        created_at TEXT,
        modified_at TEXT,
        raw_json TEXT NOT NULL,
        first_synced_at TEXT NOT NULL,
        last_synced_at TEXT NOT NULL,
        gone_at TEXT,
        PRIMARY KEY (profile_id, id)
      );

      CREATE TABLE raise_donors (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        first_name TEXT,
        last_name TEXT,
        name TEXT,
        email TEXT,
        email_norm TEXT,
        email_opted_in INTEGER,
        phone TEXT,
        address1 TEXT,
        city TEXT,
        state TEXT,
        postal TEXT,
        is_organization INTEGER,
        is_archived INTEGER,
        is_test_mode INTEGER,
        crm_key TEXT,
        crm_second_key TEXT,
        crm_url TEXT,                  -- first url in crmKeyUrls, for "view in CRM+"
        created_at TEXT,
        modified_at TEXT,
        raw_json TEXT NOT NULL,
        first_synced_at TEXT NOT NULL,
        last_synced_at TEXT NOT NULL,
        gone_at TEXT,
        PRIMARY KEY (profile_id, id)
      );
      CREATE INDEX raise_donors_by_email ON raise_donors (profile_id, email_norm);
      CREATE INDEX raise_donors_by_crm_key ON raise_donors (profile_id, crm_key);

      CREATE TABLE raise_gifts (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        donor_id TEXT,
        campaign_id TEXT,
        campaign_name TEXT,
        amount_cents INTEGER,
        currency_code TEXT,
        gift_date TEXT,                -- the gift's date as an ISO timestamp (UTC)
        status_text TEXT,
        transaction_id TEXT,
        recurring_gift_id TEXT,
        created_at TEXT,
        modified_at TEXT,
        raw_json TEXT NOT NULL,
        first_synced_at TEXT NOT NULL,
        last_synced_at TEXT NOT NULL,
        gone_at TEXT,
        PRIMARY KEY (profile_id, id)
      );
      CREATE INDEX raise_gifts_by_donor ON raise_gifts (profile_id, donor_id, gift_date);
      CREATE INDEX raise_gifts_by_created ON raise_gifts (profile_id, created_at);

      CREATE TABLE raise_recurring_gifts (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        donor_id TEXT,
        amount_cents INTEGER,
        currency_code TEXT,
        frequency TEXT,
        status TEXT,
        start_date TEXT,
        next_charge_date TEXT,
        crm_key TEXT,
        created_at TEXT,
        modified_at TEXT,
        raw_json TEXT NOT NULL,
        first_synced_at TEXT NOT NULL,
        last_synced_at TEXT NOT NULL,
        gone_at TEXT,
        PRIMARY KEY (profile_id, id)
      );
      CREATE INDEX raise_recurring_by_donor ON raise_recurring_gifts (profile_id, donor_id);

      -- Sync bookkeeping -----------------------------------------------------
      CREATE TABLE sync_checkpoints (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        api TEXT NOT NULL,             -- 'vomo' | 'crm' | 'raise'
        resource TEXT NOT NULL,        -- 'users', 'participations', 'contacts', 'gifts', ...
        cursor_json TEXT NOT NULL,     -- collector-specific: watermark, page, seen ids at the edge
        updated_at TEXT NOT NULL,
        PRIMARY KEY (profile_id, api, resource)
      ) WITHOUT ROWID;

      CREATE TABLE sync_runs (
        id INTEGER PRIMARY KEY,
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,          -- 'running' | 'ok' | 'partial' | 'failed' | 'cancelled'
        full INTEGER NOT NULL DEFAULT 0,
        apis TEXT NOT NULL,            -- comma-separated list requested
        summary_json TEXT
      );
      CREATE INDEX sync_runs_by_profile ON sync_runs (profile_id, started_at);

      CREATE TABLE sync_run_collectors (
        run_id INTEGER NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
        api TEXT NOT NULL,
        status TEXT NOT NULL,          -- 'running' | 'ok' | 'failed' | 'skipped' | 'cancelled'
        pages INTEGER NOT NULL DEFAULT 0,
        records INTEGER NOT NULL DEFAULT 0,
        new_count INTEGER NOT NULL DEFAULT 0,
        updated_count INTEGER NOT NULL DEFAULT 0,
        unchanged_count INTEGER NOT NULL DEFAULT 0,
        quarantined INTEGER NOT NULL DEFAULT 0,
        error_code TEXT,
        error_message TEXT,
        started_at TEXT,
        finished_at TEXT,
        duration_ms INTEGER,
        estimate_json TEXT,
        summary_json TEXT,             -- per entity: new / updated / unchanged / quarantined
        PRIMARY KEY (run_id, api)
      ) WITHOUT ROWID;

      CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY,
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        api TEXT NOT NULL,
        resource TEXT NOT NULL,
        source_id TEXT,                -- NULL when not even an id could be read
        reason TEXT NOT NULL,
        raw_json TEXT NOT NULL,
        run_id INTEGER REFERENCES sync_runs(id) ON DELETE SET NULL,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        resolved_at TEXT               -- set when a later sync parsed the record cleanly
      );
      CREATE INDEX quarantine_by_profile ON quarantine (profile_id, resolved_at, api);
      CREATE UNIQUE INDEX quarantine_by_source ON quarantine (profile_id, api, resource, source_id) WHERE source_id IS NOT NULL;
    `);
  },
};
