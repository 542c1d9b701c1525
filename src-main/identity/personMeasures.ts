/**
 * A person's measures (hours, participations, giving, gift dates) from its records' measure
 * inputs, computed in the rebuild's person pass: the inputs are read with each record anyway
 * (they are part of its digest, see MEASURE_INPUTS), so summing them per cluster costs nothing,
 * where the set-based SQL in measures.ts costs a pass over every participation and gift after the
 * join. The rules are those of applyMeasures, to the cent and the quarter hour
 * (test/identity/personMeasures.test.ts compares the two on the sandbox); applyMeasures stays for
 * merges, undo and resolutions, which recompute a person without a rebuild.
 */
import type { ContactInfo, IdNode } from './nodes';

/** One VOMO user's participations, as VOMO_AGGREGATES (measures.ts) lists them. */
export type VomoInputs = [number, number | null, number | null, string | null, string | null, number | null, number | null, number | null, string | null, string | null];
/** One contact's gifts: count, sum of cents, first and last gift date. */
export type GiftInputs = [number, number | null, string | null, string | null];
/** One Raise donor's counted gifts: as GiftInputs, then the cents of those CRM+ does not have yet. */
export type RaiseInputs = [number, number | null, string | null, string | null, number | null];

export interface PersonMeasures {
  vomo_hours_total: number;
  vomo_hours_verified: number;
  vomo_participations_count: number;
  first_participation_at: string | null;
  last_participation_at: string | null;
  vomo_verified_count: number;
  vomo_verified_by_flag: number;
  vomo_verified_by_check: number;
  first_attended_at: string | null;
  last_attended_at: string | null;
  crm_life_to_date_cents: number | null;
  crm_gift_count: number;
  raise_giving_cents: number;
  raise_gift_count: number;
  first_raise_gift_date: string | null;
  last_raise_gift_date: string | null;
  lifetime_giving_cents: number;
  first_gift_date: string | null;
  last_gift_date: string | null;
}

export const MEASURE_COLUMNS: (keyof PersonMeasures)[] = [
  'vomo_hours_total',
  'vomo_hours_verified',
  'vomo_participations_count',
  'first_participation_at',
  'last_participation_at',
  'vomo_verified_count',
  'vomo_verified_by_flag',
  'vomo_verified_by_check',
  'first_attended_at',
  'last_attended_at',
  'crm_life_to_date_cents',
  'crm_gift_count',
  'raise_giving_cents',
  'raise_gift_count',
  'first_raise_gift_date',
  'last_raise_gift_date',
  'lifetime_giving_cents',
  'first_gift_date',
  'last_gift_date',
];

/** SQL's MIN/MAX over text, NULLs left out. */
const min = (a: string | null, b: string | null) => (a === null ? b : b === null || a <= b ? a : b);
const max = (a: string | null, b: string | null) => (a === null ? b : b === null || a >= b ? a : b);
const day = (v: string | null) => (v === null ? null : v.slice(0, 10));

/**
 * givingContact: the person's CRM+ contact when the person is its giving owner (the contact's
 * giving counts once, on the person holding its primary individual), else null.
 */
export function personMeasures(nodes: IdNode[], givingContact: ContactInfo | null): PersonMeasures {
  // VOMO: every participation of every linked user (a person with none has 0 hours).
  let parts = 0;
  let total: number | null = null;
  let verified: number | null = null;
  let firstAt: string | null = null;
  let lastAt: string | null = null;
  let verifiedCount = 0;
  let byFlag = 0;
  let byCheck = 0;
  let firstAttended: string | null = null;
  let lastAttended: string | null = null;
  // Raise: every counted gift of every linked donor.
  let raiseCount = 0;
  let raiseTotal: number | null = null;
  let raiseFirst: string | null = null;
  let raiseLast: string | null = null;
  let raiseNotInCrm = 0;
  for (const n of nodes) {
    if (n.kind === 'vomo' && n.inputs && n.inputs[0] > 0) {
      const [c, t, v, f, l, vc, bf, bc, fa, la] = n.inputs;
      parts += c;
      total = (total ?? 0) + (t ?? 0);
      verified = (verified ?? 0) + (v ?? 0);
      firstAt = min(firstAt, f);
      lastAt = max(lastAt, l);
      verifiedCount += vc ?? 0;
      byFlag += bf ?? 0;
      byCheck += bc ?? 0;
      firstAttended = min(firstAttended, fa);
      lastAttended = max(lastAttended, la);
    } else if (n.kind === 'raise' && n.inputs && n.inputs[0] > 0) {
      const [c, t, f, l, notInCrm] = n.inputs;
      raiseCount += c;
      raiseTotal = (raiseTotal ?? 0) + (t ?? 0);
      raiseFirst = min(raiseFirst, f);
      raiseLast = max(raiseLast, l);
      raiseNotInCrm += notInCrm ?? 0;
    }
  }
  // CRM+: the contact's lifeToDate as parsed, else the sum of its gifts; only on the giving owner.
  let crmLtd: number | null = null;
  let crmCount = 0;
  let crmFirst: string | null = null;
  let crmLast: string | null = null;
  if (givingContact) {
    const [c, t, f, l] = givingContact.gifts ?? [0, null, null, null];
    crmLtd = givingContact.lifeToDateCents ?? t;
    crmCount = c;
    crmFirst = day(f);
    const cLast = givingContact.lastGiftDate;
    crmLast = cLast === null ? day(l) : l === null || cLast > l ? day(cLast) : day(l);
  }
  const raiseGiving = raiseTotal ?? 0;
  const firstRaise = day(raiseFirst);
  const lastRaise = day(raiseLast);
  return {
    vomo_hours_total: total ?? 0,
    vomo_hours_verified: verified ?? 0,
    vomo_participations_count: parts,
    first_participation_at: firstAt,
    last_participation_at: lastAt,
    vomo_verified_count: verifiedCount,
    vomo_verified_by_flag: byFlag,
    vomo_verified_by_check: byCheck,
    first_attended_at: firstAttended,
    last_attended_at: lastAttended,
    crm_life_to_date_cents: crmLtd,
    crm_gift_count: crmCount,
    raise_giving_cents: raiseGiving,
    raise_gift_count: raiseCount,
    first_raise_gift_date: firstRaise,
    last_raise_gift_date: lastRaise,
    // A Raise gift that reached CRM+ is in the CRM+ lifetime already: add only those it lacks.
    lifetime_giving_cents: (crmLtd ?? 0) + raiseNotInCrm,
    first_gift_date: min(crmFirst, firstRaise),
    last_gift_date: max(crmLast, lastRaise),
  };
}
