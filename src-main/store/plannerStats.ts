import type { Db } from './db';

/**
 * Refresh SQLite's planner statistics where they are stale. Without them the planner guesses, and
 * on mirror tables keyed (profile_id, …) it guessed a whole-profile scan per contact for lookups
 * by contact_id: the join refresh after an 8,000-person sync took 40 s instead of 1 s.
 * `PRAGMA optimize` analyzes only the tables never analyzed or whose size changed a lot since
 * (0x10000: every table, not only those this connection has queried), each from a bounded
 * sample (analysis_limit): a full ANALYZE, even sampled, took 1.4 s at a million persons on
 * every rebuild, mostly to learn nothing had changed.
 */
export function refreshPlannerStats(db: Db): void {
  db.pragma('analysis_limit = 1000');
  db.pragma('optimize = 0x10002');
}

/**
 * Statistics for a table read only by its primary key (no secondary index), written instead of
 * measured: PRAGMA optimize analyzes a table that has none, and ANALYZE counts every row, which
 * for a table of wide rows reads all of it (identity_node_fields: ~1 s at a million records, in
 * whichever rebuild came next). One row per key, as many rows as given.
 */
export function declareKeyStats(db: Db, table: string, rows: number, keyColumns: number): void {
  if (!db.prepare(`SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'`).get()) db.exec('ANALYZE sqlite_schema'); // creates sqlite_stat1
  const n = Math.max(rows, 1);
  const stat = [n, ...Array.from({ length: keyColumns - 1 }, (_, k) => Math.max(1, Math.round(n / 4 ** k))), 1].join(' ');
  db.prepare(`DELETE FROM sqlite_stat1 WHERE tbl = ?`).run(table);
  db.prepare(`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)`).run(table, table, stat);
  db.exec('ANALYZE sqlite_schema'); // the connection reads the statistics again
}
