import path from 'node:path';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/store/db';
import { migrate } from '../../src-main/store/migrate';
import { allMigrations } from '../../src-main/store/migrations';
import { tempDir } from '../helpers/tempCore';

describe('migration 60: the activity window default', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('turns a stored activity window of 0 into 365 and leaves other values and keys alone', () => {
    const dir = tempDir();
    dirs.push(dir);
    const before = allMigrations.filter((m) => m.id < 60);
    const db = openDatabase(path.join(dir, 'a.sqlite'), { migrations: before });
    const pid = (n: string) => Number(db.prepare("INSERT INTO profiles (name, vomo_url, crm_url, created_at, updated_at) VALUES (?, 'v', 'c', 'x', 'x')").run(n).lastInsertRowid);
    const set = db.prepare("INSERT INTO profile_settings (profile_id, key, value_json, updated_at) VALUES (?, ?, ?, 'x')");
    const [a, b, c] = [pid('A'), pid('B'), pid('C')];
    set.run(a, 'insights', JSON.stringify({ lapseDays: 400, activityDays: 0, recentDays: 90, recentlyAskedDays: 0 }));
    set.run(b, 'insights', JSON.stringify({ lapseDays: 365, activityDays: 90, recentDays: 90, recentlyAskedDays: 0 }));
    set.run(c, 'other', JSON.stringify({ activityDays: 0 }));
    migrate(db, allMigrations);
    const get = (p: number, k: string) => JSON.parse((db.prepare('SELECT value_json FROM profile_settings WHERE profile_id = ? AND key = ?').get(p, k) as { value_json: string }).value_json);
    expect(get(a, 'insights')).toEqual({ lapseDays: 400, activityDays: 365, recentDays: 90, recentlyAskedDays: 0 });
    expect(get(b, 'insights').activityDays).toBe(90);
    expect(get(c, 'other')).toEqual({ activityDays: 0 });
    db.close();
  });
});
