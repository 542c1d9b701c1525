/**
 * Whole person rows into persons, in bulk (a first build, a rebuild from scratch), each by a
 * statement that names only the columns its row has a value for.
 *
 * Binding is most of a row's insert: better-sqlite3 hands each of the row's 73 values to SQLite
 * through V8's API, and about two in five are null (a person in one system has no other system's
 * columns). A null in a column that is nullable and has no default reads the same left out, so a
 * row goes in by the statement of its shape: which of those columns it leaves out. The shape is
 * worked out where the row is computed (the person helper's thread, for a first build), so the
 * thread that holds the transaction only looks up a statement and binds what is left.
 */
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import type { Db } from '../store/db';
import { PERSON_COLUMNS } from './personRow';

/** personValues' columns (the profile first), then the row digest. */
const COLUMNS = ['profile_id', ...PERSON_COLUMNS, 'row_digest'] as const;

/**
 * A row as the writer takes it: the values it keeps (in personValues' order), its row digest,
 * then its shape: a bit per value of personValues, set where the value is kept, fifteen to a
 * character (below the surrogates: any string survives the copy between threads).
 */
export type ShapedRow = unknown[];

const BITS = 15;
const kept = (shape: string, i: number) => ((shape.charCodeAt((i / BITS) | 0) >> i % BITS) & 1) === 1;

/**
 * Per value of personValues: 1 where a null may be left out (a nullable column without a
 * default), from the table's own declaration.
 */
export function omittableColumns(db: Db): number[] {
  const info = db.prepare(`PRAGMA table_info(persons)`).all() as { name: string; notnull: number; dflt_value: string | null; pk: number }[];
  const byName = new Map(info.map((c) => [c.name, c]));
  return COLUMNS.slice(0, -1).map((name) => {
    const c = byName.get(name);
    return c && !c.notnull && c.dflt_value === null && !c.pk ? 1 : 0;
  });
}

/** A row of personValues and its digest, shaped: its nulls where they may be left out are. */
export function shapeRow(values: readonly unknown[], digest: number, omittable: readonly number[]): ShapedRow {
  const out: unknown[] = [];
  // Built as numbers and made a string once: a character appended per value cost the helper
  // more than the binding it saves the writer.
  const chunks: number[] = [];
  let bits = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v != null || !omittable[i]) {
      bits |= 1 << i % BITS;
      out.push(v);
    }
    if (i % BITS === BITS - 1 || i === values.length - 1) {
      chunks.push(bits);
      bits = 0;
    }
  }
  out.push(digest, String.fromCharCode(...chunks));
  return out;
}

/**
 * Rows into persons by their shapes' statements. Shapes are few in practice (they follow which
 * systems a person is in and which fields those filled); past `maxStatements` of them a row goes
 * in with every column, its nulls bound.
 */
export class PersonRowWriter {
  readonly omittable: number[];
  private readonly byShape = new Map<string, Statement>();
  private full: Statement | null = null;

  constructor(
    private readonly db: Db,
    private readonly maxStatements = 512,
  ) {
    this.omittable = omittableColumns(db);
  }

  /** A row of personValues (the join computed it here) and its digest. */
  insert(values: readonly unknown[], digest: number): void {
    this.insertShaped(shapeRow(values, digest, this.omittable));
  }

  /** A row shapeRow made (on this thread or another): taken apart. */
  insertShaped(row: ShapedRow): void {
    const shape = row.pop() as string;
    let stmt = this.byShape.get(shape);
    if (!stmt) {
      if (this.byShape.size >= this.maxStatements) return this.insertFull(shape, row);
      const cols = COLUMNS.filter((_, i) => i === COLUMNS.length - 1 || kept(shape, i));
      stmt = this.db.prepare(`INSERT INTO persons (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
      this.byShape.set(shape, stmt);
    }
    stmt.run(...row);
  }

  /** Shapes the writer holds statements for. */
  get shapes(): number {
    return this.byShape.size;
  }

  private insertFull(shape: string, row: unknown[]): void {
    this.full ??= this.db.prepare(`INSERT INTO persons (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
    const values: unknown[] = [];
    let k = 0;
    for (let i = 0; i < COLUMNS.length - 1; i++) values.push(kept(shape, i) ? row[k++] : null);
    values.push(row[k]); // the digest
    this.full.run(...values);
  }
}
