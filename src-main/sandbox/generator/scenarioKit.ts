/** Terse builders for the hand-made scenario people (see scenarios.ts and MANIFEST.md). */
import { Rng, hash } from '../prng';
import { DAY, HOUR, MINUTE } from '../time';
import type { GenCtx, MethodSpec, PartStatus } from './build';
import { addCrmGift, contact, emptyPlan, individual, participation, quantizeCrm, startDay } from './build';
import { applyBaseSync } from './baseSync';
import { campaignFor } from './catalog';
import { raiseDonorId, raiseGiftId, vomoUserId } from './ids';
import type { ParticipationPlan, PersonPlan, VomoUserPlan } from './types';

export interface PartSpec {
  count: number;
  hours: number | ((k: number) => number);
  status?: (k: number) => PartStatus;
  verified?: (k: number) => boolean | undefined;
  hoursAsString?: boolean;
  /** Spread participations over this many days before the start (most recent first day = 3). */
  spanDays?: number;
}

export function parts(ctx: GenCtx, i: number, createdAt: number, spec: PartSpec): ParticipationPlan[] {
  const r = new Rng(hash(ctx.seed, i, 4242));
  const sd = startDay(ctx);
  const span = spec.spanDays ?? 900;
  const out: ParticipationPlan[] = [];
  for (let k = 0; k < spec.count; k++) {
    const day = sd - 3 - Math.floor(((spec.count - 1 - k) * span) / Math.max(1, spec.count));
    const hours = typeof spec.hours === 'number' ? spec.hours : spec.hours(k);
    const p = participation(i, k, day, k % 12, hours, spec.status?.(k) ?? 'verified', r, createdAt);
    const v = spec.verified?.(k);
    if (v !== undefined) p.verified = v;
    if (spec.hoursAsString) p.hoursAsString = true;
    out.push(p);
  }
  return out;
}

export interface VomoSpec {
  first: string;
  last: string;
  email: string;
  phone?: string | null;
  parts?: PartSpec;
  quirk?: VomoUserPlan['quirk'];
  malformed?: VomoUserPlan['malformed'];
}

export function vomo(ctx: GenCtx, plan: PersonPlan, o: VomoSpec): void {
  const createdAt = (startDay(ctx) - 1000) * DAY + 10 * HOUR + (plan.i % 60) * MINUTE;
  plan.vomo = {
    id: vomoUserId(plan.i),
    firstName: o.first,
    lastName: o.last,
    email: o.email,
    phone: o.phone ?? null,
    birthday: `19${70 + (plan.i % 29)}-0${1 + (plan.i % 9)}-1${plan.i % 10}`,
    gender: plan.i % 2 ? 'F' : 'M',
    address: null,
    createdAt,
    updatedAt: ctx.startMs - (10 + (plan.i % 20)) * DAY - (plan.i % 3600) * 1000,
    role: 'VOLUNTEER',
    participations: parts(ctx, plan.i, createdAt, o.parts ?? { count: 6, hours: 3, spanDays: 300 }),
    quirk: o.quirk,
    malformed: o.malformed,
  };
}

export interface IndSpec {
  first: string;
  last: string;
  emails?: MethodSpec[];
  phones?: MethodSpec[];
  primary?: boolean;
  gender?: 'Male' | 'Female' | null;
}
export interface GiftSpec {
  daysAgo: number;
  amount: number;
  type?: string;
  source?: string;
  txid?: string;
}

export function crm(ctx: GenCtx, plan: PersonPlan, o: { individuals: IndSpec[]; gifts?: GiftSpec[]; createdDaysAgo?: number; references?: { source: string; id: string }[]; type?: 'Household' | 'Organization'; name?: string }): void {
  const sd = startDay(ctx);
  const r = new Rng(hash(ctx.seed, plan.i, 4343));
  const inds = o.individuals.map((s, k) =>
    individual(plan.i, k, { first: s.first, last: s.last, gender: s.gender ?? null, isPrimary: s.primary ?? k === 0, birthYear: 1960 + ((plan.i + k * 7) % 40), emails: s.emails, phones: s.phones }),
  );
  const c = contact(plan.i, { createdAt: (sd - (o.createdDaysAgo ?? 1500)) * DAY + 11 * HOUR + (plan.i % 997) * 1000, individuals: inds, address: null, type: o.type, name: o.name, references: o.references });
  for (const g of [...(o.gifts ?? [])].sort((a, b) => b.daysAgo - a.daysAgo)) {
    addCrmGift(plan.i, c, sd - g.daysAgo, Math.round(g.amount * 100), g.type ?? 'Check', r, ctx.startMs - HOUR, { source: g.source, transactionId: g.txid });
  }
  plan.crm = c;
}

export interface RaiseGiftSpec {
  daysAgo?: number;
  minutesAgo?: number;
  amount: number;
  sync: boolean;
  fails?: boolean;
  amountAsString?: boolean;
}

export function raise(ctx: GenCtx, plan: PersonPlan, o: { first: string; last: string; email: string; phone?: string | null; gifts: RaiseGiftSpec[]; extraEmails?: string[] }): void {
  const sd = startDay(ctx);
  const donorId = raiseDonorId(plan.i);
  const specs = [...o.gifts].sort((a, b) => (b.daysAgo ?? 0) * 1440 + (b.minutesAgo ?? 0) - ((a.daysAgo ?? 0) * 1440 + (a.minutesAgo ?? 0)));
  const gifts = specs.map((g, k) => {
    const createdAt = g.minutesAgo !== undefined ? ctx.startMs - g.minutesAgo * MINUTE : (sd - g.daysAgo!) * DAY + 14 * HOUR + (plan.i % 50) * MINUTE;
    const camp = campaignFor(ctx.campaigns, Math.floor(createdAt / DAY), g.sync, ((plan.i * 31 + k * 7) % 100) / 100);
    return { id: raiseGiftId(plan.i, k), donorId, createdAt, modifiedAt: createdAt, amountCents: Math.round(g.amount * 100), campaignId: camp.id, fails: g.fails ?? false, recurringGiftId: null, amountAsString: g.amountAsString };
  });
  plan.raise = {
    id: donorId,
    firstName: o.first,
    lastName: o.last,
    email: o.email,
    phone: o.phone ?? null,
    extraEmails: o.extraEmails ?? [],
    createdAt: gifts[0]!.createdAt - 5 * MINUTE,
    modifiedAt: Math.max(...gifts.map((g) => g.createdAt)),
    crmKey: null,
    address: null,
    gifts,
    recurring: null,
  };
}

export function finish(ctx: GenCtx, plan: PersonPlan): PersonPlan {
  applyBaseSync(ctx, plan);
  if (plan.crm) quantizeCrm(plan.crm);
  return plan;
}

export function blank(i: number, name: string): PersonPlan {
  return emptyPlan(i, name);
}
