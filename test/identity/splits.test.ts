import { afterEach, describe, expect, it } from 'vitest';
import { identityCore, personOf } from './fixtures';
import type { Db } from '../../src-main/store/db';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function setup() {
  const x = identityCore();
  cleanups.push(() => x.core.cleanup());
  return { ...x, svc: x.core.identity };
}

/** The rows a merge touches, as stored. */
function dump(db: Db, profileId: number, ids: string[]) {
  const q = (sql: string) => db.prepare(sql).all(profileId, ...ids, ...ids);
  const list = ids.map(() => '?').join(', ');
  return {
    persons: q(`SELECT * FROM persons WHERE profile_id = ? AND (id IN (${list}) OR id IN (${list})) ORDER BY id`),
    links: q(`SELECT * FROM person_links WHERE profile_id = ? AND (person_id IN (${list}) OR person_id IN (${list})) ORDER BY source, source_id, person_id`),
    conflicts: q(`SELECT * FROM conflicts WHERE profile_id = ? AND (person_id IN (${list}) OR person_id IN (${list})) ORDER BY id`),
    candidates: q(`SELECT * FROM split_candidates WHERE profile_id = ? AND (person_a IN (${list}) OR person_b IN (${list})) ORDER BY id`),
  };
}

/** Bruce joined by email, then his VOMO email changes: the seed's email-change split. */
function emailChange(m: ReturnType<typeof identityCore>['m']) {
  m.vomoUser({ id: '1', email: 'bruce@wayne.example', first: 'Bruce', last: 'Wayne', phone: '555 123 4567' });
  m.participation({ userId: '1', id: 'p1', hours: 4 });
  m.crmContact({ id: '10', postal: '62701', lifeToDateCents: 9900, individuals: [{ id: '100', first: 'Bruce', last: 'Wayne', primary: true, emails: ['bruce@wayne.example'], phones: ['+1 555 123 4567'] }] });
}

describe('split detection', () => {
  it('proposes the email-change split first, with evidence and match cards', () => {
    const { core, profileId, m, svc } = setup();
    emailChange(m);
    // Other signals, weaker: same phone + similar name; similar name + same postal; a CRM+ reference.
    m.vomoUser({ id: '2', email: 'rob.smith@a.example', first: 'Rob', last: 'Smith', phone: '(217) 555-0142' });
    m.crmContact({ id: '20', individuals: [{ id: '200', first: 'Robert', last: 'Smith', primary: true, emails: ['robert@b.example'], phones: ['217.555.0142'] }] });
    m.vomoUser({ id: '3', email: 'kate@c.example', first: 'Katherine', last: 'Olsen', address: '12 Elm St, Springfield, IL 62704' });
    m.crmContact({ id: '30', postal: '62704', individuals: [{ id: '300', first: 'Katherine', last: 'Olsen', primary: true, emails: ['k.olsen@d.example'] }] });
    m.vomoUser({ id: '4', email: 'li@e.example', first: 'Li', last: 'Wei' });
    m.crmContact({ id: '40', references: [{ source: 'VOMO', id: '4' }], individuals: [{ id: '400', first: 'Wei', last: 'Li', primary: true, emails: ['wei@f.example'] }] });
    svc.rebuild(profileId);
    const bruce = personOf(core.db, profileId, 'vomo', '1');
    expect(personOf(core.db, profileId, 'crm_individual', '100')).toBe(bruce);

    m.vomoUser({ id: '1', email: 'bruce.wayne@wayne.example', first: 'Bruce', last: 'Wayne', phone: '555 123 4567' });
    svc.rebuild(profileId);
    // The CRM+ row keeps the ID (it still holds the join email); VOMO's moved to a new row.
    expect(personOf(core.db, profileId, 'crm_individual', '100')).toBe(bruce);
    const moved = personOf(core.db, profileId, 'vomo', '1')!;
    expect(moved).not.toBe(bruce);

    const c = svc.listCandidates({ profileId, status: 'open', offset: 0, limit: 20 }).items;
    expect(c.map((x) => x.kind)).toEqual(['email_change', 'reference', 'phone_name', 'name_postal']);
    expect(new Set([c[0].personA, c[0].personB])).toEqual(new Set([bruce, moved]));
    expect(c[0].score).toBeGreaterThan(c[1].score);
    expect(c[0].evidence.map((e) => e.text).join(' ')).toMatch(/bruce@wayne\.example/);
    expect(c[0].evidence[0].matchCard.summary).toBeTruthy();
    expect(c[0].evidence[0].matchCard.wouldBreak).toBeTruthy();
    const links = svc.person(profileId, bruce!).links;
    expect(links.find((l) => l.sourceKey === 'crm_individual:100')!.matchCard.summary).toBeTruthy();
  });

  it('merge then undo restores the affected rows exactly; a merge survives re-sync and full rebuild', () => {
    const { core, profileId, m, svc } = setup();
    emailChange(m);
    svc.rebuild(profileId);
    m.vomoUser({ id: '1', email: 'bruce.wayne@wayne.example', first: 'Bruce', last: 'Wayne', phone: '555 123 4567' });
    svc.rebuild(profileId);
    const [cand] = svc.listCandidates({ profileId, status: 'open', offset: 0, limit: 5 }).items;
    const ids = [cand.personA, cand.personB];
    const before = dump(core.db, profileId, ids);

    const r = svc.approve(profileId, cand.id, null, 'email changed in VOMO');
    const survivor = r.survivorId;
    expect(core.db.prepare('SELECT COUNT(*) AS n FROM persons WHERE profile_id = ? AND id = ?').get(profileId, r.mergedId)).toEqual({ n: 0 });
    expect(personOf(core.db, profileId, 'vomo', '1')).toBe(survivor);
    expect(personOf(core.db, profileId, 'crm_individual', '100')).toBe(survivor);
    const merged = core.db.prepare('SELECT * FROM persons WHERE profile_id = ? AND id = ?').get(profileId, survivor) as Record<string, unknown>;
    expect(merged).toMatchObject({ has_vomo: 1, has_crm: 1, vomo_hours_verified: 4, lifetime_giving_cents: 9900 });
    // The email now differs between the systems: a conflict on the survivor.
    expect(svc.listConflicts({ profileId, status: 'open', offset: 0, limit: 10 }).items.map((c) => c.field)).toEqual(['email']);
    expect(core.audit.list(profileId, { subjectType: 'person', subjectId: survivor }).some((a) => a.action === 'person.merge')).toBe(true);

    svc.undo(profileId, r.mergeId);
    expect(dump(core.db, profileId, ids)).toEqual(before);

    // Merge again; it survives a re-sync (refresh) and a full rebuild, keeping the survivor's ID.
    const [again] = svc.listCandidates({ profileId, status: 'open', offset: 0, limit: 5 }).items;
    const r2 = svc.approve(profileId, again.id, null, null);
    svc.refreshAfterSync(profileId);
    svc.rebuild(profileId);
    expect(personOf(core.db, profileId, 'vomo', '1')).toBe(r2.survivorId);
    expect(personOf(core.db, profileId, 'crm_individual', '100')).toBe(r2.survivorId);
    expect(svc.listCandidates({ profileId, status: 'open', offset: 0, limit: 5 }).total).toBe(0);
    expect(svc.precision(profileId).missedByEmailJoin).toBe(1);
  });

  it('an open candidate was last seen by the last rebuild, which leaves its row alone when it does not reach its persons; a decided one keeps the last rebuild that saw it open', async () => {
    const { core, profileId, m, svc } = setup();
    m.vomoUser({ id: '5', email: 'j1@x.example', first: 'Jordan', last: 'Lee', phone: '217-555-0100' });
    m.crmContact({ id: '50', individuals: [{ id: '500', first: 'Jordan', last: 'Lee', primary: true, emails: ['j2@x.example'], phones: ['2175550100'] }] });
    m.vomoUser({ id: '7', email: 'sam@x.example', first: 'Sam', last: 'Ruiz' });
    const lastRun = () => core.db.prepare(`SELECT started_at FROM identity_runs WHERE profile_id = ? ORDER BY id DESC LIMIT 1`).pluck().get(profileId) as string;
    const stored = (id: number) => core.db.prepare(`SELECT last_seen_at FROM split_candidates WHERE id = ?`).pluck().get(id) as string;
    const tick = () => new Promise((r) => setTimeout(r, 5));
    svc.rebuild(profileId);
    const first = lastRun();
    const [c] = svc.listCandidates({ profileId, status: 'open', offset: 0, limit: 5 }).items;
    expect(c).toMatchObject({ kind: 'phone_name', firstSeenAt: first, lastSeenAt: first });

    // A sync that touches only Sam: the rebuild does not look at Jordan's pair, and does not rewrite it.
    await tick();
    m.vomoUser({ id: '7', email: 'sam@x.example', first: 'Samuel', last: 'Ruiz' });
    svc.rebuild(profileId);
    const second = lastRun();
    expect(second > first).toBe(true);
    expect(stored(c.id)).toBe(first);
    expect(svc.listCandidates({ profileId, status: 'open', offset: 0, limit: 5 }).items[0]).toMatchObject({ id: c.id, firstSeenAt: first, lastSeenAt: second });

    // Decided: last seen by the rebuild before the decision, also after later rebuilds.
    await tick();
    svc.reject(profileId, c.id, 'twins');
    expect(stored(c.id)).toBe(second);
    await tick();
    svc.rebuild(profileId, 'rebuild', { fromScratch: true });
    expect(svc.listCandidates({ profileId, status: 'rejected', offset: 0, limit: 5 }).items[0]).toMatchObject({ id: c.id, lastSeenAt: second });
  });

  it('never proposes a rejected pair again', () => {
    const { core, profileId, m, svc } = setup();
    m.vomoUser({ id: '5', email: 'j1@x.example', first: 'Jordan', last: 'Lee', phone: '217-555-0100' });
    m.crmContact({ id: '50', individuals: [{ id: '500', first: 'Jordan', last: 'Lee', primary: true, emails: ['j2@x.example'], phones: ['2175550100'] }] });
    svc.rebuild(profileId);
    const [c] = svc.listCandidates({ profileId, status: 'open', offset: 0, limit: 5 }).items;
    expect(c.kind).toBe('phone_name');
    svc.reject(profileId, c.id, 'twins');
    svc.refreshAfterSync(profileId);
    svc.rebuild(profileId);
    expect(svc.listCandidates({ profileId, status: 'open', offset: 0, limit: 5 }).total).toBe(0);
    expect(svc.precision(profileId).candidatesRejected).toBe(1);
    void core;
  });

  it('a "not the same" verdict on an email join detaches the record and counts against precision', async () => {
    const { core, profileId, m, svc } = setup();
    m.vomoUser({ id: '6', email: 'shared@family.example', first: 'Pat', last: 'Kim' });
    m.crmContact({ id: '60', individuals: [{ id: '600', first: 'Chris', last: 'Kim', primary: true, emails: ['shared@family.example'] }] });
    svc.rebuild(profileId);
    const pid = personOf(core.db, profileId, 'vomo', '6')!;
    await svc.linkVerdict(profileId, pid, 'vomo:6', 'crm_individual:600', 'not_same', 'different people');
    expect(personOf(core.db, profileId, 'vomo', '6')).not.toBe(personOf(core.db, profileId, 'crm_individual', '600'));
    expect(svc.precision(profileId)).toMatchObject({ emailJoinedRejected: 1, precision: 0 });
    svc.rebuild(profileId);
    expect(personOf(core.db, profileId, 'vomo', '6')).not.toBe(personOf(core.db, profileId, 'crm_individual', '600'));
  });
});
