import { afterEach, describe, expect, it } from 'vitest';
import { identityCore, personOf, personRow } from './fixtures';
import { toE164, normEmail, nameSimilarity } from '../../src-main/identity/normalize';
import { fixListCsv, fixRows } from '../../src-main/identity/fixLists';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function setup() {
  const x = identityCore();
  cleanups.push(() => x.core.cleanup());
  return { ...x, svc: x.core.identity };
}

describe('normalize', () => {
  it('emails are lowercased and trimmed, nothing more', () => {
    expect(normEmail('  Bruce.Wayne+x@Wayne.Example ')).toBe('bruce.wayne+x@wayne.example');
  });
  it('phones compare in E.164 whatever the format', () => {
    const forms = ['+15551234567', '555.123.4567', '(555) 123-4567', '1-555-123-4567', '+1 555 123 4567'];
    for (const f of forms) expect(toE164(f, 'US')).toBe('+15551234567');
    expect(toE164('020 7946 0958', 'GB')).toBe('+442079460958');
  });
  it('names: similar, case- and space-insensitive', () => {
    expect(nameSimilarity('Bruce', 'Wayne', ' bruce ', 'WAYNE')).toBe(1);
    expect(nameSimilarity('Rob', 'Smith', 'Robert', 'Smith')).toBeGreaterThan(0.9);
    expect(nameSimilarity('John', 'Smith', 'Mary', 'Jones')).toBeLessThan(0.6);
  });
});

describe('join', () => {
  it('joins case variants of an email across VOMO, CRM+ and Raise, with flags', () => {
    const { core, profileId, m, svc } = setup();
    m.vomoUser({ id: '1', email: ' Bruce@Wayne.Example ', first: 'Bruce', last: 'Wayne', phone: '+15551234567' });
    m.crmContact({ id: '100', lifeToDateCents: 125000, lastGiftDate: '2025-03-01', individuals: [{ id: '1000', first: 'bruce', last: 'wayne', primary: true, emails: ['BRUCE@wayne.example'], phones: ['(555) 123-4567'] }] });
    m.raiseDonor({ id: '9', email: 'bruce@WAYNE.example', first: 'Bruce', last: 'Wayne' });
    m.raiseGift({ id: 'g1', donorId: '9', amountCents: 5000, date: '2025-06-01T10:00:00Z' });
    m.participation({ userId: '1', id: 'p1', hours: 3 });
    m.participation({ userId: '1', id: 'p2', hours: 2, verified: false });
    const s = svc.rebuild(profileId);
    expect(s.persons).toBe(1);
    const pid = personOf(core.db, profileId, 'vomo', '1')!;
    expect(personOf(core.db, profileId, 'crm_individual', '1000')).toBe(pid);
    expect(personOf(core.db, profileId, 'raise', '9')).toBe(pid);
    const p = personRow(core.db, profileId, pid);
    expect(p).toMatchObject({ email_norm: 'bruce@wayne.example', has_vomo: 1, has_crm: 1, has_raise: 1, is_donor_volunteer: 1, crm_contact_id: '100', crm_individual_id: '1000' });
    // CRM+ lifetime plus the Raise gift CRM+ does not have: every gift counts once.
    expect(p.lifetime_giving_cents).toBe(130000);
    expect(p.last_gift_date).toBe('2025-06-01');
    expect(p.first_raise_gift_date).toBe('2025-06-01');
    expect(p.vomo_hours_verified).toBe(3);
    expect(p.vomo_hours_total).toBe(5);
    expect(p.vomo_participations_count).toBe(2);
    expect(p.display_phone).toBe('(555) 123-4567'); // phone authority: CRM+
    expect(p.display_first_name).toBe('Bruce'); // names: VOMO
    // Same number written two ways, same name in other case: no conflict.
    expect(svc.listConflicts({ profileId, status: 'all', offset: 0, limit: 50 }).total).toBe(0);
  });

  it('lifetime giving counts a Raise gift once: added while CRM+ lacks it, not again once CRM+ has its copy', () => {
    const { core, profileId, m, svc } = setup();
    m.crmContact({ id: '300', individuals: [{ id: '3000', first: 'Ann', last: 'Both', primary: true, emails: ['ann@both.example'] }] });
    m.crmGift({ id: 'c1', contactId: '300', amountCents: 30_000, date: '2025-01-10' });
    m.raiseDonor({ id: '31', email: 'ann@both.example', first: 'Ann', last: 'Both', crmKey: '300' });
    m.raiseGift({ id: 'rg1', donorId: '31', amountCents: 4_000, date: '2025-05-02T10:00:00Z' });
    svc.rebuild(profileId);
    const pid = personOf(core.db, profileId, 'raise', '31')!;
    expect(personRow(core.db, profileId, pid)).toMatchObject({ lifetime_giving_cents: 34_000, last_gift_date: '2025-05-02' });
    // The platform sync copies the Raise gift into CRM+: the lifetime stays 340, the copy is the CRM+ gift.
    m.crmGift({ id: 'c2', contactId: '300', amountCents: 4_000, date: '2025-05-02', fromRaise: 'rg1' });
    svc.rebuild(profileId);
    expect(personRow(core.db, profileId, pid)).toMatchObject({ lifetime_giving_cents: 34_000, last_gift_date: '2025-05-02' });
  });

  it('a Raise gift copied to the CRM+ contact of another person leaves the Raise-only person (incremental rebuild)', () => {
    const { core, profileId, m, svc } = setup();
    m.raiseDonor({ id: '41', email: 'solo@raise.example', first: 'Sol', last: 'Raise' });
    m.raiseGift({ id: 'rg4', donorId: '41', amountCents: 2_500, date: '2025-07-01T10:00:00Z' });
    m.crmContact({ id: '400', individuals: [{ id: '4000', first: 'Other', last: 'Person', primary: true, emails: ['other@crm.example'] }] });
    svc.rebuild(profileId);
    const solo = personOf(core.db, profileId, 'raise', '41')!;
    const other = personOf(core.db, profileId, 'crm_individual', '4000')!;
    expect(personRow(core.db, profileId, solo).lifetime_giving_cents).toBe(2_500);
    m.crmGift({ id: 'c4', contactId: '400', amountCents: 2_500, date: '2025-07-01', fromRaise: 'rg4' });
    svc.rebuild(profileId);
    expect(personRow(core.db, profileId, solo).lifetime_giving_cents).toBe(0);
    expect(personRow(core.db, profileId, other).lifetime_giving_cents).toBe(2_500);
  });

  it('matches every email of every individual and records which individual matched', () => {
    const { core, profileId, m, svc } = setup();
    m.vomoUser({ id: '2', email: 'jane.work@example.org', first: 'Jane', last: 'Doe' });
    m.crmContact({
      id: '200',
      individuals: [
        { id: '2001', first: 'John', last: 'Doe', primary: true, emails: ['john@example.org'] },
        { id: '2002', first: 'Jane', last: 'Doe', emails: ['jane@home.example', 'jane.work@example.org'] },
      ],
    });
    svc.rebuild(profileId);
    const pid = personOf(core.db, profileId, 'vomo', '2')!;
    expect(personOf(core.db, profileId, 'crm_individual', '2002')).toBe(pid);
    expect(personOf(core.db, profileId, 'crm_individual', '2001')).not.toBe(pid);
    const p = personRow(core.db, profileId, pid);
    expect(p).toMatchObject({ crm_contact_id: '200', crm_individual_id: '2002', crm_email: 'jane.work@example.org', has_crm: 1 });
    // The household's giving counts once, on the primary individual's person.
    const john = personRow(core.db, profileId, personOf(core.db, profileId, 'crm_individual', '2001')!);
    expect(john.crm_giving_owner).toBe(1);
    expect(p.crm_giving_owner).toBe(0);
    // Jane's detail names the person her household's giving counts on; John's names none.
    expect(svc.person(profileId, pid).giving.householdOwner).toEqual({ id: john.id, name: 'John Doe' });
    expect(svc.person(profileId, john.id as string).giving.householdOwner).toBeNull();
  });

  it('says so when two individuals of one household share the join email', () => {
    const { core, profileId, m, svc } = setup();
    m.vomoUser({ id: '3', email: 'family@smith.example', first: 'Bob', last: 'Smith' });
    m.crmContact({
      id: '300',
      individuals: [
        { id: '3001', first: 'Ann', last: 'Smith', primary: true, emails: ['family@smith.example'] },
        { id: '3002', first: 'Bob', last: 'Smith', emails: ['Family@Smith.example'] },
      ],
    });
    m.crmContact({
      id: '310',
      individuals: [
        { id: '3101', first: 'Peter', last: 'Parker', primary: true, emails: ['parkers@x.example'] },
        { id: '3102', first: 'Mary', last: 'Parker', emails: ['parkers@x.example'] },
      ],
    });
    svc.rebuild(profileId);
    // VOMO joins the individual whose first name matches; the other is their own person.
    const bob = personOf(core.db, profileId, 'vomo', '3')!;
    expect(personOf(core.db, profileId, 'crm_individual', '3002')).toBe(bob);
    const ann = personOf(core.db, profileId, 'crm_individual', '3001')!;
    expect(ann).not.toBe(bob);
    expect(personRow(core.db, profileId, bob)).toMatchObject({ crm_contact_id: '300', crm_individual_id: '3002', crm_shared_email: 1, has_vomo: 1 });
    expect(personRow(core.db, profileId, ann)).toMatchObject({ crm_contact_id: '300', crm_shared_email: 1, has_vomo: 0 });
    // No other system: two persons, both flagged.
    expect(personOf(core.db, profileId, 'crm_individual', '3101')).not.toBe(personOf(core.db, profileId, 'crm_individual', '3102'));
    expect(core.db.prepare(`SELECT COUNT(*) FROM persons WHERE profile_id = ? AND crm_shared_email = 1`).pluck().get(profileId)).toBe(4);
    const f = svc.findings(profileId).filter((x) => x.kind === 'household_shared_email');
    expect(f.map((x) => x.detail.individualIds)).toEqual(expect.arrayContaining([['3001', '3002'], ['3101', '3102']]));
    expect(new Set(f.find((x) => x.detail.contactId === '300')!.detail.persons as string[])).toEqual(new Set([ann, bob]));
  });

  it('VOMO phone matching any of the individual\'s phones is not a conflict; Raise extra emails join', () => {
    const { core, profileId, m, svc } = setup();
    m.vomoUser({ id: '11', email: 'k@x.example', first: 'Kim', last: 'Ro', phone: '+12175550111' });
    m.crmContact({ id: '1100', individuals: [{ id: '11000', first: 'Kim', last: 'Ro', primary: true, emails: ['k@x.example'], phones: ['(217) 555-0999', '217.555.0111'] }] });
    core.db
      .prepare(`INSERT INTO raise_donors (profile_id, id, first_name, last_name, email, email_norm, raw_json, first_synced_at, last_synced_at) VALUES (?, 'r11', 'Kim', 'Ro', 'kim@other.example', 'kim@other.example', ?, 'x', 'x')`)
      .run(profileId, JSON.stringify({ donorEmailAddresses: [{ value: 'K@X.example', isEmail: true }] }));
    svc.rebuild(profileId);
    expect(personOf(core.db, profileId, 'raise', 'r11')).toBe(personOf(core.db, profileId, 'vomo', '11'));
    expect(svc.listConflicts({ profileId, status: 'all', offset: 0, limit: 10 }).total).toBe(0);
  });

  it('joins Raise through crmKey (and by its email), and reports a crmKey whose contact has another email', () => {
    const { core, profileId, m, svc } = setup();
    m.crmContact({
      id: '400',
      individuals: [
        { id: '4000', first: 'Luis', last: 'Diaz', primary: true, emails: ['luis@diaz.example'] },
        { id: '4001', first: 'Carla', last: 'Diaz', emails: ['carla@diaz.example'] },
      ],
    });
    m.raiseDonor({ id: '41', email: 'carla.d@gmail.example', first: 'Carla', last: 'Diaz', crmKey: '400' });
    m.vomoUser({ id: '42', email: 'carla.d@gmail.example', first: 'Carla', last: 'Diaz' });
    m.raiseDonor({ id: '43', email: 'nobody@x.example', crmKey: '999999' });
    svc.rebuild(profileId);
    // The crmKey reaches two individuals: the one whose first name matches joins.
    const carla = personOf(core.db, profileId, 'crm_individual', '4001')!;
    expect(personOf(core.db, profileId, 'raise', '41')).toBe(carla);
    expect(personOf(core.db, profileId, 'vomo', '42')).toBe(carla);
    expect(personOf(core.db, profileId, 'crm_individual', '4000')).not.toBe(carla);
    const f = svc.findings(profileId);
    expect(f.map((x) => x.kind).sort()).toEqual(['crm_key_email_mismatch', 'crm_key_unknown_contact']);
    const link = svc.person(profileId, carla).links.find((l) => l.sourceKey === 'raise:41')!;
    expect(link.matchCard.key).toBe('crm_key');
  });

  it('keeps person IDs across rebuilds and excludes records gone at the source, keeping history', () => {
    const { core, profileId, m, svc } = setup();
    m.vomoUser({ id: '5', email: 'a@x.example', first: 'A' });
    m.vomoUser({ id: '6', email: 'b@x.example', first: 'B' });
    svc.rebuild(profileId);
    const a = personOf(core.db, profileId, 'vomo', '5');
    const b = personOf(core.db, profileId, 'vomo', '6');
    svc.rebuild(profileId);
    expect(personOf(core.db, profileId, 'vomo', '5')).toBe(a);
    // A VOMO-only person keeps its ID through an email change.
    m.vomoUser({ id: '5', email: 'a.new@x.example', first: 'A' });
    m.vomoUser({ id: '6', email: 'b@x.example', first: 'B', gone: true });
    const s = svc.rebuild(profileId);
    expect(personOf(core.db, profileId, 'vomo', '5')).toBe(a);
    expect(personOf(core.db, profileId, 'vomo', '6')).toBeUndefined();
    expect(s.persons).toBe(1);
    const hist = core.db.prepare(`SELECT active FROM person_links WHERE profile_id = ? AND source = 'vomo' AND source_id = '6' AND person_id = ?`).get(profileId, b) as { active: number };
    expect(hist.active).toBe(0);
    const lineage = svc.person(profileId, a!).lineage.map((l) => [l.emailNorm, l.isCurrent]);
    expect(lineage).toEqual(expect.arrayContaining([['a@x.example', false], ['a.new@x.example', true]]));
  });
});

describe('conflicts', () => {
  it('finds real disagreements only, keeps resolutions, reopens on a new disagreement, audits', async () => {
    const { core, profileId, m, svc } = setup();
    m.vomoUser({ id: '7', email: 'bruce@wayne.example', first: 'Bruce', last: 'Wayne', phone: '+15551234567' });
    m.crmContact({ id: '700', individuals: [{ id: '7001', first: 'Bruce W.', last: 'Wayne-Kane', primary: true, emails: ['bruce@wayne.example'], phones: ['555.123.4567'] }] });
    svc.rebuild(profileId);
    let list = svc.listConflicts({ profileId, status: 'open', offset: 0, limit: 50 });
    expect(list.items.map((c) => c.field).sort()).toEqual(['first_name', 'last_name']);
    const last = list.items.find((c) => c.field === 'last_name')!;
    expect(last.authority).toBe('vomo');
    // Each of the person's conflicts is queued under the last name the person shows.
    const queuedUnder = () => core.db.prepare(`SELECT DISTINCT person_sort FROM conflicts WHERE profile_id = ? AND person_id = ?`).pluck().all(profileId, last.personId);
    expect(queuedUnder()).toEqual(['Wayne']);
    svc.setConflicts(profileId, [last.id], 'resolve', 'crm', null, null);
    const pid = last.personId;
    expect(personRow(core.db, profileId, pid).display_last_name).toBe('Wayne-Kane');
    expect(queuedUnder()).toEqual(['Wayne-Kane']);
    expect(core.audit.list(profileId, { subjectType: 'person', subjectId: pid }).some((a) => a.action === 'conflict.resolve')).toBe(true);
    svc.rebuild(profileId);
    list = svc.listConflicts({ profileId, status: 'all', offset: 0, limit: 50 });
    expect(list.items.find((c) => c.field === 'last_name')!.status).toBe('resolved');
    expect(personRow(core.db, profileId, pid).display_last_name).toBe('Wayne-Kane');
    // A new disagreement reopens it.
    m.vomoUser({ id: '7', email: 'bruce@wayne.example', first: 'Bruce', last: 'Wayne Jr', phone: '+15551234567' });
    svc.rebuild(profileId);
    const again = svc.listConflicts({ profileId, status: 'all', offset: 0, limit: 50 }).items.find((c) => c.field === 'last_name')!;
    expect(again.status).toBe('open');
    expect(again.reopenedAt).not.toBeNull();
    expect(queuedUnder()).toEqual(['Wayne Jr']);
    // Authority is editable per profile and display follows it.
    await svc.setSettings(profileId, { fieldAuthority: { email: 'vomo', first_name: 'crm', last_name: 'vomo', phone: 'crm' }, defaultPhoneRegion: 'US' });
    expect(personRow(core.db, profileId, pid).display_first_name).toBe('Bruce W.');
    // A sync that renames the person moves its conflicts in the queue with it.
    m.vomoUser({ id: '7', email: 'bruce@wayne.example', first: 'Bruce', last: 'Kane', phone: '+15551234567' });
    svc.rebuild(profileId);
    expect(personRow(core.db, profileId, pid).display_last_name).toBe('Kane');
    expect(queuedUnder()).toEqual(['Kane']);
    // And so does a new authority for last names.
    await svc.setSettings(profileId, { fieldAuthority: { email: 'vomo', first_name: 'crm', last_name: 'crm', phone: 'crm' }, defaultPhoneRegion: 'US' });
    expect(personRow(core.db, profileId, pid).display_last_name).toBe('Wayne-Kane');
    expect(queuedUnder()).toEqual(['Wayne-Kane']);
  });

  it('a rebuild of every person looks at each one in both systems, past the page the conflicts are read by', async () => {
    const { core, profileId, m, svc } = setup();
    const n = 8192 + 300; // persons in VOMO and CRM+: more than one page
    core.db.transaction(() => {
      for (let i = 0; i < n; i++) {
        m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: 'Pat', last: `Vomo${i}` });
        m.crmContact({ id: `c${i}`, individuals: [{ id: `i${i}`, first: 'Pat', last: `Crm${i}`, primary: true, emails: [`p${i}@x.example`] }] });
      }
    })();
    svc.rebuild(profileId);
    const open = () => core.db.prepare(`SELECT COUNT(DISTINCT person_id) FROM conflicts WHERE profile_id = ? AND active = 1 AND status = 'open' AND field = 'last_name'`).pluck().get(profileId);
    expect(open()).toBe(n);
    // A resolution of the last person's conflict survives a new setting, which looks at everyone again.
    const last = core.db.prepare(`SELECT id FROM conflicts WHERE profile_id = ? AND field = 'last_name' ORDER BY person_id DESC LIMIT 1`).pluck().get(profileId) as number;
    svc.setConflicts(profileId, [last], 'resolve', 'crm', null, null);
    await svc.setSettings(profileId, { fieldAuthority: { email: 'vomo', first_name: 'crm', last_name: 'vomo', phone: 'crm' }, defaultPhoneRegion: 'US' });
    expect(open()).toBe(n - 1);
    expect(core.db.prepare(`SELECT status FROM conflicts WHERE id = ?`).pluck().get(last)).toBe('resolved');
  });

  it('exports fix lists as CSV with a BOM, neutralising formulas', () => {
    const { core, profileId, m, svc } = setup();
    m.vomoUser({ id: '8', email: 'x@y.example', first: '=HYPERLINK("evil")', last: 'Lee', phone: '+1 202 555 0101' });
    m.crmContact({ id: '800', individuals: [{ id: '8001', first: 'Ann', last: 'Lee', primary: true, emails: ['x@y.example'], phones: ['202-555-0199'] }] });
    // A full-width = is read as = by Apple Numbers.
    m.vomoUser({ id: '9', email: 'w@y.example', first: '＝SUM(1)', last: 'Wu' });
    m.crmContact({ id: '900', individuals: [{ id: '9001', first: 'Bo', last: 'Wu', primary: true, emails: ['w@y.example'] }] });
    svc.rebuild(profileId);
    const fixList = (system: 'vomo' | 'crm') => {
      const rows = fixRows(core.db, profileId, system, svc.settings(profileId));
      return { rows: rows.length, csv: fixListCsv(rows, system) };
    };
    const crm = fixList('crm');
    expect(crm.csv.charCodeAt(0)).toBe(0xfeff);
    expect(crm.csv).toContain(`'=HYPERLINK`);
    expect(crm.csv).toContain(`'＝SUM(1)`);
    expect(crm.rows).toBe(2); // first names: VOMO is the authority, so CRM+ is corrected
    const vomo = fixList('vomo');
    expect(vomo.rows).toBe(1); // phone: CRM+ is the authority
    expect(vomo.csv).toContain(`'+1 202 555 0101`);
    // A value the steward chose is a correction in both systems, whichever is the authority.
    const wu = core.db.prepare(`SELECT c.id FROM conflicts c JOIN persons p ON p.id = c.person_id WHERE c.field = 'first_name' AND p.display_last_name = 'Wu'`).pluck().get() as number;
    svc.setConflicts(profileId, [wu], 'resolve', 'custom', 'Bea', null);
    expect(fixList('vomo').rows).toBe(2);
    expect(fixList('vomo').csv).toContain('Bea');
    expect(fixList('crm').rows).toBe(2);
  });
});
