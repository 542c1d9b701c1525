/**
 * Every insight list against the sandbox manifest (src-main/sandbox/MANIFEST.md): sync the sandbox,
 * let the join rebuild, then compare each list's members with what the generator knows, keyed the
 * manifest's way ("V<vomo user id>", else "I<individual id>", else "R<donor id>").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src-main/sandbox/index';
import { overview } from '../../src-main/insights/overview';
import { makeEnv, type TestEnv } from '../sync/helpers';
import type { ListName } from '../../src-shared/domain/insights';

const PEOPLE = 400;

describe('insight lists on the sandbox', () => {
  let h: SandboxHandle;
  let env: TestEnv;
  let asOf: string;
  const keyOf = new Map<string, string>();

  beforeAll(async () => {
    h = await startSandbox({ people: PEOPLE, seed: 5, rateLimits: 'off', port: 0 });
    env = await makeEnv({ vomo: h.vomo.baseUrl, crm: h.crm.baseUrl, raise: h.raise.baseUrl }, { vomo: h.vomo.token, crm: h.crm.token, raise: h.raise.token }, { crm: { take: 200 }, raise: { take: 200 } });
    await env.sync.run(env.profileId);
    asOf = h.clock.now().toISOString();
    const links = env.core.db
      .prepare(`SELECT person_id, source, source_id FROM person_links WHERE profile_id = ? AND active = 1`)
      .all(env.profileId) as { person_id: string; source: string; source_id: string }[];
    const by = new Map<string, { v: number[]; i: number[]; r: number[] }>();
    for (const l of links) {
      const e = by.get(l.person_id) ?? { v: [], i: [], r: [] };
      if (l.source === 'vomo') e.v.push(Number(l.source_id));
      if (l.source === 'crm_individual') e.i.push(Number(l.source_id));
      if (l.source === 'raise') e.r.push(Number(l.source_id));
      by.set(l.person_id, e);
    }
    for (const [pid, e] of by) keyOf.set(pid, e.v.length ? `V${Math.min(...e.v)}` : e.i.length ? `I${Math.min(...e.i)}` : `R${Math.min(...e.r)}`);
  });
  afterAll(async () => {
    await env?.close();
    await h?.stop();
  });

  const members = async (list: ListName, filters: Record<string, unknown> = {}) =>
    (await env.core.insights.allRows({ profileId: env.profileId, list, asOf, filters })).rows.map((r) => keyOf.get(r.personId) ?? `?${r.personId}`);

  it('overlap counts equal the manifest', async () => {
    const m = h.manifest();
    const o = overview(env.core.db, env.profileId);
    expect({ donorVolunteers: o.donorVolunteers, volunteersOnly: o.volunteersOnly, donorsOnly: o.donorsOnly, totalPersons: o.totalPersons }).toEqual(m.counts);
  });

  it('donor-volunteers, volunteers only and donors only have exactly the manifest members', async () => {
    const m = h.manifest();
    expect((await members('donor-volunteers')).sort()).toEqual([...m.lists.donorVolunteers!].sort());
    expect((await members('volunteer-only')).sort()).toEqual([...m.lists.volunteersOnly!].sort());
    expect((await members('donors-only')).sort()).toEqual([...m.lists.donorsOnly!].sort());
  });

  it('lapsed donors still volunteering equal the manifest, including the 365/364-day edge', async () => {
    const m = h.manifest();
    const lapsed = m.lists.lapsedDonorsStillVolunteering;
    // The manifest's rule is the wider reading: any volunteer, served recently or not.
    const ours = await members('lapsed', { lapseDays: lapsed.lapseDays, activityDays: 0 });
    expect(ours.sort()).toEqual(lapsed.list!.map((x) => x.person).sort());
    expect(m.lists.lapseEdges.exactly365DaysLapsed.length).toBeGreaterThan(0);
    expect(m.lists.lapseEdges.at364DaysNotLapsed.length).toBeGreaterThan(0);
    for (const k of m.lists.lapseEdges.exactly365DaysLapsed) expect(ours).toContain(k);
    for (const k of m.lists.lapseEdges.at364DaysNotLapsed) expect(ours).not.toContain(k);
  });

  it('top volunteers who never gave: the manifest top, in order, with their verified hours', async () => {
    const m = h.manifest();
    const top = m.lists.topVolunteersNeverGave;
    const rows = (await env.core.insights.allRows({ profileId: env.profileId, list: 'top-volunteers', asOf }, top.limit)).rows;
    expect(rows.map((r) => keyOf.get(r.personId))).toEqual(top.list.map((x) => x.person));
    expect(rows.map((r) => r.verifiedHours)).toEqual(top.list.map((x) => x.verifiedHours));
  });

  it('recent first-time Raise donors who volunteer equal the manifest', async () => {
    const m = h.manifest();
    const ft = m.lists.recentFirstTimeRaiseDonorsWhoVolunteer;
    expect((await members('raise-first-time', { recentDays: ft.withinDays })).sort()).toEqual(ft.list.map((x) => x.person).sort());
  });
});
