/**
 * The sync service: one run at a time per profile (across processes, via the run heartbeat),
 * collectors for the requested APIs running concurrently, each with its own token and client.
 *
 * Rules:
 * - Faults stay local: a collector that fails (401, API down, retries exhausted) records its
 *   error and the others finish. A missing token or base URL fails that collector alone; a
 *   profile without a Raise URL skips Raise.
 * - Every page is committed with its checkpoint; cancel stops at a page boundary and keeps
 *   what was committed.
 * - After a run: the run row is closed, post-sync listeners run (the composition root queues the
 *   identity rebuild and the insight measures here, as jobs), then `sync.finished` and
 *   `data.changed` are emitted.
 * - A run writes on the core's connection: it holds the write gate shared from its first write
 *   to its last, so no job's long transaction makes a page commit wait on this thread.
 * - Tokens are read from the SecretStore in main only and never returned or logged.
 */
import { setMaxListeners } from 'node:events';
import type { Db } from '../store/db';
import type { ProfilesRepo } from '../store/repos/profiles';
import type { SettingsRepo } from '../store/repos/settings';
import type { AuditRepo } from '../store/repos/audit';
import type { EventBus } from '../core/events';
import type { WriteGate, Release } from '../jobs/writeGate';
import type { Connections } from '../connections/connections';
import { log } from '../core/log';
import { storeWriteError } from '../store/storeErrors';
import { AppError, type ErrorCode } from '../../src-shared/errors';
import { API_LABELS, API_NAMES, type ApiName } from '../../src-shared/domain/apis';
import type { SyncProgress } from '../../src-shared/ipc/events';
import {
  SYNC_SETTINGS_KEY,
  SyncSettings,
  type ApiEstimate,
  type ConnectionTestResult,
  type QuarantinePage,
  type SyncEstimate,
  type SyncRun,
  type SyncStatus,
} from '../../src-shared/domain/sync';
import { DeletionValve } from './deletionValve';
import type { ProfileRow } from '../store/repos/profiles';
import { apiObservations } from '../store/repos/apiObservations';
import { Checkpoints } from './checkpoints';
import { DEFAULT_TUNING, mergeTuning, type DeepPartial, type SyncTuning } from './config';
import { ProgressReporter } from './progress';
import { QuarantineWriter } from './quarantine';
import { HEARTBEAT_MS, RunLog, type CollectorResult } from './runs';
import type { Collector } from './collectors/types';
import { VomoCollector, fullRereadReason, type DetailCheckpoint } from './collectors/vomoCollector';
import { CrmCollector } from './collectors/crmCollector';
import { RaiseCollector } from './collectors/raiseCollector';
import { checkConnection } from './connectionCheck';

export type AfterSyncListener = (profileId: number, runId: number) => void | Promise<void>;

export interface SyncRequest {
  apis?: ApiName[];
  full?: boolean;
  /** The steward confirmed that a full walk may mark more than the deletion valve allows. */
  confirmDeletions?: boolean;
}

export interface SyncServiceOptions {
  tuning?: DeepPartial<SyncTuning>;
}

export interface SyncDeps {
  db: Db;
  profiles: ProfilesRepo;
  settings: SettingsRepo;
  audit: AuditRepo;
  events: Pick<EventBus, 'emit'>;
  gate: WriteGate;
  connections: Connections;
}

interface Running {
  runId: number;
  profileId: number;
  startedAt: string;
  full: boolean;
  confirmDeletions: boolean;
  apis: ApiName[];
  controller: AbortController;
  progress: Map<ApiName, SyncProgress>;
  done: Promise<SyncRun>;
  /** The run's shared hold on the write gate, released before its post-sync jobs. */
  release: Release;
}

export class SyncService {
  private readonly running = new Map<number, Running>();
  private readonly listeners = new Set<AfterSyncListener>();
  private readonly runLog: RunLog;
  private tuning: SyncTuning;
  private closed = false;
  private walRuns = 0;

  constructor(
    private readonly core: SyncDeps,
    opts: SyncServiceOptions = {},
  ) {
    this.runLog = new RunLog(core.db);
    this.tuning = mergeTuning(DEFAULT_TUNING, opts.tuning);
  }

  /** The tuning in force (Connections builds clients from it). */
  currentTuning(): SyncTuning {
    return this.tuning;
  }

  /** Replace the tuning (tests, benchmark, a Settings screen). Applies to runs started after. */
  configure(tuning: DeepPartial<SyncTuning>): void {
    this.tuning = mergeTuning(this.tuning, tuning);
  }

  /**
   * Register a listener called after every run (ok, partial, failed or cancelled) once its
   * rows are committed, before `sync.finished` is emitted. Errors are logged, not propagated.
   * Returns the unsubscribe function.
   */
  onAfterSync(listener: AfterSyncListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ------------------------------------------------------------------ settings

  settings(profileId: number): SyncSettings {
    this.requireProfile(profileId);
    return this.core.settings.get(profileId, SYNC_SETTINGS_KEY, SyncSettings.default(SyncSettings.parse({})));
  }

  saveSettings(profileId: number, settings: SyncSettings): SyncSettings {
    this.requireProfile(profileId);
    const parsed = SyncSettings.parse(settings);
    this.core.settings.set(profileId, SYNC_SETTINGS_KEY, parsed);
    this.core.audit.record({ profileId, action: 'sync.settings', subjectType: 'profile', subjectId: String(profileId), detail: parsed });
    return parsed;
  }

  // ------------------------------------------------------------------ queries

  status(profileId: number): SyncStatus {
    this.requireProfile(profileId);
    const r = this.running.get(profileId);
    let running: SyncStatus['running'] = null;
    if (r?.runId) {
      running = { runId: r.runId, startedAt: r.startedAt, full: r.full, apis: r.apis, progress: [...r.progress.values()] };
    } else {
      const other = this.runLog.activeRun(profileId, (runId) => this.runsHere(runId));
      if (other) {
        running = { runId: other.id, startedAt: other.started_at, full: other.full === 1, apis: other.apis.split(',') as ApiName[], progress: [] };
      }
    }
    const byApi = { vomo: 0, crm: 0, raise: 0 };
    for (const r of this.core.db.prepare('SELECT api, count(*) AS n FROM quarantine WHERE profile_id = ? AND resolved_at IS NULL GROUP BY api').all(profileId) as { api: ApiName; n: number }[]) {
      if (r.api in byApi) byApi[r.api] = r.n;
    }
    const open = byApi.vomo + byApi.crm + byApi.raise;
    const obs = apiObservations(this.core.db);
    const settings = this.settings(profileId);
    const dcp = new Checkpoints(this.core.db).get<DetailCheckpoint>(profileId, 'vomo', 'participations');
    const users = this.core.db.prepare('SELECT count(*) FROM vomo_users WHERE profile_id = ? AND gone_at IS NULL').pluck().get(profileId) as number;
    return {
      profileId,
      running,
      lastByApi: this.runLog.lastByApi(profileId),
      quarantineOpen: open,
      quarantineOpenByApi: byApi,
      budgets: { vomo: obs.budget(profileId, 'vomo'), crm: obs.budget(profileId, 'crm'), raise: obs.budget(profileId, 'raise') },
      resources: obs.resources(profileId),
      participations: {
        lastFullAt: dcp?.lastFullAt ?? null,
        everyDays: settings.participationRereadDays,
        due: fullRereadReason(dcp, false, settings.participationRereadDays) !== null,
        users,
      },
    };
  }

  runs(profileId: number, limit = 20): SyncRun[] {
    this.requireProfile(profileId);
    return this.runLog.list(profileId, limit);
  }

  getRun(runId: number): SyncRun | null {
    return this.runLog.get(runId);
  }

  quarantine(profileId: number, opts: { limit?: number; offset?: number; includeResolved?: boolean } = {}): QuarantinePage {
    this.requireProfile(profileId);
    const where = `profile_id = ?${opts.includeResolved ? '' : ' AND resolved_at IS NULL'}`;
    const total = this.core.db.prepare(`SELECT count(*) FROM quarantine WHERE ${where}`).pluck().get(profileId) as number;
    const rows = this.core.db
      .prepare(`SELECT * FROM quarantine WHERE ${where} ORDER BY last_seen_at DESC, id DESC LIMIT ? OFFSET ?`)
      .all(profileId, opts.limit ?? 50, opts.offset ?? 0) as {
      id: number;
      api: ApiName;
      resource: string;
      source_id: string | null;
      reason: string;
      raw_json: string;
      run_id: number | null;
      first_seen_at: string;
      last_seen_at: string;
      resolved_at: string | null;
    }[];
    return {
      total,
      items: rows.map((q) => ({
        id: q.id,
        api: q.api,
        resource: q.resource,
        sourceId: q.source_id,
        reason: q.reason,
        rawJson: q.raw_json,
        runId: q.run_id,
        firstSeenAt: q.first_seen_at,
        lastSeenAt: q.last_seen_at,
        resolvedAt: q.resolved_at,
      })),
    };
  }

  resetCheckpoints(profileId: number, apis: ApiName[] = [...API_NAMES]): void {
    this.requireProfile(profileId);
    if (this.running.has(profileId)) throw new AppError('CONFLICT', 'A sync is running for this profile; cancel it first.');
    const cps = new Checkpoints(this.core.db);
    for (const api of apis) cps.clear(profileId, api);
    this.core.audit.record({ profileId, action: 'sync.resetCheckpoints', subjectType: 'profile', subjectId: String(profileId), detail: { apis } });
  }

  // ------------------------------------------------------------------ estimate / test

  async estimate(profileId: number, req: SyncRequest = {}): Promise<SyncEstimate> {
    const profile = this.requireProfile(profileId);
    await this.core.connections.prepare(profileId);
    const apis = this.apisFor(req);
    const full = !!req.full;
    const settings = this.settings(profileId);
    const observations = apiObservations(this.core.db);
    const out: ApiEstimate[] = await Promise.all(
      apis.map(async (api): Promise<ApiEstimate> => {
        const made = await this.makeCollector(this.requireProfile(profileId), api);
        if ('skip' in made) return { ...blankEstimate(api), status: 'skipped', error: made.skip, errorCode: null };
        if ('fail' in made) return { ...blankEstimate(api), status: 'failed', error: made.fail.message, errorCode: made.fail.code };
        try {
          return await made.collector.estimate({ db: this.core.db, profileId: profile.id, full, settings, observations });
        } finally {
          made.collector.close();
          observations.flush();
        }
      }),
    );
    const secs = out.filter((e) => e.status === 'ok').map((e) => e.seconds);
    return { profileId, full, apis: out, seconds: secs.some((s) => s === null) ? null : secs.length ? Math.max(...(secs as number[])) : 0 };
  }

  /**
   * The connection check: each resource the collectors read, called once with the smallest page,
   * with the stored token. Says per resource available / not available (status) / forbidden, and
   * the rate-limit headers the server sent; what it finds is kept for the sync and the Sync view.
   */
  async testConnection(profileId: number, api: ApiName): Promise<ConnectionTestResult> {
    this.requireProfile(profileId);
    await this.core.connections.prepare(profileId);
    // A connection check answers quickly: at most one retry and 20 s per call, less if configured lower.
    const made = await this.makeCollector(this.requireProfile(profileId), api, {
      retries: Math.min(1, this.tuning.http.retries),
      timeoutMs: Math.min(20_000, this.tuning.http.timeoutMs),
    });
    const blank = { resources: [], rateLimit: null, pacing: null };
    if ('skip' in made) return { api, ok: false, code: 'BAD_INPUT', message: made.skip, ms: 0, ...blank };
    if ('fail' in made) return { api, ok: false, code: made.fail.code, message: made.fail.message, ms: 0, ...blank };
    try {
      return await checkConnection(made.collector, { db: this.core.db, profileId, observations: apiObservations(this.core.db) });
    } finally {
      made.collector.close();
      apiObservations(this.core.db).flush();
    }
  }

  // ------------------------------------------------------------------ runs

  /** Starts a run in the background and returns its id. CONFLICT if one is running for the profile. */
  async start(profileId: number, req: SyncRequest = {}): Promise<{ runId: number }> {
    const r = await this.begin(profileId, req);
    return { runId: r.runId };
  }

  /** Starts a run and waits for it to end (the CLI). */
  async run(profileId: number, req: SyncRequest = {}): Promise<SyncRun> {
    const r = await this.begin(profileId, req);
    return r.done;
  }

  /** Resolves when the profile's running run ends (immediately null when none). */
  async wait(profileId: number): Promise<SyncRun | null> {
    const r = this.running.get(profileId);
    return r?.done ?? null;
  }

  /** Stops the running sync at a page boundary. False when nothing was running here. */
  cancel(profileId: number): boolean {
    const r = this.running.get(profileId);
    if (!r?.controller) return false;
    r.controller.abort();
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.running.values()].filter((r) => r.controller);
    for (const r of all) r.controller.abort();
    await Promise.allSettled(all.map((r) => r.done));
  }

  /** Whether this process is running that run of this store (its record says 'running' until it ends). */
  private runsHere(runId: number): boolean {
    return RUNNING_IN_PROCESS.has(`${this.core.db.name}#${runId}`);
  }

  private async begin(profileId: number, req: SyncRequest): Promise<Running> {
    if (this.closed) throw new AppError('CONFLICT', 'Twofold is shutting down.');
    this.requireProfile(profileId);
    if (this.running.has(profileId)) throw new AppError('CONFLICT', 'A sync is already running for this profile.');
    // Reserve the slot before any await so two quick calls cannot both start.
    const placeholder = {} as Running;
    this.running.set(profileId, placeholder);
    let release: Release | null = null;
    try {
      const other = this.runLog.activeRun(profileId, (runId) => this.runsHere(runId));
      if (other) throw new AppError('CONFLICT', `A sync of this profile is already running in another Twofold process (${other.owner ?? 'unknown'}).`);
      await this.core.connections.prepare(profileId);
      // From here the run writes (its run row first): wait, without blocking, for a job's transaction.
      release = await this.core.gate.acquire('shared');
    } catch (err) {
      release?.();
      this.running.delete(profileId);
      throw err;
    }
    const apis = this.apisFor(req);
    const full = !!req.full;
    let runId: number;
    try {
      runId = this.runLog.create(profileId, apis, full);
    } catch (err) {
      // No room (or no permission) even for the run's record: nothing started, the store is free.
      release();
      this.running.delete(profileId);
      throw storeWriteError(err, this.core.db.name);
    }
    const controller = new AbortController();
    // Every in-flight request and retry wait listens on the run's signal (one listener each, removed
    // when it settles); a collector's concurrency alone passes Node's default of 10 listeners.
    setMaxListeners(256, controller.signal);
    const running: Running = {
      runId,
      profileId,
      startedAt: new Date().toISOString(),
      full,
      confirmDeletions: !!req.confirmDeletions,
      apis,
      controller,
      progress: new Map(),
      done: null as unknown as Promise<SyncRun>,
      release,
    };
    running.done = this.execute(running).finally(() => {
      running.release();
      if (this.running.get(profileId) === running) this.running.delete(profileId);
    });
    this.running.set(profileId, running);
    this.core.audit.record({ profileId, action: 'sync.start', subjectType: 'sync_run', subjectId: String(runId), detail: { apis, full } });
    return running;
  }

  private async execute(r: Running): Promise<SyncRun> {
    const here = `${this.core.db.name}#${r.runId}`;
    RUNNING_IN_PROCESS.add(here);
    try {
      return await this.executeRun(r);
    } finally {
      RUNNING_IN_PROCESS.delete(here);
    }
  }

  private async executeRun(r: Running): Promise<SyncRun> {
    const { profileId, runId } = r;
    const beat = setInterval(() => {
      try {
        this.runLog.heartbeat(runId);
      } catch {
        /* the database may be closing */
      }
    }, HEARTBEAT_MS);
    beat.unref?.();
    const walBefore = this.raiseWalThreshold();
    let beating = true;
    const stopBeat = () => {
      if (!beating) return;
      beating = false;
      clearInterval(beat);
      this.restoreWalThreshold(walBefore);
    };
    try {
      const quarantine = new QuarantineWriter(this.core.db, profileId, runId);
      const checkpoints = new Checkpoints(this.core.db);
      // Settled, not raced: a collector whose own record fails must not leave the others writing
      // after the run has let go of the store.
      const settled = await Promise.allSettled(
        r.apis.map(async (api): Promise<[ApiName, CollectorResult]> => {
          const started = Date.now();
          const progress = new ProgressReporter(profileId, runId, api, (p) => {
            r.progress.set(api, p);
            this.core.events.emit('sync.progress', p);
          }, this.tuning.progressIntervalMs);
          let result: CollectorResult;
          const profile = this.requireProfile(profileId);
          const made = await this.makeCollector(profile, api).catch((err) => ({ fail: toAppError(err) }));
          if ('skip' in made) {
            result = blankResult('skipped', null, made.skip);
            progress.finish('skipped', made.skip);
          } else if ('fail' in made) {
            result = blankResult('failed', made.fail.code, made.fail.message);
            progress.finish('failed', made.fail.message);
          } else {
            const c = made.collector;
            const settings = this.settings(profileId);
            const observations = apiObservations(this.core.db);
            try {
              progress.update({ phase: 'estimating' }, true);
              const estimate = await c.estimate({ db: this.core.db, profileId, full: r.full, signal: r.controller.signal, settings, observations });
              this.runLog.saveEstimate(runId, api, estimate);
              if (estimate.status === 'failed') {
                // The probe already retried: the API is refusing us or is down. Fail here, not twice.
                throw new AppError(estimate.errorCode ?? 'REMOTE_ERROR', estimate.error ?? `${API_LABELS[api]} could not be read`);
              }
              if (estimate.budgetRemaining !== null) progress.budget(estimate.budgetRemaining);
              this.core.events.emit('sync.estimated', { profileId, runId, estimate });
              const valve = DeletionValve.from(settings, r.confirmDeletions);
              result = await c.run(
                { db: this.core.db, profileId, runId, full: r.full, signal: r.controller.signal, progress, quarantine, checkpoints, runLog: this.runLog, valve, settings, observations },
                estimate.status === 'ok' ? estimate : null,
              );
              // Everything read is kept; only the marking waits for the steward. The collector fails
              // so the CLI exits non-zero and a CRM+ push refuses until a sync confirms or clears it.
              const held = valve.error(API_LABELS[api]);
              if (held) {
                result = { ...result, status: 'failed', errorCode: held.code, error: held.message };
                log.warn(`sync ${API_LABELS[api]} held deletions`, { runId, holds: valve.holds });
                progress.finish('failed', held.message);
              } else progress.finish('done');
            } catch (err) {
              // A store that refused the write (read-only, its disk full) is said as such, naming the file.
              const e = toAppError(storeWriteError(err, this.core.db.name));
              const cancelled = e.code === 'CANCELLED' || r.controller.signal.aborted;
              result = blankResult(cancelled ? 'cancelled' : 'failed', cancelled ? 'CANCELLED' : e.code, cancelled ? 'Cancelled; what was committed is kept.' : e.message);
              // Keep the counts of what was committed before the failure.
              const t = c.tally();
              result.pages = t.pages;
              result.records = t.records;
              result.entities = t.entities;
              result.estimate = c.lastEstimate();
              if (!cancelled) log.warn(`sync ${API_LABELS[api]} failed`, { runId, code: e.code, message: e.message });
              progress.finish(cancelled ? 'cancelled' : 'failed', result.error);
            } finally {
              c.close();
              observations.flush();
            }
          }
          this.runLog.finishCollector(runId, api, result, started);
          return [api, result];
        }),
      );
      stopBeat();
      const failed = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected');
      if (failed) throw failed.reason;
      const results = settled.map((x) => (x as PromiseFulfilledResult<[ApiName, CollectorResult]>).value);
      const statuses = results.map(([, x]) => x.status);
      const ran = statuses.filter((s) => s !== 'skipped');
      let status: string;
      if (r.controller.signal.aborted || statuses.includes('cancelled')) status = 'cancelled';
      else if (ran.length === 0 || ran.every((s) => s === 'ok')) status = 'ok';
      else if (ran.some((s) => s === 'ok')) status = 'partial';
      else status = 'failed';
      const summary = Object.fromEntries(results.map(([api, x]) => [api, { status: x.status, records: x.records, error: x.error, unavailable: (x.unavailable ?? []).map((u) => u.resource) }]));
      this.runLog.finishRun(runId, status, summary);
      this.core.audit.record({ profileId, action: 'sync.finish', subjectType: 'sync_run', subjectId: String(runId), detail: { status } });
      // The run's own writes are done; its follow-up jobs need the gate for themselves.
      r.release();
      for (const l of [...this.listeners]) {
        try {
          await l(profileId, runId);
        } catch (err) {
          log.error('a post-sync listener failed', { runId, error: err });
        }
      }
      this.core.events.emit('sync.finished', { profileId, runId, status });
      this.core.events.emit('data.changed', { profileId, scope: 'mirrors' });
      return this.runLog.get(runId)!;
    } catch (err) {
      // The run's own bookkeeping failed (its store refused the write: a full disk, a read-only
      // file). Without this the heartbeat went on and the run stayed 'running' for this process's
      // life, refusing every later sync of the profile; closing it may fail the same way, and a
      // later start then closes it as interrupted once its heartbeat is stale.
      stopBeat();
      try {
        this.runLog.closeInterrupted(runId, 'its record could not be written');
      } catch {
        /* the store still refuses writes */
      }
      throw storeWriteError(err, this.core.db.name);
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Raises the WAL auto-checkpoint threshold for the run (shared by concurrent runs). */
  private raiseWalThreshold(): number | null {
    try {
      const before = this.core.db.pragma('wal_autocheckpoint', { simple: true }) as number;
      this.walRuns++;
      if (this.tuning.walAutocheckpointPages > before) this.core.db.pragma(`wal_autocheckpoint = ${Math.floor(this.tuning.walAutocheckpointPages)}`);
      return this.walRuns === 1 ? before : null;
    } catch {
      return null;
    }
  }

  private restoreWalThreshold(before: number | null): void {
    this.walRuns = Math.max(0, this.walRuns - 1);
    if (this.walRuns > 0) return;
    try {
      this.core.db.pragma(`wal_autocheckpoint = ${before ?? 1000}`);
      this.core.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      /* the database may be closing */
    }
  }

  private requireProfile(profileId: number): ProfileRow {
    const p = this.core.profiles.get(profileId);
    if (!p) throw new AppError('NOT_FOUND', `There is no profile with id ${profileId}.`);
    return p;
  }

  private apisFor(req: SyncRequest): ApiName[] {
    const want = req.apis && req.apis.length ? req.apis : [...API_NAMES];
    return API_NAMES.filter((a) => want.includes(a));
  }

  private async makeCollector(
    profile: ProfileRow,
    api: ApiName,
    http: Partial<SyncTuning['http']> = {},
  ): Promise<{ collector: Collector } | { skip: string } | { fail: AppError }> {
    const c = await this.core.connections.open(profile.id, api, http);
    if (!c.ok) return c.skip ? { skip: c.error.message } : { fail: c.error };
    if (c.api === 'vomo') return { collector: new VomoCollector(c.options, c.tuning.vomo) };
    if (c.api === 'crm') return { collector: new CrmCollector(c.options, c.tuning.crm) };
    return { collector: new RaiseCollector(c.options, c.tuning.raise) };
  }
}

function blankEstimate(api: ApiName): ApiEstimate {
  return { api, status: 'ok', resources: [], calls: null, seconds: null, rateLimit: null, budgetRemaining: null, probeCalls: 0, error: null, errorCode: null };
}

function blankResult(status: CollectorResult['status'], code: string | null, message: string | null): CollectorResult {
  return { status, pages: 0, records: 0, entities: {}, errorCode: code, error: message, budgetRemaining: null, budgetResetAt: null, estimate: null, unavailable: [] };
}

/**
 * The runs this process is executing, by store file and run id, across every core in it: a run
 * owned by this process and not in here is over, whatever its record says. (Per JavaScript
 * thread, as modules are: a process holds one core, in its backend thread or utility process; the
 * job worker runs no syncs.)
 */
const RUNNING_IN_PROCESS = new Set<string>();

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const msg = (err as Error)?.message ?? String(err);
  log.error('sync: unexpected error', { error: err });
  return new AppError('INTERNAL' as ErrorCode, `Unexpected error: ${msg.split('\n')[0].slice(0, 200)}`);
}
