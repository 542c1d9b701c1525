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
 *
 * keep: partial indexes the bulk write adds no row to (its rows fail their WHERE), left in
 * place. Building one again costs a scan of the whole table for nothing (at a million persons
 * 0.36 s for an index of a few hundred conflicts); kept, it costs a test of its WHERE per row. A
 * wrong claim costs speed, never correctness: SQLite keeps a kept index current either way.
 */
export function dropIndexes(db: Db, table: string, opts: { keep?: readonly string[] } = {}): Dropped {
  const keep = new Set(opts.keep ?? []);
  const list = (db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`).all(table) as { name: string; sql: string }[]).filter(
    (i) => !keep.has(i.name),
  );
  for (const i of list) db.exec(`DROP INDEX "${i.name}"`);
  return { table, sql: list.map((i) => i.sql) };
}

/**
 * The page cache an index build runs with (KiB). Each CREATE INDEX reads its whole table once and
 * appends the sorted keys (the sort itself is in memory: temp_store = MEMORY), so a large cache
 * holds nothing it reads twice, and it made the build slower: a million-person first build's
 * fourteen persons and links indexes took 11.4-11.9 s in a 256 MB cache, 8.5-8.8 s in this one
 * (built again on a copy of that store, committed: 7.75 s in 256 MB, 6.99 s in 2 MB).
 */
export const INDEX_BUILD_CACHE_KIB = 2_048;

/**
 * Recreate what dropIndexes took, then sample the table's statistics again: dropping an index
 * drops its statistics, and a planner without them guessed a plan at 250k persons that read the
 * lineage once per link (PRAGMA optimize never revisits a table whose size has not changed).
 * The connection's page cache is as it was after.
 */
export function restoreIndexes(db: Db, dropped: Dropped[]): void {
  const todo = dropped.splice(0).filter((d) => d.sql.length);
  if (!todo.length) return;
  const cacheBefore = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = -${INDEX_BUILD_CACHE_KIB}`);
  try {
    for (const d of todo) {
      for (const s of d.sql) db.exec(s);
      db.pragma('analysis_limit = 1000');
      db.exec(`ANALYZE "${d.table}"`);
    }
  } finally {
    db.pragma(`cache_size = ${cacheBefore}`);
  }
}
