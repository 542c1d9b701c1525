import type { Migration } from '../migrate';

/**
 * persons.row_digest: a digest of what the row says (identity/personRow.ts: personRowDigest),
 * written by the rebuild with the row. A rebuild that recomputes every person (a new field
 * authority) then compares each recomputed row with this number instead of reading the stored
 * row back: at a million persons that read was eight seconds for rows that almost all read
 * the same. The trigger keeps the digest honest: any other write to a person (a merge, a resolved
 * conflict, the conflict count, a script) that leaves the digest as it was clears it, and a
 * cleared digest sends the rebuild back to reading the row. NULL for every person until the next
 * rebuild writes it.
 */
export const migration: Migration = {
  id: 91,
  name: 'identity: persons carry a digest of their row',
  up(db) {
    db.exec(`
      ALTER TABLE persons ADD COLUMN row_digest INTEGER;
      CREATE TRIGGER persons_row_digest_stale AFTER UPDATE ON persons
      WHEN OLD.row_digest IS NOT NULL AND NEW.row_digest IS OLD.row_digest
      BEGIN
        UPDATE persons SET row_digest = NULL WHERE profile_id = NEW.profile_id AND id = NEW.id;
      END;
    `);
  },
};
