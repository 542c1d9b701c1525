/**
 * An export's snapshot: the list's rows, with every column the file needs, fixed in a scratch
 * database (attached as `schema`, enciphered with the store's key), and read back in the list's
 * order a batch at a time.
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
 *   temporary files), so a list longer than SORTED_ROWS_MAX is sorted in parts, each a range of
 *   person ids, written in the scratch file with an index on its sort values, and the parts are
 *   merged through their indexes (SQLite's MERGE of UNION ALL: no sort, each part read in place;
 *   every person of the 1M profile by name: snapshot ~15 → ~5.5 s, the export 23.8–27.4 → 19.0–19.9 s).
 * Tried, not taken: sorting only the sort values and row numbers and reading the rows back
 * through them (the read-back at random from the scratch file cost more than the sort saved:
 * 2.1 s for 240k rows through an 8 MB cache); taking the members' ids from the list's count index
 * first, then both tables by key (slower than the walk of every measures row: 1.3–1.6 against
 * 1.2 s for the lapsed donors, 1.9–2.0 against 1.6–1.8 s for volunteers only).
 */
import type { Db } from '../store/db';
import type { BuiltQuery } from '../insights/query';

/** A list at least this share of its profile may be read in person order (see `personOrderParts`). */
export const PERSON_ORDER_SHARE = 1 / 16;
/**
 * Profiles up to this many persons are read in the list's order: their persons and measures rows
 * (~530 bytes a person) fit the store's 64 MB page cache, so reading them at random costs little.
 */
export const CACHED_PERSONS = 120_000;
/**
 * The most rows sorted in memory at once: SQLite's sorter holds each row (240,030 rows of the
 * bench's ten columns raised the peak by 30 MB). A longer list is sorted in parts of at most this
 * many persons, by person id, and the parts merged (each read in order through its own index).
 */
export const SORTED_ROWS_MAX = 250_000;

/**
 * How to fill the snapshot: 0, walking the list's own order (a search, whose hits are few and come
 * from name and email indexes; a profile that fits the page cache; a list under
 * PERSON_ORDER_SHARE of the profile, where walking every member's measures costs more than reading
 * the few members at random); else in person order, sorted in one part or, past SORTED_ROWS_MAX
 * rows, in as many parts as keep each at most that many persons.
 */
export function personOrderParts(q: BuiltQuery, members: () => number, persons: number): number {
  if (q.with || persons <= CACHED_PERSONS) return 0;
  const n = members();
  if (n === 0 || n < persons * PERSON_ORDER_SHARE) return 0;
  return n <= SORTED_ROWS_MAX ? 1 : Math.ceil(persons / SORTED_ROWS_MAX);
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
  /** personOrderParts: 0 walks the list's order. */
  parts: number;
  /** The profile's persons (measures rows): parts are ranges of ⌈persons ÷ parts⌉ of them. */
  persons: number;
  /**
   * Called before each part is sorted (`part`, parts done, parts) and before the merge: a long
   * list's snapshot is seconds of statements (1M persons: ~1 s a part), so progress is shown and
   * a cancel taken between them. It may throw to stop; the scratch schema is then the caller's to drop.
   */
  onStep?(step: 'part' | 'merge', done: number, total: number): void;
}

export interface Snapshot {
  /**
   * Rows not recently asked, in the list's order, after position @after: `pos` (the position) and
   * the columns named (of `SnapshotColumns.aliases`, `asked`, `opted_out`; a merge's sort keys are not read back).
   */
  batchSql(limit: number, columns: string[]): string;
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
export function membersByPerson(q: BuiltQuery, select: string, and: string[] = []): string {
  return `SELECT ${select} FROM insight_measures im INDEXED BY sqlite_autoindex_insight_measures_1
            CROSS JOIN persons p INDEXED BY sqlite_autoindex_persons_1 ON p.profile_id = im.profile_id AND p.id = im.person_id
          WHERE ${[q.memberWhere, ...and].join(' AND ')}`;
}

/** A sort term's expression and its collation, apart: `p.display_last_name COLLATE NOCASE`. */
function splitCollation(sql: string): { expr: string; collate: string } {
  const m = /^(.*?)(\s+COLLATE\s+\w+)?$/i.exec(sql.trim())!;
  return { expr: m[1]!, collate: m[2] ?? '' };
}

export function writeSnapshot(db: Db, spec: SnapshotSpec): Snapshot {
  const { schema, query: q, columns } = spec;
  const names = columns.aliases.join(', ');
  const select = `${spec.askedExpr} AS asked, ${spec.optedOutExpr} AS opted_out, ${columns.select}`;
  const read: Snapshot = {
    batchSql: (limit, cols) => `SELECT seq AS pos, ${cols.join(', ')} FROM ${schema}.rows WHERE seq > @after AND asked = 0 ORDER BY seq LIMIT ${limit}`,
    membersSql: `SELECT @exportId, @pid, person_id FROM ${schema}.rows WHERE asked = 0 ORDER BY person_id`,
    countsSql: `SELECT COALESCE(SUM(asked = 0), 0) AS rows, COALESCE(SUM(asked), 0) AS asked, COALESCE(SUM(asked = 0 AND opted_out), 0) AS opted_out FROM ${schema}.rows`,
  };
  // Columns without a declared type keep every value exactly as read (no numeric affinity).
  const table = (name: string, extra: string[] = []) => `CREATE TABLE ${schema}.${name} (seq INTEGER PRIMARY KEY, asked INTEGER NOT NULL, opted_out INTEGER NOT NULL, ${[...columns.aliases, ...extra].join(', ')})`;
  if (spec.parts <= 1) {
    db.exec(table('rows'));
    const source = spec.parts === 1 ? membersByPerson(q, select) : `${q.with} SELECT ${select} FROM ${q.from} WHERE ${q.where}`;
    // In person order the ORDER BY is SQLite's sorter; in the list's order its sort index (no sort).
    db.prepare(`INSERT INTO ${schema}.rows (asked, opted_out, ${names}) ${source} ORDER BY ${q.orderBy}`).run(spec.params);
    return read;
  }
  // In parts: each a range of person ids, sorted as it is written (rows in the list's order, so
  // its index below reads them in place), then merged through those indexes without a sort.
  const dir = q.sort.dir === 'desc' ? 'DESC' : 'ASC';
  const terms = q.terms.map((t, i) => ({ ...splitCollation(t.sql), col: `o${i}` }));
  const keys = terms.map((t) => t.col);
  const step = Math.max(1, Math.ceil(spec.persons / spec.parts));
  // Every step-th person id of the profile: the parts hold at most `step` persons however the
  // list's members fall among them.
  const bounds = db
    .prepare(
      `SELECT person_id FROM (SELECT person_id, row_number() OVER (ORDER BY person_id) - 1 AS n
           FROM insight_measures INDEXED BY sqlite_autoindex_insight_measures_1 WHERE profile_id = @pid)
        WHERE n > 0 AND n % @step = 0`,
    )
    .pluck()
    .all({ pid: spec.params.pid, step }) as string[];
  const ranges = [null, ...bounds].map((lo, i) => ({ lo, hi: bounds[i] ?? null }));
  const partSelect = `${select}, ${terms.map((t) => `${t.expr} AS ${t.col}`).join(', ')}`;
  ranges.forEach((r, i) => {
    spec.onStep?.('part', i, ranges.length);
    db.exec(table(`part${i}`, keys));
    const range = [r.lo === null ? '' : 'im.person_id >= @lo', r.hi === null ? '' : 'im.person_id < @hi'].filter(Boolean);
    db.prepare(`INSERT INTO ${schema}.part${i} (asked, opted_out, ${names}, ${keys.join(', ')}) ${membersByPerson(q, partSelect, range)} ORDER BY ${q.orderBy}`).run({
      ...spec.params,
      lo: r.lo,
      hi: r.hi,
    });
    db.exec(`CREATE INDEX ${schema}.part${i}_order ON part${i} (${[...terms.map((t) => `${t.col}${t.collate}`), 'person_id'].join(', ')})`);
  });
  spec.onStep?.('merge', ranges.length, ranges.length);
  db.exec(table('rows', keys));
  const all = [...columns.aliases, ...keys].join(', ');
  const order = [...terms.map((t) => `${t.col}${t.collate}`), 'person_id'].map((t) => `${t} ${dir}`).join(', ');
  db.exec(
    `INSERT INTO ${schema}.rows (asked, opted_out, ${all})
     ${ranges.map((_, i) => `SELECT asked, opted_out, ${all} FROM ${schema}.part${i}`).join(' UNION ALL ')}
     ORDER BY ${order}`,
  );
  // The parts stay in the scratch file, which goes with the export: dropping them took ~1 s at 1M.
  return read;
}
