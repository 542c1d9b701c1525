/**
 * The migrations of the million-person work (0021–0025), each applied to a database built at the
 * migration before it, with rows in the tables it changes: what it adds is there, what it drops
 * is gone, and the rows it finds are kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/store/db';
import { allMigrations } from '../../src-main/store/migrations';
import { tempDir } from '../helpers/tempCore';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A database at every migration before `id`, with one profile and one person, then upgraded to `id`. */
function upgradeTo(id: number, seed: (db: Db) => void = () => {}): { before: Db; after: () => Db } {
  const dir = tempDir();
  dirs.push(dir);
  const file = path.join(dir, 'a.sqlite');
  const before = openDatabase(file, { migrations: allMigrations.filter((m) => m.id < id) });
  before.prepare("INSERT INTO profiles (id, name, vomo_url, crm_url, created_at, updated_at) VALUES (1, 'Org', 'https://v', 'https://c', 'x', 'x')").run();
  before.prepare("INSERT INTO persons (profile_id, id, display_name, has_vomo, created_at, updated_at) VALUES (1, 'P1', 'Ann Lee', 1, 'x', 'x')").run();
  seed(before);
  return {
    before,
    after: () => {
      before.close();
      return openDatabase(file, { migrations: allMigrations.filter((m) => m.id <= id) });
    },
  };
}

const indexes = (db: Db, table: string) => db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`).pluck().all(table) as string[];
const columns = (db: Db, table: string) => db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[];

describe('migrations 0021–0025', () => {
  it('0021 indexes the node cache for scoped rebuilds and keeps a cache it finds (to be read again in full)', () => {
    const { after } = upgradeTo(21, (db) => {
      db.prepare(`INSERT INTO identity_node_cache (profile_id, version, built_at) VALUES (1, 2, 'x')`).run();
      db.prepare(`INSERT INTO identity_nodes (profile_id, rank, source_id, digest, emails) VALUES (1, 0, 'v1', 7, 'a@x.example')`).run();
    });
    const db = after();
    expect(indexes(db, 'identity_nodes')).toEqual(['identity_nodes_by_contact', 'identity_nodes_by_crm_key', 'identity_nodes_by_email']);
    expect(columns(db, 'identity_node_emails')).toEqual(['profile_id', 'email', 'rank', 'source_id']);
    // No node count yet: the next rebuild reads every record instead of trusting the cache.
    expect(db.prepare(`SELECT version, settings_digest, node_count, person_count FROM identity_node_cache`).get()).toEqual({ version: 2, settings_digest: null, node_count: null, person_count: null });
    expect(db.prepare(`SELECT source_id, digest FROM identity_nodes`).all()).toEqual([{ source_id: 'v1', digest: 7 }]);
    db.close();
  });

  it('0022 drops the persons indexes no plan uses and keeps every person', () => {
    const { before, after } = upgradeTo(22);
    expect(indexes(before, 'persons')).toEqual(expect.arrayContaining(['persons_by_giving', 'persons_by_digest', 'persons_by_hours']));
    const db = after();
    const left = indexes(db, 'persons');
    for (const gone of ['persons_by_overlap', 'persons_by_hours', 'persons_by_last_participation', 'persons_by_giving', 'persons_by_last_gift', 'persons_by_first_raise_gift', 'persons_by_digest']) expect(left).not.toContain(gone);
    expect(left).toEqual(expect.arrayContaining(['persons_by_display_last', 'persons_by_email', 'persons_by_phone', 'persons_by_systems']));
    expect(db.prepare(`SELECT id FROM persons`).pluck().all()).toEqual(['P1']);
    db.close();
  });

  it('0023 gives insight_measures the list facts and sort indexes, and drops the state so the next read recomputes', () => {
    const { after } = upgradeTo(23, (db) => {
      db.prepare(`INSERT INTO insight_measures (profile_id, person_id, verified_hours, score) VALUES (1, 'P1', 2.5, 4)`).run();
      db.prepare(`INSERT INTO insight_state (profile_id, refreshed_at, as_of) VALUES (1, 'x', '2026-01-01')`).run();
    });
    const db = after();
    expect(columns(db, 'insight_measures')).toEqual(expect.arrayContaining(['has_vomo', 'has_crm', 'has_raise', 'has_email', 'lifetime_giving_cents', 'first_gift_date', 'last_gift_date', 'first_raise_gift_date']));
    expect(indexes(db, 'insight_measures')).toEqual(
      expect.arrayContaining(['insight_measures_by_giving', 'insight_measures_by_last_gift', 'insight_measures_by_hours', 'insight_measures_by_last_participation', 'insight_measures_by_score']),
    );
    // Each sort index: key, person, then every fact a rule reads.
    const sql = db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'insight_measures_by_hours'`).pluck().get() as string;
    expect(sql).toMatch(/\(profile_id, verified_hours, person_id, has_vomo, .*score\)/);
    expect(db.prepare(`SELECT COUNT(*) FROM insight_state`).pluck().get()).toBe(0);
    expect(db.prepare(`SELECT verified_hours, score, has_vomo FROM insight_measures`).get()).toEqual({ verified_hours: 2.5, score: 4, has_vomo: 0 });
    db.close();
  });

  it('0024 adds the changed-persons feed, removed with its profile', () => {
    const { after } = upgradeTo(24);
    const db = after();
    db.prepare(`INSERT INTO identity_person_changes (profile_id, person_id) VALUES (1, 'P1')`).run();
    db.prepare(`DELETE FROM profiles WHERE id = 1`).run();
    expect(db.prepare(`SELECT COUNT(*) FROM identity_person_changes`).pluck().get()).toBe(0);
    db.close();
  });

  it('0025 adds verified counts and attendance to persons, zero until the next rebuild computes them', () => {
    const { after } = upgradeTo(25);
    const db = after();
    expect(db.prepare(`SELECT id, vomo_verified_count, vomo_verified_by_flag, vomo_verified_by_check, first_attended_at, last_attended_at FROM persons`).get()).toEqual({
      id: 'P1',
      vomo_verified_count: 0,
      vomo_verified_by_flag: 0,
      vomo_verified_by_check: 0,
      first_attended_at: null,
      last_attended_at: null,
    });
    db.close();
  });
});
