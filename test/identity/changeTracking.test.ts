/**
 * A rebuild re-reads from the mirrors only the records marked changed since the last one
 * (nodeCache.ts). The marks come from triggers on the mirrors (migration 0014), so they must
 * cover every column a record's digest or join fields read: a change the triggers miss would
 * leave a person stale without anything noticing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { identityCore } from './fixtures';
import { CONTACT_COLS, CONTACT_REFERENCES, IND_COLS, METHOD_COLS, RAISE_COLS, RAISE_LIVE, VOMO_COLS } from '../../src-main/identity/nodes';
import { MEASURE_INPUTS } from '../../src-main/identity/measures';
import { MirrorTable } from '../../src-main/sync/mirrors/table';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** The columns a SQL fragment reads through one alias. */
const columnsOf = (sql: string, alias: string) => [...new Set([...sql.matchAll(new RegExp(`\\b${alias}\\.(\\w+)`, 'g'))].map((m) => m[1]))];

// Per mirror table: the columns the digest and join read, which record a change marks, and the
// row to change. Key columns (the row's own id and its parent's) are moved in a test of their own.
const keys = new Set(['id', 'profile_id', 'user_id', 'contact_id', 'individual_id', 'donor_id']);
const TABLES = [
  { table: 'vomo_users', cols: [...columnsOf(VOMO_COLS, 'u'), 'gone_at'], where: `id = 'v1'`, mark: 'vomo:v1' },
  { table: 'vomo_participations', cols: columnsOf(MEASURE_INPUTS.vomo('u'), 'p'), where: `id = 'a1'`, mark: 'vomo:v1' },
  { table: 'crm_contacts', cols: [...columnsOf(CONTACT_COLS, 'c'), 'gone_at'], where: `id = 'c1'`, mark: 'crm_contact:c1' },
  { table: 'crm_individuals', cols: columnsOf(IND_COLS, 'i'), where: `id = 'i1'`, mark: 'crm_individual:i1' },
  { table: 'crm_contact_methods', cols: columnsOf(METHOD_COLS, 'm'), where: `id = (SELECT MIN(id) FROM crm_contact_methods WHERE individual_id = 'i1')`, mark: 'crm_individual:i1' },
  { table: 'crm_contact_references', cols: columnsOf(CONTACT_REFERENCES('c'), 'r'), where: `contact_id = 'c1'`, mark: 'crm_contact:c1' },
  { table: 'crm_gifts', cols: columnsOf(MEASURE_INPUTS.crmContact('c'), 'g'), where: `id = 'g1'`, mark: 'crm_contact:c1' },
  { table: 'raise_donors', cols: [...columnsOf(RAISE_COLS + RAISE_LIVE, 'd'), 'raw_json'], where: `id = 'r1'`, mark: 'raise:r1' },
  { table: 'raise_gifts', cols: columnsOf(MEASURE_INPUTS.raise('d'), 'g'), where: `id = 'rg1'`, mark: 'raise:r1' },
];

function setup() {
  const x = identityCore();
  cleanups.push(() => x.core.cleanup());
  const { m } = x;
  m.vomoUser({ id: 'v1', email: 'ann@x.example', first: 'Ann', last: 'Lee' });
  m.participation({ userId: 'v1', id: 'a1', hours: 2 });
  m.crmContact({ id: 'c1', name: 'Lee household', references: [{ source: 'Twofold/VOMO', id: 'v1' }], individuals: [{ id: 'i1', first: 'Ann', last: 'Lee', primary: true, emails: ['ann@x.example'], phones: ['217-555-0100'] }] });
  m.crmContact({ id: 'c2', name: 'Kim household', individuals: [{ id: 'i2', first: 'Bo', last: 'Kim', primary: true, emails: ['bo@x.example'] }] });
  m.crmGift({ id: 'g1', contactId: 'c1', amountCents: 5000, date: '2025-03-01' });
  m.raiseDonor({ id: 'r1', email: 'ann@x.example', first: 'Ann', last: 'Lee', crmKey: 'c1' });
  m.raiseGift({ id: 'rg1', donorId: 'r1', amountCents: 2500, date: '2025-06-01T12:00:00Z' });
  return x;
}

describe('mirror change tracking', () => {
  it('marks nothing until a rebuild has built the node cache, then marks what changes', () => {
    const { core, profileId, m } = setup();
    const marks = () => (core.db.prepare(`SELECT source || ':' || source_id AS k FROM identity_dirty WHERE profile_id = ? ORDER BY k`).pluck().all(profileId) as string[]);
    expect(marks()).toEqual([]);
    core.identity.rebuild(profileId);
    expect(marks()).toEqual([]);
    m.vomoUser({ id: 'v2', email: 'new@x.example', first: 'New', last: 'User' });
    expect(marks()).toEqual(['vomo:v2']);
  });

  it('creates its triggers with the first node cache, and trusts no cache when they were missing', () => {
    const { core, profileId, m } = setup();
    const db = core.db;
    const triggers = () => db.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'identity_track_%'`).pluck().get() as number;
    expect(triggers()).toBe(0); // a store never rebuilt pays nothing on its syncs
    const svc = core.identity;
    expect(svc.rebuild(profileId).timings?.recordsRead).toBe(4);
    expect(triggers()).toBe(30); // insert, update, delete on nine mirrors and the decisions
    // A change while a trigger was missing goes unmarked: the next rebuild reads everything again.
    db.exec(`DROP TRIGGER identity_track_vomo_users_update`);
    m.vomoUser({ id: 'v1', email: 'ann@new.example', first: 'Ann', last: 'Lee' });
    const s = svc.rebuild(profileId);
    expect(s.timings?.recordsRead).toBe(4);
    expect(triggers()).toBe(30); // insert, update, delete on nine mirrors and the decisions
    expect(db.prepare(`SELECT emails FROM identity_nodes WHERE profile_id = ? AND rank = 0 AND source_id = 'v1'`).pluck().get(profileId)).toBe('ann@new.example');
  });

  it('marks the owning record when any column its digest reads changes, and only then', () => {
    const { core, profileId } = setup();
    const db = core.db;
    core.identity.rebuild(profileId);
    const marked = () => db.prepare(`SELECT source || ':' || source_id AS k FROM identity_dirty WHERE profile_id = ? ORDER BY k`).pluck().all(profileId) as string[];
    let checked = 0;
    for (const t of TABLES) {
      // A sync's touch of an unchanged row marks nothing.
      const synced = (db.pragma(`table_info(${t.table})`) as { name: string }[]).some((c) => c.name === 'last_synced_at');
      if (synced) db.prepare(`UPDATE ${t.table} SET last_synced_at = '2030-01-01T00:00:00.000Z' WHERE ${t.where}`).run();
      expect(marked(), `${t.table} touched`).toEqual([]);
      for (const col of t.cols.filter((c) => !keys.has(c))) {
        const changes = db.prepare(`UPDATE ${t.table} SET ${col} = CASE WHEN ${col} IS NULL THEN '1' ELSE ${col} || '~' END WHERE ${t.where}`).run().changes;
        expect(changes, `${t.table} row`).toBe(1);
        expect(marked(), `${t.table}.${col}`).toContain(t.mark);
        db.prepare(`DELETE FROM identity_dirty`).run();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('marks both ends of a move, and a deleted row', () => {
    const { core, profileId } = setup();
    const db = core.db;
    core.identity.rebuild(profileId);
    const marked = () => db.prepare(`SELECT source || ':' || source_id AS k FROM identity_dirty WHERE profile_id = ? ORDER BY k`).pluck().all(profileId) as string[];
    db.prepare(`UPDATE crm_contact_methods SET individual_id = 'i2', contact_id = 'c2' WHERE individual_id = 'i1' AND kind = 'email'`).run();
    expect(marked()).toEqual(['crm_contact:c1', 'crm_contact:c2', 'crm_individual:i1', 'crm_individual:i2']);
    db.prepare(`DELETE FROM identity_dirty`).run();
    db.prepare(`DELETE FROM vomo_participations WHERE id = 'a1'`).run();
    expect(marked()).toEqual(['vomo:v1']);
  });

  it('removing a profile leaves no node cache and no marks behind', () => {
    const { core, profileId } = setup();
    core.identity.rebuild(profileId);
    core.db.prepare(`UPDATE vomo_users SET last_name = 'Changed' WHERE id = 'v1'`).run();
    expect(core.profiles.remove(profileId)).toBe(true);
    for (const t of ['identity_nodes', 'identity_node_cache', 'identity_dirty']) expect(core.db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get(), t).toBe(0);
  });

  it('a re-sync through the mirror writers marks only the records whose data changed', () => {
    const { core, profileId, m } = setup();
    const db = core.db;
    // Enough persons that one change is not a bulk rebuild (which reads every record again).
    for (let i = 10; i < 30; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: 'P', last: `L${i}` });
    core.identity.rebuild(profileId);
    const users = new MirrorTable<{ id: string; email: string; email_norm: string }>(db, 'vomo_users', ['id', 'email', 'email_norm']);
    const now = '2030-01-01T00:00:00.000Z';
    db.prepare(`UPDATE vomo_users SET raw_json = '{"id":"v1"}' WHERE id = 'v1'`).run();
    expect(users.upsert(profileId, { id: 'v1', email: 'ann@x.example', email_norm: 'ann@x.example' }, '{"id":"v1"}', now)).toBe('unchanged');
    expect(db.prepare(`SELECT COUNT(*) FROM identity_dirty`).pluck().get()).toBe(0);
    expect(users.upsert(profileId, { id: 'v1', email: 'Ann@New.example', email_norm: 'ann@new.example' }, '{"id":"v1","v":2}', now)).toBe('updated');
    expect(db.prepare(`SELECT source || ':' || source_id FROM identity_dirty`).pluck().all()).toEqual(['vomo:v1']);
    const s = core.identity.rebuild(profileId);
    expect(s.timings?.recordsRead).toBe(1);
    expect(db.prepare(`SELECT COUNT(*) FROM identity_dirty`).pluck().get()).toBe(0);
    expect(db.prepare(`SELECT emails FROM identity_nodes WHERE profile_id = ? AND rank = 0 AND source_id = 'v1'`).pluck().get(profileId)).toBe('ann@new.example');
  });
});
