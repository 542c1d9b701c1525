/**
 * A rebuild after a sync joins again only the records its changes can reach (joinScope.ts). Each
 * relation the join follows must be in that closure, or a person would keep a stale shape; and
 * nothing else should be, or the rebuild reads the store. Migration 0021 provides the indexes it
 * walks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { identityCore } from './fixtures';
import { closeScope } from '../../src-main/identity/joinScope';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function built() {
  const x = identityCore();
  cleanups.push(() => x.core.cleanup());
  const { m } = x;
  // Ann: VOMO + CRM+ individual (household c1 with partner Bo) + Raise donor by email.
  m.vomoUser({ id: 'v1', email: 'ann@x.example', first: 'Ann', last: 'Lee' });
  m.crmContact({
    id: 'c1',
    individuals: [
      { id: 'i1', first: 'Ann', last: 'Lee', primary: true, emails: ['ann@x.example', 'ann.work@x.example'] },
      { id: 'i2', first: 'Bo', last: 'Lee', emails: ['bo@x.example'] },
    ],
  });
  m.raiseDonor({ id: 'r1', email: 'ann@x.example', first: 'Ann', last: 'Lee' });
  // A donor naming c1 by crmKey under another email, and one whose only link is Ann's work email.
  m.raiseDonor({ id: 'r2', email: 'other@y.example', first: 'Bo', last: 'Lee', crmKey: 'c1' });
  m.vomoUser({ id: 'v9', email: 'ann.work@x.example', first: 'Ann', last: 'Lee' });
  // Unrelated people.
  for (let i = 2; i <= 6; i++) m.vomoUser({ id: `v${i}`, email: `p${i}@x.example`, first: `P${i}`, last: 'Kim' });
  m.crmContact({ id: 'c7', individuals: [{ id: 'i7', first: 'Cy', last: 'Ng', primary: true, emails: ['cy@x.example'] }] });
  x.core.identity.rebuild(x.profileId);
  const scope = (seeds: string[], decisions: { key_a: string; key_b: string }[] = []) => (closeScope(x.core.db, x.profileId, seeds, decisions, 1000)?.keys ?? []).sort();
  return { ...x, scope };
}

describe('join scope', () => {
  it('migration 0021 gives the node cache its email, household and crmKey indexes', () => {
    const { core } = built();
    const names = core.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'identity_node%' ORDER BY name`).pluck().all();
    expect(names).toEqual(expect.arrayContaining(['identity_nodes_by_contact', 'identity_nodes_by_crm_key', 'identity_nodes_by_email', 'identity_node_emails_by_node']));
    const cols = core.db.prepare(`SELECT name FROM pragma_table_info('identity_node_cache')`).pluck().all();
    expect(cols).toEqual(expect.arrayContaining(['settings_digest', 'node_count', 'person_count']));
    // Second and later emails are listed; first ones are found in identity_nodes itself.
    expect(core.db.prepare(`SELECT email, rank, source_id FROM identity_node_emails`).all()).toEqual([{ email: 'ann.work@x.example', rank: 1, source_id: 'i1' }]);
  });

  it('closes over the person, shared emails, the household, crmKey and decisions, and nothing else', () => {
    const { scope } = built();
    const ann = ['crm_contact:c1', 'crm_individual:i1', 'crm_individual:i2', 'raise:r1', 'raise:r2', 'vomo:v1', 'vomo:v9'];
    // From any one of Ann's records, the whole group; the unrelated people stay out.
    for (const seed of ann) expect(scope([seed]), seed).toEqual(ann);
    expect(scope(['vomo:v3'])).toEqual(['vomo:v3']);
    // A decision relates its two records like a shared email.
    expect(scope(['vomo:v3'], [{ key_a: 'vomo:v3', key_b: 'vomo:v4' }])).toEqual(['vomo:v3', 'vomo:v4']);
    // A record no longer live still brings the person it was linked to.
    expect(scope(['vomo:gone'])).toEqual(['vomo:gone']);
  });

  it('reaches a record by a second email, and stops when the closure grows past its limit', () => {
    const { core, profileId, scope } = built();
    // v9 shares only Ann's second CRM+ email; from v9 alone the join must still see i1.
    expect(scope(['vomo:v9'])).toContain('crm_individual:i1');
    expect(closeScope(core.db, profileId, ['vomo:v1'], [], 3)).toBeNull();
  });

  it('follows the rows its caller has just written as written, and asks the cache for the rest', () => {
    const { core, profileId } = built();
    const close = (seeds: string[], known: (key: string) => readonly [string | null, string | null, string | null] | null | undefined) =>
      (closeScope(core.db, profileId, seeds, [], 1000, known)?.keys ?? []).sort();
    // v3's re-read row now carries Ann's address: the closure reaches her records through it,
    // though the cache it would otherwise read still holds p3's.
    const ann = ['crm_contact:c1', 'crm_individual:i1', 'crm_individual:i2', 'raise:r1', 'raise:r2', 'vomo:v1', 'vomo:v3', 'vomo:v9'];
    expect(close(['vomo:v3'], (k) => (k === 'vomo:v3' ? ['ann@x.example', null, null] : undefined))).toEqual(ann);
    // A record the caller says has no row relates only through its links and decisions.
    expect(close(['vomo:v4'], (k) => (k === 'vomo:v4' ? null : undefined))).toEqual(['vomo:v4']);
    // Unknown to the caller: the cache answers, as without it.
    expect(close(['vomo:v3'], () => undefined)).toEqual(['vomo:v3']);
  });

  it('hands the join its records’ persons and active links, as the store holds them, in key order', () => {
    const { core, profileId, m } = built();
    // A link retired by a later rebuild is no longer the scope's: v1 and r1 move to a person of their own.
    m.vomoUser({ id: 'v1', email: 'v1.new@x.example', first: 'Ann', last: 'Lee' });
    m.raiseDonor({ id: 'r1', email: 'v1.new@x.example', first: 'Ann', last: 'Lee' });
    core.identity.rebuild(profileId);
    const closed = closeScope(core.db, profileId, ['crm_individual:i1', 'vomo:v1'], [], 1000)!;
    const stored = core.db
      .prepare(
        `SELECT source, source_id, person_id, how || char(31) || match_card_json || char(31) || COALESCE(email_at_link, '') FROM person_links
         WHERE profile_id = ? AND active = 1 AND source || ':' || source_id IN (SELECT value FROM json_each(?)) ORDER BY source, source_id, person_id`,
      )
      .raw()
      .all(profileId, JSON.stringify(closed.keys)) as string[][];
    expect(closed.links).toEqual(stored);
    expect(closed.links.length).toBeGreaterThanOrEqual(closed.keys.length - 1); // every live record has its link
    expect(closed.persons).toEqual([...new Set(stored.map((l) => l[2]))].sort());
    expect(closed.persons.length).toBe(3); // Ann, Bo (her household), and v1 with r1 now
    expect(core.db.prepare(`SELECT COUNT(*) FROM person_links WHERE profile_id = ? AND active = 0`).pluck().get(profileId)).toBeGreaterThan(0);
  });

  it('a rebuild after a change joins only the changed records’ closure', () => {
    const { core, profileId, m } = built();
    m.vomoUser({ id: 'v3', email: 'p3@x.example', first: 'P3', last: 'Kim-Ng' });
    const s = core.identity.rebuild(profileId);
    expect(s.timings?.recordsRead).toBe(1);
    expect(s.timings?.recordsJoined).toBe(1);
    expect(s.timings?.personsWritten).toBe(1);
    expect(s.persons).toBe(core.db.prepare(`SELECT COUNT(*) FROM persons WHERE profile_id = ?`).pluck().get(profileId));
    expect(s.links).toBe(core.db.prepare(`SELECT COUNT(*) FROM identity_nodes WHERE profile_id = ?`).pluck().get(profileId));
  });
});
