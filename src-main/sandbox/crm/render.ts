/** CRM+ wire shapes: camelCase, display-string money, offset-less timestamps. */
import type { CrmContactPlan, CrmGiftPlan, IndividualPlan } from '../generator/types';
import { crmDate, crmTimestamp, dayOf, money, usDay } from '../time';
import { ID } from '../generator/ids';

const AUDIT_USERS = ['Data Import', 'Sarah Admin', 'API', 'Gift Entry'];
const who = (id: number) => AUDIT_USERS[id % AUDIT_USERS.length]!;

function audit(created: number, modified: number, salt: number) {
  return { createDateTimeUtc: crmTimestamp(created, salt), createdByUser: who(salt), modifiedDateTimeUtc: crmTimestamp(modified, salt + 1), modifiedByUser: who(salt + 1) };
}

function liveGifts(c: CrmContactPlan): CrmGiftPlan[] {
  return c.gifts.filter((g) => !g.deleted);
}

export function givingSummary(c: CrmContactPlan, nowMs: number) {
  const gifts = liveGifts(c);
  const year = new Date(nowMs).getUTCFullYear();
  let life = 0;
  let ytd = 0;
  let last: CrmGiftPlan | null = null;
  for (const g of gifts) {
    life += g.amountCents;
    if (new Date(g.day * 86_400_000).getUTCFullYear() === year) ytd += g.amountCents;
    if (!last || g.day > last.day || (g.day === last.day && g.id > last.id)) last = g;
  }
  return { lifeToDateGiving: money(life), yearToDateGiving: money(ytd), lastGiftAmount: money(last?.amountCents ?? 0), lastGiftDate: last ? usDay(last.day) : 'Unavailable' };
}

function individualJson(c: CrmContactPlan, ind: IndividualPlan, k: number): Record<string, unknown> {
  const o: Record<string, unknown> = {
    id: ind.id,
    contactId: c.id,
    prefix: null,
    prefix2: null,
    firstName: ind.firstName,
    middleName: null,
    lastName: ind.lastName,
    preMarriageName: null,
    suffix: null,
    nickname: null,
    gender: ind.gender,
    isPrimary: ind.isPrimary,
    canBePrimary: !ind.isPrimary,
    isSecondary: !ind.isPrimary && k === 1,
    canBeSecondary: !ind.isPrimary && k !== 1,
    birthMonth: ind.birthYear ? 1 + (ind.id % 12) : null,
    birthDay: ind.birthYear ? 1 + (ind.id % 28) : null,
    birthYear: ind.birthYear,
    birthDate: ind.birthYear ? `${1 + (ind.id % 12)}/${1 + (ind.id % 28)}/${ind.birthYear}` : '',
    approximateAge: ind.birthYear ? 2026 - ind.birthYear : null,
    isDeceased: false,
    deceasedDate: '',
    passion: null,
    avatarUrl: null,
    contactMethods: ind.methods.map((m) => ({ id: m.id, type: m.type, value: m.value, isOptedIn: m.isOptedIn, isPrimary: m.isPrimary, canBePrimary: !m.isPrimary, ...audit(c.createdAt, c.createdAt, m.id) })),
    ...audit(c.createdAt, c.createdAt, ind.id),
    customFields: [],
    customCollections: [],
  };
  if (ind.quirk?.pascalFirstName) {
    delete o.firstName;
    o.FirstName = ind.firstName;
  }
  if (ind.quirk?.omitMethods) delete o.contactMethods;
  return o;
}

function addressText(c: CrmContactPlan): string | null {
  const a = c.address;
  return a ? `${a.address1}\r\n${a.city}, ${a.state} ${a.postal}` : null;
}

export function fullContact(c: CrmContactPlan, nowMs: number): Record<string, unknown> {
  const first = c.individuals[0];
  const a = c.address;
  return {
    id: c.id,
    contactType: c.contactType,
    isPrivate: false,
    name: c.name,
    informalName: c.contactType === 'Household' ? c.individuals.map((i) => i.firstName).join(' & ') : c.name,
    formalContactName: c.name,
    alternateContactName: null,
    preferredSalutationName: first?.firstName ?? c.name,
    preferredAddresseeName: c.name,
    description: null,
    website: null,
    maritalStatus: c.individuals.length > 1 ? 'Married' : null,
    anniversaryMonth: null,
    anniversaryDay: null,
    anniversaryYear: null,
    mergedIntoContactId: null,
    address: a ? { id: ID.address + c.id, label: 'Home', address1: a.address1, address2: null, city: a.city, state: a.state, postal: a.postal, country: 'USA', isPrimary: true, canBePrimary: false, startMonth: 1, startDay: 1, endMonth: 12, endDay: 31, ...audit(c.createdAt, c.createdAt, ID.address + c.id) } : null,
    giftAskAmount: '',
    giftAskType: '',
    ...givingSummary(c, nowMs),
    contactIndividuals: c.malformed?.kind === 'individuals_string' ? c.individuals.map((i) => `${i.firstName} ${i.lastName}`).join(', ') : c.individuals.map((ind, k) => individualJson(c, ind, k)),
    contactGiftsUrl: `/api/Gift/ByContact/${c.id}`,
    contactPassthroughGiftsUrl: `/api/Gift/Passthrough/ByContact/${c.id}`,
    contactPlannedGiftsUrl: `/api/PlannedGift/ByContact/${c.id}`,
    contactRecurringGiftsUrl: `/api/RecurringGift/ByContact/${c.id}`,
    contactImportantNotesUrl: `/api/ContactNote/ByContact/${c.id}?important=true`,
    contactNotesUrl: `/api/ContactNote/ByContact/${c.id}`,
    contactTagsUrl: `/api/ContactTag/ByContact/${c.id}`,
    contactRelationshipsUrl: `/api/Relationship/ByContact/${c.id}`,
    primaryAvatarUrl: null,
    isCurrentUserFollowing: false,
    originSegmentId: null,
    originSegment: null,
    contactReferences: c.references.map((r) => ({ source: r.source, id: r.id })),
    ...audit(c.createdAt, c.modifiedAt, c.id),
    tags: c.tags,
    organizationGroups: [],
    customFields: [],
    customCollections: [],
  };
}

export function abbreviatedContact(c: CrmContactPlan): Record<string, unknown> {
  const prim = c.individuals.find((i) => i.isPrimary) ?? c.individuals[0];
  const email = prim?.methods.find((m) => m.type.endsWith('Email') && m.isPrimary) ?? prim?.methods.find((m) => m.type.endsWith('Email'));
  const phone = prim?.methods.find((m) => m.type.endsWith('Phone'));
  return { id: c.id, name: c.name, contactType: c.contactType, contactName: c.name, address: addressText(c), email: email?.value ?? null, phone: phone?.value ?? null, contactViewUrl: `https://app.virtuoussoftware.com/Generosity/Contact/View/${c.id}` };
}

export function fullGift(g: CrmGiftPlan, c: CrmContactPlan): Record<string, unknown> {
  const amount = g.amountCents / 100;
  return {
    id: g.id,
    transactionSource: g.transactionSource,
    transactionId: g.transactionId,
    contactId: g.contactId,
    contactName: c.name,
    contactUrl: `/api/Contact/${g.contactId}`,
    giftType: g.giftType,
    giftTypeFormatted: g.giftType,
    giftDate: crmDate(g.day),
    giftDateFormatted: usDay(g.day),
    amount,
    amountFormatted: money(g.amountCents),
    currencyCode: 'USD',
    exchangeRate: 1,
    baseCurrencyCode: 'USD',
    batch: g.transactionSource === 'Raise' ? 'Raise Sync' : `Batch ${dayOf(g.createdAt)}`,
    ...audit(g.createdAt, g.modifiedAt, g.id),
    segmentId: g.segment ? 300 + (g.segment.length % 50) : null,
    segment: g.segment,
    segmentCode: g.segment ? g.segment.replace(/[^A-Za-z0-9]/g, '').slice(0, 12).toUpperCase() : null,
    segmentUrl: g.segment ? `/api/Segment/${300 + (g.segment.length % 50)}` : null,
    mediaOutletId: null,
    mediaOutlet: null,
    grantId: null,
    grant: null,
    grantUrl: null,
    notes: null,
    tribute: null,
    tributeId: null,
    tributeType: null,
    acknowledgeeIndividualId: null,
    isAcknowledgedGift: false,
    acknowledgementDate: null,
    acknowledgementNotes: null,
    receiptDate: null,
    receiptDateFormatted: null,
    contactPassthroughId: null,
    contactPassthroughUrl: null,
    contactIndividualId: g.individualId,
    cashAccountingCode: null,
    giftAskId: null,
    contactMembershipId: null,
    giftDesignations: [{ id: g.id + 40_000_000, projectId: 1, project: 'General Fund', projectCode: 'GEN', externalAccountingCode: '4000', projectType: 'Fund', projectLocation: null, projectUrl: '/api/Project/1', amountDesignated: amount, display: `General Fund: ${money(g.amountCents)}` }],
    giftPremiums: [],
    pledgePayments: [],
    recurringGiftPayments: [],
    giftUrl: `/api/Gift/${g.id}`,
    isPrivate: false,
    isTaxDeductible: true,
    customFields: [],
  };
}

/** The short gift of ByContact and Gift/Query: M/D/YYYY date and a display-string amount. */
export function abbreviatedGift(g: CrmGiftPlan, withDesignations: boolean): Record<string, unknown> {
  return {
    id: g.id,
    contactId: g.contactId,
    contactIndividualId: g.individualId,
    giftType: g.giftType,
    giftDate: usDay(g.day),
    amount: money(g.amountCents),
    segment: g.segment,
    batch: g.transactionSource === 'Raise' ? 'Raise Sync' : `Batch ${dayOf(g.createdAt)}`,
    giftUrl: `/api/Gift/${g.id}`,
    culture: 'en-US',
    exchangeRate: 1,
    currencyCode: 'USD',
    baseCurrencyCode: 'USD',
    ...(withDesignations ? { giftDesignations: [{ id: g.id + 40_000_000, projectId: 1, project: 'General Fund', projectCode: 'GEN', amountDesignated: g.amountCents / 100 }] } : {}),
  };
}
