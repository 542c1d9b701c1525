/**
 * Every list's count under the profile's default filters, taken by the measures job (in the
 * worker) as soon as it has refreshed the measures, so the count a view asks for next is a
 * lookup on the core's thread. A cold count at 1M persons reads up to a million index entries
 * (~200 ms): on the core's thread it held every other read for that long.
 *
 * A count is named by what decides it: the count's SQL and parameters, and the measures state it
 * was read from. Two requests that build the same count query (a list whose rule ignores the
 * reference day, asked for on two days) share one count, and a count from earlier measures is
 * never taken for a current one.
 */
import crypto from 'node:crypto';
import type { Db } from '../store/db';
import { SettingsRepo } from '../store/repos/settings';
import type { ListName } from '../../src-shared/domain/insights';
import { LISTS, effectiveFilters } from './listRegistry';
import { buildListQuery, countSql, queryCount, type BuiltQuery } from './query';
import { getInsightSettings } from './settings';
import type { InsightStateRow } from './measures';

export function countKey(q: BuiltQuery, state: Pick<InsightStateRow, 'refreshed_at' | 'identity_run_id'>): string {
  const text = JSON.stringify([countSql(q), q.params, state.refreshed_at, state.identity_run_id ?? null]);
  return crypto.createHash('sha256').update(text).digest('base64url');
}

/** A count the measures job took for this query and state, or undefined. */
export function storedCount(db: Db, profileId: number, key: string): number | undefined {
  try {
    const row = db.prepare('SELECT n FROM insight_counts WHERE profile_id = ? AND key = ?').get(profileId, key) as { n: number } | undefined;
    return row?.n;
  } catch {
    // A read-only store of an earlier version has no such table: the count is read instead.
    return undefined;
  }
}

/**
 * Counts every list for the measures just refreshed (their day, the default filters) and keeps
 * them in place of the profile's earlier counts. `check` runs between lists (the job's cancel).
 */
export function takeListCounts(db: Db, profileId: number, state: InsightStateRow, check: () => void = () => undefined): number {
  const settings = getInsightSettings({ settings: new SettingsRepo(db) }, profileId);
  const counts: [string, number][] = [];
  for (const list of Object.keys(LISTS) as ListName[]) {
    check();
    const q = buildListQuery({ profileId, list, filters: effectiveFilters({}, settings), day: state.as_of });
    counts.push([countKey(q, state), queryCount(db, q)]);
  }
  db.transaction(() => {
    db.prepare('DELETE FROM insight_counts WHERE profile_id = ?').run(profileId);
    const put = db.prepare('INSERT OR REPLACE INTO insight_counts (profile_id, key, n) VALUES (?, ?, ?)');
    for (const [key, n] of counts) put.run(profileId, key, n);
  })();
  return counts.length;
}
