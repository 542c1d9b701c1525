import type { Migration } from '../migrate';

/**
 * Persons indexes no query plan uses any more. The lists read their filters and their giving,
 * gift-date and hours sorts from insight_measures (migration 0023), so persons keeps only the
 * indexes of the name and email sorts, search, split detection and lookups by source record.
 * The digest index (0013) served a rebuild that read every person's digest; a rebuild after a
 * sync now reads only the persons its changes reach, by key, and its entry changed with every
 * person a rebuild rewrote.
 * A first build at a million persons rebuilt each of these for about a second, and every
 * person written kept them up.
 */
export const migration: Migration = {
  id: 22,
  name: 'persons: drop the indexes no plan uses',
  up(db) {
    db.exec(`
      DROP INDEX IF EXISTS persons_by_overlap;
      DROP INDEX IF EXISTS persons_by_hours;
      DROP INDEX IF EXISTS persons_by_last_participation;
      DROP INDEX IF EXISTS persons_by_giving;
      DROP INDEX IF EXISTS persons_by_last_gift;
      DROP INDEX IF EXISTS persons_by_first_raise_gift;
      DROP INDEX IF EXISTS persons_by_digest;
    `);
  },
};
