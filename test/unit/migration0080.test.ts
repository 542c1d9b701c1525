/**
 * Migrations 0080 (what each API said about itself) and 0081 (the push preview's changed-since
 * answer): each upgrades a database that already holds runs and profiles without touching them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/store/db';
import { allMigrations } from '../../src-main/store/migrations';
import { tempDir } from '../helpers/tempCore';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function dbBefore(id: number) {
  const dir = tempDir();
  dirs.push(dir);
  const file = path.join(dir, 'a.sqlite');
  const db = openDatabase(file, { migrations: allMigrations.filter((m) => m.id < id) });
  db.prepare("INSERT INTO profiles (id, name, vomo_url, crm_url, created_at, updated_at) VALUES (1, 'Org', 'https://v', 'https://c', 'x', 'x')").run();
  db.prepare("INSERT INTO sync_runs (id, profile_id, started_at, status, full, apis) VALUES (1, 1, 'x', 'ok', 0, 'raise')").run();
  db.prepare("INSERT INTO sync_run_collectors (run_id, api, status) VALUES (1, 'raise', 'ok')").run();
  db.close();
  return file;
}

describe('migration 0080: api observations', () => {
  it('adds the unavailable column, the resource and rate-limit tables and the participations-by-date index, keeping every run', () => {
    const file = dbBefore(80);
    const db = openDatabase(file, { migrations: allMigrations.filter((m) => m.id <= 80) });
    expect(db.prepare('SELECT status, unavailable_json FROM sync_run_collectors WHERE run_id = 1').get()).toEqual({ status: 'ok', unavailable_json: null });
    db.prepare("INSERT INTO api_resource_status (profile_id, api, resource, status, http_status, reason, checked_at) VALUES (1, 'raise', 'recurringGifts', 'unavailable', 404, 'not offered', 'x')").run();
    expect(() => db.prepare("INSERT INTO api_resource_status (profile_id, api, resource, status, checked_at) VALUES (1, 'raise', 'campaigns', 'maybe', 'x')").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO api_rate_limits (profile_id, api, limit_value, remaining, reset_at, observed_at) VALUES (1, 'crm', 5000, 4321, 'r', 'o')").run();
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT user_id FROM vomo_participations WHERE profile_id = 1 AND project_date_id = '6001'").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX vomo_participations_by_date/);
    // A removed profile takes its observations along.
    db.prepare('DELETE FROM sync_run_collectors').run();
    db.prepare('DELETE FROM sync_runs').run();
    db.prepare('DELETE FROM profiles WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM api_resource_status').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM api_rate_limits').pluck().get()).toBe(0);
    db.close();
  });
});

describe('migration 0081: crm push lookups', () => {
  it('adds one changed-since answer per profile, removed with its profile', () => {
    const file = dbBefore(81);
    const db = openDatabase(file, { migrations: allMigrations.filter((m) => m.id <= 81) });
    db.prepare("INSERT INTO crm_push_lookups (profile_id, basis, since, checked_at, contacts_json) VALUES (1, 'w', '2026-11-01', 'c', '[]')").run();
    expect(() => db.prepare("INSERT INTO crm_push_lookups (profile_id, basis, since, checked_at, contacts_json) VALUES (1, 'w', 's', 'c', '[]')").run()).toThrow(/UNIQUE|PRIMARY/);
    expect(db.prepare('SELECT count(*) FROM sync_run_collectors').pluck().get()).toBe(1);
    db.prepare('DELETE FROM sync_run_collectors').run();
    db.prepare('DELETE FROM sync_runs').run();
    db.prepare('DELETE FROM profiles WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM crm_push_lookups').pluck().get()).toBe(0);
    db.close();
  });
});
