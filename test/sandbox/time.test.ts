import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src-main/sandbox/index';
import type { SandboxHandle } from '../../src-main/sandbox/index';
import { admin, call, plain, walkCrm, walkRaise, walkVomoUsers } from './helpers';

let h: SandboxHandle;
beforeAll(async () => {
  h = await startSandbox({ people: 600, seed: 41, rateLimits: 'off' });
});
afterAll(() => h.stop());

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const changed = (changes: any, key: string) => sorted([...(changes[key]?.created ?? []), ...(changes[key]?.updated ?? [])]);

/** Every incremental filter, bounded by the advance's start, returns exactly what the manifest lists. */
async function expectIncrementalMatches(from: string, changes: any) {
  const noZ = from.replace(/Z$/, '');
  const vomo = await walkVomoUsers(h, plain(h), `updated_after=${encodeURIComponent(from)}`);
  expect(sorted(vomo.map((u) => Number(u.id))), 'vomo.users').toEqual(changed(changes, 'vomo.users'));
  const gt = (parameter: string) => ({ groups: [{ conditions: [{ parameter, operator: 'GreaterThan', value: noZ }] }], sortBy: 'Last Modified Date' });
  const contacts = await walkCrm(h, plain(h), '/api/Contact/Query/FullContact', gt('Last Modified Date'));
  expect(sorted(contacts.list.map((c) => c.id)), 'crm.contacts').toEqual(changed(changes, 'crm.contacts'));
  const gifts = await walkCrm(h, plain(h), '/api/Gift/Query/FullGift', gt('Last Modified Date'));
  expect(sorted(gifts.list.map((c) => c.id)), 'crm.gifts').toEqual(changed(changes, 'crm.gifts'));
  const donors = await walkRaise(h, plain(h), 'Donor', `ModifiedAfter=${encodeURIComponent(from)}`);
  expect(sorted(donors.map((d) => d.id)), 'raise.donors').toEqual(changed(changes, 'raise.donors'));
  const rg = await walkRaise(h, plain(h), 'Gift', `ModifiedAfter=${encodeURIComponent(from)}`);
  expect(sorted(rg.map((d) => d.id)), 'raise.gifts').toEqual(changed(changes, 'raise.gifts'));
}

describe('sandbox clock, platform sync and incremental changes', () => {
  it('syncs Raise gifts once their lag passes, linking existing contacts by email or creating one', async () => {
    const m0 = h.manifest();
    const lag = m0.reconciliation.raiseGiftsInsideLagWindow;
    expect(lag.length).toBe(2);
    const existing = m0.scenarios.find((s) => s.name === 'first_time_raise_gift_inside_lag_existing_contact')!;
    const fresh = m0.scenarios.find((s) => s.name === 'first_time_raise_gift_inside_lag')!;
    expect((await call(h, 'raise', `/api/Donor/${existing.raiseDonorId}`)).json.crmKey).toBeNull();

    const from = (await admin(h, 'state')).now;
    const r = await admin(h, 'advance', { hours: 1 });
    expect(r.sync.synced.length).toBe(1);
    const d = (await call(h, 'raise', `/api/Donor/${existing.raiseDonorId}`)).json;
    expect(d.crmKey).toBe(String(existing.crmContactId));
    const gid = (lag as any[]).find((x) => x.donorId === existing.raiseDonorId).raiseGiftId;
    const crmGift = await call(h, 'crm', `/api/Gift/Raise/${gid}`);
    expect(crmGift.json).toMatchObject({ transactionSource: 'Raise', transactionId: String(gid), contactId: existing.crmContactId });
    expect((await call(h, 'raise', `/api/Donor/${fresh.raiseDonorId}`)).json.crmKey).toBeNull();
    const m1 = h.manifest();
    expect(m1.advances.at(-1)!.changes).toEqual(r.changes);
    expect(m1.reconciliation.raiseGiftsInsideLagWindow.length).toBe(1);
    await expectIncrementalMatches(from, r.changes);
    expect(m1.counts).toEqual(m0.counts);
  });

  it('a day later: the email change splits a person, new people arrive, and filters see exactly the listed changes', async () => {
    const m0 = h.manifest();
    const from = (await admin(h, 'state')).now;
    const r = await admin(h, 'advance', { days: 1 });
    const m = h.manifest();
    const hal = m.scenarios.find((s) => s.name === 'email_change')!;
    const fresh = m.scenarios.find((s) => s.name === 'first_time_raise_gift_inside_lag')!;
    const kate = (await call(h, 'raise', `/api/Donor/${fresh.raiseDonorId}`)).json;
    expect(kate.crmKey).not.toBeNull();
    const created = await call(h, 'crm', `/api/Contact/${kate.crmKey}`);
    expect(created.json.contactIndividuals[0].contactMethods[0].value).toBe('kate.kane@gotham.example');
    expect(r.changes['vomo.users'].updated).toContain(hal.vomoUserId);
    const user = (await call(h, 'vomo', `/users/${hal.vomoUserId}`)).json.data;
    expect(user.email).toBe('hal@greenlantern.example');
    const split = m.splits.find((s: any) => s.kind === 'email_change') as any;
    expect(split).toMatchObject({ flagged: true, vomoUserId: hal.vomoUserId, oldEmail: 'hal.jordan@ferris.example', newEmail: 'hal@greenlantern.example', crmContactId: hal.crmContactId });
    expect(r.changes['vomo.users'].created.length).toBe(2);
    expect(r.changes['raise.donors'].created.length).toBe(2);
    expect(m.truthCounts.totalPersons).toBe(m0.truthCounts.totalPersons + 3);
    expect(m.counts.totalPersons).toBe(m0.counts.totalPersons + 4);
    expect(m.truthCounts.donorVolunteers).toBe(m0.truthCounts.donorVolunteers + 1);
    await expectIncrementalMatches(from, r.changes);
    // The day's last Raise gifts still wait out their lag.
    const lag = m.reconciliation.raiseGiftsInsideLagWindow as any[];
    expect(lag.length).toBeGreaterThan(0);
    expect(lag.every((x) => Date.parse(x.syncsAt) > h.clock.nowMs())).toBe(true);
    expect(r.sync.synced.length).toBeGreaterThanOrEqual(3);
  });

  it('keeps incremental windows exact over several days, with deletions at the source', async () => {
    const users = await walkVomoUsers(h, plain(h));
    const victim = users.find((u) => typeof u.id === 'number' && u.id % 7 === 3)!;
    const del = await admin(h, 'delete', { api: 'vomo', resource: 'users', id: victim.id });
    expect(del.ok).toBe(true);
    expect((await call(h, 'vomo', `/users/${victim.id}`)).status).toBe(404);
    expect((await walkVomoUsers(h, plain(h))).length).toBe(users.length - 1);
    expect(h.manifest().persons!.some((p) => p.vomoUserIds.includes(victim.id))).toBe(false);
    for (let k = 0; k < 2; k++) {
      const from = (await admin(h, 'state')).now;
      const r = await admin(h, 'advance', { days: 1, hours: 3 });
      await expectIncrementalMatches(from, r.changes);
    }
    const m = h.manifest();
    expect(m.reconciliation.raiseGiftsMissingInCrm.every((x: any) => x.reason === 'sync_failed')).toBe(true);
    expect(m.recordCounts.vomo.users).toBe((await walkVomoUsers(h, plain(h))).length);
  });

  it('admin: clock state, raise-sync and fault switching', async () => {
    const s = await admin(h, 'state');
    expect(Date.parse(s.now)).toBe(h.clock.nowMs());
    expect(s.now).toBe('2026-11-04T19:00:00.000Z');
    const rs = await admin(h, 'raise-sync', {});
    expect(rs.synced).toEqual([]);
    expect((await admin(h, 'faults', { profile: 'flaky' })).profile).toBe('flaky');
    expect((await admin(h, 'faults', { profile: 'none' })).profile).toBe('none');
    const bad = await fetch(`${h.admin}/advance`, { method: 'POST', body: JSON.stringify({ days: -1 }) });
    expect(bad.status).toBe(400);
  });
});
