/**
 * The Raise → CRM+ platform sync, simulated: an eligible Raise gift created at T becomes a
 * CRM+ gift (transactionSource "Raise", transactionId = Raise gift id) at T + lag, on the
 * donor's contact: by crmKey, else by email across every individual's email methods, else a new
 * contact. The donor then carries crmKey/crmKeyUrls. Eligibility (campaign canSync) is fixed at
 * the gift's creation; failing gifts never sync.
 */
import { crmQuantize, dayOf } from '../time';
import { formatPhone } from '../generator/build';
import type { CrmContactPlan } from '../generator/types';
import type { World } from '../state/world';
import { normEmail } from '../state/world';

export interface SyncReport {
  synced: { raiseGiftId: number; crmGiftId: number; contactId: number; at: string; contactCreated: boolean }[];
  skipped: { raiseGiftId: number; reason: string }[];
}

export function runSyncUntil(w: World, until: number, report: SyncReport = { synced: [], skipped: [] }): SyncReport {
  while (w.pendingSync.length && w.pendingSync[0]!.at <= until) {
    const item = w.pendingSync.shift()!;
    syncOne(w, item.i, item.giftId, item.at, report);
  }
  return report;
}

function syncOne(w: World, i: number, giftId: number, at: number, report: SyncReport): void {
  const d0 = w.plan(i).raise;
  const g0 = d0?.gifts.find((g) => g.id === giftId);
  if (!d0 || !g0 || d0.deleted || g0.deleted) return void report.skipped.push({ raiseGiftId: giftId, reason: 'deleted' });
  if (g0.fails) return void report.skipped.push({ raiseGiftId: giftId, reason: 'sync_failed' });
  if (!w.campaignCanSyncAt(g0.campaignId, g0.createdAt)) return void report.skipped.push({ raiseGiftId: giftId, reason: 'campaign_cannot_sync' });
  if (w.syncedRaiseGifts.has(giftId)) return void report.skipped.push({ raiseGiftId: giftId, reason: 'already_synced' });

  let c: CrmContactPlan | null = d0.crmKey !== null ? w.contact(d0.crmKey) : null;
  for (const e of [d0.email, ...d0.extraEmails]) {
    if (c) break;
    if (normEmail(e)) c = w.contactsByEmail(e!)[0] ?? null;
  }
  let created = false;
  if (!c) {
    created = true;
    const phone = d0.phone ? formatPhone(d0.phone.replace(/\D/g, '').slice(-10), 'paren') : null;
    const ind = { id: w.counters.crmIndividual++, firstName: d0.firstName, lastName: d0.lastName, gender: null, isPrimary: true, birthYear: null, methods: [] as CrmContactPlan['individuals'][0]['methods'] };
    if (d0.email) ind.methods.push({ id: 60_000_000 + ind.id * 4, type: 'Home Email', value: d0.email.trim(), isPrimary: true, isOptedIn: true });
    if (phone) ind.methods.push({ id: 60_000_000 + ind.id * 4 + 1, type: 'Mobile Phone', value: phone, isPrimary: true, isOptedIn: false });
    const own = w.plan(i).crm;
    const holder = !own || own.deleted ? w.touch(i) : w.newOrphan();
    c = { id: w.counters.crmContact++, contactType: 'Household', name: `${d0.firstName} ${d0.lastName}`, createdAt: at, modifiedAt: at, individuals: [ind], gifts: [], address: d0.address, references: [], tags: ['Raise Donor'] };
    holder.crm = c;
    w.owner.contact.set(c.id, holder.i);
    w.log('crm', 'contacts', c.id, 'created', 'raise-sync', at);
  }
  const owner = w.contactOwner(c.id);
  const cc = w.touch(owner).crm!;
  const donorEmails = new Set([d0.email, ...d0.extraEmails].map(normEmail).filter(Boolean));
  const ind = cc.individuals.find((x) => x.methods.some((m) => donorEmails.has(normEmail(m.value)))) ?? cc.individuals.find((x) => x.isPrimary) ?? cc.individuals[0];
  const crmGiftId = w.counters.crmGift++;
  cc.gifts.push({ id: crmGiftId, contactId: cc.id, individualId: ind?.id ?? null, day: dayOf(g0.createdAt), amountCents: g0.amountCents, giftType: 'Credit', transactionSource: 'Raise', transactionId: String(giftId), segment: w.ctx.campaignById.get(g0.campaignId)?.name ?? null, createdAt: crmQuantize(at, crmGiftId), modifiedAt: crmQuantize(at, crmGiftId) });
  w.owner.crmGift.set(crmGiftId, owner);
  w.syncedRaiseGifts.add(giftId);
  cc.modifiedAt = at;
  if (!created) w.log('crm', 'contacts', cc.id, 'updated', 'raise-sync', at);
  w.log('crm', 'gifts', crmGiftId, 'created', 'raise-sync', at);
  const d = w.touch(i).raise!;
  if (d.crmKey === null || !w.contact(d.crmKey)) {
    d.crmKey = cc.id;
    d.modifiedAt = at;
    w.log('raise', 'donors', d.id, 'updated', 'raise-sync', at);
  }
  report.synced.push({ raiseGiftId: giftId, crmGiftId, contactId: cc.id, at: new Date(at).toISOString(), contactCreated: created });
}
