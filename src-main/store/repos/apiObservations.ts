/**
 * What each API said about itself, per profile (migration 0080): which resources this token can
 * read, and the rate-limit headers of the latest answer. Every caller of an API writes here (sync,
 * connection check, push, reconciliation), so every screen shows the same figure.
 *
 * Rate-limit headers arrive with every answer; they are kept in memory and written at most once a
 * second per API (and on flush), so pacing a few hundred answers does not cost a few hundred writes.
 */
import type { Db } from '../db';
import type { ApiName } from '../../../src-shared/domain/apis';
import { isRequired } from '../../../src-shared/domain/apis';
import type { ApiBudget, ResourceCheck } from '../../../src-shared/domain/sync';

export type ResourceStatus = ResourceCheck['status'];

export interface ObservedHeaders {
  limit: number | null;
  remaining: number | null;
  /** Epoch ms. */
  resetAt: number | null;
  observedAt: number;
}

const WRITE_EVERY_MS = 1000;

export class ApiObservations {
  private readonly pending = new Map<string, { profileId: number; api: ApiName; h: ObservedHeaders }>();
  private readonly lastWrite = new Map<string, number>();

  constructor(private readonly db: Db) {}

  // ------------------------------------------------------------------ resources

  recordResource(profileId: number, api: ApiName, resource: string, status: ResourceStatus, httpStatus: number | null, reason: string | null, at = new Date().toISOString()): void {
    this.db
      .prepare(
        `INSERT INTO api_resource_status (profile_id, api, resource, status, http_status, reason, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (profile_id, api, resource) DO UPDATE SET status = excluded.status, http_status = excluded.http_status, reason = excluded.reason, checked_at = excluded.checked_at`,
      )
      .run(profileId, api, resource, status, httpStatus, reason, at);
  }

  resources(profileId: number, api?: ApiName): ResourceCheck[] {
    const rows = this.db
      .prepare(`SELECT api, resource, status, http_status, reason, checked_at FROM api_resource_status WHERE profile_id = ?${api ? ' AND api = ?' : ''} ORDER BY api, resource`)
      .all(...(api ? [profileId, api] : [profileId])) as { api: ApiName; resource: string; status: ResourceStatus; http_status: number | null; reason: string | null; checked_at: string }[];
    return rows.map((r) => ({
      api: r.api,
      resource: r.resource,
      required: isRequired(r.api, r.resource),
      status: r.status,
      httpStatus: r.http_status,
      message: r.reason ?? r.status,
      checkedAt: r.checked_at,
    }));
  }

  /** The last word on one resource, if it is younger than `maxAgeMs`. */
  resource(profileId: number, api: ApiName, resource: string, maxAgeMs = Infinity): ResourceCheck | null {
    const r = this.resources(profileId, api).find((x) => x.resource === resource);
    if (!r || Date.now() - Date.parse(r.checkedAt) > maxAgeMs) return null;
    return r;
  }

  // ------------------------------------------------------------------ rate limits

  /** An answer's rate-limit headers (only answers that carried a limit or a remaining count). */
  observe(profileId: number, api: ApiName, h: ObservedHeaders): void {
    if (h.limit === null && h.remaining === null) return;
    const key = `${profileId}:${api}`;
    this.pending.set(key, { profileId, api, h });
    if (h.observedAt - (this.lastWrite.get(key) ?? 0) >= WRITE_EVERY_MS) this.write(key);
  }

  /** Writes what is held in memory (call when a run or an action ends). */
  flush(): void {
    for (const key of [...this.pending.keys()]) this.write(key);
  }

  budget(profileId: number, api: ApiName): ApiBudget | null {
    this.write(`${profileId}:${api}`);
    const r = this.db.prepare('SELECT limit_value, remaining, reset_at, observed_at FROM api_rate_limits WHERE profile_id = ? AND api = ?').get(profileId, api) as
      | { limit_value: number | null; remaining: number | null; reset_at: string | null; observed_at: string }
      | undefined;
    if (!r) return null;
    return { api, limit: r.limit_value, remaining: r.remaining, resetAt: r.reset_at, observedAt: r.observed_at };
  }

  private write(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    this.lastWrite.set(key, p.h.observedAt);
    try {
      this.db
        .prepare(
          `INSERT INTO api_rate_limits (profile_id, api, limit_value, remaining, reset_at, observed_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (profile_id, api) DO UPDATE SET limit_value = coalesce(excluded.limit_value, limit_value), remaining = excluded.remaining,
             reset_at = coalesce(excluded.reset_at, reset_at), observed_at = excluded.observed_at
           WHERE excluded.observed_at >= api_rate_limits.observed_at`,
        )
        .run(p.profileId, p.api, p.h.limit, p.h.remaining, p.h.resetAt === null ? null : new Date(p.h.resetAt).toISOString(), new Date(p.h.observedAt).toISOString());
    } catch {
      /* the profile was removed, or the database is closing: the figure is only informative */
    }
  }
}

const byDb = new WeakMap<Db, ApiObservations>();

/** One per database, so every caller's observations meet in the same memory. */
export function apiObservations(db: Db): ApiObservations {
  let o = byDb.get(db);
  if (!o) byDb.set(db, (o = new ApiObservations(db)));
  return o;
}
