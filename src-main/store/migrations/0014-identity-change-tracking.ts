import type { Migration } from '../migrate';

/**
 * Change tracking for the identity rebuild. A rebuild at a million persons spent half its time
 * re-reading every mirror row to learn that almost none had changed. Now:
 *
 * - `identity_nodes` keeps, per live source record, what the join needs of it (its join emails,
 *   first name, household, crmKey) and the digest of everything a person row and its measures
 *   are computed from (identity/nodeCache.ts). The key orders rows as the join ranks records.
 * - `identity_node_cache` says a profile's node cache is complete, and for which layout version.
 * - Triggers on the mirrors mark a record in `identity_dirty` whenever a column the digest or the
 *   join reads changes, whoever writes it (sync, reconciliation, a test, a hand edit), so the
 *   next rebuild re-reads just those records. A touch (last_synced_at, detail_fetched_at) marks
 *   nothing. Until a rebuild has built the cache, nothing is marked: a first sync of a
 *   million records pays no tracking, and the first rebuild reads everything anyway.
 *
 * Keep the column lists in step with nodes.ts (test/identity/changeTracking.test.ts checks
 * that changing any column a record's digest reads marks the record).
 */
const tracked = (alias: 'NEW' | 'OLD') => `EXISTS (SELECT 1 FROM identity_node_cache c WHERE c.profile_id = ${alias}.profile_id)`;

/**
 * Triggers for one mirror table: marks go to (source, id expression) pairs. NOT EXISTS rather
 * than INSERT OR IGNORE: inside a trigger the outer statement's conflict policy wins, and an
 * upsert's is ABORT.
 */
function triggers(table: string, cols: string[], marks: (row: 'NEW' | 'OLD') => [string, string][]): string {
  const ins = (row: 'NEW' | 'OLD') =>
    marks(row)
      .map(
        ([source, id]) =>
          `INSERT INTO identity_dirty (profile_id, source, source_id) SELECT ${row}.profile_id, '${source}', ${id}
           WHERE ${id} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM identity_dirty d WHERE d.profile_id = ${row}.profile_id AND d.source = '${source}' AND d.source_id = ${id});`,
      )
      .join('\n        ');
  const changed = cols.map((c) => `OLD.${c} IS NOT NEW.${c}`).join(' OR ');
  return `
      CREATE TRIGGER ${table}_dirty_insert AFTER INSERT ON ${table} WHEN ${tracked('NEW')}
      BEGIN
        ${ins('NEW')}
      END;
      CREATE TRIGGER ${table}_dirty_delete AFTER DELETE ON ${table} WHEN ${tracked('OLD')}
      BEGIN
        ${ins('OLD')}
      END;
      CREATE TRIGGER ${table}_dirty_update AFTER UPDATE ON ${table} WHEN (${changed}) AND ${tracked('NEW')}
      BEGIN
        ${ins('NEW')}
        ${ins('OLD')}
      END;`;
}

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
        profile_id INTEGER NOT NULL,
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
      ${triggers(
        'vomo_users',
        ['id', 'email', 'email_norm', 'first_name', 'last_name', 'phone', 'address', 'updated_at', 'user_status', 'membership_role', 'gone_at'],
        (r) => [['vomo', `${r}.id`]],
      )}
      ${triggers('vomo_participations', ['user_id', 'hours', 'signed_up_at', 'checked_in_at', 'checked_out_at', 'verified'], (r) => [['vomo', `${r}.user_id`]])}
      ${triggers(
        'crm_contacts',
        ['id', 'name', 'contact_type', 'address1', 'city', 'state', 'postal', 'life_to_date_giving_cents', 'last_gift_date', 'contact_view_url', 'modified_at', 'gone_at'],
        (r) => [['crm_contact', `${r}.id`]],
      )}
      ${triggers('crm_individuals', ['id', 'contact_id', 'first_name', 'last_name', 'is_primary'], (r) => [
        ['crm_individual', `${r}.id`],
        ['crm_contact', `${r}.contact_id`],
      ])}
      ${triggers('crm_contact_methods', ['id', 'contact_id', 'individual_id', 'kind', 'value', 'email_norm', 'is_opted_in', 'is_primary'], (r) => [
        ['crm_individual', `${r}.individual_id`],
        ['crm_contact', `${r}.contact_id`],
      ])}
      ${triggers('crm_gifts', ['contact_id', 'amount_cents', 'gift_date', 'gone_at'], (r) => [['crm_contact', `${r}.contact_id`]])}
      ${triggers(
        'raise_donors',
        ['id', 'email', 'email_norm', 'first_name', 'last_name', 'name', 'phone', 'address1', 'city', 'state', 'postal', 'email_opted_in', 'crm_key', 'modified_at', 'is_organization', 'is_test_mode', 'raw_json', 'gone_at'],
        (r) => [['raise', `${r}.id`]],
      )}
      ${triggers('raise_gifts', ['donor_id', 'amount_cents', 'gift_date', 'status_text', 'gone_at'], (r) => [['raise', `${r}.donor_id`]])}
    `);
  },
};
