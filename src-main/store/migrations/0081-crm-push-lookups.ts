import type { Migration } from '../migrate';

/**
 * "Add to CRM+" settles each volunteer against the local CRM+ mirror first; what the mirror cannot
 * know is the contacts changed in CRM+ since its last sync. One query reads those, and its answer
 * is kept here (one row per profile) so opening the preview again spends nothing until the mirror
 * moves on (a CRM+ sync) or the answer is older than the setting allows.
 */
export const migration: Migration = {
  id: 81,
  name: 'crm push: the CRM+ contacts changed since the mirror last synced, as last looked up',
  up(db) {
    db.exec(`
      CREATE TABLE crm_push_lookups (
        profile_id INTEGER PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
        basis TEXT NOT NULL,          -- the CRM+ contacts watermark the mirror was at
        since TEXT NOT NULL,          -- the filter value sent ("modified on or after")
        checked_at TEXT NOT NULL,     -- when CRM+ answered
        contacts_json TEXT NOT NULL   -- [{id, name, mergedIntoContactId, individuals, emails, references}]
      );
    `);
  },
};
