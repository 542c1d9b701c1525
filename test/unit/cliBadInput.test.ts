/**
 * Bad input gets one readable line and a non-zero exit, before any work, and nothing on disk is
 * replaced: out-of-range numbers, impossible calendar days, an --out into a missing folder, a
 * folder or a device.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliIn } from '../helpers/cliInProcess';

let dir = '';

const cli = (args: string[]) => runCliIn(dir, args);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-badinput-'));
  expect((await cli(['profile', 'add', 'Org', '--vomo-url', 'http://127.0.0.1:9/v1', '--crm-url', 'http://127.0.0.1:9'])).code).toBe(0);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const cases: { args: string[]; code: number; line: string | RegExp }[] = [
  { args: ['report', 'Org', 'lapsed', '--lapse-days', '99999999999'], code: 2, line: 'twofold: --lapse-days must be a whole number of days from 0 to 36,500 (got "99999999999")' },
  { args: ['report', 'Org', 'lapsed', '--lapse-days', '-1'], code: 2, line: 'twofold: --lapse-days must be a whole number of days from 0 to 36,500 (got "-1")' },
  { args: ['export', 'Org', 'lapsed', '--out', 'x.csv', '--lapse-days', '1e12'], code: 2, line: /--lapse-days must be a whole number of days/ },
  { args: ['report', 'Org', 'reconcile', '--since', '2024-13-45'], code: 2, line: 'twofold: --since takes a real day as YYYY-MM-DD, not "2024-13-45"' },
  { args: ['report', 'Org', 'reconcile', '--since', '2026-02-31'], code: 2, line: 'twofold: --since takes a real day as YYYY-MM-DD, not "2026-02-31"' },
  { args: ['report', 'Org', 'lapsed', '--as-of', '2026-02-30'], code: 2, line: 'twofold: --as-of takes a real day as YYYY-MM-DD (or an ISO timestamp), not "2026-02-30"' },
  { args: ['sync', 'Org', '--timeout', '0', '--only', 'crm'], code: 2, line: 'twofold: --timeout must be a number from 0.1 to 3,600 (got "0")' },
  { args: ['export', 'Org', 'lapsed', '--out', '/nonexistent-twofold/dir/x.csv'], code: 1, line: 'twofold: The folder /nonexistent-twofold/dir does not exist; create it first or choose another folder.' },
  { args: ['export', 'Org', 'lapsed', '--out', '/dev/null'], code: 1, line: 'twofold: /dev/null is not a regular file (a device or other special file); Twofold never writes over one. Choose another file.' },
  { args: ['export', 'Org', 'lapsed', '--out', os.tmpdir()], code: 1, line: /^twofold: .* is a folder; give a file name inside it, e\.g\. .*export\.csv\.$/ },
];

describe('bad CLI input', () => {
  for (const c of cases) {
    it(`${c.args.slice(2).join(' ')} → exit ${c.code} with one line`, async () => {
      const r = await cli(c.args);
      expect(r.code).toBe(c.code);
      const lines = r.err.trim().split('\n');
      expect(lines).toHaveLength(1);
      if (typeof c.line === 'string') expect(lines[0]).toBe(c.line);
      else expect(lines[0]).toMatch(c.line);
      expect(r.out).toBe('');
    });
  }

  it('never replaces a device or a folder, and leaves no partial file behind', () => {
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(fs.statSync(os.tmpdir()).isDirectory()).toBe(true);
    expect(fs.existsSync('/dev/null.partial')).toBe(false);
    expect(fs.existsSync('/nonexistent-twofold')).toBe(false);
  });
});
