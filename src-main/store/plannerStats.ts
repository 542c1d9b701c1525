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
