/**
 * "Add to CRM+" for one core: preview → submit → confirm, shared by the IPC handlers, the CLI
 * and the tests.
 *
 * Rules: nothing is written to CRM+ by a preview (only lookups); one push action per profile at
 * a time; the CRM+ token is read from the keychain here, in the main process, for one action,
 * and lives only in that action's client; every preview, submission, link and confirmation is
 * in audit_log; progress goes out as `task.progress` (task 'crm_push'), changes as
 * `data.changed` (scope 'crmPush'). The reference clock (submission times, the follow-up
 * window) is injectable, and for a sandbox profile it is the sandbox's own clock.
 */
import type { Db } from '../store/db';
import type { ProfilesRepo } from '../store/repos/profiles';
import type { SettingsRepo } from '../store/repos/settings';
import type { AuditRepo } from '../store/repos/audit';
import type { EventBus } from '../core/events';
import type { Connections } from '../connections/connections';
import type { SandboxClock } from '../sandboxRuntime/clock';
import type { InsightsService } from '../insights/service';
import { AppError } from '../../src-shared/errors';
import {
  PUSH_REFERENCE_SOURCE,
  PushSettings,
  type PushCheckResult,
  type PushCounts,
  type PushPreview,
  type PushPreviewItem,
  type PushSubmissionPage,
  type PushSubmissionStatus,
  type PushSubmitResult,
} from '../../src-shared/domain/crmPush';
import type { ListFilters, ListName } from '../../src-shared/domain/insights';
import { defaultActor } from '../store/repos/audit';
import { lastCollector } from '../store/repos/syncHealth';
import { PushApi } from './crmApi';
import type { CrmClientOptions } from '../connectors/crm/client';
import { SubmissionsRepo, toSubmission } from './submissions';
import { listPersonIds, loadPersons } from './people';
import { localClassification, lookupPerson, type ContactFinder } from './lookup';
import { MirrorMatcher, type Delta } from './mirrorMatch';
import { apiObservations } from '../store/repos/apiObservations';
import { submitBatch, createImmediately, type SubmitHooks, type SubmitContext } from './submit';
import { checkPending } from './confirm';
import { linkIntoJoin } from './link';

export const PUSH_SETTINGS_KEY = 'crmPush';
/** Persons looked up in one preview at most (each costs up to two CRM+ calls). */
export const MAX_PREVIEW_PERSONS = 1000;

export interface PushServiceOptions {
  fetch?: typeof fetch;
  /** The reference clock; default: the sandbox clock for a sandbox profile, else the wall clock. */
  now?: () => Date | Promise<Date>;
  /** Client tuning (tests: short retry delays). */
  client?: Partial<Omit<CrmClientOptions, 'baseUrl' | 'token' | 'fetch'>>;
  hooks?: SubmitHooks;
}

export interface PushDeps {
  db: Db;
  profiles: Pick<ProfilesRepo, 'get'>;
  settings: SettingsRepo;
  audit: AuditRepo;
  events: Pick<EventBus, 'emit'>;
  connections: Connections;
  clock: SandboxClock;
  insights: Pick<InsightsService, 'allRows'>;
}

export interface PreviewInput {
  profileId: number;
  list?: ListName;
  personIds?: string[];
  filters?: ListFilters;
  search?: string;
  max?: number;
  signal?: AbortSignal;
}

export class PushService {
  readonly repo: SubmissionsRepo;
  private readonly busy = new Set<number>();
  private readonly previews = new Map<number, AbortController>();

  constructor(
    private readonly core: PushDeps,
    private readonly opts: PushServiceOptions = {},
  ) {
    this.repo = new SubmissionsRepo(core.db, core.audit);
  }

  settings(profileId: number): PushSettings {
    return this.core.settings.get(profileId, PUSH_SETTINGS_KEY, PushSettings);
  }

  // ------------------------------------------------------------------ preview

  /**
   * The preview: every person settled against what Twofold knows first (its own submissions, then
   * the local CRM+ mirror and the contacts changed in CRM+ since it synced, one query for all of
   * them), CRM+ asked per person only when the mirror was never filled. The request count is
   * announced (task.progress, step 'plan') before any request is spent; `cancelPreview` stops it.
   */
  async preview(input: PreviewInput): Promise<PushPreview> {
    const profile = this.requireProfile(input.profileId);
    let personIds: string[];
    let truncated = false;
    const max = Math.min(input.max ?? MAX_PREVIEW_PERSONS, MAX_PREVIEW_PERSONS);
    if (input.personIds?.length) personIds = [...new Set(input.personIds)];
    else if (input.list) ({ ids: personIds, truncated } = await listPersonIds(this.core.insights, profile.id, input.list, { filters: input.filters, search: input.search, max }));
    else throw new AppError('BAD_INPUT', 'Choose a list or some people to add to CRM+.');
    if (personIds.length > max) throw new AppError('BAD_INPUT', `At most ${max} people can be added to CRM+ at once; narrow the selection.`);
    const persons = loadPersons(this.core.db, profile.id, personIds);
    const settings = this.settings(profile.id);
    const existing = this.repo.byReferenceIds(
      profile.id,
      PUSH_REFERENCE_SOURCE,
      persons.map((p) => p.vomoUserId?.trim()).filter((x): x is string => !!x),
    );
    const existingOf = (p: (typeof persons)[number]) => (p.vomoUserId ? existing.get(p.vomoUserId.trim()) : undefined);
    return this.exclusive(profile.id, async () => {
      const controller = new AbortController();
      const onAbort = () => controller.abort();
      input.signal?.addEventListener('abort', onAbort, { once: true });
      this.previews.set(profile.id, controller);
      const signal = controller.signal;
      const matcher = new MirrorMatcher(this.core.db, profile.id);
      const basis = matcher.basis();
      const remote = persons.filter((p) => !localClassification(p, existingOf(p))).length;
      let delta: Delta | null = basis ? matcher.cachedDelta(settings.lookupMaxAgeMinutes * 60_000) : null;
      // With a mirror: one page of "changed since it synced" unless a fresh answer is kept.
      // Without: up to two Find calls per person (by reference, then by email).
      let announced = remote === 0 ? 0 : basis ? (delta ? 0 : 1) : remote * 2;
      const announce = (why: string) =>
        this.progress(profile.id, 'plan', 0, persons.length, `${why} ${this.budgetWords(profile.id)}`.trim());
      announce(
        basis
          ? `${persons.length - remote} of ${persons.length} people are settled by Twofold's own records; the rest against the local CRM+ copy${announced ? ` and ${announced} request${announced === 1 ? '' : 's'} to CRM+ for the contacts changed since its last sync` : ' (no request to CRM+ needed)'}.`
          : `CRM+ has not been synced yet: up to ${announced} request${announced === 1 ? '' : 's'} to CRM+ (by reference, then by email, per person).`,
      );
      let api: PushApi | null = null;
      try {
        if (announced > 0) api = await this.api(profile.id);
        if (basis && !delta && remote > 0) {
          delta = await matcher.fetchDelta(api!.client, signal, (pages) => {
            if (pages > announced) {
              announced = pages;
              announce(`More contacts changed in CRM+ since its last sync than one page holds: ${pages} requests to CRM+ in all.`);
            }
          });
        }
        matcher.useDelta(delta);
        const finder: ContactFinder = basis
          ? { findByReference: async (s, id) => matcher.byReference(s, id), findByEmail: async (e) => matcher.byEmail(e) }
          : api!;
        const items: PushPreviewItem[] = [];
        let i = 0;
        for (const p of persons) {
          if (signal.aborted) throw new AppError('CANCELLED', 'The preview was cancelled; nothing was sent.');
          this.progress(profile.id, 'preview', i++, persons.length, p.displayName);
          items.push(await lookupPerson(finder, p, settings, existingOf(p), signal));
        }
        const spent = api?.client.calls ?? 0;
        this.progress(profile.id, 'preview', persons.length, persons.length, 'done', true);
        const counts = countItems(items);
        const batch = this.repo.createBatch(profile.id, input.list ?? null, personIds, items, counts, defaultActor());
        apiObservations(this.core.db).flush();
        const b = apiObservations(this.core.db).budget(profile.id, 'crm');
        return {
          batchId: batch.id,
          profileId: profile.id,
          list: batch.list_name,
          createdAt: batch.created_at,
          items,
          truncated,
          counts,
          callsNeeded: counts.new,
          budget: { limit: b?.limit ?? null, remaining: b?.remaining ?? null, resetAt: b?.resetAt ?? null, observedAt: b?.observedAt ?? null },
          lookup: basis ? 'mirror' : 'live',
          settledLocally: basis ? persons.length : persons.length - remote,
          requestsAnnounced: announced,
          requestsSpent: spent,
        };
      } catch (err) {
        const e = signal.aborted ? new AppError('CANCELLED', 'The preview was cancelled; nothing was sent.') : err;
        this.progress(profile.id, 'preview', 0, persons.length, (e as Error).message, true);
        throw e;
      } finally {
        input.signal?.removeEventListener('abort', onAbort);
        this.previews.delete(profile.id);
        api?.close();
      }
    });
  }

  /** Stops a running preview (nothing is ever written to CRM+ by one). False when none runs. */
  cancelPreview(profileId: number): boolean {
    const c = this.previews.get(profileId);
    if (!c) return false;
    c.abort();
    return true;
  }

  /** The one CRM+ budget figure, in words, for the announcement. */
  private budgetWords(profileId: number): string {
    const b = apiObservations(this.core.db).budget(profileId, 'crm');
    if (!b || b.remaining === null) return '';
    return `CRM+ budget: ${b.remaining.toLocaleString('en-US')}${b.limit !== null ? ` of ${b.limit.toLocaleString('en-US')}` : ''} left this hour (as of ${b.observedAt.slice(11, 16)} UTC).`;
  }

  // ------------------------------------------------------------------ submit

  async submit(input: { profileId: number; batchId: number; personIds?: string[]; immediatePersonId?: string }): Promise<PushSubmitResult> {
    const profile = this.requireProfile(input.profileId);
    this.assertCrmMirrorTrusted(profile.id);
    const batch = this.repo.batch(profile.id, input.batchId);
    if (!batch) throw new AppError('NOT_FOUND', `There is no preview ${input.batchId} for this profile; preview again.`);
    let items = this.repo.batchItems(batch);
    if (input.personIds?.length) {
      const want = new Set(input.personIds);
      items = items.filter((it) => want.has(it.personId));
    }
    if (input.immediatePersonId !== undefined) {
      const item = items.find((it) => it.personId === input.immediatePersonId);
      if (!item) throw new AppError('NOT_FOUND', `Person ${input.immediatePersonId} is not in preview ${batch.id}.`);
      if (!item.body || !item.vomoUserId) throw new AppError('BAD_INPUT', `${item.name} cannot be created: ${item.reason}`);
    }
    return this.exclusive(profile.id, async () => {
      const api = await this.api(profile.id);
      const ctx = this.context(profile.id, api, 'submit');
      this.repo.setBatchStatus(profile.id, batch.id, 'submitting');
      let result: PushSubmitResult;
      try {
        if (input.immediatePersonId !== undefined) {
          const item = items.find((it) => it.personId === input.immediatePersonId)!;
          this.core.audit.record({ profileId: profile.id, action: 'crm_push.create_now', subjectType: 'person', subjectId: item.personId, detail: { batchId: batch.id, referenceId: item.vomoUserId } });
          result = await createImmediately(ctx, batch, item, item.body!);
        } else {
          result = await submitBatch(ctx, batch, items);
        }
      } catch (err) {
        this.repo.setBatchStatus(profile.id, batch.id, 'stopped', { error: (err as Error).message });
        this.progress(profile.id, 'submit', 0, null, (err as Error).message, true);
        throw err;
      } finally {
        api.close();
        this.core.events.emit('data.changed', { profileId: profile.id, scope: 'crmPush' });
      }
      this.repo.setBatchStatus(profile.id, batch.id, result.stopped ? 'stopped' : 'done', result);
      this.core.audit.record({ profileId: profile.id, action: 'crm_push.batch', subjectType: 'crm_push_batch', subjectId: String(batch.id), detail: result });
      this.progress(profile.id, 'submit', 1, 1, result.stopped?.message ?? 'done', true);
      return result;
    });
  }

  // ------------------------------------------------------------------ confirm

  /** "Check pending" (manual: every waiting row) or the pass after a sync (polite interval). */
  async checkPending(input: { profileId: number; manual?: boolean }): Promise<PushCheckResult> {
    const profile = this.requireProfile(input.profileId);
    if (this.repo.awaiting(profile.id).length === 0) return { checked: 0, confirmed: 0, stillPending: 0, needsFollowup: 0, notDue: 0, stopped: null };
    return this.exclusive(profile.id, async () => {
      const api = await this.api(profile.id);
      try {
        const ctx = this.context(profile.id, api, 'confirm');
        const result = await checkPending(
          { ...ctx, onConfirmed: (c) => ctx.onLinked?.(c) },
          { manual: input.manual ?? true },
        );
        this.core.audit.record({ profileId: profile.id, action: 'crm_push.check', subjectType: 'profile', subjectId: String(profile.id), detail: { ...result, manual: input.manual ?? true } });
        return result;
      } finally {
        api.close();
        this.core.events.emit('data.changed', { profileId: profile.id, scope: 'crmPush' });
      }
    });
  }

  submissions(input: { profileId: number; status?: PushSubmissionStatus | 'waiting'; offset: number; limit: number }): PushSubmissionPage {
    this.requireProfile(input.profileId);
    const page = this.repo.list(input.profileId, input);
    return { rows: page.rows.map(toSubmission), total: page.total, counts: page.counts };
  }

  // ------------------------------------------------------------------ plumbing

  private context(profileId: number, api: PushApi, step: string): SubmitContext {
    return {
      profileId,
      api,
      repo: this.repo,
      settings: this.settings(profileId),
      now: () => this.referenceNow(profileId),
      progress: (c, t, m) => this.progress(profileId, step, c, t, m),
      onLinked: (c) => {
        try {
          const how = linkIntoJoin(this.core.db, profileId, c);
          if (how === 'decision') {
            this.core.audit.record({ profileId, action: 'crm_push.link_decision', subjectType: 'vomo_user', subjectId: c.vomoUserId, detail: { contactId: c.contactId, individualId: c.individualId } });
          }
        } catch (err) {
          // The submission row keeps the link either way; the join can be told later.
          this.progress(profileId, step, 0, null, `Could not record the link for the join: ${(err as Error).message}`);
        }
      },
      hooks: this.opts.hooks,
    };
  }

  /**
   * Contacts are created for volunteers the CRM+ mirror does not know. A mirror that a failed
   * CRM+ sync left half-read, or whose full sync stopped at the deletion valve, may be missing
   * contacts CRM+ has: sending then would create duplicates in the organization's CRM.
   */
  private assertCrmMirrorTrusted(profileId: number): void {
    const last = lastCollector(this.core.db, profileId, 'crm');
    // Never synced: the preview's live lookups are all there is to go on, and they ran.
    if (!last) return;
    if (last.status === 'running') throw new AppError('CONFLICT', 'A CRM+ sync is running: wait for it to finish, then add the people to CRM+.');
    if (last.errorCode === 'DELETIONS_HELD') {
      throw new AppError(
        'CONFLICT',
        `Nothing was sent: the last CRM+ sync stopped before marking many contacts deleted (${last.error ?? ''}). Until a sync settles that, Twofold could create duplicates of contacts CRM+ still has.`,
      );
    }
    if (last.status === 'failed' || last.status === 'cancelled') {
      throw new AppError(
        'CONFLICT',
        `Nothing was sent: the last CRM+ sync ${last.status === 'failed' ? `failed (${last.error ?? 'unknown error'})` : 'was cancelled'}. Sync CRM+ again first, so Twofold does not create duplicates of contacts it could not read.`,
      );
    }
  }

  private requireProfile(profileId: number) {
    const p = this.core.profiles.get(profileId);
    if (!p) throw new AppError('NOT_FOUND', `There is no profile with id ${profileId}.`);
    return p;
  }

  private async exclusive<T>(profileId: number, fn: () => Promise<T>): Promise<T> {
    if (this.busy.has(profileId)) throw new AppError('CONFLICT', 'An "Add to CRM+" action is already running for this profile; wait for it to finish.');
    this.busy.add(profileId);
    try {
      return await fn();
    } finally {
      this.busy.delete(profileId);
    }
  }

  private async api(profileId: number): Promise<PushApi> {
    const c = await this.core.connections.open(profileId, 'crm');
    if (!c.ok) throw c.error;
    const settings = this.settings(profileId);
    return new PushApi({
      ...c.options,
      fetch: this.opts.fetch,
      reserve: settings.budgetReserve,
      ...this.opts.client,
      onWait: (ms, reason) => this.progress(profileId, 'waiting', 0, null, `${reason} (${Math.ceil(ms / 1000)} s)`),
    });
  }

  /** The reference clock: injected, else the sandbox's clock for a sandbox profile, else now. */
  async referenceNow(profileId: number): Promise<Date> {
    if (this.opts.now) return await this.opts.now();
    return (await this.core.clock.sandboxNow(profileId)) ?? new Date();
  }

  private progress(profileId: number, step: string, current: number, total: number | null, message: string, done = false): void {
    this.core.events.emit('task.progress', { profileId, task: 'crm_push', step, current, total, done, message });
  }
}

function countItems(items: PushPreviewItem[]): PushCounts {
  const c: PushCounts = { byReference: 0, byEmail: 0, new: 0, alreadySubmitted: 0, notEligible: 0 };
  for (const it of items) {
    if (it.classification === 'by_reference') c.byReference++;
    else if (it.classification === 'by_email') c.byEmail++;
    else if (it.classification === 'new') c.new++;
    else if (it.classification === 'already_submitted') c.alreadySubmitted++;
    else c.notEligible++;
  }
  return c;
}

/**
 * After every sync that went through, check the pending submissions (at the polite interval), so
 * confirmations arrive without a click. Returns the unsubscribe function.
 */
export function checkPendingAfterSync(svc: PushService, events: Pick<EventBus, 'on'>, write: <T>(fn: () => Promise<T>) => Promise<T>): () => void {
  return events.on('sync.finished', ({ profileId, status }) => {
    if (status === 'cancelled' || status === 'failed') return;
    if (svc.repo.awaiting(profileId).length === 0) return;
    write(() => svc.checkPending({ profileId, manual: false })).catch(() => undefined);
  });
}
