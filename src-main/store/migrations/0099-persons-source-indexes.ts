import type { Migration } from '../migrate';

/**
 * A person's row by one of its source records (reconciliation's drill-down, PersonLookup) reads
 * persons_by_vomo, persons_by_crm or persons_by_raise with `column = ?`: never a person without
 * that record. Each index held an entry for every person, many of them NULL (at a million persons
 * 40% without a VOMO user or a CRM+ contact, 80% without a Raise donor), which a first build
 * sorted and wrote, and which a rebuild after a sync rewrote for every person gaining or losing
 * such a record (the NULL entries sit in person order, scattered over the index). Only the
 * persons with one are indexed now. persons_by_open_conflicts goes: no query reads it (a
 * person's open count is kept as its conflicts are written, never recounted through it), and every
 * conflict evaluation kept it.
 */
export const migration: Migration = {
  id: 99,
  name: 'persons: source indexes without the persons lacking that source',
  up(db) {
    db.exec(`
      DROP INDEX IF EXISTS persons_by_open_conflicts;
      DROP INDEX IF EXISTS persons_by_vomo;
      DROP INDEX IF EXISTS persons_by_crm;
      DROP INDEX IF EXISTS persons_by_raise;
      CREATE INDEX persons_by_vomo ON persons (profile_id, vomo_user_id) WHERE vomo_user_id IS NOT NULL;
      CREATE INDEX persons_by_crm ON persons (profile_id, crm_contact_id) WHERE crm_contact_id IS NOT NULL;
      CREATE INDEX persons_by_raise ON persons (profile_id, raise_donor_id) WHERE raise_donor_id IS NOT NULL;
    `);
  },
};
