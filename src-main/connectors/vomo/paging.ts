/**
 * VOMO paging: page numbers, following `links.next` until it is null (or the string "null").
 * Page size is the server's. `meta` numbers may arrive as strings. A Laravel "simple" paginator
 * (`next_page_url`, `current_page` at the top level) is read too.
 *
 * The cursor is JSON the collector commits with each page's rows: the walk's filter
 * (`updated_after`), the next page to read, and the highest `updated_at` seen. The watermark
 * moves only when a whole walk has finished — VOMO does not promise an order, so a partial
 * walk says nothing about what is left.
 */
import { malformedPage, toIsoUtc, toNumber, toId } from '../shared/parseValues';
import { VOMO_LABEL } from './client';
import type { VomoClient } from './client';

export interface VomoWalkCursor {
  mode: 'full' | 'incremental';
  /** `updated_after` for this walk (ISO), fixed for the whole walk; null for everything. */
  since: string | null;
  /** Next page to read (1-based). */
  page: number;
  /** The server's own next link (path + query relative to the base), when it gave one of ours. */
  nextHref: string | null;
  maxUpdated: string | null;
  walkStartedAt: string;
  pages: number;
  /** `meta.total` of the previous page: a drop means deletions shifted later users to earlier pages. */
  lastTotal?: number | null;
  /** Pages re-read because of such a shift (diagnostics). */
  backfilled?: number;
}

export interface VomoPage {
  data: unknown[];
  next: string | null;
  currentPage: number | null;
  lastPage: number | null;
  perPage: number | null;
  total: number | null;
}

export function newVomoWalk(mode: 'full' | 'incremental', since: string | null, now = new Date().toISOString()): VomoWalkCursor {
  return { mode, since, page: 1, nextHref: null, maxUpdated: null, walkStartedAt: now, pages: 0 };
}

function num(v: unknown): number | null {
  const n = toNumber(v);
  return typeof n === 'number' ? n : null;
}

function link(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = v.trim();
  if (!t || t.toLowerCase() === 'null' || t === '#') return null;
  return t;
}

/** Laravel's `{data:[…], links, meta}` or a bare array; `data` null, missing or not a list is a malformed page. */
export function readVomoPage(json: unknown): VomoPage {
  const o = (json && typeof json === 'object' && !Array.isArray(json) ? json : {}) as Record<string, unknown>;
  if (!Array.isArray(json) && !Array.isArray(o.data)) throw malformedPage(VOMO_LABEL, 'data', json && typeof json === 'object' ? o.data : json);
  const data = Array.isArray(json) ? json : (o.data as unknown[]);
  const links = (o.links && typeof o.links === 'object' ? o.links : {}) as Record<string, unknown>;
  const meta = (o.meta && typeof o.meta === 'object' ? o.meta : o) as Record<string, unknown>;
  return {
    data,
    next: link(links.next) ?? link(o.next_page_url),
    currentPage: num(meta.current_page ?? meta.currentPage),
    lastPage: num(meta.last_page ?? meta.lastPage),
    perPage: num(meta.per_page ?? meta.perPage),
    total: num(meta.total),
  };
}

export function userUpdatedAt(item: unknown): string | null {
  if (!item || typeof item !== 'object') return null;
  const o = item as Record<string, unknown>;
  return toIsoUtc(o.updated_at ?? o.updatedAt ?? o.UpdatedAt) ?? null;
}

export function vomoItemId(item: unknown): string | null {
  if (!item || typeof item !== 'object') return null;
  const o = item as Record<string, unknown>;
  return toId(o.id ?? o.Id ?? o.ID) ?? null;
}

export interface VomoPageResult {
  items: unknown[];
  page: VomoPage;
  cursor: VomoWalkCursor;
  done: boolean;
}

/** Reads the page `cursor` points at and returns the cursor after it. */
export async function nextVomoUsersPage(client: VomoClient, cursor: VomoWalkCursor, signal?: AbortSignal): Promise<VomoPageResult> {
  const url = cursor.nextHref
    ? client.url(cursor.nextHref)
    : client.url('users', { page: cursor.page, ...(cursor.since ? { updated_after: cursor.since } : {}) });
  // The filter must survive a next link that dropped it.
  if (cursor.since && !url.searchParams.has('updated_after')) url.searchParams.set('updated_after', cursor.since);
  const page = readVomoPage(await client.getJson(url, signal));
  const current = page.currentPage ?? cursor.page;
  // Users deleted since the previous page shift everyone after them to earlier pages, so the
  // first users of this page may now sit at the end of pages already read: read those again
  // (upserts are idempotent). New users are appended, which only repeats, never skips.
  let items = page.data;
  let backfilled = cursor.backfilled ?? 0;
  if (cursor.lastTotal != null && page.total !== null && page.total < cursor.lastTotal && current > 1) {
    const per = page.perPage ?? (page.data.length || 15);
    const back = Math.ceil((cursor.lastTotal - page.total) / per);
    const extra: unknown[] = [];
    for (let p = Math.max(1, current - back); p < current; p++) {
      const u = client.url('users', { page: p, ...(cursor.since ? { updated_after: cursor.since } : {}) });
      extra.push(...readVomoPage(await client.getJson(u, signal)).data);
      backfilled++;
    }
    items = [...extra, ...page.data];
  }
  let maxUpdated = cursor.maxUpdated;
  for (const item of items) {
    const u = userUpdatedAt(item);
    if (u && (!maxUpdated || u > maxUpdated)) maxUpdated = u;
  }
  let nextHref: string | null = null;
  let nextPage = current + 1;
  let done = page.next === null || page.data.length === 0;
  if (page.next) {
    const nu = new URL(page.next, client.base);
    const p = Number(nu.searchParams.get('page'));
    if (Number.isInteger(p) && p > 0) nextPage = p;
    if (client.isOurs(nu)) {
      nextHref = nu.pathname.slice(client.base.pathname.length) + nu.search;
    }
    if (nextPage <= current && !nextHref) done = true; // a next link that goes nowhere new
  }
  if (page.lastPage !== null && current >= page.lastPage) done = true;
  return {
    items,
    page,
    done,
    cursor: { ...cursor, page: nextPage, nextHref, maxUpdated, pages: cursor.pages + 1, lastTotal: page.total, backfilled },
  };
}
