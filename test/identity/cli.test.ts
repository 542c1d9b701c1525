import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { identityCore, Mirrors } from './fixtures';
import { runCliIn } from '../helpers/cliInProcess';
import { createCore } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/secrets/memoryStore';
import { tempDir, testStoreKey } from '../helpers/tempCore';
import { identityReports } from '../../src-main/cli/reports/identity';
import type { CliContext } from '../../src-main/cli/context';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('twofold report <profile> conflicts|splits', () => {
  it('builds the join when needed and prints conflicts and splits as text and JSON', async () => {
    const { core, profileId, m } = identityCore();
    cleanups.push(() => core.cleanup());
    m.vomoUser({ id: '1', email: 'bruce@wayne.example', first: 'Bruce', last: 'Wayne', phone: '+15551234567' });
    m.crmContact({ id: '10', individuals: [{ id: '100', first: 'Bruce W.', last: 'Wayne', primary: true, emails: ['bruce@wayne.example'], phones: ['555.123.4567'] }] });
    m.vomoUser({ id: '2', email: 'd1@x.example', first: 'Diana', last: 'Prince', phone: '217-555-0100' });
    m.crmContact({ id: '20', individuals: [{ id: '200', first: 'Diana', last: 'Prince', primary: true, emails: ['d2@x.example'], phones: ['(217) 555-0100'] }] });
    const ctx = { core: () => core } as unknown as CliContext;
    const profile = core.profiles.get(profileId)!;
    const c = await identityReports.conflicts.run(ctx, profile, { json: true, options: {} });
    expect((c.json as { total: number }).total).toBe(1);
    expect(c.text).toMatch(/first_name/);
    expect(c.text).toMatch(/\*Bruce/); // the authority's value is marked
    const s = await identityReports.splits.run(ctx, profile, { json: false, options: {} });
    expect((s.json as { candidates: { kind: string }[] }).candidates.map((x) => x.kind)).toEqual(['phone_name']);
    expect(s.text).toMatch(/score 8\d/);
  });
});

describe('twofold rebuild <profile> [--from-scratch]', () => {
  const cli = runCliIn;

  it('reads only what changed since the last rebuild, or everything from scratch with the same persons', async () => {
    const dir = tempDir();
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const core = createCore({ dataDir: dir, secrets: new MemorySecretStore(), storeKey: testStoreKey() });
    const profile = core.profiles.insert({ name: 'Org', vomoUrl: null, crmUrl: null, raiseUrl: null });
    const m = new Mirrors(core.db, profile.id);
    for (let i = 1; i <= 20; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: 'P', last: `L${i}` });
    m.crmContact({ id: 'c1', individuals: [{ id: 'i1', first: 'P', last: 'L1', primary: true, emails: ['p1@x.example'] }] });
    await core.close();

    const summary = async (args: string[]) => {
      const r = await cli(dir, ['rebuild', 'Org', '--json', ...args]);
      expect(r.code).toBe(0);
      return JSON.parse(r.out) as { persons: number; links: number; timings: Record<string, number> };
    };
    const first = await summary([]);
    expect([first.persons, first.links, first.timings.recordsRead]).toEqual([20, 21, 21]);
    expect((await summary([])).timings.recordsRead).toBe(0);
    const personIds = async () => {
      const c = createCore({ dataDir: dir, secrets: new MemorySecretStore(), storeKey: testStoreKey() });
      try {
        return c.db.prepare(`SELECT id FROM persons ORDER BY id`).pluck().all() as string[];
      } finally {
        await c.close();
      }
    };
    const before = await personIds();
    const scratch = await summary(['--from-scratch']);
    expect([scratch.persons, scratch.timings.recordsRead, scratch.timings.personsWritten]).toEqual([20, 21, 20]);
    const text = await cli(dir, ['rebuild', 'Org']);
    expect(text.out).toMatch(/^20 persons from 21 records \(0 read from the mirrors\)/);

    // The same persons: IDs are kept through the links.
    expect(await personIds()).toEqual(before);
  });
});
