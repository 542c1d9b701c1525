import type { Migration } from '../migrate';

/**
 * Who serves a sandbox profile's three APIs. One process owns a sandbox's servers at a time (the
 * app, or a CLI run when no app serves them); every other process uses the owner's addresses
 * instead of starting servers of its own and rewriting the profile under the owner. `clock` is
 * the sandbox's own time at the owner's last save, kept after the owner exits, so the lists'
 * reference day is the same in every process.
 */
export const migration: Migration = {
  id: 61,
  name: 'sandbox: the owner of each sandbox profile\'s servers, and its clock',
  up(db) {
    db.exec(`
      CREATE TABLE sandbox_servers (
        profile_id INTEGER PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
        owner_id TEXT,          -- random per running core; NULL when nobody serves it
        owner_pid INTEGER,
        owner_shell TEXT,       -- electron | web | cli | test
        vomo_url TEXT,
        crm_url TEXT,
        raise_url TEXT,
        admin_url TEXT,
        started_at TEXT,
        clock TEXT,             -- the sandbox's own time (ISO) at the owner's last save
        updated_at TEXT NOT NULL
      );
    `);
  },
};
