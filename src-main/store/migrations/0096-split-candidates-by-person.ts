import type { Migration } from '../migrate';

/**
 * A person's split candidates by index from either side. A person's detail lists the pairs it is
 * in, as person_a or person_b; only person_a had an index (the pair's UNIQUE), so the query walked
 * every open candidate of the profile (10,000 at a million persons: ~1.8 ms a query, twice a
 * detail, growing with the queue).
 */
export const migration: Migration = {
  id: 96,
  name: 'split candidates: by their second person',
  up(db) {
    db.exec(`CREATE INDEX split_candidates_by_person_b ON split_candidates (profile_id, person_b)`);
  },
};
