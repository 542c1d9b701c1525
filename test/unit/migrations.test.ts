import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3-multiple-ciphers';
import { openDatabase } from '../../src-main/store/db';
import { allMigrations } from '../../src-main/store/migrations';
import { MigrationError, type Migration } from '../../src-main/store/migrate';
import { tempDir } from '../helpers/tempCore';

function schemaOf(file: string): string {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all();
  const applied = db.prepare('SELECT id, name FROM schema_migrations ORDER BY id').all();
  db.close();
  return JSON.stringify({ rows, applied });
}

describe('migrations', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('creates a fresh database with every migration, in WAL mode with foreign keys on', () => {
    const dir = tempDir();
    dirs.push(dir);
    const db = openDatabase(path.join(dir, 'a.sqlite'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const ids = (db.prepare('SELECT id FROM schema_migrations ORDER BY id').all() as { id: number }[]).map((r) => r.id);
    expect(ids).toEqual(allMigrations.map((m) => m.id));
    expect(ids[0]).toBe(1);
    db.close();
  });

  it('is idempotent: re-opening applies nothing and changes nothing', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'a.sqlite');
    openDatabase(file).close();
    const before = schemaOf(file);
    openDatabase(file).close();
    expect(schemaOf(file)).toBe(before);
  });

  it('a failing migration leaves the database exactly as it was', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'a.sqlite');
    const db = openDatabase(file);
    db.prepare("INSERT INTO profiles (name, vomo_url, crm_url, created_at, updated_at) VALUES ('Org', 'https://v', 'https://c', 'x', 'x')").run();
    db.close();
    const before = schemaOf(file);
    const bytesBefore = (() => {
      const d = new Database(file, { readonly: true });
      const dump = JSON.stringify(d.prepare('SELECT * FROM profiles').all());
      d.close();
      return crypto.createHash('sha256').update(dump).digest('hex');
    })();
    const failing: Migration = {
      id: 9999,
      name: 'half done then broken',
      up(d) {
        d.exec('CREATE TABLE half_done (x INTEGER)');
        d.exec("UPDATE profiles SET name = 'changed'");
        d.exec('THIS IS NOT SQL');
      },
    };
    expect(() => openDatabase(file, { migrations: [...allMigrations, failing] })).toThrow(MigrationError);
    expect(schemaOf(file)).toBe(before);
    const d = new Database(file, { readonly: true });
    expect(crypto.createHash('sha256').update(JSON.stringify(d.prepare('SELECT * FROM profiles').all())).digest('hex')).toBe(bytesBefore);
    d.close();
  });

  it('refuses a database written by a newer version', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'a.sqlite');
    const extra: Migration = { id: 9000, name: 'from the future', up: (d) => d.exec('CREATE TABLE future (x)') };
    openDatabase(file, { migrations: [...allMigrations, extra] }).close();
    expect(() => openDatabase(file)).toThrow(/newer Twofold/);
  });

  it('upgrades a database built at N-1 without touching existing rows', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'a.sqlite');
    const older = allMigrations.slice(0, -1);
    const db = openDatabase(file, { migrations: older });
    db.prepare("INSERT INTO profiles (name, vomo_url, crm_url, created_at, updated_at) VALUES ('Org', 'https://v', 'https://c', 'x', 'x')").run();
    db.close();
    const upgraded = openDatabase(file);
    expect(upgraded.prepare('SELECT name FROM profiles').pluck().all()).toEqual(['Org']);
    expect(upgraded.prepare('SELECT max(id) FROM schema_migrations').pluck().get()).toBe(allMigrations.at(-1)!.id);
    upgraded.close();
  });
});
