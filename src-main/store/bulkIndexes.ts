import type { Db } from './db';

/** What dropIndexes took away: the table and the SQL that recreates each index. */
export interface Dropped {
  table: string;
  sql: string[];
}

/**
 * Drop a table's secondary indexes (every one, whoever declared it) and return what recreates
 * them. For bulk writes: sorting a million keys once beats a million random b-tree insertions
 * per index. Inside a transaction, a rollback brings the indexes back too.
 */
export function dropIndexes(db: Db, table: string): Dropped {
  const list = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`).all(table) as { name: string; sql: string }[];
  for (const i of list) db.exec(`DROP INDEX "${i.name}"`);
  return { table, sql: list.map((i) => i.sql) };
}

/**
 * Recreate what dropIndexes took, then sample the table's statistics again: dropping an index
 * drops its statistics, and a planner without them guessed a plan at 250k persons that read the
 * lineage once per link (PRAGMA optimize never revisits a table whose size has not changed).
 */
export function restoreIndexes(db: Db, dropped: Dropped[]): void {
  for (const d of dropped.splice(0)) {
    if (!d.sql.length) continue;
    for (const s of d.sql) db.exec(s);
    db.pragma('analysis_limit = 1000');
    db.exec(`ANALYZE "${d.table}"`);
  }
}
