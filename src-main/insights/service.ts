/**
 * The insights service: list pages, counts and settings, shared by the IPC handlers, the CLI
 * and the exports. Every read first makes sure the measures are current (ensureInsightMeasures).
 */
import type { Core } from '../core/app';
import { AppError } from '../../src-shared/errors';
import { ListQuery, type InsightRow, type ListFilters, type ListName, type ListPage, type ListSort } from '../../src-shared/domain/insights';
import { LISTS, effectiveFilters } from './listRegistry';
import { buildListQuery, queryCount, queryPage, type BuiltQuery } from './query';
import { ensureInsightMeasures, verifiedRuleOf, type InsightStateRow } from './measures';
import { referenceDay } from './dates';
import { getInsightSettings } from './settings';
import { toInsightRow } from './rows';

export interface PreparedList {
  list: ListName;
  day: string;
  filters: ReturnType<typeof effectiveFilters>;
  query: BuiltQuery;
  state: InsightStateRow;
  crmBaseUrl: string | null;
}

export function prepareList(
  core: Core,
  input: { profileId: number; list: ListName; filters?: ListFilters; search?: string; sort?: ListSort; asOf?: string },
): PreparedList {
  const profile = core.profiles.get(input.profileId);
  if (!profile) throw new AppError('NOT_FOUND', `There is no profile with id ${input.profileId}.`);
  const def = LISTS[input.list];
  let day: string;
  try {
    day = referenceDay(input.asOf);
  } catch {
    throw new AppError('BAD_INPUT', `"${input.asOf}" is not a date.`);
  }
  const { state } = ensureInsightMeasures(core.db, input.profileId, def.needsScoreDay ? { scoreDay: day } : {});
  const filters = effectiveFilters(input.filters ?? {}, getInsightSettings(core, input.profileId));
  const query = buildListQuery({ profileId: input.profileId, list: input.list, filters, day, search: input.search || undefined, sort: input.sort });
  return { list: input.list, day, filters, query, state, crmBaseUrl: profile.crm_url };
}

function countCache(core: Core): Map<string, number> {
  return core.service('insights.countCache', () => {
    const cache = new Map<string, number>();
    // Any change to the store may change a count; the next read recounts.
    core.events.on('data.changed', () => cache.clear());
    return cache;
  });
}

export function countPrepared(core: Core, profileId: number, p: PreparedList, search?: string): number {
  const key = JSON.stringify([profileId, p.list, p.filters, search ?? '', p.day, p.state.refreshed_at, p.state.identity_run_id]);
  const cache = countCache(core);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const n = queryCount(core.db, p.query);
  if (cache.size > 500) cache.clear();
  cache.set(key, n);
  return n;
}

export function listPage(core: Core, raw: ListQuery, opts: { withTotal?: boolean } = {}): ListPage & { hasMore: boolean } {
  const input = ListQuery.parse(raw);
  const p = prepareList(core, input);
  const rows = queryPage(core.db, p.query, input.offset, input.limit + 1);
  const hasMore = rows.length > input.limit;
  if (hasMore) rows.pop();
  const ctx = { crmBaseUrl: p.crmBaseUrl, scoredAsOf: p.state.as_of, withEngagement: true };
  const total = opts.withTotal === false ? -1 : countPrepared(core, input.profileId, p, input.search);
  return {
    list: input.list,
    rows: rows.map((r) => toInsightRow(r, ctx)),
    total,
    hasMore,
    offset: input.offset,
    limit: input.limit,
    sort: p.query.sort,
    asOfDay: p.day,
    filters: p.filters,
    definition: LISTS[input.list].definition(p.filters, p.day),
    verifiedRule: verifiedRuleOf(p.state),
    measuresRefreshedAt: p.state.refreshed_at,
  };
}

export function listCount(core: Core, raw: ListQuery): number {
  const input = ListQuery.parse(raw);
  const p = prepareList(core, input);
  return countPrepared(core, input.profileId, p, input.search);
}

/** Every row of a list, page by page (the CLI); exports stream instead. */
export function allRows(core: Core, raw: Omit<ListQuery, 'offset' | 'limit'>, max = Number.MAX_SAFE_INTEGER) {
  const input = ListQuery.parse({ ...raw, offset: 0, limit: 1 });
  const p = prepareList(core, input);
  const ctx = { crmBaseUrl: p.crmBaseUrl, scoredAsOf: p.state.as_of, withEngagement: true };
  const out = [];
  for (let offset = 0; out.length < max; ) {
    const rows = queryPage(core.db, p.query, offset, Math.min(5000, max - out.length));
    for (const r of rows) out.push(toInsightRow(r, ctx));
    if (rows.length < 5000) break;
    offset += rows.length;
  }
  return { prepared: p, rows: out };
}

/**
 * One person's row as every list shows it: the person page's figures come from here, so the page
 * and the lists cannot disagree. null when the person is not in the store.
 */
export function personFigures(core: Core, profileId: number, personId: string): InsightRow | null {
  const profile = core.profiles.get(profileId);
  if (!profile) throw new AppError('NOT_FOUND', `There is no profile with id ${profileId}.`);
  const { state } = ensureInsightMeasures(core.db, profileId);
  const filters = effectiveFilters({}, getInsightSettings(core, profileId));
  const query = buildListQuery({ profileId, list: 'all', filters, day: referenceDay(), personId });
  const raw = queryPage(core.db, query, 0, 1)[0];
  return raw ? toInsightRow(raw, { crmBaseUrl: profile.crm_url, scoredAsOf: state.as_of, withEngagement: true }) : null;
}
