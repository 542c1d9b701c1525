import type { Migration } from '../migrate';

/** Profiles (one organization each), per-profile settings, and the audit log every domain writes to. */
export const migration: Migration = {
  id: 1,
  name: 'profiles, settings, audit log',
  up(db) {
    db.exec(`
      CREATE TABLE profiles (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL COLLATE NOCASE UNIQUE,
        vomo_url TEXT,
        crm_url TEXT,
        raise_url TEXT,
        is_sandbox INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE profile_settings (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value_json TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (profile_id, key)
      ) WITHOUT ROWID;

      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        profile_id INTEGER REFERENCES profiles(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject_type TEXT,
        subject_id TEXT,
        detail_json TEXT
      );
      CREATE INDEX audit_log_by_profile_time ON audit_log (profile_id, at);
      CREATE INDEX audit_log_by_subject ON audit_log (profile_id, subject_type, subject_id);
    `);
  },
};
