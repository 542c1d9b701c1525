/**
 * Derived tables a read-only store can still refresh, for this connection only: a report on a
 * read-only store computes what it needs (the insight measures after a newer join rebuild)
 * into TEMP copies of those tables, which SQLite resolves before the store's own for
 * unqualified names. Nothing reaches the file; the copies go with the connection.
 */
import type { Db } from './db';

export function shadowInTemp(db: Db, tables: string[]): void {
  // A temp table cannot point its foreign keys at the store's tables; nothing is written to
  // the store on this connection anyway.
  db.pragma('foreign_keys = OFF');
  for (const t of tables) {
    const exists = db.prepare(`SELECT 1 FROM sqlite_temp_master WHERE type = 'table' AND name = ?`).get(t);
    if (exists) continue;
    const table = db.prepare(`SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?`).pluck().get(t) as string | undefined;
    if (!table) continue;
    db.exec(table.replace(/^CREATE TABLE/i, 'CREATE TEMP TABLE'));
    db.exec(`INSERT INTO temp."${t}" SELECT * FROM main."${t}"`);
    const indexes = db.prepare(`SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`).all(t) as { name: string; sql: string }[];
    for (const i of indexes) db.exec(i.sql.replace(/^CREATE (UNIQUE )?INDEX ("?)([^\s"]+)\2/i, (_m, u: string | undefined, _q, name: string) => `CREATE ${u ?? ''}INDEX temp."${name}"`));
  }
}
