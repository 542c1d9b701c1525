/** Streams join components into the manifest's counts, lists, conflicts and findings. */
import type { World } from '../state/world';
import { dayOf } from '../time';
import type { Extracted } from './extract';
import type { Component } from './join';
import { normName } from './join';
import type { PersonFacts } from './facts';
import { LAPSE_DAYS, RECENT_FIRST_GIFT_DAYS, TOP_VOLUNTEERS, factsOf, isoOfDay } from './facts';

export const TWOFOLD_REFERENCE_SOURCE = 'Twofold/VOMO';

const digits = (p: string | null) => {
  const d = (p ?? '').replace(/\D/g, '');
  return d.length === 11 && d.startsWith('1') ? d.slice(1) : d;
};

export class Aggregator {
  counts = { totalPersons: 0, donorVolunteers: 0, volunteersOnly: 0, donorsOnly: 0 };
  truthCounts = { totalPersons: 0, donorVolunteers: 0, volunteersOnly: 0, donorsOnly: 0 };
  persons: PersonFacts[] = [];
  lists = { donorVolunteers: [] as string[], volunteersOnly: [] as string[], donorsOnly: [] as string[] };
  lapsed: { person: string; vomoUserIds: number[]; lastGiftDate: string; daysSinceLastGift: number }[] = [];
  lapsedCount = 0;
  edge = { exactly365: [] as string[], at364: [] as string[] };
  top: { person: string; vomoUserIds: number[]; verifiedHours: number }[] = [];
  firstTime: { person: string; vomoUserIds: number[]; raiseDonorIds: number[]; firstGiftDate: string; daysSinceFirstGift: number }[] = [];
  firstTimeCount = 0;
  conflicts: Record<string, unknown>[] = [];
  nonConflicts: Record<string, unknown>[] = [];
  nonConflictCount = 0;
  splits: Record<string, unknown>[] = [];
  households: { contactId: number; email: string; individualIds: number[]; persons: string[] }[] = [];
  tx = { byReference: 0, byEmail: 0, new: 0, cases: [] as { vomoUserId: number; person: string; expected: string; contactId: number | null }[] };
  recon = {
    raiseGifts: 0,
    syncedToCrm: 0,
    heldBackGifts: 0,
    missingInCrm: [] as Record<string, unknown>[],
    insideLagWindow: [] as Record<string, unknown>[],
    heldBackDonors: [] as number[],
    heldBackDonorCount: 0,
    claimsWithoutRaiseGift: [] as Record<string, unknown>[],
  };

  constructor(
    private readonly w: World,
    private readonly listing: boolean,
    private readonly refs: Map<string, number>,
  ) {}

  /** One join batch: its components, and the records they came from. */
  add(comps: Component[], x: Extracted): void {
    const byKey = new Map<string, PersonFacts>();
    // A batch holds every record its emails can reach (see specialSet), so email lookups stay inside it.
    const contactByEmail = new Map<string, number>();
    for (const r of x.ind) for (const e of r.emails) if (!contactByEmail.has(e) || contactByEmail.get(e)! > r.contactId) contactByEmail.set(e, r.contactId);
    for (const c of comps) {
      const f = factsOf(c, x);
      byKey.set(c.key, f);
      this.person(c, f, contactByEmail);
    }
    this.truth(comps, byKey);
    this.households_(x, comps);
    this.reconcile(x);
  }

  private bucket(f: PersonFacts): 'donorVolunteers' | 'volunteersOnly' | 'donorsOnly' {
    return f.volunteer && f.donor ? 'donorVolunteers' : f.volunteer ? 'volunteersOnly' : 'donorsOnly';
  }

  private person(c: Component, f: PersonFacts, contactByEmail: Map<string, number>): void {
    const w = this.w;
    const b = this.bucket(f);
    this.counts.totalPersons++;
    this.counts[b]++;
    if (this.listing) {
      this.persons.push(f);
      this.lists[b].push(f.key);
    }
    const today = dayOf(w.now);
    if (f.volunteer && f.lastGiftDay !== null) {
      const days = today - f.lastGiftDay;
      if (days >= LAPSE_DAYS) {
        this.lapsedCount++;
        if (this.listing) this.lapsed.push({ person: f.key, vomoUserIds: f.vomoUserIds, lastGiftDate: isoOfDay(f.lastGiftDay), daysSinceLastGift: days });
      }
      if (days === 365) this.edge.exactly365.push(f.key);
      if (days === 364) this.edge.at364.push(f.key);
    }
    if (f.volunteer && f.giftCount === 0) {
      this.top.push({ person: f.key, vomoUserIds: f.vomoUserIds, verifiedHours: f.verifiedHours });
      if (this.top.length > TOP_VOLUNTEERS * 4) this.trimTop();
    }
    if (f.volunteer && f.hasRaise && f.firstGiftDay !== null && f.firstGiftIsRaise && today - f.firstGiftDay <= RECENT_FIRST_GIFT_DAYS) {
      this.firstTimeCount++;
      if (this.listing || this.firstTime.length < 200) this.firstTime.push({ person: f.key, vomoUserIds: f.vomoUserIds, raiseDonorIds: f.raiseDonorIds, firstGiftDate: isoOfDay(f.firstGiftDay), daysSinceFirstGift: today - f.firstGiftDay });
    }
    if (c.v.length && c.ind.length) this.compare(c, f);
    for (const v of c.v) this.classify(v.vomoUserId, v.email, f.key, contactByEmail);
  }

  trimTop(): void {
    this.top.sort((a, b) => b.verifiedHours - a.verifiedHours || a.vomoUserIds[0]! - b.vomoUserIds[0]!);
    this.top.length = Math.min(this.top.length, TOP_VOLUNTEERS);
  }

  private compare(c: Component, f: PersonFacts): void {
    const v = [...c.v].sort((a, b) => a.vomoUserId - b.vomoUserId)[0]!;
    const ind = [...c.ind].sort((a, b) => a.individualId - b.individualId)[0]!;
    const base = { person: f.key, vomoUserId: v.vomoUserId, crmContactId: ind.contactId, crmIndividualId: ind.individualId };
    for (const [field, a, b] of [['firstName', v.first, ind.first], ['lastName', v.last, ind.last]] as const) {
      if (!normName(a) || !normName(b)) continue;
      if (normName(a) !== normName(b)) this.conflicts.push({ ...base, field, vomo: a, crm: b });
      else if (a !== b) this.nonConflict({ ...base, field, vomo: a, crm: b, reason: 'case_or_spacing' });
    }
    if (v.phone && ind.phones.length) {
      const same = ind.phones.find((p) => digits(p) === digits(v.phone));
      if (!same) this.conflicts.push({ ...base, field: 'phone', vomo: v.phone, crm: ind.phones[0] });
      else if (!ind.phones.includes(v.phone)) this.nonConflict({ ...base, field: 'phone', vomo: v.phone, crm: same, reason: 'phone_format' });
    }
  }

  private nonConflict(o: Record<string, unknown>): void {
    this.nonConflictCount++;
    if (this.listing) this.nonConflicts.push(o);
  }

  private classify(vomoUserId: number, email: string | null, person: string, contactByEmail: Map<string, number>): void {
    const ref = this.refs.get(`${TWOFOLD_REFERENCE_SOURCE.toLowerCase()}|${vomoUserId}`);
    let expected = 'new';
    let contactId: number | null = null;
    if (ref !== undefined) {
      expected = 'reference';
      contactId = ref;
    } else if (email && contactByEmail.has(email)) {
      expected = 'email';
      contactId = contactByEmail.get(email)!;
    }
    if (expected === 'reference') this.tx.byReference++;
    else if (expected === 'email') this.tx.byEmail++;
    else this.tx.new++;
    if (this.listing) this.tx.cases.push({ vomoUserId, person, expected, contactId });
  }

  /** Components that are one human (per the generator) but which the join keeps apart. */
  private truth(comps: Component[], facts: Map<string, PersonFacts>): void {
    const byHuman = new Map<string, Set<string>>();
    for (const c of comps) for (const h of facts.get(c.key)!.humans) byHuman.set(h, new Set([...(byHuman.get(h) ?? []), c.key]));
    const merged = new Map<string, string>();
    const root = (k: string): string => (merged.has(k) && merged.get(k) !== k ? root(merged.get(k)!) : k);
    for (const c of comps) merged.set(c.key, c.key);
    for (const ks of byHuman.values()) {
      const arr = [...ks].sort();
      for (const k of arr.slice(1)) merged.set(root(k), root(arr[0]!));
    }
    const groups = new Map<string, Component[]>();
    for (const c of comps) groups.set(root(c.key), [...(groups.get(root(c.key)) ?? []), c]);
    for (const g of groups.values()) {
      const vol = g.some((c) => c.v.length);
      const don = g.some((c) => c.ind.length || c.d.length);
      this.truthCounts.totalPersons++;
      this.truthCounts[vol && don ? 'donorVolunteers' : vol ? 'volunteersOnly' : 'donorsOnly']++;
      if (g.length > 1) this.splits.push(this.describeSplit(g));
    }
  }

  private describeSplit(g: Component[]): Record<string, unknown> {
    const v = g.flatMap((c) => c.v)[0];
    const ind = g.flatMap((c) => c.ind)[0];
    const change = v ? this.w.emailChanges.filter((e) => e.vomoUserId === v.vomoUserId).at(-1) : undefined;
    const refHit = v && this.refs.get(`${TWOFOLD_REFERENCE_SOURCE.toLowerCase()}|${v.vomoUserId}`);
    const kind = change ? 'email_change' : refHit !== undefined && refHit !== null ? 'twofold_reference' : 'no_shared_email';
    return {
      kind,
      flagged: kind === 'email_change',
      persons: g.map((c) => c.key).sort(),
      vomoUserId: v?.vomoUserId ?? null,
      crmContactId: ind?.contactId ?? null,
      crmIndividualId: ind?.individualId ?? null,
      ...(change ? { oldEmail: change.from, newEmail: change.to, changedAt: new Date(change.at).toISOString() } : {}),
      evidence: kind === 'email_change' ? 'same VOMO user id seen with a new email' : kind === 'twofold_reference' ? `CRM+ contact carries reference ${TWOFOLD_REFERENCE_SOURCE}/${v?.vomoUserId}` : 'same name and phone, no email in common',
    };
  }

  private households_(x: Extracted, comps: Component[]): void {
    const personOf = new Map<string, string>();
    for (const c of comps) for (const r of c.ind) personOf.set(r.key, c.key);
    const byContact = new Map<number, typeof x.ind>();
    for (const r of x.ind) byContact.set(r.contactId, [...(byContact.get(r.contactId) ?? []), r]);
    for (const [contactId, inds] of byContact) {
      if (inds.length < 2) continue;
      const seen = new Map<string, typeof inds>();
      for (const r of inds) for (const e of r.emails) seen.set(e, [...(seen.get(e) ?? []), r]);
      for (const [email, rs] of seen) if (rs.length > 1) this.households.push({ contactId, email, individualIds: rs.map((r) => r.individualId).sort((a, b) => a - b), persons: rs.map((r) => personOf.get(r.key)!) });
    }
  }

  private reconcile(x: Extracted): void {
    const w = this.w;
    const synced = new Set<number>();
    for (const gs of x.contactGifts.values()) for (const g of gs) if (g.raiseTx !== null) synced.add(g.raiseTx);
    const live = new Set<number>();
    for (const d of x.d) {
      const gifts = x.donorGifts.get(d.donorId) ?? [];
      let anySyncable = false;
      for (const g of gifts) {
        live.add(g.id);
        this.recon.raiseGifts++;
        const wouldSync = w.campaignCanSyncAt(g.campaignId, g.createdAt);
        if (!wouldSync) {
          this.recon.heldBackGifts++;
          continue;
        }
        anySyncable = true;
        const syncAt = g.createdAt + w.ctx.lagMs;
        const inCrm = synced.has(g.id);
        if (inCrm) this.recon.syncedToCrm++;
        else if (syncAt <= w.now) this.recon.missingInCrm.push({ raiseGiftId: g.id, donorId: d.donorId, createdAt: new Date(g.createdAt).toISOString(), reason: g.fails ? 'sync_failed' : 'crm_gift_missing' });
        else this.recon.insideLagWindow.push({ raiseGiftId: g.id, donorId: d.donorId, createdAt: new Date(g.createdAt).toISOString(), syncsAt: new Date(syncAt).toISOString(), willFail: g.fails });
      }
      if (gifts.length && !anySyncable && d.crmKey === null) {
        this.recon.heldBackDonorCount++;
        if (this.listing) this.recon.heldBackDonors.push(d.donorId);
      }
    }
    for (const [contactId, gs] of x.contactGifts) {
      for (const g of gs) {
        if (!g.claimsRaise || (g.raiseTx !== null && (live.has(g.raiseTx) || raiseGiftLive(w, g.raiseTx)))) continue;
        this.recon.claimsWithoutRaiseGift.push({ crmGiftId: g.id, contactId, transactionSource: 'Raise', transactionId: g.transactionId });
      }
    }
  }
}

function raiseGiftLive(w: World, id: number): boolean {
  const i = w.raiseGiftOwner(id);
  if (i === -1) return false;
  const d = w.plan(i).raise;
  return !!d && !d.deleted && d.gifts.some((g) => g.id === id && !g.deleted);
}

export function normalizedRefKey(source: string, id: string): string {
  return `${source.toLowerCase()}|${id}`;
}

