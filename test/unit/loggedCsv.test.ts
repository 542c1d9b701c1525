/**
 * A CSV a job writes and logs (a fix list, a reconciliation CSV) is whole or absent: written
 * under a temporary name, renamed, then logged with the persons it names in one step. A failure
 * at any point, even after the rename, leaves no file, no partial file and no entry.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/store/db';
import { writeLoggedCsv } from '../../src-main/export/exportLog';
import { tempDir } from '../helpers/tempCore';
import { AppError } from '../../src-shared/errors';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = tempDir();
  db = openDatabase(path.join(dir, 'a.sqlite'));
  db.prepare("INSERT INTO profiles (id, name, vomo_url, crm_url, created_at, updated_at) VALUES (1, 'Org', 'https://v', 'https://c', 'x', 'x')").run();
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const entry = (file: string) => ({ profileId: 1, kind: 'fix-list-crm' as const, filters: {}, columns: ['Twofold person', 'Name'], fileName: 'fix.csv', destination: 'file' as const, filePath: file });
const batches = [
  { rows: [['P1', 'Ann']], personIds: ['P1'] },
  { rows: [['P2', '=Bo']], personIds: ['P2', 'P1'] },
];
const entries = () => db.prepare('SELECT count(*) FROM exports').pluck().get();

describe('writeLoggedCsv', () => {
  it('writes every batch, renames the file whole and logs each person once', async () => {
    const file = path.join(dir, 'fix.csv');
    const rows = await writeLoggedCsv(db, entry(file), batches, { what: 'The fix list', stop: () => undefined });
    expect(rows).toBe(2);
    expect(fs.readFileSync(file, 'utf8')).toBe("\ufeffTwofold person,Name\r\nP1,Ann\r\nP2,'=Bo\r\n");
    expect(db.prepare('SELECT person_id FROM export_members ORDER BY person_id').pluck().all()).toEqual(['P1', 'P2']);
    expect(db.prepare('SELECT row_count, file_path FROM exports').get()).toEqual({ row_count: 2, file_path: file });
  });

  it('leaves no file and no entry when what is logged with it fails after the rename', async () => {
    const file = path.join(dir, 'fix.csv');
    const out = writeLoggedCsv(db, entry(file), batches, {
      what: 'The fix list',
      stop: () => undefined,
      also: () => {
        throw new Error('audit refused');
      },
    });
    await expect(out).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/^The fix list could not be written: audit refused/) });
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('fix'))).toEqual([]);
    expect(entries()).toBe(0);
  });

  it('stops between batches: no file, no partial file, no entry', async () => {
    const file = path.join(dir, 'fix.csv');
    let asked = 0;
    const out = writeLoggedCsv(db, entry(file), batches, {
      what: 'The fix list',
      stop: () => {
        if (++asked === 2) throw new AppError('CANCELLED', 'The fix list was cancelled; no file was written.');
      },
    });
    await expect(out).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('fix'))).toEqual([]);
    expect(entries()).toBe(0);
  });
});
