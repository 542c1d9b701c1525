import { afterEach, describe, expect, it } from 'vitest';
import { identityCore } from './fixtures';
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
