/**
 * The everyday population: person i's records are a pure function of (seed, i). Generic
 * people are deliberately clean (one email per person, embedded index, same names everywhere)
 * so that every join subtlety comes from the scenarios, where the manifest can name it.
 */
import { STREAM, rngFor } from '../prng';
import { DAY, dayOf } from '../time';
import type { GenCtx } from './build';
import { addCrmGift, address, contact, emptyPlan, formatPhone, giftAmount, householdName, indexedEmail, individual, participation, phoneDigits, quantizeCrm, startDay, vomoAddress } from './build';
import type { PartStatus } from './build';
import { DOMAINS, FEMALE, LAST, MALE, PROJECTS, WORK_DOMAINS, campaignFor } from './catalog';
import { applyBaseSync } from './baseSync';
import { raiseDonorId, raiseGiftId, raiseRecurringId, vomoUserId } from './ids';
import type { Address, PersonPlan, RaiseGiftPlan, RecurringPlan, VomoUserPlan } from './types';

/** "Mary.Smith12@Example.com": the same address, differently cased, as another system keeps it. */
export function titleCaseEmail(e: string): string {
  return e.replace(/(^|[.@])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase());
}

/**
 * `lite` skips everything the start-up index does not need (names, individuals, participations)
 * without changing any value it does need: those come from streams that lite mode still reads
 * in full, in the same order (test/sandbox/generator.test.ts checks lite against full).
 */
export function planGeneric(ctx: GenCtx, i: number, lite = false): PersonPlan {
  const plan = emptyPlan(i, null);
  const role = rngFor(ctx.seed, i, STREAM.role);
  const roll = role.next();
  const volunteer = roll < 0.6;
  const donor = roll >= 0.35;
  let native = false;
  let raise: 'none' | 'synced' | 'held' = 'none';
  let zero = false;
  if (donor) {
    const c = role.next();
    if (c < 0.5) native = true;
    else if (c < 0.8) {
      raise = 'synced';
      native = role.chance(0.3);
    } else if (c < 0.92) {
      raise = 'held';
      native = role.chance(0.4);
    } else {
      native = true;
      zero = true;
    }
  }
  const lapsed = donor && !zero && role.chance(0.28);
  const recurring = raise === 'synced' && role.chance(0.2);
  const sd = startDay(ctx);
  // Generic last gifts stay well clear of the 364/365-day edge: the scenarios own the edge.
  const endDay = lapsed ? sd - role.int(400, 1600) : recurring ? sd - role.int(2, 28) : sd - role.int(2, 300);
  const size = native && !zero ? role.weighted([[1, 60], [2, 32], [3, 8]] as const) : 1;

  const id = lite ? LITE_IDENTITY : identity(ctx, i);
  const { female, first, last, domain, email, phone, addr, birthYear, otherSystemsEmail } = id;

  if (volunteer) plan.vomo = genericVomo(ctx, i, { first, last, email, phone, female, birthYear, addr: addr ? vomoAddress(addr) : '', lite });

  if (native) {
    const c = rngFor(ctx.seed, i, STREAM.crm);
    const giftCount = zero ? 0 : c.int(1, 12);
    const firstDay = zero ? sd - c.int(30, 2000) : endDay - c.int(0, 1400);
    const createdAt = (firstDay - c.int(0, 60)) * DAY + c.int(0, 86_399_999);
    const k = contact(i, { createdAt, individuals: [], address: addr });
    const days: number[] = [];
    for (let g = 0; g < giftCount; g++) days.push(g === 0 ? endDay : c.int(firstDay, endDay));
    days.sort((a, b) => a - b);
    for (const day of days) addCrmGift(i, k, day, giftAmount(c), c.weighted([['Check', 35], ['Cash', 10], ['Credit', 35], ['EFT', 20]] as const), c, ctx.startMs);
    if (c.chance(0.3)) k.modifiedAt = Math.max(k.modifiedAt, createdAt + Math.floor(c.next() * (ctx.startMs - 120_000 - createdAt)));
    if (!lite) {
      const h = rngFor(ctx.seed, i, STREAM.contact);
      const emails: [string, string][] = [['Home Email', otherSystemsEmail]];
      if (h.chance(0.1)) emails.push(['Work Email', indexedEmail(first, last, i, h.pick(WORK_DOMAINS))]);
      const phoneSpec: [string, string][] = phone ? [[h.pick(['Mobile Phone', 'Home Phone']), formatPhone(phone, h.pick(['paren', 'dots', 'dash'] as const))]] : [];
      k.individuals.push(individual(i, 0, { first, last, gender: female ? 'Female' : 'Male', isPrimary: true, birthYear, emails, phones: phoneSpec }));
      if (size >= 2) {
        const sf = h.pick(female ? MALE : FEMALE);
        k.individuals.push(individual(i, 1, { first: sf, last, gender: female ? 'Male' : 'Female', isPrimary: false, birthYear: birthYear + h.int(-5, 5), emails: h.chance(0.5) ? [['Home Email', indexedEmail(sf, last, i, domain)]] : [] }));
      }
      if (size >= 3) k.individuals.push(individual(i, 2, { first: h.pick(h.chance(0.5) ? MALE : FEMALE), last, gender: null, isPrimary: false, birthYear: birthYear + h.int(22, 35) }));
      k.name = householdName(k.individuals);
      k.references = h.chance(0.15) ? [{ source: 'Legacy Import', id: `L-${100000 + i}` }] : [];
      k.tags = h.chance(0.3) ? [h.pick(['Newsletter', 'Event Attendee', 'Board Prospect', 'Church Partner'])] : [];
      for (const g of k.gifts) g.individualId = k.individuals[0]!.id;
    }
    plan.crm = k;
  }

  if (raise !== 'none') {
    const r = rngFor(ctx.seed, i, STREAM.raise);
    const donorId = raiseDonorId(i);
    const gifts: RaiseGiftPlan[] = [];
    const gift = (day: number, amountCents: number, campaignId: number, recurringGiftId: number | null) => {
      const createdAt = day * DAY + r.int(0, 86_399) * 1000;
      gifts.push({ id: raiseGiftId(i, gifts.length), donorId, createdAt, modifiedAt: createdAt, amountCents, campaignId, fails: false, recurringGiftId });
    };
    let rec: RecurringPlan | null = null;
    if (recurring) {
      const cycles = r.int(3, 14);
      const amount = r.pick([1000, 2000, 2500, 5000, 10000]);
      const monthly = ctx.campaigns.find((c) => c.recurring)!;
      const recId = raiseRecurringId(i);
      for (let j = cycles - 1; j >= 0; j--) gift(endDay - 30 * j, amount, monthly.id, recId);
      rec = { id: recId, donorId, amountCents: amount, startAt: gifts[0]!.createdAt, cycles, active: endDay >= sd - 31, campaignId: monthly.id, createdAt: gifts[0]!.createdAt - 60_000, modifiedAt: gifts[gifts.length - 1]!.createdAt };
    } else {
      const count = raise === 'held' ? r.int(1, 3) : r.int(1, 8);
      const span = r.int(0, 1200);
      const days: number[] = [];
      for (let g = 0; g < count; g++) days.push(g === 0 && (!native || r.chance(0.5)) ? endDay : Math.min(endDay, endDay - span + r.int(0, span)));
      days.sort((a, b) => a - b);
      for (const day of days) gift(day, giftAmount(r), campaignFor(ctx.campaigns, day, raise === 'synced', r.next()).id, null);
    }
    const createdAt = gifts[0]!.createdAt - r.int(30, 900) * 1000;
    plan.raise = {
      id: donorId,
      firstName: first,
      lastName: last,
      email: otherSystemsEmail,
      phone: phone ? formatPhone(phone, 'dash') : null,
      extraEmails: [],
      createdAt,
      modifiedAt: Math.max(...gifts.map((g) => g.createdAt)),
      crmKey: null,
      address: r.chance(0.85) ? addr : null,
      gifts,
      recurring: rec,
    };
  }

  applyBaseSync(ctx, plan, lite);
  if (plan.crm) quantizeCrm(plan.crm);
  return plan;
}

interface Identity {
  female: boolean;
  first: string;
  last: string;
  domain: string;
  email: string;
  phone: string | null;
  addr: Address | null;
  birthYear: number;
  otherSystemsEmail: string;
}

const LITE_IDENTITY: Identity = { female: false, first: '', last: '', domain: '', email: '', phone: null, addr: null, birthYear: 1970, otherSystemsEmail: '' };

function identity(ctx: GenCtx, i: number): Identity {
  const nm = rngFor(ctx.seed, i, STREAM.names);
  const female = nm.chance(0.52);
  const first = nm.pick(female ? FEMALE : MALE);
  const last = nm.pick(LAST);
  const domain = nm.pick(DOMAINS);
  const email = indexedEmail(first, last, i, domain);
  const phone = nm.chance(0.8) ? phoneDigits(nm) : null;
  const addr = address(nm);
  const birthYear = nm.int(1940, 2006);
  const otherSystemsEmail = nm.chance(0.06) ? titleCaseEmail(email) : email;
  return { female, first, last, domain, email, phone, addr, birthYear, otherSystemsEmail };
}

export function genericVomo(ctx: GenCtx, i: number, p: { first: string; last: string; email: string; phone: string | null; female: boolean; birthYear: number; addr: string; id?: number; createdAt?: number; noParticipations?: boolean; lite?: boolean }): VomoUserPlan {
  const v = rngFor(ctx.seed, i, STREAM.vomo);
  const createdAt = p.createdAt ?? Math.floor((ctx.startMs - v.int(20, 2000) * DAY - v.int(0, 86_399) * 1000) / 1000) * 1000;
  const count = p.noParticipations || v.chance(0.08) ? 0 : 1 + Math.floor(30 * v.next() ** 2.2);
  const updatedAt = p.createdAt ?? Math.floor((createdAt + v.next() * (ctx.startMs - 60_000 - createdAt)) / 1000) * 1000;
  const phoneRoll = v.next();
  const styleRoll = v.next();
  const month = v.int(1, 12);
  const day = v.int(1, 28);
  const genderRoll = v.next();
  const addrRoll = v.next();
  const role = v.weighted([['VOLUNTEER', 95], ['ORGANIZER', 4], ['ADMIN', 1]] as const);
  const plan: VomoUserPlan = {
    id: p.id ?? vomoUserId(i),
    firstName: p.first,
    lastName: p.last,
    email: p.email,
    phone: p.phone && phoneRoll < 0.9 ? formatPhone(p.phone, styleRoll < 0.8 ? 'e164' : 'paren') : null,
    birthday: `${p.birthYear}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    gender: p.female ? 'F' : genderRoll < 0.97 ? 'M' : 'N',
    address: addrRoll < 0.7 && p.addr ? p.addr : null,
    createdAt,
    updatedAt,
    role,
    participations: [],
  };
  if (p.lite || count === 0) return plan;
  // Participations come from their own stream, so lite plans can skip them entirely.
  const w = rngFor(ctx.seed, i, STREAM.participations);
  const sd = dayOf(ctx.startMs);
  const cDay = dayOf(createdAt);
  const days: number[] = [];
  for (let k = 0; k < count; k++) days.push(w.int(cDay + 1, sd - 1));
  days.sort((a, b) => a - b);
  plan.participations = days.map((d, k) => participation(i, k, d, w.int(0, PROJECTS.length - 1), w.int(4, 24) / 4, w.weighted([['verified', 88], ['no_checkout', 8], ['no_show', 4]] as [PartStatus, number][]), w, createdAt));
  return plan;
}
