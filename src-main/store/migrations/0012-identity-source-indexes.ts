import type { Migration } from '../migrate';

/**
 * Person lookups by VOMO user and Raise donor id (reconciliation resolves findings to persons
 * this way). IF NOT EXISTS: some development databases got them from an earlier 0010.
 */
export const migration: Migration = {
  id: 12,
  name: 'identity: persons by VOMO user and Raise donor',
  up(db) {
    db.exec(`
      CREATE INDEX IF NOT EXISTS persons_by_vomo ON persons (profile_id, vomo_user_id);
      CREATE INDEX IF NOT EXISTS persons_by_raise ON persons (profile_id, raise_donor_id);
    `);
  },
};
