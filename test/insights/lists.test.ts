import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempCore } from '../helpers/tempCore';
import { addPersons, coreWithPersons, markIdentityRun, type PersonSeed } from './fixtures.test';
import { overview } from '../../src-main/insights/overview';
import { ENGAGEMENT_RULES, pointsOf } from '../../src-main/insights/engagement';
import { LISTS } from '../../src-main/insights/listRegistry';
import type { ListName } from '../../src-shared/domain/insights';

const AS_OF = '2026-11-01T12:00:00Z';
const ci = (day: string) => [`${day}T09:00:00Z`, `${day}T12:00:00Z`] as const;

const seeds: PersonSeed[] = [
  // Lapsed: last gift 366 days before, volunteering last month.
  { id: 'PA', first: 'Ada', last: 'Lovelace', email: 'ada@example.org', vomo: true, crm: true, givingCents: 500_000, crmGifts: 9, lastGift: '2025-10-31', firstGift: '2019-01-01', parts: [[...ci('2026-10-01'), 3]] },
  // The lapse edge: last gift exactly 365 days before: not lapsed yet.
  { id: 'PB', first: 'Bea', last: 'Boundary', email: 'bea@example.org', vomo: true, crm: true, givingCents: 10_000, crmGifts: 1, lastGift: '2025-11-01', parts: [[...ci('2026-10-02'), 2]] },
  // Lapsed giver but no longer volunteering (last participation before the activity window).
  { id: 'PC', first: 'Cy', last: 'Gone', email: 'cy@example.org', vomo: true, crm: true, givingCents: 20_000, crmGifts: 2, lastGift: '2024-01-01', parts: [[...ci('2025-10-31'), 4]] },
  // Activity edge: participation exactly activityDays before counts.
  { id: 'PC2', first: 'Cleo', last: 'Edge', email: 'cleo@example.org', vomo: true, crm: true, givingCents: 30_000, crmGifts: 3, lastGift: '2024-05-05', parts: [['2025-11-01T08:00:00Z', '2025-11-01T10:00:00Z', 2]] },
  // Volunteer only, verified by check-in + check-out.
  { id: 'PD', first: 'Dan', last: 'Doer', email: 'dan@example.org', vomo: true, parts: [[...ci('2026-09-01'), 6], [...ci('2026-09-08'), 4]] },
  // Volunteer only: flag false (not verified despite check-out) and flag true without check-out.
  { id: 'PE', first: 'Eve', last: 'Flag', email: 'eve@example.org', vomo: true, parts: [[...ci('2026-09-01'), 5, false], ['2026-09-02T09:00:00Z', null, 1.5, true]] },
  // Volunteer with a CRM+ contact that never gave: never asked.
  { id: 'PF', first: 'Fay', last: 'Zero', email: 'fay@example.org', vomo: true, crm: true, givingCents: 0, parts: [[...ci('2026-08-01'), 8]] },
  // Volunteer with no verified hours: not a top volunteer.
  { id: 'PF2', first: 'Gus', last: 'Nocheck', email: 'gus@example.org', vomo: true, parts: [['2026-08-01T09:00:00Z', null, 8]] },
  // Donors only.
  { id: 'PG', first: 'Gil', last: 'Crm', email: 'gil@example.org', crm: true, givingCents: 75_000, crmGifts: 5, lastGift: '2026-06-01', optedIn: 0 },
  { id: 'PH', first: 'Hal', last: 'Raise', email: 'hal@example.org', raise: true, givingCents: 2_500, raiseGifts: 1, lastGift: '2026-10-20', firstRaiseGift: '2026-10-20' },
  // Recent first-time Raise donor who volunteers.
  { id: 'PI', first: 'Ivy', last: 'New', email: 'ivy@example.org', vomo: true, raise: true, givingCents: 5_000, raiseGifts: 1, firstGift: '2026-10-15', lastGift: '2026-10-15', firstRaiseGift: '2026-10-15', parts: [[...ci('2026-10-01'), 2]] },
  // First Raise gift recent, but gave in CRM+ years ago: not first-time.
  { id: 'PJ', first: 'Jo', last: 'Old', email: 'jo@example.org', vomo: true, raise: true, crm: true, givingCents: 90_000, crmGifts: 4, raiseGifts: 1, firstGift: '2020-02-02', lastGift: '2026-10-20', firstRaiseGift: '2026-10-20', parts: [[...ci('2026-10-01'), 1]] },
  // First Raise gift outside the 90-day window.
  { id: 'PK', first: 'Kim', last: 'Summer', email: 'kim@example.org', vomo: true, raise: true, givingCents: 1_000, raiseGifts: 1, firstGift: '2026-07-01', lastGift: '2026-07-01', firstRaiseGift: '2026-07-01' },
  // Exactly at the recent window's edge (90 days before): in.
  { id: 'PL', first: 'Lu', last: 'Window', email: 'lu@example.org', vomo: true, raise: true, givingCents: 1_000, raiseGifts: 1, firstGift: '2026-08-03', lastGift: '2026-08-03', firstRaiseGift: '2026-08-03' },
];

async function ids(list: ListName, extra: Record<string, unknown> = {}): Promise<string[]> {
  const page = await core.insights.listPage({ profileId, list, asOf: AS_OF, limit: 500, ...extra });
  return page.rows.map((r) => r.personId);
}

let core: ReturnType<typeof tempCore>;
let profileId: number;

beforeAll(() => void ({ core, profileId } = coreWithPersons(seeds)));
afterAll(() => core.cleanup());

describe('insight lists on hand-built persons', () => {
  it('lapsed donors still volunteering: a gift exactly N days old is lapsed, N − 1 is not; activity edge counts', async () => {
    // By default "still volunteering" means served within the 365-day activity window: PC (last
    // participation 366 days before) is not on the list.
    expect(await ids('lapsed')).toEqual(['PA', 'PC2', 'PB']);
    const active = { activityDays: 365 };
    expect(await ids('lapsed', { filters: active })).toEqual(['PA', 'PC2', 'PB']);
    // The wider reading, chosen explicitly: every current VOMO volunteer, PC included.
    expect(await ids('lapsed', { filters: { activityDays: 0 } })).toEqual(['PA', 'PC2', 'PC', 'PB']);
    // One day more of lapse window: the boundary person (365 days) is not lapsed, the 366-day one still is.
    expect(await ids('lapsed', { filters: { ...active, lapseDays: 366 } })).toEqual(['PA', 'PC2']);
    expect(await ids('lapsed', { filters: { ...active, lapseDays: 367 } })).toEqual(['PC2']);
    // A narrower activity window drops the edge volunteer.
    expect(await ids('lapsed', { filters: { activityDays: 364 } })).toEqual(['PA', 'PB']);
  });

  it('top volunteers who never gave: verified hours by flag or by check-in + check-out, by hours', async () => {
    const page = await core.insights.listPage({ profileId, list: 'top-volunteers', asOf: AS_OF });
    expect(page.rows.map((r) => [r.personId, r.verifiedHours, r.verifiedParticipations])).toEqual([
      ['PD', 10, 2],
      ['PF', 8, 1],
      ['PE', 1.5, 1],
    ]);
    expect(page.verifiedRule.byFlag).toBe(2);
    expect(page.verifiedRule.text).toMatch(/verified flag where it was sent/);
  });

  it('overlap lists and the overview agree', async () => {
    expect((await ids('volunteer-only')).sort()).toEqual(['PD', 'PE', 'PF2']);
    expect((await ids('donors-only')).sort()).toEqual(['PG', 'PH']);
    expect((await ids('donor-volunteers')).sort()).toEqual(['PA', 'PB', 'PC', 'PC2', 'PF', 'PI', 'PJ', 'PK', 'PL']);
    const o = overview(core.db, profileId);
    expect({ dv: o.donorVolunteers, vo: o.volunteersOnly, d: o.donorsOnly, t: o.totalPersons }).toEqual({ dv: 9, vo: 3, d: 2, t: 14 });
  });

  it('recent first-time Raise donors who volunteer, window edge included', async () => {
    expect(await ids('raise-first-time')).toEqual(['PI', 'PL']);
  });

  it('sorts, pages and counts in SQLite', async () => {
    const p1 = await core.insights.listPage({ profileId, list: 'donor-volunteers', asOf: AS_OF, limit: 3 });
    expect(p1.total).toBe(9);
    expect(p1.hasMore).toBe(true);
    expect(p1.rows.map((r) => r.personId)).toEqual(['PA', 'PJ', 'PC2']);
    const p2 = await core.insights.listPage({ profileId, list: 'donor-volunteers', asOf: AS_OF, limit: 3, offset: 3 });
    expect(p2.rows.map((r) => r.personId)).toEqual(['PC', 'PB', 'PI']);
    const byName = await core.insights.listPage({ profileId, list: 'all', asOf: AS_OF, limit: 3, sort: { key: 'name', dir: 'asc' } });
    expect(byName.rows.map((r) => r.lastName)).toEqual(['Boundary', 'Crm', 'Doer']);
    const asc = await core.insights.listPage({ profileId, list: 'donors-only', asOf: AS_OF, sort: { key: 'lifetimeGivingCents', dir: 'asc' } });
    expect(asc.rows.map((r) => r.personId)).toEqual(['PH', 'PG']);
  });

  it('filters and search', async () => {
    expect(await ids('donors-only', { filters: { system: 'raise' } })).toEqual(['PH']);
    expect(await ids('donor-volunteers', { filters: { minGivingCents: 90_000 } })).toEqual(['PA', 'PJ']);
    expect(await ids('all', { search: 'love' })).toEqual(['PA']);
    expect(await ids('all', { search: 'ADA' })).toEqual(['PA']);
    expect(await ids('all', { search: 'ada lo' })).toEqual(['PA']);
    expect(await ids('all', { search: 'gil@ex' })).toEqual(['PG']);
    expect(await ids('donors-only', { search: 'ada' })).toEqual([]);
    const s = await core.insights.listPage({ profileId, list: 'donor-volunteers', asOf: AS_OF, search: 'e' });
    expect(s.rows.map((r) => r.personId)).toEqual(['PC2']);
    expect(s.total).toBe(1);
  });

  it('rows carry display values, systems and a view-in-CRM+ link', async () => {
    const [ada] = (await core.insights.listPage({ profileId, list: 'all', asOf: AS_OF, search: 'Lovelace' })).rows;
    expect(ada).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.org', hasVomo: true, hasCrm: true, hasRaise: false });
    expect(ada!.crmUrl).toBe('https://app.virtuoussoftware.com/Generosity/Contact/View/c-PA');
  });

  it('engagement: every part shown, the score is their sum, the SQL agrees with the published rules', async () => {
    const page = await core.insights.listPage({ profileId, list: 'engagement', asOf: AS_OF, limit: 500 });
    expect(page.rows.length).toBe(14);
    for (const r of page.rows) {
      const e = r.engagement!;
      const expected = {
        givingRecencyPts: pointsOf(ENGAGEMENT_RULES[0]!, e.daysSinceGift),
        givingFrequencyPts: pointsOf(ENGAGEMENT_RULES[1]!, r.giftCount),
        givingAmountPts: pointsOf(ENGAGEMENT_RULES[2]!, r.lifetimeGivingCents),
        servingRecencyPts: pointsOf(ENGAGEMENT_RULES[3]!, e.daysSinceParticipation),
        servingHoursPts: pointsOf(ENGAGEMENT_RULES[4]!, r.verifiedHours),
        servingCountPts: pointsOf(ENGAGEMENT_RULES[5]!, r.verifiedParticipations),
      };
      expect(e).toMatchObject(expected);
      expect(e.score).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
      expect(e.scoredAsOf).toBe('2026-11-01');
    }
    const scores = page.rows.map((r) => r.engagement!.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const ada = page.rows.find((r) => r.personId === 'PA')!;
    expect(ada.engagement!.daysSinceGift).toBe(366);
    expect(ada.engagement!.daysSinceParticipation).toBe(31);
  });

  it('every list runs with every allowed sort in both directions, and allRows matches paging', async () => {
    for (const def of Object.values(LISTS)) {
      for (const key of def.sortKeys) {
        for (const dir of ['asc', 'desc'] as const) {
          const page = await core.insights.listPage({ profileId, list: def.name, asOf: AS_OF, sort: { key, dir }, limit: 500 });
          expect(page.rows.length).toBe(page.total);
        }
      }
      const { rows } = await core.insights.allRows({ profileId, list: def.name, asOf: AS_OF });
      expect(rows.map((r) => r.personId)).toEqual(await ids(def.name));
    }
  });

  it('the overview is kept per identity run and recomputed after the next one', async () => {
    const before = overview(core.db, profileId);
    addPersons(core.db, profileId, [{ id: 'PZ', first: 'Zed', last: 'Late', email: 'zed@example.org', vomo: true }]);
    expect(overview(core.db, profileId).totalPersons).toBe(before.totalPersons);
    markIdentityRun(core.db, profileId);
    await core.insights.listPage({ profileId, list: 'all', asOf: AS_OF });
    expect(overview(core.db, profileId)).toMatchObject({ totalPersons: before.totalPersons + 1, volunteersOnly: before.volunteersOnly + 1 });
  });
});
