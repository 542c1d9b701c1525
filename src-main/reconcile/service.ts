/**
 * The reconciliation run: store vs APIs (with the targeted re-sync), the IDs-only deletion
 * sweep, Raise → CRM+ over the mirrors, the observed lag, and the stored report.
 *
 * Rules: one run per profile at a time; a run is judged "as of" one reference time, chosen
 * once and stored with its settings; an API that cannot be read is a note in the report, not a
 * failed run; the report never toggles campaign sync, it only says what sync-off held back.
 */
import { setMaxListeners } from 'node:events';
import { API_LABELS, resourceWords } from '../../src-shared/domain/apis';
import { fmtDay } from '../../src-shared/format';
import type { Db } from '../store/db';
import type { ProfilesRepo } from '../store/repos/profiles';
import type { SettingsRepo } from '../store/repos/settings';
import type { AuditRepo } from '../store/repos/audit';
import type { EventBus } from '../core/events';
import type { SandboxClock } from '../sandboxRuntime/clock';
import { AppError } from '../../src-shared/errors';
import { KIND_GROUP, type FindingKind, type RunInfo, type RunSettings, type RunSummary } from '../../src-shared/domain/reconcile';
import { getReconcileSettings } from './settings';
import { dayBefore, resolveAsOf } from './clock';
import { RunsRepo } from './runs';
import { PersonLookup } from './people';
import { reconcileRaiseCrm } from './raiseCrm';
import { lagStats } from './lag';
import { partnerFigures } from './partners';
import { goneFindings } from './gone';
import { checkStoreVsApi, sweepResource } from './storeVsApi';
import type { FindingDraft } from './types';
import type { ApiSources, SourcesFactory } from './sourceTypes';

export interface ReconcileDeps {
  db: Db;
  profiles: Pick<ProfilesRepo, 'get'>;
  settings: SettingsRepo;
  audit: AuditRepo;
  events: Pick<EventBus, 'emit'>;
  clock: SandboxClock;
}

export interface RunInput {
  profileId: number;
  /** YYYY-MM-DD (or an ISO instant): re-read records changed since then. Default: yesterday. */
  since?: string | null;
  lagHours?: number | null;
  asOf?: string | null;
  checkApis?: boolean;
  sweep?: boolean;
  resync?: boolean;
  signal?: AbortSignal;
  /** Step progress for the job queue (task.progress events go out either way). */
  onProgress?(step: string, done: number, total: number | null, message: string | null): void;
}

export class ReconcileService {
  readonly runs: RunsRepo;
  private readonly active = new Set<number>();
  private readonly controllers = new Map<number, AbortController>();
  /** The settings of each profile's last run, to record it as failed after its job rolled it back. */
  private readonly lastSettings = new Map<number, { asOf: string; settings: RunSettings }>();

  constructor(
    private readonly core: ReconcileDeps,
    private readonly sources: SourcesFactory | null,
  ) {
    this.runs = new RunsRepo(core.db);
  }

  private personsMissing(profileId: number): boolean {
    const db = this.core.db;
    if (db.prepare('SELECT 1 FROM persons WHERE profile_id = ? LIMIT 1').pluck().get(profileId) !== undefined) return false;
    return db.prepare('SELECT 1 FROM raise_donors WHERE profile_id = ? UNION ALL SELECT 1 FROM vomo_users WHERE profile_id = ? UNION ALL SELECT 1 FROM crm_contacts WHERE profile_id = ? LIMIT 1').pluck().get(profileId, profileId, profileId) !== undefined;
  }

  /** A run that failed inside a transaction its job rolled back is still listed, as failed. */
  recordFailure(profileId: number, message: string): void {
    const last = this.lastSettings.get(profileId);
    if (!last) return;
    this.runs.fail(this.runs.start(profileId, last.asOf, last.settings), message);
  }

  isRunning(profileId: number): boolean {
    return this.active.has(profileId);
  }

  /** Stops the profile's running reconciliation at its next step; false when none runs. */
  cancel(profileId: number): boolean {
    const c = this.controllers.get(profileId);
    if (!c) return false;
    c.abort();
    return true;
  }

  async run(input: RunInput): Promise<RunInfo> {
    const { core } = this;
    const profileId = input.profileId;
    if (!core.profiles.get(profileId)) throw new AppError('NOT_FOUND', `There is no profile with id ${profileId}.`);
    if (this.active.has(profileId)) throw new AppError('CONFLICT', 'A reconciliation of this organization is already running.');
    this.active.add(profileId);
    const controller = new AbortController();
    this.controllers.set(profileId, controller);
    const signal = input.signal ? AbortSignal.any([input.signal, controller.signal]) : controller.signal;
    setMaxListeners(256, signal);
    input = { ...input, signal };
    // Between steps: a cancelled run ends here, recorded as failed with the reason.
    const stopIfCancelled = () => {
      if (signal.aborted) throw new AppError('CANCELLED', 'Reconciliation cancelled: this run was not finished; the previous runs are unchanged.');
    };
    this.runs.abandonRunning(profileId);
    const progress = (step: string, current: number, total: number | null, message: string | null = null, done = false) => {
      core.events.emit('task.progress', { profileId, task: 'reconcile', step, current, total, done, message });
      if (!done) {
        // A cancelled run stops at the next step; what it wrote is rolled back by its job.
        if (input.signal?.aborted) throw new AppError('CANCELLED', 'The reconciliation was cancelled.');
        input.onProgress?.(step, current, total, message);
      }
    };
    let runId: number | null = null;
    let sources: ApiSources | null = null;
    try {
      const saved = getReconcileSettings(core, profileId);
      const wantApis = (input.checkApis ?? true) || (input.sweep ?? true);
      const notes: string[] = [];
      // Connect first: a sandbox profile's servers start here, and their clock is the reference.
      if (wantApis && this.sources) {
        progress('connect', 0, null, 'Connecting to the APIs');
        sources = await this.sources(profileId).catch((err) => {
          notes.push(`The APIs could not be prepared: ${(err as Error).message}`);
          return null;
        });
      }
      const { asOf, source } = await resolveAsOf(core, profileId, input.asOf);
      const since = normalizeSince(input.since) ?? dayBefore(asOf, saved.sinceDays);
      const settings: RunSettings = {
        since,
        lagHours: input.lagHours ?? saved.lagHours,
        dateToleranceDays: saved.dateToleranceDays,
        asOf,
        asOfSource: source,
        checkApis: input.checkApis ?? true,
        sweep: input.sweep ?? true,
        resync: input.resync ?? true,
      };
      this.lastSettings.set(profileId, { asOf, settings });
      runId = this.runs.start(profileId, asOf, settings);
      const findings: FindingDraft[] = [];
      const apiChecks: RunSummary['apiChecks'] = [];
      const sweeps: RunSummary['sweeps'] = [];
      const markedNow = new Set<string>();
      let partial = false;

      if (wantApis) {
        if (!sources) notes.push('The store was not compared with the APIs (no connection available); the Raise → CRM+ checks below use the store as it is.');
        for (const a of sources?.apis ?? []) {
          if (a.unavailable) {
            notes.push(a.unavailable);
            partial = true;
          }
        }
      }

      const resources = sources?.apis.flatMap((a) => (a.unavailable ? [] : a.resources)) ?? [];
      if (settings.checkApis && sources) {
        const changed: { api: (typeof resources)[number]['api']; resource: string; ids: string[] }[] = [];
        for (const [i, src] of resources.entries()) {
          stopIfCancelled();
          progress('store-vs-api', i, resources.length, `Re-reading ${API_LABELS[src.api]} ${resourceWords(src.resource)} changed since ${fmtDay(since)}`);
          const out = await checkStoreVsApi(core.db, profileId, src, {
            since: sinceInstant(since),
            resync: settings.resync,
            signal: input.signal,
          });
          apiChecks.push(out.check);
          findings.push(...out.findings);
          if (out.check.status === 'failed' || out.check.message) {
            partial = true;
            if (out.check.message) notes.push(out.check.message);
          }
          if (out.resynced.length) changed.push({ api: src.api, resource: src.resource, ids: out.resynced });
        }
        if (changed.length) {
          core.events.emit('data.changed', { profileId, scope: 'mirrors' });
          await sources.afterResync?.(changed).catch((err) => notes.push(`The person store was not refreshed after the re-sync: ${(err as Error).message}`));
        }
      }

      if (settings.sweep && sources) {
        for (const [i, src] of resources.entries()) {
          stopIfCancelled();
          progress('sweep', i, resources.length, `Checking which ${API_LABELS[src.api]} ${resourceWords(src.resource)} still exist`);
          const check = await sweepResource(core.db, profileId, src, { now: new Date().toISOString(), signal: input.signal, markedNow });
          sweeps.push(check);
          if (check.status === 'failed') {
            partial = true;
            if (check.message) notes.push(check.message);
          }
        }
        if (markedNow.size) core.events.emit('data.changed', { profileId, scope: 'mirrors' });
      }

      progress('raise-crm', 0, null, 'Matching Raise with CRM+');
      const rc = reconcileRaiseCrm(core.db, { profileId, asOf, lagHours: settings.lagHours, dateToleranceDays: settings.dateToleranceDays });
      stopIfCancelled();
      findings.push(...rc.findings);
      notes.push(...rc.notes);
      findings.push(...goneFindings(core.db, profileId, markedNow));

      // Drill-down needs the person store; a store never built (no join ran yet) is built now.
      if (sources?.ensurePersons && this.personsMissing(profileId)) {
        progress('persons', 0, null, 'Building the person store for drill-down');
        await sources.ensurePersons().catch((err) => notes.push(`The person store could not be built: ${(err as Error).message}`));
      }
      const people = new PersonLookup(core.db, profileId);
      for (const f of findings) f.personId ??= people.first(f.personRefs);

      progress('save', 0, null, 'Saving the report');
      const byKind: Record<string, number> = {};
      const byGroup: Record<string, number> = {};
      const subjects = new Set<string>();
      for (const f of findings) {
        if (subjects.has(f.subject)) continue;
        subjects.add(f.subject);
        byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
        byGroup[KIND_GROUP[f.kind as FindingKind]] = (byGroup[KIND_GROUP[f.kind as FindingKind]] ?? 0) + 1;
      }
      const summary: RunSummary = {
        byKind,
        byGroup,
        total: subjects.size,
        raise: rc.counts,
        campaignsSyncOff: rc.campaignsSyncOff,
        lag: lagStats(core.db, profileId, settings.lagHours),
        partners: partnerFigures(core.db, profileId),
        apiChecks,
        sweeps,
        notes,
      };
      this.runs.finish(runId, partial ? 'partial' : 'ok', findings, summary);
      core.audit.record({ profileId, action: 'reconcile.run', subjectType: 'reconcile_run', subjectId: String(runId), detail: { settings, total: summary.total } });
      core.events.emit('data.changed', { profileId, scope: 'reconcile' });
      progress('done', 1, 1, `${summary.total} findings`, true);
      return this.runs.get(runId)!;
    } catch (err) {
      const e = signal.aborted && !(err instanceof AppError && err.code === 'CANCELLED') ? new AppError('CANCELLED', 'Reconciliation cancelled: this run was not finished; the previous runs are unchanged.') : err;
      if (runId !== null) this.runs.fail(runId, (e as Error).message);
      progress('failed', 0, null, (e as Error).message, true);
      throw e;
    } finally {
      sources?.close();
      this.active.delete(profileId);
      this.controllers.delete(profileId);
    }
  }
}

/** Accepts YYYY-MM-DD or an ISO instant; returns YYYY-MM-DD or the instant as given (UTC). */
function normalizeSince(since: string | null | undefined): string | null {
  if (!since) return null;
  const s = since.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw new AppError('BAD_INPUT', `"${since}" is not a date (use YYYY-MM-DD).`);
  return new Date(t).toISOString();
}

function sinceInstant(since: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(since) ? `${since}T00:00:00.000Z` : since;
}
