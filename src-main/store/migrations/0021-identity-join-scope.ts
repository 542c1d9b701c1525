import type { Migration } from '../migrate';

/**
 * A rebuild after a sync re-joins only the records the changed ones can reach (identity/joinScope.ts):
 * the persons they were linked to, every record sharing one of their emails, their household,
 * the Raise donors naming their contact by crmKey and the contact a donor names. These indexes
 * on the node cache answer those questions without reading the cache:
 *
 * - `identity_nodes_by_email`: the cache keeps a record's join emails as one string, first email
 *   first, so an email's records are an exact match or a prefix range (email + char(31));
 *   `identity_node_emails` lists the second and later emails of the few records that have several.
 * - `identity_nodes_by_contact`: a household's individuals; `identity_nodes_by_crm_key`: the Raise
 *   donors naming a contact.
 * - `identity_node_cache.settings_digest`: the settings the persons were last computed with; when
 *   they change every person is recomputed. `node_count` and `person_count`: how many records the
 *   cache holds and how many persons the last rebuild left, so a rebuild that joins a few records
 *   knows the totals without counting a million rows.
 */
export const migration: Migration = {
  id: 21,
  name: 'identity: join scope indexes on the node cache',
  up(db) {
    db.exec(`
      CREATE INDEX identity_nodes_by_email ON identity_nodes (profile_id, emails) WHERE emails IS NOT NULL;
      CREATE INDEX identity_nodes_by_contact ON identity_nodes (profile_id, contact_id) WHERE rank = 1;
      CREATE INDEX identity_nodes_by_crm_key ON identity_nodes (profile_id, crm_key) WHERE crm_key IS NOT NULL;
      CREATE TABLE identity_node_emails (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        email TEXT NOT NULL,
        rank INTEGER NOT NULL,
        source_id TEXT NOT NULL,
        PRIMARY KEY (profile_id, email, rank, source_id)
      ) WITHOUT ROWID;
      CREATE INDEX identity_node_emails_by_node ON identity_node_emails (profile_id, rank, source_id);
      ALTER TABLE identity_node_cache ADD COLUMN settings_digest INTEGER;
      ALTER TABLE identity_node_cache ADD COLUMN node_count INTEGER;
      ALTER TABLE identity_node_cache ADD COLUMN person_count INTEGER;
    `);
  },
};
