import { afterEach, describe, expect, it } from 'vitest';
import { identityCore } from './fixtures';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('identity channels', () => {
  it('rebuild, list, detail, resolve, approve, undo through the contract', async () => {
    const { core, profileId, m } = identityCore();
    cleanups.push(() => core.cleanup());
    m.vomoUser({ id: '1', email: 'bruce@wayne.example', first: 'Bruce', last: 'Wayne', phone: '555 123 4567' });
    m.crmContact({ id: '10', individuals: [{ id: '100', first: 'Bruce', last: 'Kane', primary: true, emails: ['bruce@wayne.example'], phones: ['+15551234567'] }] });
    m.crmGift({ id: 'g1', contactId: '10', amountCents: 2500, date: '2025-01-02' });
    const ok = async (ch: string, input: unknown) => {
      const r = await core.invoke(ch, input);
      if (!r.ok) throw new Error(`${ch}: ${JSON.stringify(r.error)}`);
      return r.data as any;
    };
    await ok('identity.rebuild', { profileId });
    const people = await ok('insights.list', { profileId, list: 'all', search: 'bru' });
    expect(people.total).toBe(1);
    const detail = await ok('people.get', { profileId, personId: people.rows[0].personId });
    expect(detail.links).toHaveLength(2);
    expect(detail.gifts).toHaveLength(1);
    expect(detail.fields.find((f: any) => f.field === 'last_name').disagree).toBe(true);
    expect(detail.fields.find((f: any) => f.field === 'phone').disagree).toBe(false);
    const conflicts = await ok('conflicts.list', { profileId });
    expect(conflicts.total).toBe(1);
    await ok('conflicts.bulkResolve', { profileId, field: 'last_name', choice: 'keep_both' });
    expect((await ok('conflicts.list', { profileId })).total).toBe(0);
    await ok('identity.settings.set', { profileId, settings: { fieldAuthority: { phone: 'vomo' }, defaultPhoneRegion: 'US' } });
    expect((await ok('identity.settings.get', { profileId })).fieldAuthority).toEqual({ email: 'vomo', first_name: 'vomo', last_name: 'vomo', phone: 'vomo' });
    // Email change, then the candidate is approved and undone.
    m.vomoUser({ id: '1', email: 'bw@wayne.example', first: 'Bruce', last: 'Wayne' });
    await ok('identity.rebuild', { profileId });
    const splits = await ok('splits.list', { profileId });
    expect(splits.items[0].kind).toBe('email_change');
    const merge = await ok('splits.approve', { profileId, candidateId: splits.items[0].id });
    expect((await ok('merges.list', { profileId }))[0].id).toBe(merge.mergeId);
    await ok('merges.undo', { profileId, mergeId: merge.mergeId });
    expect((await ok('splits.list', { profileId })).total).toBe(1);
    const fix = await ok('conflicts.exportFixList', { profileId, system: 'crm' });
    expect(fix.fileName).toMatch(/\.csv$/);
    // The renderer can never name a file to write: a path is for the CLI only.
    const fromPage = await core.invoke('conflicts.exportFixList', { profileId, system: 'crm', path: '/tmp/evil.csv' }, 'web');
    expect(fromPage).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect((await ok('identity.precision', { profileId })).decisions).toBe(0);
    const bad = await core.invoke('splits.approve', { profileId, candidateId: 99999 });
    expect(bad.ok).toBe(false);
  });
});
