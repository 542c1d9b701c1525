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
import type { IdentitySettings } from '../../src-shared/domain/identity';
import { joinNode } from './joinNodes';
import { loadJoinNodes, RecordCacheStale, RECORD_DIGEST_VERSION, streamedReads, type IdNode, type JoinNode, type JoinSet, type NodeKind } from './nodes';
import { MirrorReader } from './mirrorReader';
import { fillRecordScope } from './scopeTables';
import { ensureTracking } from './changeTracking';
import { closeScope, type ClosedScope, type ScopeNode } from './joinScope';
import { dropIndexes, restoreIndexes } from '../store/bulkIndexes';
import { declareKeyStats } from '../store/plannerStats';

export const RANK: Record<NodeKind, number> = { vomo: 0, crm_individual: 1, crm_contact: 2, raise: 3 };
/** SQL: the rank of the record kind a source column names. */
const rankOf = (col: string) => `CASE ${col} ${Object.entries(RANK).map(([k, r]) => `WHEN '${k}' THEN ${r}`).join(' ')} END`;
/** Kind by rank. */
const KIND_OF = (Object.keys(RANK) as NodeKind[]).sort((a, b) => RANK[a] - RANK[b]);
export const EMAIL_SEP = '\u001f';
const SEP = EMAIL_SEP;

export interface CachedJoinSet extends JoinSet {
  /** Records read from the mirrors for this rebuild: all of them, or the marked ones. */
  recordsRead: number;
  /**
   * The keys of the records read again from the mirrors (live or not): the only records that
   * can read differently since the last rebuild. null: every record was read (no usable cache).
   */
  rereadKeys: string[] | null;
  /**
   * Of the records read again, those whose join emails differ from what the cache held (new,
   * gone or readdressed records): the only ones whose email lineage can change. null with
   * rereadKeys.
   */
  emailChangedKeys: string[] | null;
  /**
   * Of the records read again, those whose change can reach their person's measures and row but
   * nothing its conflicts and split evidence read besides that row (joinBuilder.ts:
   * evidencePersons): a sync's new hours and gifts. VOMO users whose join fields read as the cache
   * held them (a user's other columns show in the person row, which the join compares), Raise
   * donors whose columns all do. null with rereadKeys.
   */
  measuresOnlyKeys: ReadonlySet<string> | null;
  /**
   * null: the set holds every live record (a full rebuild). Otherwise the set holds only the
   * records in scope (joinScope.ts), and this is the scope: their keys, including records no
   * longer live, and their persons and active links.
   */
  scope: ClosedScope | null;
  /** Live records in all (not only in scope). */
  totalRecords: number;
  /** Persons the last rebuild left (null: unknown, a full join counts them). */
  personCount: number | null;
  /**
   * Which persons to recompute whatever their digests say: 'all' (the cache was built from the
   * mirrors by this load: new code or a missing cache), 'setting' (every person too: the settings
   * or the code that computes persons changed otherwise than 'manySystems' and 'displays' take,
   * e.g. the phone region with records changed since, and the cache is current), 'manySystems' (only
   * the field authority changed, with records changed since: the persons with records in two or
   * more systems), 'changed' (the settings are those the persons were computed with), 'displays'
   * (only the field authority or the phone region changed, and no record since: the set is empty,
   * and what the persons display and their phones are computed again from their rows and the
   * CRM+ phones, displayRecompute.ts).
   */
  recompute: 'all' | 'setting' | 'manySystems' | 'changed' | 'displays';
  /** 'displays' for a new phone region: every person's phones read again, not only what the authority picks. */
  phonesAgain?: boolean;
  /**
   * Every field of the records re-read from the mirrors for this rebuild (the marked ones), by
   * key: the persons they belong to are computed from these instead of reading them again.
   */
  reread: (key: string) => IdNode | undefined;
  /**
   * Every record's fields are in identity_node_fields under its current digest (this load wrote
   * them there, or found them there, instead of keeping them): streamCachedFields reads them back
   * in node order.
   */
  fieldsCached?: boolean;
  /** Pages of mirror rows a second connection read for this load (mirrorReader.ts). */
  readerPages?: number;
}

const NOTHING_REREAD = () => undefined;

export interface JoinSetRequest {
  /** No person yet: every record read with its fields (the first build computes everyone). */
  firstBuild: boolean;
  /** The settings persons are computed with. */
  settings: IdentitySettings;
  /** Digest of the settings and code persons are computed with; a new one looks at every record. */
  settingsDigest: number;
  /** The digest other settings would have under this code (settingsDigest's function). */
  digestOf: (settings: IdentitySettings) => number;
  /** The steward's verdicts: a decision relates its two records like a shared email. */
  decisions: { key_a: string; key_b: string }[];
  /** Told before a load that reads every record, once and in order (the caller sizes its page cache). */
  readingEverything?: () => void;
  /**
   * The rebuild's transaction has not written the mirrors (the caller started it for the rebuild):
   * a load of every record may read them on a second connection (mirrorReader.ts).
   */
  mirrorsCommitted?: boolean;
}

/**
 * The records a rebuild looks at. A first build, or a missing or outdated cache: every record read
 * from the mirrors, and the cache written from that read. Otherwise the marked records are
 * re-read and their cache rows replaced; then, if the settings are new or the change is large,
 * every cached record, else only the records the change can reach (joinScope.ts).
 */
export function loadJoinSet(db: Db, profileId: number, req: JoinSetRequest): CachedJoinSet {
  // Triggers missing or outdated: whatever changed before now went unmarked, so no cache holds.
  if (ensureTracking(db)) db.exec(`DELETE FROM identity_node_cache; DELETE FROM identity_nodes; DELETE FROM identity_node_emails; DELETE FROM identity_node_fields; DELETE FROM identity_dirty;`);
  const cache = db.prepare(`SELECT version, settings_digest, settings_json, node_count, person_count FROM identity_node_cache WHERE profile_id = ?`).get(profileId) as
    | { version: number; settings_digest: number | null; settings_json: string | null; node_count: number | null; person_count: number | null }
    | undefined;
  if (req.firstBuild || !cache || cache.version !== RECORD_DIGEST_VERSION || cache.node_count == null) {
    // Every record read from the mirrors. Its fields go to the cache as they are read (a few
    // thousand at a time), not held: at a million persons they are half a gigabyte of strings,
    // most of a first build's memory. Every person is computed next, from the cache read back in the
    // same order (streamCachedFields). Every record written in key order; the secondary indexes
    // are built once afterwards.
    req.readingEverything?.();
    const restore = [dropIndexes(db, 'identity_nodes'), dropIndexes(db, 'identity_node_emails')];
    dropNodeCache(db, profileId);
    const put = db.prepare(PUT_FIELDS);
    let pending: [number, string, number, string][] = [];
    // The write lock is held from here (the cache just emptied): no other connection can commit
    // until this transaction ends, so a reader on one sees the mirrors as this one does, unless
    // this transaction wrote them itself (req.mirrorsCommitted says it did not). A first build's
    // only, as the person helper (joinBuilder.ts says why).
    const reader = req.mirrorsCommitted && req.firstBuild ? MirrorReader.start(db, profileId, streamedReads()) : null;
    let set: JoinSet;
    try {
      set = loadJoinNodes(
        db,
        profileId,
        false,
        false,
        undefined,
        {
          put: (kind, id, digest, text) => void pending.push([RANK[kind], id, digest, text]),
          flush: () => {
            for (const [rank, id, digest, text] of pending) put.run(profileId, rank, id, digest, text);
            pending = [];
          },
        },
        reader,
      );
    } finally {
      reader?.close();
    }
    writeNodes(db, profileId, set);
    restoreIndexes(db, restore);
    declareKeyStats(db, 'identity_node_fields', set.nodes.length, 3);
    return {
      ...set,
      recordsRead: set.nodes.length,
      scope: null,
      totalRecords: set.nodes.length,
      personCount: null,
      reread: NOTHING_REREAD,
      rereadKeys: null,
      emailChangedKeys: null,
      measuresOnlyKeys: null,
      recompute: 'all',
      fieldsCached: true,
      readerPages: reader?.pages ?? 0,
    };
  }
  const marked = refreshMarked(db, profileId);
  const nodeCount = cache.node_count + marked.delta;
  const common = { recordsRead: marked.keys.length, rereadKeys: marked.keys, emailChangedKeys: marked.emailChanged, measuresOnlyKeys: marked.measuresOnly, totalRecords: nodeCount, personCount: cache.person_count, reread: marked.reread };
  // New settings (or code): every record is looked at, for the persons the change applies to are
  // anywhere; they are computed from the fields the cache keeps, brought up to date first and
  // read back in one pass (not held: at a million persons they are half a gigabyte).
  if (cache.settings_digest !== req.settingsDigest) {
    const change = displaySettingsChange(cache, req);
    if (change && !marked.keys.length) return { nodes: [], digests: new Float64Array(0), full: null, ...common, recompute: 'displays', phonesAgain: change.region, scope: null };
    const recompute = change && !change.region ? 'manySystems' : 'setting';
    req.readingEverything?.();
    return { ...readNodes(db, profileId, false, 'current'), ...common, recompute, scope: null, fieldsCached: true };
  }
  const unchanged = { ...common, recompute: 'changed' as const };
  if (!marked.keys.length) {
    fillRecordScope(db, 'join_scope', []);
    return { nodes: [], digests: new Float64Array(0), full: null, ...unchanged, scope: { keys: [], persons: [], links: [] } };
  }
  // Past a fifth of the records, one sequential read of the cache beats following links.
  const scope = closeScope(db, profileId, marked.keys, req.decisions, Math.ceil(nodeCount * SCOPE_LIMIT_SHARE), marked.cached);
  if (!scope) {
    req.readingEverything?.();
    return { ...readNodes(db, profileId, false, 'none'), ...unchanged, scope: null };
  }
  fillRecordScope(db, 'join_scope', scope.keys);
  return { ...readNodes(db, profileId, true, 'none'), ...unchanged, scope };
}

/** The share of the records past which a rebuild reads every record instead of following a scope. */
export const SCOPE_LIMIT_SHARE = 0.2;

/**
 * Whether the next rebuild of a profile reads every record, as far as the store says before it
 * starts: nothing built yet, no record cache or one another version of the code wrote, or at least
 * as many records marked as a scope may hold. An estimate for the last: the join closes a scope
 * over more than its marks (this can say no to a rebuild that then reads everything) and measures
 * it against the records' count after the sync (new records raise that limit a little). Settings
 * are the caller's to judge. Counts at most that many marks. The job runner asks it to start such
 * a rebuild in a process no job has used (jobs/kinds.ts).
 */
export function nextRebuildReadsEverything(db: Db, profileId: number): boolean {
  if (!db.prepare(`SELECT 1 FROM persons WHERE profile_id = ? LIMIT 1`).get(profileId)) return true;
  const cache = db.prepare(`SELECT version, node_count FROM identity_node_cache WHERE profile_id = ?`).get(profileId) as
    | { version: number; node_count: number | null }
    | undefined;
  if (!cache || cache.version !== RECORD_DIGEST_VERSION || cache.node_count == null) return true;
  const limit = Math.ceil(cache.node_count * SCOPE_LIMIT_SHARE);
  const marked = db.prepare(`SELECT COUNT(*) FROM (SELECT 1 FROM identity_dirty WHERE profile_id = ? LIMIT ?)`).pluck().get(profileId, limit) as number;
  return marked >= limit;
}

/**
 * The persons were computed with the same code and settings as now but for the field authority
 * and the phone region (`region`: whether the region is one of the differences); null when
 * anything else differs. Known only when the cache names the settings they were computed with,
 * and its digest says the code was this code.
 */
function displaySettingsChange(cache: { settings_digest: number | null; settings_json: string | null }, req: JoinSetRequest): { region: boolean } | null {
  if (cache.settings_json == null) return null;
  let before: IdentitySettings;
  try {
    before = JSON.parse(cache.settings_json) as IdentitySettings;
  } catch {
    return null;
  }
  if (req.digestOf(before) !== cache.settings_digest) return null; // new code
  const others = (s: IdentitySettings) => JSON.stringify({ ...s, fieldAuthority: null, defaultPhoneRegion: null });
  return others(before) === others(req.settings) ? { region: before.defaultPhoneRegion !== req.settings.defaultPhoneRegion } : null;
}

/**
 * After a rebuild's join, the cache's own row: the settings and code its records were read under,
 * how many records it holds and how many persons they make (the next scoped rebuild starts from
 * these). Written once, at the end of the join, never at the start as well: at a million persons
 * a rebuild after a sync writes more pages than its cache holds, SQLite spills the oldest to the
 * log, and a page spilled and then written again makes the commit read the log back from that
 * frame to recompute its checksums (a 1% sync: this row's page, and 77,000 frames read).
 */
export function saveNodeCache(db: Db, profileId: number, state: { nodeCount: number; personCount: number; settingsDigest: number; settings: IdentitySettings }): void {
  db.prepare(
    `INSERT INTO identity_node_cache (profile_id, version, built_at, settings_digest, settings_json, node_count, person_count) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (profile_id) DO UPDATE SET version = excluded.version, built_at = excluded.built_at, settings_digest = excluded.settings_digest,
       settings_json = excluded.settings_json, node_count = excluded.node_count, person_count = excluded.person_count`,
  ).run(profileId, RECORD_DIGEST_VERSION, new Date().toISOString(), state.settingsDigest, JSON.stringify(state.settings), state.nodeCount, state.personCount);
}

/** Forget the cache: the next rebuild reads every record from the mirrors (and stops marking until then). */
export function dropNodeCache(db: Db, profileId: number): void {
  db.prepare(`DELETE FROM identity_node_cache WHERE profile_id = ?`).run(profileId);
  db.prepare(`DELETE FROM identity_nodes WHERE profile_id = ?`).run(profileId);
  db.prepare(`DELETE FROM identity_node_emails WHERE profile_id = ?`).run(profileId);
  db.prepare(`DELETE FROM identity_node_fields WHERE profile_id = ?`).run(profileId);
  db.prepare(`DELETE FROM identity_dirty WHERE profile_id = ?`).run(profileId);
}

/**
 * Mark every record of these persons for the next rebuild: for changes to persons made outside
 * a rebuild (a merge, an undo, a resolved conflict), which store no digest, so the next rebuild
 * recomputes them once from the mirrors. Nothing to mark while the profile has no node cache:
 * its next rebuild joins every record.
 */
export function markPersonsForRebuild(db: Db, profileId: number, personIds: Iterable<string>): void {
  const mark = db.prepare(
    `INSERT OR IGNORE INTO identity_dirty (profile_id, source, source_id)
     SELECT l.profile_id, l.source, l.source_id FROM person_links l INDEXED BY person_links_by_person
     WHERE l.profile_id = @p AND l.person_id = @id AND l.active = 1 AND EXISTS (SELECT 1 FROM identity_node_cache c WHERE c.profile_id = @p)`,
  );
  for (const id of personIds) mark.run({ p: profileId, id });
}

/** A record's cache row: rank, source_id, digest, emails, first_name, contact_id, is_primary, crm_key, name. */
type NodeRow = [number, string, number, string | null, string | null, string | null, number | null, string | null, string | null];

function rowOf(n: JoinNode, list: string[], digest: number): NodeRow {
  const emails = list.length ? list.join(SEP) : null;
  if (n.kind === 'vomo') return [RANK.vomo, n.id, digest, emails, n.firstName, null, null, null, null];
  if (n.kind === 'crm_individual') return [RANK.crm_individual, n.id, digest, emails, n.firstName, n.contactId, n.isPrimary, null, null];
  if (n.kind === 'crm_contact') return [RANK.crm_contact, n.id, digest, emails, null, n.contactId, null, null, n.contact.name];
  return [RANK.raise, n.id, digest, emails, n.firstName, null, null, n.crmKey, null];
}

const INSERT_NODE = `INSERT INTO identity_nodes (profile_id, rank, source_id, digest, emails, first_name, contact_id, is_primary, crm_key, name)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
// A record's first email is found through identity_nodes_by_email; the others are listed here.
const INSERT_MORE_EMAIL = `INSERT OR IGNORE INTO identity_node_emails (profile_id, email, rank, source_id) VALUES (?, ?, ?, ?)`;
const PUT_FIELDS = `INSERT INTO identity_node_fields (profile_id, rank, source_id, digest, fields) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (profile_id, rank, source_id) DO UPDATE SET digest = excluded.digest, fields = excluded.fields`;

function writeNodes(db: Db, profileId: number, set: JoinSet): void {
  const ins = db.prepare(INSERT_NODE);
  const more = db.prepare(INSERT_MORE_EMAIL);
  set.nodes.forEach((n, i) => {
    const emails = n.emails;
    const row = rowOf(n, emails, set.digests[i]);
    for (let k = 1; k < emails.length; k++) more.run(profileId, emails[k], row[0], n.id);
    ins.run(profileId, ...row);
  });
}

/**
 * The kept fields text of each of the given records (positions in `nodes`) whose row is under
 * the record's current digest; a record whose kept fields are stale or missing is left out, for
 * the caller to read from the mirrors. A record's kept fields are one row, where the mirrors
 * spread it over a row per table and index (an individual: itself, its household, its methods and
 * gifts): a rebuild after a sync reads the other records of the persons it recomputes this way.
 */
export function keptFieldsOf(db: Db, profileId: number, nodes: JoinNode[], digests: Float64Array, which: readonly number[]): Map<number, string> {
  const get = db.prepare(`SELECT digest, fields FROM identity_node_fields WHERE profile_id = ? AND rank = ? AND source_id = ?`).raw();
  const out = new Map<number, string>();
  // In the table's key order: neighbours share pages.
  const order = [...which].sort((a, b) => RANK[nodes[a].kind] - RANK[nodes[b].kind] || (nodes[a].id < nodes[b].id ? -1 : nodes[a].id > nodes[b].id ? 1 : 0));
  for (const i of order) {
    const n = nodes[i];
    const row = get.get(profileId, RANK[n.kind], n.id) as [number, string] | undefined;
    if (row && row[0] === digests[i]) out.set(i, row[1]);
  }
  return out;
}

/**
 * Reads back every record's fields text from identity_node_fields, in node order (the cache's key
 * order), handing each to `each` with its position: a page of rows at a time (the caller writes
 * between pages, which a read still iterating would forbid). Every record must have its row,
 * under the digest the join holds for it; a missing or outdated row is a cache that disagrees
 * with the join: RecordCacheStale.
 */
export function streamCachedFields(db: Db, profileId: number, nodes: JoinNode[], digests: Float64Array, each: (i: number, text: string) => void): void {
  const page = db
    .prepare(`SELECT rank, source_id, digest, fields FROM identity_node_fields WHERE profile_id = @p AND (rank, source_id) > (@rank, @id) ORDER BY rank, source_id LIMIT 2000`)
    .raw();
  let i = 0;
  let after = { p: profileId, rank: -1, id: '' };
  for (;;) {
    const rows = page.all(after) as [number, string, number, string][];
    if (!rows.length) break;
    for (const [rank, id, digest, text] of rows) {
      const n = nodes[i];
      if (!n || RANK[n.kind] !== rank || n.id !== id) {
        // Kept fields of a record the join does not have (one gone since) come before the next
        // record's; a record without kept fields (or out of order) is a cache to rebuild.
        const nr = n ? RANK[n.kind] : Infinity;
        if (rank < nr || (rank === nr && id < n!.id)) continue;
        throw new RecordCacheStale(`no kept fields for ${n?.key ?? 'the last records'} (found ${KIND_OF[rank]}:${id})`);
      }
      if (digest !== digests[i]) throw new RecordCacheStale(`${n.key}: kept fields are outdated`);
      each(i++, text);
    }
    const [rank, id] = rows[rows.length - 1];
    after = { p: profileId, rank, id };
  }
  if (i !== nodes.length) throw new RecordCacheStale(`no kept fields for ${nodes.length - i} of ${nodes.length} records`);
}

/**
 * Re-reads the marked records and replaces their cache rows. A marked individual brings its
 * household contact (before and after a move: its digest covers the contact's, and whether a
 * contact is a record of its own depends on its individuals); a marked contact brings all of its
 * individuals. Returns the keys of the records re-read (live or not) and how many more records
 * the cache holds than before.
 */
function refreshMarked(
  db: Db,
  profileId: number,
): {
  keys: string[];
  emailChanged: string[];
  measuresOnly: Set<string>;
  delta: number;
  reread: (key: string) => IdNode | undefined;
  cached: (key: string) => ScopeNode | null | undefined;
} {
  const marked = db.prepare(`SELECT source, source_id FROM identity_dirty WHERE profile_id = ?`).raw().all(profileId) as [NodeKind, string][];
  if (!marked.length) return { keys: [], emailChanged: [], measuresOnly: new Set(), delta: 0, reread: NOTHING_REREAD, cached: () => undefined };
  const others: string[] = [];
  const individuals = new Set<string>();
  for (const [source, id] of marked) {
    if (source === 'crm_individual') individuals.add(id);
    else if (source !== 'crm_contact') others.push(source + ':' + id);
  }
  // The households, then their individuals, each in one statement: a sync marks thousands of
  // individuals, and a lookup apiece was two statements each (at a million persons after a 1% sync,
  // ~0.1 s of the rebuild).
  const contacts = new Set(
    db
      .prepare(
        `SELECT source_id FROM identity_dirty WHERE profile_id = @p AND source = 'crm_contact'
         UNION ALL SELECT n.contact_id FROM identity_dirty d CROSS JOIN identity_nodes n ON n.profile_id = d.profile_id AND n.rank = 1 AND n.source_id = d.source_id
           WHERE d.profile_id = @p AND d.source = 'crm_individual' AND n.contact_id IS NOT NULL
         UNION ALL SELECT i.contact_id FROM identity_dirty d CROSS JOIN crm_individuals i ON i.profile_id = d.profile_id AND i.id = d.source_id
           WHERE d.profile_id = @p AND d.source = 'crm_individual' AND i.contact_id IS NOT NULL`,
      )
      .pluck()
      .all({ p: profileId }) as string[],
  );
  for (const id of db
    .prepare(`SELECT i.id FROM json_each(@c) c CROSS JOIN crm_individuals i INDEXED BY crm_individuals_by_contact ON i.profile_id = @p AND i.contact_id = c.value`)
    .pluck()
    .iterate({ p: profileId, c: JSON.stringify([...contacts]) }) as Iterable<string>)
    individuals.add(id);

  const keys = [...others];
  for (const c of contacts) keys.push('crm_contact:' + c);
  for (const id of individuals) keys.push('crm_individual:' + id);
  fillRecordScope(db, 'identity_scope', keys);
  // With their fields: the persons they belong to are computed from this read (a few thousand records).
  const fresh = loadJoinNodes(db, profileId, true, true);
  const at = new Map(fresh.nodes.map((n, i) => [n.key, i]));
  const inScope = `(rank, source_id) IN (SELECT ${rankOf('source')}, source_id FROM temp.identity_scope)`;
  // Their rows as the cache held them. Each is then rewritten only where it reads differently,
  // and an unchanged email, household or crmKey leaves the indexes on them alone: a sync's
  // records are scattered over the store, and every index page touched is a page read (and, in
  // an encrypted store, decrypted) and written.
  const before = new Map<string, NodeRow>();
  for (const row of db
    .prepare(`SELECT rank, source_id, digest, emails, first_name, contact_id, is_primary, crm_key, name FROM identity_nodes WHERE profile_id = @p AND ${inScope}`)
    .raw()
    .iterate({ p: profileId }) as Iterable<NodeRow>)
    before.set(KIND_OF[row[0]] + ':' + row[1], row);
  const heldBefore = before.size;
  // A sync's new hours and gifts (CachedJoinSet.measuresOnlyKeys): VOMO users and Raise donors
  // whose digests moved and whose join fields read as the cache held them. What split evidence
  // and conflicts read of a VOMO user is a join field (its email, first name) or shows in the
  // person row, which the join compares; a Raise donor's crmKey is quoted as its mirror spells
  // it, so a donor's columns must also read as kept: its kept fields under the digest the cache
  // held, read here before they are replaced below (the pages that replacement writes). CRM+
  // records are left out: their digests also cover their contacts' references, which split
  // detection reads and no kept field holds.
  const keptBefore = new Map<string, string>();
  for (const [id, digest, text] of db
    .prepare(`SELECT source_id, digest, fields FROM identity_node_fields WHERE profile_id = @p AND rank = ${RANK.raise} AND ${inScope}`)
    .raw()
    .iterate({ p: profileId }) as Iterable<[string, number, string]>) {
    if (before.get('raise:' + id)?.[2] === digest) keptBefore.set('raise:' + id, text);
  }
  const measuresOnly = new Set<string>();
  const ins = db.prepare(INSERT_NODE);
  const more = db.prepare(INSERT_MORE_EMAIL);
  const lessEmails = db.prepare(`DELETE FROM identity_node_emails WHERE profile_id = ? AND rank = ? AND source_id = ?`);
  const setFields = db.prepare(`UPDATE identity_nodes SET digest = ?, first_name = ?, is_primary = ?, name = ? WHERE profile_id = ? AND rank = ? AND source_id = ?`);
  const setAll = db.prepare(
    `UPDATE identity_nodes SET digest = ?, emails = ?, first_name = ?, contact_id = ?, is_primary = ?, crm_key = ?, name = ? WHERE profile_id = ? AND rank = ? AND source_id = ?`,
  );
  const del = db.prepare(`DELETE FROM identity_nodes WHERE profile_id = ? AND rank = ? AND source_id = ?`);
  // A re-read record's fields are kept again when its digest moved (a gone record's are removed):
  // left stale, they piled up sync after sync until a setting that joins everyone read them back
  // from the mirrors (at a million persons a quarter stale took that recompute from 34 to 78 s),
  // and every rebuild after a sync read its persons' stale records from the mirrors as well.
  const delFields = db.prepare(`DELETE FROM identity_node_fields WHERE profile_id = ? AND rank = ? AND source_id = ?`);
  const putFields = db.prepare(PUT_FIELDS);
  const keepAgain: number[] = [];
  // Records whose join emails differ from what the cache held, or without a row on one side (new,
  // gone, or never joined, like a Raise test-mode donor): the only ones whose lineage can change.
  const emailChanged = new Set<string>();
  // What the scope's closure follows of these records, as their rows read once this is done: it
  // asks for every one of them, and they are a sync's scattered records (joinScope.ts).
  const written = new Map<string, ScopeNode>();
  fresh.nodes.forEach((n, i) => {
    const list = n.emails;
    const row = rowOf(n, list, fresh.digests[i]);
    written.set(n.key, [row[3], row[5], row[7]]);
    const key = n.key;
    const old = before.get(key);
    before.delete(key);
    const [rank, id, digest, emails, firstName, contactId, isPrimary, crmKey, name] = row;
    if (!old || old[2] !== digest) keepAgain.push(i);
    if (old && old[2] !== digest && old[3] === emails && old[4] === firstName && old[7] === crmKey) {
      if (n.kind === 'vomo') measuresOnly.add(key);
      else if (n.kind === 'raise') {
        const was = keptBefore.get(key);
        if (was !== undefined && sameColumns(was, fresh.fieldsText!(i))) measuresOnly.add(key);
      }
    }
    const emailsMoved = !old || old[3] !== emails;
    if (emailsMoved) {
      emailChanged.add(key);
      if (old) lessEmails.run(profileId, rank, id);
      for (let k = 1; k < list.length; k++) more.run(profileId, list[k], rank, id);
    }
    if (!old) ins.run(profileId, ...row);
    else if (emailsMoved || old[5] !== contactId || old[7] !== crmKey) setAll.run(digest, emails, firstName, contactId, isPrimary, crmKey, name, profileId, rank, id);
    else if (old[2] !== digest || old[4] !== firstName || old[6] !== isPrimary || old[8] !== name) setFields.run(digest, firstName, isPrimary, name, profileId, rank, id);
  });
  // In the table's key order (the fresh read's): neighbours share pages.
  for (const i of keepAgain) putFields.run(profileId, RANK[fresh.nodes[i].kind], fresh.nodes[i].id, fresh.digests[i], fresh.fieldsText!(i));
  // Held before, not live now.
  for (const [key, [rank, id]] of before) {
    emailChanged.add(key);
    del.run(profileId, rank, id);
    lessEmails.run(profileId, rank, id);
    delFields.run(profileId, rank, id);
  }
  for (const k of keys) if (!at.has(k)) emailChanged.add(k); // gone, or no row either side
  const listed = new Set(keys);
  db.prepare(`DELETE FROM identity_dirty WHERE profile_id = ?`).run(profileId);
  return {
    keys,
    emailChanged: [...emailChanged],
    measuresOnly,
    delta: fresh.nodes.length - heldBefore,
    reread: (key) => {
      const i = at.get(key);
      return i === undefined ? undefined : fresh.full!(i);
    },
    // A key re-read without a record (gone, or a household's contact) has no row now.
    cached: (key) => written.get(key) ?? (listed.has(key) ? null : undefined),
  };
}

/**
 * Whether two fields texts of a Raise donor (`[[columns...],measure inputs]`,
 * nodes.ts: fieldsText) hold the same columns: the texts up to the end of their first element,
 * which SQLite's json_array wrote (one spelling per value), compared as text. Parsing both was
 * 5-10 µs a record, and a sync marks tens of thousands.
 */
function sameColumns(a: string, b: string): boolean {
  const end = columnsEnd(a);
  return end > 0 && end === columnsEnd(b) && a.slice(0, end) === b.slice(0, end);
}

/** Where the first element of a fields text ends (after its closing bracket), or -1. */
export function columnsEnd(text: string): number {
  if (text.charCodeAt(0) !== 0x5b || text.charCodeAt(1) !== 0x5b) return -1; // '[['
  let depth = 0;
  let inString = false;
  for (let i = 1; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // a backslash escapes the next character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b) depth++;
    else if (ch === 0x5d && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * The cached records, every one or those temp.join_scope lists, in the order the join ranks them.
 * With fields 'current' (every record: a new setting), each record's kept fields are checked to be
 * under its current digest, and those that are not (records changed or added since) are read
 * from the mirrors and kept again, so streamCachedFields can read them all back; the texts are
 * not held. A mirror that reads differently from the cache is a change the cache missed:
 * RecordCacheStale.
 */
function readNodes(db: Db, profileId: number, scoped: boolean, fields: 'none' | 'current'): JoinSet {
  const nodes: JoinNode[] = [];
  const digests: number[] = [];
  const stale: number[] = [];
  const from = scoped
    ? `temp.join_scope s CROSS JOIN identity_nodes n ON n.profile_id = @p AND n.rank = ${rankOf('s.source')} AND n.source_id = s.source_id`
    : `identity_nodes n WHERE n.profile_id = @p`;
  // Both tables in key order: each record's kept fields are found by a step along their own b-tree.
  const current =
    fields === 'current'
      ? `EXISTS (SELECT 1 FROM identity_node_fields f WHERE f.profile_id = n.profile_id AND f.rank = n.rank AND f.source_id = n.source_id AND f.digest = n.digest)`
      : '1';
  for (const [rank, id, digest, emails, firstName, contactId, isPrimary, crmKey, name, kept] of db
    .prepare(`SELECT n.rank, n.source_id, n.digest, n.emails, n.first_name, n.contact_id, n.is_primary, n.crm_key, n.name, ${current} FROM ${from} ORDER BY n.rank, n.source_id`)
    .raw()
    .iterate({ p: profileId }) as Iterable<[number, string, number, string | null, string | null, string | null, number | null, string | null, string | null, number]>) {
    if (!kept) stale.push(nodes.length);
    // The emails stay as the cache keeps them (joinNodes.ts splits them when asked).
    if (rank === RANK.vomo) nodes.push(joinNode.vomo(id, emails, firstName));
    else if (rank === RANK.crm_individual) nodes.push(joinNode.individual(id, emails, contactId!, firstName, isPrimary ?? 0));
    else if (rank === RANK.crm_contact) nodes.push(joinNode.contact(id, name));
    else nodes.push(joinNode.raise(id, emails, firstName, crmKey));
    digests.push(digest);
  }
  const set = { nodes, digests: Float64Array.from(digests), full: null };
  if (stale.length > nodes.length * 0.2) {
    // Many kept fields are stale (a store an earlier version kept up left a synced record's
    // fields so): one sequential read of the mirrors, checked record by record against the
    // cache, beats a lookup per record. Streamed as a first build's load: each record's fields
    // handed over as read, the stale ones kept again in key order every few thousand records (a
    // read that held every record's fields to the end took 41.6 s at a million persons, a quarter
    // of them stale).
    const isStale = new Uint8Array(nodes.length);
    for (const i of stale) isStale[i] = 1;
    const put = db.prepare(PUT_FIELDS);
    let at = 0;
    let pending: [number, string, number, string][] = [];
    loadJoinNodes(db, profileId, false, false, set, {
      put: (kind, id, digest, text) => void (isStale[at++] && pending.push([RANK[kind], id, digest, text])),
      flush: () => {
        for (const [rank, id, digest, text] of pending) put.run(profileId, rank, id, digest, text);
        pending = [];
      },
    });
  } else if (stale.length) refreshFields(db, profileId, nodes, digests, stale);
  return set;
}

/** Reads the fields of the given records from the mirrors, checked against their cached digests, and keeps them. */
function refreshFields(db: Db, profileId: number, nodes: JoinNode[], digests: number[], which: number[]): void {
  // An individual is read with its household contact (loadJoinNodes reads only what is listed).
  const keys = which.map((i) => nodes[i].key);
  for (const i of which) {
    const n = nodes[i];
    if (n.kind === 'crm_individual') keys.push('crm_contact:' + n.contactId);
  }
  fillRecordScope(db, 'identity_scope', [...new Set(keys)]);
  const fresh = loadJoinNodes(db, profileId, true, true);
  const at = new Map(which.map((i) => [nodes[i].key, i]));
  const put = db.prepare(PUT_FIELDS);
  let found = 0;
  fresh.nodes.forEach((n, j) => {
    const i = at.get(n.key);
    if (i === undefined) return; // a household contact read along with its individual
    if (fresh.digests[j] !== digests[i]) throw new RecordCacheStale(`${n.key} reads differently in the mirrors`);
    put.run(profileId, RANK[n.kind], n.id, digests[i], fresh.fieldsText!(j));
    found++;
  });
  if (found !== which.length) throw new RecordCacheStale(`${which.length - found} cached records are not live in the mirrors`);
}
