/**
 * CRM+ collector: contacts (with individuals, contact methods, references, lifetime giving and
 * last gift date) via `Contact/Query/FullContact`, then gifts via `Gift/Query/FullGift`, each
 * sorted by last-modified date and filtered to what changed since its checkpoint.
 *
 * Each page is committed in ONE transaction: mirror upserts, quarantine rows and the
 * checkpoint. A full walk that completes marks rows it did not see as gone.
 */
import type { ApiEstimate, ResourceEstimate } from '../../../src-shared/domain/sync';
import { CrmClient, type CrmBudget, type CrmClientOptions, type CrmPage } from '../../connectors/crm/client';
import { itemModified, modifiedQueryBody, newWalk, nextCrmPage, type CrmWalkCursor } from '../../connectors/crm/paging';
import { parseContact, parseGift } from '../../connectors/crm/schemas';
import type { CrmTuning } from '../config';
import { Checkpoints, type ResourceCheckpoint } from '../checkpoints';
import { CrmMirror } from '../mirrors/crm';
import type { CollectorResult } from '../runs';
import { Tally, checkCancelled, estimateFailed, sweepGone, maxIso, type Collector, type CollectorContext, type EstimateContext } from './types';

type Resource = 'contacts' | 'gifts';

/** Assumed seconds per Query call of a full page (a guess refined by nothing cleverer yet). */
const SECONDS_PER_CALL = 0.6;

export class CrmCollector implements Collector {
  readonly api = 'crm' as const;
  readonly client: CrmClient;
  /** Set when a run starts: waits and the budget are reported as its progress. */
  private readonly hooks: { onWait?: (ms: number, reason: string) => void; onBudget?: (b: CrmBudget) => void } = {};

  constructor(
    options: CrmClientOptions,
    private readonly tune: CrmTuning,
  ) {
    // The options come from Connections (URL, token, pacing, retries, the budget recorder, which
    // keeps recording beside the run's progress).
    this.client = new CrmClient({
      ...options,
      onWait: (ms, reason) => this.hooks.onWait?.(ms, reason),
      onBudget: (b) => {
        options.onBudget?.(b);
        this.hooks.onBudget?.(b);
      },
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

  private resources(): Resource[] {
    return this.tune.gifts ? ['contacts', 'gifts'] : ['contacts'];
  }

  /** The filter value sent for a watermark: the day (production practice) or the full timestamp. */
  private filterValue(watermark: string | null): string | null {
    if (!watermark) return null;
    if (this.tune.filterGranularity === 'date') return watermark.slice(0, 10);
    return watermark.replace(/Z$/, '');
  }

  private modifiedSort(resource: Resource): string {
    return resource === 'contacts' ? this.tune.contactSortBy : this.tune.giftSortBy;
  }

  private body(resource: Resource, since: string | null, sortBy?: string, descending = false): Record<string, unknown> {
    return modifiedQueryBody(since, {
      parameter: resource === 'contacts' ? this.tune.contactFilterParameter : this.tune.giftFilterParameter,
      sortBy: sortBy ?? this.modifiedSort(resource),
      operator: this.tune.filterOperator,
      descending,
    });
  }

  private query(resource: Resource, since: string | null, skip: number, take: number, signal?: AbortSignal, sortBy?: string, descending = false): Promise<CrmPage> {
    const body = this.body(resource, since, sortBy, descending);
    return resource === 'contacts' ? this.client.queryFullContacts(body, skip, take, signal) : this.client.queryFullGifts(body, skip, take, signal);
  }

  /** The walk this resource will do next: the one in progress, or a new one from the checkpoint. */
  private plannedWalk(cp: ResourceCheckpoint<CrmWalkCursor> | null, full: boolean): CrmWalkCursor {
    if (cp?.walk && (!full || cp.walk.mode === 'full')) return cp.walk;
    const since = full ? null : this.filterValue(cp?.watermark ?? null);
    return newWalk(since ? 'incremental' : 'full', since);
  }

  /**
   * A new full walk goes in id order when configured: first reads the newest modified time on
   * the server (one take=1 call), which becomes the watermark when the walk completes.
   */
  private async orderWalk(resource: Resource, walk: CrmWalkCursor, signal: AbortSignal): Promise<CrmWalkCursor> {
    if (walk.mode !== 'full' || walk.pages > 0 || walk.sortBy || !this.tune.fullSortBy) return walk;
    const newest = await this.query(resource, null, 0, 1, signal, this.modifiedSort(resource), true);
    const top = newest.list[0];
    const startMax = top === undefined ? null : itemModified(top);
    if (top !== undefined && startMax === null) return walk; // cannot read it: keep modified order
    return { ...walk, sortBy: this.tune.fullSortBy, startMax };
  }

  async estimate(ctx: EstimateContext): Promise<ApiEstimate> {
    const before = this.client.calls;
    try {
      const cps = new Checkpoints(ctx.db);
      const resources: ResourceEstimate[] = [];
      let calls = 0;
      for (const r of this.resources()) {
        const walk = this.plannedWalk(cps.get<ResourceCheckpoint<CrmWalkCursor>>(ctx.profileId, 'crm', r), ctx.full);
        const page = await this.query(r, walk.since, 0, 1, ctx.signal);
        ctx.observations.recordResource(ctx.profileId, 'crm', r, 'available', 200, null);
        const total = page.total ?? null;
        const left = total === null ? null : Math.max(0, total - walk.skip);
        const perPage = Math.max(1, this.tune.take - (walk.skip > 0 ? this.tune.overlap : 0));
        const c = left === null ? null : Math.max(1, Math.ceil(left / perPage));
        if (c !== null) calls += c;
        resources.push({ resource: r, records: left, calls: c, full: walk.mode === 'full' });
      }
      const b = this.client.budgetSnapshot();
      const limit = b.limit ?? this.tune.hourlyLimit;
      const usable = b.remaining !== null ? Math.max(0, b.remaining - this.client.reserve()) : limit - this.client.reserve();
      let seconds = calls * SECONDS_PER_CALL;
      if (calls > usable) {
        // Past the budget: wait for the reset, then a full hour per further budget's worth.
        const toReset = b.resetAt ? Math.max(0, (Date.parse(b.resetAt) - Date.now()) / 1000) : 3600;
        const beyond = calls - usable;
        seconds += toReset + Math.floor(beyond / Math.max(1, limit - this.client.reserve())) * 3600;
      }
      return {
        api: 'crm',
        status: 'ok',
        resources,
        calls,
        seconds: Math.round(seconds),
        rateLimit: `${limit.toLocaleString('en-US')} requests/hour per organization${b.remaining !== null ? ` (${b.remaining.toLocaleString('en-US')} left)` : ''}`,
        budgetRemaining: b.remaining,
        probeCalls: this.client.calls - before,
        error: null,
        errorCode: null,
      };
    } catch (err) {
      return { ...estimateFailed('crm', err), probeCalls: this.client.calls - before };
    }
  }

  async run(ctx: CollectorContext, estimate: ApiEstimate | null): Promise<CollectorResult> {
    const tally = (this.current = new Tally());
    this.estimated = estimate;
    const mirror = new CrmMirror(ctx.db);
    this.hooks.onWait = (ms, reason) => ctx.progress.waiting(ms, reason);
    this.hooks.onBudget = (b) => ctx.progress.budget(b.remaining);
    for (const resource of this.resources()) {
      await this.collect(ctx, resource, mirror, tally, estimate);
    }
    const b = this.client.budgetSnapshot();
    return {
      status: 'ok',
      pages: tally.pages,
      records: tally.records,
      entities: tally.entities,
      errorCode: null,
      error: null,
      budgetRemaining: b.remaining,
      budgetResetAt: b.resetAt,
      estimate,
    };
  }

  private async collect(ctx: CollectorContext, resource: Resource, mirror: CrmMirror, tally: Tally, estimate: ApiEstimate | null): Promise<void> {
    const { db, profileId, checkpoints, quarantine, progress, signal } = ctx;
    let cp: ResourceCheckpoint<CrmWalkCursor> = checkpoints.get(profileId, 'crm', resource) ?? { watermark: null, lastCompletedAt: null, walk: null };
    let walk = await this.orderWalk(resource, this.plannedWalk(cp, ctx.full), signal);
    const est = estimate?.resources.find((r) => r.resource === resource);
    progress.resource(resource, est?.records ?? null);
    tally.of(resource);
    let first = true;
    const fetchAfter = (cursor: CrmWalkCursor) => {
      const p = nextCrmPage(cursor, (skip, take) => this.query(resource, cursor.since, skip, take, signal, cursor.sortBy), { take: this.tune.take, overlap: this.tune.overlap });
      p.catch(() => undefined); // awaited below; a prefetch abandoned by a failed commit must not go unhandled
      return p;
    };
    checkCancelled(signal);
    let next = fetchAfter(walk);
    for (;;) {
      const page = await next;
      // Read ahead: the next page downloads while this one is parsed and committed.
      if (!page.done) next = fetchAfter(page.cursor);
      if (first && page.total !== null) progress.resource(resource, Math.max(0, page.total - walk.skip));
      first = false;
      checkCancelled(signal);
      const now = new Date().toISOString();
      db.transaction(() => {
        for (const item of page.items) {
          const raw = JSON.stringify(item);
          if (resource === 'contacts') {
            const p = parseContact(item);
            if (p.ok) {
              tally.count(resource, mirror.upsertContact(profileId, p.value, raw, now));
              quarantine.resolve('crm', resource, p.value.contact.id, now);
            } else {
              quarantine.add('crm', resource, p.sourceId, p.reason, raw, now);
              tally.count(resource, 'quarantined');
            }
          } else {
            const p = parseGift(item);
            if (p.ok) {
              tally.count(resource, mirror.upsertGift(profileId, p.value, raw, now));
              quarantine.resolve('crm', resource, p.value.id, now);
            } else {
              quarantine.add('crm', resource, p.sourceId, p.reason, raw, now);
              tally.count(resource, 'quarantined');
            }
          }
        }
        if (page.done) {
          if (page.cursor.mode === 'full') {
            const table = resource === 'contacts' ? mirror.contacts : mirror.gifts;
            sweepGone(ctx, tally, table, resource, page.cursor.walkStartedAt, now);
          }
          // A walk in modified order ends at the newest record it read; one in id order may have
          // passed records edited meanwhile, so it resumes from what was newest when it began.
          const wm = page.cursor.sortBy && page.cursor.startMax !== undefined ? (page.cursor.startMax ?? page.cursor.maxModified) : maxIso(cp.watermark, page.cursor.maxModified);
          cp = { watermark: wm, lastCompletedAt: now, walk: null };
        } else {
          cp = { ...cp, walk: page.cursor };
        }
        checkpoints.set(profileId, 'crm', resource, cp, now);
      })();
      walk = page.cursor;
      tally.pages++;
      progress.addPage(page.items.length);
      ctx.runLog.collectorProgress(ctx.runId, 'crm', tally.pages, tally.records);
      if (page.done) break;
    }
  }
}
