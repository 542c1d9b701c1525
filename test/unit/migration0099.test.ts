/**
 * Migration 0099 (persons: source indexes without the persons lacking that source): a person is
 * still found by its VOMO user, CRM+ contact or Raise donor by index, the persons without one are
 * in no such index, the index nothing read is gone, and every person is kept.
 */
import { describe, expect, it } from 'vitest';
import { seedProfile, storeAcrossMigration } from '../helpers/migrationStore';
import { PersonLookup } from '../../src-main/reconcile/people';

const SOURCE_INDEXES = { persons_by_vomo: 'vomo_user_id', persons_by_crm: 'crm_contact_id', persons_by_raise: 'raise_donor_id' } as const;

describe('migration 0099: persons by their source records, only those that have one', () => {
  it('indexes only the persons with the record, finds each person by it through the index, and keeps every person', () => {
    const db = storeAcrossMigration(99, (before) => {
      seedProfile(before);
      const put = before.prepare(
        `INSERT INTO persons (profile_id, id, display_name, has_vomo, has_crm, has_raise, vomo_user_id, crm_contact_id, raise_donor_id, open_conflicts, created_at, updated_at)
         VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'x', 'x')`,
      );
      put.run('P1', 'Ann Lee', 1, 1, 0, 'v1', 'c1', null, 2);
      put.run('P2', 'Bo Kim', 1, 0, 0, 'v2', null, null, 0);
      put.run('P3', 'Cy Ray', 0, 1, 1, null, 'c3', 'r3', 0);
      put.run('P4', 'Di Fox', 0, 0, 1, null, null, 'r4', 1);
    });
    const indexSql = (name: string) => db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`).pluck().get(name) as string | undefined;
    expect(indexSql('persons_by_open_conflicts')).toBeUndefined();
    for (const [index, column] of Object.entries(SOURCE_INDEXES)) {
      expect(indexSql(index)).toMatch(new RegExp(`\\(profile_id, ${column}\\) WHERE ${column} IS NOT NULL$`));
      // As many entries as persons with the record: the others are not in it.
      const entries = db.prepare(`SELECT COUNT(*) FROM persons INDEXED BY ${index} WHERE profile_id = 1 AND ${column} IS NOT NULL`).pluck().get();
      expect(entries, index).toBe(db.prepare(`SELECT COUNT(*) FROM persons NOT INDEXED WHERE ${column} IS NOT NULL`).pluck().get());
      // The drill-down's lookup by the record (PersonLookup's byColumn) reads the index.
      const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM persons WHERE profile_id = ? AND ${column} = ? LIMIT 1`).all(1, 'x') as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' | '), index).toMatch(new RegExp(`USING (COVERING )?INDEX ${index} \\(profile_id=\\? AND ${column}=\\?\\)`));
    }
    // No link rows (a store mid-rebuild): each person found by its record's column.
    const people = new PersonLookup(db, 1);
    expect(people.find({ source: 'vomo', id: 'v2' })).toBe('P2');
    expect(people.find({ source: 'crm_contact', id: 'c3' })).toBe('P3');
    expect(people.find({ source: 'raise', id: 'r4' })).toBe('P4');
    expect(people.find({ source: 'raise', id: 'r9' })).toBeNull();
    expect(db.prepare(`SELECT id, open_conflicts FROM persons ORDER BY id`).raw().all()).toEqual([
      ['P1', 2],
      ['P2', 0],
      ['P3', 0],
      ['P4', 1],
    ]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
