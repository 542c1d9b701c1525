/**
 * `twofold sync` and `twofold token` in-process (runCli), tokens from TWOFOLD_*_TOKEN, against
 * the hand-written fake APIs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliIn } from '../helpers/cliInProcess';
import { readSecret } from '../../src-main/cli/commands/token';
import { parseOnly } from '../../src-main/cli/commands/sync';
import { startFakeCrm, startFakeRaise, startFakeVomo, type FakeServer } from '../connectors/fakeServers';
import { TEST_STORE_KEY_HEX } from '../helpers/tempCore';

const servers: FakeServer[] = [];
let dir = '';
const T0 = Date.UTC(2026, 0, 10);

const cli = (args: string[]) => runCliIn(dir, args);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-cli-'));
  const crm = await startFakeCrm({
    token: 'crm-tok-123456',
    contacts: Array.from({ length: 12 }, (_, i) => ({ id: i + 1, modifiedMs: T0 + i * 1000, email: `c${i}@x.org`, firstName: 'C', lastName: `${i}`, lifeToDateCents: 100, lastGiftDay: null })),
  });
  const vomo = await startFakeVomo({ token: 'vomo-tok-123456', users: Array.from({ length: 7 }, (_, i) => ({ id: i + 1, email: `v${i}@x.org`, updatedMs: T0, participations: [] })), pageSize: 3 });
  const raise = await startFakeRaise({ token: 'raise-tok-123456', data: { Donor: [], Gift: [], RecurringGift: [], Campaign: [] }, sinceParam: 'ModifiedAfter' });
  servers.push(crm, vomo, raise);
  // Keychain-less mode, as a scheduled job runs: the store key and the tokens from the environment.
  process.env.TWOFOLD_STORE_KEY = TEST_STORE_KEY_HEX;
  process.env.TWOFOLD_VOMO_TOKEN = 'vomo-tok-123456';
  process.env.TWOFOLD_CRM_TOKEN = 'crm-tok-123456';
  process.env.TWOFOLD_RAISE_TOKEN = 'raise-tok-123456';
  const r = await cli(['profile', 'add', 'Org', '--vomo-url', `${vomo.url}/v1`, '--crm-url', crm.url, '--raise-url', raise.url]);
  expect(r.code).toBe(0);
  await cli(['profile', 'add', 'NoRaise', '--vomo-url', `${vomo.url}/v1`, '--crm-url', crm.url]);
});

afterAll(async () => {
  delete process.env.TWOFOLD_STORE_KEY;
  delete process.env.TWOFOLD_VOMO_TOKEN;
  delete process.env.TWOFOLD_CRM_TOKEN;
  delete process.env.TWOFOLD_RAISE_TOKEN;
  for (const s of servers) await s.close();
});

describe('twofold sync', () => {
  it('prints a summary keyed by API with --json, progress on stderr, exit 0', async () => {
    const r = await cli(['sync', 'Org', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['vomo', 'crm', 'raise']);
    expect(j.vomo).toMatchObject({ status: 'ok', records: 7, quarantined: 0, error: null });
    expect(j.crm).toMatchObject({ status: 'ok', records: 12, quarantined: 0, error: null });
    expect(j.raise).toMatchObject({ status: 'ok', records: 0 });
    expect(r.err).toMatch(/CRM\+/);
    expect(r.out + r.err).not.toContain('crm-tok-123456');
  });

  it('skips Raise for a profile without a Raise URL and honours --only', async () => {
    const r = await cli(['sync', 'NoRaise', '--json', '--only', 'crm,raise']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.raise.status).toBe('skipped');
    expect(j.vomo.status).toBe('skipped');
    expect(j.crm.status).toBe('ok');
  });

  it('exits non-zero when a collector fails, the others still finish', async () => {
    process.env.TWOFOLD_CRM_TOKEN = 'wrong-token-xyz';
    try {
      const r = await cli(['sync', 'Org', '--json']);
      expect(r.code).toBe(1);
      const j = JSON.parse(r.out);
      expect(j.crm.status).toBe('failed');
      expect(j.crm.error).toMatch(/^CRM\+ rejected the token: replace it in Settings → Connections/);
      expect(j.vomo.status).toBe('ok');
      expect(r.out + r.err).not.toContain('wrong-token-xyz');
    } finally {
      process.env.TWOFOLD_CRM_TOKEN = 'crm-tok-123456';
    }
  });

  it('prints an estimate and a readable summary without --json', async () => {
    const e = await cli(['sync', 'Org', '--estimate']);
    expect(e.code).toBe(0);
    expect(e.out).toMatch(/CRM\+\s+\d+ calls/);
    const r = await cli(['sync', 'Org', '--full', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/sync run \d+: ok \(full\)/);
    expect(r.out).toMatch(/contacts \+0 ~0 =12/);
  });

  it('rejects an unknown API in --only with one line', async () => {
    expect(() => parseOnly('vomo,foo')).toThrow(/unknown API "foo"/);
    const r = await cli(['sync', 'Org', '--only', 'foo']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^twofold: --only: unknown API "foo"/);
  });
});

describe('twofold token', () => {
  it('reads the token from a piped stdin without echoing it', async () => {
    const input = new PassThrough();
    const err = new PassThrough();
    let echoed = '';
    err.on('data', (c) => (echoed += String(c)));
    const p = readSecret('token: ', input as unknown as NodeJS.ReadStream, err as unknown as NodeJS.WriteStream);
    input.end('  s3cret-token\n');
    expect((await p).trim()).toBe('s3cret-token');
    expect(echoed).not.toContain('s3cret');
  });

  it('tests a connection with the token from the environment', async () => {
    const r = await cli(['token', 'test', 'Org', 'crm', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ api: 'crm', ok: true });
  });
});
