/**
 * The ground-truth manifest, computed from the data as served (not from the generator's
 * intentions), so it stays right after any advance, sync, batch or deletion. People whose
 * records cannot reach anyone else's (generic, untouched) are joined one at a time; scenario
 * people, touched people and whatever their emails or crmKeys reach are joined together.
 */
import type { TransactionQueue } from '../crm/transactions';
import { SCENARIOS } from '../generator/scenarios';
import type { PersonPlan } from '../generator/types';
import type { World } from '../state/world';
import { planEmails } from '../state/world';
import { Aggregator, TWOFOLD_REFERENCE_SOURCE, normalizedRefKey } from './aggregate';
import { emptyExtract, extractInto } from './extract';
import { LAPSE_DAYS, RECENT_FIRST_GIFT_DAYS, TOP_VOLUNTEERS } from './facts';
import { joinRecords } from './join';
import { MANIFEST_DEFINITIONS } from './definitions';
import { recordCounts } from './records';
import { cmp } from '../cmp';

export type Manifest = ReturnType<typeof computeManifest>;

export interface ManifestInput {
  listLimit: number;
  forceFull?: boolean;
  advances: { from: string; to: string; changes: unknown }[];
  tx: TransactionQueue;
}

function specialSet(w: World): Set<number> {
  const s = new Set<number>([...w.scenarioIndexes, ...w.overrides.keys()]);
  let frontier = [...s];
  while (frontier.length) {
    const next: number[] = [];
    for (const i of frontier) {
      const p = w.plan(i);
      const reach = [...planEmails(p).flatMap((e) => w.emailCandidates(e))];
      if (p.raise?.crmKey != null) reach.push(w.contactOwner(p.raise.crmKey));
      for (const j of reach) {
        if (j === -1 || s.has(j)) continue;
        s.add(j);
        next.push(j);
      }
    }
    frontier = next;
  }
  return s;
}

export function computeManifest(w: World, input: ManifestInput) {
  const listing = w.N <= input.listLimit;
  const refs = new Map<string, number>();
  const refHolders = new Set<number>([...w.scenarioIndexes, ...w.overrides.keys()]);
  for (const i of refHolders) {
    const c = w.plan(i).crm;
    if (c && !c.deleted) for (const r of c.references) if (!refs.has(normalizedRefKey(r.source, r.id)) || refs.get(normalizedRefKey(r.source, r.id))! > c.id) refs.set(normalizedRefKey(r.source, r.id), c.id);
  }
  const agg = new Aggregator(w, listing, refs);
  const special = input.forceFull ? new Set(w.allIndexes()) : specialSet(w);
  const sx = emptyExtract();
  const malformed: Record<string, unknown>[] = [];
  const quirks: Record<string, unknown>[] = [];
  const note = (p: PersonPlan) => {
    if (p.vomo?.malformed && !p.vomo.deleted) malformed.push({ api: 'vomo', resource: 'users', id: p.vomo.id, kind: p.vomo.malformed.kind, why: p.vomo.malformed.why, expected: 'skip' });
    if (p.crm?.malformed && !p.crm.deleted) malformed.push({ api: 'crm', resource: 'contacts', id: p.crm.id, kind: p.crm.malformed.kind, why: p.crm.malformed.why, expected: 'skip' });
    const v = p.vomo;
    if (v?.quirk && !v.deleted) {
      if (v.quirk.idAsString) quirks.push({ api: 'vomo', resource: 'users', id: v.id, field: 'id', kind: 'wrong_type', note: `id sent as the string "${v.id}"` });
      if (v.quirk.emailKey) quirks.push({ api: 'vomo', resource: 'users', id: v.id, field: 'email', kind: 'renamed', note: 'email sent under the key "e_mail"' });
      if (v.quirk.omitKeys) quirks.push({ api: 'vomo', resource: 'users', id: v.id, field: v.quirk.omitKeys.join(','), kind: 'missing', note: 'keys absent from the record' });
    }
    if (v && !v.deleted && v.participations.some((x) => x.hoursAsString)) quirks.push({ api: 'vomo', resource: 'users', id: v.id, field: 'participations[].hours', kind: 'wrong_type', note: 'hours sent as strings like "2.5" (GET /users/{id})' });
    if (v && !v.deleted && v.participations.some((x) => x.verified !== undefined)) quirks.push({ api: 'vomo', resource: 'users', id: v.id, field: 'participations[].verified', kind: 'extra_flag', note: 'some participations carry "verified"; when present it decides, else check-in and check-out do' });
    for (const ind of p.crm?.individuals ?? []) if (ind.quirk?.pascalFirstName && !p.crm!.deleted) quirks.push({ api: 'crm', resource: 'contacts', id: p.crm!.id, individualId: ind.id, field: 'firstName', kind: 'renamed', note: 'individual sends "FirstName" (PascalCase) instead of "firstName"' });
    for (const g of p.raise?.gifts ?? []) if (g.amountAsString && !g.deleted && !p.raise!.deleted) quirks.push({ api: 'raise', resource: 'gifts', id: g.id, field: 'amount', kind: 'wrong_type', note: `amount sent as the string "${(g.amountCents / 100).toFixed(2)}"` });
  };
  for (const i of [...special].sort((a, b) => a - b)) {
    const p = w.plan(i);
    extractInto(sx, p);
    note(p);
  }
  agg.add(joinRecords(sx), sx);
  for (let i = 0; i < w.nextExt; i++) {
    if (special.has(i)) continue;
    const x = emptyExtract();
    extractInto(x, w.planOnce(i));
    agg.add(joinRecords(x), x);
  }
  agg.trimTop();
  const sortKey = (a: { person: string }, b: { person: string }) => cmp(a.person, b.person);
  const scenarioDir = SCENARIOS.map(([name], j) => {
    const i = w.scenarioIndexes[j]!;
    const p = w.plan(i);
    return { name, index: i, vomoUserId: p.vomo?.id ?? null, crmContactId: p.crm?.id ?? null, crmIndividualIds: p.crm?.individuals.map((x) => x.id) ?? [], raiseDonorId: p.raise?.id ?? null };
  });

  return {
    manifestVersion: 1,
    seed: w.ctx.seed,
    people: w.N,
    startedAt: new Date(w.ctx.startMs).toISOString(),
    now: new Date(w.now).toISOString(),
    stateVersion: w.version,
    syncLagHours: w.ctx.lagMs / 3_600_000,
    listsIncluded: listing,
    definitions: MANIFEST_DEFINITIONS,
    counts: agg.counts,
    truthCounts: agg.truthCounts,
    recordCounts: recordCounts(w),
    malformed,
    quirks,
    scenarios: scenarioDir,
    persons: listing ? agg.persons.map((f) => ({ key: f.key, vomoUserIds: f.vomoUserIds, crm: f.crm, raiseDonorIds: f.raiseDonorIds, volunteer: f.volunteer, donor: f.donor, hasCrm: f.hasCrm, hasRaise: f.hasRaise })).sort((a, b) => cmp(a.key, b.key)) : null,
    splits: agg.splits.sort((a, b) => cmp(String(a.vomoUserId), String(b.vomoUserId))),
    householdsSharingEmail: agg.households.sort((a, b) => a.contactId - b.contactId),
    fieldConflicts: agg.conflicts.sort((a, b) => cmp(String(a.person), String(b.person)) || cmp(String(a.field), String(b.field))),
    nonConflicts: { count: agg.nonConflictCount, list: listing ? agg.nonConflicts.sort((a, b) => cmp(String(a.person), String(b.person)) || cmp(String(a.field), String(b.field))) : null },
    lists: {
      donorVolunteers: listing ? agg.lists.donorVolunteers.sort() : null,
      volunteersOnly: listing ? agg.lists.volunteersOnly.sort() : null,
      donorsOnly: listing ? agg.lists.donorsOnly.sort() : null,
      lapsedDonorsStillVolunteering: { lapseDays: LAPSE_DAYS, count: agg.lapsedCount, list: listing ? agg.lapsed.sort(sortKey) : null },
      lapseEdges: { exactly365DaysLapsed: agg.edge.exactly365.sort(), at364DaysNotLapsed: agg.edge.at364.sort() },
      topVolunteersNeverGave: { limit: TOP_VOLUNTEERS, list: agg.top },
      recentFirstTimeRaiseDonorsWhoVolunteer: { withinDays: RECENT_FIRST_GIFT_DAYS, count: agg.firstTimeCount, list: agg.firstTime.sort(sortKey) },
    },
    reconciliation: {
      raiseGifts: agg.recon.raiseGifts,
      syncedToCrm: agg.recon.syncedToCrm,
      heldBackByCanSyncFalse: agg.recon.heldBackGifts,
      raiseGiftsMissingInCrm: agg.recon.missingInCrm.sort((a, b) => Number(a.raiseGiftId) - Number(b.raiseGiftId)),
      raiseGiftsInsideLagWindow: agg.recon.insideLagWindow.sort((a, b) => Number(a.raiseGiftId) - Number(b.raiseGiftId)),
      donorsHeldBackByCanSyncFalse: { count: agg.recon.heldBackDonorCount, list: listing ? agg.recon.heldBackDonors.sort((a, b) => a - b) : null },
      crmGiftsClaimingRaiseWithoutRaiseGift: agg.recon.claimsWithoutRaiseGift.sort((a, b) => Number(a.crmGiftId) - Number(b.crmGiftId)),
    },
    contactTransactions: {
      referenceSource: TWOFOLD_REFERENCE_SOURCE,
      counts: { byReference: agg.tx.byReference, byEmail: agg.tx.byEmail, new: agg.tx.new },
      cases: listing ? agg.tx.cases.sort((a, b) => a.vomoUserId - b.vomoUserId) : null,
      pending: input.tx.pending.length,
      processed: input.tx.history,
    },
    advances: input.advances,
  };
}
