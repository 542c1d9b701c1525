/** Migration 0091 (persons carry a digest of their row): added to a store that holds persons; any other write clears it. */
import { describe, expect, it } from 'vitest';
import { seedProfile, storeAcrossMigration } from '../helpers/migrationStore';

describe('migration 0091: persons.row_digest', () => {
  it('adds an empty digest to the persons a store holds; a write that leaves the digest as it was clears it, one that sets it keeps it', () => {
    const db = storeAcrossMigration(91, (before) => {
      seedProfile(before);
      before.prepare("INSERT INTO persons (profile_id, id, display_name, display_last_name, created_at, updated_at) VALUES (1, 'P1', 'Ann Lee', 'Lee', 'x', 'x')").run();
    });
    const digest = () => db.prepare(`SELECT row_digest FROM persons WHERE id = 'P1'`).pluck().get();
    expect(db.prepare(`SELECT display_name FROM persons WHERE id = 'P1'`).pluck().get()).toBe('Ann Lee');
    expect(digest()).toBeNull();
    // The rebuild's writes set the digest with the row (or alone): kept.
    db.prepare(`UPDATE persons SET display_last_name = 'Li', row_digest = 4503599627370495 WHERE id = 'P1'`).run();
    expect(digest()).toBe(4503599627370495); // 52 bits, exact
    db.prepare(`UPDATE persons SET row_digest = 7 WHERE id = 'P1'`).run();
    expect(digest()).toBe(7);
    // Anyone else's write, whatever it sets (even nothing new): cleared.
    db.prepare(`UPDATE persons SET open_conflicts = open_conflicts WHERE id = 'P1'`).run();
    expect(digest()).toBeNull();
    db.prepare(`UPDATE persons SET row_digest = 7 WHERE id = 'P1'`).run();
    db.prepare(`UPDATE persons SET display_last_name = 'Lee' WHERE id = 'P1'`).run();
    expect(digest()).toBeNull();
    expect(db.prepare(`SELECT display_last_name FROM persons WHERE id = 'P1'`).pluck().get()).toBe('Lee');
  });
});
