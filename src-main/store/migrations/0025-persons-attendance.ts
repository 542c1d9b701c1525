import type { Migration } from '../migrate';

/**
 * What the lists read of a person's participations, computed with the person in the rebuild's
 * person pass (identity/personMeasures.ts) like its other measures: how many were verified and
 * by which rule (VOMO's flag, or check-in and check-out), and the first and last attended instant
 * (check-in, else check-out, in ISO UTC). The insight refresh then copies the lists' facts from
 * persons instead of summing every participation again (over 20 s at a million persons).
 */
export const migration: Migration = {
  id: 25,
  name: 'persons: verified participations and attendance',
  up(db) {
    db.exec(`
      ALTER TABLE persons ADD COLUMN vomo_verified_count INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE persons ADD COLUMN vomo_verified_by_flag INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE persons ADD COLUMN vomo_verified_by_check INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE persons ADD COLUMN first_attended_at TEXT;
      ALTER TABLE persons ADD COLUMN last_attended_at TEXT;
    `);
  },
};
