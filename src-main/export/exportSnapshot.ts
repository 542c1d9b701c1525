/**
 * An export's snapshot: the list's rows, with every column the file needs, fixed in a scratch
 * database (attached as `schema`, enciphered with the store's key) by one INSERT … SELECT, and
 * read back in the list's order a batch at a time.
 *
 * Two ways to fill it (measured on a 1M profile, in a store of 1.1M persons):
 * - in the list's order, walking its sort index: each member's persons and measures rows are read
 *   at random. Cheap for a short list, and for a profile whose rows fit the page cache; a long
 *   list scattered through a large profile pays a page read and its deciphering for nearly every
 *   row (240,030 volunteers only, by name: snapshot 3.5–4.9 s, the export 5.8–6.5 s);
 * - in person order: the measures walked by their primary key, each member's persons row read by
 *   the same key, so each page is read once and in order, and SQLite's sorter puts the rows in
 *   the list's order (the same list: snapshot 1.6–2.0 s, the export 3.3–3.8 s). The sorter holds
 *   the rows in memory (temporary storage is memory: SQLite3MultipleCiphers does not encipher
 *   temporary files), so this way is taken only up to SORTED_ROWS_MAX rows.
 * Tried, not taken: sorting only the sort values and row numbers and reading the rows back
 * through them (the read-back at random from the scratch file cost more than the sort saved:
 * 2.1 s for 240k rows through an 8 MB cache); taking the members' ids from the list's count index
 * first, then both tables by key (slower than the walk of every measures row: 1.3–1.6 against
 * 1.2 s for the lapsed donors, 1.9–2.0 against 1.6–1.8 s for volunteers only).
 */
import type { Db } from '../store/db';
import type { BuiltQuery } from '../insights/query';

/** A list at least this share of its profile may be read in person order (see `inPersonOrder`). */
export const PERSON_ORDER_SHARE = 1 / 16;
/**
 * Profiles up to this many persons are read in the list's order: their persons and measures rows
 * (~530 bytes a person) fit the store's 64 MB page cache, so reading them at random costs little.
 */
export const CACHED_PERSONS = 120_000;
/**
 * The most rows sorted in memory: SQLite's sorter holds each row (240,030 rows of the bench's ten
 * columns raised the peak by 30 MB), so this bounds what an export adds to the process; a longer
 * list is read in its own order, slower but in flat memory (every person of a 1M profile, by name:
 * 26–37 s, 15 s of it the snapshot).
 */
export const SORTED_ROWS_MAX = 250_000;

/**
 * Whether to fill the snapshot in person order: not for a search (its hits are few and come from
 * name and email indexes), nor for a profile that fits the page cache, and only for a list of at
 * least PERSON_ORDER_SHARE of the profile (below it, walking every member's measures costs more
 * than reading the few members at random) and at most SORTED_ROWS_MAX rows.
 */
export function inPersonOrder(q: BuiltQuery, members: () => number, persons: number): boolean {
  if (q.with || persons <= CACHED_PERSONS) return false;
  const n = members();
  return n >= persons * PERSON_ORDER_SHARE && n <= SORTED_ROWS_MAX;
}

export interface SnapshotColumns {
  /** `p.id, p.display_email, im.score, …`: what each row keeps. */
  select: string;
  /** Their names in the scratch table, in the same order. */
  aliases: string[];
}

export interface SnapshotSpec {
  schema: string;
  query: BuiltQuery;
  columns: SnapshotColumns;
  /** SQL for the two flags each row keeps: recently asked, and an opted-out address shown. */
  askedExpr: string;
  optedOutExpr: string;
  params: Record<string, unknown>;
  personOrder: boolean;
}

export interface Snapshot {
  /** Rows not recently asked, in the list's order, after position @after; `pos` is the position. */
  batchSql(limit: number): string;
  /** Their person ids, for the export log. */
  membersSql: string;
  /** How many rows go to the file, how many were recently asked, how many show an opted-out address. */
  countsSql: string;
}

/**
 * The list's members in person order: measures by primary key, each persons row by the same key.
 * The key is named: `NOT INDEXED` does not keep SQLite off a WITHOUT ROWID table's other indexes
 * (it walked the lapsed list's own index, in its order), nor off a narrow persons index.
 */
export function membersByPerson(q: BuiltQuery, select: string): string {
  return `SELECT ${select} FROM insight_measures im INDEXED BY sqlite_autoindex_insight_measures_1
            CROSS JOIN persons p INDEXED BY sqlite_autoindex_persons_1 ON p.profile_id = im.profile_id AND p.id = im.person_id
          WHERE ${q.memberWhere}`;
}

export function writeSnapshot(db: Db, spec: SnapshotSpec): Snapshot {
  const { schema, query: q, columns } = spec;
  // Columns without a declared type keep every value exactly as read (no numeric affinity).
  db.exec(`CREATE TABLE ${schema}.rows (seq INTEGER PRIMARY KEY, asked INTEGER NOT NULL, opted_out INTEGER NOT NULL, ${columns.aliases.join(', ')})`);
  const select = `NULL, ${spec.askedExpr} AS asked, ${spec.optedOutExpr} AS opted_out, ${columns.select}`;
  const source = spec.personOrder ? membersByPerson(q, select) : `SELECT ${select} FROM ${q.from} WHERE ${q.where}`;
  // In person order the ORDER BY is SQLite's sorter; in the list's order its sort index (no sort).
  db.prepare(`${spec.personOrder ? '' : q.with} INSERT INTO ${schema}.rows (seq, asked, opted_out, ${columns.aliases.join(', ')}) ${source} ORDER BY ${q.orderBy}`).run(spec.params);
  return {
    batchSql: (limit) => `SELECT seq AS pos, * FROM ${schema}.rows WHERE seq > @after AND asked = 0 ORDER BY seq LIMIT ${limit}`,
    membersSql: `SELECT @exportId, @pid, person_id FROM ${schema}.rows WHERE asked = 0 ORDER BY person_id`,
    countsSql: `SELECT COALESCE(SUM(asked = 0), 0) AS rows, COALESCE(SUM(asked), 0) AS asked, COALESCE(SUM(asked = 0 AND opted_out), 0) AS opted_out FROM ${schema}.rows`,
  };
}
