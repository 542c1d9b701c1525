/** Migration 0050: exports remember where their file was written; older exports have no path. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/store/db';
import { allMigrations } from '../../src-main/store/migrations';
import { listExportFiles, recordExport, deleteExportFile } from '../../src-main/export/exportLog';
import { tempDir } from '../helpers/tempCore';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('migration 0050: export file paths', () => {
  it('adds file_path, leaves earlier exports without one, and lists only files that still exist', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'a.sqlite');
    const before = openDatabase(file, { migrations: allMigrations.filter((m) => m.id < 50) });
    before.prepare("INSERT INTO profiles (id, name, created_at, updated_at) VALUES (1, 'Org', 'x', 'x')").run();
    before
      .prepare(
        `INSERT INTO exports (profile_id, created_at, actor, list, filters_json, columns_json, row_count, file_name, destination)
         VALUES (1, '2026-01-01', 'me', 'lapsed', '{}', '[]', 3, 'old.csv', 'file')`,
      )
      .run();
    before.close();

    const db = openDatabase(file);
    expect(db.prepare(`SELECT file_path FROM exports`).pluck().all()).toEqual([null]);
    const csv = path.join(dir, 'new.csv');
    fs.writeFileSync(csv, 'Person ID\n');
    const gone = path.join(dir, 'gone.csv');
    const base = { profileId: 1, list: 'lapsed', filters: {}, columns: ['personId'], rowCount: 1, excludedOptedOut: 0, excludedRecentlyAsked: 0, outreach: false, destination: 'file' as const };
    const members = { sql: 'SELECT @exportId, @pid, NULL WHERE 0', params: {} };
    const id = recordExport(db, { ...base, fileName: 'new.csv', filePath: csv, createdAt: '2026-02-01' }, members);
    recordExport(db, { ...base, fileName: 'gone.csv', filePath: gone, createdAt: '2026-02-02' }, members);
    expect(listExportFiles(db, 1)).toEqual([{ exportId: id, createdAt: '2026-02-01', list: 'lapsed', rowCount: 1, filePath: csv, bytes: 10 }]);
    expect(deleteExportFile(db, 1, id)).toBe(csv);
    expect(fs.existsSync(csv)).toBe(false);
    expect(listExportFiles(db, 1)).toEqual([]);
    expect(() => deleteExportFile(db, 1, id)).toThrow(/no longer exists/);
    // The log entry stays.
    expect(db.prepare('SELECT count(*) FROM exports').pluck().get()).toBe(3);
    db.close();
  });
});
