/**
 * VOMO collector, two phases:
 * 1. users — `GET /users?page=N&updated_after=<watermark>`, following `links.next`; each page
 *    committed with its checkpoint. A new or changed user is flagged for phase 2.
 * 2. participations — only inside a single user's record (`GET /users/{id}`), so they are read
 *    only for users new/changed since the checkpoint (or all users on --full). The backlog is
 *    the database itself (`detail_fetched_at`), committed per batch of users, so a killed sync
 *    resumes without re-reading what was committed.
 */
import type { ApiEstimate, ResourceEstimate } from '../../../src-shared/domain/sync';
import { VomoClient, type VomoClientOptions } from '../../connectors/vomo/client';
import { newVomoWalk, nextVomoUsersPage, readVomoPage, type VomoWalkCursor } from '../../connectors/vomo/paging';
import { parseVomoParticipation, parseVomoUser, participationsOf, type VomoParticipationRow } from '../../connectors/vomo/schemas';
import { RemoteCallError } from '../../connectors/shared/parseValues';
import { Checkpoints, type ResourceCheckpoint } from '../checkpoints';
import type { VomoTuning } from '../config';
import { VomoMirror } from '../mirrors/vomo';
import type { CollectorResult } from '../runs';
import { Tally, checkCancelled, estimateFailed, sweepGone, maxIso, type Collector, type CollectorContext, type EstimateContext } from './types';

interface DetailCheckpoint {
  /** Users whose detail was read before this time are read again (a full walk); null: only unread ones. */
  pendingBefore: string | null;
  lastCompletedAt: string | null;
}

export class VomoCollector implements Collector {
  readonly api = 'vomo' as const;
  readonly client: VomoClient;
  private onWait: ((ms: number, reason: string) => void) | null = null;

  constructor(
    options: VomoClientOptions,
    private readonly tune: VomoTuning,
  ) {
    // The options come from Connections (URL, token, pacing and retries from the tuning).
    this.client = new VomoClient({
      ...options,
      onWait: (ms, reason) => this.onWait?.(ms, reason),
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

  private rateText(): string {
    return Number.isFinite(this.client.requestsPerSecond) ? `${this.client.requestsPerSecond} requests/second` : 'no limit';
  }

  async estimate(ctx: EstimateContext): Promise<ApiEstimate> {
    const before = this.client.calls;
    try {
      const cps = new Checkpoints(ctx.db);
      const walk = this.plannedWalk(cps.get<ResourceCheckpoint<VomoWalkCursor>>(ctx.profileId, 'vomo', 'users'), ctx.full);
      const url = this.client.url('users', { page: 1, ...(walk.since ? { updated_after: walk.since } : {}) });
      const page = readVomoPage(await this.client.getJson(url, ctx.signal));
      const perPage = page.perPage ?? (page.data.length || 15);
      const total = page.total ?? (page.lastPage !== null ? page.lastPage * perPage : null);
      const pagesLeft = total === null ? null : Math.max(walk.pages > 0 ? 0 : 1, Math.ceil(total / perPage) - (walk.page - 1));
      const usersLeft = total === null ? null : Math.max(0, total - (walk.page - 1) * perPage);
      const mirror = new VomoMirror(ctx.db);
      const detailCp = cps.get<DetailCheckpoint>(ctx.profileId, 'vomo', 'participations');
      const backlog = mirror.countDetailBacklog(ctx.profileId, ctx.full ? new Date().toISOString() : (detailCp?.pendingBefore ?? null));
      // Every user the walk will return is new or changed (or all on --full): each needs its detail.
      const details = ctx.full ? Math.max(backlog, usersLeft ?? 0) : usersLeft === null ? null : usersLeft + backlog;
      const resources: ResourceEstimate[] = [
        { resource: 'users', records: usersLeft, calls: pagesLeft, full: walk.mode === 'full' },
        { resource: 'participations', records: details, calls: details, full: ctx.full },
      ];
      const calls = pagesLeft === null || details === null ? null : pagesLeft + details;
      const rps = this.client.requestsPerSecond;
      return {
        api: 'vomo',
        status: 'ok',
        resources,
        calls,
        seconds: calls === null ? null : Number.isFinite(rps) ? Math.round(calls / rps) : Math.round(calls * 0.05),
        rateLimit: this.rateText(),
        budgetRemaining: this.client.remaining,
        probeCalls: this.client.calls - before,
        error: null,
        errorCode: null,
      };
    } catch (err) {
      return { ...estimateFailed('vomo', err), probeCalls: this.client.calls - before };
    }
  }

  async run(ctx: CollectorContext, estimate: ApiEstimate | null): Promise<CollectorResult> {
    const tally = (this.current = new Tally());
    this.estimated = estimate;
    const mirror = new VomoMirror(ctx.db);
    this.onWait = (ms, reason) => ctx.progress.waiting(ms, reason);
    await this.collectUsers(ctx, mirror, tally, estimate);
    await this.collectParticipations(ctx, mirror, tally, estimate);
    return {
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
            checkpoints.set(profileId, 'vomo', 'participations', { pendingBefore: page.cursor.walkStartedAt, lastCompletedAt: dcp?.lastCompletedAt ?? null }, now);
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

  private async collectParticipations(ctx: CollectorContext, mirror: VomoMirror, tally: Tally, _estimate: ApiEstimate | null): Promise<void> {
    const { db, profileId, checkpoints, quarantine, progress, signal } = ctx;
    const dcp = checkpoints.get<DetailCheckpoint>(profileId, 'vomo', 'participations');
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
    const now = new Date().toISOString();
    checkpoints.set(profileId, 'vomo', 'participations', { pendingBefore: null, lastCompletedAt: now } satisfies DetailCheckpoint, now);
  }
}

function allIds(db: CollectorContext['db'], profileId: number, userId: string): string[] {
  return db.prepare('SELECT id FROM vomo_participations WHERE profile_id = ? AND user_id = ?').pluck().all(profileId, userId) as string[];
}
