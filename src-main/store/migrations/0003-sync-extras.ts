import type { Migration } from '../migrate';

/**
 * Sync extras, additive only (the 0002 columns are relied on by other domains):
 * - a heartbeat and owner on runs, so a CLI sync and the app never run the same profile at
 *   once, and a run whose process died (kill -9) is recognised as interrupted;
 * - the rate budget a collector last saw, for the Sync view and `sync.status`.
 */
export const migration: Migration = {
  id: 3,
  name: 'sync run heartbeat and rate budget',
  up(db) {
    db.exec(`
      ALTER TABLE sync_runs ADD COLUMN heartbeat_at TEXT;
      ALTER TABLE sync_runs ADD COLUMN owner TEXT;
      ALTER TABLE sync_run_collectors ADD COLUMN budget_remaining INTEGER;
      ALTER TABLE sync_run_collectors ADD COLUMN budget_reset_at TEXT;
      CREATE INDEX sync_runs_by_status ON sync_runs (profile_id, status);
    `);
  },
};
