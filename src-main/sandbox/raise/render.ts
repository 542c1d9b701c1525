/** Raise wire shapes (camelCase; ISO timestamps with Z). */
import type { CampaignDef } from '../generator/catalog';
import type { Address, RaiseDonorPlan, RaiseGiftPlan, RecurringPlan } from '../generator/types';
import type { CampaignState } from '../state/world';
import { dayOf, isoDay, money, raiseTimestamp, usDay } from '../time';
import { hash } from '../prng';

function addr(a: Address | null, donorId: number, id: number | null) {
  if (!a) return null;
  return { ...(id === null ? {} : { id }), donorId, address1: a.address1, address2: null, city: a.city, state: a.state, postal: a.postal, countryString: 'United States', addressTypeDisplay: 'Home', isPrimary: true };
}

export function crmKeyUrls(crmKey: number | null, crmBase: string): Record<string, { crmKey: string; url: string }> {
  return crmKey === null ? {} : { VirtuousCRM: { crmKey: String(crmKey), url: `${crmBase}/Contact/${crmKey}` } };
}

export function donorJson(d: RaiseDonorPlan, crmBase: string): Record<string, unknown> {
  const emails = [d.email, ...d.extraEmails].filter((e): e is string => typeof e === 'string' && e !== '');
  return {
    id: d.id,
    name: `${d.firstName} ${d.lastName}`,
    title: null,
    firstName: d.firstName,
    middleName: null,
    lastName: d.lastName,
    suffix: null,
    email: d.email,
    phone: d.phone,
    createdDate: raiseTimestamp(d.createdAt),
    modifiedDate: raiseTimestamp(d.modifiedAt),
    notes: null,
    isOrganization: false,
    organizationName: null,
    crmKeyUrls: crmKeyUrls(d.crmKey, crmBase),
    crmKey: d.crmKey === null ? null : String(d.crmKey),
    crmSecondKey: null,
    isTestMode: false,
    isArchived: false,
    isGDPRDeleted: false,
    primaryAddress: addr(d.address, d.id, d.id + 5_000_000),
    donorAddresses: d.address ? [addr(d.address, d.id, d.id + 5_000_000)] : [],
    donorEmailAddresses: emails.map((value, k) => ({ id: d.id * 4 + k, donorId: d.id, typeDisplay: k === 0 ? 'Personal' : 'Other', value, secondaryValue: null, isPrimary: k === 0, isOptedIn: (d.id + k) % 4 !== 0, isValid: true, isEmail: true, isPhone: false, isBounced: false, countryCode: null })),
    donorPhoneNumbers: d.phone ? [{ id: d.id * 4 + 3, donorId: d.id, typeDisplay: 'Mobile', value: d.phone, secondaryValue: null, isPrimary: true, isOptedIn: false, isValid: true, isEmail: false, isPhone: true, isBounced: false, countryCode: 'US' }] : [],
  };
}

export function giftJson(g: RaiseGiftPlan, d: RaiseDonorPlan, campaign: CampaignDef | undefined): Record<string, unknown> {
  const h = hash(g.id, 99);
  return {
    id: g.id,
    currency: 'USD',
    amount: g.amountAsString ? (g.amountCents / 100).toFixed(2) : g.amountCents / 100,
    formattedAmount: money(g.amountCents),
    date: raiseTimestamp(g.createdAt),
    createdDate: raiseTimestamp(g.createdAt),
    modifiedDate: raiseTimestamp(g.modifiedAt),
    statusText: 'Succeeded',
    gateway: 'Stripe',
    authorizationNumber: String(100000 + (h % 900000)),
    transactionId: `ch_${h.toString(36)}${g.id.toString(36)}`,
    donationId: g.id + 70_000_000,
    paymentInfo: `Visa ending in ${String(1000 + (h % 9000))}`,
    paymentType: 'CreditCard',
    segment: null,
    motivation: null,
    campaignName: campaign?.name ?? null,
    campaignId: g.campaignId,
    segmentName: null,
    notes: null,
    comment: null,
    donorId: g.donorId,
    billingName: `${d.firstName} ${d.lastName}`,
    shippingName: null,
    recurringGiftId: g.recurringGiftId,
    giftAidRequested: false,
    canRefund: true,
    donorPaidCosts: h % 5 === 0,
    paymentProviderTransactionUrl: null,
    submissionUrl: null,
    billingAddress: addr(d.address, d.id, null),
    shippingAddress: null,
    projects: [],
  };
}

export function campaignJson(c: CampaignDef, st: CampaignState): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    description: null,
    startDate: `${isoDay(c.startDay)}T00:00:00Z`,
    endDate: `${isoDay(c.endDay)}T23:59:59Z`,
    duration: `${c.endDay - c.startDay + 1} days`,
    canSync: st.canSync,
    crmKey: c.canSync ? String(9000 + c.id) : null,
    crmKeyUrls: {},
    applySegmentToRecurringGifts: false,
    givingGoal: null,
    givingGoalFormatted: null,
    hasGivingGoal: false,
    createdDateTime: raiseTimestamp(c.createdAt),
    modifiedDateTime: raiseTimestamp(st.modifiedAt),
  };
}

export function recurringJson(r: RecurringPlan, crmKey: number | null, crmBase: string, nowMs: number): Record<string, unknown> {
  const next = r.active ? r.startAt + r.cycles * 30 * 86_400_000 : null;
  const nextAt = next !== null && next < nowMs ? nowMs + 86_400_000 : next;
  return {
    id: r.id,
    donorId: r.donorId,
    campaignId: r.campaignId,
    amount: r.amountCents / 100,
    currencyCode: 'USD',
    formattedAmount: money(r.amountCents),
    frequency: 3,
    formattedFrequency: 'Monthly',
    startDate: raiseTimestamp(r.startAt),
    startDateFormatted: usDay(dayOf(r.startAt)),
    nextChargeDate: nextAt === null ? null : raiseTimestamp(nextAt),
    nextChargeDateFormatted: nextAt === null ? null : usDay(dayOf(nextAt)),
    successfulCycles: r.cycles,
    total: (r.amountCents * r.cycles) / 100,
    formattedTotal: money(r.amountCents * r.cycles),
    status: r.active ? 1 : 3,
    statusText: r.active ? 'Active' : 'Canceled',
    crmKey: crmKey === null ? null : String(crmKey),
    crmKeyUrls: crmKeyUrls(crmKey, crmBase),
    createdDate: raiseTimestamp(r.createdAt),
    modifiedDate: raiseTimestamp(r.modifiedAt),
  };
}
