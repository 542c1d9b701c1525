/**
 * A bulk pass writes each person row by a statement naming only the columns it has a value for.
 * Left out or bound as null, a row must read the same; the columns it may leave out are the
 * table's nullable ones without a default, whatever the code believes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/store/db';
import { PERSON_COLUMNS, personRowDigest } from '../../src-main/identity/personRow';
import { omittableColumns, PersonRowWriter, shapeRow } from '../../src-main/identity/personRowWriter';

const dbs: Db[] = [];
afterEach(() => {
  while (dbs.length) dbs.pop()!.close();
});

function store(): Db {
  const db = openDatabase(':memory:');
  db.prepare(`INSERT INTO profiles (id, name, is_sandbox, created_at, updated_at) VALUES (1, 'p', 1, 'n', 'n')`).run();
  dbs.push(db);
  return db;
}

const col = (name: string) => PERSON_COLUMNS.indexOf(name as (typeof PERSON_COLUMNS)[number]) + 1; // personValues puts the profile first

/** A row of personValues: every nullable column null, then `set` on top. */
function row(db: Db, id: string, set: Record<string, unknown>): unknown[] {
  const info = new Map((db.prepare(`PRAGMA table_info(persons)`).all() as { name: string; notnull: number; dflt_value: string | null }[]).map((c) => [c.name, c]));
  const values: unknown[] = [1, ...PERSON_COLUMNS.map((c) => (info.get(c)!.notnull ? 0 : null))];
  values[col('id')] = id;
  values[col('created_at')] = '2026-01-01T00:00:00.000Z';
  values[col('updated_at')] = '2026-01-01T00:00:00.000Z';
  for (const [k, v] of Object.entries(set)) values[col(k)] = v;
  return values;
}

const stored = (db: Db) => db.prepare(`SELECT * FROM persons ORDER BY id`).all();

describe('the person row writer', () => {
  it('leaves out only nullable columns without a default: never the key, a NOT NULL column or one with a default', () => {
    const db = store();
    const omittable = omittableColumns(db);
    expect(omittable).toHaveLength(PERSON_COLUMNS.length + 1);
    expect(omittable[0]).toBe(0); // the profile
    for (const name of ['id', 'has_vomo', 'vomo_user_count', 'open_conflicts', 'created_at'].filter((c) => col(c) > 0)) expect(omittable[col(name)], name).toBe(0);
    for (const name of ['email_norm', 'vomo_first_name', 'crm_contact_id', 'raise_email']) expect(omittable[col(name)], name).toBe(1);
  });

  it('writes rows of several shapes exactly as one statement binding every value writes them', () => {
    const rows = (db: Db) => [
      row(db, 'p1', { has_vomo: 1, vomo_user_id: 'v1', vomo_first_name: 'Ann', email_norm: 'a@x.example', vomo_user_count: 1 }),
      row(db, 'p2', { has_crm: 1, crm_contact_id: 'c2', crm_first_name: 'Bo', crm_email_opted_in: 0, lifetime_giving_cents: 2500 }),
      row(db, 'p3', { has_raise: 1, raise_donor_id: 'r3', raise_first_name: '', raise_email: 'é@x.example' }),
      row(db, 'p4', { has_vomo: 1, vomo_user_id: 'v4', vomo_first_name: 'Di', email_norm: 'd@x.example', vomo_user_count: 1 }), // p1's shape
    ];
    const bound = store();
    const all = bound.prepare(`INSERT INTO persons (profile_id, ${PERSON_COLUMNS.join(', ')}, row_digest) VALUES (?, ${PERSON_COLUMNS.map(() => '?').join(', ')}, ?)`);
    for (const v of rows(bound)) all.run(...v, personRowDigest(v));
    const shaped = store();
    const writer = new PersonRowWriter(shaped);
    const [a, b, c, d] = rows(shaped);
    writer.insert(a, personRowDigest(a));
    // Shaped on another thread, as the person helper does.
    writer.insertShaped(shapeRow(b, personRowDigest(b), writer.omittable));
    writer.insertShaped(shapeRow(c, personRowDigest(c), writer.omittable));
    writer.insert(d, personRowDigest(d));
    expect(writer.shapes).toBe(3);
    expect(stored(shaped)).toEqual(stored(bound));
    expect(stored(shaped).map((r) => (r as { raise_first_name: string | null }).raise_first_name)).toEqual([null, null, '', null]); // '' is a value
  });

  it('past its statements, writes a row of a new shape with every value bound', () => {
    const bound = store();
    const shaped = store();
    const writer = new PersonRowWriter(shaped, 1);
    const all = bound.prepare(`INSERT INTO persons (profile_id, ${PERSON_COLUMNS.join(', ')}, row_digest) VALUES (?, ${PERSON_COLUMNS.map(() => '?').join(', ')}, ?)`);
    for (const [id, set] of [
      ['p1', { vomo_first_name: 'Ann' }],
      ['p2', { crm_first_name: 'Bo', crm_last_name: 'Lee' }],
      ['p3', { raise_email: 'c@x.example' }],
    ] as const) {
      writer.insert(row(shaped, id, set), 7);
      all.run(...row(bound, id, set), 7);
    }
    expect(writer.shapes).toBe(1);
    expect(stored(shaped)).toEqual(stored(bound));
  });
});
