/**
 * The joined store against the sandbox manifest (src-main/sandbox/MANIFEST.md): sync the
 * sandbox, let the post-sync hook rebuild the join, and compare persons, households, conflicts
 * and split candidates with what the generator knows. Then the steward's tools survive re-syncs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src-main/sandbox/index';
import type { IdentityService } from '../../src-main/identity/identityService';
import { makeEnv, type TestEnv } from '../sync/helpers';

const PEOPLE = 400;

type Row = Record<string, unknown>;
interface MPerson {
  key: string;
  vomoUserIds: number[];
  crm: { contactId: number; individualId: number }[];
  raiseDonorIds: number[];
}

/** Our persons as the manifest keys them: the source IDs of each group, and its key. */
function ourGroups(env: TestEnv): Map<string, { key: string; keys: string[] }> {
  const rows = env.core.db
    .prepare(`SELECT person_id, source, source_id FROM person_links WHERE profile_id = ? AND active = 1 ORDER BY person_id`)
    .all(env.profileId) as { person_id: string; source: string; source_id: string }[];
  const by = new Map<string, string[]>();
  for (const r of rows) by.set(r.person_id, [...(by.get(r.person_id) ?? []), `${r.source}:${r.source_id}`]);
  const out = new Map<string, { key: string; keys: string[] }>();
  for (const [pid, keys] of by) {
    const ids = (src: string) => keys.filter((k) => k.startsWith(src + ':')).map((k) => Number(k.slice(src.length + 1)));
    const v = ids('vomo');
    const i = ids('crm_individual');
    const d = ids('raise');
    const key = v.length ? `V${Math.min(...v)}` : i.length ? `I${Math.min(...i)}` : `R${Math.min(...d)}`;
    out.set(pid, { key, keys: keys.sort() });
  }
  return out;
}

function manifestKeys(p: MPerson): string[] {
  return [...p.vomoUserIds.map((x) => `vomo:${x}`), ...p.crm.map((c) => `crm_individual:${c.individualId}`), ...p.raiseDonorIds.map((x) => `raise:${x}`)].sort();
}

describe('identity on the sandbox', () => {
  let h: SandboxHandle;
  let env: TestEnv;
  let svc: IdentityService;
  beforeAll(async () => {
    h = await startSandbox({ people: PEOPLE, seed: 11, rateLimits: 'off', port: 0 });
    env = await makeEnv({ vomo: h.vomo.baseUrl, crm: h.crm.baseUrl, raise: h.raise.baseUrl }, { vomo: h.vomo.token, crm: h.crm.token, raise: h.raise.token }, { crm: { take: 200 }, raise: { take: 200 } });
    svc = env.core.identity; // registers the post-sync refresh
    await env.sync.run(env.profileId);
  });
  afterAll(async () => {
    await env?.close();
    await h?.stop();
  });

  it('the joined store matches the manifest exactly', () => {
    const m = h.manifest();
    const ours = ourGroups(env);
    const mine = [...ours.values()].map((g) => g.keys.join(' ')).sort();
    const theirs = (m.persons as MPerson[]).map((p) => manifestKeys(p).join(' ')).sort();
    expect(theirs.length).toBeGreaterThan(PEOPLE / 2);
    expect(mine).toEqual(theirs);
    const n = (sql: string) => (env.core.db.prepare(sql).get(env.profileId) as { n: number }).n;
    expect(n('SELECT COUNT(*) AS n FROM persons WHERE profile_id = ?')).toBe(m.counts.totalPersons);
    expect(n('SELECT COUNT(*) AS n FROM persons WHERE profile_id = ? AND is_donor_volunteer = 1')).toBe(m.counts.donorVolunteers);
    expect(n('SELECT COUNT(*) AS n FROM persons WHERE profile_id = ? AND has_vomo = 1 AND has_crm = 0 AND has_raise = 0')).toBe(m.counts.volunteersOnly);
    expect(n('SELECT COUNT(*) AS n FROM persons WHERE profile_id = ? AND has_vomo = 0')).toBe(m.counts.donorsOnly);
    // Households whose individuals share an email: said so, one finding each.
    const hh = svc.findings(env.profileId).filter((f) => f.kind === 'household_shared_email');
    const want = (m.householdsSharingEmail as Row[]).map((x) => `${x.contactId}:${x.email}`).sort();
    expect(want.length).toBeGreaterThan(0);
    expect(hh.map((f) => `${f.detail.contactId}:${f.detail.email}`).sort()).toEqual(want);
    for (const x of m.householdsSharingEmail as Row[]) {
      const f = hh.find((y) => y.detail.contactId === String(x.contactId))!;
      expect((f.detail.individualIds as string[]).map(Number).sort()).toEqual((x.individualIds as number[]).slice().sort());
    }
  });

  it('conflicts found equal the manifest (no phone-format false positives)', () => {
    const m = h.manifest();
    const FIELD: Record<string, string> = { first_name: 'firstName', last_name: 'lastName', phone: 'phone', email: 'email' };
    const found = svc
      .listConflicts({ profileId: env.profileId, status: 'all', offset: 0, limit: 100_000 })
      .items.map((c) => {
        const p = env.core.db.prepare('SELECT vomo_user_id FROM persons WHERE profile_id = ? AND id = ?').get(env.profileId, c.personId) as { vomo_user_id: string };
        return `${p.vomo_user_id}:${FIELD[c.field]}`;
      })
      .sort();
    const want = (m.fieldConflicts as Row[]).map((c) => `${c.vomoUserId}:${c.field}`).sort();
    expect(want.length).toBeGreaterThan(0);
    process.stdout.write(`conflicts: ${want.length}, non-conflicts: ${m.nonConflicts.count}\n`);
    expect(found).toEqual(want);
    expect(m.nonConflicts.count).toBeGreaterThan(0);
  });

  it('split candidates include every manifest split, email-change ones first; tools survive re-syncs', async () => {
    h.clock.advance({ days: 1 });
    await env.sync.run(env.profileId);
    const m = h.manifest();
    const ours = ourGroups(env);
    const pidOfKey = new Map([...ours].map(([pid, g]) => [g.key, pid]));
    const cands = svc.listCandidates({ profileId: env.profileId, status: 'open', offset: 0, limit: 10_000 }).items;
    const pairOf = (c: { personA: string; personB: string }) => [c.personA, c.personB].sort().join('|');
    const rank = new Map(cands.map((c, i) => [pairOf(c), i]));
    const splits = m.splits as Row[];
    expect(splits.some((s) => s.kind === 'email_change')).toBe(true);
    process.stdout.write(`splits: ${splits.map((s) => s.kind).join(', ')}; candidates: ${cands.length} (${cands.map((c) => c.kind + ':' + c.score).join(', ')})\n`);
    const ranks: { kind: string; rank: number }[] = [];
    for (const s of splits) {
      const pids = (s.persons as string[]).map((k) => pidOfKey.get(k)!);
      expect(pids.every(Boolean)).toBe(true);
      const r = rank.get(pids.slice().sort().join('|'));
      expect(r, `split ${JSON.stringify(s)} was not proposed`).toBeDefined();
      ranks.push({ kind: s.kind as string, rank: r! });
    }
    const worstEmailChange = Math.max(...ranks.filter((r) => r.kind === 'email_change').map((r) => r.rank));
    const bestOther = Math.min(...ranks.filter((r) => r.kind !== 'email_change').map((r) => r.rank), Infinity);
    expect(worstEmailChange).toBeLessThan(bestOther);
    expect(cands[0].kind).toBe('email_change');

    // Approve the email-change merge, reject another pair; both survive a re-sync and a full rebuild.
    const merge = svc.approve(env.profileId, cands[0].id, null, 'email changed in VOMO');
    const other = cands.find((c) => c.kind !== 'email_change' && c.personA !== merge.mergedId && c.personB !== merge.mergedId && c.personA !== merge.survivorId && c.personB !== merge.survivorId);
    if (other) svc.reject(env.profileId, other.id, 'not the same');
    h.clock.advance({ hours: 6 });
    await env.sync.run(env.profileId);
    svc.rebuild(env.profileId);
    const after = svc.listCandidates({ profileId: env.profileId, status: 'open', offset: 0, limit: 10_000 }).items.map(pairOf);
    if (other) expect(after).not.toContain(pairOf(other));
    expect(env.core.db.prepare('SELECT COUNT(*) AS n FROM persons WHERE profile_id = ? AND id = ?').get(env.profileId, merge.mergedId)).toEqual({ n: 0 });
    const s = env.core.db.prepare('SELECT has_vomo, has_crm FROM persons WHERE profile_id = ? AND id = ?').get(env.profileId, merge.survivorId);
    expect(s).toEqual({ has_vomo: 1, has_crm: 1 });
  });
});
