/** Migration 0097 (the conflicts queue's order by index): each conflict takes its person's last name as shown. */
import { describe, expect, it } from 'vitest';
import { seedProfile, storeAcrossMigration } from '../helpers/migrationStore';
import { listConflicts } from '../../src-main/identity/queries';
import { IdentitySettings } from '../../src-shared/domain/identity';

describe('migration 0097: conflicts_queue', () => {
  it('gives every conflict a store holds its person\u2019s last name, replaces the status index, and the queue keeps its order', () => {
    const db = storeAcrossMigration(97, (before) => {
      seedProfile(before);
      const person = before.prepare(`INSERT INTO persons (profile_id, id, display_name, display_last_name, created_at, updated_at) VALUES (1, ?, ?, ?, 'x', 'x')`);
      person.run('P1', 'Zoe Adams', 'adams');
      person.run('P2', 'Ann Zane', 'Zane');
      person.run('P3', 'Cher', null);
      person.run('P4', 'Bo Baker', 'Baker');
      const conflict = before.prepare(
        `INSERT INTO conflicts (profile_id, person_id, field, vomo_value, crm_value, authority, status, fingerprint, active, first_seen_at, last_seen_at)
         VALUES (1, ?, ?, 'a', 'b', 'vomo', ?, 'f', ?, 'x', 'x')`,
      );
      conflict.run('P2', 'phone', 'open', 1);
      conflict.run('P1', 'phone', 'open', 1);
      conflict.run('P3', 'phone', 'open', 1);
      conflict.run('P4', 'email', 'dismissed', 1);
      conflict.run('P4', 'phone', 'open', 0);
      conflict.run('GONE', 'email', 'open', 1); // its person went: no name, kept
    });
    expect(db.prepare(`SELECT person_id, field, person_sort FROM conflicts ORDER BY id`).raw().all()).toEqual([
      ['P2', 'phone', 'Zane'],
      ['P1', 'phone', 'adams'],
      ['P3', 'phone', ''],
      ['P4', 'email', 'Baker'],
      ['P4', 'phone', 'Baker'],
      ['GONE', 'email', ''],
    ]);
    const indexes = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'conflicts' AND sql IS NOT NULL ORDER BY name`).pluck().all();
    expect(indexes).toEqual(['conflicts_by_first_seen', 'conflicts_by_reopened', 'conflicts_queue', 'conflicts_queue_all']);
    const settings = IdentitySettings.parse(undefined);
    const queue = (status: 'open' | 'all') => listConflicts(db, { profileId: 1, status, limit: 50 }, settings).items.map((c) => [c.field, c.personId]);
    // By field, then by last name ignoring case (none first), active conflicts only.
    expect(queue('open')).toEqual([
      ['email', 'GONE'],
      ['phone', 'P3'],
      ['phone', 'P1'],
      ['phone', 'P2'],
    ]);
    expect(queue('all')).toEqual([
      ['email', 'GONE'],
      ['email', 'P4'],
      ['phone', 'P3'],
      ['phone', 'P1'],
      ['phone', 'P2'],
    ]);
  });
});
