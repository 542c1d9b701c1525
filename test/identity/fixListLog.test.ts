/**
 * A fix list is donor data written unencrypted: it goes into the export log with the persons it
 * names, and while its file exists Settings lists it for deletion.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { identityCore } from './fixtures';
import { describeFilters, exportLabel, isFileExport, type ExportLogEntry } from '../../src-shared/domain/insights';
import type { ExportFile } from '../../src-shared/domain/store';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function withConflict() {
  const { core, profileId, m } = identityCore();
  cleanups.push(() => core.cleanup());
  m.vomoUser({ id: '1', email: 'bruce@wayne.example', first: 'Bruce', last: 'Wayne' });
  m.crmContact({ id: '10', individuals: [{ id: '100', first: 'Bruce', last: 'Kane', primary: true, emails: ['bruce@wayne.example'] }] });
  m.vomoUser({ id: '2', email: 'diana@themyscira.example', first: 'Diana', last: 'Prince' });
  const ok = async <T>(ch: string, input: unknown, shell?: 'web' | 'cli' | 'electron'): Promise<T> => {
    const r = await core.invoke(ch, input, shell);
    if (!r.ok) throw new Error(`${ch}: ${JSON.stringify(r.error)}`);
    return r.data as T;
  };
  return { core, profileId, ok };
}

const FMT = { money: String, count: String, day: String };

describe('fix lists in the export log', () => {
  it('a fix list written to a file is logged with the persons it names, listed in Settings while it exists, and deletable', async () => {
    const { core, profileId, ok } = await withConflict();
    await ok('identity.rebuild', { profileId });
    const bruce = (await ok<{ rows: { personId: string }[] }>('insights.list', { profileId, list: 'all', search: 'bruce' })).rows[0]!.personId;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-fixlist-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'fix.csv');
    const changed: string[] = [];
    const off = core.events.on('data.changed', (e) => changed.push(e.scope));
    cleanups.push(off);

    const fix = await ok<{ rows: number; path: string }>('conflicts.exportFixList', { profileId, system: 'crm', path: file });
    expect(fix).toMatchObject({ rows: 1, path: file });
    expect(fs.existsSync(file)).toBe(true);
    expect(changed).toContain('exports');

    const log = await ok<ExportLogEntry[]>('exports.list', { profileId, limit: 10 });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ list: 'fix-list-crm', rowCount: 1, outreach: false, excludedOptedOut: 0, fileName: expect.stringMatching(/^twofold-fix-list-crm-\d{4}-\d{2}-\d{2}\.csv$/) });
    expect(log[0]!.columns).toEqual(expect.arrayContaining(['Twofold person', 'Value in CRM+', 'Change to']));
    expect(exportLabel(log[0]!.list)).toBe('Fix list for CRM+');
    expect([isFileExport(log[0]!.list), isFileExport('lapsed')]).toEqual([true, false]);
    expect(describeFilters(log[0]!.filters, FMT)).toEqual([]);
    // Who was in it: the person the correction is about, no one else; nobody counts as asked.
    const members = core.db.prepare('SELECT person_id FROM export_members WHERE export_id = ?').all(log[0]!.id) as { person_id: string }[];
    expect(members.map((r) => r.person_id)).toEqual([bruce]);
    expect((core.db.prepare('SELECT COUNT(*) AS n FROM person_asks').get() as { n: number }).n).toBe(0);

    const files = await ok<ExportFile[]>('exports.files', { profileId });
    expect(files).toEqual([expect.objectContaining({ exportId: log[0]!.id, list: 'fix-list-crm', rowCount: 1, filePath: file, bytes: fs.statSync(file).size })]);
    await ok('exports.deleteFile', { profileId, exportId: log[0]!.id });
    expect(fs.existsSync(file)).toBe(false);
    expect(await ok<ExportFile[]>('exports.files', { profileId })).toEqual([]);
    // The log keeps the entry and who was in it.
    expect(await ok<ExportLogEntry[]>('exports.list', { profileId, limit: 10 })).toHaveLength(1);
  });

  it('a fix list for the browser is a download the job wrote: logged, and listed in Settings until fetched', async () => {
    const { core, profileId, ok } = await withConflict();
    await ok('identity.rebuild', { profileId });
    const fix = await ok<{ rows: number; path: string | null; downloadId: string | null }>('conflicts.exportFixList', { profileId, system: 'vomo' }, 'web');
    expect(fix.path).toBeNull();
    expect(fix.downloadId).toMatch(/^[0-9a-f]{32}$/);
    const file = core.downloads.get(fix.downloadId!)!.file;
    const text = fs.readFileSync(file, 'utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    expect(text).toContain('Value in VOMO');
    const log = await ok<ExportLogEntry[]>('exports.list', { profileId, limit: 10 });
    expect(log).toEqual([expect.objectContaining({ list: 'fix-list-vomo', rowCount: fix.rows })]);
    expect((await ok<ExportFile[]>('exports.files', { profileId })).map((f) => f.filePath)).toEqual([file]);
    // The job's file was written under a temporary name and renamed: nothing else is left.
    expect(fs.readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
  });

  it('a cancelled fix list writes, logs and audits nothing', async () => {
    const { core, profileId, ok } = await withConflict();
    await ok('identity.rebuild', { profileId });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-fixlist-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'fix.csv');
    const audits = () => core.db.prepare(`SELECT COUNT(*) FROM audit_log WHERE action = 'conflicts.fix_list'`).pluck().get();
    const before = audits();
    const signal = { aborted: false };
    const out = core.identity.writeFixList(
      { profileId, system: 'crm', target: file, destination: 'file', fileName: 'fix.csv' },
      { signal, onProgress: (step) => step === 'write' && (signal.aborted = true) },
    );
    await expect(out).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(await ok<ExportLogEntry[]>('exports.list', { profileId, limit: 10 })).toEqual([]);
    expect(audits()).toBe(before);
  });

  it('in Electron a closed save dialog writes, logs and hands over nothing; a chosen file is written and logged', async () => {
    const { core, profileId, ok } = await withConflict();
    await ok('identity.rebuild', { profileId });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-fixlist-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    let answer: string | null = null;
    core.hooks.chooseSavePath = async () => answer;
    const closed = await ok<{ cancelled: boolean; downloadId: string | null; path: string | null }>('conflicts.exportFixList', { profileId, system: 'crm' }, 'electron');
    expect(closed).toMatchObject({ cancelled: true, downloadId: null, path: null });
    expect(await ok<ExportLogEntry[]>('exports.list', { profileId, limit: 10 })).toEqual([]);
    answer = path.join(dir, 'chosen.csv');
    const saved = await ok<{ cancelled: boolean; path: string | null }>('conflicts.exportFixList', { profileId, system: 'crm' }, 'electron');
    expect(saved).toMatchObject({ cancelled: false, path: answer });
    expect(fs.existsSync(answer)).toBe(true);
    expect((await ok<ExportFile[]>('exports.files', { profileId })).map((f) => f.filePath)).toEqual([answer]);
  });

  it('a fix list that cannot be written logs nothing', async () => {
    const { profileId, ok } = await withConflict();
    await ok('identity.rebuild', { profileId });
    await expect(ok('conflicts.exportFixList', { profileId, system: 'crm', path: '/nonexistent-folder/fix.csv' })).rejects.toThrow(/BAD_INPUT/);
    expect(await ok<ExportLogEntry[]>('exports.list', { profileId, limit: 10 })).toEqual([]);
  });

  it('a store that cannot log it writes no file, and says the store is read-only', async () => {
    const { core, profileId, ok } = await withConflict();
    await ok('identity.rebuild', { profileId });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-fixlist-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'fix.csv');
    // SQLite refuses every write as it does for a read-only file (SQLITE_READONLY).
    core.db.pragma('query_only = 1');
    const r = await core.invoke('conflicts.exportFixList', { profileId, system: 'crm', path: file });
    expect(r).toMatchObject({ ok: false, error: { code: 'STORE_READ_ONLY' } });
    expect(fs.existsSync(file)).toBe(false);
    core.db.pragma('query_only = 0');
    expect(await ok<ExportLogEntry[]>('exports.list', { profileId, limit: 10 })).toEqual([]);
  });
});
