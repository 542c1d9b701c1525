/**
 * The run log: one `sync_runs` row per sync, one `sync_run_collectors` row per API with its
 * outcome (pages, records, new/updated/unchanged/quarantined, error, duration, estimate,
 * per-entity summary). A heartbeat marks a live run so a second process (CLI vs app) refuses
 * to start the same profile, and a run whose process died is closed as interrupted.
 */
import os from 'node:os';
import type { Db } from '../store/db';
import { API_NAMES, type ApiName } from '../../src-shared/domain/apis';
import type { ApiEstimate, CollectorOutcome, CollectorStatus, EntityCounts, LastApiRun, SyncRun, UnavailableResource } from '../../src-shared/domain/sync';

export const HEARTBEAT_MS = 5_000;
/** A running run whose heartbeat is older than this belongs to a process that is gone. */
export const STALE_MS = 30_000;

export interface CollectorResult {
  status: CollectorStatus;
  pages: number;
  records: number;
  entities: Record<string, EntityCounts>;
  errorCode: string | null;
  error: string | null;
  budgetRemaining: number | null;
  budgetResetAt: string | null;
  estimate: ApiEstimate | null;
  /** Optional resources not read (not offered, or forbidden for this token). */
  unavailable?: UnavailableResource[];
}

interface CollectorRowDb {
  run_id: number;
  api: ApiName;
  status: CollectorStatus;
  pages: number;
  records: number;
  new_count: number;
  updated_count: number;
  unchanged_count: number;
  quarantined: number;
  error_code: string | null;
  error_message: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  estimate_json: string | null;
  summary_json: string | null;
  budget_remaining: number | null;
  budget_reset_at: string | null;
  unavailable_json: string | null;
}

interface RunRowDb {
  id: number;
  profile_id: number;
  started_at: string;
  finished_at: string | null;
  status: string;
  full: number;
  apis: string;
  summary_json: string | null;
  heartbeat_at: string | null;
  owner: string | null;
}

export function ownerTag(): string {
  return `${os.hostname()}:${process.pid}`;
}

/** True when the run's owner is a process on this machine that no longer exists (kill -9). */
export function ownerIsDead(owner: string | null): boolean {
  if (!owner) return false;
  const at = owner.lastIndexOf(':');
  const host = owner.slice(0, at);
  const pid = Number(owner.slice(at + 1));
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export function totals(entities: Record<string, EntityCounts>): EntityCounts {
  const t: EntityCounts = { new: 0, updated: 0, unchanged: 0, quarantined: 0, gone: 0, held: 0 };
  for (const e of Object.values(entities)) {
    t.new += e.new;
    t.updated += e.updated;
    t.unchanged += e.unchanged;
    t.quarantined += e.quarantined;
    t.gone += e.gone ?? 0;
    t.held += e.held ?? 0;
  }
  return t;
}

export class RunLog {
  private readonly progressStmt;
  private readonly heartbeatStmt;
  constructor(private readonly db: Db) {
    this.progressStmt = db.prepare('UPDATE sync_run_collectors SET pages = ?, records = ? WHERE run_id = ? AND api = ?');
    this.heartbeatStmt = db.prepare('UPDATE sync_runs SET heartbeat_at = ? WHERE id = ?');
  }

  /**
   * A live run of this profile in any process, after closing the ones whose process died, and
   * this process's own that it no longer runs (runningHere: a run whose record could not be
   * closed, on a full disk, would otherwise read as running for another half minute).
   */
  activeRun(profileId: number, runningHere: (runId: number) => boolean = () => true, now = Date.now()): RunRowDb | null {
    const rows = this.db.prepare(`SELECT * FROM sync_runs WHERE profile_id = ? AND status = 'running'`).all(profileId) as RunRowDb[];
    let live: RunRowDb | null = null;
    for (const r of rows) {
      const beat = Date.parse(r.heartbeat_at ?? r.started_at);
      if (now - beat > STALE_MS || ownerIsDead(r.owner) || (r.owner === ownerTag() && !runningHere(r.id))) this.closeInterrupted(r.id);
      else live = r;
    }
    return live;
  }

  closeInterrupted(runId: number, why = 'the process running this sync stopped'): void {
    const now = new Date().toISOString();
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE sync_run_collectors SET status = 'failed', error_code = 'INTERNAL',
             error_message = ?,
             finished_at = ? WHERE run_id = ? AND status = 'running'`,
        )
        .run(`interrupted: ${why}; the next sync resumes from the last committed page`, now, runId);
      this.db.prepare(`UPDATE sync_runs SET status = 'failed', finished_at = ? WHERE id = ? AND status = 'running'`).run(now, runId);
    })();
  }

  /**
   * A store restored from a backup taken while a sync ran holds that run as running; no process
   * runs it on this store, so it is closed as interrupted at once (not after STALE_MS).
   */
  closeRunsOfRestoredStore(): number {
    const ids = this.db.prepare(`SELECT id FROM sync_runs WHERE status = 'running'`).pluck().all() as number[];
    for (const id of ids) this.closeInterrupted(id, 'the backup this store was restored from was taken while this sync ran');
    return ids.length;
  }

  create(profileId: number, apis: ApiName[], full: boolean): number {
    const now = new Date().toISOString();
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare(`INSERT INTO sync_runs (profile_id, started_at, status, full, apis, heartbeat_at, owner) VALUES (?, ?, 'running', ?, ?, ?, ?)`)
          .run(profileId, now, full ? 1 : 0, apis.join(','), now, ownerTag()).lastInsertRowid,
      );
      const ins = this.db.prepare(`INSERT INTO sync_run_collectors (run_id, api, status, started_at) VALUES (?, ?, 'running', ?)`);
      for (const api of apis) ins.run(id, api, now);
      return id;
    })();
  }

  heartbeat(runId: number): void {
    this.heartbeatStmt.run(new Date().toISOString(), runId);
  }

  /** Live counters while a collector runs (so an interrupted run still shows how far it got). */
  collectorProgress(runId: number, api: ApiName, pages: number, records: number): void {
    this.progressStmt.run(pages, records, runId, api);
  }

  saveEstimate(runId: number, api: ApiName, estimate: ApiEstimate): void {
    this.db.prepare('UPDATE sync_run_collectors SET estimate_json = ? WHERE run_id = ? AND api = ?').run(JSON.stringify(estimate), runId, api);
  }

  finishCollector(runId: number, api: ApiName, r: CollectorResult, startedAtMs: number): void {
    const now = new Date();
    const t = totals(r.entities);
    this.db
      .prepare(
        `UPDATE sync_run_collectors SET status = ?, pages = ?, records = ?, new_count = ?, updated_count = ?, unchanged_count = ?,
           quarantined = ?, error_code = ?, error_message = ?, finished_at = ?, duration_ms = ?, summary_json = ?,
           estimate_json = COALESCE(?, estimate_json), budget_remaining = ?, budget_reset_at = ?, unavailable_json = ?
         WHERE run_id = ? AND api = ?`,
      )
      .run(
        r.status,
        r.pages,
        r.records,
        t.new,
        t.updated,
        t.unchanged,
        t.quarantined,
        r.errorCode,
        r.error,
        now.toISOString(),
        Math.max(0, now.getTime() - startedAtMs),
        JSON.stringify(r.entities),
        r.estimate ? JSON.stringify(r.estimate) : null,
        r.budgetRemaining,
        r.budgetResetAt,
        r.unavailable?.length ? JSON.stringify(r.unavailable) : null,
        runId,
        api,
      );
  }

  finishRun(runId: number, status: string, summary: unknown): void {
    this.db
      .prepare('UPDATE sync_runs SET status = ?, finished_at = ?, summary_json = ? WHERE id = ?')
      .run(status, new Date().toISOString(), JSON.stringify(summary), runId);
  }

  get(runId: number): SyncRun | null {
    const r = this.db.prepare('SELECT * FROM sync_runs WHERE id = ?').get(runId) as RunRowDb | undefined;
    return r ? this.toRun(r) : null;
  }

  list(profileId: number, limit: number): SyncRun[] {
    const rows = this.db
      .prepare('SELECT * FROM sync_runs WHERE profile_id = ? ORDER BY id DESC LIMIT ?')
      .all(profileId, limit) as RunRowDb[];
    return rows.map((r) => this.toRun(r));
  }

  lastByApi(profileId: number): Record<ApiName, LastApiRun | null> {
    const out = { vomo: null, crm: null, raise: null } as Record<ApiName, LastApiRun | null>;
    for (const api of API_NAMES) {
      const c = this.db
        .prepare(
          `SELECT c.* FROM sync_run_collectors c JOIN sync_runs r ON r.id = c.run_id
           WHERE r.profile_id = ? AND c.api = ? AND c.status != 'running' ORDER BY c.run_id DESC LIMIT 1`,
        )
        .get(profileId, api) as CollectorRowDb | undefined;
      if (!c) continue;
      const lastOk = this.db
        .prepare(
          `SELECT c.finished_at FROM sync_run_collectors c JOIN sync_runs r ON r.id = c.run_id
           WHERE r.profile_id = ? AND c.api = ? AND c.status = 'ok' ORDER BY c.run_id DESC LIMIT 1`,
        )
        .pluck()
        .get(profileId, api) as string | undefined;
      out[api] = {
        runId: c.run_id,
        status: c.status,
        records: c.records,
        quarantined: c.quarantined,
        error: c.error_message,
        errorCode: c.error_code,
        finishedAt: c.finished_at,
        budgetRemaining: c.budget_remaining,
        lastOkAt: lastOk ?? null,
        unavailable: parseJson<UnavailableResource[]>(c.unavailable_json) ?? [],
      };
    }
    return out;
  }

  private toRun(r: RunRowDb): SyncRun {
    const cols = this.db.prepare('SELECT * FROM sync_run_collectors WHERE run_id = ? ORDER BY api').all(r.id) as CollectorRowDb[];
    const order = new Map(API_NAMES.map((a, i) => [a, i]));
    cols.sort((a, b) => (order.get(a.api) ?? 9) - (order.get(b.api) ?? 9));
    return {
      id: r.id,
      profileId: r.profile_id,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      status: r.status,
      full: r.full === 1,
      apis: r.apis.split(',').filter((a): a is ApiName => (API_NAMES as readonly string[]).includes(a)),
      collectors: cols.map((c) => toOutcome(c)),
    };
  }
}

function parseJson<T>(s: string | null): T | null {
  if (!s) return null;
  try {
    return JSON.parse(s) as T;
  } catch {
    return null;
  }
}

function toOutcome(c: CollectorRowDb): CollectorOutcome {
  const entities = parseJson<Record<string, EntityCounts>>(c.summary_json) ?? {};
  for (const e of Object.values(entities)) e.gone ??= 0;
  return {
    api: c.api,
    status: c.status,
    pages: c.pages,
    records: c.records,
    new: c.new_count,
    updated: c.updated_count,
    unchanged: c.unchanged_count,
    quarantined: c.quarantined,
    errorCode: c.error_code,
    error: c.error_message,
    startedAt: c.started_at,
    finishedAt: c.finished_at,
    durationMs: c.duration_ms,
    budgetRemaining: c.budget_remaining,
    budgetResetAt: c.budget_reset_at,
    entities,
    estimate: parseJson<ApiEstimate>(c.estimate_json),
    unavailable: parseJson<UnavailableResource[]>(c.unavailable_json) ?? [],
  };
}
