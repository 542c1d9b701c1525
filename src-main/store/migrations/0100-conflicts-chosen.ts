import type { Migration } from '../migrate';

/**
 * The live resolutions with a chosen value, by person, with what is read of them: a rebuild that
 * recomputes everyone, a new field authority or phone region put the chosen values on the rows as
 * they compute them (identity/conflicts.ts: chosenValues, keptChoices), and every evaluation puts
 * them on the persons it looked at (applyResolvedDisplay, for a scope person by person). Found by
 * the queue's index, each was then read from the table by its row: at a million persons with
 * 52,000 resolutions, 0.3-0.5 s for the whole profile (from this index 0.1-0.2 s). Only such
 * conflicts are in it, so a store without resolutions holds an empty index, and a person without
 * one is a miss in it. `active` and `status` ride along at the end: SQLite reads a partial index
 * alone only when it holds every column the query names, those its WHERE fixes as well.
 */
export const migration: Migration = {
  id: 100,
  name: 'conflicts: the chosen values of live resolutions by person',
  up(db) {
    db.exec(`
      CREATE INDEX conflicts_chosen ON conflicts (profile_id, person_id, field, chosen_value, fingerprint, active, status)
        WHERE active = 1 AND status = 'resolved' AND chosen_value IS NOT NULL;
    `);
  },
};
