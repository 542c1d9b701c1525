/**
 * The node cache: what the join needs of every live record (join emails, first name, household,
 * crmKey) and each record's digest, kept between rebuilds in identity_nodes (migration 0014).
 * Reading every mirror row to learn that almost none changed was half of a million-person
 * rebuild; now a rebuild re-reads from the mirrors only the records the mirror triggers marked
 * in identity_dirty, and everything else comes from one narrow sequential read. The cache's key
 * orders rows as the full load orders records (kind, then id), so either way the join sees the
 * same nodes in the same order. Run inside the rebuild's transaction: the marks it consumes and
 * the rows it rewrites commit or roll back with the persons built from them.
 */
import type { Db } from '../store/db';
import { loadJoinNodes, RECORD_DIGEST_VERSION, type JoinNode, type JoinSet, type NodeKind } from './nodes';
import { fillRecordScope } from './scopeTables';
import { ensureTracking } from './changeTracking';

const RANK: Record<NodeKind, number> = { vomo: 0, crm_individual: 1, crm_contact: 2, raise: 3 };
const SEP = '\u001f';

export interface CachedJoinSet extends JoinSet {
  /** Records read from the mirrors for this rebuild: all of them, or the marked ones. */
  recordsRead: number;
}

/**
 * The join set of a profile. keepFields (a first build) or a missing or outdated cache: every
 * record read from the mirrors, and the cache written from that read. Otherwise: the marked
 * records re-read, their cache rows replaced, then the whole cache read.
 */
export function loadJoinSet(db: Db, profileId: number, keepFields: boolean): CachedJoinSet {
  // Triggers missing or outdated: whatever changed before now went unmarked, so no cache holds.
  if (ensureTracking(db)) db.exec(`DELETE FROM identity_node_cache; DELETE FROM identity_nodes; DELETE FROM identity_dirty;`);
  const version = db.prepare(`SELECT version FROM identity_node_cache WHERE profile_id = ?`).pluck().get(profileId);
  if (keepFields || version !== RECORD_DIGEST_VERSION) {
    const set = loadJoinNodes(db, profileId, keepFields);
    dropNodeCache(db, profileId);
    writeNodes(db, profileId, set);
    db.prepare(
      `INSERT INTO identity_node_cache (profile_id, version, built_at) VALUES (?, ?, ?)
       ON CONFLICT (profile_id) DO UPDATE SET version = excluded.version, built_at = excluded.built_at`,
    ).run(profileId, RECORD_DIGEST_VERSION, new Date().toISOString());
    return { ...set, recordsRead: set.nodes.length };
  }
  const recordsRead = refreshMarked(db, profileId);
  return { ...readNodes(db, profileId), full: null, recordsRead };
}

/** Forget the cache: the next rebuild reads every record from the mirrors (and stops marking until then). */
export function dropNodeCache(db: Db, profileId: number): void {
  db.prepare(`DELETE FROM identity_node_cache WHERE profile_id = ?`).run(profileId);
  db.prepare(`DELETE FROM identity_nodes WHERE profile_id = ?`).run(profileId);
  db.prepare(`DELETE FROM identity_dirty WHERE profile_id = ?`).run(profileId);
}

function writeNodes(db: Db, profileId: number, set: JoinSet): void {
  const ins = db.prepare(
    `INSERT INTO identity_nodes (profile_id, rank, source_id, digest, emails, first_name, contact_id, is_primary, crm_key, name)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  set.nodes.forEach((n, i) => {
    const emails = n.emails.length ? n.emails.join(SEP) : null;
    if (n.kind === 'vomo') ins.run(profileId, RANK.vomo, n.id, set.digests[i], emails, n.firstName, null, null, null, null);
    else if (n.kind === 'crm_individual') ins.run(profileId, RANK.crm_individual, n.id, set.digests[i], emails, n.firstName, n.contactId, n.isPrimary, null, null);
    else if (n.kind === 'crm_contact') ins.run(profileId, RANK.crm_contact, n.id, set.digests[i], emails, null, n.contactId, null, null, n.contact.name);
    else ins.run(profileId, RANK.raise, n.id, set.digests[i], emails, n.firstName, null, null, n.crmKey, null);
  });
}

/**
 * Re-reads the marked records and replaces their cache rows. A marked individual brings its
 * household contact (before and after a move: its digest covers the contact's, and whether a
 * contact is a record of its own depends on its individuals); a marked contact brings all of its
 * individuals. Returns how many records were re-read.
 */
function refreshMarked(db: Db, profileId: number): number {
  const marked = db.prepare(`SELECT source, source_id FROM identity_dirty WHERE profile_id = ?`).raw().all(profileId) as [NodeKind, string][];
  if (!marked.length) return 0;
  const others: string[] = [];
  const contacts = new Set<string>();
  const individuals = new Set<string>();
  for (const [source, id] of marked) {
    if (source === 'crm_contact') contacts.add(id);
    else if (source === 'crm_individual') individuals.add(id);
    else others.push(source + ':' + id);
  }
  const cachedContact = db.prepare(`SELECT contact_id FROM identity_nodes WHERE profile_id = ? AND rank = 1 AND source_id = ?`).pluck();
  const mirrorContact = db.prepare(`SELECT contact_id FROM crm_individuals WHERE profile_id = ? AND id = ?`).pluck();
  for (const id of individuals) {
    for (const c of [cachedContact.get(profileId, id), mirrorContact.get(profileId, id)] as (string | undefined)[]) if (c != null) contacts.add(c);
  }
  const ofContact = db.prepare(`SELECT id FROM crm_individuals INDEXED BY crm_individuals_by_contact WHERE profile_id = ? AND contact_id = ?`).pluck();
  for (const c of contacts) for (const id of ofContact.all(profileId, c) as string[]) individuals.add(id);

  const keys = [...others];
  for (const c of contacts) keys.push('crm_contact:' + c);
  for (const id of individuals) keys.push('crm_individual:' + id);
  fillRecordScope(db, 'identity_scope', keys);
  const fresh = loadJoinNodes(db, profileId, false, true);
  db.prepare(
    `DELETE FROM identity_nodes WHERE profile_id = @p AND (rank, source_id) IN (
       SELECT CASE source ${Object.entries(RANK).map(([k, r]) => `WHEN '${k}' THEN ${r}`).join(' ')} END, source_id FROM temp.identity_scope)`,
  ).run({ p: profileId });
  writeNodes(db, profileId, fresh);
  db.prepare(`DELETE FROM identity_dirty WHERE profile_id = ?`).run(profileId);
  return keys.length;
}

function readNodes(db: Db, profileId: number): Omit<JoinSet, 'full'> {
  const nodes: JoinNode[] = [];
  const digests: number[] = [];
  const split = (emails: string | null) => (emails ? emails.split(SEP) : []);
  for (const [rank, id, digest, emails, firstName, contactId, isPrimary, crmKey, name] of db
    .prepare(`SELECT rank, source_id, digest, emails, first_name, contact_id, is_primary, crm_key, name FROM identity_nodes WHERE profile_id = ? ORDER BY rank, source_id`)
    .raw()
    .iterate(profileId) as Iterable<[number, string, number, string | null, string | null, string | null, number | null, string | null, string | null]>) {
    if (rank === RANK.vomo) nodes.push({ kind: 'vomo', key: 'vomo:' + id, id, emails: split(emails), firstName });
    else if (rank === RANK.crm_individual)
      nodes.push({ kind: 'crm_individual', key: 'crm_individual:' + id, id, emails: split(emails), contactId: contactId!, firstName, isPrimary: isPrimary ?? 0 });
    else if (rank === RANK.crm_contact) nodes.push({ kind: 'crm_contact', key: 'crm_contact:' + id, id, emails: [], contactId: id, contact: { name } });
    else nodes.push({ kind: 'raise', key: 'raise:' + id, id, emails: split(emails), firstName, crmKey });
    digests.push(digest);
  }
  return { nodes, digests: Float64Array.from(digests) };
}
