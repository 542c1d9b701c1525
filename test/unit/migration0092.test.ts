/** Migration 0092 (the node cache keeps each record's fields): added to a store that holds profiles, one row per record, gone with its profile. */
import { describe, expect, it } from 'vitest';
import { seedProfile, storeAcrossMigration } from '../helpers/migrationStore';

describe('migration 0092: identity_node_fields', () => {
  it('adds the fields table to a store that holds profiles; one row per record with the digest it was read under, found by its key; a profile removed takes its rows along', () => {
    const db = storeAcrossMigration(92, seedProfile);
    expect(db.prepare('SELECT name FROM profiles').pluck().all()).toEqual(['Org']);
    const put = db.prepare('INSERT INTO identity_node_fields (profile_id, rank, source_id, digest, fields) VALUES (1, ?, ?, 1, ?)');
    put.run(0, 'v1', '[["v1"],null]');
    put.run(3, 'r1', '[["r1"],null]');
    expect(() => put.run(0, 'v1', '[]')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => db.prepare("INSERT INTO identity_node_fields (profile_id, rank, source_id, digest, fields) VALUES (1, 1, 'i1', 1, NULL)").run()).toThrow(/NOT NULL/);
    expect(() => db.prepare("INSERT INTO identity_node_fields (profile_id, rank, source_id, digest, fields) VALUES (1, 1, 'i1', NULL, '[]')").run()).toThrow(/NOT NULL/);
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT fields FROM identity_node_fields WHERE profile_id = 1 AND rank = 0 AND source_id = ?').all('v1') as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING PRIMARY KEY/);
    db.prepare('DELETE FROM profiles WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) FROM identity_node_fields').pluck().get()).toBe(0);
  });
});
