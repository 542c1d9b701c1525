/**
 * The organization at the current sandbox time: the lazily generated base population plus an
 * in-memory overlay of everything that changed since the start. A touched person's plan is
 * copied into `overrides` and edited there; untouched people are regenerated on demand.
 */
import type { GenCtx } from '../generator/build';
import { makeGenCtx, planPerson } from '../generator/index';
import { ID, MAX_GIFTS_PER_PERSON, counterStarts } from '../generator/ids';
import { scenarioAt } from '../generator/scenarios';
import type { CrmContactPlan, PersonPlan, RaiseDonorPlan, VomoUserPlan } from '../generator/types';
import type { BaseIndex, PendingSync } from './baseIndex';
import { buildBaseIndex } from './baseIndex';
import { ChangeLog } from './changelog';
import type { ApiKey, ChangeKind } from './changelog';

export interface CampaignState {
  canSync: boolean;
  modifiedAt: number;
  /** Value changes after the start, oldest first: eligibility is decided at gift creation. */
  toggles: { at: number; canSync: boolean }[];
}

export function normEmail(e: unknown): string | null {
  return typeof e === 'string' && e.trim() ? e.trim().toLowerCase() : null;
}

export function planEmails(p: PersonPlan): string[] {
  const out: string[] = [];
  const push = (e: unknown) => {
    const n = normEmail(e);
    if (n) out.push(n);
  };
  if (p.vomo) push(p.vomo.email);
  if (p.crm) for (const ind of p.crm.individuals) for (const m of ind.methods) if (m.type.endsWith('Email')) push(m.value);
  if (p.raise) {
    push(p.raise.email);
    p.raise.extraEmails.forEach(push);
  }
  return out;
}

export class World {
  readonly ctx: GenCtx;
  readonly N: number;
  now: number;
  version = 0;
  readonly base: BaseIndex;
  readonly overrides = new Map<number, PersonPlan>();
  /** Owners of records whose ids are not arithmetic on a base index. */
  readonly owner = { vomo: new Map<number, number>(), contact: new Map<number, number>(), donor: new Map<number, number>(), crmGift: new Map<number, number>(), raiseGift: new Map<number, number>() };
  readonly counters: ReturnType<typeof counterStarts>;
  readonly starts: ReturnType<typeof counterStarts>;
  readonly changes = new ChangeLog();
  readonly pendingSync: PendingSync[];
  readonly campaigns = new Map<number, CampaignState>();
  /** Raise gifts the simulated platform sync has copied since the start. */
  readonly syncedRaiseGifts = new Set<number>();
  /** Shifts checked into but not yet out of (day events close them the next day). */
  readonly openShifts: { owner: number; participationId: number }[] = [];
  /** VOMO email changes, for flagging the email-change splits they cause. */
  readonly emailChanges: { vomoUserId: number; at: number; from: string | null; to: string }[] = [];
  nextExt: number;
  /** Orphans count down from -2: -1 is every lookup's "not found". */
  private nextOrphan = -2;
  private readonly planCache = new Map<number, PersonPlan>();
  private readonly scenarioEmails = new Map<string, Set<number>>();
  readonly scenarioIndexes: number[] = [];
  private dynEmails: Map<string, Set<number>> | null = null;
  private readonly queryCache = new Map<string, unknown>();

  constructor(o: { seed: number; people: number; startMs: number; lagMs: number }) {
    this.ctx = makeGenCtx(o);
    this.N = o.people;
    this.now = o.startMs;
    this.nextExt = o.people;
    this.starts = counterStarts(o.people);
    this.counters = { ...this.starts };
    this.base = buildBaseIndex(this.ctx);
    this.pendingSync = [...this.base.pending];
    for (const c of this.ctx.campaigns) this.campaigns.set(c.id, { canSync: c.canSync, modifiedAt: c.createdAt + 3_600_000, toggles: [] });
    for (let i = 0; i < this.N; i++) {
      if (scenarioAt(this.N, i) < 0) continue;
      this.scenarioIndexes.push(i);
      for (const e of planEmails(this.plan(i))) addTo(this.scenarioEmails, e, i);
    }
  }

  /** Current plan of person i. Read-only: call touch() before changing anything. */
  plan(i: number): PersonPlan {
    const o = this.overrides.get(i);
    if (o) return o;
    if (i < 0 || i >= this.N) throw new RangeError(`no person ${i}`);
    let p = this.planCache.get(i);
    if (!p) {
      p = planPerson(this.ctx, i);
      if (this.planCache.size >= 1024) this.planCache.delete(this.planCache.keys().next().value!);
      this.planCache.set(i, p);
    }
    return p;
  }

  /** Like plan(), without filling the cache: for one-pass scans that would only churn it. */
  planOnce(i: number): PersonPlan {
    return this.overrides.get(i) ?? this.planCache.get(i) ?? planPerson(this.ctx, i);
  }

  isTouched(i: number): boolean {
    return this.overrides.has(i);
  }

  touch(i: number): PersonPlan {
    let o = this.overrides.get(i);
    if (!o) {
      o = structuredClone(this.plan(i));
      this.overrides.set(i, o);
    }
    this.bump();
    return o;
  }

  bump(): void {
    this.version++;
    this.dynEmails = null;
    this.queryCache.clear();
  }

  /** A person-less holder for records created in one system with no known owner. */
  newOrphan(): PersonPlan {
    const p: PersonPlan = { i: this.nextOrphan--, scenario: null, vomo: null, crm: null, raise: null };
    this.overrides.set(p.i, p);
    this.bump();
    return p;
  }

  adopt(p: PersonPlan): void {
    this.overrides.set(p.i, p);
    this.bump();
  }

  log(api: ApiKey, resource: string, id: number, kind: ChangeKind, cause: string, at = this.now): void {
    this.changes.add({ at, api, resource, id, kind, cause });
  }

  cached<T>(key: string, make: () => T): T {
    const hit = this.queryCache.get(key);
    if (hit !== undefined) return hit as T;
    const v = make();
    if (this.queryCache.size > 16) this.queryCache.delete(this.queryCache.keys().next().value!);
    this.queryCache.set(key, v);
    return v;
  }

  /** Every person index that exists: base, then extension people, then orphans. */
  *allIndexes(): Generator<number> {
    for (let i = 0; i < this.nextExt; i++) yield i;
    for (const k of this.overrides.keys()) if (k < 0) yield k;
  }

  // ---- owners of ids ----

  private arith(id: number, base: number, stride: number, pick: (p: PersonPlan) => boolean, map: Map<number, number>): number {
    const off = id - base;
    if (off >= 0 && Math.floor(off / stride) < this.N) {
      const i = Math.floor(off / stride);
      return pick(this.plan(i)) ? i : -1;
    }
    const o = map.get(id);
    return o !== undefined && pick(this.plan(o)) ? o : -1;
  }

  vomoOwner(id: number): number {
    return this.arith(id, ID.vomoUser, 1, (p) => p.vomo?.id === id, this.owner.vomo);
  }
  contactOwner(id: number): number {
    return this.arith(id, ID.crmContact, 1, (p) => p.crm?.id === id, this.owner.contact);
  }
  donorOwner(id: number): number {
    return this.arith(id, ID.raiseDonor, 1, (p) => p.raise?.id === id, this.owner.donor);
  }
  crmGiftOwner(id: number): number {
    return this.arith(id, ID.crmGift, MAX_GIFTS_PER_PERSON, (p) => !!p.crm?.gifts.some((g) => g.id === id), this.owner.crmGift);
  }
  raiseGiftOwner(id: number): number {
    return this.arith(id, ID.raiseGift, MAX_GIFTS_PER_PERSON, (p) => !!p.raise?.gifts.some((g) => g.id === id), this.owner.raiseGift);
  }

  vomoUser(id: number): VomoUserPlan | null {
    const i = this.vomoOwner(id);
    const v = i === -1 ? null : this.plan(i).vomo;
    return v && !v.deleted ? v : null;
  }
  contact(id: number): CrmContactPlan | null {
    const i = this.contactOwner(id);
    const c = i === -1 ? null : this.plan(i).crm;
    return c && !c.deleted ? c : null;
  }
  donor(id: number): RaiseDonorPlan | null {
    const i = this.donorOwner(id);
    const d = i === -1 ? null : this.plan(i).raise;
    return d && !d.deleted ? d : null;
  }

  // ---- email lookups ----

  /** People that may hold this email (a superset: callers check the actual records). */
  emailCandidates(email: string): number[] {
    const e = normEmail(email);
    if (!e) return [];
    const out = new Set<number>(this.scenarioEmails.get(e) ?? []);
    if (!this.dynEmails) {
      this.dynEmails = new Map();
      for (const [i, p] of this.overrides) for (const x of planEmails(p)) addTo(this.dynEmails, x, i);
    }
    for (const i of this.dynEmails.get(e) ?? []) out.add(i);
    const m = /(\d+)@[^@]*$/.exec(e);
    if (m) {
      const i = Number(m[1]);
      if (i < this.nextExt && scenarioAt(this.N, i) < 0) out.add(i);
    }
    return [...out].sort((a, b) => a - b);
  }

  /** Contacts (not deleted) with an individual holding this email in any email method. */
  contactsByEmail(email: string): CrmContactPlan[] {
    const e = normEmail(email);
    if (!e) return [];
    const out: CrmContactPlan[] = [];
    for (const i of this.emailCandidates(e)) {
      const c = this.plan(i).crm;
      if (!c || c.deleted || c.malformed) continue;
      if (c.individuals.some((ind) => ind.methods.some((m) => m.type.endsWith('Email') && normEmail(m.value) === e))) out.push(c);
    }
    return out.sort((a, b) => a.id - b.id);
  }

  contactsByReference(source: string, id: string): CrmContactPlan[] {
    const out: CrmContactPlan[] = [];
    const s = source.toLowerCase();
    for (const i of this.referenceHolders()) {
      const c = this.plan(i).crm;
      if (c && !c.deleted && c.references.some((r) => r.source.toLowerCase() === s && r.id === id)) out.push(c);
    }
    // Generic contacts only carry "Legacy Import" references, which encode their index.
    const m = /^L-(\d+)$/.exec(id);
    if (s === 'legacy import' && m) {
      const i = Number(m[1]) - 100000;
      if (i >= 0 && i < this.N && !this.overrides.has(i)) {
        const c = this.plan(i).crm;
        if (c && c.references.some((r) => r.id === id)) out.push(c);
      }
    }
    return out.sort((a, b) => a.id - b.id);
  }

  private referenceHolders(): number[] {
    return [...new Set<number>([...this.overrides.keys(), ...this.scenarioIndexes])];
  }

  vomoByEmail(email: string): VomoUserPlan | null {
    const e = normEmail(email);
    for (const i of this.emailCandidates(email)) {
      const v = this.plan(i).vomo;
      if (v && !v.deleted && normEmail(v.email) === e) return v;
    }
    return null;
  }

  /** CRM+ gifts carrying this transaction pair (source case-insensitive). */
  crmGiftIdsByTransaction(source: string, txid: string): number[] {
    const src = source.toLowerCase();
    const out = new Set<number>();
    const check = (i: number) => {
      const c = this.plan(i).crm;
      if (c && !c.deleted) for (const g of c.gifts) if (!g.deleted && g.transactionSource?.toLowerCase() === src && g.transactionId === txid) out.add(g.id);
    };
    if (src === 'raise' && /^\d+$/.test(txid)) {
      const o = this.raiseGiftOwner(Number(txid));
      if (o !== -1) check(o);
    }
    for (const i of this.scenarioIndexes) check(i);
    for (const i of this.overrides.keys()) check(i);
    return [...out].sort((a, b) => a - b);
  }

  campaignCanSyncAt(id: number, at: number): boolean {
    const def = this.ctx.campaignById.get(id);
    const st = this.campaigns.get(id);
    if (!def || !st) return false;
    let v = def.canSync;
    for (const t of st.toggles) if (t.at <= at) v = t.canSync;
    return v;
  }

  queueSync(i: number, giftId: number, at: number): void {
    const item = { i, giftId, at };
    let k = this.pendingSync.length;
    while (k > 0 && (this.pendingSync[k - 1]!.at > at || (this.pendingSync[k - 1]!.at === at && this.pendingSync[k - 1]!.giftId > giftId))) k--;
    this.pendingSync.splice(k, 0, item);
  }
}

function addTo(m: Map<string, Set<number>>, k: string, v: number): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}
