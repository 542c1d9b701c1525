import type { Migration } from '../migrate';

/**
 * Change tracking for the identity rebuild. A rebuild at a million persons spent half its time
 * re-reading every mirror row to learn that almost none had changed. Now:
 *
 * - `identity_nodes` keeps, per live source record, what the join needs of it (its join emails,
 *   first name, household, crmKey) and the digest of everything a person row and its measures
 *   are computed from (identity/nodeCache.ts). The key orders rows as the join ranks records.
 * - `identity_node_cache` says a profile's node cache is complete, and for which layout version.
 * - `identity_dirty` holds the records changed since: triggers on the mirrors mark them
 *   (identity/changeTracking.ts creates those with the first cache, so a store that has never
 *   been rebuilt pays nothing for them).
 */
export const migration: Migration = {
  id: 14,
  name: 'identity: node cache and mirror change tracking',
  up(db) {
    db.exec(`
      CREATE TABLE identity_node_cache (
        profile_id INTEGER PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        built_at TEXT NOT NULL
      );

      CREATE TABLE identity_nodes (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        rank INTEGER NOT NULL,         -- 0 VOMO user, 1 CRM+ individual, 2 CRM+ contact without individuals, 3 Raise donor
        source_id TEXT NOT NULL,
        digest INTEGER NOT NULL,       -- 52-bit digest of the record's columns and measure inputs
        emails TEXT,                   -- the join emails, in order, separated by char(31)
        first_name TEXT,
        contact_id TEXT,               -- individuals: the household contact
        is_primary INTEGER,
        crm_key TEXT,                  -- Raise donors
        name TEXT,                     -- contacts without individuals
        PRIMARY KEY (profile_id, rank, source_id)
      ) WITHOUT ROWID;

      -- No foreign key: the mirrors' own cascades mark rows while a profile is being deleted.
      CREATE TABLE identity_dirty (
        profile_id INTEGER NOT NULL,
        source TEXT NOT NULL,          -- 'vomo' | 'crm_individual' | 'crm_contact' | 'raise'
        source_id TEXT NOT NULL,
        PRIMARY KEY (profile_id, source, source_id)
      ) WITHOUT ROWID;
    `);
  },
};
