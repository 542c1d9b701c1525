/**
 * The records a rebuild after a sync must join again: the changed records, closed under every
 * relation the join follows or has followed. Joining that closed set alone gives exactly the
 * persons a join of every record gives them, because every union the join makes is between two
 * records related here, and the persons they held before are reached through their links:
 *
 * - the person a record is linked to, and every record of that person (its ID is claimed again);
 * - every live record sharing one of its join emails (emails join, or pick within a household);
 * - its household: every individual of its CRM+ contact, and the contact itself (giving owner,
 *   shared household email);
 * - the Raise donors naming its contact by crmKey, and the contact a donor names;
 * - the other record of each of the steward's decisions on it.
 *
 * The closure is followed through the node cache's indexes (migration 0021) and person_links,
 * never by reading whole tables, so a sync that changed a hundred records costs a few hundred
 * lookups whatever the size of the store. Following the links reads every active link of the
 * scope's records, so the closure hands them to the join as it reads them (with the persons they
 * name), and the join does not look them up a second time.
 */
import type { Db } from '../store/db';
import { parseSourceKey, type NodeKind } from './nodes';

const SOURCE_OF_RANK: NodeKind[] = ['vomo', 'crm_individual', 'crm_contact', 'raise'];

/** What the join follows of a cached record: its join emails (char(31)-separated), contact, crmKey. */
export type ScopeNode = readonly [emails: string | null, contactId: string | null, crmKey: string | null];

/** What an active link said when it was written, as one string (the join compares its digest). */
export const LINK_SAID_SQL = `how || char(31) || match_card_json || char(31) || COALESCE(email_at_link, '')`;

/** An active link: its record, its person, and what it said (LINK_SAID_SQL). */
export type ScopeLink = readonly [source: string, sourceId: string, personId: string, said: string];

export interface ClosedScope {
  /** Every record in the closure, live or not ('vomo:12', ...). */
  keys: string[];
  /** The persons the records are actively linked to, in ascending ID order. */
  persons: string[];
  /** Every active link of those records (so every link of those persons), in key order. */
  links: ScopeLink[];
}

/**
 * The closure of the seeds: its records, live or not, and their persons and links. Null when the
 * closure grows past `limit` records: the caller then joins every record instead. `known` answers
 * for records whose cache row the caller has just written (the sync's records, re-read a moment
 * before): their row as written, or null for one not cached; undefined sends the lookup to the cache.
 */
export function closeScope(
  db: Db,
  profileId: number,
  seeds: Iterable<string>,
  decisions: { key_a: string; key_b: string }[],
  limit: number,
  known: (key: string) => ScopeNode | null | undefined = () => undefined,
): ClosedScope | null {
  const partners = new Map<string, string[]>();
  for (const d of decisions) {
    for (const [a, b] of [
      [d.key_a, d.key_b],
      [d.key_b, d.key_a],
    ]) {
      const l = partners.get(a);
      if (l) l.push(b);
      else partners.set(a, [b]);
    }
  }
  const p = profileId;
  const personsOf = db.prepare(`SELECT person_id FROM person_links INDEXED BY person_links_active WHERE profile_id = ? AND source = ? AND source_id = ? AND active = 1`).pluck();
  // The link's row is read for its record anyway: what it said comes from the same page.
  const linksOf = db.prepare(`SELECT source, source_id, person_id, ${LINK_SAID_SQL} FROM person_links INDEXED BY person_links_by_person WHERE profile_id = ? AND person_id = ? AND active = 1`).raw();
  const nodeOf = db.prepare(`SELECT emails, contact_id, crm_key FROM identity_nodes WHERE profile_id = ? AND rank = ? AND source_id = ?`).raw();
  // An email's records: its first email is the cached string or its prefix before char(31).
  const byEmail = db
    .prepare(
      `SELECT rank, source_id FROM identity_nodes INDEXED BY identity_nodes_by_email
         WHERE profile_id = @p AND emails IS NOT NULL AND (emails = @e OR (emails > @e || char(31) AND emails < @e || char(32)))
       UNION ALL SELECT rank, source_id FROM identity_node_emails WHERE profile_id = @p AND email = @e`,
    )
    .raw();
  const individualsOf = db.prepare(`SELECT source_id FROM identity_nodes INDEXED BY identity_nodes_by_contact WHERE profile_id = ? AND contact_id = ? AND rank = 1`).pluck();
  const donorsNaming = db.prepare(`SELECT source_id FROM identity_nodes INDEXED BY identity_nodes_by_crm_key WHERE profile_id = ? AND crm_key = ? AND rank = 3`).pluck();

  const seen = new Set<string>();
  const persons = new Set<string>();
  const links: ScopeLink[] = [];
  const queue: string[] = [];
  const add = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    queue.push(key);
  };
  // A household and an email relate the same records from whichever record reaches them: each is
  // looked up once (a household's individuals and its contact each reached it again, and a
  // person's records mostly share their email).
  const households = new Set<string>();
  const emailsSeen = new Set<string>();
  const household = (contactId: string) => {
    if (households.has(contactId)) return;
    households.add(contactId);
    add('crm_contact:' + contactId);
    for (const id of individualsOf.all(p, contactId) as string[]) add('crm_individual:' + id);
    for (const id of donorsNaming.all(p, contactId) as string[]) add('raise:' + id);
  };
  for (const k of seeds) add(k);
  while (queue.length) {
    if (seen.size > limit) return null;
    const key = queue.pop()!;
    const { source, id } = parseSourceKey(key);
    for (const pid of personsOf.all(p, source, id) as string[]) {
      if (persons.has(pid)) continue;
      persons.add(pid);
      for (const link of linksOf.all(p, pid) as ScopeLink[]) {
        links.push(link);
        add(link[0] + ':' + link[1]);
      }
    }
    for (const other of partners.get(key) ?? []) add(other);
    const rank = SOURCE_OF_RANK.indexOf(source);
    if (source === 'crm_contact') household(id); // a contact with individuals is no record of its own, but its household is
    const told = known(key);
    const node = told !== undefined ? told : rank < 0 ? undefined : (nodeOf.get(p, rank, id) as ScopeNode | undefined);
    if (!node) continue; // no longer live: its links and decisions are all it relates
    const [emails, contactId, crmKey] = node;
    if (emails) {
      for (const e of emails.split('\u001f')) {
        if (emailsSeen.has(e)) continue;
        emailsSeen.add(e);
        for (const [r, sid] of byEmail.all({ p, e }) as [number, string][]) add(SOURCE_OF_RANK[r] + ':' + sid);
      }
    }
    if (source === 'crm_individual' && contactId) household(contactId);
    if (source === 'raise' && crmKey) household(crmKey);
  }
  // A record's person is reached from the record (personsOf), so every active link of a record
  // in the closure is among its persons' links read above.
  links.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0));
  return { keys: [...seen], persons: [...persons].sort(), links };
}
