/**
 * Every list's count under the profile's default filters, taken by the measures job (in the
 * worker) as soon as it has refreshed the measures, so the count a view asks for next is a
 * lookup on the core's thread. A cold count at 1M persons reads up to a million index entries
 * (~200 ms): on the core's thread it held every other read for that long. In the same pass, per
 * sort key, the members' range (query.ts: KeyBounds), which lets a page skip the non-members
 * before the first member and after the last.
 *
 * A count is named by what decides it: the count's SQL and parameters, and the measures state it
 * was read from. Two requests that build the same count query (a list whose rule ignores the
 * reference day, asked for on two days) share one count, and a count from earlier measures is
 * never taken for a current one.
 */
import crypto from 'node:crypto';
import type { Db } from '../store/db';
import { SettingsRepo } from '../store/repos/settings';
import type { ListName, SortKey } from '../../src-shared/domain/insights';
import { LISTS, effectiveFilters } from './listRegistry';
import { boundedKeys, buildListQuery, countSql, factsSql, queryCount, type BuiltQuery, type KeyBounds } from './query';
import { getInsightSettings } from './settings';
import type { InsightStateRow } from './measures';

export function countKey(q: BuiltQuery, state: Pick<InsightStateRow, 'refreshed_at' | 'identity_run_id'>): string {
  const text = JSON.stringify([countSql(q), q.params, state.refreshed_at, state.identity_run_id ?? null]);
  return crypto.createHash('sha256').update(text).digest('base64url');
}

/** A list's size: what the measures job took for this query and state, else counted now. */
export function listCount(db: Db, profileId: number, q: BuiltQuery, state: Pick<InsightStateRow, 'refreshed_at' | 'identity_run_id'>): number {
  return storedFacts(db, profileId, countKey(q, state))?.n ?? queryCount(db, q);
}

/** What the measures job found of a list: its size, and its members' range per sort key. */
export interface ListFacts {
  n: number;
  bounds: Partial<Record<SortKey, KeyBounds>>;
}

/** The facts the measures job took for this query and state, or undefined. */
export function storedFacts(db: Db, profileId: number, key: string): ListFacts | undefined {
  let row: { n: number; bounds_json: string | null } | undefined;
  try {
    row = db.prepare('SELECT n, bounds_json FROM insight_counts WHERE profile_id = ? AND key = ?').get(profileId, key) as typeof row;
  } catch {
    // A read-only store of an earlier version has no such table: the count is read instead.
    return undefined;
  }
  if (!row) return undefined;
  let bounds: ListFacts['bounds'] = {};
  try {
    bounds = row.bounds_json ? (JSON.parse(row.bounds_json) as ListFacts['bounds']) : {};
  } catch {
    /* unreadable bounds only cost speed: pages walk unbounded */
  }
  return { n: row.n, bounds };
}

/**
 * Counts every list for the measures just refreshed (their day, the default filters), with each
 * sort key's range among its members, in place of the profile's earlier facts. `check` runs
 * between lists (the job's cancel).
 */
export function takeListCounts(db: Db, profileId: number, state: InsightStateRow, check: () => void = () => undefined): number {
  const facts: [string, ListFacts][] = [];
  for (const { list, q } of defaultQueries(db, profileId, state)) {
    check();
    facts.push([countKey(q, state), factsOf(db, q, boundedKeys(list))]);
  }
  putFacts(db, profileId, facts);
  return facts.length;
}

/**
 * After a refresh of a few changed persons on the same day (measures.ts: `refreshChanged`, whose
 * rows before and after are in `changed`), every list's facts moved by those rows alone: the
 * count and each key's NULLs by the members among them after less those before, each key's range
 * widened to the members' values after. A range so kept can be wider than its members' (one who
 * left held the least value), never narrower, and a page only seeks from it: the next full count
 * (a new day, a rebuild of everyone) takes it exact again. At a million persons recounting every
 * list after a sync took 1.0–1.6 s. False, and nothing written (take the counts), when the day
 * moved, a list's facts for the state before are missing, or a delta goes below zero.
 */
export function adjustListCounts(
  db: Db,
  profileId: number,
  before: InsightStateRow,
  state: InsightStateRow,
  changed: { before: string; after: string },
  check: () => void = () => undefined,
): boolean {
  if (before.as_of !== state.as_of) return false;
  const facts: [string, ListFacts][] = [];
  for (const { list, q } of defaultQueries(db, profileId, state)) {
    check();
    const old = storedFacts(db, profileId, countKey(q, before));
    if (!old) return false;
    const keys = boundedKeys(list);
    const gone = factsOf(db, q, keys, changed.before);
    const come = factsOf(db, q, keys, changed.after);
    const bounds: ListFacts['bounds'] = {};
    for (const k of keys) {
      const o = old.bounds[k];
      const g = gone.bounds[k]!;
      const c = come.bounds[k]!;
      // Bounds the job could not read (stored unreadable) stay unknown: the pages walk unbounded.
      if (!o) continue;
      bounds[k] = { min: least(o.min, c.min), max: greatest(o.max, c.max), nulls: o.nulls - g.nulls + c.nulls };
      if (bounds[k]!.nulls < 0) return false;
    }
    const n = old.n - gone.n + come.n;
    // Below zero the facts before were not this store's (edited, or from a fault): count again.
    if (n < 0) return false;
    facts.push([countKey(q, state), { n, bounds }]);
  }
  putFacts(db, profileId, facts);
  return true;
}

/** Every list's query under the profile's default filters, for the measures' day. */
function defaultQueries(db: Db, profileId: number, state: InsightStateRow): { list: ListName; q: BuiltQuery }[] {
  const settings = getInsightSettings({ settings: new SettingsRepo(db) }, profileId);
  return (Object.keys(LISTS) as ListName[]).map((list) => ({ list, q: buildListQuery({ profileId, list, filters: effectiveFilters({}, settings), day: state.as_of }) }));
}

function factsOf(db: Db, q: BuiltQuery, keys: SortKey[], rows?: string): ListFacts {
  const row = db.prepare(factsSql(q, keys, rows)).get(q.params) as Record<string, string | number | null>;
  const bounds: ListFacts['bounds'] = {};
  keys.forEach((k, i) => (bounds[k] = { min: row[`min${i}`] ?? null, max: row[`max${i}`] ?? null, nulls: Number(row[`nulls${i}`] ?? 0) }));
  return { n: Number(row.n), bounds };
}

function putFacts(db: Db, profileId: number, facts: [string, ListFacts][]): void {
  db.transaction(() => {
    db.prepare('DELETE FROM insight_counts WHERE profile_id = ?').run(profileId);
    const put = db.prepare('INSERT OR REPLACE INTO insight_counts (profile_id, key, n, bounds_json) VALUES (?, ?, ?, ?)');
    for (const [key, f] of facts) put.run(profileId, key, f.n, JSON.stringify(f.bounds));
  })();
}

type Value = string | number | null;
/** SQLite's order for a column's values: numbers before text; NULL is no value here (no member). */
function sortsBefore(a: Exclude<Value, null>, b: Exclude<Value, null>): boolean {
  if (typeof a === typeof b) return a < b;
  return typeof a === 'number';
}
function least(a: Value, b: Value): Value {
  return a === null ? b : b === null ? a : sortsBefore(b, a) ? b : a;
}
function greatest(a: Value, b: Value): Value {
  return a === null ? b : b === null ? a : sortsBefore(a, b) ? b : a;
}
