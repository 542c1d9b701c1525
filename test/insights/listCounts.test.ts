/**
 * Each list's count is taken by the measures job (in the worker, in the app) right after the
 * measures, so the count a view asks for next is a lookup and never a scan on the core's thread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempCore } from '../helpers/tempCore';
import { coreWithPersons, markIdentityRun, type PersonSeed } from './fixtures.test';
import { LIST_NAMES, type ListName } from '../../src-shared/domain/insights';

const AS_OF = '2026-11-01';
const ci = (day: string) => [`${day}T09:00:00Z`, `${day}T12:00:00Z`] as const;
const seeds: PersonSeed[] = [
  { id: 'PA', first: 'Ada', last: 'Lovelace', email: 'ada@example.org', vomo: true, crm: true, givingCents: 500_000, crmGifts: 9, lastGift: '2025-10-31', firstGift: '2019-01-01', parts: [[...ci('2026-10-01'), 3]] },
  { id: 'PB', first: 'Bea', last: 'Giver', email: 'bea@example.org', vomo: true, crm: true, givingCents: 10_000, crmGifts: 1, lastGift: '2026-10-01', parts: [[...ci('2026-10-02'), 2]] },
  { id: 'PD', first: 'Dan', last: 'Doer', email: 'dan@example.org', vomo: true, parts: [[...ci('2026-09-01'), 6]] },
  { id: 'PE', first: 'Eve', last: 'Nomail', email: null, vomo: true, parts: [[...ci('2026-09-01'), 5]] },
  { id: 'PG', first: 'Gil', last: 'Crm', email: 'gil@example.org', crm: true, givingCents: 75_000, crmGifts: 5, lastGift: '2026-06-01' },
  { id: 'PI', first: 'Ivy', last: 'New', email: 'ivy@example.org', vomo: true, raise: true, givingCents: 5_000, raiseGifts: 1, firstGift: '2026-10-15', lastGift: '2026-10-15', firstRaiseGift: '2026-10-15', parts: [[...ci('2026-10-01'), 2]] },
];

let core: ReturnType<typeof tempCore>;
let profileId: number;
const stored = () => core.db.prepare('SELECT COUNT(*) FROM insight_counts WHERE profile_id = ?').pluck().get(profileId) as number;
const size = async (list: ListName, extra: Record<string, unknown> = {}) =>
  (await core.insights.listPage({ profileId, list, asOf: AS_OF, limit: 500, ...extra }, { withTotal: false })).rows.length;

beforeAll(() => void ({ core, profileId } = coreWithPersons(seeds)));
afterAll(() => core.cleanup());

describe('list counts taken with the measures', () => {
  it('the measures job counts every list under the default filters, and the next count reads that figure', async () => {
    await core.jobs.run('measures', { profileId, asOf: AS_OF }, { profileId });
    expect(stored()).toBe(LIST_NAMES.length);
    // Shifted on purpose: a count that answers the shifted figure was read, not counted again.
    core.db.prepare('UPDATE insight_counts SET n = n + 1000 WHERE profile_id = ?').run(profileId);
    for (const list of LIST_NAMES) expect(await core.insights.listCount({ profileId, list, asOf: AS_OF }), list).toBe((await size(list)) + 1000);
  });

  it('a list whose rule ignores the day shares its count across days; a day-bound list or other filters are counted on read', async () => {
    // donor-volunteers reads no day: another day builds the same count query.
    expect(await core.insights.listCount({ profileId, list: 'donor-volunteers', asOf: '2026-12-24' })).toBe((await size('donor-volunteers')) + 1000);
    // lapsed depends on the day: another day is its own count, read from the measures.
    expect(await core.insights.listCount({ profileId, list: 'lapsed', asOf: '2026-12-24' })).toBe(await size('lapsed', { asOf: '2026-12-24' }));
    expect(await core.insights.listCount({ profileId, list: 'all', asOf: AS_OF, filters: { hasEmail: true } })).toBe(await size('all', { filters: { hasEmail: true } }));
    expect(await core.insights.listCount({ profileId, list: 'all', asOf: AS_OF, search: 'ad' })).toBe(1);
  });

  it('counts from earlier measures are never read as current: new measures replace them', async () => {
    // The shift above undone: after a sync the job moves the counts it took by the changed rows.
    core.db.prepare('UPDATE insight_counts SET n = n - 1000 WHERE profile_id = ?').run(profileId);
    const keys = () => core.db.prepare('SELECT key FROM insight_counts WHERE profile_id = ?').pluck().all(profileId) as string[];
    const earlier = new Set(keys());
    core.db.prepare("UPDATE persons SET has_vomo = 0 WHERE profile_id = ? AND id = 'PD'").run(profileId);
    markIdentityRun(core.db, profileId, ['PD']);
    await core.jobs.run('measures', { profileId, asOf: AS_OF }, { profileId });
    expect(stored()).toBe(LIST_NAMES.length);
    expect(keys().filter((k) => earlier.has(k))).toEqual([]);
    for (const list of LIST_NAMES) expect(await core.insights.listCount({ profileId, list, asOf: AS_OF }), list).toBe(await size(list));
    expect(await size('volunteer-only')).toBe(1);
  });
});
