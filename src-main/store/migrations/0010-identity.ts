import type { Migration } from '../migrate';

/**
 * Identity: the joined person store and the steward's tools for keeping it true.
 *
 * Rules: `persons.id` is generated once ('P' + 12 base32 chars) and kept across rebuilds through
 * `person_links`, which is history (never deleted by a rebuild: a link that no longer holds is
 * set inactive). Decisions are stored on canonical pairs of *source keys* ('vomo:12',
 * 'crm_individual:55', 'crm_contact:9', 'raise:7'), never on person IDs, so they re-apply after
 * any rebuild. Merges keep a JSON snapshot of every affected row so undo restores them exactly.
 */
export const migration: Migration = {
  id: 10,
  name: 'identity: persons, links, lineage, conflicts, candidates, decisions, merges',
  up(db) {
    db.exec(`
      CREATE TABLE persons (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        email_norm TEXT,                      -- the join key (lower(trim)); NULL when no source has one
        -- display values, per field authority and the steward's resolutions
        display_first_name TEXT,
        display_last_name TEXT,
        display_name TEXT,
        display_email TEXT,
        display_phone TEXT,
        -- systems
        has_vomo INTEGER NOT NULL DEFAULT 0,
        has_crm INTEGER NOT NULL DEFAULT 0,
        has_raise INTEGER NOT NULL DEFAULT 0,
        is_donor INTEGER GENERATED ALWAYS AS (has_crm OR has_raise) VIRTUAL,
        is_donor_volunteer INTEGER GENERATED ALWAYS AS (has_vomo AND (has_crm OR has_raise)) VIRTUAL,
        -- VOMO side (the most recently updated linked user when a merge gave the person two)
        vomo_user_id TEXT,
        vomo_first_name TEXT,
        vomo_last_name TEXT,
        vomo_email TEXT,
        vomo_phone TEXT,
        vomo_address TEXT,
        vomo_user_status TEXT,
        vomo_membership_role TEXT,
        vomo_updated_at TEXT,
        vomo_user_count INTEGER NOT NULL DEFAULT 0,
        -- CRM+ side: the household contact and the individual(s) matched
        crm_contact_id TEXT,
        crm_individual_id TEXT,               -- the individual the fields below come from
        crm_individual_count INTEGER NOT NULL DEFAULT 0,
        crm_shared_email INTEGER NOT NULL DEFAULT 0,  -- 1: two individuals of one contact share the join email
        crm_contact_type TEXT,
        crm_contact_name TEXT,
        crm_first_name TEXT,
        crm_last_name TEXT,
        crm_email TEXT,
        crm_phone TEXT,
        crm_email_opted_in INTEGER,
        crm_url TEXT,
        crm_giving_owner INTEGER NOT NULL DEFAULT 0,  -- 1: the contact's giving is counted on this person
        crm_modified_at TEXT,
        -- Raise side
        raise_donor_id TEXT,
        raise_donor_count INTEGER NOT NULL DEFAULT 0,
        raise_first_name TEXT,
        raise_last_name TEXT,
        raise_email TEXT,
        raise_phone TEXT,
        raise_email_opted_in INTEGER,
        raise_crm_key TEXT,
        -- normalized keys for matching
        phone_e164 TEXT,                      -- of the display phone
        name_key TEXT,                        -- 'last|first', lowercase, spaces collapsed
        postal TEXT,                          -- first 5 characters, upper case, no spaces
        address TEXT,
        -- measures the insight lists need
        email_opted_in INTEGER,               -- NULL unknown, 0 opted out, 1 opted in
        crm_life_to_date_cents INTEGER,
        crm_gift_count INTEGER NOT NULL DEFAULT 0,
        raise_giving_cents INTEGER NOT NULL DEFAULT 0,
        raise_gift_count INTEGER NOT NULL DEFAULT 0,
        lifetime_giving_cents INTEGER NOT NULL DEFAULT 0,
        first_gift_date TEXT,
        last_gift_date TEXT,                  -- YYYY-MM-DD, max over CRM+ and Raise
        first_raise_gift_date TEXT,
        last_raise_gift_date TEXT,
        vomo_hours_total REAL NOT NULL DEFAULT 0,
        vomo_hours_verified REAL NOT NULL DEFAULT 0,
        vomo_participations_count INTEGER NOT NULL DEFAULT 0,
        first_participation_at TEXT,
        last_participation_at TEXT,
        open_conflicts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (profile_id, id)
      ) WITHOUT ROWID;
      CREATE INDEX persons_by_email ON persons (profile_id, email_norm);
      CREATE INDEX persons_by_display_last ON persons (profile_id, display_last_name COLLATE NOCASE, display_first_name COLLATE NOCASE);
      CREATE INDEX persons_by_phone ON persons (profile_id, phone_e164) WHERE phone_e164 IS NOT NULL;
      CREATE INDEX persons_by_postal_name ON persons (profile_id, postal, name_key) WHERE postal IS NOT NULL;
      CREATE INDEX persons_by_crm ON persons (profile_id, crm_contact_id);
      CREATE INDEX persons_by_overlap ON persons (profile_id, is_donor_volunteer, lifetime_giving_cents);
      CREATE INDEX persons_by_systems ON persons (profile_id, has_vomo, has_crm, has_raise);
      CREATE INDEX persons_by_giving ON persons (profile_id, lifetime_giving_cents);
      CREATE INDEX persons_by_last_gift ON persons (profile_id, last_gift_date);
      CREATE INDEX persons_by_first_raise_gift ON persons (profile_id, first_raise_gift_date) WHERE first_raise_gift_date IS NOT NULL;
      CREATE INDEX persons_by_hours ON persons (profile_id, vomo_hours_verified);
      CREATE INDEX persons_by_last_participation ON persons (profile_id, last_participation_at);
      CREATE INDEX persons_by_open_conflicts ON persons (profile_id, open_conflicts) WHERE open_conflicts > 0;

      -- Every (source, source ID) → person link ever made. active = 1: holds now.
      CREATE TABLE person_links (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        source TEXT NOT NULL,                 -- 'vomo' | 'crm_individual' | 'crm_contact' | 'raise'
        source_id TEXT NOT NULL,
        person_id TEXT NOT NULL,
        email_at_link TEXT,                   -- the source's normalized email when last seen in this link
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        how TEXT NOT NULL,                    -- 'email' | 'crm_key' | 'reference' | 'merge' | 'decision' | 'alone' | 'contact'
        match_card_json TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (profile_id, source, source_id, person_id)
      ) WITHOUT ROWID;
      CREATE INDEX person_links_by_person ON person_links (profile_id, person_id, active);
      CREATE INDEX person_links_active ON person_links (profile_id, source, source_id) WHERE active = 1;
      CREATE INDEX person_links_inactive ON person_links (profile_id, source, source_id) WHERE active = 0;

      -- Every address a system has shown for one of its records.
      CREATE TABLE email_lineage (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        source TEXT NOT NULL,                 -- 'vomo' | 'crm_individual' | 'raise'
        source_id TEXT NOT NULL,
        email_norm TEXT NOT NULL,
        email TEXT,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        is_current INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (profile_id, source, source_id, email_norm)
      ) WITHOUT ROWID;
      CREATE INDEX email_lineage_by_email ON email_lineage (profile_id, email_norm);
      CREATE INDEX email_lineage_past ON email_lineage (profile_id, is_current, email_norm) WHERE is_current = 0;

      CREATE TABLE conflicts (
        id INTEGER PRIMARY KEY,
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        person_id TEXT NOT NULL,
        field TEXT NOT NULL,                  -- 'email' | 'first_name' | 'last_name' | 'phone'
        vomo_value TEXT,
        crm_value TEXT,
        authority TEXT NOT NULL,              -- 'vomo' | 'crm' at evaluation time
        status TEXT NOT NULL DEFAULT 'open',  -- 'open' | 'resolved' | 'dismissed'
        resolution TEXT,                      -- 'vomo' | 'crm' | 'custom' | 'keep_both'
        chosen_value TEXT,
        resolved_at TEXT,
        resolved_by TEXT,
        note TEXT,
        fingerprint TEXT NOT NULL,            -- normalized values: a change means a new disagreement
        active INTEGER NOT NULL DEFAULT 1,    -- 0: the sources agree now (or the person is gone)
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        reopened_at TEXT,
        UNIQUE (profile_id, person_id, field)
      );
      CREATE INDEX conflicts_by_status ON conflicts (profile_id, active, status, field);
      CREATE INDEX conflicts_by_first_seen ON conflicts (profile_id, first_seen_at);

      CREATE TABLE split_candidates (
        id INTEGER PRIMARY KEY,
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        person_a TEXT NOT NULL,               -- person_a < person_b
        person_b TEXT NOT NULL,
        key_a TEXT NOT NULL,                  -- a source key of each side, for decisions
        key_b TEXT NOT NULL,
        kind TEXT NOT NULL,                   -- strongest evidence: 'email_change' | 'reference' | 'crm_key' | 'phone_name' | 'name_postal'
        score INTEGER NOT NULL,               -- 0..100
        evidence_json TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open',  -- 'open' | 'merged' | 'rejected'
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        decided_at TEXT,
        UNIQUE (profile_id, person_a, person_b)
      );
      CREATE INDEX split_candidates_queue ON split_candidates (profile_id, status, score DESC);

      -- The steward's verdicts, on canonical pairs of source keys (key_a < key_b).
      CREATE TABLE identity_decisions (
        id INTEGER PRIMARY KEY,
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        key_a TEXT NOT NULL,
        key_b TEXT NOT NULL,
        verdict TEXT NOT NULL,                -- 'same' | 'not_same'
        email_joined INTEGER NOT NULL DEFAULT 0,  -- 1: the automatic email join had put them together
        candidate_kind TEXT,
        reason TEXT,
        decided_at TEXT NOT NULL,
        decided_by TEXT NOT NULL,
        revoked_at TEXT,                      -- set by an undo
        merge_id INTEGER
      );
      CREATE INDEX identity_decisions_by_key_a ON identity_decisions (profile_id, key_a) WHERE revoked_at IS NULL;
      CREATE INDEX identity_decisions_by_key_b ON identity_decisions (profile_id, key_b) WHERE revoked_at IS NULL;

      CREATE TABLE person_merges (
        id INTEGER PRIMARY KEY,
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        survivor_id TEXT NOT NULL,
        merged_id TEXT NOT NULL,
        candidate_id INTEGER,
        reason TEXT,
        merged_at TEXT NOT NULL,
        merged_by TEXT NOT NULL,
        snapshot_json TEXT NOT NULL,
        undone_at TEXT,
        undone_by TEXT
      );
      CREATE INDEX person_merges_by_profile ON person_merges (profile_id, merged_at);

      -- Findings of the join that are not pairs: a crmKey pointing at a contact with another email, ...
      CREATE TABLE identity_findings (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,                   -- 'crm_key_email_mismatch' | 'crm_key_unknown_contact'
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        person_id TEXT,
        detail_json TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        PRIMARY KEY (profile_id, kind, source, source_id)
      ) WITHOUT ROWID;

      CREATE TABLE identity_runs (
        id INTEGER PRIMARY KEY,
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        kind TEXT NOT NULL,                   -- 'rebuild' | 'refresh'
        summary_json TEXT
      );
      CREATE INDEX identity_runs_by_profile ON identity_runs (profile_id, started_at);
    `);
  },
};
