import path from 'node:path';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/store/db';
import { migrate } from '../../src-main/store/migrate';
import { allMigrations } from '../../src-main/store/migrations';
import { tempDir } from '../helpers/tempCore';

describe('migration 61: sandbox_servers', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('adds one row per profile that goes with its profile', () => {
    const dir = tempDir();
    dirs.push(dir);
    const db = openDatabase(path.join(dir, 'a.sqlite'), { migrations: allMigrations.filter((m) => m.id < 61) });
    const pid = Number(db.prepare("INSERT INTO profiles (name, vomo_url, crm_url, is_sandbox, created_at, updated_at) VALUES ('Sandbox', NULL, NULL, 1, 'x', 'x')").run().lastInsertRowid);
    migrate(db, allMigrations);
    db.prepare("INSERT INTO sandbox_servers (profile_id, owner_id, owner_pid, owner_shell, clock, updated_at) VALUES (?, 'a', 1, 'web', '2026-11-01T12:00:00.000Z', 'x')").run(pid);
    expect(() => db.prepare("INSERT INTO sandbox_servers (profile_id, updated_at) VALUES (?, 'x')").run(pid)).toThrow(/UNIQUE|PRIMARY/);
    db.prepare('DELETE FROM profiles WHERE id = ?').run(pid);
    expect(db.prepare('SELECT COUNT(*) AS n FROM sandbox_servers').get()).toEqual({ n: 0 });
    db.close();
  });
});
