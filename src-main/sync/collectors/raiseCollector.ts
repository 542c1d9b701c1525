/**
 * Raise collector: campaigns, donors, gifts and recurring gifts from `/api/<Resource>/list`
 * (Skip/Take, sorted by id), each filtered to what changed since its checkpoint when the
 * server honours the modified-since filter, and walked in full (idempotent upserts) when not.
 * One transaction per page: mirror upserts, quarantine rows, checkpoint.
 *
 * Donors and gifts are required; campaigns and recurring gifts are optional (recurring gifts are
 * only partly documented and their list endpoint is missing on some accounts): the estimate
 * probes each resource with Take=1 before the run, and an optional one the account does not offer
 * (404, 405, 501) or the token may not read (403) is skipped and reported, never failed on.
 */
import type { ApiEstimate, ResourceEstimate, UnavailableResource } from '../../../src-shared/domain/sync';
import { isRequired } from '../../../src-shared/domain/apis';
import { RaiseClient, type RaiseClientOptions } from '../../connectors/raise/client';
import { newRaiseWalk, nextRaisePage, type RaiseWalkCursor } from '../../connectors/raise/paging';
import { parseRaiseCampaign, parseRaiseDonor, parseRaiseGift, parseRaiseRecurring } from '../../connectors/raise/schemas';
import { Checkpoints, type ResourceCheckpoint } from '../checkpoints';
import { paceEstimate } from './paceEstimate';
import type { RaiseTuning } from '../config';
import { RaiseMirror } from '../mirrors/raise';
import type { MirrorTable } from '../mirrors/table';
import type { CollectorResult } from '../runs';
import { Tally, checkCancelled, estimateFailed, knownUnavailable, sweepGone, maxIso, unavailability, type Collector, type CollectorContext, type EstimateContext } from './types';

type Resource = RaiseTuning['resources'][number];

const PATH: Record<Resource, string> = { campaigns: 'Campaign', donors: 'Donor', gifts: 'Gift', recurringGifts: 'RecurringGift' };

interface Spec {
  parse: (raw: unknown) => { ok: true; value: { id: string } } | { ok: false; sourceId: string | null; reason: string };
  table: (m: RaiseMirror) => MirrorTable<{ id: string }>;
}

const SPECS: Record<Resource, Spec> = {
  campaigns: { parse: parseRaiseCampaign, table: (m) => m.campaigns as unknown as MirrorTable<{ id: string }> },
  donors: { parse: parseRaiseDonor, table: (m) => m.donors as unknown as MirrorTable<{ id: string }> },
  gifts: { parse: parseRaiseGift, table: (m) => m.gifts as unknown as MirrorTable<{ id: string }> },
  recurringGifts: { parse: parseRaiseRecurring, table: (m) => m.recurring as unknown as MirrorTable<{ id: string }> },
};

export class RaiseCollector implements Collector {
  readonly api = 'raise' as const;
  readonly client: RaiseClient;
  /** Set when a run starts: waits are reported as its progress. */
  private readonly hooks: { onWait?: (ms: number, reason: string) => void } = {};
  /** Optional resources the estimate found unavailable: the run skips them. */
  private readonly skip = new Map<Resource, UnavailableResource>();

  constructor(
    options: RaiseClientOptions,
    private readonly tune: RaiseTuning,
  ) {
    // The options come from Connections (URL, token, pacing, retries, the rate-limit recorder).
    this.client = new RaiseClient({
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

  private plannedWalk(cp: ResourceCheckpoint<RaiseWalkCursor> | null, full: boolean): RaiseWalkCursor {
    if (cp?.walk && (!full || cp.walk.mode === 'full')) return cp.walk;
    const wm = full || !this.tune.sinceParam ? null : (cp?.watermark ?? null);
    const since = wm ? new Date(Date.parse(wm) - this.tune.watermarkOverlapMs).toISOString() : null;
    return newRaiseWalk(since ? 'incremental' : 'full', since);
  }

  private listOpts() {
    return { take: this.tune.take, overlap: this.tune.overlap, sinceParam: this.tune.sinceParam, sortBy: this.tune.sortBy };
  }

  async estimate(ctx: EstimateContext): Promise<ApiEstimate> {
    const before = this.client.calls;
    try {
      const cps = new Checkpoints(ctx.db);
      const resources: ResourceEstimate[] = [];
      let calls = 0;
      this.skip.clear();
      for (const r of this.tune.resources) {
        const walk = this.plannedWalk(cps.get<ResourceCheckpoint<RaiseWalkCursor>>(ctx.profileId, 'raise', r), ctx.full);
        const known = isRequired('raise', r) ? null : knownUnavailable(ctx, 'raise', r);
        if (known) {
          this.skip.set(r, known);
          resources.push({ resource: r, records: 0, calls: 0, full: false, unavailable: true, note: known.reason });
          continue;
        }
        let page;
        try {
          page = await this.client.list(
            PATH[r],
            { Skip: 0, Take: 1, SortBy: this.tune.sortBy, Descending: 'false', ...(walk.since && this.tune.sinceParam ? { [this.tune.sinceParam]: walk.since } : {}) },
            ctx.signal,
          );
          ctx.observations.recordResource(ctx.profileId, 'raise', r, 'available', 200, null);
        } catch (err) {
          const u = isRequired('raise', r) ? null : unavailability('raise', r, err);
          if (!u) throw err;
          ctx.observations.recordResource(ctx.profileId, 'raise', r, u.status, u.httpStatus, u.reason);
          this.skip.set(r, u);
          resources.push({ resource: r, records: 0, calls: 0, full: false, unavailable: true, note: u.reason });
          continue;
        }
        const left = page.total === null ? null : Math.max(0, page.total - walk.skip);
        const c = left === null ? null : Math.max(1, Math.ceil(left / this.tune.take));
        if (c !== null) calls += c;
        resources.push({ resource: r, records: left, calls: c, full: walk.mode === 'full' });
      }
      const pace = paceEstimate(this.client.pace(), calls, 'Raise');
      return {
        api: 'raise',
        status: 'ok',
        resources,
        calls,
        seconds: pace.seconds,
        rateLimit: pace.text,
        budgetRemaining: null,
        probeCalls: this.client.calls - before,
        error: null,
        errorCode: null,
      };
    } catch (err) {
      return { ...estimateFailed('raise', err), probeCalls: this.client.calls - before };
    }
  }

  async run(ctx: CollectorContext, estimate: ApiEstimate | null): Promise<CollectorResult> {
    const tally = (this.current = new Tally());
    this.estimated = estimate;
    const mirror = new RaiseMirror(ctx.db);
    this.hooks.onWait = (ms, reason) => ctx.progress.waiting(ms, reason);
    const unavailable: UnavailableResource[] = [];
    for (const r of this.tune.resources) {
      const known = this.skip.get(r);
      if (known) {
        unavailable.push(known);
        continue;
      }
      try {
        await this.collect(ctx, r, mirror, tally, estimate);
      } catch (err) {
        // Found missing mid-run after all (the estimate's probe passed): the same rule applies.
        const u = isRequired('raise', r) ? null : unavailability('raise', r, err);
        if (!u) throw err;
        ctx.observations.recordResource(ctx.profileId, 'raise', r, u.status, u.httpStatus, u.reason);
        unavailable.push(u);
      }
    }
    return {
      unavailable,
      status: 'ok',
      pages: tally.pages,
      records: tally.records,
      entities: tally.entities,
      errorCode: null,
      error: null,
      budgetRemaining: null,
      budgetResetAt: null,
      estimate,
    };
  }

  private async collect(ctx: CollectorContext, resource: Resource, mirror: RaiseMirror, tally: Tally, estimate: ApiEstimate | null): Promise<void> {
    const { db, profileId, checkpoints, quarantine, progress, signal } = ctx;
    const spec = SPECS[resource];
    const table = spec.table(mirror);
    let cp: ResourceCheckpoint<RaiseWalkCursor> = checkpoints.get(profileId, 'raise', resource) ?? { watermark: null, lastCompletedAt: null, walk: null };
    let walk = this.plannedWalk(cp, ctx.full);
    progress.resource(resource, estimate?.resources.find((r) => r.resource === resource)?.records ?? null);
    tally.of(resource);
    let first = true;
    const fetchAfter = (cursor: RaiseWalkCursor) => {
      const p = nextRaisePage(this.client, PATH[resource], cursor, this.listOpts(), signal);
      p.catch(() => undefined);
      return p;
    };
    checkCancelled(signal);
    let next = fetchAfter(walk);
    for (;;) {
      const page = await next;
      // Read ahead: the next page downloads while this one is committed.
      if (!page.done) next = fetchAfter(page.cursor);
      if (first && page.total !== null) progress.resource(resource, Math.max(0, page.total - walk.skip));
      first = false;
      checkCancelled(signal);
      const now = new Date().toISOString();
      db.transaction(() => {
        for (const item of page.items) {
          const raw = JSON.stringify(item);
          const p = spec.parse(item);
          if (p.ok) {
            tally.count(resource, table.upsert(profileId, p.value, raw, now));
            quarantine.resolve('raise', resource, p.value.id, now);
          } else {
            quarantine.add('raise', resource, p.sourceId, p.reason, raw, now);
            tally.count(resource, 'quarantined');
          }
        }
        if (page.done) {
          // A walk that read everything (full, or a filter the server ignored) can sweep deletions.
          if (page.cursor.mode === 'full' || page.cursor.filterIgnored) sweepGone(ctx, tally, table, resource, page.cursor.walkStartedAt, now);
          cp = { watermark: maxIso(cp.watermark, page.cursor.maxModified), lastCompletedAt: now, walk: null };
        } else {
          cp = { ...cp, walk: page.cursor };
        }
        checkpoints.set(profileId, 'raise', resource, cp, now);
      })();
      walk = page.cursor;
      tally.pages++;
      progress.addPage(page.items.length);
      ctx.runLog.collectorProgress(ctx.runId, 'raise', tally.pages, tally.records);
      if (page.done) break;
    }
  }
}
