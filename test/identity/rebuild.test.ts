/**
 * A rebuild recomputes only the persons whose inputs changed (their digest). That shortcut must
 * be invisible: after any change to the mirrors, the store must be exactly what recomputing
 * every person from scratch gives.
 */
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { identityCore, personOf, storeSnapshot as snapshot } from './fixtures';
import { forgetRebuildShortcuts, rebuildIdentity, REBUILD_CACHE_KIB, SCOPED_REBUILD_CACHE_KIB } from '../../src-main/identity/rebuildPipeline';
import { STREAMING_JOIN_CACHE_KIB } from '../../src-main/identity/rebuildCache';
import { installGarbageCollector } from '../../src-main/core/garbage';
import { garbageBeat } from '../../src-main/identity/joinBuilder';
import { columnsEnd, streamCachedFields } from '../../src-main/identity/nodeCache';
import { takePersonChanges } from '../../src-main/identity/personChanges';
import { setConflictAuthority } from '../../src-main/identity/conflicts';
import { loadJoinNodes, RecordCacheStale } from '../../src-main/identity/nodes';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A store with its cleanup registered, and its identity service. */
function newCore() {
  const x = identityCore();
  cleanups.push(() => x.core.cleanup());
  return { ...x, svc: x.core.identity };
}

/** Ann in VOMO and Anne in CRM+, one email: one person whose first name depends on the field authority. */
function annInBothSystems(m: ReturnType<typeof identityCore>['m']) {
  m.vomoUser({ id: 'v1', email: 'a@x.example', first: 'Ann', last: 'Lee' });
  m.crmContact({ id: 'c1', individuals: [{ id: 'i1', first: 'Anne', last: 'Lee', primary: true, emails: ['a@x.example'] }] });
}

const hasPair = (candidates: unknown[], key: string) => (candidates as { key_a: string; key_b: string }[]).some((c) => c.key_a === key || c.key_b === key);

describe('rebuild', () => {
  it('rewrites only changed persons, and leaves exactly what a full recompute leaves', () => {
    const { core, profileId, m, svc } = newCore();
    for (let i = 1; i <= 100; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: `First${i}`, last: 'Smith', phone: `(217) 555-0${String(i).padStart(3, '0')}` });
    for (let i = 10; i <= 120; i++) {
      m.crmContact({
        id: `c${i}`,
        name: `Contact ${i}`,
        postal: '62701',
        individuals: [
          { id: `i${i}`, first: `First${i}`, last: 'Smith', primary: true, emails: [`P${i}@x.example`], phones: ['217-555-0100'] },
          // Every fifth household: a partner sharing the email (two people, one join key).
          ...(i % 5 === 0 ? [{ id: `j${i}`, first: 'Partner', last: 'Smith', emails: [`p${i}@x.example`] }] : []),
        ],
      });
    }
    for (let i = 25; i <= 60; i++) m.raiseDonor({ id: `r${i}`, email: i % 2 ? `p${i}@x.example` : `other${i}@y.example`, first: `First${i}`, last: 'Smith', crmKey: i % 2 ? null : `c${i}` });
    m.crmContact({ id: 'org1', name: 'Acme Corp', type: 'Organization' });
    // Someone with two addresses in CRM+ (the second is kept apart in the node cache).
    m.crmContact({ id: 'c200', name: 'Dana Two', individuals: [{ id: 'i200', first: 'Dana', last: 'Two', primary: true, emails: ['dana@a.example', 'dana@b.example'] }] });
    // Split candidates: the same person again under another email and the same phone (two pairs).
    m.raiseDonor({ id: 'dup6', email: 'first6@other.example', first: 'First6', last: 'Smith', phone: '(217) 555-0006' });
    m.raiseDonor({ id: 'dup7', email: 'first7@other.example', first: 'First7', last: 'Smith', phone: '(217) 555-0007' });
    for (let i = 1; i <= 30; i += 3) m.participation({ userId: `v${i}`, id: `a${i}`, hours: 2, at: '2025-05-01T10:00:00Z' });
    for (let i = 10; i <= 40; i += 4) m.crmGift({ id: `g${i}`, contactId: `c${i}`, amountCents: 5000, date: '2025-03-01' });
    for (let i = 25; i <= 35; i += 2) m.raiseGift({ id: `rg${i}`, donorId: `r${i}`, amountCents: 2500, date: '2025-06-01T12:00:00Z' });
    svc.rebuild(profileId);
    expect(hasPair(snapshot(core.db, profileId).candidates, 'vomo:v7')).toBe(true);

    // Nothing changed: nothing is rewritten.
    const again = svc.rebuild(profileId);
    expect(again.timings?.personsWritten).toBe(0);
    expect(again.timings?.recordsRead).toBe(0); // and no record is read again from the mirrors

    // A sync's worth of changes of every kind.
    m.vomoUser({ id: 'v3', email: 'p3.new@x.example', first: 'First3', last: 'Smith' }); // email change: the person splits
    m.vomoUser({ id: 'v4', email: 'p4@x.example', first: 'Fourth', last: 'Smith-Jones' }); // name change: a conflict
    m.vomoUser({ id: 'v5', email: 'p5@x.example', gone: true }); // deleted in VOMO
    m.vomoUser({ id: 'v99', email: 'p12@x.example', first: 'First12', last: 'Smith' }); // a second VOMO user on one email
    m.crmContact({ id: 'c20', name: 'Contact 20 renamed', postal: '62702', individuals: [{ id: 'i20', first: 'First20', last: 'Smith', primary: true, emails: ['p20@x.example'] }] }); // the partner left
    m.raiseDonor({ id: 'r40', email: 'p40@x.example', first: 'First40', last: 'Smith' }); // a new donor joins by email
    m.crmContact({ id: 'c200', name: 'Dana Two', individuals: [{ id: 'i200', first: 'Dana', last: 'Two', primary: true, emails: ['dana@a.example', 'dana@c.example'] }] }); // a second address replaced
    m.raiseDonor({ id: 'dup7', email: 'first7@other.example', first: 'Someone', last: 'Else', phone: '(217) 555-0007' }); // no longer a similar name
    m.raiseDonor({ id: 'dup9', email: 'first9@other.example', first: 'First9', last: 'Smith', phone: '(217) 555-0009' }); // a new duplicate
    // A new donor under the email of a donor joined by crmKey: only the new person is recomputed,
    // and the pair (found from its side) is a crmKey candidate.
    m.raiseDonor({ id: 'r70', email: 'other26@y.example', first: 'Someone', last: 'Smith' });
    m.participation({ userId: 'v8', id: 'a8b', hours: 5, verified: false, at: '2026-01-10T10:00:00Z' }); // new hours, unverified
    m.participation({ userId: 'v1', id: 'a1', hours: 4, at: '2025-05-01T10:00:00Z' }); // hours corrected
    m.crmGift({ id: 'g38', contactId: 'c38', amountCents: 9000, date: '2026-01-02' }); // a new CRM+ gift
    m.raiseGift({ id: 'rg27', donorId: 'r27', amountCents: 2500, date: '2025-06-01T12:00:00Z', status: 'Refunded' }); // a refund
    // A reference added to an otherwise unchanged contact, naming an otherwise unchanged user: a candidate.
    core.db.prepare(`INSERT INTO crm_contact_references (profile_id, contact_id, source, ref_id) VALUES (?, 'c90', 'Twofold/VOMO', 'v50')`).run(profileId);
    core.db
      .prepare(`INSERT INTO identity_decisions (profile_id, key_a, key_b, verdict, decided_at, decided_by) VALUES (?, 'crm_individual:i15', 'vomo:v15', 'not_same', ?, 'test')`)
      .run(profileId, new Date().toISOString());
    const s = svc.rebuild(profileId);
    expect(s.timings?.personsWritten).toBeGreaterThan(0);
    expect(s.timings?.personsWritten).toBeLessThan(s.persons / 2);
    expect(s.timings?.recordsRead).toBeGreaterThan(0);
    expect(s.timings?.recordsRead).toBeLessThan(s.links / 2); // only the marked records (and their households)
    // and joins again only the records those changes can reach, not the store (joinScope.ts)
    expect(s.timings?.recordsJoined).toBeLessThan(s.links / 4);
    expect(personOf(core.db, profileId, 'vomo', 'v15')).not.toBe(personOf(core.db, profileId, 'crm_individual', 'i15'));
    const incremental = snapshot(core.db, profileId);
    const pairsOf = (kind: string) => incremental.candidates.filter((c) => (c as { kind: string }).kind === kind).length;
    expect(pairsOf('phone_name')).toBeGreaterThanOrEqual(2); // v6/dup6 kept, v9/dup9 found, v7/dup7 gone
    expect(hasPair(incremental.candidates, 'vomo:v7')).toBe(false);
    expect(pairsOf('reference')).toBe(2); // one per person of the household (c90 has a partner)
    expect(hasPair(incremental.candidates, 'raise:r70')).toBe(true);
    const hours = (id: string) => (core.db.prepare(`SELECT vomo_hours_total AS h FROM persons WHERE id = ?`).get(personOf(core.db, profileId, 'vomo', id)) as { h: number }).h;
    expect([hours('v1'), hours('v8')]).toEqual([4, 5]);

    // Forget every digest and the node cache: the next rebuild reads every record from the
    // mirrors, and recomputes and rewrites every person.
    forgetRebuildShortcuts(core.db, profileId);
    const full = svc.rebuild(profileId);
    expect(full.timings?.personsWritten).toBe(full.persons);
    expect(full.timings?.recordsRead).toBe(full.links);
    expect(snapshot(core.db, profileId)).toEqual(incremental);

    // Email lineage is looked at again only for records whose addresses changed: a sync that
    // renames someone and adds hours re-reads records but no lineage; one that moves an
    // address, that record's (the snapshots above show the lineage it leaves is exact).
    m.vomoUser({ id: 'v4', email: 'p4@x.example', first: 'Fourth', last: 'Smith' });
    m.participation({ userId: 'v10', id: 'a10b', hours: 1, at: '2026-01-11T10:00:00Z' });
    const quiet = svc.rebuild(profileId);
    expect(quiet.timings?.recordsRead).toBeGreaterThanOrEqual(2);
    expect(quiet.timings?.lineageRecords).toBe(0);
    m.vomoUser({ id: 'v4', email: 'p4.moved@x.example', first: 'Fourth', last: 'Smith' });
    const moved = svc.rebuild(profileId);
    expect(moved.timings?.lineageRecords).toBe(1);
    expect(core.db.prepare(`SELECT email_norm, is_current FROM email_lineage WHERE profile_id = ? AND source = 'vomo' AND source_id = 'v4' ORDER BY email_norm`).all(profileId)).toEqual([
      { email_norm: 'p4.moved@x.example', is_current: 1 },
      { email_norm: 'p4@x.example', is_current: 0 },
    ]);
  });

  it('finds a CRM+ reference again from either side when only one of its two persons is recomputed', () => {
    const { core, profileId, m, svc } = newCore();
    m.vomoUser({ id: 'v1', email: 'wei@v.example', first: 'Wei', last: 'Li' });
    m.vomoUser({ id: 'v2', email: 'other@v.example', first: 'Other', last: 'Person' });
    // Enough others that each change below stays a scoped rebuild (under a fifth of the records).
    for (let i = 10; i < 30; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@v.example`, first: `First${i}`, last: 'Other' });
    m.crmContact({ id: 'c1', references: [{ source: 'Twofold/VOMO', id: 'v1' }], individuals: [{ id: 'i1', first: 'Wei', last: 'Li', primary: true, emails: ['wei@c.example'] }] });
    svc.rebuild(profileId);
    const referencePairs = () => snapshot(core.db, profileId).candidates.filter((c) => (c as { kind: string }).kind === 'reference');
    expect(referencePairs()).toHaveLength(1);
    const scratch = () => {
      const before = snapshot(core.db, profileId);
      forgetRebuildShortcuts(core.db, profileId);
      svc.rebuild(profileId);
      expect(snapshot(core.db, profileId)).toEqual(before);
    };
    // Only the named VOMO user's person changes: the reference is found from its side.
    m.vomoUser({ id: 'v1', email: 'wei@v.example', first: 'Wei', last: 'Li-Chen' });
    const fromUser = svc.rebuild(profileId);
    expect(fromUser.timings?.personsWritten).toBe(1);
    expect(fromUser.timings?.recordsJoined).toBeLessThan(5); // scoped
    expect(referencePairs()).toHaveLength(1);
    scratch();
    // Only the contact's person changes: found from the contact's side.
    m.crmContact({ id: 'c1', name: 'Wei Li (renamed)', references: [{ source: 'Twofold/VOMO', id: 'v1' }], individuals: [{ id: 'i1', first: 'Wei', last: 'Li', primary: true, emails: ['wei@c.example'] }] });
    const fromContact = svc.rebuild(profileId);
    expect(fromContact.timings?.personsWritten).toBe(1);
    expect(fromContact.timings?.recordsJoined).toBeLessThan(5);
    expect(referencePairs()).toHaveLength(1);
    scratch();
    // An unrelated person changes: the pair is left as it is.
    m.vomoUser({ id: 'v2', email: 'other@v.example', first: 'Other', last: 'Renamed' });
    svc.rebuild(profileId);
    expect(referencePairs()).toHaveLength(1);
    scratch();
  });

  it('finds an email change again from either side when only one of its two persons is recomputed', () => {
    const { core, profileId, m, svc } = newCore();
    const bruce = (email: string, phone: string) => m.vomoUser({ id: 'v1', email, first: 'Bruce', last: 'Wayne', phone });
    const crmBruce = (last: string) =>
      m.crmContact({ id: 'c1', individuals: [{ id: 'i1', first: 'Bruce', last, primary: true, emails: ['bruce@w.example'] }] });
    bruce('bruce@w.example', '555 0100');
    crmBruce('Wayne');
    // Enough others that each change below stays a scoped rebuild (under a fifth of the records);
    // ten of them changed their email earlier, history the scoped step must not depend on.
    for (let i = 10; i < 40; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@v.example`, first: `First${i}`, last: 'Other' });
    svc.rebuild(profileId);
    for (let i = 10; i < 20; i++) m.vomoUser({ id: `v${i}`, email: `p${i}.new@v.example`, first: `First${i}`, last: 'Other' });
    svc.rebuild(profileId);
    // VOMO's email changes: VOMO's record leaves Bruce's row for a new one, with both kinds of evidence.
    bruce('bruce.wayne@w.example', '555 0100');
    svc.rebuild(profileId);
    const candidate = () =>
      core.db.prepare(`SELECT kind, score, evidence_json FROM split_candidates WHERE profile_id = ? AND status = 'open' AND kind = 'email_change'`).all(profileId) as {
        evidence_json: string;
      }[];
    const [found] = candidate();
    expect(JSON.parse(found.evidence_json).map((e: { text: string }) => e.text)).toEqual([
      expect.stringMatching(/used to have the email bruce@w\.example, which the other row still has/),
      expect.stringMatching(/was part of the other row under bruce@w\.example and now appears under bruce\.wayne@w\.example/),
    ]);
    const scratch = () => {
      const before = snapshot(core.db, profileId);
      forgetRebuildShortcuts(core.db, profileId);
      svc.rebuild(profileId);
      expect(snapshot(core.db, profileId)).toEqual(before);
    };
    scratch();
    // Only the row still holding the old address is recomputed (it lost the link): the same pair, the same evidence.
    crmBruce('Wayne Sr');
    const fromHolder = svc.rebuild(profileId);
    expect(fromHolder.timings?.personsWritten).toBe(1);
    expect(fromHolder.timings?.recordsJoined).toBeLessThan(5); // scoped
    expect(candidate()).toEqual([found]);
    scratch();
    // Only the row of the record that had it (and holds the moved link): the same again.
    bruce('bruce.wayne@w.example', '555 0199');
    const fromMover = svc.rebuild(profileId);
    expect(fromMover.timings?.personsWritten).toBe(1);
    expect(fromMover.timings?.recordsJoined).toBeLessThan(5);
    expect(candidate()).toEqual([found]);
    scratch();
  });

  it('streams a join of everyone through a small page cache, runs the rest with a larger one, a join that follows a few records with a larger one still, and gives the connection its own size back, also when it fails', () => {
    const { core, profileId, m } = newCore();
    const cacheSize = () => core.db.pragma('cache_size', { simple: true }) as number;
    const own = cacheSize();
    expect(own).toBeGreaterThan(-REBUILD_CACHE_KIB);
    // Twenty persons from thirty records: ten in VOMO and CRM+, ten in VOMO only.
    const person = (i: number, last: string) => {
      m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: 'Ann', last });
      if (i < 10) m.crmContact({ id: `c${i}`, individuals: [{ id: `i${i}`, first: 'Ann', last, primary: true, emails: [`p${i}@x.example`] }] });
    };
    for (let i = 0; i < 20; i++) person(i, `Lee${i}`);
    const settings = core.identity.settings(profileId);
    const rebuildSeeing = (now: string, s = settings) => {
      const during: Record<string, number> = {};
      core.db.transaction(() => rebuildIdentity(core.db, profileId, s, now, { onProgress: (step) => (during[step] ??= cacheSize()) }))();
      return during;
    };
    // A first build reads every record and writes every person once, in order: nothing it
    // caches is read again until the join is over.
    const first = rebuildSeeing('2026-01-02T00:00:00.000Z');
    for (const step of ['join', 'persons', 'links']) expect(first[step], step).toBe(-STREAMING_JOIN_CACHE_KIB);
    for (const step of ['lineage', 'conflicts', 'indexes', 'splits']) expect(first[step], step).toBe(-REBUILD_CACHE_KIB);
    expect(cacheSize()).toBe(own);
    // One person changes: the join follows its records through the store, and from there on the
    // rebuild runs in a cache that holds what it dirties (rebuildCache.ts).
    person(3, 'Renamed');
    const scoped = rebuildSeeing('2026-01-03T00:00:00.000Z');
    expect(scoped.records).toBe(-REBUILD_CACHE_KIB);
    for (const step of ['join', 'persons', 'links', 'lineage', 'conflicts', 'indexes', 'splits']) expect(scoped[step], step).toBe(-SCOPED_REBUILD_CACHE_KIB);
    expect(cacheSize()).toBe(own);
    // Four persons of twenty change, eight records of thirty: more than a fifth of the records to
    // follow, so every record is read (streamed), but a fifth of the persons is written, with the
    // larger cache, like everything after.
    for (let i = 4; i < 8; i++) person(i, `Renamed${i}`);
    const wide = rebuildSeeing('2026-01-03T12:00:00.000Z');
    expect(wide.join).toBe(-STREAMING_JOIN_CACHE_KIB);
    for (const step of ['persons', 'links', 'lineage', 'splits']) expect(wide[step], step).toBe(-REBUILD_CACHE_KIB);
    expect(cacheSize()).toBe(own);
    // A new setting with a record changed since computes everyone again: streamed like a first build.
    const other = { ...settings, defaultPhoneRegion: settings.defaultPhoneRegion === 'GB' ? 'US' : 'GB' };
    m.touch('vomo', 'v12');
    const recompute = rebuildSeeing('2026-01-04T00:00:00.000Z', other);
    for (const step of ['join', 'persons', 'links']) expect(recompute[step], step).toBe(-STREAMING_JOIN_CACHE_KIB);
    expect(recompute.lineage).toBe(-REBUILD_CACHE_KIB);
    expect(cacheSize()).toBe(own);
    // Cancelled before anything, or in the middle of a streamed join: the connection's own size.
    const cancelled = () =>
      core.db.transaction(() =>
        rebuildIdentity(core.db, profileId, core.identity.settings(profileId), '2026-01-03T00:00:00.000Z', { shouldCancel: () => true }),
      )();
    expect(cancelled).toThrow(/cancelled/);
    expect(cacheSize()).toBe(own);
    let inJoin = false;
    const cancelledStreaming = () =>
      core.db.transaction(() =>
        rebuildIdentity(core.db, profileId, settings, '2026-01-05T00:00:00.000Z', { onProgress: (step) => (inJoin ||= step === 'persons'), shouldCancel: () => inJoin }),
      )();
    expect(cancelledStreaming).toThrow(/cancelled/);
    expect(cacheSize()).toBe(own);
  });

  it('says before a rebuild starts whether it will read every record: before the first build, with an outdated record cache, and once a fifth of the records changed', () => {
    const { core, profileId, m } = newCore();
    const settings = core.identity.settings(profileId);
    // Twenty persons from thirty records: ten in VOMO and CRM+, ten in VOMO only.
    const person = (i: number, last: string) => {
      m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: 'Ann', last });
      if (i < 10) m.crmContact({ id: `c${i}`, individuals: [{ id: `i${i}`, first: 'Ann', last, primary: true, emails: [`p${i}@x.example`] }] });
    };
    for (let i = 0; i < 20; i++) person(i, `Lee${i}`);
    const said = () => core.identity.nextRebuildReadsEverything(profileId);
    // What the rebuild then did: a join that reads every record streams (rebuildCache.ts).
    const readEverything = (now: string) => {
      let join = 0;
      core.db.transaction(() => rebuildIdentity(core.db, profileId, settings, now, { onProgress: (step) => void (step === 'join' && (join = core.db.pragma('cache_size', { simple: true }) as number)) }))();
      return join === -STREAMING_JOIN_CACHE_KIB;
    };
    expect(said()).toBe(true);
    expect(readEverything('2026-01-02T00:00:00.000Z')).toBe(true);
    expect(said()).toBe(false); // nothing changed
    expect(readEverything('2026-01-03T00:00:00.000Z')).toBe(false);
    person(3, 'Renamed'); // its records, a tenth of them
    expect(said()).toBe(false);
    expect(readEverything('2026-01-04T00:00:00.000Z')).toBe(false);
    for (let i = 4; i < 8; i++) person(i, `Renamed${i}`); // more than a fifth
    expect(said()).toBe(true);
    expect(readEverything('2026-01-05T00:00:00.000Z')).toBe(true);
    expect(said()).toBe(false);
    core.db.prepare(`UPDATE identity_node_cache SET version = version + 1 WHERE profile_id = ?`).run(profileId);
    expect(said()).toBe(true);
    expect(readEverything('2026-01-06T00:00:00.000Z')).toBe(true);
    expect(said()).toBe(false);
  });

  it('writes the node cache\'s own row once per rebuild, at the end of the join, with the records and persons it then holds', () => {
    // A page written early in a rebuild and again at its end makes SQLite read the whole log back
    // at the commit once the page was spilled in between (nodeCache.ts, saveNodeCache).
    const { core, profileId, m } = newCore();
    for (let i = 0; i < 12; i++) {
      m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: 'Ann', last: `Lee${i}` });
      if (i < 6) m.crmContact({ id: `c${i}`, individuals: [{ id: `i${i}`, first: 'Ann', last: `Lee${i}`, primary: true, emails: [`p${i}@x.example`] }] });
    }
    const writes: string[] = [];
    let step = '';
    core.db.function('note_cache_write', () => void writes.push(step));
    core.db.exec(`CREATE TEMP TRIGGER cache_inserted AFTER INSERT ON main.identity_node_cache BEGIN SELECT note_cache_write(); END;
                  CREATE TEMP TRIGGER cache_updated AFTER UPDATE ON main.identity_node_cache BEGIN SELECT note_cache_write(); END;`);
    const settings = core.identity.settings(profileId);
    const rebuild = (now: string, s = settings) => {
      writes.length = 0;
      core.db.transaction(() => rebuildIdentity(core.db, profileId, s, now, { onProgress: (name) => (step = name) }))();
      const row = core.db.prepare(`SELECT node_count, person_count FROM identity_node_cache WHERE profile_id = ?`).get(profileId);
      const persons = core.db.prepare(`SELECT COUNT(*) FROM persons WHERE profile_id = ?`).pluck().get(profileId);
      return { writes: [...writes], row, persons };
    };
    // First build: 18 records (12 VOMO users, 6 individuals), 12 persons.
    expect(rebuild('2026-01-02T00:00:00.000Z')).toEqual({ writes: ['links'], row: { node_count: 18, person_count: 12 }, persons: 12 });
    expect(rebuild('2026-01-03T00:00:00.000Z')).toEqual({ writes: ['links'], row: { node_count: 18, person_count: 12 }, persons: 12 });
    // A sync adds a VOMO user with a new email and renames one: a scoped rebuild.
    m.vomoUser({ id: 'v20', email: 'new@x.example', first: 'Bo', last: 'New' });
    m.vomoUser({ id: 'v3', email: 'p3@x.example', first: 'Ann', last: 'Renamed' });
    expect(rebuild('2026-01-04T00:00:00.000Z')).toEqual({ writes: ['links'], row: { node_count: 19, person_count: 13 }, persons: 13 });
    // A new setting with a record changed since: every person joined again.
    const other = { ...settings, defaultPhoneRegion: settings.defaultPhoneRegion === 'GB' ? 'US' : 'GB' };
    m.touch('vomo', 'v5');
    expect(rebuild('2026-01-05T00:00:00.000Z', other)).toEqual({ writes: ['links'], row: { node_count: 19, person_count: 13 }, persons: 13 });
    // With nothing changed since, computed again from the rows, which is all that rebuild's join does.
    expect(rebuild('2026-01-06T00:00:00.000Z', settings)).toEqual({ writes: ['persons'], row: { node_count: 19, person_count: 13 }, persons: 13 });
  });

  it('lets the garbage of a join of everyone go before the persons pass and after the join, in a built store before its persons are read too, and never in a small rebuild', () => {
    const { core, profileId, m } = newCore();
    for (let i = 0; i < 20; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: 'Ann', last: `Lee${i}` });
    const settings = core.identity.settings(profileId);
    const collectedIn = (now: string, s = settings) => {
      let step = '';
      const at: string[] = [];
      installGarbageCollector(() => at.push(step), 0);
      try {
        core.db.transaction(() => rebuildIdentity(core.db, profileId, s, now, { onProgress: (p) => (step = p) }))();
      } finally {
        installGarbageCollector(null);
      }
      return at;
    };
    // 'join' is the phase the persons pass follows; 'links' the join's last.
    expect(collectedIn('2026-01-02T00:00:00.000Z')).toEqual(['join', 'links']);
    m.vomoUser({ id: 'v3', email: 'p3@x.example', first: 'Ann', last: 'Renamed' });
    expect(collectedIn('2026-01-03T00:00:00.000Z')).toEqual([]);
    // A new setting with a record changed since joins everyone again, over persons already built:
    // the load's and clustering's garbage goes before those persons are read in as well.
    const other = { ...settings, defaultPhoneRegion: settings.defaultPhoneRegion === 'GB' ? 'US' : 'GB' };
    m.touch('vomo', 'v5');
    expect(collectedIn('2026-01-04T00:00:00.000Z', other)).toEqual(['join', 'join', 'links']);
    // With nothing changed since, nothing is joined (displayRecompute.ts): nothing to collect.
    expect(collectedIn('2026-01-05T00:00:00.000Z', settings)).toEqual([]);
  });

  it('collects on a beat of records in a persons pass that computes every person, and not in a new field authority\'s pass, which joins nothing when nothing else changed', async () => {
    const { core, profileId, m, svc } = newCore();
    // Twelve persons, each in both systems: a new field authority recomputes every one of them.
    for (let i = 0; i < 12; i++) {
      m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: 'Ann', last: `Lee${i}` });
      m.crmContact({ id: `c${i}`, individuals: [{ id: `i${i}`, first: 'Anne', last: `Lee${i}`, primary: true, emails: [`p${i}@x.example`] }] });
    }
    svc.rebuild(profileId);
    const settings = svc.settings(profileId);
    const collectedIn = (s: typeof settings) => {
      let step = '';
      const at: string[] = [];
      const beat = garbageBeat.records;
      garbageBeat.records = 4;
      installGarbageCollector(() => at.push(step), 0);
      try {
        core.db.transaction(() => rebuildIdentity(core.db, profileId, s, '2026-01-04T00:00:00.000Z', { onProgress: (p) => (step = p) }))();
      } finally {
        installGarbageCollector(null);
        garbageBeat.records = beat;
      }
      return at;
    };
    const records = core.db.prepare(`SELECT node_count FROM identity_node_cache WHERE profile_id = ?`).pluck().get(profileId) as number;
    expect(records).toBe(24); // 12 VOMO users, 12 CRM+ individuals
    // A new phone region with a record changed since joins everyone again: the pass over the 24
    // records collects at 4, 8, ..., 20.
    const region = { ...settings, defaultPhoneRegion: settings.defaultPhoneRegion === 'GB' ? 'US' : 'GB' };
    m.touch('vomo', 'v5');
    expect(collectedIn(region)).toEqual(['join', 'join', 'persons', 'persons', 'persons', 'persons', 'persons', 'links']);
    // A new field authority recomputes the persons in two systems (all of them here). With a
    // record changed since, a join of everyone: its collections around the pass, none on the beat.
    m.vomoUser({ id: 'v0', email: 'p0@x.example', first: 'Ann', last: 'Lee-Park' });
    expect(collectedIn({ ...region, fieldAuthority: { ...region.fieldAuthority, first_name: 'crm' } })).toEqual(['join', 'join', 'links']);
    // With nothing else changed, no join: nothing to collect (displayRecompute.ts).
    expect(collectedIn({ ...region, fieldAuthority: { ...region.fieldAuthority, first_name: 'vomo' } })).toEqual([]);
  });

  it('recomputes the persons a new field authority applies to, those with records in two or more systems, and writes those that read differently', async () => {
    const { core, profileId, m, svc } = newCore();
    annInBothSystems(m);
    m.vomoUser({ id: 'v2', email: 'b@x.example', first: 'Bo', last: 'Ng' }); // VOMO only: the authority cannot change it
    // In both systems under one first name: recomputed, and reads the same after.
    m.vomoUser({ id: 'v4', email: 'd@x.example', first: 'Dee', last: 'Ng' });
    m.crmContact({ id: 'c4', individuals: [{ id: 'i4', first: 'Dee', last: 'Ng', primary: true, emails: ['d@x.example'] }] });
    svc.rebuild(profileId);
    const p = personOf(core.db, profileId, 'vomo', 'v1');
    const row = (id: string) => core.db.prepare(`SELECT * FROM persons WHERE id = ?`).get(personOf(core.db, profileId, 'vomo', id));
    const bo = row('v2');
    const name = () => (core.db.prepare(`SELECT display_first_name FROM persons WHERE id = ?`).get(p) as { display_first_name: string }).display_first_name;
    expect(name()).toBe('Ann');
    const settings = svc.settings(profileId);
    const links = () => core.db.prepare(`SELECT * FROM person_links WHERE profile_id = ? ORDER BY source, source_id`).all(profileId);
    const linksBefore = links();
    const lineage = (id: string) =>
      core.db.prepare(`SELECT email_norm, is_current FROM email_lineage WHERE profile_id = ? AND source = 'vomo' AND source_id = ? ORDER BY email_norm`).all(profileId, id);
    const annLineage = lineage('v1');
    // A sync changed one address before the new setting: the lineage follows that record.
    m.vomoUser({ id: 'v3', email: 'c@x.example', first: 'Cy', last: 'Ng' });
    svc.rebuild(profileId);
    m.vomoUser({ id: 'v3', email: 'c.new@x.example', first: 'Cy', last: 'Ng' });
    await svc.setSettings(profileId, { ...settings, fieldAuthority: { ...settings.fieldAuthority, first_name: 'crm' } });
    expect(lineage('v3')).toEqual([
      { email_norm: 'c.new@x.example', is_current: 1 },
      { email_norm: 'c@x.example', is_current: 0 },
    ]);
    expect(lineage('v1')).toEqual(annLineage);
    expect(name()).toBe('Anne');
    // Recomputed: the two persons in two systems, and the one the sync changed; written: the one
    // whose row reads differently under the new setting (its updated_at with it) and the one the
    // sync changed, and only that one's link.
    const run = core.db.prepare(`SELECT summary_json FROM identity_runs WHERE profile_id = ? ORDER BY id DESC LIMIT 1`).pluck().get(profileId) as string;
    expect(JSON.parse(run).timings).toMatchObject({ personsWritten: 3, personRowsWritten: 2, linksWritten: 1 });
    expect(row('v2')).toEqual(bo);
    // Exactly what a rebuild from scratch under the new setting leaves.
    const recomputed = snapshot(core.db, profileId);
    svc.rebuild(profileId, 'rebuild', { fromScratch: true });
    expect(snapshot(core.db, profileId)).toEqual(recomputed);
    // A setting every person is computed with (the phone region) recomputes every one of the four.
    await svc.setSettings(profileId, { ...svc.settings(profileId), defaultPhoneRegion: 'GB' });
    const regionRun = core.db.prepare(`SELECT summary_json FROM identity_runs WHERE profile_id = ? ORDER BY id DESC LIMIT 1`).pluck().get(profileId) as string;
    expect(JSON.parse(regionRun).timings).toMatchObject({ personsWritten: 4 });
    expect(links().filter((l) => (l as { source_id: string }).source_id !== 'v3')).toEqual(linksBefore);
  });

  it('recomputes every person after a new field authority when the cache cannot vouch for the settings its persons were computed with', async () => {
    const { core, profileId, m, svc } = newCore();
    annInBothSystems(m);
    m.vomoUser({ id: 'v2', email: 'b@x.example', first: 'Bo', last: 'Ng' });
    svc.rebuild(profileId);
    const recomputed = () => JSON.parse(core.db.prepare(`SELECT summary_json FROM identity_runs WHERE profile_id = ? ORDER BY id DESC LIMIT 1`).pluck().get(profileId) as string).timings.personsWritten;
    const settings = svc.settings(profileId);
    const cache = (set: string) => core.db.prepare(`UPDATE identity_node_cache SET ${set} WHERE profile_id = ?`).run(profileId);
    // A store from before the cache kept its settings (migration 0093).
    cache('settings_json = NULL');
    await svc.setSettings(profileId, { ...settings, fieldAuthority: { ...settings.fieldAuthority, first_name: 'crm' } });
    expect(recomputed()).toBe(2);
    // Settings kept by other code (a new JOIN_VERSION: the digest does not match them).
    cache('settings_digest = settings_digest + 1');
    await svc.setSettings(profileId, settings);
    expect(recomputed()).toBe(2);
    // Kept and vouched for: only Ann, in two systems.
    await svc.setSettings(profileId, { ...settings, fieldAuthority: { ...settings.fieldAuthority, last_name: 'crm' } });
    expect(recomputed()).toBe(1);
  });

  it('after a new field authority looks again only at the persons it rewrote, and leaves what a rebuild from scratch leaves', async () => {
    const { core, profileId, m, svc } = newCore();
    // A hundred persons of one system (Ann's VOMO user, v1, joins her CRM+ one below), and a fourth
    // of the store in two: thirty who read the same in both, and four more.
    for (let i = 2; i <= 101; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: `First${i}`, last: 'Smith', phone: `(217) 555-0${String(i).padStart(3, '0')}` });
    for (let i = 1; i <= 30; i++) {
      m.vomoUser({ id: `w${i}`, email: `w${i}@x.example`, first: `Same${i}`, last: 'Jones' });
      m.crmContact({ id: `cw${i}`, individuals: [{ id: `iw${i}`, first: `Same${i}`, last: 'Jones', primary: true, emails: [`w${i}@x.example`] }] });
    }
    annInBothSystems(m); // first names Ann / Anne: her row reads differently under a new first-name authority
    m.vomoUser({ id: 'b1', email: 'bo@x.example', first: 'Bo', last: 'Ng' });
    m.crmContact({ id: 'cb', individuals: [{ id: 'ib', first: 'Bo', last: 'Ngo', primary: true, emails: ['bo@x.example'] }] }); // a last-name conflict
    m.vomoUser({ id: 'd1', email: 'dee@x.example', first: 'Dee', last: 'Park', phone: '(217) 555-0901' });
    m.crmContact({ id: 'cd', individuals: [{ id: 'id', first: 'Dee', last: 'Park', primary: true, emails: ['dee@x.example'], phones: ['(217) 555-0902'] }] }); // a phone conflict, to be dismissed
    m.vomoUser({ id: 'e1', email: 'eve@x.example', first: 'Eve', last: 'Hart' });
    m.crmContact({ id: 'ce', individuals: [{ id: 'ie', first: 'Eva', last: 'Hart', primary: true, emails: ['eve@x.example'] }] }); // a first-name conflict, to be resolved
    m.crmContact({ id: 'cz', name: 'Zed Household', individuals: [{ id: 'iz', first: 'Zed', last: 'Quinn', primary: true, emails: ['zed@x.example'] }] });
    m.raiseDonor({ id: 'dup6', email: 'first6@other.example', first: 'First6', last: 'Smith', phone: '(217) 555-0006' }); // a split candidate
    svc.rebuild(profileId);
    const id = (source: string, sourceId: string) => personOf(core.db, profileId, source, sourceId)!;
    const conflict = (person: string, field: string) =>
      core.db.prepare(`SELECT authority, status, chosen_value, last_seen_at FROM conflicts WHERE profile_id = ? AND person_id = ? AND field = ?`).get(profileId, person, field) as
        | { authority: string; status: string; chosen_value: string | null; last_seen_at: string }
        | undefined;
    core.db.prepare(`UPDATE conflicts SET status = 'resolved', resolution = 'custom', chosen_value = 'Evie' WHERE profile_id = ? AND person_id = ? AND field = 'first_name'`).run(profileId, id('vomo', 'e1'));
    core.db.prepare(`UPDATE conflicts SET status = 'dismissed' WHERE profile_id = ? AND person_id = ? AND field = 'phone'`).run(profileId, id('vomo', 'd1'));
    svc.rebuild(profileId, 'rebuild', { fromScratch: true }); // the resolution shows in Eve's row
    const dee = conflict(id('vomo', 'd1'), 'phone')!;
    expect(dee.status).toBe('dismissed');
    expect(snapshot(core.db, profileId).candidates.length).toBeGreaterThan(0);
    // A sync lands with the new setting: a reference added to an otherwise unchanged contact,
    // naming an otherwise unchanged user (its pair is found only if that person is looked at).
    core.db.prepare(`INSERT INTO crm_contact_references (profile_id, contact_id, source, ref_id) VALUES (?, 'cz', 'Twofold/VOMO', 'v50')`).run(profileId);
    takePersonChanges(core.db, profileId);
    const settings = svc.settings(profileId);
    const authority = { ...settings, fieldAuthority: { ...settings.fieldAuthority, first_name: 'crm' as const, last_name: 'crm' as const } };
    await svc.setSettings(profileId, authority);
    const run = JSON.parse(core.db.prepare(`SELECT summary_json FROM identity_runs WHERE profile_id = ? ORDER BY id DESC LIMIT 1`).pluck().get(profileId) as string);
    // Recomputed: the 34 persons in two systems and Zed's, for its new reference. Rewritten: Ann's
    // and Bo's rows (the names they display) and Zed's (its input digest). Looked at again: those
    // three; not Dee's nor the thirty, whose rows read as they did, nor Eve's, computed with her
    // resolution on top (her sources disagree as when it was made), which reads as it did.
    expect(run.timings).toMatchObject({ personsWritten: 35, personRowsWritten: 3 });
    expect(new Set(takePersonChanges(core.db, profileId))).toEqual(new Set([id('vomo', 'v1'), id('vomo', 'b1'), id('crm_individual', 'iz')]));
    expect(conflict(id('vomo', 'b1'), 'last_name')).toMatchObject({ authority: 'crm', status: 'open' });
    expect(conflict(id('vomo', 'e1'), 'first_name')).toMatchObject({ authority: 'crm', status: 'resolved', chosen_value: 'Evie' });
    expect(core.db.prepare(`SELECT display_first_name FROM persons WHERE id = ?`).pluck().get(id('vomo', 'e1'))).toBe('Evie');
    expect(conflict(id('vomo', 'd1'), 'phone')).toEqual(dee);
    expect(hasPair(snapshot(core.db, profileId).candidates, 'vomo:v50')).toBe(true);
    const recomputed = snapshot(core.db, profileId);
    svc.rebuild(profileId, 'rebuild', { fromScratch: true });
    expect(snapshot(core.db, profileId)).toEqual(recomputed);
  });

  it('a new field authority with nothing else changed picks the displayed values again from the person rows, reads no record, and leaves what a rebuild from scratch leaves', async () => {
    const { core, profileId, m, svc } = newCore();
    for (let i = 1; i <= 60; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: `First${i}`, last: 'Smith' });
    // Names, emails and phones that differ between systems; a person in all three.
    m.vomoUser({ id: 'a1', email: 'a@x.example', first: 'Ann', last: 'Lee', phone: '(217) 555-0101' });
    m.crmContact({ id: 'ca', individuals: [{ id: 'ia', first: 'Anne', last: 'Lee', primary: true, emails: ['A@x.example'], phones: ['217-555-0199'] }] });
    m.raiseDonor({ id: 'ra', email: 'a@x.example', first: 'Annie', last: 'Lee-Park', phone: '+1 217 555 0142' });
    m.vomoUser({ id: 'b1', email: 'bo@x.example', first: 'Bo', last: 'Ng' });
    m.crmContact({ id: 'cb', individuals: [{ id: 'ib', first: 'Bo', last: 'Ngo', primary: true, emails: ['bo@x.example'] }] });
    // No system has a name: the donor's name, else the email the authority picks.
    m.vomoUser({ id: 'n1', email: 'nameless@x.example' });
    m.raiseDonor({ id: 'rn', email: 'NAMELESS@x.example' });
    m.vomoUser({ id: 'f1', email: 'friends@x.example' });
    m.raiseDonor({ id: 'rf', email: 'Friends@X.example' });
    core.db.prepare(`UPDATE raise_donors SET name = CASE id WHEN 'rf' THEN 'Friends of Twofold' ELSE NULL END WHERE profile_id = ? AND id IN ('rn', 'rf')`).run(profileId);
    svc.rebuild(profileId);
    const id = (source: string, sourceId: string) => personOf(core.db, profileId, source, sourceId)!;
    // Bo's last name resolved by hand: it keeps showing whatever the authority.
    core.db.prepare(`UPDATE conflicts SET status = 'resolved', resolution = 'custom', chosen_value = 'Ng-Ngo' WHERE profile_id = ? AND person_id = ? AND field = 'last_name'`).run(profileId, id('vomo', 'b1'));
    svc.rebuild(profileId, 'rebuild', { fromScratch: true });
    const rows = () => core.db.prepare(`SELECT * FROM persons WHERE profile_id = ? ORDER BY id`).all(profileId) as Record<string, unknown>[];
    const before = rows();
    const settings = svc.settings(profileId);
    const authority = { ...settings, fieldAuthority: { first_name: 'raise' as const, last_name: 'crm' as const, email: 'raise' as const, phone: 'crm' as const } };
    // Cancelled while it picks: the store as it was.
    let err: unknown;
    try {
      core.db.transaction(() => rebuildIdentity(core.db, profileId, authority, '2026-01-04T00:00:00.000Z', { shouldCancel: (() => { let n = 0; return () => ++n > 2; })() }))();
    } catch (e) {
      err = e;
    }
    expect((err as { code?: string })?.code).toBe('CANCELLED');
    expect(rows()).toEqual(before);
    takePersonChanges(core.db, profileId);
    const s = core.db.transaction(() => rebuildIdentity(core.db, profileId, authority, '2026-01-05T00:00:00.000Z'))();
    await svc.setSettings(profileId, authority); // what the rebuild above was given: nothing left to rebuild
    // Nothing read from the mirrors or joined: the four persons in several systems looked at, and
    // the rows that read differently written.
    expect(s.timings).toMatchObject({ recordsRead: 0, recordsJoined: 0, linksWritten: 0, personsWritten: 4 });
    const display = (v: string) =>
      core.db.prepare(`SELECT display_first_name AS first, display_last_name AS last, display_name AS name, display_email AS email, display_phone AS phone, phone_e164 AS e164 FROM persons WHERE id = ?`).get(id('vomo', v));
    expect(display('a1')).toEqual({ first: 'Annie', last: 'Lee', name: 'Annie Lee', email: 'a@x.example', phone: '217-555-0199', e164: '+12175550199' });
    expect(display('b1')).toMatchObject({ first: 'Bo', last: 'Ng-Ngo', name: 'Bo Ng-Ngo' });
    expect(display('n1')).toMatchObject({ first: null, last: null, name: 'NAMELESS@x.example', email: 'NAMELESS@x.example' });
    expect(display('f1')).toMatchObject({ name: 'Friends of Twofold', email: 'Friends@X.example' });
    const after = rows();
    const changed = after.filter((r, i) => r.updated_at !== before[i].updated_at).map((r) => r.id);
    expect(s.timings?.personRowsWritten).toBe(changed.length);
    expect(new Set(takePersonChanges(core.db, profileId))).toEqual(new Set(changed));
    expect(changed).not.toContain(id('vomo', 'v1'));
    expect(changed).not.toContain(id('vomo', 'b1')); // shows its resolution under any authority
    expect(snapshot(core.db, profileId).staleRowDigests).toEqual([]);
    const recomputed = snapshot(core.db, profileId);
    svc.rebuild(profileId, 'rebuild', { fromScratch: true });
    expect(snapshot(core.db, profileId)).toEqual(recomputed);
  });

  it('keeps a resolved conflict\'s chosen value on its person through every rebuild: a join of everyone computes the row with it on top and writes it once, a new authority leaves the row unwritten, and sources that disagree otherwise put the authority\'s value back', async () => {
    const { core, profileId, m, svc } = newCore();
    for (let i = 2; i <= 11; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: `First${i}`, last: 'Smith' });
    annInBothSystems(m);
    m.vomoUser({ id: 'b1', email: 'bo@x.example', first: 'Bo', last: 'Ng', phone: '(217) 555-0901' });
    m.crmContact({ id: 'cb', individuals: [{ id: 'ib', first: 'Bo', last: 'Ngo', primary: true, emails: ['bo@x.example'], phones: ['(217) 555-0902'] }] });
    svc.rebuild(profileId);
    const bo = personOf(core.db, profileId, 'vomo', 'b1')!;
    const conflictOf = (field: string) =>
      core.db.prepare(`SELECT id, status, chosen_value AS chosen FROM conflicts WHERE profile_id = ? AND person_id = ? AND field = ?`).get(profileId, bo, field) as { id: number; status: string; chosen: string | null };
    const row = () =>
      core.db.prepare(`SELECT display_last_name AS last, display_name AS name, display_phone AS phone, phone_e164 AS e164, updated_at AS updated, row_digest AS digest FROM persons WHERE id = ?`).get(bo) as Record<string, unknown>;
    const sameAsFromScratch = () => {
      expect(snapshot(core.db, profileId).staleRowDigests).toEqual([]);
      const incremental = snapshot(core.db, profileId);
      svc.rebuild(profileId, 'rebuild', { fromScratch: true });
      expect(snapshot(core.db, profileId)).toEqual(incremental);
    };
    await svc.decideConflicts({ profileId, ids: [conflictOf('last_name').id], action: 'resolve', choice: 'custom', value: 'Ng-Ngo', note: null });
    await svc.decideConflicts({ profileId, ids: [conflictOf('phone').id], action: 'resolve', choice: 'vomo', value: null, note: null });
    expect(row()).toMatchObject({ last: 'Ng-Ngo', name: 'Bo Ng-Ngo', phone: '(217) 555-0901', e164: '+12175550901' }); // not CRM+'s, the phone authority
    takePersonChanges(core.db, profileId);

    // A sync that reaches Bo but not what his sources disagree on (new hours): his row shows
    // both choices after it.
    m.participation({ userId: 'b1', id: 'p1', hours: 3 });
    svc.rebuild(profileId);
    expect(row()).toMatchObject({ last: 'Ng-Ngo', phone: '(217) 555-0901' });
    sameAsFromScratch();
    // A join of everyone (here from scratch) computes his row with both choices on top and writes
    // it once, with its digest (a second write, the choices put back after the join, clears it).
    expect(row().digest).not.toBeNull();

    // A new field authority for the last name: what Bo shows is his choice whatever the
    // authority, so his row is not written.
    const settings = svc.settings(profileId);
    const before = row();
    await svc.setSettings(profileId, { ...settings, fieldAuthority: { ...settings.fieldAuthority, last_name: 'crm' } });
    expect(row()).toEqual(before);
    expect(takePersonChanges(core.db, profileId)).not.toContain(bo);
    expect(conflictOf('last_name')).toMatchObject({ status: 'resolved', chosen: 'Ng-Ngo' });
    sameAsFromScratch();

    // A new phone region reads the two phones differently (as numbers of no country): the phone
    // conflict is another disagreement, open again, and Bo shows the authority's (CRM+'s) phone;
    // his last name keeps its choice.
    await svc.setSettings(profileId, { ...svc.settings(profileId), defaultPhoneRegion: 'GB' });
    expect(conflictOf('phone')).toMatchObject({ status: 'open', chosen: null });
    expect(conflictOf('last_name')).toMatchObject({ status: 'resolved', chosen: 'Ng-Ngo' });
    expect(row()).toMatchObject({ last: 'Ng-Ngo', phone: '(217) 555-0902' });
    sameAsFromScratch();

    // CRM+ spells the last name otherwise: another disagreement, open again, and the authority's
    // (now CRM+'s) last name shows.
    m.crmContact({ id: 'cb', individuals: [{ id: 'ib', first: 'Bo', last: 'Nguyen', primary: true, emails: ['bo@x.example'], phones: ['(217) 555-0902'] }] });
    svc.rebuild(profileId);
    expect(conflictOf('last_name')).toMatchObject({ status: 'open', chosen: null });
    expect(row()).toMatchObject({ last: 'Nguyen', name: 'Bo Nguyen' });
    sameAsFromScratch();
  });

  it('a record that comes back to a person it was linked to before finds its old link active again, and only that one', () => {
    const { core, profileId, m, svc } = newCore();
    for (let i = 2; i <= 11; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: `First${i}`, last: 'Smith' });
    annInBothSystems(m);
    svc.rebuild(profileId);
    const ann = personOf(core.db, profileId, 'crm_individual', 'i1')!;
    expect(personOf(core.db, profileId, 'vomo', 'v1')).toBe(ann);
    const links = () =>
      core.db.prepare(`SELECT person_id, active, email_at_link FROM person_links WHERE profile_id = ? AND source = 'vomo' AND source_id = 'v1' ORDER BY active DESC`).all(profileId) as {
        person_id: string;
        active: number;
        email_at_link: string;
      }[];
    // Ann's VOMO address changes: her VOMO user leaves the person, whose link it keeps as history.
    m.vomoUser({ id: 'v1', email: 'ann.new@x.example', first: 'Ann', last: 'Lee' });
    svc.rebuild(profileId);
    const away = personOf(core.db, profileId, 'vomo', 'v1')!;
    expect(away).not.toBe(ann);
    expect(links()).toEqual([
      { person_id: away, active: 1, email_at_link: 'ann.new@x.example' },
      { person_id: ann, active: 0, email_at_link: 'a@x.example' },
    ]);
    // And back: the link to Ann's person is the one made active again, with what it now says.
    m.vomoUser({ id: 'v1', email: 'A@x.example', first: 'Ann', last: 'Lee' });
    svc.rebuild(profileId);
    expect(personOf(core.db, profileId, 'vomo', 'v1')).toBe(ann);
    expect(links().filter((l) => l.active)).toEqual([{ person_id: ann, active: 1, email_at_link: 'a@x.example' }]);
    const incremental = snapshot(core.db, profileId);
    svc.rebuild(profileId, 'rebuild', { fromScratch: true });
    expect(snapshot(core.db, profileId)).toEqual(incremental);
  });

  it('a rebuild after a sync computes a person\'s unchanged records from their kept fields, keeps a re-read record\'s fields again, reads stale ones from the mirrors, and leaves what a rebuild from scratch leaves', () => {
    const { core, profileId, m, svc } = newCore();
    for (let i = 2; i <= 11; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: `First${i}`, last: 'Smith' });
    annInBothSystems(m);
    m.crmGift({ id: 'g1', contactId: 'c1', amountCents: 5_000, date: '2025-03-01' });
    svc.rebuild(profileId);
    const ann = personOf(core.db, profileId, 'vomo', 'v1')!;
    const row = () => core.db.prepare(`SELECT display_last_name AS last, crm_last_name AS crmLast, lifetime_giving_cents AS lifetime FROM persons WHERE profile_id = ? AND id = ?`).get(profileId, ann);
    const same = () => {
      const incremental = snapshot(core.db, profileId);
      svc.rebuild(profileId, 'rebuild', { fromScratch: true });
      expect(snapshot(core.db, profileId)).toEqual(incremental);
    };
    const keptI1 = () => core.db.prepare(`SELECT digest, fields FROM identity_node_fields WHERE profile_id = ? AND rank = 1 AND source_id = 'i1'`).get(profileId) as { digest: number; fields: string };

    // Only her VOMO user changes: her CRM+ individual is read from what the first build kept.
    m.participation({ userId: 'v1', id: 'a1', hours: 3, at: '2025-05-01T10:00:00Z' });
    expect(svc.rebuild(profileId).timings.recordsFromKept).toBe(1);
    expect(row()).toMatchObject({ crmLast: 'Lee' });
    same();

    // Her CRM+ side changes (a new name, a gift): the rebuild reads it from the mirrors and keeps
    // its fields again, so the next rebuild that needs it reads them.
    const before = keptI1();
    m.crmContact({ id: 'c1', individuals: [{ id: 'i1', first: 'Anne', last: 'Lee-Park', primary: true, emails: ['a@x.example'] }] });
    m.crmGift({ id: 'g2', contactId: 'c1', amountCents: 2_500, date: '2025-06-01' });
    svc.rebuild(profileId);
    const after = row();
    expect(after).toMatchObject({ crmLast: 'Lee-Park' });
    expect(keptI1().fields).toContain('Lee-Park');
    m.participation({ userId: 'v1', id: 'a2', hours: 2, at: '2025-07-01T10:00:00Z' });
    expect(svc.rebuild(profileId).timings.recordsFromKept).toBe(1);
    expect(row()).toEqual(after);
    same();

    // Fields an earlier version left stale (it did not keep a re-read record's fields again): the
    // rebuild passes them over for the mirrors, which hold the new name and the gift (the stale
    // fields taken as current would put back 'Lee' and one gift).
    core.db.prepare(`UPDATE identity_node_fields SET digest = ?, fields = ? WHERE profile_id = ? AND rank = 1 AND source_id = 'i1'`).run(before.digest, before.fields, profileId);
    m.participation({ userId: 'v1', id: 'a3', hours: 1, at: '2025-08-01T10:00:00Z' });
    expect(svc.rebuild(profileId).timings.recordsFromKept ?? 0).toBe(0);
    expect(row()).toEqual(after);
    same();
  });

  it('a sync that moved only hours or gifts of VOMO users and Raise donors leaves their conflicts and split candidates unlooked-at, and the store what a rebuild from scratch leaves', () => {
    const { core, profileId, m, svc } = newCore();
    // Ann: a first-name conflict (Ann / Anne), and a Raise donor of her name and phone under
    // another email, a split candidate; Carl, a donor alone.
    m.vomoUser({ id: 'v1', email: 'a@x.example', first: 'Ann', last: 'Lee', phone: '(217) 555-0101' });
    m.crmContact({ id: 'c1', individuals: [{ id: 'i1', first: 'Anne', last: 'Lee', primary: true, emails: ['a@x.example'] }] });
    m.raiseDonor({ id: 'd1', email: 'ann.lee@y.example', first: 'Ann', last: 'Lee', phone: '(217) 555-0101' });
    m.raiseDonor({ id: 'd2', email: 'carl@y.example', first: 'Carl', last: 'Ray' });
    // Others enough that a sync of these few follows a scope (a fifth of the records joins everyone).
    for (let i = 2; i <= 40; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: `First${i}`, last: 'Smith' });
    svc.rebuild(profileId);
    const ann = personOf(core.db, profileId, 'vomo', 'v1')!;
    const looks = () => ({
      conflicts: core.db.prepare(`SELECT field, status, last_seen_at FROM conflicts WHERE profile_id = ? ORDER BY id`).all(profileId),
      candidates: core.db.prepare(`SELECT key_a, key_b, kind, evidence_json, last_seen_at FROM split_candidates WHERE profile_id = ? ORDER BY id`).all(profileId),
    });
    const first = looks();
    expect(first.conflicts).toMatchObject([{ field: 'first_name', status: 'open' }]);
    expect(first.candidates).toMatchObject([{ kind: 'phone_name' }]);
    const same = () => {
      const incremental = snapshot(core.db, profileId);
      svc.rebuild(profileId, 'rebuild', { fromScratch: true });
      expect(snapshot(core.db, profileId)).toEqual(incremental);
    };
    const hoursAndGiving = () => core.db.prepare(`SELECT vomo_hours_total AS hours, lifetime_giving_cents AS giving FROM persons WHERE profile_id = ? AND id = ?`).get(profileId, ann);

    // Each sync below lands on a later day, so a look at a conflict or a candidate shows in its
    // last seen.
    const later = (() => {
      let day = 10;
      return () => vi.setSystemTime(new Date(`2026-03-${day++}T12:00:00Z`));
    })();
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => void vi.useRealTimers());

    // Hours for Ann, gifts for both donors: three persons recomputed and written, none of them
    // looked at again for conflicts or split evidence.
    later();
    m.participation({ userId: 'v1', id: 'a1', hours: 3, at: '2025-05-01T10:00:00Z' });
    m.raiseGift({ id: 'g1', donorId: 'd1', amountCents: 2_500, date: '2025-06-01T12:00:00Z' });
    m.raiseGift({ id: 'g2', donorId: 'd2', amountCents: 4_000, date: '2025-06-02T12:00:00Z' });
    const hours = svc.rebuild(profileId);
    expect(hours.timings.personsWritten).toBe(3);
    expect(hours.timings.evidencePersons).toBe(0);
    expect(hoursAndGiving()).toEqual({ hours: 3, giving: 0 });
    expect(looks()).toEqual(first);
    same();

    // Hours with a new phone, or a CRM+ gift (a CRM+ record's digest also covers its contact's
    // references), and Ann is looked at again: her conflicts and candidates are evaluated anew.
    const lookedAt = (change: () => void) => {
      const before = looks();
      change();
      const s = svc.rebuild(profileId);
      return { evidence: s.timings.evidencePersons, looked: JSON.stringify(looks()) !== JSON.stringify(before) };
    };
    later();
    expect(
      lookedAt(() => {
        m.participation({ userId: 'v1', id: 'a2', hours: 2, at: '2025-07-01T10:00:00Z' });
        m.vomoUser({ id: 'v1', email: 'a@x.example', first: 'Ann', last: 'Lee', phone: '(217) 555-0199' });
      }),
    ).toEqual({ evidence: 1, looked: true });
    same();
    later();
    expect(lookedAt(() => m.crmGift({ id: 'g3', contactId: 'c1', amountCents: 9_000, date: '2026-01-02' }))).toEqual({ evidence: 1, looked: true });
    same();
    // A donor's gift with a column of its own that no row shows: its person is looked at again
    // (its candidate, found again the same, keeps its row as it was).
    later();
    expect(
      lookedAt(() => {
        m.raiseGift({ id: 'g4', donorId: 'd1', amountCents: 1_000, date: '2025-09-01T12:00:00Z' });
        core.db.prepare(`UPDATE raise_donors SET modified_at = '2026-02-01T00:00:00Z' WHERE profile_id = ? AND id = 'd1'`).run(profileId);
      }),
    ).toMatchObject({ evidence: 1 });
    same();
    // And the hours alone again: not looked at.
    later();
    expect(lookedAt(() => m.participation({ userId: 'v1', id: 'a3', hours: 1, at: '2025-08-01T10:00:00Z' }))).toEqual({ evidence: 0, looked: false });
    same();
    expect(hoursAndGiving()).toEqual({ hours: 6, giving: 9_000 });
  });

  it('tells where the columns of a kept fields text end, whatever brackets and quotes their strings hold', () => {
    const text = (cols: unknown[], inputs: unknown) => JSON.stringify([cols, inputs]);
    for (const cols of [['1', 'a@x.example', 'Ann'], ['2', 'br]ack[et', 'qu"o]te', 'back\\', null, 3], [], [['nested', [1]], '"]']]) {
      const t = text(cols, [[3, '2025-05-01', 1]]);
      expect(t.slice(0, columnsEnd(t))).toBe('[' + JSON.stringify(cols));
    }
    expect(columnsEnd('null')).toBe(-1);
    expect(columnsEnd('[["unterminated')).toBe(-1);
  });

  it('a conflict names the field authority of the last rebuild that looked at it, set for the others without reading their persons', () => {
    const { core, profileId, m, svc } = newCore();
    annInBothSystems(m);
    m.vomoUser({ id: 'b1', email: 'bo@x.example', first: 'Bo', last: 'Ng' });
    m.crmContact({ id: 'cb', individuals: [{ id: 'ib', first: 'Bo', last: 'Ngo', primary: true, emails: ['bo@x.example'] }] });
    svc.rebuild(profileId);
    const authorities = () => core.db.prepare(`SELECT field, authority FROM conflicts WHERE profile_id = ? AND active = 1 ORDER BY field`).all(profileId);
    expect(authorities()).toEqual([
      { field: 'first_name', authority: 'vomo' },
      { field: 'last_name', authority: 'vomo' },
    ]);
    const settings = svc.settings(profileId);
    setConflictAuthority(core.db, profileId, { ...settings.fieldAuthority, last_name: 'crm' });
    expect(authorities()).toEqual([
      { field: 'first_name', authority: 'vomo' },
      { field: 'last_name', authority: 'crm' },
    ]);
  });

  it('a recompute skips the rows whose digest says they read the same, and compares in full a row another writer touched', async () => {
    const { core, profileId, m, svc } = newCore();
    annInBothSystems(m);
    m.vomoUser({ id: 'v2', email: 'b@x.example', first: 'Bo', last: 'Ng' });
    m.vomoUser({ id: 'v3', email: 'c@x.example', first: 'Cy', last: 'Ng' });
    svc.rebuild(profileId);
    const id = (v: string) => personOf(core.db, profileId, 'vomo', v);
    const digestOf = (v: string) => core.db.prepare(`SELECT row_digest FROM persons WHERE id = ?`).pluck().get(id(v)) as number | null;
    const lastName = (v: string) => core.db.prepare(`SELECT display_last_name FROM persons WHERE id = ?`).pluck().get(id(v));
    for (const v of ['v2', 'v3']) expect(digestOf(v)).toEqual(expect.any(Number));
    // Ann's conflict count was written after her row: any other write clears the digest.
    expect(digestOf('v1')).toBeNull();
    // Another writer changes a column the rebuild computes (v2), or only a column it does not (v3):
    // either way the digest no longer vouches for the row.
    core.db.prepare(`UPDATE persons SET display_last_name = 'Tampered' WHERE id = ?`).run(id('v2'));
    core.db.prepare(`UPDATE persons SET open_conflicts = open_conflicts WHERE id = ?`).run(id('v3'));
    expect(digestOf('v2')).toBeNull();
    expect(digestOf('v3')).toBeNull();
    const before = snapshot(core.db, profileId);
    // A new phone region with a record changed since joins every person again: all three are
    // recomputed. v2's row is put back as computed; Ann's and v3's read as stored (no phone to read
    // differently) and only learn their digests again.
    m.touch('vomo', 'v3');
    await svc.setSettings(profileId, { ...svc.settings(profileId), defaultPhoneRegion: 'GB' });
    const run = core.db.prepare(`SELECT summary_json FROM identity_runs WHERE profile_id = ? ORDER BY id DESC LIMIT 1`).pluck().get(profileId) as string;
    expect(JSON.parse(run).timings).toMatchObject({ personsWritten: 3, personRowsWritten: 1 });
    expect(lastName('v2')).toBe('Ng');
    for (const v of ['v2', 'v3']) expect(digestOf(v)).toEqual(expect.any(Number));
    const after = snapshot(core.db, profileId);
    expect(after.staleRowDigests).toEqual([]);
    expect(after.persons.find((p) => p.id === id('v3'))).toEqual(before.persons.find((p) => p.id === id('v3')));
    // A digest set by hand to what the row does not say is what the trigger exists to prevent; the
    // snapshot's check sees it.
    core.db.prepare(`UPDATE persons SET row_digest = 12345 WHERE id = ?`).run(id('v3'));
    expect(snapshot(core.db, profileId).staleRowDigests).toEqual([id('v3')]);
  });

  it('a new phone region with nothing else changed computes every person\'s phones again from the rows and the CRM+ methods, joins nothing; split detection looks again only at the rows it rewrote, conflicts at everyone\'s phones', async () => {
    const { core, profileId, m, svc } = newCore();
    // Jo's phone as VOMO holds it (a London number as Londoners write it) and as CRM+ does: one
    // number under GB, two under the US. Her row reads the same under either (CRM+ is the phone's
    // authority): only her conflict tells the regions apart.
    m.vomoUser({ id: 'v1', email: 'jo@x.example', first: 'Jo', last: 'Reed', phone: '020 7946 0911' });
    m.crmContact({ id: 'c1', individuals: [{ id: 'i1', first: 'Jo', last: 'Reed', primary: true, emails: ['jo@x.example'], phones: ['+44 20 7946 0911'] }] });
    // Kim's own number, in national form only: a row that reads differently under GB.
    m.vomoUser({ id: 'v2', email: 'kim@x.example', first: 'Kim', last: 'Park', phone: '020 7946 0222' });
    // Lu, in CRM+ only, with three phones, the last of them her primary one: all of them read in
    // E.164, primary first, only as a region reads them; the row holds just the first as written.
    m.crmContact({ id: 'c3', individuals: [{ id: 'i3', first: 'Lu', last: 'Shaw', primary: true, emails: ['lu@x.example'], phones: ['020 7946 0333', '+1 217 555 0100', '020 7946 0444'] }] });
    core.db.prepare(`UPDATE crm_contact_methods SET is_primary = (id = 'i3-p3') WHERE profile_id = ? AND individual_id = 'i3' AND kind = 'phone'`).run(profileId);
    for (let i = 3; i <= 40; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: `P${i}`, last: 'Smith', phone: `+1 217 555 01${String(i).padStart(2, '0')}` });
    svc.rebuild(profileId);
    const lu = personOf(core.db, profileId, 'crm_individual', 'i3')!;
    const luPhones = () => core.db.prepare(`SELECT crm_phone, crm_phones_e164, phone_e164 FROM persons WHERE id = ?`).get(lu);
    // Under the US the national London numbers read as (impossible) North American ones.
    const US = { crm_phone: '020 7946 0444', crm_phones_e164: '+102079460444 +102079460333 +12175550100', phone_e164: '+102079460444' };
    expect(luPhones()).toEqual(US);
    const phoneConflicts = () => core.db.prepare(`SELECT COUNT(*) FROM conflicts WHERE profile_id = ? AND field = 'phone' AND active = 1 AND status = 'open'`).pluck().get(profileId);
    expect(phoneConflicts()).toBe(1);
    takePersonChanges(core.db, profileId);
    const before = snapshot(core.db, profileId);
    const gb = { ...svc.settings(profileId), defaultPhoneRegion: 'GB' };
    // Cancelled partway: the store as it was.
    let checks = 0;
    expect(() => core.db.transaction(() => rebuildIdentity(core.db, profileId, gb, '2026-01-04T00:00:00.000Z', { shouldCancel: () => ++checks > 2 }))()).toThrow(/cancelled/);
    expect(snapshot(core.db, profileId)).toEqual(before);
    await svc.setSettings(profileId, gb);
    // The lists' measures are told of Kim and Lu alone: the persons whose rows read differently.
    expect(new Set(takePersonChanges(core.db, profileId))).toEqual(new Set([personOf(core.db, profileId, 'vomo', 'v2'), lu]));
    const run = core.db.prepare(`SELECT summary_json FROM identity_runs WHERE profile_id = ? ORDER BY id DESC LIMIT 1`).pluck().get(profileId) as string;
    const { timings } = JSON.parse(run) as { timings: Record<string, number> };
    // Every person looked at, no record read or joined, no link written; Kim's and Lu's rows alone
    // rewritten, and Jo's conflict gone with her row unwritten.
    expect(timings).toMatchObject({ recordsRead: 0, recordsJoined: 0, linksWritten: 0, personsWritten: 41, personRowsWritten: 2 });
    expect(phoneConflicts()).toBe(0);
    expect(core.db.prepare(`SELECT phone_e164 FROM persons WHERE id = ?`).pluck().get(personOf(core.db, profileId, 'vomo', 'v2'))).toBe('+442079460222');
    expect(luPhones()).toEqual({ crm_phone: '020 7946 0444', crm_phones_e164: '+442079460444 +442079460333 +12175550100', phone_e164: '+442079460444' });
    // What a rebuild from scratch under GB leaves, split candidates and conflicts included.
    const after = snapshot(core.db, profileId);
    expect(after.staleRowDigests).toEqual([]);
    svc.rebuild(profileId, 'rebuild', { fromScratch: true });
    expect(snapshot(core.db, profileId)).toEqual(after);
    // A new authority and a region at once, nothing else changed: the same, back to the US.
    const both = { ...gb, defaultPhoneRegion: 'US', fieldAuthority: { ...gb.fieldAuthority, phone: 'vomo' as const, first_name: 'crm' as const } };
    await svc.setSettings(profileId, both);
    expect(JSON.parse(String(svc.lastRun(profileId)?.summary_json)).timings).toMatchObject({ recordsRead: 0, recordsJoined: 0, personsWritten: 41 });
    expect(luPhones()).toEqual(US);
    const back = snapshot(core.db, profileId);
    svc.rebuild(profileId, 'rebuild', { fromScratch: true });
    expect(snapshot(core.db, profileId)).toEqual(back);
  });

  it('a new setting recomputes the persons it applies to from the fields the node cache keeps; a large change reads the mirrors, and one the cache missed sends it back to a rebuild from scratch', async () => {
    const { core, profileId, m, svc } = newCore();
    for (let i = 1; i <= 6; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: `F${i}`, last: 'Lee' });
    for (let i = 4; i <= 8; i++) m.crmContact({ id: `c${i}`, individuals: [{ id: `i${i}`, first: `G${i}`, last: 'Lee', primary: true, emails: [`p${i}@x.example`] }] });
    svc.rebuild(profileId);
    const nameOf = (id: string) => (core.db.prepare(`SELECT display_first_name AS n FROM persons WHERE id = ?`).get(personOf(core.db, profileId, 'vomo', id)) as { n: string }).n;
    // A user the change tracking never saw (its mark lost), and a readdressed one likewise.
    m.vomoUser({ id: 'v35', email: 'p35@x.example', first: 'New', last: 'Person' });
    m.vomoUser({ id: 'v2', email: 'p2.moved@x.example', first: 'F2', last: 'Lee' });
    core.db.prepare(`DELETE FROM identity_dirty WHERE profile_id = ?`).run(profileId);
    // A new setting trusts the node cache, as every rebuild after a sync does: the records it
    // lists, with their fields as they were read.
    const settings = svc.settings(profileId);
    await svc.setSettings(profileId, { ...settings, fieldAuthority: { ...settings.fieldAuthority, first_name: 'crm' } });
    expect([nameOf('v1'), nameOf('v4'), nameOf('v6')]).toEqual(['F1', 'G4', 'G6']);
    expect(personOf(core.db, profileId, 'vomo', 'v35')).toBeUndefined();
    expect(core.db.prepare(`SELECT email_norm FROM persons WHERE id = ?`).pluck().get(personOf(core.db, profileId, 'vomo', 'v2'))).toBe('p2@x.example');
    // A sync that changes more than a fifth of the records: every person is recomputed from the
    // mirrors, each record checked against the cache, and the mismatch sends the rebuild back to
    // a rebuild from scratch.
    for (let i = 4; i <= 8; i++) m.crmContact({ id: `c${i}`, individuals: [{ id: `i${i}`, first: `H${i}`, last: 'Lee', primary: true, emails: [`p${i}@x.example`] }] });
    svc.rebuild(profileId);
    expect([nameOf('v1'), nameOf('v35'), nameOf('v4'), nameOf('v6')]).toEqual(['F1', 'New', 'H4', 'H6']);
    const moved = core.db.prepare(`SELECT email_norm FROM persons WHERE id = ?`).pluck().get(personOf(core.db, profileId, 'vomo', 'v2'));
    expect(moved).toBe('p2.moved@x.example');
    // Its link and the node cache say so too (both would keep the old address from the cache).
    const said = core.db.prepare(`SELECT l.email_at_link, n.emails FROM person_links l JOIN identity_nodes n ON n.profile_id = l.profile_id AND n.rank = 0 AND n.source_id = l.source_id
      WHERE l.profile_id = ? AND l.source = 'vomo' AND l.source_id = 'v2' AND l.active = 1`).get(profileId);
    expect(said).toEqual({ email_at_link: 'p2.moved@x.example', emails: 'p2.moved@x.example' });
    // Exactly what a rebuild from scratch leaves, fields kept included.
    const rebuilt = snapshot(core.db, profileId);
    svc.rebuild(profileId, 'rebuild', { fromScratch: true });
    expect(snapshot(core.db, profileId)).toEqual(rebuilt);
    // And the next new setting reads the cache that rebuild left.
    await svc.setSettings(profileId, { ...settings, fieldAuthority: { ...settings.fieldAuthority, first_name: 'vomo' } });
    expect([nameOf('v35'), nameOf('v4')]).toEqual(['New', 'F4']);
  });

  // A few stale records are read by key; past a fifth of the records, in one sequential read.
  it.each([
    { others: 12, how: 'by key' },
    { others: 0, how: 'in one read of the mirrors' },
  ])('a record changed since its fields were kept is read from the mirrors by the next recompute ($how), which keeps them again', async ({ others }) => {
    const { core, profileId, m, svc } = newCore();
    for (let i = 1; i <= 3; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: `F${i}`, last: 'Lee' });
    for (let i = 0; i < others; i++) m.vomoUser({ id: `w${i}`, email: `w${i}@x.example`, first: `W${i}`, last: 'Lee' });
    m.crmContact({ id: 'c1', individuals: [{ id: 'i1', first: 'Gail', last: 'Lee', primary: true, emails: ['p1@x.example'] }] });
    svc.rebuild(profileId);
    const kept = (rank: number, id: string) =>
      core.db
        .prepare(
          `SELECT f.digest = n.digest AS current, f.fields FROM identity_node_fields f JOIN identity_nodes n ON n.profile_id = f.profile_id AND n.rank = f.rank AND n.source_id = f.source_id
           WHERE f.profile_id = ? AND f.rank = ? AND f.source_id = ?`,
        )
        .get(profileId, rank, id) as { current: number; fields: string };
    expect(kept(0, 'v2').current).toBe(1);
    expect(kept(1, 'i1').fields).toContain('Gail');
    // A sync: the rebuild after it re-reads the changed records and keeps their fields again.
    const keptBefore = (rank: number, id: string) =>
      core.db.prepare(`SELECT digest, fields FROM identity_node_fields WHERE profile_id = ? AND rank = ? AND source_id = ?`).get(profileId, rank, id) as { digest: number; fields: string };
    const old = [keptBefore(0, 'v2'), keptBefore(1, 'i1')];
    m.vomoUser({ id: 'v2', email: 'p2@x.example', first: 'F2', last: 'Lee-Park' });
    m.crmContact({ id: 'c1', individuals: [{ id: 'i1', first: 'Gayle', last: 'Lee', primary: true, emails: ['p1@x.example'] }] });
    const after = svc.rebuild(profileId);
    expect(after.timings?.recordsRead).toBeGreaterThan(0);
    expect([kept(0, 'v1').current, kept(0, 'v2').current, kept(1, 'i1').current]).toEqual([1, 1, 1]);
    expect(kept(1, 'i1').fields).toContain('Gayle');
    // Stores an earlier version kept up left them as they were, stale (its digest tells).
    const putBack = core.db.prepare(`UPDATE identity_node_fields SET digest = ?, fields = ? WHERE profile_id = ? AND rank = ? AND source_id = ?`);
    putBack.run(old[0]!.digest, old[0]!.fields, profileId, 0, 'v2');
    putBack.run(old[1]!.digest, old[1]!.fields, profileId, 1, 'i1');
    expect([kept(0, 'v1').current, kept(0, 'v2').current, kept(1, 'i1').current]).toEqual([1, 0, 0]);
    // A new setting (a phone region: any person may read differently) with a record changed since,
    // which joins everyone: those two are read from the mirrors, computed as they are now, and
    // kept again.
    const settings = svc.settings(profileId);
    m.touch('vomo', 'v3');
    await svc.setSettings(profileId, { ...settings, defaultPhoneRegion: 'GB', fieldAuthority: { ...settings.fieldAuthority, first_name: 'crm' } });
    expect(kept(0, 'v2')).toEqual({ current: 1, fields: expect.stringContaining('Lee-Park') });
    expect(kept(1, 'i1')).toEqual({ current: 1, fields: expect.stringContaining('Gayle') });
    const nameOf = (v: string) => core.db.prepare(`SELECT display_first_name || ' ' || display_last_name FROM persons WHERE id = ?`).pluck().get(personOf(core.db, profileId, 'vomo', v));
    expect([nameOf('v1'), nameOf('v2')]).toEqual(['Gayle Lee', 'F2 Lee-Park']);
    const recomputed = snapshot(core.db, profileId);
    svc.rebuild(profileId, 'rebuild', { fromScratch: true });
    expect(snapshot(core.db, profileId)).toEqual(recomputed);
    // A record whose kept fields an earlier version left stale and which then changed again
    // unmarked: the mirrors disagree with the cache, and the recompute starts over from scratch.
    const v3Before = keptBefore(0, 'v3');
    m.vomoUser({ id: 'v3', email: 'p3@x.example', first: 'F3', last: 'Marked' });
    svc.rebuild(profileId);
    putBack.run(v3Before.digest, v3Before.fields, profileId, 0, 'v3');
    m.vomoUser({ id: 'v3', email: 'p3@x.example', first: 'F3', last: 'Unmarked' });
    core.db.prepare(`DELETE FROM identity_dirty WHERE profile_id = ?`).run(profileId);
    m.touch('vomo', 'v1'); // another record marked: the new setting joins everyone
    await svc.setSettings(profileId, settings);
    expect(nameOf('v3')).toBe('F3 Unmarked');
    expect(nameOf('v1')).toBe('F1 Lee');
    const started = snapshot(core.db, profileId); // the node cache included: it reads v3 as the mirrors do
    svc.rebuild(profileId, 'rebuild', { fromScratch: true });
    expect(snapshot(core.db, profileId)).toEqual(started);
  });

  it('a first build leaves in place the partial indexes its bulk writes add nothing to, builds the others again, and each holds what a query without it finds', () => {
    const { core, profileId, m, svc } = newCore();
    annInBothSystems(m); // Ann and Anne: an open conflict on the first name
    for (let i = 1; i <= 30; i++) m.vomoUser({ id: `v${i + 1}`, email: `p${i}@x.example`, first: `P${i}`, last: 'Smith' });
    const dropped: string[] = [];
    const exec = core.db.exec.bind(core.db);
    core.db.exec = ((sql: string) => {
      const name = /^DROP INDEX "([^"]+)"/.exec(sql)?.[1];
      if (name) dropped.push(name);
      return exec(sql);
    }) as typeof core.db.exec;
    svc.rebuild(profileId);
    core.db.exec = exec;
    // The bulk writes dropped the other indexes of these tables, and not these two.
    expect(dropped).toEqual(expect.arrayContaining(['persons_by_email', 'persons_by_vomo', 'person_links_active', 'email_lineage_by_email']));
    for (const kept of ['person_links_inactive', 'email_lineage_past']) expect(dropped).not.toContain(kept);
    // The persons' partial indexes come back as partial, each holding the persons a query without it finds.
    for (const [index, column] of [
      ['persons_by_vomo', 'vomo_user_id'],
      ['persons_by_crm', 'crm_contact_id'],
    ] as const) {
      expect(core.db.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).pluck().get(index), index).toMatch(/WHERE \w+ IS NOT NULL$/);
      const by = core.db.prepare(`SELECT id FROM persons INDEXED BY ${index} WHERE profile_id = ? AND ${column} IS NOT NULL ORDER BY id`).pluck().all(profileId);
      expect(by, index).toEqual(core.db.prepare(`SELECT id FROM persons NOT INDEXED WHERE profile_id = ? AND ${column} IS NOT NULL ORDER BY id`).pluck().all(profileId));
      expect(by.length, index).toBeGreaterThan(0);
    }
    // A later change retires a link and an address: the kept indexes are current after it too.
    m.vomoUser({ id: 'v1', email: 'ann.new@x.example', first: 'Ann', last: 'Lee' });
    svc.rebuild(profileId);
    for (const [table, index, where] of [
      ['person_links', 'person_links_inactive', 'active = 0'],
      ['email_lineage', 'email_lineage_past', 'is_current = 0'],
    ] as const) {
      const by = core.db.prepare(`SELECT source_id FROM ${table} INDEXED BY ${index} WHERE profile_id = ? AND ${where} ORDER BY 1`).pluck().all(profileId);
      expect(by, index).toEqual(core.db.prepare(`SELECT source_id FROM ${table} NOT INDEXED WHERE profile_id = ? AND ${where} ORDER BY 1`).pluck().all(profileId));
      expect(by.length, index).toBeGreaterThan(0);
    }
    expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('reports each phase, and a cancel at any phase leaves the store exactly as it was', () => {
    const { core, profileId, m, svc } = newCore();
    for (let i = 1; i <= 30; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: `F${i}`, last: 'Lee' });
    for (let i = 20; i <= 40; i++) m.crmContact({ id: `c${i}`, individuals: [{ id: `i${i}`, first: `F${i}`, last: 'Lee', primary: true, emails: [`p${i}@x.example`] }] });
    // Every table and index of the database, with every row: what "exactly as it was" means
    // (the planner's statistics, refreshed before a rebuild starts, are not store content).
    const everything = () => {
      const db = core.db;
      const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
      return {
        schema: db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`).all(),
        rows: Object.fromEntries(
          tables.map((t) => {
            const n = (db.prepare(`SELECT COUNT(*) FROM pragma_table_info(?)`).pluck().get(t) as number) || 1;
            return [t, db.prepare(`SELECT * FROM "${t}" ORDER BY ${Array.from({ length: n }, (_, i) => i + 1).join(', ')}`).all()];
          }),
        ),
      };
    };
    const cancelAt = (step: string) => {
      const seen: string[] = [];
      let err: unknown;
      try {
        svc.rebuild(profileId, 'rebuild', {}, { onProgress: (s) => seen.push(s), shouldCancel: () => seen.includes(step) });
      } catch (e) {
        err = e;
      }
      expect((err as { code?: string })?.code, step).toBe('CANCELLED');
      return seen;
    };
    // A first build, cancelled after it dropped the persons indexes for its bulk writes.
    const empty = everything();
    expect(cancelAt('indexes')).toEqual(['records', 'join', 'persons', 'links', 'lineage', 'conflicts', 'indexes']);
    expect(everything()).toEqual(empty);
    // The first build itself, with every phase reported in order.
    const steps: [string, number, number][] = [];
    svc.rebuild(profileId, 'rebuild', {}, { onProgress: (s, done, total) => steps.push([s, done, total]) });
    // Each phase as it starts (done: the phases before it), then once more when all are done.
    expect(steps.map(([s]) => s)).toEqual(['records', 'join', 'persons', 'links', 'lineage', 'conflicts', 'indexes', 'splits', 'splits']);
    expect(steps.every(([, done, total], i) => done === i && total === 8)).toBe(true);
    // A rebuild after changes, cancelled in each phase in turn.
    m.vomoUser({ id: 'v3', email: 'p3.new@x.example', first: 'F3', last: 'Lee' });
    m.vomoUser({ id: 'v31', email: 'p31@x.example', first: 'F31', last: 'Lee' });
    const built = everything();
    for (const step of ['records', 'join', 'persons', 'links', 'lineage', 'conflicts', 'splits']) {
      cancelAt(step);
      expect(everything(), step).toEqual(built);
    }
    // Not cancelled, the same rebuild goes through.
    expect(svc.rebuild(profileId).timings?.personsWritten).toBeGreaterThan(0);
  });

  describe('every record\'s fields, kept and read back', () => {
    /** Two volunteers, a household of two (one shares an email with a volunteer), a donor of that household. */
    function smallOrg() {
      const x = newCore();
      x.m.vomoUser({ id: 'v1', email: 'a@x.example', first: 'Ann', last: 'Lee' });
      x.m.vomoUser({ id: 'v2', email: 'b@x.example', first: 'Bo', last: 'Park' });
      x.m.crmContact({
        id: 'c1',
        individuals: [
          { id: 'i1', first: 'Anne', last: 'Lee', primary: true, emails: ['a@x.example'] },
          { id: 'i2', first: 'Cy', last: 'Lee', emails: ['c@x.example'] },
        ],
      });
      x.m.raiseDonor({ id: 'r1', email: 'c@x.example', first: 'Cy', last: 'Lee', crmKey: 'c1' });
      return x;
    }

    it('a first build keeps each record\'s fields under its digest instead of holding them, and computes every person from them read back', () => {
      const x = smallOrg();
      const { core, profileId, svc } = x;
      const summary = svc.rebuild(profileId);
      expect(summary.persons).toBe(3); // Ann (v1 + i1), Bo, Cy (i2 + r1)
      const kept = core.db
        .prepare(`SELECT count(*) FROM identity_nodes n JOIN identity_node_fields f ON f.profile_id = n.profile_id AND f.rank = n.rank AND f.source_id = n.source_id AND f.digest = n.digest WHERE n.profile_id = ?`)
        .pluck()
        .get(profileId);
      expect(kept).toBe(5);
      expect(personOf(core.db, profileId, 'vomo', 'v1')).toBe(personOf(core.db, profileId, 'crm_individual', 'i1'));
      expect(personOf(core.db, profileId, 'raise', 'r1')).toBe(personOf(core.db, profileId, 'crm_individual', 'i2'));
      // Read back in record order, each as the mirrors read it.
      const set = loadJoinNodes(core.db, profileId, true);
      const seen: [number, string][] = [];
      streamCachedFields(core.db, profileId, set.nodes, set.digests, (i, text) => seen.push([i, text]));
      expect(seen).toEqual(set.nodes.map((_, i) => [i, set.fieldsText!(i)]));
      // And the persons are what a rebuild from scratch computes.
      const built = snapshot(core.db, profileId);
      svc.rebuild(profileId, 'rebuild', { fromScratch: true });
      expect(snapshot(core.db, profileId)).toEqual(built);
    });

    it('a first build reads each CRM+ individual with its household and methods in one row, and keeps exactly what the other loads read', () => {
      const x = newCore();
      const { core, profileId, svc, m } = x;
      m.vomoUser({ id: 'v1', email: 'a@x.example', first: 'Ann' });
      m.crmContact({
        id: 'c1',
        references: [{ source: 'vomo', id: 'v1' }],
        individuals: [
          { id: 'i1', first: 'Anne', primary: true, emails: ['a@x.example', 'A@X.example ', 'second@x.example'], phones: ['555-0100'] }, // a duplicate address once normalized
          { id: 'i2', first: 'Cy' }, // no methods at all
          { id: 'i3', first: 'Di', phones: ['555-0101'] }, // a phone, no email
        ],
      });
      m.crmContact({ id: 'c2', name: 'Acme Foundation', type: 'Organization' }); // no individuals: a record of its own
      m.crmContact({ id: 'c3', gone: true, individuals: [{ id: 'i4', first: 'Ed', emails: ['ed@x.example'] }] }); // a gone household: not live
      m.crmContact({ id: 'c4', individuals: [{ id: 'i0', first: 'Flo', emails: ['flo@x.example'] }] });
      m.crmGift({ id: 'g1', contactId: 'c1', amountCents: 2500, date: '2026-03-01' });
      core.db.prepare(`INSERT INTO crm_contact_methods (profile_id, id, contact_id, individual_id, type, kind, value) VALUES (?, 'i3-x', 'c1', 'i3', 'Web', 'url', 'https://di.example')`).run(profileId);
      svc.rebuild(profileId);
      // The passes every other load makes, with each record's fields.
      const read = loadJoinNodes(core.db, profileId, true);
      expect(read.nodes.map((n) => n.key)).toEqual(['vomo:v1', 'crm_individual:i0', 'crm_individual:i1', 'crm_individual:i2', 'crm_individual:i3', 'crm_contact:c2']);
      expect(read.nodes[2].emails).toEqual(['a@x.example', 'second@x.example']);
      const kept = core.db
        .prepare(`SELECT n.digest, n.emails, f.fields FROM identity_nodes n JOIN identity_node_fields f ON f.profile_id = n.profile_id AND f.rank = n.rank AND f.source_id = n.source_id WHERE n.profile_id = ? ORDER BY n.rank, n.source_id`)
        .raw()
        .all(profileId);
      expect(kept).toEqual(read.nodes.map((n, i) => [read.digests[i], n.emails.length ? n.emails.join('\u001f') : null, read.fieldsText!(i)]));
    });

    it('reading them back passes over the fields of a record no longer joined, and refuses a cache missing a record\'s or holding outdated ones', async () => {
      const x = smallOrg();
      const { core, profileId, svc } = x;
      svc.rebuild(profileId);
      const set = loadJoinNodes(core.db, profileId, false);
      const positions = () => {
        const at: number[] = [];
        streamCachedFields(core.db, profileId, set.nodes, set.digests, (i) => at.push(i));
        return at;
      };
      // Kept fields of records the join does not have, before, between and after its records.
      const put = core.db.prepare(`INSERT INTO identity_node_fields (profile_id, rank, source_id, digest, fields) VALUES (?, ?, ?, 1, '[]')`);
      put.run(profileId, 0, 'v0');
      put.run(profileId, 0, 'v1a');
      put.run(profileId, 1, 'i9');
      put.run(profileId, 3, 'r9');
      expect(positions()).toEqual([0, 1, 2, 3, 4]);
      core.db.prepare(`DELETE FROM identity_node_fields WHERE profile_id = ? AND source_id IN ('v0', 'v1a', 'i9', 'r9')`).run(profileId);
      const digestOf = core.db.prepare(`SELECT digest FROM identity_node_fields WHERE profile_id = ? AND rank = 1 AND source_id = 'i2'`).pluck();
      const was = digestOf.get(profileId);
      core.db.prepare(`UPDATE identity_node_fields SET digest = digest + 1 WHERE profile_id = ? AND rank = 1 AND source_id = 'i2'`).run(profileId);
      expect(positions).toThrow(RecordCacheStale);
      core.db.prepare(`UPDATE identity_node_fields SET digest = ? WHERE profile_id = ? AND rank = 1 AND source_id = 'i2'`).run(was, profileId);
      expect(positions()).toEqual([0, 1, 2, 3, 4]);
      for (const [rank, id] of [[1, 'i2'], [3, 'r1']] as const) {
        const row = core.db.prepare(`SELECT * FROM identity_node_fields WHERE profile_id = ? AND rank = ? AND source_id = ?`).get(profileId, rank, id);
        core.db.prepare(`DELETE FROM identity_node_fields WHERE profile_id = ? AND rank = ? AND source_id = ?`).run(profileId, rank, id);
        expect(positions).toThrow(RecordCacheStale);
        core.db.prepare(`INSERT INTO identity_node_fields (profile_id, rank, source_id, digest, fields) VALUES (@profile_id, @rank, @source_id, @digest, @fields)`).run(row);
      }
      // A full recompute (a new setting with a record changed since) reads a record whose fields
      // are missing from the mirrors and keeps them again: the stream then finds every record's,
      // and the persons equal a rebuild from scratch.
      core.db.prepare(`DELETE FROM identity_node_fields WHERE profile_id = ? AND rank = 0 AND source_id = 'v2'`).run(profileId);
      const settings = svc.settings(profileId);
      x.m.touch('vomo', 'v1');
      await svc.setSettings(profileId, { ...settings, defaultPhoneRegion: 'GB', fieldAuthority: { ...settings.fieldAuthority, first_name: 'crm' } });
      const firstName = (source: string, id: string) => core.db.prepare(`SELECT display_first_name FROM persons WHERE id = ?`).pluck().get(personOf(core.db, profileId, source, id));
      expect([firstName('vomo', 'v1'), firstName('vomo', 'v2')]).toEqual(['Anne', 'Bo']);
      expect(positions()).toEqual([0, 1, 2, 3, 4]);
      const recomputed = snapshot(core.db, profileId);
      svc.rebuild(profileId, 'rebuild', { fromScratch: true });
      expect(snapshot(core.db, profileId)).toEqual(recomputed);
    });
  });
});
