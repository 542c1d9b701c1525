/**
 * Raise paging: `Skip`/`Take` over `/api/<Resource>/list`, sorted by id ascending (a stable
 * order: an edit does not move a record), with an optional modified-since filter whose
 * parameter name is configurable. When the server ignores the filter (an item older than it
 * comes back), the walk simply becomes a full walk: every item is upserted idempotently.
 *
 * Each page re-reads a small overlap before `Skip` and finds the last committed ids in it, so
 * a deletion mid-walk (which shifts later items left) cannot make the walk skip a record.
 */
import { toId, toIsoUtc } from '../shared/parseValues';
import type { RaiseClient, RaisePage } from './client';

export interface RaiseWalkCursor {
  mode: 'full' | 'incremental';
  since: string | null;
  skip: number;
  anchors: string[];
  maxModified: string | null;
  walkStartedAt: string;
  pages: number;
  /** The server answered with records older than `since`: the filter is not honoured. */
  filterIgnored: boolean;
}

export interface RaiseListOptions {
  take: number;
  overlap: number;
  /** Query parameter carrying the modified-since filter (e.g. "ModifiedSince"); null: none. */
  sinceParam: string | null;
  sortBy: string;
}

export function newRaiseWalk(mode: 'full' | 'incremental', since: string | null, now = new Date().toISOString()): RaiseWalkCursor {
  return { mode, since, skip: 0, anchors: [], maxModified: null, walkStartedAt: now, pages: 0, filterIgnored: false };
}

export function raiseItemId(item: unknown): string | null {
  if (!item || typeof item !== 'object') return null;
  const o = item as Record<string, unknown>;
  return toId(o.id ?? o.Id ?? o.ID) ?? null;
}

export function raiseItemModified(item: unknown): string | null {
  if (!item || typeof item !== 'object') return null;
  const o = item as Record<string, unknown>;
  return (
    toIsoUtc(o.modifiedDate ?? o.ModifiedDate ?? o.modifiedDateTime ?? o.ModifiedDateTime ?? o.modifiedDateTimeUtc ?? o.ModifiedDateTimeUtc ?? o.modifiedAt) ??
    null
  );
}

export interface RaisePageResult {
  items: unknown[];
  total: number | null;
  cursor: RaiseWalkCursor;
  done: boolean;
}

export async function nextRaisePage(
  client: RaiseClient,
  resource: string,
  cursor: RaiseWalkCursor,
  opts: RaiseListOptions,
  signal?: AbortSignal,
): Promise<RaisePageResult> {
  const fetchPage = (skip: number): Promise<RaisePage> =>
    client.list(
      resource,
      {
        Skip: skip,
        Take: opts.take,
        SortBy: opts.sortBy,
        Descending: 'false',
        ...(cursor.since && opts.sinceParam ? { [opts.sinceParam]: cursor.since } : {}),
      },
      signal,
    );
  let back = cursor.skip > 0 && cursor.anchors.length ? Math.min(cursor.skip, opts.overlap) : 0;
  for (let attempt = 0; ; attempt++) {
    const requestSkip = cursor.skip - back;
    const page = await fetchPage(requestSkip);
    const list = page.items;
    let fresh = list;
    if (back > 0) {
      const anchors = new Set(cursor.anchors);
      let at = -1;
      for (let i = list.length - 1; i >= 0; i--) {
        const id = raiseItemId(list[i]);
        if (id !== null && anchors.has(id)) {
          at = i;
          break;
        }
      }
      if (at < 0) {
        if (attempt === 0 && cursor.skip > back) {
          back = Math.min(cursor.skip, opts.take + opts.overlap);
          continue;
        }
        // Positions are lost: read this walk again from the top (upserts are idempotent).
        return nextRaisePage(client, resource, { ...cursor, skip: 0, anchors: [] }, opts, signal);
      }
      fresh = list.slice(at + 1);
    }
    let maxModified = cursor.maxModified;
    let filterIgnored = cursor.filterIgnored;
    for (const item of fresh) {
      const m = raiseItemModified(item);
      if (m && (!maxModified || m > maxModified)) maxModified = m;
      if (m && cursor.since && m < cursor.since) filterIgnored = true;
    }
    const consumedTo = requestSkip + list.length;
    const ids = list.map(raiseItemId).filter((x): x is string => x !== null);
    const done =
      list.length === 0 || (page.total !== null ? consumedTo >= page.total : list.length < opts.take) || (fresh.length === 0 && list.length < opts.take);
    return {
      items: fresh,
      total: page.total,
      done,
      cursor: {
        ...cursor,
        skip: consumedTo,
        anchors: ids.length ? ids.slice(-5) : cursor.anchors,
        maxModified,
        pages: cursor.pages + 1,
        filterIgnored,
      },
    };
  }
}
