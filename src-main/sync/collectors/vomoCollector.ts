/**
 * VOMO collector, three steps:
 * 1. users — `GET /users?page=N&updated_after=<watermark>`, following `links.next`; each page
 *    committed with its checkpoint. A new or changed user is flagged for step 2.
 * 2. participations from `GET /users/{id}` — for users new or changed since the checkpoint, or
 *    for every user when a full re-read is due: on --full, on the first sync, and when the last
 *    full read is older than the profile's `participationRereadDays` (30). The backlog is the
 *    database itself (`detail_fetched_at`), committed per batch, so a killed sync resumes.
 * 3. project dates — between full re-reads, the participants of every project date that began
 *    since the previous sync (less an overlap, in the server's own clock) are read from
 *    `GET /projects/date/{id}`: a check-in or check-out changes no user record, so this is the
 *    only way an incremental sync sees it. Projects are optional: an account without them (404,
 *    405, 501, 403) keeps steps 1-2 and the periodic full re-read.
 */
import type { ApiEstimate, ResourceEstimate, UnavailableResource } from '../../../src-shared/domain/sync';
import { VomoClient, type VomoClientOptions } from '../../connectors/vomo/client';
import { newVomoWalk, nextVomoUsersPage, readVomoPage, type VomoWalkCursor } from '../../connectors/vomo/paging';
import { parseVomoParticipation, parseVomoUser, participationsOf, type VomoParticipationRow } from '../../connectors/vomo/schemas';
import { listProjects, projectDates, readProjectDate, type ProjectDateRef } from '../../connectors/vomo/projects';
import { RemoteCallError } from '../../connectors/shared/parseValues';
import { Checkpoints, type ResourceCheckpoint } from '../checkpoints';
import type { VomoTuning } from '../config';
import { VomoMirror } from '../mirrors/vomo';
import type { CollectorResult } from '../runs';
import { paceEstimate } from './paceEstimate';
import { Tally, checkCancelled, estimateFailed, knownUnavailable, sweepGone, maxIso, unavailability, type Collector, type CollectorContext, type EstimateContext } from './types';

const DAY = 86_400_000;

export interface DetailCheckpoint {
  /** Users whose detail was read before this time are read again (a full read); null: only unread ones. */
  pendingBefore: string | null;
  lastCompletedAt: string | null;
  /** When every user's participations were last read in full (our clock). */
  lastFullAt?: string | null;
  /** The server's clock when the last participation read began: project dates are read from here, less the overlap. */
  serverReadAt?: string | null;
}

/** Why the next sync re-reads every user's participations, or null when it does not. */
export function fullRereadReason(dcp: DetailCheckpoint | null, full: boolean, everyDays: number, now = Date.now()): string | null {
  if (full) return 'every volunteer\'s participations (a full sync)';
  if (dcp?.pendingBefore) return 'every volunteer\'s participations (finishing the full read that was interrupted)';
  if (!dcp?.lastFullAt) return 'every volunteer\'s participations (never read in full yet)';
  const days = Math.floor((now - Date.parse(dcp.lastFullAt)) / DAY);
  if (days >= everyDays) return `every volunteer's participations: the last full read was ${days} days ago (every ${everyDays} days)`;
  return null;
}

export class VomoCollector implements Collector {
  readonly api = 'vomo' as const;
  readonly client: VomoClient;
  /** Set when a run starts: waits are reported as its progress. */
  private readonly hooks: { onWait?: (ms: number, reason: string) => void } = {};
  private projectsUnavailable: UnavailableResource | null = null;

  constructor(
    options: VomoClientOptions,
    private readonly tune: VomoTuning,
  ) {
    // The options come from Connections (URL, token, pacing, retries, the rate-limit recorder).
    this.client = new VomoClient({
      ...options,
      onWait: (ms, reason) => this.hooks.onWait?.(ms, reason),
    });
  }

  private current = new Tally();
  private estimated: ApiEstimate | null = null;

  calls(): number {
    return this.client.calls;
  }

  tally(): Tally {
    return this.current;
  }

  lastEstimate(): ApiEstimate | null {
    return this.estimated;
  }

  close(): void {
    this.client.close();
  }

  private sinceFor(watermark: string | null): string | null {
    if (!watermark) return null;
    const t = Date.parse(watermark) - this.tune.watermarkOverlapMs;
    return new Date(t).toISOString().replace('.000Z', 'Z');
  }

  private plannedWalk(cp: ResourceCheckpoint<VomoWalkCursor> | null, full: boolean): VomoWalkCursor {
    if (cp?.walk && (!full || cp.walk.mode === 'full')) return cp.walk;
    const since = full ? null : this.sinceFor(cp?.watermark ?? null);
    return newVomoWalk(since ? 'incremental' : 'full', since);
  }

  async estimate(ctx: EstimateContext): Promise<ApiEstimate> {
    const before = this.client.calls;
    try {
      const cps = new Checkpoints(ctx.db);
      const walk = this.plannedWalk(cps.get<ResourceCheckpoint<VomoWalkCursor>>(ctx.profileId, 'vomo', 'users'), ctx.full);
      const url = this.client.url('users', { page: 1, ...(walk.since ? { updated_after: walk.since } : {}) });
      const page = readVomoPage(await this.client.getJson(url, ctx.signal));
      ctx.observations.recordResource(ctx.profileId, 'vomo', 'users', 'available', 200, null);
      const perPage = page.perPage ?? (page.data.length || 15);
      const total = page.total ?? (page.lastPage !== null ? page.lastPage * perPage : null);
      const pagesLeft = total === null ? null : Math.max(walk.pages > 0 ? 0 : 1, Math.ceil(total / perPage) - (walk.page - 1));
      const usersLeft = total === null ? null : Math.max(0, total - (walk.page - 1) * perPage);
      const mirror = new VomoMirror(ctx.db);
      const detailCp = cps.get<DetailCheckpoint>(ctx.profileId, 'vomo', 'participations');
      // A full walk of users (first sync, --full) re-reads every user's participations too.
      const fullReason =
        fullRereadReason(detailCp, ctx.full, ctx.settings.participationRereadDays) ?? (walk.mode === 'full' ? "every volunteer's participations (every user is read again)" : null);
      const backlog = mirror.countDetailBacklog(ctx.profileId, fullReason ? new Date().toISOString() : (detailCp?.pendingBefore ?? null));
      // Every user the walk returns is new or changed (or all, on a full read): each needs its detail.
      const details = fullReason ? Math.max(backlog, usersLeft ?? 0) : usersLeft === null ? null : usersLeft + backlog;
      const resources: ResourceEstimate[] = [
        { resource: 'users', records: usersLeft, calls: pagesLeft, full: walk.mode === 'full' },
        { resource: 'participations', records: details, calls: details, full: !!fullReason, note: fullReason ?? 'only users new or changed since the last sync' },
      ];
      let calls = pagesLeft === null || details === null ? null : pagesLeft + details;
      if (!fullReason) {
        const p = await this.estimateProjects(ctx, detailCp);
        resources.push(p);
        if (calls !== null && p.calls !== null) calls += p.calls;
      }
      const pace = paceEstimate(this.client.pace(), calls, 'VOMO');
      return {
        api: 'vomo',
        status: 'ok',
        resources,
        calls,
        seconds: pace.seconds,
        rateLimit: pace.text,
        budgetRemaining: this.client.remaining,
        probeCalls: this.client.calls - before,
        error: null,
        errorCode: null,
      };
    } catch (err) {
      return { ...estimateFailed('vomo', err), probeCalls: this.client.calls - before };
    }
  }

  /** One `GET /projects?page=1`: how many projects; their recent dates are read after the users. */
  private async estimateProjects(ctx: EstimateContext, dcp: DetailCheckpoint | null): Promise<ResourceEstimate> {
    this.projectsUnavailable = knownUnavailable(ctx, 'vomo', 'projects');
    if (this.projectsUnavailable) return { resource: 'projects', records: 0, calls: 0, full: false, unavailable: true, note: this.projectsUnavailable.reason };
    try {
      const page = readVomoPage(await this.client.getJson(this.client.url('projects', { page: 1 }), ctx.signal));
      ctx.observations.recordResource(ctx.profileId, 'vomo', 'projects', 'available', 200, null);
      const projects = page.total ?? page.data.length;
      const per = page.perPage ?? (page.data.length || 15);
      const days = this.windowDays(dcp);
      // Pages of projects, each project's dates, and up to one date per project per day of the window.
      const calls = Math.ceil(projects / Math.max(1, per)) + projects + projects * days;
      return { resource: 'projects', records: projects, calls, full: false, note: `participants of the project dates of the last ${days} days (at most ${calls.toLocaleString('en-US')} calls)` };
    } catch (err) {
      const u = unavailability('vomo', 'projects', err);
      if (!u) throw err;
      ctx.observations.recordResource(ctx.profileId, 'vomo', 'projects', u.status, u.httpStatus, u.reason);
      this.projectsUnavailable = u;
      return { resource: 'projects', records: 0, calls: 0, full: false, unavailable: true, note: u.reason };
    }
  }

  /** Days of project dates an incremental read covers: since the previous read, plus the overlap. */
  private windowDays(dcp: DetailCheckpoint | null): number {
    const since = dcp?.serverReadAt ? Date.parse(dcp.serverReadAt) : null;
    const gap = since === null ? 1 : Math.max(0, this.client.serverNow().getTime() - since) / DAY;
    return Math.max(1, Math.ceil(gap + this.tune.projectDateOverlapDays));
  }

  async run(ctx: CollectorContext, estimate: ApiEstimate | null): Promise<CollectorResult> {
    const tally = (this.current = new Tally());
    this.estimated = estimate;
    const mirror = new VomoMirror(ctx.db);
    this.hooks.onWait = (ms, reason) => ctx.progress.waiting(ms, reason);
    await this.collectUsers(ctx, mirror, tally, estimate);
    const dates = await this.collectParticipations(ctx, mirror, tally, estimate);
    const unavailable: UnavailableResource[] = [];
    if (dates.readDates) {
      const u = await this.collectProjectDates(ctx, mirror, tally, dates.since, dates.serverStart);
      if (u) unavailable.push(u);
    }
    this.finishParticipations(ctx, dates);
    return {
      unavailable,
      status: 'ok',
      pages: tally.pages,
      records: tally.records,
      entities: tally.entities,
      errorCode: null,
      error: null,
      budgetRemaining: this.client.remaining,
      budgetResetAt: null,
      estimate,
    };
  }

  private async collectUsers(ctx: CollectorContext, mirror: VomoMirror, tally: Tally, estimate: ApiEstimate | null): Promise<void> {
    const { db, profileId, checkpoints, quarantine, progress, signal } = ctx;
    let cp: ResourceCheckpoint<VomoWalkCursor> = checkpoints.get(profileId, 'vomo', 'users') ?? { watermark: null, lastCompletedAt: null, walk: null };
    let walk = this.plannedWalk(cp, ctx.full);
    progress.resource('users', estimate?.resources.find((r) => r.resource === 'users')?.records ?? null);
    tally.of('users');
    const fetchAfter = (cursor: VomoWalkCursor) => {
      const p = nextVomoUsersPage(this.client, cursor, signal);
      p.catch(() => undefined);
      return p;
    };
    checkCancelled(signal);
    let next = fetchAfter(walk);
    for (;;) {
      const page = await next;
      // Read ahead: the next page downloads while this one is committed.
      if (!page.done) next = fetchAfter(page.cursor);
      checkCancelled(signal);
      const now = new Date().toISOString();
      db.transaction(() => {
        for (const item of page.items) {
          const raw = JSON.stringify(item);
          const p = parseVomoUser(item);
          if (p.ok) {
            tally.count('users', mirror.upsertUser(profileId, p.value, raw, now));
            quarantine.resolve('vomo', 'users', p.value.id, now);
          } else {
            quarantine.add('vomo', 'users', p.sourceId, p.reason, raw, now);
            tally.count('users', 'quarantined');
          }
        }
        if (page.done) {
          if (page.cursor.mode === 'full') {
            sweepGone(ctx, tally, mirror.users, 'users', page.cursor.walkStartedAt, now);
            // A full walk reads every user's participations again.
            const dcp = checkpoints.get<DetailCheckpoint>(profileId, 'vomo', 'participations');
            checkpoints.set(profileId, 'vomo', 'participations', { ...(dcp ?? { lastCompletedAt: null }), pendingBefore: page.cursor.walkStartedAt } satisfies DetailCheckpoint, now);
          }
          cp = { watermark: maxIso(cp.watermark, page.cursor.maxUpdated), lastCompletedAt: now, walk: null };
        } else {
          cp = { ...cp, walk: page.cursor };
        }
        checkpoints.set(profileId, 'vomo', 'users', cp, now);
      })();
      walk = page.cursor;
      tally.pages++;
      progress.addPage(page.items.length);
      ctx.runLog.collectorProgress(ctx.runId, 'vomo', tally.pages, tally.records);
      if (page.done) break;
    }
  }

  /**
   * Step 2. Decides first whether this run re-reads everyone (and says so in the checkpoint, so a
   * killed run resumes the re-read), and hands step 3 the window of project dates to read.
   */
  private async collectParticipations(
    ctx: CollectorContext,
    mirror: VomoMirror,
    tally: Tally,
    _estimate: ApiEstimate | null,
  ): Promise<{ full: boolean; readDates: boolean; since: string | null; serverStart: string; dcp: DetailCheckpoint | null }> {
    const { db, profileId, checkpoints, quarantine, progress, signal } = ctx;
    let dcp = checkpoints.get<DetailCheckpoint>(profileId, 'vomo', 'participations');
    const serverStart = this.client.serverNow().toISOString();
    const full = fullRereadReason(dcp, ctx.full, ctx.settings.participationRereadDays) !== null;
    if (full && !dcp?.pendingBefore) {
      dcp = { ...(dcp ?? { lastCompletedAt: null }), pendingBefore: new Date().toISOString() };
      checkpoints.set(profileId, 'vomo', 'participations', dcp);
    }
    const before = dcp?.pendingBefore ?? null;
    progress.resource('participations', mirror.countDetailBacklog(profileId, before));
    tally.of('participations');
    const fetchBatch = (ids: string[]) => {
      // Read the batch concurrently; the client's limiter keeps to the per-second limit.
      const p = Promise.all(
        ids.map(async (id) => {
          try {
            return { id, json: await this.client.getJson(this.client.url(`users/${encodeURIComponent(id)}`), signal), gone: false };
          } catch (err) {
            if (err instanceof RemoteCallError && err.status === 404) return { id, json: null, gone: true };
            throw err;
          }
        }),
      );
      p.catch(() => undefined);
      return p;
    };
    checkCancelled(signal);
    let ids = mirror.detailBacklog(profileId, before, this.tune.detailBatch, null);
    let next = ids.length ? fetchBatch(ids) : null;
    while (next) {
      const details = await next;
      // Read ahead: the next batch downloads while this one is committed.
      const nextIds = mirror.detailBacklog(profileId, before, this.tune.detailBatch, ids[ids.length - 1]!);
      next = nextIds.length ? fetchBatch(nextIds) : null;
      ids = nextIds;
      checkCancelled(signal);
      const now = new Date().toISOString();
      db.transaction(() => {
        for (const d of details) {
          if (d.gone) {
            mirror.markUserGone(profileId, d.id, now);
            tally.of('users').gone++;
            continue;
          }
          const { participations } = participationsOf(d.json);
          if (participations === null) {
            quarantine.add('vomo', 'user_detail', d.id, 'participations is not a list', JSON.stringify(d.json), now);
            tally.count('participations', 'quarantined');
            mirror.replaceParticipations(profileId, d.id, [], now, new Set(allIds(db, profileId, d.id)));
            continue;
          }
          quarantine.resolve('vomo', 'user_detail', d.id, now);
          const rows: { row: VomoParticipationRow; raw: string }[] = [];
          const keep = new Set<string>();
          for (const item of participations) {
            const raw = JSON.stringify(item);
            const p = parseVomoParticipation(item);
            if (p.ok) {
              rows.push({ row: p.value, raw });
              quarantine.resolve('vomo', 'participations', `${d.id}/${p.value.id}`, now);
            } else {
              if (p.sourceId) keep.add(p.sourceId);
              quarantine.add('vomo', 'participations', p.sourceId ? `${d.id}/${p.sourceId}` : null, `user ${d.id}: ${p.reason}`, raw, now);
              tally.count('participations', 'quarantined');
            }
          }
          // A malformed participation without an id: keep every old row of this user (nothing lost).
          if (participations.length > rows.length + keep.size) keep.add('*');
          const c = mirror.replaceParticipations(profileId, d.id, rows, now, keep.has('*') ? new Set(allIds(db, profileId, d.id)) : keep);
          const e = tally.of('participations');
          e.new += c.new;
          e.updated += c.updated;
          e.unchanged += c.unchanged;
          e.gone += c.removed;
          tally.records += rows.length;
        }
      })();
      tally.pages++;
      progress.addPage(details.length);
      ctx.runLog.collectorProgress(ctx.runId, 'vomo', tally.pages, tally.records);
    }
    // Project dates since the previous read, less the overlap; a full read needs none.
    const last = dcp?.serverReadAt ? Date.parse(dcp.serverReadAt) : NaN;
    const since = Number.isFinite(last) ? new Date(last - this.tune.projectDateOverlapDays * DAY).toISOString() : null;
    return { full, readDates: !full && since !== null && this.tune.projectDateOverlapDays >= 0, since, serverStart, dcp };
  }

  /** The participations checkpoint after steps 2-3: when the full read was, and the server time the next window starts from. */
  private finishParticipations(ctx: CollectorContext, r: { full: boolean; serverStart: string; dcp: DetailCheckpoint | null }): void {
    const now = new Date().toISOString();
    const next: DetailCheckpoint = {
      pendingBefore: null,
      lastCompletedAt: now,
      lastFullAt: r.full ? now : (r.dcp?.lastFullAt ?? null),
      serverReadAt: r.serverStart,
    };
    ctx.checkpoints.set(ctx.profileId, 'vomo', 'participations', next, now);
  }

  /**
   * Step 3: the participants of each project date that began in [since, server now]. One
   * transaction per date; a date whose answer has no list changes nothing.
   */
  private async collectProjectDates(ctx: CollectorContext, mirror: VomoMirror, tally: Tally, since: string | null, serverNow: string): Promise<UnavailableResource | null> {
    const { db, profileId, quarantine, progress, signal } = ctx;
    if (this.projectsUnavailable) return this.projectsUnavailable;
    if (!since) return null;
    tally.of('participations');
    let dates: { date: ProjectDateRef; project: string | null }[] = [];
    try {
      const { projects } = await listProjects(this.client, signal);
      ctx.observations.recordResource(profileId, 'vomo', 'projects', 'available', 200, null);
      for (const p of projects) {
        checkCancelled(signal);
        const d = await projectDates(this.client, p, signal);
        // Dates that have begun: one that has not holds sign-ups only, no hours yet.
        for (const date of d.dates) if (date.startsAt && date.startsAt >= since && date.startsAt <= serverNow) dates.push({ date, project: d.name });
      }
    } catch (err) {
      const u = unavailability('vomo', 'projects', err);
      if (!u) throw err;
      ctx.observations.recordResource(profileId, 'vomo', 'projects', u.status, u.httpStatus, u.reason);
      return u;
    }
    dates = dates.sort((a, b) => (a.date.startsAt! < b.date.startsAt! ? -1 : 1));
    progress.resource('project dates', dates.length);
    const batch = Math.max(1, this.tune.detailBatch);
    const fetchBatch = (items: typeof dates) => {
      const p = Promise.all(items.map(async (x) => ({ ...x, read: await readProjectDate(this.client, x.date, x.project, signal) })));
      p.catch(() => undefined);
      return p;
    };
    let at = 0;
    let next = dates.length ? fetchBatch(dates.slice(0, batch)) : null;
    while (next) {
      const got = await next;
      at += batch;
      next = at < dates.length ? fetchBatch(dates.slice(at, at + batch)) : null;
      checkCancelled(signal);
      const now = new Date().toISOString();
      db.transaction(() => {
        for (const { date, read } of got) {
          if (read.participants === null) {
            quarantine.add('vomo', 'project_dates', date.id, 'participants is not a list', '{}', now);
            continue;
          }
          quarantine.resolve('vomo', 'project_dates', date.id, now);
          const keepUsers = new Set<string>();
          for (const r of read.rejected) {
            const user = r.sourceId?.split('/')[0];
            if (user) keepUsers.add(user);
            quarantine.add('vomo', 'participations', r.sourceId ? `${r.sourceId}@${date.id}` : null, r.reason, r.raw, now);
            tally.count('participations', 'quarantined');
          }
          const c = mirror.replaceDateParticipants(profileId, date.id, read.participants, now, keepUsers);
          const e = tally.of('participations');
          e.new += c.new;
          e.updated += c.updated;
          e.unchanged += c.unchanged;
          e.gone += c.removed;
          tally.records += read.participants.length - c.skipped;
        }
      })();
      tally.pages++;
      progress.addPage(got.length);
      ctx.runLog.collectorProgress(ctx.runId, 'vomo', tally.pages, tally.records);
    }
    return null;
  }
}

function allIds(db: CollectorContext['db'], profileId: number, userId: string): string[] {
  return db.prepare('SELECT id FROM vomo_participations WHERE profile_id = ? AND user_id = ?').pluck().all(profileId, userId) as string[];
}
