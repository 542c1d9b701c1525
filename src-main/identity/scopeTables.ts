/**
 * The temp tables scoped identity steps join against: a set of person IDs, or a set of source
 * records ('vomo:12' keys split into source and id). Each call replaces the table's contents.
 */
import type { Db } from '../store/db';
import { parseSourceKey } from './nodes';

/** temp.identity_person_scope (id): the persons a step is limited to. */
export function fillPersonScope(db: Db, personIds: Iterable<string>): void {
  db.exec('CREATE TEMP TABLE IF NOT EXISTS identity_person_scope (id TEXT PRIMARY KEY) WITHOUT ROWID');
  db.exec('DELETE FROM temp.identity_person_scope');
  const ins = db.prepare('INSERT OR IGNORE INTO temp.identity_person_scope (id) VALUES (?)');
  for (const id of personIds) ins.run(id);
}

/**
 * temp.<table> (source, source_id) from source keys: identity_scope for a read of a few records'
 * fields, lineage_scope for lineage, join_scope for the records a rebuild joins again.
 */
export function fillRecordScope(db: Db, table: 'identity_scope' | 'lineage_scope' | 'join_scope', sourceKeys: Iterable<string>): void {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS ${table} (source TEXT NOT NULL, source_id TEXT NOT NULL, PRIMARY KEY (source, source_id)) WITHOUT ROWID`);
  db.exec(`DELETE FROM temp.${table}`);
  const ins = db.prepare(`INSERT OR IGNORE INTO temp.${table} (source, source_id) VALUES (?, ?)`);
  for (const k of sourceKeys) {
    const { source, id } = parseSourceKey(k);
    ins.run(source, id);
  }
}
