import type { Migration } from '../migrate';

/**
 * persons.identity_hash: a digest of a person's identity columns as the last rebuild wrote them,
 * so a rebuild rewrites only the persons whose source records changed (a steady-state rebuild
 * at a million persons then writes next to nothing).
 */
export const migration: Migration = {
  id: 11,
  name: 'identity: row hash for incremental rebuilds, all CRM+ phones and emails',
  up(db) {
    db.exec(`
      ALTER TABLE persons ADD COLUMN identity_hash TEXT;
      -- every phone (E.164) and email (normalized) of the matched CRM+ individual, space-separated:
      -- a VOMO value matching any of them is not a conflict
      ALTER TABLE persons ADD COLUMN crm_phones_e164 TEXT;
      ALTER TABLE persons ADD COLUMN crm_emails TEXT;
    `);
  },
};
