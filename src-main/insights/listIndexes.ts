/**
 * Each list's own partial index (ListDef.ownIndex): over exactly the list's members, keyed by the
 * columns its windows read, so its count with the default filters is one range of a small index,
 * and its first sort walks the same index. The index follows the rule: it is declared beside the
 * rule in listRegistry.ts and created or replaced here when its definition changes, the way the
 * identity tracking triggers are, so a changed rule can never be left with a stale index.
 */
import type { Db } from '../store/db';
import { LISTS, type ListDef } from './listRegistry';

export function listIndexName(def: ListDef): string {
  return `insight_list_${def.name.replace(/-/g, '_')}`;
}

/**
 * Every fact a rule's window or a filter reads (listRegistry.ts, query.ts), as the sort indexes of
 * migration 0023 carry them: in each list index too, so a count or a page reads the index alone.
 */
export const FACT_COLUMNS = ['has_vomo', 'has_crm', 'has_raise', 'has_email', 'lifetime_giving_cents', 'verified_hours', 'last_gift_date', 'last_participation_at', 'score'];
/** The index that counts a list without one of its own: it holds every fact (migration 0023). */
export const FACTS_INDEX = 'insight_measures_by_score';

/** The index a list's count reads: its own, else the facts index. */
export function countIndex(def: ListDef): string {
  return def.ownIndex && def.members ? listIndexName(def) : FACTS_INDEX;
}

/** The CREATE INDEX of every list that has one, by index name. */
export function listIndexSql(): Map<string, string> {
  const out = new Map<string, string>();
  for (const def of Object.values(LISTS)) {
    if (!def.ownIndex || !def.members) continue;
    // A partial index's WHERE names bare columns; the planner matches it to the query's `im.` terms.
    const where = def.members.replace(/\bim\./g, '').replace(/\s+/g, ' ');
    // Keyed by what the windows read, then the person (the id tiebreak, so the index also walks
    // the list in its sort order), then every column the rule and the filters read, so a count
    // never leaves the index (SQLite counts a partial index's own WHERE columns as read).
    const ruleColumns = [...def.members.matchAll(/\bim\.(\w+)/g)].map((m) => m[1]);
    const cols = [...new Set([...def.ownIndex, 'person_id', ...ruleColumns, ...FACT_COLUMNS])];
    out.set(listIndexName(def), `CREATE INDEX ${listIndexName(def)} ON insight_measures (profile_id, ${cols.join(', ')}) WHERE ${where}`);
  }
  return out;
}

const checked = new WeakSet<Db>();

/**
 * Create, replace or drop list indexes so they match the rules: once per connection (reads go
 * through INDEXED BY, so the index must exist before the first page), and on every full refresh.
 */
export function ensureListIndexes(db: Db, opts: { again?: boolean } = {}): void {
  if (checked.has(db) && !opts.again) return;
  checked.add(db);
  const want = listIndexSql();
  const have = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name LIKE 'insight\\_list\\_%' ESCAPE '\\'`).all() as { name: string; sql: string }[];
  for (const h of have) if (want.get(h.name) !== h.sql) db.exec(`DROP INDEX "${h.name}"`);
  const kept = new Set(have.filter((h) => want.get(h.name) === h.sql).map((h) => h.name));
  for (const [name, sql] of want) if (!kept.has(name)) db.exec(sql);
}
