/**
 * Triggers on the mirrors that mark, in identity_dirty, every record whose digest or join fields
 * may have changed, whoever writes the mirror (sync, reconciliation, a test, a hand edit), so a
 * rebuild re-reads just those records (nodeCache.ts). A mark names the record the change belongs
 * to: a participation marks its VOMO user, a method its individual and household, a gift its
 * contact or donor, a reference its contact.
 *
 * They are created with the first node cache, not by a migration: a store that has never been
 * rebuilt (a first sync of a million records) pays nothing for them, and even then they mark
 * only profiles that have a cache. An update marks only when a tracked column really changed,
 * and only statements that set a tracked column run the trigger at all, so a sync's touch
 * (last_synced_at) costs nothing. Keep the column lists in step with nodes.ts (bump
 * RECORD_DIGEST_VERSION with them); test/identity/changeTracking.test.ts checks that changing
 * any column a record's digest reads marks the record.
 */
import type { Db } from '../store/db';
import { raiseOriginSql } from '../store/giftOrigin';

interface Tracked {
  table: string;
  cols: string[];
  /** The records a row's change marks: (source, id), each a SQL expression over NEW or OLD. */
  marks: (row: 'NEW' | 'OLD') => [string, string][];
}

/** The source and the id of a source key column ('vomo:12'), as SQL. */
const keyParts = (col: string): [string, string] => [`substr(${col}, 1, instr(${col}, ':') - 1)`, `substr(${col}, instr(${col}, ':') + 1)`];

const TRACKED: Tracked[] = [
  {
    table: 'vomo_users',
    cols: ['id', 'email', 'email_norm', 'first_name', 'last_name', 'phone', 'address', 'updated_at', 'user_status', 'membership_role', 'gone_at'],
    marks: (r) => [[`'vomo'`, `${r}.id`]],
  },
  { table: 'vomo_participations', cols: ['user_id', 'hours', 'signed_up_at', 'checked_in_at', 'checked_out_at', 'verified'], marks: (r) => [[`'vomo'`, `${r}.user_id`]] },
  {
    table: 'crm_contacts',
    cols: ['id', 'name', 'contact_type', 'address1', 'city', 'state', 'postal', 'life_to_date_giving_cents', 'last_gift_date', 'contact_view_url', 'modified_at', 'gone_at'],
    marks: (r) => [[`'crm_contact'`, `${r}.id`]],
  },
  {
    table: 'crm_individuals',
    cols: ['id', 'contact_id', 'first_name', 'last_name', 'is_primary'],
    marks: (r) => [
      [`'crm_individual'`, `${r}.id`],
      [`'crm_contact'`, `${r}.contact_id`],
    ],
  },
  {
    table: 'crm_contact_methods',
    cols: ['id', 'contact_id', 'individual_id', 'kind', 'value', 'email_norm', 'is_opted_in', 'is_primary'],
    marks: (r) => [
      [`'crm_individual'`, `${r}.individual_id`],
      [`'crm_contact'`, `${r}.contact_id`],
    ],
  },
  { table: 'crm_contact_references', cols: ['contact_id', 'source', 'ref_id'], marks: (r) => [[`'crm_contact'`, `${r}.contact_id`]] },
  {
    table: 'crm_gifts',
    cols: ['contact_id', 'amount_cents', 'gift_date', 'gone_at', 'transaction_source', 'transaction_id'],
    // A CRM+ copy of a Raise gift changes what the Raise donor's gifts add to lifetime giving.
    marks: (r) => [
      [`'crm_contact'`, `${r}.contact_id`],
      [`'raise'`, `(SELECT g.donor_id FROM raise_gifts g WHERE g.profile_id = ${r}.profile_id AND g.id = ${r}.transaction_id AND ${raiseOriginSql(r)})`],
    ],
  },
  {
    table: 'raise_donors',
    cols: ['id', 'email', 'email_norm', 'first_name', 'last_name', 'name', 'phone', 'address1', 'city', 'state', 'postal', 'email_opted_in', 'crm_key', 'modified_at', 'is_organization', 'is_test_mode', 'raw_json', 'gone_at'],
    marks: (r) => [[`'raise'`, `${r}.id`]],
  },
  { table: 'raise_gifts', cols: ['donor_id', 'amount_cents', 'gift_date', 'status_text', 'gone_at'], marks: (r) => [[`'raise'`, `${r}.donor_id`]] },
  // Not a mirror: the steward's verdicts join or detach their two records, so a new or revoked
  // one must bring both into the next rebuild's scope (joinScope.ts).
  { table: 'identity_decisions', cols: ['key_a', 'key_b', 'verdict', 'revoked_at'], marks: (r) => [keyParts(`${r}.key_a`), keyParts(`${r}.key_b`)] },
];

// Only profiles with a node cache are tracked: until their first rebuild there is nothing to keep in step.
const tracked = (row: 'NEW' | 'OLD') => `EXISTS (SELECT 1 FROM identity_node_cache c WHERE c.profile_id = ${row}.profile_id)`;

/** The CREATE TRIGGER statements, by name. */
function triggerSql(): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of TRACKED) {
    // NOT EXISTS rather than INSERT OR IGNORE: inside a trigger the outer statement's conflict
    // policy wins, and an upsert's is ABORT.
    const mark = (row: 'NEW' | 'OLD') =>
      t
        .marks(row)
        .map(
          ([source, id]) =>
            `INSERT INTO identity_dirty (profile_id, source, source_id) SELECT ${row}.profile_id, ${source}, ${id} WHERE ${id} IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM identity_dirty d WHERE d.profile_id = ${row}.profile_id AND d.source = ${source} AND d.source_id = ${id});`,
        )
        .join('\n  ');
    const changed = t.cols.map((c) => `OLD.${c} IS NOT NEW.${c}`).join(' OR ');
    out.set(`identity_track_${t.table}_insert`, `CREATE TRIGGER identity_track_${t.table}_insert AFTER INSERT ON ${t.table} WHEN ${tracked('NEW')}\nBEGIN\n  ${mark('NEW')}\nEND`);
    out.set(`identity_track_${t.table}_delete`, `CREATE TRIGGER identity_track_${t.table}_delete AFTER DELETE ON ${t.table} WHEN ${tracked('OLD')}\nBEGIN\n  ${mark('OLD')}\nEND`);
    out.set(
      `identity_track_${t.table}_update`,
      `CREATE TRIGGER identity_track_${t.table}_update AFTER UPDATE OF ${t.cols.join(', ')} ON ${t.table} WHEN (${changed}) AND ${tracked('NEW')}\nBEGIN\n  ${mark('NEW')}\n  ${mark('OLD')}\nEND`,
    );
  }
  return out;
}

/**
 * Makes sure the tracking triggers exist as this code defines them. Returns true when any had to
 * be created or replaced: changes made before then were not marked, so no node cache can be
 * trusted (the caller drops them all).
 */
export function ensureTracking(db: Db): boolean {
  const want = triggerSql();
  const have = new Map(
    (db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'identity\\_track\\_%' ESCAPE '\\'`).all() as { name: string; sql: string }[]).map((r) => [r.name, r.sql]),
  );
  let changed = false;
  for (const [name, sql] of have) {
    if (want.get(name) === sql) continue;
    db.exec(`DROP TRIGGER "${name}"`);
    have.delete(name);
    changed = true;
  }
  for (const [name, sql] of want) {
    if (have.has(name)) continue;
    db.exec(sql);
    changed = true;
  }
  return changed;
}
