/** Migration 0096 (split candidates by their second person): a person's pairs from either side, by index. */
import { describe, expect, it } from 'vitest';
import { seedProfile, storeAcrossMigration } from '../helpers/migrationStore';
import { listCandidates } from '../../src-main/identity/queries';

describe('migration 0096: split_candidates_by_person_b', () => {
  it('indexes the candidates a store holds by their second person, and a person finds its pairs from either side', () => {
    const db = storeAcrossMigration(96, (before) => {
      seedProfile(before);
      const put = before.prepare(
        `INSERT INTO split_candidates (profile_id, person_a, person_b, key_a, key_b, kind, score, evidence_json, status, first_seen_at, last_seen_at)
         VALUES (1, ?, ?, ?, ?, 'phone_name', ?, '[]', ?, 'x', 'x')`,
      );
      put.run('P1', 'P2', 'vomo:1', 'raise:2', 80, 'open');
      put.run('P0', 'P1', 'vomo:0', 'vomo:1', 65, 'open');
      put.run('P1', 'P3', 'vomo:1', 'raise:3', 90, 'rejected');
      put.run('P4', 'P5', 'vomo:4', 'raise:5', 70, 'open');
    });
    expect(db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'split_candidates_by_person_b'`).pluck().get()).toMatch(/\(profile_id, person_b\)/);
    const pairs = (status: string, personId: string) =>
      listCandidates(db, { profileId: 1, status, personId, offset: 0, limit: 50 }).items.map((c) => [c.personA, c.personB]);
    expect(pairs('open', 'P1')).toEqual([
      ['P1', 'P2'],
      ['P0', 'P1'],
    ]);
    expect(pairs('all', 'P1')).toEqual([
      ['P1', 'P3'],
      ['P1', 'P2'],
      ['P0', 'P1'],
    ]);
    expect(pairs('open', 'P5')).toEqual([['P4', 'P5']]);
    expect(listCandidates(db, { profileId: 1, status: 'open', personId: 'P1', offset: 1, limit: 1 })).toMatchObject({ total: 2, items: [{ personA: 'P0' }] });
    expect(listCandidates(db, { profileId: 1, status: 'open', offset: 0, limit: 50 }).total).toBe(3);
  });
});
