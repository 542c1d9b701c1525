/** What the manifest needs to know about one person (a join component). */
import type { World } from '../state/world';
import { DAY, dayOf } from '../time';
import type { Component } from './join';
import type { Extracted } from './extract';

export interface PersonFacts {
  key: string;
  vomoUserIds: number[];
  crm: { contactId: number; individualId: number }[];
  raiseDonorIds: number[];
  volunteer: boolean;
  hasCrm: boolean;
  hasRaise: boolean;
  donor: boolean;
  giftCount: number;
  lastGiftDay: number | null;
  firstGiftDay: number | null;
  firstGiftIsRaise: boolean;
  verifiedHours: number;
  humans: string[];
}

export function factsOf(c: Component, x: Extracted): PersonFacts {
  const contactIds = [...new Set(c.ind.map((r) => r.contactId))];
  const raiseIds = new Set<number>();
  const gifts: { day: number; raise: boolean }[] = [];
  for (const d of c.d) for (const g of x.donorGifts.get(d.donorId) ?? []) {
    raiseIds.add(g.id);
    gifts.push({ day: g.day, raise: true });
  }
  for (const id of contactIds) for (const g of x.contactGifts.get(id) ?? []) if (g.raiseTx === null || !raiseIds.has(g.raiseTx)) gifts.push({ day: g.day, raise: false });
  let last: number | null = null;
  let first: number | null = null;
  for (const g of gifts) {
    if (last === null || g.day > last) last = g.day;
    if (first === null || g.day < first) first = g.day;
  }
  const firstRaise = first !== null && gifts.every((g) => g.day !== first || g.raise);
  const hasCrm = c.ind.length > 0;
  const hasRaise = c.d.length > 0;
  return {
    key: c.key,
    vomoUserIds: c.v.map((r) => r.vomoUserId).sort((a, b) => a - b),
    crm: c.ind.map((r) => ({ contactId: r.contactId, individualId: r.individualId })).sort((a, b) => a.individualId - b.individualId),
    raiseDonorIds: c.d.map((r) => r.donorId).sort((a, b) => a - b),
    volunteer: c.v.length > 0,
    hasCrm,
    hasRaise,
    donor: hasCrm || hasRaise,
    giftCount: gifts.length,
    lastGiftDay: last,
    firstGiftDay: first,
    firstGiftIsRaise: firstRaise,
    verifiedHours: c.v.reduce((s, r) => s + r.verifiedHours, 0),
    humans: [...new Set([...c.v, ...c.ind, ...c.d].map((r) => r.human))].sort(),
  };
}

export const LAPSE_DAYS = 365;
export const RECENT_FIRST_GIFT_DAYS = 90;
export const TOP_VOLUNTEERS = 25;

export function daysSince(w: World, day: number): number {
  return dayOf(w.now) - day;
}

export const isoOfDay = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10);
