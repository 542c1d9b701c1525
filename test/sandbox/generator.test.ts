import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src-main/sandbox/index';
import type { SandboxHandle } from '../../src-main/sandbox/index';
import { SCENARIOS } from '../../src-main/sandbox/generator/scenarios';
import { byModified, call, plain, sha, walkCrm, walkRaise, walkVomoUsers } from './helpers';

async function fullWalk(h: SandboxHandle) {
  const f = plain(h);
  const users = await walkVomoUsers(h, f);
  const details = [];
  for (const u of users) if (typeof u.id === 'number') details.push((await call(h, 'vomo', `/users/${u.id}`)).json.data);
  return {
    users,
    details,
    contacts: (await walkCrm(h, f, '/api/Contact/Query/FullContact', byModified, 1000)).list,
    gifts: (await walkCrm(h, f, '/api/Gift/Query/FullGift', { sortBy: 'Id' }, 1000)).list,
    donors: await walkRaise(h, f, 'Donor', '', 1000),
    raiseGifts: await walkRaise(h, f, 'Gift', '', 1000),
    recurring: await walkRaise(h, f, 'RecurringGift', '', 1000),
    campaigns: await walkRaise(h, f, 'Campaign', '', 1000),
  };
}

/** An independent, wire-level reading of the join rule (MANIFEST.md), to check the manifest. */
function joinFromWire(w: Awaited<ReturnType<typeof fullWalk>>) {
  const norm = (e: unknown) => (typeof e === 'string' && e.trim() ? e.trim().toLowerCase() : null);
  const name = (s: unknown) => String(s ?? '').trim().replace(/\s+/g, ' ').toLowerCase();
  const parent = new Map<string, string>();
  const find = (k: string): string => (parent.get(k) === k ? k : find(parent.get(k)!));
  const union = (a: string, b: string) => parent.set(find(a), find(b));
  const emails = new Map<string, { v: any[]; i: any[]; d: any[] }>();
  const slot = (e: string) => emails.get(e) ?? (emails.set(e, { v: [], i: [], d: [] }), emails.get(e)!);
  for (const u of w.users) {
    const id = Number(u.id);
    const email = u.email ?? u.e_mail;
    if (u.id === null || (email !== null && typeof email === 'object')) continue;
    parent.set(`V${id}`, `V${id}`);
    const e = norm(email);
    if (e) slot(e).v.push({ key: `V${id}`, first: u.first_name });
  }
  const inds = new Map<number, any[]>();
  for (const c of w.contacts) {
    if (!Array.isArray(c.contactIndividuals)) continue;
    for (const i of c.contactIndividuals) {
      const r = { key: `I${i.id}`, contactId: c.id, first: i.firstName ?? i.FirstName, isPrimary: i.isPrimary, emails: (i.contactMethods ?? []).filter((m: any) => m.type.endsWith('Email')).map((m: any) => norm(m.value)) };
      parent.set(r.key, r.key);
      inds.set(c.id, [...(inds.get(c.id) ?? []), r]);
      for (const e of new Set<string>(r.emails)) slot(e).i.push(r);
    }
  }
  const choose = (rs: any[], first: string) => rs.find((r) => name(r.first) === name(first)) ?? rs.find((r) => r.isPrimary) ?? rs[0];
  for (const d of w.donors) {
    parent.set(`R${d.id}`, `R${d.id}`);
    const es = new Set([d.email, ...d.donorEmailAddresses.map((x: any) => x.value)].map(norm).filter(Boolean) as string[]);
    for (const e of es) slot(e).d.push({ key: `R${d.id}`, first: d.firstName });
    if (d.crmKey !== null && inds.has(Number(d.crmKey))) {
      const rs = inds.get(Number(d.crmKey))!;
      const byMail = rs.filter((r) => r.emails.some((e: string) => es.has(e)));
      union(`R${d.id}`, choose(byMail.length ? byMail : rs, d.firstName).key);
    }
  }
  for (const s of emails.values()) {
    const byContact = new Map<number, any[]>();
    for (const r of s.i) byContact.set(r.contactId, [...(byContact.get(r.contactId) ?? []), r]);
    for (const o of [...s.v, ...s.d]) for (const rs of byContact.values()) union(o.key, choose(rs, o.first).key);
    for (const a of s.v) for (const b of s.d) union(a.key, b.key);
  }
  const comps = new Map<string, string[]>();
  for (const k of parent.keys()) comps.set(find(k), [...(comps.get(find(k)) ?? []), k]);
  const counts = { totalPersons: 0, donorVolunteers: 0, volunteersOnly: 0, donorsOnly: 0 };
  for (const ks of comps.values()) {
    const vol = ks.some((k) => k[0] === 'V');
    const don = ks.some((k) => k[0] !== 'V');
    counts.totalPersons++;
    counts[vol && don ? 'donorVolunteers' : vol ? 'volunteersOnly' : 'donorsOnly']++;
  }
  return counts;
}

describe('generator', () => {
  it('same seed gives byte-identical data; another seed does not', async () => {
    const a = await startSandbox({ people: 300, seed: 5, rateLimits: 'off' });
    const b = await startSandbox({ people: 300, seed: 5, rateLimits: 'off' });
    const c = await startSandbox({ people: 300, seed: 6, rateLimits: 'off' });
    try {
      const [wa, wb, wc] = [await fullWalk(a), await fullWalk(b), await fullWalk(c)];
      // Base URLs differ (free ports); nothing else may.
      const strip = (w: unknown, h: SandboxHandle) => JSON.parse(JSON.stringify(w).split(h.crm.baseUrl).join('CRM'));
      expect(sha(strip(wa, a))).toBe(sha(strip(wb, b)));
      expect(sha(strip(wa, a))).not.toBe(sha(strip(wc, c)));
      expect(sha(a.manifest())).toBe(sha(b.manifest()));
      expect(a.vomo.token).toBe(b.vomo.token);
      expect(a.vomo.token).not.toBe(c.vomo.token);
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });

  it('the manifest agrees with the served data, and its per-person fast path with a full join', async () => {
    const h = await startSandbox({ people: 700, seed: 8, rateLimits: 'off' });
    try {
      const w = await fullWalk(h);
      const m = h.manifest();
      expect(joinFromWire(w)).toEqual(m.counts);
      expect(m.recordCounts).toMatchObject({ vomo: { users: w.users.length }, crm: { contacts: w.contacts.length, gifts: w.gifts.length }, raise: { donors: w.donors.length, gifts: w.raiseGifts.length, recurringGifts: w.recurring.length, campaigns: w.campaigns.length } });
      expect(m.persons!.length).toBe(m.counts.totalPersons);
      expect(m.lists.donorVolunteers!.length + m.lists.volunteersOnly!.length + m.lists.donorsOnly!.length).toBe(m.counts.totalPersons);
      const full = h.core.manifest(true);
      expect(sha({ ...full, stateVersion: 0 })).toBe(sha({ ...m, stateVersion: 0 }));
      // Verified hours in the manifest match the served participations.
      for (const t of m.lists.topVolunteersNeverGave.list.slice(0, 8)) {
        const d = w.details.find((x) => x.id === t.vomoUserIds[0])!;
        const hours = d.participations.filter((p: any) => p.verified ?? (p.checked_in_at && p.checked_out_at)).reduce((s: number, p: any) => s + Number(p.hours), 0);
        expect(hours).toBe(t.verifiedHours);
      }
    } finally {
      await h.stop();
    }
  });

  it('even a small population holds every scenario, with the documented edge cases', async () => {
    const h = await startSandbox({ people: 120, seed: 9, rateLimits: 'off' });
    try {
      const m = h.manifest();
      expect(m.scenarios.map((s) => s.name)).toEqual(SCENARIOS.map(([n]) => n));
      const s = (n: string) => m.scenarios.find((x) => x.name === n)!;
      expect(m.lists.lapseEdges.exactly365DaysLapsed).toContain(`V${s('lapsed_exactly_365').vomoUserId}`);
      expect(m.lists.lapseEdges.at364DaysNotLapsed).toContain(`V${s('not_lapsed_364').vomoUserId}`);
      const lapsed = m.lists.lapsedDonorsStillVolunteering.list!.map((x) => x.person);
      expect(lapsed).toEqual(expect.arrayContaining([`V${s('lapsed_exactly_365').vomoUserId}`, `V${s('lapsed_long_ago').vomoUserId}`, `V${s('lapsed_via_raise_sync').vomoUserId}`]));
      expect(lapsed).not.toContain(`V${s('not_lapsed_364').vomoUserId}`);
      expect(lapsed).not.toContain(`V${s('not_lapsed_because_of_unsynced_raise_gift').vomoUserId}`);
      expect(m.lists.topVolunteersNeverGave.list.slice(0, 4).map((x) => x.verifiedHours)).toEqual([600, 480.5, 340, 315]);
      expect(m.fieldConflicts.map((c: any) => `${c.person}:${c.field}`)).toEqual([`V${s('name_conflict').vomoUserId}:firstName`, `V${s('name_conflict').vomoUserId}:lastName`, `V${s('phone_conflict').vomoUserId}:phone`].sort());
      const nc = m.nonConflicts.list!.filter((x: any) => x.person === `V${s('case_spacing_only').vomoUserId}`).map((x: any) => x.field);
      expect(nc.sort()).toEqual(['firstName', 'lastName', 'phone']);
      expect(m.householdsSharingEmail.map((x) => x.email)).toEqual(['hagens@family.example', 'parkers@queens.example']);
      expect(m.splits.map((x: any) => x.kind).sort()).toEqual(['no_shared_email', 'twofold_reference']);
      expect(m.truthCounts.totalPersons).toBe(m.counts.totalPersons - 2);
      expect(m.malformed.map((x: any) => x.kind)).toEqual(['id_null', 'email_object', 'individuals_string']);
      const failed = m.reconciliation.raiseGiftsMissingInCrm as any[];
      expect(failed.map((x) => x.reason)).toEqual(['sync_failed', 'sync_failed', 'sync_failed']);
      expect(failed.map((x) => x.donorId).sort()).toEqual([s('raise_sync_failed_only_gift').raiseDonorId, s('raise_sync_failed_two_of_five').raiseDonorId, s('raise_sync_failed_two_of_five').raiseDonorId].sort());
      expect(m.reconciliation.crmGiftsClaimingRaiseWithoutRaiseGift.map((x: any) => x.transactionId)).toEqual(['999001', '999002']);
      expect(m.reconciliation.donorsHeldBackByCanSyncFalse.list).toEqual(expect.arrayContaining([s('raise_held_back_by_cansync_false').raiseDonorId, s('raise_held_back_volunteer').raiseDonorId]));
      const ft = m.lists.recentFirstTimeRaiseDonorsWhoVolunteer.list.map((x) => x.person);
      for (const n of ['first_time_raise_gift_inside_lag', 'first_time_raise_gift_synced', 'first_time_raise_gift_inside_lag_existing_contact']) expect(ft).toContain(`V${s(n).vomoUserId}`);
      const cases = m.contactTransactions.cases!;
      expect(cases.find((c) => c.vomoUserId === s('twofold_reference_email_differs').vomoUserId)!.expected).toBe('reference');
      expect(cases.find((c) => c.vomoUserId === s('twofold_reference_same_email').vomoUserId)!.expected).toBe('reference');
      expect(cases.find((c) => c.vomoUserId === s('work_email_in_vomo').vomoUserId)).toMatchObject({ expected: 'email', contactId: s('work_email_in_vomo').crmContactId });
      expect(cases.find((c) => c.vomoUserId === s('heavy_volunteer_never_gave').vomoUserId)!.expected).toBe('new');
    } finally {
      await h.stop();
    }
  });
});
