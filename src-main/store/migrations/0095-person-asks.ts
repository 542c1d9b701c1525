import type { Migration } from '../migrate';

/**
 * person_asks: when each person was last in an outreach export, kept as exports are logged. The
 * "recently asked" rule read it from export_members through an index by person, and every export
 * had to insert into that index one entry per person beside every earlier export's entry for the
 * same person: an export of 100k persons wrote the whole index again (at 30 earlier exports,
 * 15,000 pages, 60 MB), so each export cost more than the one before. This table holds one row
 * per person, whatever the history; export_members keeps who was in each export, by export.
 */
export const migration: Migration = {
  id: 95,
  name: 'exports: when each person was last asked, one row per person',
  up(db) {
    db.exec(`
      CREATE TABLE person_asks (
        profile_id INTEGER NOT NULL,
        person_id TEXT NOT NULL,
        last_asked_at TEXT NOT NULL,
        PRIMARY KEY (profile_id, person_id)
      ) WITHOUT ROWID;
      INSERT INTO person_asks (profile_id, person_id, last_asked_at)
        SELECT em.profile_id, em.person_id, MAX(e.created_at)
          FROM export_members em JOIN exports e ON e.id = em.export_id
         WHERE e.outreach = 1
         GROUP BY em.profile_id, em.person_id;
      DROP INDEX export_members_by_person;
    `);
  },
};
