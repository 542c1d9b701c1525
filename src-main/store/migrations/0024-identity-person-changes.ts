import type { Migration } from '../migrate';

/**
 * Which persons changed since the views that keep their own copy last looked: every rebuild,
 * merge, undo and resolution adds the persons it wrote or removed ('*': every person, after a
 * full rebuild). The insight refresh takes them and recomputes only those persons' measures
 * (insights/measures.ts), so the lists are current a moment after a sync instead of after a
 * full pass over a million persons.
 */
export const migration: Migration = {
  id: 24,
  name: 'identity: changed persons feed',
  up(db) {
    db.exec(`
      CREATE TABLE identity_person_changes (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        person_id TEXT NOT NULL,
        PRIMARY KEY (profile_id, person_id)
      ) WITHOUT ROWID;
    `);
  },
};
