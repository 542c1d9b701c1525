import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempCore, tempDir } from '../helpers/tempCore';
import { addPersons, addProfile, markIdentityRun } from './fixtures.test';
import { createCsvFileWriter } from '../../src-main/export/csvExport';
import { exportList as runExport, rowMaker, scratchFile, scratchName } from '../../src-main/export/listExport';
import { COLUMN_KEYS, type ExportRequest } from '../../src-shared/domain/insights';
import { ENGAGEMENT_COLUMNS, cellOf } from '../../src-main/insights/rows';
import { exportMembers, listExports } from '../../src-main/export/exportLog';

const AS_OF = '2026-11-01T12:00:00Z';
const hard = [
  'Smith, Jr.',
  'O"Brien "the great"',
  'Line one\nline two',
  'Crlf\r\nname',
  '王小明',
  'Ελένη',
  'Žofie Dvořáková',
  'مريم',
  '👩🏽‍🚀 Astro',
];

function readCsv(file: string): { bom: boolean; crlf: boolean; records: string[][] } {
  const buf = fs.readFileSync(file);
  const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  const text = buf.toString('utf8');
  return { bom, crlf: /\r\n$/.test(text), records: parse(text, { bom: true, relax_column_count: false }) as string[][] };
}

let core: ReturnType<typeof tempCore>;
let profileId: number;
let dir: string;
beforeAll(() => {
  core = tempCore();
  dir = tempDir();
  profileId = addProfile(core.db);
  addPersons(core.db, profileId, [
    ...hard.map((n, i) => ({ id: `PH${i}`, first: n, last: `Last ${n}`, email: `h${i}@example.org`, vomo: true, crm: true, givingCents: 1000 * (i + 1), optedIn: 1 })),
    { id: 'PX1', first: '=HYPERLINK("http://evil")', last: '+cmd', email: '@x@example.org', phone: '+15551234567', vomo: true, crm: true, givingCents: 500, optedIn: 1 },
    { id: 'PX2', first: '-2+3', last: '@SUM(A1)', email: 'minus@example.org', vomo: true, crm: true, givingCents: 400, optedIn: 0 },
    { id: 'PX3', first: 'Opted', last: 'Out', email: 'out@example.org', vomo: true, crm: true, givingCents: 300, optedIn: 0 },
    { id: 'PX4', first: 'Unknown', last: 'Optin', email: 'unk@example.org', vomo: true, crm: true, givingCents: 200, optedIn: null },
  ]);
  markIdentityRun(core.db, profileId);
});
afterAll(async () => {
  await core.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The export job's work, run here on the test core's connection, to a checked file path. */
function exportList(c: typeof core, req: ExportRequest, dest: { kind: 'file'; path: string }, now?: () => number) {
  return runExport({ ...c, measures: (pid, day) => c.insights.measures(pid, day) }, req, { target: dest.path, destination: 'file', scratchName: scratchName(), downloadId: null }, { now });
}

describe('CSV engine', () => {
  it('neutralizes formula starts in text cells and in the header, and leaves numbers alone', async () => {
    const file = path.join(dir, 'formulas.csv');
    const w = createCsvFileWriter(file, ['=Header', 'n']);
    const cells = ['=1+1', '+1', '-1', '@x', '\tx', '\rx', '＝1+1', '＋1', '－1', '＠x', 'a=b', ' =x', ''];
    await w.write(cells.map((c, i) => [c, -i]));
    await w.write([[null, 0.5]]);
    await w.finish();
    const { records } = readCsv(file);
    expect(records[0]).toEqual(["'=Header", 'n']);
    expect(records.slice(1).map((r) => r[0])).toEqual([...cells.slice(0, 10).map((c) => `'${c}`), 'a=b', ' =x', '', '']);
    expect(records.slice(1).map((r) => r[1])).toEqual([...cells.map((_, i) => String(-i)), '0.5']);
  });

  it('round-trips commas, quotes, line breaks and non-Latin scripts, UTF-8 with BOM and CRLF', async () => {
    const file = path.join(dir, 'rt.csv');
    const w = createCsvFileWriter(file, ['name', 'n']);
    await w.write(hard.map((h, i) => [h, i]));
    await w.finish();
    const { bom, crlf, records } = readCsv(file);
    expect(bom).toBe(true);
    expect(crlf).toBe(true);
    expect(records[0]).toEqual(['name', 'n']);
    expect(records.slice(1).map((r) => r[0])).toEqual(hard);
    expect(records.slice(1).map((r) => r[1])).toEqual(hard.map((_, i) => String(i)));
  });
});

describe('list exports', () => {
  it('exports exactly the list with chosen columns, neutralized, opted-out emails left out and counted', async () => {
    const file = path.join(dir, 'dv.csv');
    const res = await exportList(
      core,
      { profileId, list: 'donor-volunteers', asOf: AS_OF, columns: ['personId', 'firstName', 'lastName', 'email', 'phone', 'lifetimeGivingCents'], outreach: false },
      { kind: 'file', path: file },
    );
    expect(res).toMatchObject({ rowCount: 13, excludedOptedOut: 2, excludedRecentlyAsked: 0, filePath: file, cancelled: false });
    const { records } = readCsv(file);
    expect(records[0]).toEqual(['Person ID', 'First name', 'Last name', 'Email', 'Phone', 'Lifetime giving']);
    const byId = new Map(records.slice(1).map((r) => [r[0], r]));
    expect(records.length).toBe(14);
    // Sorted as the list: by lifetime giving, highest first.
    expect(records[1]![0]).toBe('PH8');
    expect(byId.get('PH2')![1]).toBe('Line one\nline two');
    expect(byId.get('PH4')![1]).toBe('王小明');
    expect(byId.get('PX1')!.slice(1, 5)).toEqual(["'=HYPERLINK(\"http://evil\")", "'+cmd", "'@x@example.org", "'+15551234567"]);
    expect(byId.get('PX2')!.slice(1, 4)).toEqual(["'-2+3", "'@SUM(A1)", '']);
    expect(byId.get('PX3')![3]).toBe('');
    // Unknown opt-in (no contact method said either way) is not "opted out".
    expect(byId.get('PX4')![3]).toBe('unk@example.org');
    expect(byId.get('PH0')![5]).toBe('10.00');
  });

  it('keeps opted-out emails when asked to, and applies filters and search', async () => {
    const file = path.join(dir, 'all.csv');
    const res = await exportList(
      core,
      { profileId, list: 'all', asOf: AS_OF, excludeOptedOut: false, search: 'opt', columns: ['personId', 'email'], outreach: false },
      { kind: 'file', path: file },
    );
    expect(res).toMatchObject({ rowCount: 2, excludedOptedOut: 0 });
    expect(readCsv(file).records.slice(1)).toEqual([
      ['PX4', 'unk@example.org'],
      ['PX3', 'out@example.org'],
    ]);
  });

  it('writes every column as the list shows it, the score and its parts only when a column asks for them', async () => {
    const expected = (await core.insights.listPage({ profileId, list: 'engagement', asOf: AS_OF, limit: 100 }, { withTotal: false })).rows;
    expect(expected.length).toBeGreaterThan(10);
    const asText = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : String(v));
    for (const columns of [[...COLUMN_KEYS], COLUMN_KEYS.filter((c) => !ENGAGEMENT_COLUMNS.has(c))]) {
      const file = path.join(dir, `every-${columns.length}.csv`);
      await exportList(core, { profileId, list: 'engagement', asOf: AS_OF, columns, excludeOptedOut: false, outreach: false }, { kind: 'file', path: file });
      expect(readCsv(file).records.slice(1)).toEqual(expected.map((row) => columns.map((c) => asText(cellOf(row, c)))));
    }
    // The parts are what a row without its engagement leaves empty, and only those.
    const bare = { ...expected[0]!, engagement: null };
    expect(COLUMN_KEYS.filter((c) => cellOf(bare, c) !== cellOf(expected[0]!, c) && cellOf(bare, c) === null)).toEqual([...ENGAGEMENT_COLUMNS]);
  });

  it('names a row read as an array by its columns, whatever the names hold', () => {
    const make = rowMaker<Record<string, unknown>>(['pos', 'person_id', "it's \"odd\"", '0']);
    expect(make([7, 'P1', 'x', null])).toEqual({ pos: 7, person_id: 'P1', "it's \"odd\"": 'x', '0': null });
    expect(Object.keys(make([1, 2, 3, 4]))).toEqual(['0', 'pos', 'person_id', "it's \"odd\""]);
  });

  it('keeps its snapshot of the list enciphered like the store while it writes, and removes it after', async () => {
    const name = scratchName();
    const scratch = scratchFile(core.dataDir, name);
    const seen: Buffer[] = [];
    const file = path.join(dir, 'snapshot.csv');
    await runExport(
      { ...core, measures: (pid, day) => core.insights.measures(pid, day) },
      { profileId, list: 'all', asOf: AS_OF, outreach: false },
      { target: file, destination: 'file', scratchName: name, downloadId: null },
      { onProgress: (step) => void (step === 'write' && seen.length === 0 && seen.push(fs.readFileSync(scratch))) },
    );
    expect(seen[0]!.length).toBeGreaterThan(0);
    for (const clear of ['h1@example.org', 'out@example.org', 'Dvořáková', 'SQLite format 3']) expect(seen[0]!.includes(Buffer.from(clear))).toBe(false);
    expect(fs.readFileSync(file).includes(Buffer.from('h1@example.org'))).toBe(true); // the CSV itself is plain, as the dialog says
    expect(fs.existsSync(scratch)).toBe(false);
  });

  it('logs every export with its members, and leaves out the recently asked', async () => {
    const t0 = Date.parse('2026-11-01T12:00:00Z');
    const first = await exportList(core, { profileId, list: 'donor-volunteers', asOf: AS_OF, filters: { minGivingCents: 5000 } }, { kind: 'file', path: path.join(dir, 'a.csv') }, () => t0);
    expect(first.rowCount).toBe(5);
    expect(exportMembers(core.db, first.exportId)).toEqual(['PH4', 'PH5', 'PH6', 'PH7', 'PH8']);
    // 10 days later, "not asked within 30 days" leaves those five out.
    const later = t0 + 10 * 86_400_000;
    const second = await exportList(core, { profileId, list: 'donor-volunteers', asOf: AS_OF, excludeRecentlyAskedDays: 30 }, { kind: 'file', path: path.join(dir, 'b.csv') }, () => later);
    expect(second).toMatchObject({ rowCount: 8, excludedRecentlyAsked: 5 });
    expect(readCsv(path.join(dir, 'b.csv')).records.slice(1).map((r) => r[0])).not.toContain('PH8');
    // A 5-day window no longer sees the first export (but does see the second).
    const third = await exportList(core, { profileId, list: 'donor-volunteers', asOf: AS_OF, excludeRecentlyAskedDays: 5 }, { kind: 'file', path: path.join(dir, 'c.csv') }, () => later + 1000);
    expect(third).toMatchObject({ rowCount: 5, excludedRecentlyAsked: 8 });
    const log = listExports(core.db, profileId).filter((e) => e.id === third.exportId);
    expect(log[0]).toMatchObject({ list: 'donor-volunteers', rowCount: 5, excludedRecentlyAsked: 8, outreach: true });
    expect(log[0]!.filters).toMatchObject({ lapseDays: 365, excludeRecentlyAskedDays: 5, asOfDay: '2026-11-01' });
    expect(core.audit.list(profileId, { subjectType: 'export' }).length).toBeGreaterThanOrEqual(3);
  });

  it('the web shell gets a download id; the channel never takes a path', async () => {
    const env = await core.invoke('exports.create', { profileId, list: 'donors-only', asOf: AS_OF }, 'web');
    expect(env.ok).toBe(true);
    const data = (env as { ok: true; data: { downloadId: string; rowCount: number; filePath: string | null } }).data;
    expect(data.filePath).toBeNull();
    const dl = core.downloads.get(data.downloadId)!;
    expect(dl.fileName).toBe('twofold-donors-only-2026-11-01.csv');
    expect(fs.existsSync(dl.file)).toBe(true);
    const bad = await core.invoke('exports.create', { profileId, list: 'donors-only', path: '/tmp/x.csv' }, 'web');
    expect(bad.ok).toBe(true); // unknown keys are stripped, never used as a path
  });
});
