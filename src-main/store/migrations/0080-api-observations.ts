import type { Migration } from '../migrate';

/**
 * What Twofold learns about each API while it talks to it, kept so every screen says the same:
 * - `api_resource_status`: per resource (VOMO users, Raise recurring gifts, …) whether this
 *   profile's token can read it — available, unavailable (404/405/501), forbidden (403) or failed —
 *   from the connection check and from each sync's probes. An optional resource found unavailable
 *   is skipped, not failed on.
 * - `api_rate_limits`: the rate-limit headers of the latest answer per API (CRM+'s hourly budget
 *   is the figure the Sync view, the push preview and the estimate all show).
 * - `sync_run_collectors.unavailable_json`: the optional resources a run could not read, and why.
 * - an index on participations by project date: an incremental sync rewrites the participants of
 *   the project dates it read.
 */
export const migration: Migration = {
  id: 80,
  name: 'api observations: resource availability, rate-limit headers, participations by project date',
  up(db) {
    db.exec(`
      ALTER TABLE sync_run_collectors ADD COLUMN unavailable_json TEXT;

      CREATE TABLE api_resource_status (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        api TEXT NOT NULL,
        resource TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('available', 'unavailable', 'forbidden', 'failed')),
        http_status INTEGER,
        reason TEXT,
        checked_at TEXT NOT NULL,
        PRIMARY KEY (profile_id, api, resource)
      ) WITHOUT ROWID;

      CREATE TABLE api_rate_limits (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        api TEXT NOT NULL,
        limit_value INTEGER,
        remaining INTEGER,
        reset_at TEXT,
        observed_at TEXT NOT NULL,
        PRIMARY KEY (profile_id, api)
      ) WITHOUT ROWID;

      CREATE INDEX vomo_participations_by_date ON vomo_participations (profile_id, project_date_id);
    `);
  },
};
