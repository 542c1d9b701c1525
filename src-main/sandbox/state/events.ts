/**
 * What happens as sandbox days pass. Day d's changes happen at start + d days − 2 h + minutes,
 * drawn from (seed, d), so every run sees the same edits, new people and gifts. Raise gifts
 * queue for the platform sync, which the advance applies when their lag passes.
 */
import { STREAM, rngFor } from '../prng';
import { DAY, HOUR, MINUTE, dayOf } from '../time';
import { FEMALE, LAST, MALE, DOMAINS, PROJECTS, campaignFor, projectDateId } from '../generator/catalog';
import { formatPhone, indexedEmail, phoneDigits } from '../generator/build';
import { genericVomo } from '../generator/generic';
import { scenarioAt, scenarioIndex } from '../generator/scenarios';
import type { PersonPlan, RaiseDonorPlan, RaiseGiftPlan } from '../generator/types';
import type { World } from './world';

export interface Action {
  at: number;
  label: string;
  apply(w: World): void;
}

const EMAIL_CHANGE_TO = 'hal@greenlantern.example';

/** Picks a generic person (never a scenario one) having the wanted record, deterministically. */
function pick(w: World, d: number, salt: number, has: (p: PersonPlan) => boolean): number | null {
  const r = rngFor(w.ctx.seed, d * 1000 + salt, STREAM.event);
  for (let tries = 0; tries < 500; tries++) {
    const i = r.int(0, w.N - 1);
    if (scenarioAt(w.N, i) >= 0) continue;
    if (has(w.plan(i))) return i;
  }
  return null;
}

function newRaiseGift(w: World, i: number, d: RaiseDonorPlan, at: number, amountCents: number, canSync: boolean): RaiseGiftPlan {
  const camp = campaignFor(w.ctx.campaigns.filter((c) => w.campaigns.get(c.id)!.canSync === canSync), Math.floor(at / DAY), canSync, (at / MINUTE) % 1);
  const g: RaiseGiftPlan = { id: w.counters.raiseGift++, donorId: d.id, createdAt: at, modifiedAt: at, amountCents, campaignId: camp.id, fails: false, recurringGiftId: null };
  d.gifts.push(g);
  d.modifiedAt = at;
  w.owner.raiseGift.set(g.id, i);
  return g;
}

/** Day d's events fall in the two hours before start + d days, so advancing whole days includes them. */
export function dayActions(w: World, d: number): Action[] {
  const T = w.ctx.startMs + d * DAY - 2 * 60 * MINUTE;
  const acts: Action[] = [];
  const at = (min: number) => T + min * MINUTE;
  const live = (p: PersonPlan) => !!p.vomo && !p.vomo.deleted && !p.vomo.malformed;

  if (d === 1) {
    acts.push({ at: at(5), label: 'email change (VOMO only)', apply: (w2) => {
      const i = scenarioIndex(w2.N, 'email_change');
      const v = w2.touch(i).vomo;
      if (!v || v.deleted) return;
      w2.emailChanges.push({ vomoUserId: v.id, at: at(5), from: v.email, to: EMAIL_CHANGE_TO });
      v.email = EMAIL_CHANGE_TO;
      v.updatedAt = at(5);
      w2.log('vomo', 'users', v.id, 'updated', 'event', at(5));
    } });
  }
  for (let k = 0; k < 3; k++) {
    acts.push({ at: at(10 + k), label: 'VOMO user edit', apply: (w2) => {
      const i = pick(w2, d, 10 + k, live);
      if (i === null) return;
      const v = w2.touch(i).vomo!;
      const r = rngFor(w2.ctx.seed, d * 1000 + 10 + k, STREAM.names);
      if (k === 1) v.lastName = `${v.lastName}-${r.pick(LAST)}`;
      else v.phone = formatPhone(phoneDigits(r), 'e164');
      v.updatedAt = at(10 + k);
      w2.log('vomo', 'users', v.id, 'updated', 'event', at(10 + k));
    } });
  }
  for (let k = 0; k < 3; k++) {
    acts.push({ at: at(20 + k), label: 'CRM+ contact edit', apply: (w2) => {
      const i = pick(w2, d, 20 + k, (p) => !!p.crm && !p.crm.deleted && !p.crm.malformed);
      if (i === null) return;
      const c = w2.touch(i).crm!;
      if (k === 2 && c.individuals[0]) {
        const r = rngFor(w2.ctx.seed, d * 1000 + 20 + k, STREAM.names);
        const ind = c.individuals[0];
        const phone = ind.methods.find((m) => m.type.endsWith('Phone'));
        const value = formatPhone(phoneDigits(r), 'paren');
        if (phone) phone.value = value;
        else ind.methods.push({ id: 60_000_000 + ind.id * 4 + 3, type: 'Mobile Phone', value, isPrimary: true, isOptedIn: false });
      } else c.tags = [...new Set([...c.tags, `Sandbox Day ${d}`])];
      c.modifiedAt = at(20 + k);
      w2.log('crm', 'contacts', c.id, 'updated', 'event', at(20 + k));
    } });
  }
  acts.push({ at: at(30), label: 'Raise donor edit', apply: (w2) => {
    const i = pick(w2, d, 30, (p) => !!p.raise && !p.raise.deleted);
    if (i === null) return;
    const don = w2.touch(i).raise!;
    don.phone = formatPhone(phoneDigits(rngFor(w2.ctx.seed, d * 1000 + 30, STREAM.names)), 'dash');
    don.modifiedAt = at(30);
    w2.log('raise', 'donors', don.id, 'updated', 'event', at(30));
  } });
  // New people: two volunteers (the first gives a first Raise gift ten minutes later), one donor.
  let firstNew = -1;
  acts.push({ at: at(40), label: 'new volunteer', apply: (w2) => void (firstNew = newPerson(w2, at(40), 'volunteer')) });
  acts.push({ at: at(41), label: 'new volunteer', apply: (w2) => void newPerson(w2, at(41), 'volunteer') });
  acts.push({ at: at(42), label: 'new Raise donor', apply: (w2) => void newPerson(w2, at(42), 'donor') });
  acts.push({ at: at(50), label: "new volunteer's first Raise gift", apply: (w2) => {
    if (firstNew >= 0) addDonor(w2, firstNew, at(50));
  } });
  for (let k = 0; k < 2; k++) {
    acts.push({ at: at(60 + k), label: 'new Raise gift (syncs after the lag)', apply: (w2) => {
      const i = pick(w2, d, 60 + k, (p) => !!p.raise && !p.raise.deleted && p.raise.crmKey !== null);
      if (i === null) return;
      const don = w2.touch(i).raise!;
      const g = newRaiseGift(w2, i, don, at(60 + k), [2500, 5000, 10000][k % 3]!, true);
      w2.log('raise', 'gifts', g.id, 'created', 'event', g.createdAt);
      w2.log('raise', 'donors', don.id, 'updated', 'event', g.createdAt);
      if (w2.campaignCanSyncAt(g.campaignId, g.createdAt)) w2.queueSync(i, g.id, g.createdAt + w2.ctx.lagMs);
    } });
  }
  // Volunteering that changes no user record (VOMO's `updated_at` stays): yesterday's open shift
  // is checked out, and three volunteers work a shift today, one of them still checked in.
  acts.push({ at: at(75), label: "VOMO check-out of yesterday's open shift", apply: (w2) => {
    const open = w2.openShifts.shift();
    if (!open) return;
    const v = w2.touch(open.owner).vomo;
    const p = v?.participations.find((x) => x.id === open.participationId);
    if (!v || v.deleted || !p || p.checkedInAt === null || p.checkedOutAt !== null) return;
    p.checkedOutAt = Math.min(at(75), p.checkedInAt + p.hours * HOUR);
    w2.log('vomo', 'participations', p.id, 'updated', 'event', at(75));
  } });
  for (let k = 0; k < 3; k++) {
    acts.push({ at: at(80 + k), label: 'VOMO shift worked (check-in and check-out)', apply: (w2) => {
      const i = pick(w2, d, 80 + k, live);
      if (i === null) return;
      const v = w2.touch(i).vomo!;
      const hours = 2 + k;
      const checkedOutAt = at(80 + k) - 10 * MINUTE;
      const startsAt = checkedOutAt - hours * HOUR;
      const projectIndex = (d * 5 + k * 7) % PROJECTS.length;
      const p = {
        id: w2.counters.participation++,
        projectId: PROJECTS[projectIndex]!.id,
        projectDateId: projectDateId(projectIndex, dayOf(startsAt)),
        startsAt,
        signedUpAt: startsAt - 2 * DAY,
        checkedInAt: startsAt,
        // The first stays checked in: the next day's events check it out.
        checkedOutAt: k === 0 ? null : checkedOutAt,
        hours,
      };
      v.participations.push(p);
      if (k === 0) w2.openShifts.push({ owner: i, participationId: p.id });
      w2.log('vomo', 'participations', p.id, 'created', 'event', at(80 + k));
    } });
  }
  acts.push({ at: at(70), label: 'new Raise gift in a campaign that cannot sync', apply: (w2) => {
    const i = pick(w2, d, 70, (p) => !!p.raise && !p.raise.deleted);
    if (i === null) return;
    const don = w2.touch(i).raise!;
    const g = newRaiseGift(w2, i, don, at(70), 4000, false);
    w2.log('raise', 'gifts', g.id, 'created', 'event', g.createdAt);
    w2.log('raise', 'donors', don.id, 'updated', 'event', g.createdAt);
  } });
  return acts;
}

function newPerson(w: World, at: number, kind: 'volunteer' | 'donor'): number {
  const i = w.nextExt++;
  const nm = rngFor(w.ctx.seed, i, STREAM.names);
  const female = nm.chance(0.52);
  const first = nm.pick(female ? FEMALE : MALE);
  const last = nm.pick(LAST);
  const email = indexedEmail(first, last, i, nm.pick(DOMAINS));
  const phone = nm.chance(0.7) ? phoneDigits(nm) : null;
  const p: PersonPlan = { i, scenario: null, vomo: null, crm: null, raise: null };
  w.adopt(p);
  if (kind === 'volunteer') {
    p.vomo = genericVomo(w.ctx, i, { first, last, email, phone, female, birthYear: nm.int(1950, 2006), addr: '', id: w.counters.vomoUser++, createdAt: at, noParticipations: true });
    p.vomo.address = null;
    w.owner.vomo.set(p.vomo.id, i);
    w.log('vomo', 'users', p.vomo.id, 'created', 'event', at);
  } else addDonor(w, i, at, { first, last, email, phone });
  w.bump();
  return i;
}

/** A Raise donor with a first gift (canSync campaign) for person i, now. */
function addDonor(w: World, i: number, at: number, who?: { first: string; last: string; email: string; phone: string | null }): void {
  const p = w.touch(i);
  const v = p.vomo;
  const id = who ?? { first: v!.firstName, last: v!.lastName, email: v!.email!, phone: v!.phone ? v!.phone.replace(/\D/g, '').slice(-10) : null };
  const d: RaiseDonorPlan = { id: w.counters.raiseDonor++, firstName: id.first, lastName: id.last, email: id.email, phone: id.phone ? formatPhone(id.phone, 'dash') : null, extraEmails: [], createdAt: at, modifiedAt: at, crmKey: null, address: null, gifts: [], recurring: null };
  p.raise = d;
  w.owner.donor.set(d.id, i);
  const g = newRaiseGift(w, i, d, at, 3500, true);
  w.log('raise', 'donors', d.id, 'created', 'event', at);
  w.log('raise', 'gifts', g.id, 'created', 'event', at);
  if (w.campaignCanSyncAt(g.campaignId, g.createdAt)) w.queueSync(i, g.id, g.createdAt + w.ctx.lagMs);
}
