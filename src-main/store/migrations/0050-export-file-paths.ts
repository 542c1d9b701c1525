import type { Migration } from '../migrate';

/**
 * Where each export's CSV was written, so Settings can list the export files that still exist
 * (they are unencrypted copies of donor data) and the steward can delete them. Exports logged
 * before this migration have no path: only their file name was kept.
 */
export const migration: Migration = {
  id: 50,
  name: 'exports: the path of each written file',
  up(db) {
    db.exec(`ALTER TABLE exports ADD COLUMN file_path TEXT`);
  },
};
