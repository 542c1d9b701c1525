/** Small constructors shared by the generic population and the hand-made scenarios. */
import type { Rng } from '../prng';
import { DAY, HOUR, MINUTE, crmQuantize, dayOf } from '../time';
import type { CampaignDef } from './catalog';
import { CITIES, LAST, STATES, STREET_SUFFIX, projectDateId } from './catalog';
import { ID, crmContactId, crmGiftId, crmIndividualId, participationId } from './ids';
import type { Address, ContactMethodPlan, CrmContactPlan, CrmGiftPlan, IndividualPlan, ParticipationPlan, PersonPlan } from './types';

export interface GenCtx {
  seed: number;
  people: number;
  startMs: number;
  lagMs: number;
  campaigns: CampaignDef[];
  campaignById: Map<number, CampaignDef>;
}

export const startDay = (ctx: GenCtx): number => dayOf(ctx.startMs);

export function emailLocal(s: string): string {
  return s.toLowerCase().replace(/[^a-z]/g, '');
}

/** Every generated address ends its local part with the person index: it maps back to its owner. */
export function indexedEmail(first: string, last: string, i: number, domain: string): string {
  return `${emailLocal(first)}.${emailLocal(last)}${i}@${domain}`;
}

export type PhoneStyle = 'e164' | 'paren' | 'dots' | 'dash' | 'plain' | 'intl';

export function formatPhone(d: string, style: PhoneStyle): string {
  const a = d.slice(0, 3);
  const b = d.slice(3, 6);
  const c = d.slice(6, 10);
  switch (style) {
    case 'e164':
      return `+1${d}`;
    case 'paren':
      return `(${a}) ${b}-${c}`;
    case 'dots':
      return `${a}.${b}.${c}`;
    case 'dash':
      return `${a}-${b}-${c}`;
    case 'plain':
      return d;
    case 'intl':
      return `+1 ${a} ${b} ${c}`;
  }
}

export function phoneDigits(r: Rng): string {
  let area = r.int(201, 989);
  if (area % 100 === 11) area += 1;
  return `${area}555${String(r.int(100, 9999)).padStart(4, '0')}`;
}

export function address(r: Rng): Address {
  return {
    address1: `${r.int(10, 9899)} ${r.pick(LAST)} ${r.pick(STREET_SUFFIX)}`,
    city: r.pick(CITIES),
    state: r.pick(STATES),
    postal: String(r.int(10001, 99950)).padStart(5, '0'),
  };
}

export function vomoAddress(a: Address): string {
  return `${a.address1}, ${a.city}, ${a.state} ${a.postal}`;
}

export type PartStatus = 'verified' | 'no_checkout' | 'no_show';

/** One participation; startsAt is local-noonish on `day`, check-out = check-in + hours. */
export function participation(i: number, k: number, day: number, projectIndex: number, hours: number, status: PartStatus, r: Rng, createdAt: number): ParticipationPlan {
  const startsAt = day * DAY + r.int(8, 17) * HOUR + r.pick([0, 15, 30, 45]) * MINUTE;
  const signedUpAt = Math.max(createdAt, startsAt - r.int(1, 30) * DAY - r.int(0, 86_399) * 1000);
  const checkedInAt = status === 'no_show' ? null : startsAt + r.int(-10, 10) * MINUTE;
  const checkedOutAt = status === 'verified' && checkedInAt !== null ? checkedInAt + hours * HOUR : null;
  return {
    id: participationId(i, k),
    projectId: 501 + projectIndex,
    projectDateId: projectDateId(projectIndex, day),
    startsAt,
    signedUpAt: Math.floor(signedUpAt / 1000) * 1000,
    checkedInAt: checkedInAt === null ? null : Math.floor(checkedInAt / 1000) * 1000,
    checkedOutAt: checkedOutAt === null ? null : Math.floor(checkedOutAt / 1000) * 1000,
    hours,
  };
}

export type MethodSpec = [type: string, value: string, primary?: boolean];

export function individual(
  i: number,
  k: number,
  o: { first: string; last: string; gender: 'Male' | 'Female' | null; isPrimary: boolean; birthYear?: number | null; emails?: MethodSpec[]; phones?: MethodSpec[]; id?: number; methodBase?: number },
): IndividualPlan {
  const id = o.id ?? crmIndividualId(i, k);
  const methodBase = o.methodBase ?? ID.contactMethod + 8 * (4 * i + k);
  const methods: ContactMethodPlan[] = [];
  const add = (specs: MethodSpec[] | undefined) => {
    specs?.forEach(([type, value, primary], n) => {
      methods.push({ id: methodBase + methods.length, type, value, isPrimary: primary ?? n === 0, isOptedIn: (id + methods.length) % 5 !== 0 });
    });
  };
  add(o.emails);
  add(o.phones);
  return { id, firstName: o.first, lastName: o.last, gender: o.gender, isPrimary: o.isPrimary, birthYear: o.birthYear ?? null, methods };
}

export function householdName(inds: IndividualPlan[]): string {
  if (inds.length >= 2 && inds[0]!.lastName === inds[1]!.lastName) return `${inds[0]!.firstName} & ${inds[1]!.firstName} ${inds[0]!.lastName}`;
  return `${inds[0]?.firstName ?? ''} ${inds[0]?.lastName ?? ''}`.trim();
}

export function contact(i: number, o: { createdAt: number; modifiedAt?: number; individuals: IndividualPlan[]; address: Address | null; type?: 'Household' | 'Organization'; name?: string; references?: { source: string; id: string }[]; tags?: string[] }): CrmContactPlan {
  const id = crmContactId(i);
  return {
    id,
    contactType: o.type ?? 'Household',
    name: o.name ?? householdName(o.individuals),
    createdAt: o.createdAt,
    modifiedAt: o.modifiedAt ?? o.createdAt,
    individuals: o.individuals,
    gifts: [],
    address: o.address,
    references: o.references ?? [],
    tags: o.tags ?? [],
  };
}

/** Appends a gift to a contact; created a day or so after the gift date, never after `cap`. */
export function addCrmGift(i: number, c: CrmContactPlan, day: number, amountCents: number, giftType: string, r: Rng, cap: number, extra?: { source?: string; transactionId?: string; segment?: string; createdAt?: number }): CrmGiftPlan {
  const k = c.gifts.length;
  const created = extra?.createdAt ?? Math.min(cap - r.int(5, 600) * 1000, (day + r.int(1, 4)) * DAY + r.int(8, 18) * HOUR + r.int(0, 3_599_999));
  const g: CrmGiftPlan = {
    id: crmGiftId(i, k),
    contactId: c.id,
    individualId: c.individuals[0]?.id ?? null,
    day,
    amountCents,
    giftType,
    transactionSource: extra?.source ?? null,
    transactionId: extra?.transactionId ?? null,
    segment: extra?.segment ?? null,
    createdAt: created,
    modifiedAt: created,
  };
  c.gifts.push(g);
  if (created > c.modifiedAt) c.modifiedAt = created;
  return g;
}

export function giftAmount(r: Rng): number {
  const dollars = r.weighted([
    [10, 6],
    [25, 14],
    [50, 16],
    [75, 4],
    [100, 14],
    [150, 3],
    [250, 6],
    [500, 3],
    [1000, 1.5],
    [2500, 0.4],
    [10000, 0.05],
  ] as const);
  return dollars * 100 + (r.chance(0.15) ? r.int(1, 99) : 0);
}

/** Makes the CRM+ side honest about its own precision: stored ms equal what the text shows. */
export function quantizeCrm(c: CrmContactPlan): void {
  c.createdAt = crmQuantize(c.createdAt, c.id);
  c.modifiedAt = crmQuantize(c.modifiedAt, c.id);
  for (const g of c.gifts) {
    g.createdAt = crmQuantize(g.createdAt, g.id);
    g.modifiedAt = crmQuantize(g.modifiedAt, g.id);
    if (g.modifiedAt > c.modifiedAt) c.modifiedAt = g.modifiedAt;
  }
}

export function emptyPlan(i: number, scenario: string | null): PersonPlan {
  return { i, scenario, vomo: null, crm: null, raise: null };
}
