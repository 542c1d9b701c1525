/**
 * The insights service: list pages, counts and settings, shared by the IPC handlers, the CLI
 * and the exports. A list read first makes sure the measures are current: measures that are
 * stale are refreshed as a job (in the worker), and the read waits for it without holding the
 * thread (a count must not mix two identity runs); a read while a rebuild runs answers from the
 * last committed rebuild, whose measures are current. One person's figures never wait: they come
 * from the last committed measures, marked as updating while the refresh runs.
 */
import type { Db } from '../store/db';
import type { ProfilesRepo } from '../store/repos/profiles';
import type { SettingsRepo } from '../store/repos/settings';
import type { EventBus } from '../core/events';
import { AppError } from '../../src-shared/errors';
import { ListQuery, type InsightRow, type ListFilters, type ListName, type ListPage, type ListSort } from '../../src-shared/domain/insights';
import { LISTS, effectiveFilters } from './listRegistry';
import { buildListQuery, cursorOf, decodeCursor, encodeCursor, queryOffset, queryPage, type BuiltQuery, type Cursor } from './query';
import { insightState, latestIdentityRun, verifiedRuleOf, type InsightStateRow } from './measures';
import { referenceDay } from './dates';
import { getInsightSettings } from './settings';
import { countKey, listCount, storedFacts } from './listCounts';
import { toInsightRow } from './rows';

export interface PreparedList {
  list: ListName;
  day: string;
  filters: ReturnType<typeof effectiveFilters>;
  query: BuiltQuery;
  state: InsightStateRow;
  crmBaseUrl: string | null;
}

export interface ListDeps {
  db: Db;
  profiles: Pick<ProfilesRepo, 'get'>;
  settings: SettingsRepo;
  /** Current measures of a profile (for `scoreDay` when given): a job on the core, inline in a job. */
  measures(profileId: number, scoreDay?: string): InsightStateRow | Promise<InsightStateRow>;
}

/** Whether a profile's measures are current for its latest identity run (and the score's day). */
export function currentMeasures(db: Db, profileId: number, scoreDay?: string): InsightStateRow | null {
  const state = insightState(db, profileId);
  if (!state || (state.identity_run_id ?? null) !== latestIdentityRun(db, profileId)) return null;
  if (scoreDay !== undefined && state.as_of !== scoreDay) return null;
  return state;
}

export async function prepareList(
  core: ListDeps,
  input: { profileId: number; list: ListName; filters?: ListFilters; search?: string; sort?: ListSort; asOf?: string },
): Promise<PreparedList> {
  const profile = core.profiles.get(input.profileId);
  if (!profile) throw new AppError('NOT_FOUND', `There is no profile with id ${input.profileId}.`);
  const def = LISTS[input.list];
  let day: string;
  try {
    day = referenceDay(input.asOf);
  } catch {
    throw new AppError('BAD_INPUT', `"${input.asOf}" is not a date.`);
  }
  const state = await core.measures(input.profileId, def.needsScoreDay ? day : undefined);
  const filters = effectiveFilters(input.filters ?? {}, getInsightSettings(core, input.profileId));
  const query = buildListQuery({ profileId: input.profileId, list: input.list, filters, day, search: input.search || undefined, sort: input.sort });
  return { list: input.list, day, filters, query, state, crmBaseUrl: profile.crm_url };
}

export interface InsightsDeps extends ListDeps {
  events: Pick<EventBus, 'on'>;
  /**
   * The measures as last committed, without waiting; stale ones have their refresh started (its
   * end emits data.changed). Without it, a person's figures wait like a list does.
   */
  measuresNow?(profileId: number): { state: InsightStateRow | null; updating: boolean };
}

/** A person's figures, and whether they are from measures a refresh is about to replace. */
export interface PersonFigures {
  figures: InsightRow | null;
  updating: boolean;
}

export class InsightsService {
  /** Counts by query and measures state (listCounts.ts: countKey); any change to the store may change one. */
  private readonly counts = new Map<string, number>();

  constructor(private readonly deps: InsightsDeps) {
    deps.events.on('data.changed', () => this.counts.clear());
  }

  /** The profile's current measures (a job refreshes them first when they are stale). */
  measures(profileId: number, scoreDay?: string): Promise<InsightStateRow> {
    return Promise.resolve(this.deps.measures(profileId, scoreDay));
  }

  prepare(input: Parameters<typeof prepareList>[1]): Promise<PreparedList> {
    return prepareList(this.deps, input);
  }

  countPrepared(profileId: number, p: PreparedList): number {
    const key = countKey(p.query, p.state);
    const hit = this.counts.get(key);
    if (hit !== undefined) return hit;
    const n = listCount(this.deps.db, profileId, p.query, p.state);
    if (this.counts.size > 500) this.counts.clear();
    this.counts.set(key, n);
    return n;
  }

  async listPage(raw: ListQuery, opts: { withTotal?: boolean } = {}): Promise<ListPage & { hasMore: boolean }> {
    const input = ListQuery.parse(raw);
    const p = await this.prepare(input);
    const q = p.query;
    if (input.cursor && input.offset) throw new AppError('BAD_INPUT', 'Ask for a page by cursor or by offset, not both.');
    const cursor = input.cursor ? decodeCursor(input.cursor, q.sort) : null;
    const back = input.direction === 'prev';
    // One row more than asked tells whether the walk goes on.
    let rows = input.offset
      ? queryOffset(this.deps.db, q, input.offset, input.limit + 1)
      : queryPage(this.deps.db, q, { cursor, direction: input.direction, limit: input.limit + 1, bounds: storedFacts(this.deps.db, input.profileId, countKey(q, p.state))?.bounds[q.sort.key] });
    const more = rows.length > input.limit;
    if (more) rows = back ? rows.slice(1) : rows.slice(0, input.limit);
    // Walking forward from a cursor or a position, there is a page before; walking back, there is
    // one after (the cursor's own row onwards), and one before when the walk went on.
    const hasNext = back ? cursor !== null : more;
    const hasPrev = back ? more : cursor !== null || input.offset > 0;
    const ctx = { crmBaseUrl: p.crmBaseUrl, scoredAsOf: p.state.as_of, withEngagement: true };
    const total = opts.withTotal === false ? -1 : this.countPrepared(input.profileId, p);
    return {
      list: input.list,
      rows: rows.map((r) => toInsightRow(r, ctx)),
      total,
      hasMore: hasNext,
      offset: input.offset,
      limit: input.limit,
      nextCursor: hasNext && rows.length ? encodeCursor(cursorOf(q, rows[rows.length - 1]!)) : null,
      prevCursor: hasPrev && rows.length ? encodeCursor(cursorOf(q, rows[0]!)) : null,
      sort: q.sort,
      asOfDay: p.day,
      filters: p.filters,
      definition: LISTS[input.list].definition(p.filters, p.day),
      verifiedRule: verifiedRuleOf(p.state),
      measuresRefreshedAt: p.state.refreshed_at,
    };
  }

/**
   * One person's row as every list shows it: the person page's figures come from here, so the page
   * and the lists cannot disagree. null when the person is not in the store.
   */
  async personFigures(profileId: number, personId: string): Promise<PersonFigures> {
    const core = this.deps;
    const profile = core.profiles.get(profileId);
    if (!profile) throw new AppError('NOT_FOUND', `There is no profile with id ${profileId}.`);
    // The person page must open while a rebuild or its measures run (seconds to minutes on a
    // large store): it shows the last committed figures and says they are updating.
    const now = core.measuresNow ? core.measuresNow(profileId) : { state: await core.measures(profileId), updating: false };
    if (!now.state) return { figures: null, updating: now.updating };
    const filters = effectiveFilters({}, getInsightSettings(core, profileId));
    const query = buildListQuery({ profileId, list: 'all', filters, day: referenceDay(), personId });
    const raw = queryPage(core.db, query, { limit: 1 })[0];
    return { figures: raw ? toInsightRow(raw, { crmBaseUrl: profile.crm_url, scoredAsOf: now.state.as_of, withEngagement: true }) : null, updating: now.updating };
  }

  async listCount(raw: ListQuery): Promise<number> {
    const input = ListQuery.parse(raw);
    const p = await this.prepare(input);
    return this.countPrepared(input.profileId, p);
  }

  /** Every row of a list, page by page (the CLI); exports stream instead. */
  async allRows(raw: Omit<ListQuery, 'offset' | 'limit' | 'cursor' | 'direction'>, max = Number.MAX_SAFE_INTEGER) {
    const input = ListQuery.parse({ ...raw, offset: 0, limit: 1 });
    const p = await this.prepare(input);
    const ctx = { crmBaseUrl: p.crmBaseUrl, scoredAsOf: p.state.as_of, withEngagement: true };
    const out = [];
    for (let cursor: Cursor | null = null; out.length < max; ) {
      const rows = queryPage(this.deps.db, p.query, { cursor, limit: Math.min(5000, max - out.length) });
      for (const r of rows) out.push(toInsightRow(r, ctx));
      if (rows.length < 5000) break;
      cursor = cursorOf(p.query, rows[rows.length - 1]!);
    }
    return { prepared: p, rows: out };
  }
}

