/**
 * Migration 0100 (conflicts: the chosen values of live resolutions by person): the index holds
 * exactly the live resolutions with a chosen value, and what reads them (a rebuild's chosen
 * values, the evaluation's resolved displays, for a profile or a person) reads that index alone.
 */
import { describe, expect, it } from 'vitest';
import { seedProfile, storeAcrossMigration } from '../helpers/migrationStore';
import { chosenValues } from '../../src-main/identity/conflicts';

describe('migration 0100: the live resolutions with a chosen value, by person', () => {
  it('indexes only those, which the chosen values read alone, for the profile and person by person', () => {
    const db = storeAcrossMigration(100, (before) => {
      seedProfile(before);
      const put = before.prepare(
        `INSERT INTO conflicts (profile_id, person_id, field, vomo_value, crm_value, authority, status, resolution, chosen_value, fingerprint, active, first_seen_at, last_seen_at)
         VALUES (1, ?, ?, 'a', 'b', 'vomo', ?, ?, ?, ?, ?, 'x', 'x')`,
      );
      put.run('P1', 'last_name', 'resolved', 'custom', 'Ng-Ngo', 'ng\u0001ngo', 1);
      put.run('P1', 'phone', 'resolved', 'vomo', '(217) 555-0901', '+12175550901\u0001+12175550902', 1);
      put.run('P1', 'email', 'open', null, null, 'a\u0001b', 1);
      put.run('P2', 'first_name', 'resolved', 'keep_both', null, 'bo\u0001bob', 1); // no chosen value
      put.run('P3', 'first_name', 'resolved', 'crm', 'Eva', 'eve\u0001eva', 0); // the sources agree now
      put.run('P4', 'last_name', 'dismissed', null, null, 'x\u0001y', 1);
    });
    const sql = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'conflicts_chosen'`).pluck().get() as string;
    expect(sql).toMatch(/\(profile_id, person_id, field, chosen_value, fingerprint, active, status\)\s+WHERE active = 1 AND status = 'resolved' AND chosen_value IS NOT NULL$/);
    expect(db.prepare(`SELECT COUNT(*) FROM conflicts INDEXED BY conflicts_chosen WHERE profile_id = 1 AND active = 1 AND status = 'resolved' AND chosen_value IS NOT NULL`).pluck().get()).toBe(2);
    expect(chosenValues(db, 1)).toEqual(
      new Map([
        [
          'P1',
          [
            { field: 'last_name', value: 'Ng-Ngo', fingerprint: 'ng\u0001ngo' },
            { field: 'phone', value: '(217) 555-0901', fingerprint: '+12175550901\u0001+12175550902' },
          ],
        ],
      ]),
    );
    // A profile without any: none.
    expect(chosenValues(db, 2)).toBeNull();
    // The reads, for the profile and for one person (conflicts.ts), take their columns from the index.
    const plan = (q: string, ...args: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${q}`).all(...args) as { detail: string }[]).map((p) => p.detail).join(' | ');
    const chosen = `active = 1 AND status = 'resolved' AND chosen_value IS NOT NULL`;
    expect(plan(`SELECT person_id, field, chosen_value, fingerprint FROM conflicts INDEXED BY conflicts_chosen WHERE profile_id = ? AND ${chosen}`, 1)).toMatch(
      /USING COVERING INDEX conflicts_chosen \(profile_id=\?\)/,
    );
    expect(plan(`SELECT person_id, field, chosen_value FROM conflicts INDEXED BY conflicts_chosen WHERE profile_id = ? AND ${chosen} AND person_id = ?`, 1, 'P1')).toMatch(
      /USING COVERING INDEX conflicts_chosen \(profile_id=\? AND person_id=\?\)/,
    );
    // A resolution reopened leaves the index; a new one enters it.
    db.prepare(`UPDATE conflicts SET status = 'open', chosen_value = NULL WHERE person_id = 'P1' AND field = 'phone'`).run();
    db.prepare(`UPDATE conflicts SET status = 'resolved', resolution = 'crm', chosen_value = 'b' WHERE person_id = 'P1' AND field = 'email'`).run();
    expect([...chosenValues(db, 1)!.get('P1')!.map((c) => c.field)].sort()).toEqual(['email', 'last_name']);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
