/**
 * CRM+ paging: skip/take (query string) over a Query endpoint sorted by last-modified date,
 * ascending, filtered to "modified on or after" the checkpoint.
 *
 * Why anchors: the result set moves while it is read. A record modified mid-walk jumps to the
 * end of the order (it will be read there), and everything after its old place shifts left by
 * one — so a plain `skip += take` would silently skip a record. Each page therefore re-reads a
 * small overlap before `skip` and finds the last ids already committed (the anchors) in it;
 * only what follows the anchor is new. If no anchor is found (a larger shift, or the anchors
 * themselves moved), the walk backs off further and, as a last resort, restarts from the same
 * watermark: upserts are idempotent, so re-reading costs calls, never correctness.
 *
 * The state is a plain JSON cursor that the collector commits in the same transaction as the
 * page's rows, so a killed sync resumes exactly after the last committed page.
 */
import { toId, toIsoUtc } from '../shared/parseValues';
import type { CrmPage } from './client';

export interface CrmWalkCursor {
  /** 'full' re-reads everything; 'incremental' reads modified on/after `since`. */
  mode: 'full' | 'incremental';
  /** The filter value for this walk (fixed for the whole walk), or null for no filter. */
  since: string | null;
  /** Items of the result set consumed so far. */
  skip: number;
  /** Ids of the last items consumed (most recent last). */
  anchors: string[];
  /** Highest modified timestamp seen in this walk (ISO UTC). */
  maxModified: string | null;
  /** When the walk began (ISO), for the deletion sweep of a full walk. */
  walkStartedAt: string;
  pages: number;
  /** Times the walk had to back off or restart (diagnostics). */
  recoveries: number;
  /**
   * Sort of this walk. Incremental walks go by last-modified date; a full walk may go by id
   * (records keep their place when edited, and the mirror's B-trees fill in key order).
   */
  sortBy?: string;
  /**
   * For a walk not in modified order: the highest modified time on the server when it began.
   * It becomes the watermark, so whatever changed during the walk is read by the next one.
   */
  startMax?: string | null;
}

export interface CrmPageResult {
  /** Items not read before in this walk, in server order. */
  items: unknown[];
  total: number | null;
  cursor: CrmWalkCursor;
  done: boolean;
}

export interface CrmWalkOptions {
  take: number;
  /** Items re-read before `skip` to find the anchors. */
  overlap: number;
  anchorCount?: number;
  /** Reads the record's modified timestamp (either casing). */
  modifiedOf?: (item: unknown) => string | null;
}

export function newWalk(mode: 'full' | 'incremental', since: string | null, now = new Date().toISOString(), order?: { sortBy: string; startMax: string | null }): CrmWalkCursor {
  return { mode, since, skip: 0, anchors: [], maxModified: null, walkStartedAt: now, pages: 0, recoveries: 0, ...(order ?? {}) };
}

export function itemId(item: unknown): string | null {
  if (!item || typeof item !== 'object') return null;
  const o = item as Record<string, unknown>;
  return toId(o.id ?? o.Id ?? o.ID) ?? null;
}

export function itemModified(item: unknown): string | null {
  if (!item || typeof item !== 'object') return null;
  const o = item as Record<string, unknown>;
  return toIsoUtc(o.modifiedDateTimeUtc ?? o.ModifiedDateTimeUtc ?? o.modifiedDateTime ?? o.ModifiedDateTime) ?? null;
}

/**
 * Reads the page after `cursor`. `fetchPage(skip, take)` performs the call.
 */
export async function nextCrmPage(
  cursor: CrmWalkCursor,
  fetchPage: (skip: number, take: number) => Promise<CrmPage>,
  opts: CrmWalkOptions,
): Promise<CrmPageResult> {
  const anchorCount = opts.anchorCount ?? 5;
  const modifiedOf = opts.modifiedOf ?? itemModified;
  let recoveries = cursor.recoveries;
  let back = cursor.skip > 0 && cursor.anchors.length ? Math.min(cursor.skip, opts.overlap) : 0;
  for (let attempt = 0; ; attempt++) {
    const requestSkip = cursor.skip - back;
    const page = await fetchPage(requestSkip, opts.take);
    const list = page.list;
    let fresh = list;
    if (back > 0) {
      const anchors = new Map(cursor.anchors.map((a, i) => [a, i]));
      let at = -1;
      for (let i = list.length - 1; i >= 0; i--) {
        const id = itemId(list[i]);
        if (id !== null && anchors.has(id)) {
          at = i;
          break;
        }
      }
      if (at < 0) {
        recoveries++;
        if (attempt === 0 && cursor.skip > back) {
          // Shifted further than the overlap: look one whole page back.
          back = Math.min(cursor.skip, opts.take + opts.overlap);
          continue;
        }
        // Give up on positions: restart this walk's filter from the top (idempotent upserts).
        const restarted: CrmWalkCursor = { ...cursor, skip: 0, anchors: [], recoveries };
        return nextCrmPage(restarted, fetchPage, opts);
      }
      fresh = list.slice(at + 1);
    }
    const consumedTo = requestSkip + list.length;
    const ids = list.map(itemId).filter((x): x is string => x !== null);
    let maxModified = cursor.maxModified;
    for (const item of fresh) {
      const m = modifiedOf(item);
      if (m && (!maxModified || m > maxModified)) maxModified = m;
    }
    const done =
      list.length === 0 ||
      (page.total !== null ? consumedTo >= page.total : list.length < opts.take) ||
      (fresh.length === 0 && list.length < opts.take);
    return {
      items: fresh,
      total: page.total,
      done,
      cursor: {
        ...cursor,
        skip: consumedTo,
        anchors: ids.length ? ids.slice(-anchorCount) : cursor.anchors,
        maxModified,
        pages: cursor.pages + 1,
        recoveries,
      },
    };
  }
}

/** The Query parameter (and sort) of a contact's or gift's last change, as production clients name it. */
export const CRM_MODIFIED_PARAMETER = 'Last Modified Date';

/** The Query body: modified on/after `since` (when given), sorted by last-modified ascending. */
export function modifiedQueryBody(since: string | null, opts: { parameter: string; sortBy: string; operator?: string; descending?: boolean }): Record<string, unknown> {
  const body: Record<string, unknown> = { sortBy: opts.sortBy, descending: !!opts.descending };
  if (since) {
    body.groups = [{ conditions: [{ parameter: opts.parameter, operator: opts.operator ?? 'OnOrAfter', value: since }] }];
  } else {
    body.groups = [];
  }
  return body;
}
