/**
 * Keyset paging (query.ts): walking every page of every list, under every sort it allows, in
 * both directions, visits each person exactly once and in the list's order, also when many rows
 * tie on the sort key or have no value for it; and when a sync lands between two pages, nobody
 * whose sort values the sync left alone is skipped or shown twice (an OFFSET page would shift by
 * every row the sync added or removed before it).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempCore } from '../helpers/tempCore';
import { addPersons, addProfile, markIdentityRun, tiedPersons } from './fixtures.test';
import { LISTS } from '../../src-main/insights/listRegistry';
import { startSandbox, type SandboxHandle } from '../../src-main/sandbox/index';
import { makeEnv, type TestEnv } from '../sync/helpers';
import type { Core } from '../../src-main/core/app';
import { InsightSettings, type ListName, type ListSort } from '../../src-shared/domain/insights';
import { effectiveFilters } from '../../src-main/insights/listRegistry';
import { buildListQuery, queryPage } from '../../src-main/insights/query';

const AS_OF = '2026-11-01';
const PAGE = 9;
/** Every list has a sort key of insight_measures, so every list's facts carry a range. */
const LISTS_WITH_BOUNDS = Object.keys(LISTS).length;

type Walk = { ids: string[]; pages: number };

/** Every page from the first (next) or from the last (prev), in the list's order either way. */
async function walk(core: Core, profileId: number, list: ListName, sort: ListSort, direction: 'next' | 'prev', between?: (page: number) => void): Promise<Walk> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 10_000; n++) {
    const p = await core.insights.listPage({ profileId, list, sort, asOf: AS_OF, limit: PAGE, cursor, direction }, { withTotal: false });
    pages.push(p.rows.map((r) => r.personId));
    const next = direction === 'next' ? p.nextCursor : p.prevCursor;
    if (!next) break;
    between?.(n);
    cursor = next;
  }
  if (direction === 'prev') pages.reverse();
  return { ids: pages.flat(), pages: pages.length };
}

/** The list in one read: every member in order, as a page as long as the list gives it. */
async function whole(core: Core, profileId: number, list: ListName, sort: ListSort): Promise<string[]> {
  return (await core.insights.listPage({ profileId, list, sort, asOf: AS_OF, limit: 500 }, { withTotal: false })).rows.map((r) => r.personId);
}

/** The list read by its SQL alone, without the members' range the measures job recorded. */
function unbounded(core: Core, profileId: number, list: ListName, sort: ListSort): string[] {
  const q = buildListQuery({ profileId, list, sort, day: AS_OF, filters: effectiveFilters({}, InsightSettings.parse({})) });
  return queryPage(core.db, q, { limit: 500 }).map((r) => r.person_id);
}

describe('keyset paging', () => {
  const cores: { cleanup(): Promise<void> }[] = [];
  afterEach(async () => {
    while (cores.length) await cores.pop()!.cleanup();
  });

  it('walks every list under every sort both ways, each person once and in order, through ties and NULLs', async () => {
    const core = tempCore();
    cores.push(core);
    const profileId = addProfile(core.db);
    addPersons(core.db, profileId, tiedPersons(150));
    markIdentityRun(core.db, profileId);
    let walked = 0;
    for (const def of Object.values(LISTS)) {
      const total = await core.insights.listCount({ profileId, list: def.name, asOf: AS_OF });
      expect(total, def.name).toBeGreaterThan(PAGE); // every list spans several pages
      // The pages below walk within the members' range per sort key, taken with the measures.
      expect(core.db.prepare("SELECT COUNT(*) FROM insight_counts WHERE profile_id = ? AND bounds_json LIKE '%\"nulls\"%'").pluck().get(profileId), def.name).toBe(LISTS_WITH_BOUNDS);
      for (const key of def.sortKeys) {
        for (const dir of ['asc', 'desc'] as const) {
          const sort = { key, dir };
          const expected = await whole(core, profileId, def.name, sort);
          expect(expected.length, `${def.name} ${key} ${dir}`).toBe(total);
          expect(expected, `${def.name} ${key} ${dir}: bounded as unbounded`).toEqual(unbounded(core, profileId, def.name, sort));
          for (const direction of ['next', 'prev'] as const) {
            const w = await walk(core, profileId, def.name, sort, direction);
            expect(w.ids, `${def.name} ${key} ${dir} walking ${direction}`).toEqual(expected);
            expect(w.pages).toBe(Math.ceil(total / PAGE));
            walked++;
          }
        }
      }
    }
    expect(walked).toBeGreaterThan(80);
  });

  it('a cursor from another sort is refused with a clear error', async () => {
    const core = tempCore();
    cores.push(core);
    const profileId = addProfile(core.db);
    addPersons(core.db, profileId, tiedPersons(30));
    markIdentityRun(core.db, profileId);
    const first = await core.insights.listPage({ profileId, list: 'all', asOf: AS_OF, limit: PAGE, sort: { key: 'name', dir: 'asc' } });
    await expect(core.insights.listPage({ profileId, list: 'all', asOf: AS_OF, limit: PAGE, sort: { key: 'email', dir: 'asc' }, cursor: first.nextCursor! })).rejects.toThrow(/another sort/);
    await expect(core.insights.listPage({ profileId, list: 'all', asOf: AS_OF, cursor: 'not a cursor' })).rejects.toThrow(/not valid/);
  });

  it('rows added and removed between two pages neither repeat nor skip anyone else', async () => {
    const core = tempCore();
    cores.push(core);
    const profileId = addProfile(core.db);
    addPersons(core.db, profileId, tiedPersons(120));
    markIdentityRun(core.db, profileId);
    for (const [list, sort] of [
      ['all', { key: 'name', dir: 'asc' }],
      ['donor-volunteers', { key: 'lifetimeGivingCents', dir: 'desc' }],
      ['all', { key: 'lastGiftDate', dir: 'asc' }],
    ] as [ListName, ListSort][]) {
      const before = new Set(await whole(core, profileId, list, sort));
      let added = 0;
      const w = await walk(core, profileId, list, sort, 'next', (page) => {
        if (page !== 3) return;
        // The "sync": new persons sorting everywhere, and some persons gone.
        const fresh = tiedPersons(60).slice(0, 25).map((p) => ({ ...p, id: `N${p.id}${list}${sort.key}` }));
        addPersons(core.db, profileId, fresh);
        added = fresh.length;
        const gone = [...before].slice(-10);
        for (const id of gone) core.db.prepare(`DELETE FROM persons WHERE profile_id = ? AND id = ?`).run(profileId, id);
        markIdentityRun(core.db, profileId, [...fresh.map((p) => p.id), ...gone]);
      });
      expect(added).toBe(25);
      const seen = new Map<string, number>();
      for (const id of w.ids) seen.set(id, (seen.get(id) ?? 0) + 1);
      expect([...seen.values()].every((n) => n === 1), `${list} ${sort.key}: nobody twice`).toBe(true);
      const after = new Set(await whole(core, profileId, list, sort));
      for (const id of before) if (after.has(id)) expect(seen.get(id), `${list} ${sort.key}: ${id} once`).toBe(1);
    }
  });
});

describe('keyset paging across a real sync', () => {
  let h: SandboxHandle;
  let env: TestEnv;
  beforeAll(async () => {
    h = await startSandbox({ people: 300, seed: 41, rateLimits: 'off', port: 0 });
    env = await makeEnv({ vomo: h.vomo.baseUrl, crm: h.crm.baseUrl, raise: h.raise.baseUrl }, { vomo: h.vomo.token, crm: h.crm.token, raise: h.raise.token }, { crm: { take: 200 }, raise: { take: 200 } });
    await env.sync.run(env.profileId); // the core rebuilds and measures after every sync
  });
  afterAll(async () => {
    await env?.close();
    await h?.stop();
  });

  it('a sync landing between two pages skips and repeats nobody whose sort values it left alone', async () => {
    const { core, profileId } = env;
    const sort: ListSort = { key: 'name', dir: 'asc' };
    const keyOf = () =>
      new Map(
        (core.db.prepare(`SELECT id, display_last_name, display_first_name FROM persons WHERE profile_id = ?`).all(profileId) as { id: string; display_last_name: string | null; display_first_name: string | null }[]).map(
          (r) => [r.id, `${r.display_last_name?.toLowerCase()}|${r.display_first_name?.toLowerCase()}`],
        ),
      );
    const before = keyOf();
    const ids: string[] = [];
    let cursor: string | undefined;
    let synced = false;
    for (let n = 0; n < 1000; n++) {
      const p = await core.insights.listPage({ profileId, list: 'all', sort, asOf: AS_OF, limit: 25, cursor }, { withTotal: false });
      ids.push(...p.rows.map((r) => r.personId));
      if (!p.nextCursor) break;
      if (n === 2) {
        // A day of sandbox activity arrives: new people, edits, deletions; the rebuild follows.
        h.clock.advance({ days: 2 });
        await env.sync.run(profileId);
        synced = true;
      }
      cursor = p.nextCursor;
    }
    expect(synced).toBe(true);
    const after = keyOf();
    const stable = [...before.keys()].filter((id) => after.get(id) === before.get(id));
    expect(stable.length).toBeGreaterThan(before.size * 0.8);
    const seen = new Map<string, number>();
    for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
    for (const id of stable) expect(seen.get(id), id).toBe(1);
    // Persons the sync added appear at most once; nobody appears twice.
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });
});
