/** The sandbox behind the three servers: world, transactions, faults, limits and admin actions. */
import { TransactionQueue } from './crm/transactions';
import { Faults } from './http/faults';
import type { FaultProfile } from './http/faults';
import type { Limit, RateLimitsOption } from './http/rateLimit';
import { resolveLimits } from './http/rateLimit';
import { computeManifest } from './manifest/index';
import type { Manifest } from './manifest/index';
import { runSyncUntil } from './raise/platformSync';
import { advanceWorld } from './state/advance';
import type { AdvanceResult } from './state/advance';
import { World } from './state/world';
import { recordCounts } from './manifest/records';

/**
 * Everything that changed the sandbox, in order. Replaying the list on a fresh sandbox with the
 * same options (startSandbox({replay})) rebuilds the same state: a restarted app keeps its
 * sandbox's history. Fault and rate-limit switches are not state and are not recorded.
 */
export type SandboxAction =
  | { kind: 'advance'; ms: number }
  | { kind: 'nightly-batch' }
  | { kind: 'raise-sync' }
  | { kind: 'delete'; api: string; resource: string; id: number }
  | { kind: 'check-out'; vomoUserId: number; participationId: number | null }
  | { kind: 'write'; api: 'vomo' | 'crm' | 'raise'; method: string; path: string; body: string };

export interface CoreOptions {
  seed: number;
  people: number;
  startMs: number;
  lagMs: number;
  faults: FaultProfile;
  rateLimits?: RateLimitsOption;
  listLimit: number;
}

export class SandboxCore {
  readonly world: World;
  readonly tx = new TransactionQueue();
  readonly faults: Faults;
  readonly limits: Record<'vomo' | 'crm' | 'raise', Limit | null>;
  /** Resources switched off per API (not state: like faults, not recorded for replay). */
  readonly unavailable: Record<'vomo' | 'crm' | 'raise', { prefix: string; status: number }[]> = { vomo: [], crm: [], raise: [] };
  readonly advances: { from: string; to: string; changes: AdvanceResult['changes'] }[] = [];
  readonly actions: SandboxAction[] = [];
  private manifestCache: { version: number; m: Manifest } | null = null;

  constructor(readonly opts: CoreOptions) {
    this.world = new World(opts);
    this.faults = new Faults(opts.faults, opts.seed);
    this.limits = resolveLimits(opts.rateLimits);
  }

  advance(ms: number): AdvanceResult {
    this.actions.push({ kind: 'advance', ms });
    const r = advanceWorld(this.world, this.tx, ms);
    this.advances.push({ from: r.from, to: r.to, changes: r.changes });
    return r;
  }

  nightlyBatch() {
    this.actions.push({ kind: 'nightly-batch' });
    const r = this.tx.runBatch(this.world);
    this.world.bump();
    return r;
  }

  raiseSync() {
    this.actions.push({ kind: 'raise-sync' });
    const r = runSyncUntil(this.world, this.world.now);
    this.world.bump();
    return r;
  }

  manifest(forceFull = false): Manifest {
    const w = this.world;
    const c = this.manifestCache;
    if (!forceFull && c && c.version === w.version) return c.m;
    const m = computeManifest(w, { listLimit: this.opts.listLimit, forceFull, advances: this.advances, tx: this.tx });
    if (!forceFull) this.manifestCache = { version: w.version, m };
    return m;
  }

  state() {
    const w = this.world;
    return {
      now: new Date(w.now).toISOString(),
      startedAt: new Date(w.ctx.startMs).toISOString(),
      seed: w.ctx.seed,
      people: w.N,
      stateVersion: w.version,
      generationMs: w.base.generatedMs,
      counts: recordCounts(w),
      pendingContactTransactions: this.tx.pending.length,
      pendingRaiseSyncs: w.pendingSync.length,
      nextRaiseSyncAt: w.pendingSync[0] ? new Date(w.pendingSync[0].at).toISOString() : null,
      faults: this.faults.profile,
      rateLimits: this.limits,
      touchedPeople: w.overrides.size,
      memory: { rssMb: Math.round(process.memoryUsage().rss / 1e6), heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1e6) },
    };
  }

  changesSince(ms: number) {
    return this.world.changes.entries.filter((c) => c.at > ms).map((c) => ({ ...c, at: new Date(c.at).toISOString() }));
  }

  /**
   * A check-out recorded on a participation (the given one, else the user's latest without one),
   * the way VOMO records it: the participation changes, the user's `updated_at` does not.
   */
  checkOut(vomoUserId: number, participationId: number | null): { ok: boolean; message: string; participationId?: number; projectDateId?: number; hours?: number } {
    const w = this.world;
    const v = w.vomoUser(vomoUserId);
    if (!v || v.malformed) return { ok: false, message: `no VOMO user ${vomoUserId}` };
    const cand = v.participations.filter((p) => (participationId === null ? p.checkedOutAt === null : p.id === participationId));
    const p0 = participationId === null ? cand.sort((a, b) => b.startsAt - a.startsAt)[0] : cand[0];
    if (!p0) return { ok: false, message: participationId === null ? `VOMO user ${vomoUserId} has no participation without a check-out` : `VOMO user ${vomoUserId} has no participation ${participationId}` };
    this.actions.push({ kind: 'check-out', vomoUserId, participationId: p0.id });
    const plan = w.touch(w.vomoOwner(vomoUserId)).vomo!;
    const p = plan.participations.find((x) => x.id === p0.id)!;
    p.checkedInAt ??= p.startsAt;
    p.checkedOutAt = p.checkedInAt + p.hours * 3_600_000;
    w.bump();
    w.log('vomo', 'participations', p.id, 'updated', 'admin');
    return { ok: true, message: `checked out participation ${p.id}`, participationId: p.id, projectDateId: p.projectDateId, hours: p.hours };
  }

  deleteRecord(api: string, resource: string, id: number): { ok: boolean; message: string } {
    const w = this.world;
    const res = resource.toLowerCase();
    const key = `${api.toLowerCase()}.${res}`;
    const done = (r: string, i: number, apply: () => void) => {
      if (i === -1) return { ok: false, message: `no ${key} ${id}` };
      this.actions.push({ kind: 'delete', api, resource, id });
      w.touch(i);
      apply();
      w.bump();
      w.log(api.toLowerCase() as 'vomo', r, id, 'deleted', 'admin');
      return { ok: true, message: `deleted ${key} ${id}` };
    };
    switch (key) {
      case 'vomo.users': {
        const i = w.vomoUser(id) ? w.vomoOwner(id) : -1;
        return done('users', i, () => void (w.plan(i).vomo!.deleted = true));
      }
      case 'crm.contacts': {
        const i = w.contact(id) ? w.contactOwner(id) : -1;
        return done('contacts', i, () => void (w.plan(i).crm!.deleted = true));
      }
      case 'crm.gifts': {
        const i = w.crmGiftOwner(id);
        const g = i === -1 ? undefined : w.plan(i).crm?.gifts.find((x) => x.id === id && !x.deleted);
        return done('gifts', g ? i : -1, () => {
          const c = w.plan(i).crm!;
          c.gifts.find((x) => x.id === id)!.deleted = true;
        });
      }
      case 'raise.donors': {
        const i = w.donor(id) ? w.donorOwner(id) : -1;
        return done('donors', i, () => void (w.plan(i).raise!.deleted = true));
      }
      case 'raise.gifts': {
        const i = w.raiseGiftOwner(id);
        const g = i === -1 ? undefined : w.plan(i).raise?.gifts.find((x) => x.id === id && !x.deleted);
        return done('gifts', g ? i : -1, () => void (w.plan(i).raise!.gifts.find((x) => x.id === id)!.deleted = true));
      }
    }
    return { ok: false, message: `unknown resource ${key}; use vomo.users, crm.contacts, crm.gifts, raise.donors or raise.gifts` };
  }
}
