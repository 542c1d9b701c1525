/**
 * Rebuilds the joined person store of one profile from the source mirrors.
 *
 * Rules: records cluster by normalized email (every email of every CRM+ individual counts),
 * Raise donors through their crmKey when it names a live CRM+ contact, and by the steward's
 * "same" decisions; a "not same" verdict detaches a record from an email join. Person IDs are
 * kept through the link table: each cluster claims the ID its records were linked to, the one
 * whose previous join email it still holds winning a tie. Links are history: a link that no
 * longer holds is set inactive, never deleted. Run inside the caller's transaction.
 */
import type { Db } from '../store/db';
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import type { IdentitySettings } from '../../src-shared/domain/identity';
import { loadJoinNodes, loadNodes, nodeFromFields, type IdNode, type JoinNode } from './nodes';
import { locateNodes } from './nodeLocator';
import { personCodes } from './personCodes';
import { keptFieldsOf, loadJoinSet, saveNodeCache, streamCachedFields, type CachedJoinSet } from './nodeCache';
import { LINK_SAID_SQL, type ScopeLink } from './joinScope';
import { recomputeDisplays } from './displayRecompute';
import { chosenValues, putChosenValues } from './conflicts';
import { notePersonChanges } from './personChanges';
import { dropIndexes, type Dropped } from '../store/bulkIndexes';
import { checkpoint, type Checkpoint } from './rebuildHooks';
import { afterJoinCacheKib, setCacheKib, STREAMING_JOIN_CACHE_KIB } from './rebuildCache';
import { releaseGarbage } from '../core/garbage';
import { PersonHelper } from './personHelper';
import { PersonRowWriter, type ShapedRow } from './personRowWriter';
import { GIVING_OWNER, SHARED_EMAIL } from './personBatch';

type JoinIndividual = Extract<JoinNode, { kind: 'crm_individual' }>;
import { normName } from './normalize';
import { computePerson, personValues, personRowDigest, PERSON_COLUMNS, cmpId, type PersonRow } from './personRow';
import { MEASURE_COLUMNS } from './personMeasures';
import { newPersonIds } from './ids';
import { digest52, digestFromText, digestText } from './digest';
import type { CompactCard } from './matchCards';

/**
 * Part of the settings digest the node cache keeps: bump it when computePerson or the record
 * columns change meaning, so the next rebuild recomputes every person instead of trusting stored
 * digests (and writes those whose rows then read differently).
 */
export const JOIN_VERSION = 4;

/** The systems a record belongs to, as bits: a field authority decides between two or more. */
const SYSTEM_BIT: Record<JoinNode['kind'], number> = { vomo: 1, crm_individual: 2, crm_contact: 2, raise: 4 };

const ID_COL = PERSON_COLUMNS.indexOf('id');
const CREATED_COL = PERSON_COLUMNS.indexOf('created_at');
const UPDATED_COL = PERSON_COLUMNS.indexOf('updated_at');
/** Columns a row may change in and still hold the same evidence: its measures, and the digest of its inputs. */
const MEASURE_ONLY_COLS = new Set<number>([...MEASURE_COLUMNS, 'identity_hash'].map((c) => PERSON_COLUMNS.indexOf(c as (typeof PERSON_COLUMNS)[number])));
/**
 * After a new field authority, the later steps look one by one at the persons the join rewrote
 * while they are at most this share of all. At a million persons, with 200,000 rewritten (a
 * fifth), conflicts took 1.5 s that way against 2.2 s over everyone, split detection 2.6 against
 * 1.6 s; with none rewritten, 0.07 s against 3.9 s.
 */
export const AUTHORITY_SCOPE_SHARE = 0.1;

export interface JoinStats {
  /**
   * The indexes the join dropped for its bulk writes: recreate them (store/bulkIndexes.ts) before
   * reading by index. Data, not a closure: a closure made here would hold the join's whole scope
   * (every record and cluster, over a gigabyte at a million persons) for the rest of the rebuild.
   */
  dropped: Dropped[];
  persons: number;
  links: number;
  newPersons: number;
  removedPersons: number;
  findings: number;
  /** Source keys of the records whose persons were recomputed, and of those no longer live; null: all. */
  changedRecords: string[] | null;
  /** Persons recomputed or removed (after a new field authority: rewritten or removed); null: all. */
  changedPersons: string[] | null;
  /**
   * Of changedPersons, those whose conflicts and split evidence may have changed: less the persons
   * a sync changed only in what the measures read (their rows moved in measure columns alone, their
   * links not at all, and every record of theirs read again a VOMO user whose join fields, or a Raise
   * donor whose columns, read as before: CachedJoinSet.measuresOnlyKeys). Conflicts compare a row's non-measure columns;
   * split evidence reads those, the links, the records' addresses and CRM+ references, and a Raise
   * donor's crmKey, none of which such a change moves. null: all.
   */
  evidencePersons: string[] | null;
  /**
   * Only the field authority changed and changedPersons names the persons whose rows or links
   * the join rewrote, not every person it recomputed: the conflicts of the others take the new
   * authority as a column update (conflicts.ts).
   */
  authorityOnly: boolean;
  /**
   * A new phone region, and changedPersons names the persons whose rows or links the join
   * rewrote: split detection and the measures look at those alone, but conflicts compare phones
   * as the region reads them (conflicts.ts: compareKey), so every person's are evaluated again.
   */
  conflictsOfEveryone: boolean;
  /** The join followed the records of a scope (a sync's changes), not every record. */
  scoped: boolean;
  /** A join of every record that recomputed many persons (a first build, a new setting, a large change): its records and clusters are garbage once it returns. */
  joinedEveryone: boolean;
  /**
   * Records whose emails may differ from what the email lineage holds; null: all. Only records
   * read again from the mirrors can: after a new setting every person is recomputed, but only
   * the records a sync changed need their lineage looked at.
   */
  lineageRecords: string[] | null;
  timings: Record<string, number>;
}

interface Decision {
  key_a: string;
  key_b: string;
  verdict: 'same' | 'not_same';
}

class UnionFind {
  parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]];
      x = p[x];
    }
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    // The smaller index stays root: clusters are rooted at their earliest record (VOMO first).
    if (ra < rb) this.parent[rb] = ra;
    else this.parent[ra] = rb;
  }
}

interface Finding {
  kind: string;
  source: string;
  sourceId: string;
  nodeIdx: number;
  detail: Record<string, unknown>;
}

/**
 * Of several individuals of one contact reached by the same email or crmKey (positions in nodes):
 * the one whose first name matches the other record's, else the primary, else the lowest id.
 */
function pickIndividual(nodes: JoinNode[], inds: number[], firstName: string | null): number {
  const ind = (i: number) => nodes[i] as JoinIndividual;
  const f = normName(firstName);
  if (f) {
    const hit = inds.find((i) => normName(ind(i).firstName) === f);
    if (hit !== undefined) return hit;
  }
  return [...inds].sort((a, b) => ind(b).isPrimary - ind(a).isPrimary || cmpId(ind(a).id, ind(b).id))[0];
}

const systemOf = (n: JoinNode) => (n.kind === 'crm_contact' ? 'crm_individual' : n.kind);

export interface SharedEmail {
  contactId: string;
  email: string;
  /** The individuals' positions in nodes. */
  individuals: number[];
}

/**
 * The join rule: records of *different* systems sharing a normalized email are one person (every
 * email of every individual counts); a Raise donor's crmKey joins that contact; an email or
 * crmKey reaching several individuals of one contact joins the one whose first name matches,
 * else the primary; every CRM+ individual is otherwise its own person. The steward's "same"
 * decisions join; a "not same" verdict detaches the later record from email and crmKey joins.
 */
export function clusterNodes(nodes: JoinNode[], decisions: Decision[]) {
  const locate = locateNodes(nodes);
  const contactInds = new Map<string, number[]>(); // contact id → its individuals' positions
  const bareContact = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (n.kind === 'crm_individual') {
      const list = contactInds.get(n.contactId);
      if (list) list.push(i);
      else contactInds.set(n.contactId, [i]);
    } else if (n.kind === 'crm_contact') bareContact.set(n.contactId, i);
  });
  // Most emails belong to one record: a bare index until a second record shares it.
  const byEmail = new Map<string, number | number[]>();
  nodes.forEach((n, i) => {
    for (const e of n.emails) {
      const l = byEmail.get(e);
      if (l === undefined) byEmail.set(e, i);
      else if (typeof l === 'number') byEmail.set(e, [l, i]);
      else l.push(i);
    }
  });

  const run = (detached: Set<number>) => {
    const uf = new UnionFind(nodes.length);
    const cards: (CompactCard | undefined)[] = new Array(nodes.length);
    const findings: Finding[] = [];
    const shared: SharedEmail[] = [];
    for (const [e, all] of byEmail) {
      if (typeof all === 'number') continue;
      const list = all.filter((i) => !detached.has(i));
      // Individuals of one household sharing the email: say so, and join only one of them.
      let inds: Map<string, number[]> | null = null;
      for (const i of list) {
        const n = nodes[i];
        if (n.kind !== 'crm_individual') continue;
        inds ??= new Map();
        const g = inds.get(n.contactId);
        if (g) g.push(i);
        else inds.set(n.contactId, [i]);
      }
      const other = list.find((i) => nodes[i].kind === 'vomo') ?? list.find((i) => nodes[i].kind === 'raise');
      const otherFirst = other === undefined ? null : (nodes[other] as Extract<JoinNode, { kind: 'vomo' | 'raise' }>).firstName;
      const chosen: number[] = [];
      for (const i of list) if (nodes[i].kind === 'vomo' || nodes[i].kind === 'raise') chosen.push(i);
      if (inds) {
        for (const [contactId, g] of inds) {
          if (g.length > 1) shared.push({ contactId, email: e, individuals: g });
          chosen.push(g.length > 1 ? pickIndividual(nodes, g, otherFirst) : g[0]);
        }
      }
      const systems = new Set(chosen.map((i) => systemOf(nodes[i])));
      if (systems.size < 2) continue;
      chosen.sort((a, b) => a - b);
      const anchor = chosen[0];
      for (const i of chosen.slice(1)) {
        if (systemOf(nodes[i]) === systemOf(nodes[anchor]) && uf.find(i) !== uf.find(anchor)) {
          // Same system as the anchor: joins only through a record of another system.
          const bridge = chosen.find((j) => systemOf(nodes[j]) !== systemOf(nodes[anchor]))!;
          if (!cards[i]) cards[i] = { k: 'email', v: e, via: nodes[bridge].key };
          uf.union(bridge, i);
          continue;
        }
        if (uf.find(i) !== uf.find(anchor) && !cards[i]) cards[i] = { k: 'email', v: e, via: nodes[anchor].key };
        uf.union(anchor, i);
      }
    }
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      if (n.kind !== 'raise' || !n.crmKey) continue;
      const inds = contactInds.get(n.crmKey);
      // Individuals sharing an email with the donor first; of those (or all), the first-name match, else the primary.
      const mine = n.emails;
      const byMail = inds?.filter((x) => nodes[x].emails.some((e) => mine.includes(e))) ?? [];
      const pool = byMail.length ? byMail : (inds ?? []);
      const targetIdx = pool.length ? (pool.length > 1 ? pickIndividual(nodes, pool, n.firstName) : pool[0]) : bareContact.get(n.crmKey);
      if (targetIdx === undefined) {
        findings.push({ kind: 'crm_key_unknown_contact', source: 'raise', sourceId: n.id, nodeIdx: i, detail: { crmKey: n.crmKey } });
        continue;
      }
      const contactEmails = (inds ?? []).flatMap((x) => nodes[x].emails);
      if (mine[0] && contactEmails.length && !contactEmails.includes(mine[0])) {
        findings.push({ kind: 'crm_key_email_mismatch', source: 'raise', sourceId: n.id, nodeIdx: i, detail: { crmKey: n.crmKey, raiseEmail: mine[0], crmEmails: contactEmails } });
      }
      if (detached.has(i)) continue;
      if (uf.find(targetIdx) !== uf.find(i)) cards[i] = { k: 'crm_key', v: n.crmKey, via: nodes[targetIdx].key };
      uf.union(targetIdx, i);
    }
    for (const d of decisions) {
      if (d.verdict !== 'same') continue;
      const a = locate.atKey(d.key_a);
      const b = locate.atKey(d.key_b);
      if (a === undefined || b === undefined) continue;
      if (uf.find(a) !== uf.find(b)) {
        const child = Math.max(a, b);
        cards[child] = { k: 'decision', v: null, via: nodes[Math.min(a, b)].key };
      }
      uf.union(a, b);
    }
    return { uf, cards, findings, shared };
  };

  let result = run(new Set());
  const detached = new Set<number>();
  for (const d of decisions) {
    if (d.verdict !== 'not_same') continue;
    const a = locate.atKey(d.key_a);
    const b = locate.atKey(d.key_b);
    if (a === undefined || b === undefined) continue;
    if (result.uf.find(a) === result.uf.find(b)) detached.add(Math.max(a, b));
  }
  if (detached.size) result = run(detached);
  return { ...result, locate, detached };
}

/**
 * How many records a persons pass that computes everyone reads between two collections of its
 * garbage (an object so a test can make it short).
 */
export const garbageBeat = { records: 262_144 };

export function rebuildJoin(
  db: Db,
  profileId: number,
  settings: IdentitySettings,
  now: string,
  cp: Checkpoint = checkpoint(undefined),
  opts: { mirrorsCommitted?: boolean } = {},
): JoinStats {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const n = performance.now();
    timings[name] = Math.round(n - t);
    t = n;
  };

  // Memory rule for a million persons: per-node and per-cluster state lives in flat arrays
  // indexed by node or cluster number; person rows are computed and written one at a time,
  // never held all at once. A first build writes every record's fields to the node cache as it
  // reads them and computes each person from them read back; a new setting computes the persons
  // it applies to the same way; other builds keep digests and read the fields of the few changed
  // clusters again. Records come from the node cache, which re-reads from the mirrors only
  // the records changed since the last rebuild; and unless the settings changed, only the
  // records those changes can reach are joined again (joinScope.ts).
  cp.step('records');
  const firstBuild = !db.prepare(`SELECT 1 FROM persons WHERE profile_id = ? LIMIT 1`).get(profileId);
  const digestOf = (s: IdentitySettings) => digest52([JOIN_VERSION, JSON.stringify(s)]);
  const settingsDigest = digestOf(settings);
  const decisions = db
    .prepare(`SELECT key_a, key_b, verdict FROM identity_decisions WHERE profile_id = ? AND revoked_at IS NULL ORDER BY id`)
    .all(profileId) as Decision[];
  // A load of every record goes on to compute every person: the whole join streams (rebuildCache.ts).
  const readingEverything = () => setCacheKib(db, STREAMING_JOIN_CACHE_KIB);
  const joinSet = loadJoinSet(db, profileId, { firstBuild, settings, settingsDigest, digestOf, decisions, readingEverything, mirrorsCommitted: opts.mirrorsCommitted });
  timings.recordsRead = joinSet.recordsRead;
  if (joinSet.readerPages) timings.readerPages = joinSet.readerPages;
  if (joinSet.recompute === 'displays') {
    lap('load');
    return displaysAgain(db, profileId, settings, now, cp, joinSet, { settingsDigest, timings, lap });
  }
  const { nodes, digests, scope } = joinSet;
  const scopeKeys = scope?.keys ?? null;
  const scoped = !!scope;
  if (scoped) setCacheKib(db, afterJoinCacheKib(true)); // rebuildCache.ts says why
  timings.recordsJoined = nodes.length;
  let fullNode = joinSet.full;
  const fieldsCached = !!joinSet.fieldsCached;
  lap('load');
  cp.step('join');
  const { uf, cards, findings, shared, locate, detached } = clusterNodes(nodes, decisions);
  const sharedKeys = new Set<string>();
  for (const sh of shared) for (const i of sh.individuals) sharedKeys.add(nodes[i].key);
  const N = nodes.length;
  // Clusters numbered in order of their earliest record (union-find roots are the smallest index),
  // members in record order: cluster c holds members[start[c] .. start[c + 1]).
  const clusterOfNode = new Int32Array(N);
  const clusterOfRoot = new Int32Array(N).fill(-1);
  let C = 0;
  for (let i = 0; i < N; i++) {
    const r = uf.find(i);
    if (clusterOfRoot[r] < 0) clusterOfRoot[r] = C++;
    clusterOfNode[i] = clusterOfRoot[r];
  }
  const start = new Int32Array(C + 1);
  for (let i = 0; i < N; i++) start[clusterOfNode[i] + 1]++;
  for (let c = 0; c < C; c++) start[c + 1] += start[c];
  const members = new Int32Array(N);
  {
    const fill = start.slice(0, C);
    for (let i = 0; i < N; i++) members[fill[clusterOfNode[i]]++] = i;
  }
  // Clusters in the order their last record comes (members are in record order): the order in
  // which a pass over the records in node order completes them.
  const byCompletion = new Int32Array(C);
  for (let i = 0, k = 0; i < N; i++) {
    const c = clusterOfNode[i];
    if (members[start[c + 1] - 1] === i) byCompletion[k++] = c;
  }
  lap('cluster');
  // The load's and the clustering's garbage goes before a built store's persons are read in: at a
  // million persons ~0.2 GB of the heap's ~0.5 GB here, and reading them grows it by ~0.15 GB
  // more (a rebuild from scratch: 936-961 MB at the end of that read, 757 MB with garbage gone).
  if (!scopeKeys && !firstBuild) releaseGarbage();

  // Previous state. Persons first, in ID order: each person ID is held once and named by its
  // position (its code); IDs that links name but no person row holds get negative codes (-2, -3, ...).
  // A full join (a new setting, a large change) reads every person; a scoped one only the persons
  // the records in scope were linked to, which the scope's closure found (joinScope.ts).
  const prevIds: string[] = [];
  const prevCreated: string[] = [];
  const prevHash: number[] = [];
  const prevRowDigest: number[] = []; // what each stored row says (NaN: not known, read the row)
  const createdOnce = new Map<string, string>(); // most persons share a few creation times
  type PrevRow = [string, string, string | null, number | null];
  const personRow = db.prepare(`SELECT id, created_at, identity_hash, row_digest FROM persons WHERE profile_id = ? AND id = ?`).raw();
  const scopePersons = function* (ids: readonly string[]) {
    for (const id of ids) {
      const r = personRow.get(profileId, id) as PrevRow | undefined;
      if (r) yield r;
    }
  };
  for (const r of scope
    ? scopePersons(scope.persons)
    : (db.prepare(`SELECT id, created_at, identity_hash, row_digest FROM persons WHERE profile_id = ? ORDER BY id`).raw().iterate(profileId) as Iterable<PrevRow>)) {
    prevIds.push(r[0]);
    let created = createdOnce.get(r[1]);
    if (created === undefined) createdOnce.set(r[1], (created = r[1]));
    prevCreated.push(created);
    prevHash.push(digestFromText(r[2]));
    prevRowDigest.push(r[3] ?? NaN);
  }
  const P = prevIds.length;
  const extraPids: string[] = [];
  const pidOf = (code: number) => (code >= 0 ? prevIds[code] : extraPids[-2 - code]);
  const slotOf = (code: number) => (code >= 0 ? code : P - 2 - code);
  // Per node: the person it was actively linked to (-1: none). Their cards and emails are not
  // read: a person whose input digest is unchanged has unchanged links too.
  const prevCode = new Int32Array(N).fill(-1);
  // What each link said, as a digest (NaN: no link), so a recomputed person's unchanged links are
  // not rewritten: after a new field authority every person is recomputed, and almost no link
  // changes (rewriting all 1.44M of them was 8 s of a million-person recompute).
  const prevSaid = new Float64Array(N).fill(NaN);
  const orphanLinks: [string, string, string][] = []; // active links of records that are no longer live
  // Links come in their key order (a full join reads the table sequentially, where person order
  // took a lookup per link: 1.8 → 1.1 s at a million; the scope's closure sorts them), the order
  // the locator's cursor follows. Each names its person by ID, found among the persons above by a
  // binary search (IDs are ASCII, see ids.ts, so SQLite's order is JavaScript's; checked, and a
  // map otherwise).
  const codeOf = personCodes(prevIds, extraPids);
  for (const [source, sourceId, pid, said] of scope
    ? scope.links
    : (db
        .prepare(`SELECT source, source_id, person_id, ${LINK_SAID_SQL} FROM person_links WHERE profile_id = ? AND active = 1 ORDER BY source, source_id, person_id`)
        .raw()
        .iterate(profileId) as Iterable<ScopeLink>)) {
    const code = codeOf(pid);
    const i = locate.at(source, sourceId);
    if (i === undefined) {
      orphanLinks.push([source, sourceId, pid]);
      continue;
    }
    prevCode[i] = code;
    prevSaid[i] = digest52([said]);
  }
  lap('previous');

  // Claims: each cluster on the IDs its records were linked to. Most clusters claim one ID that
  // nobody else claims and take it without a contest.
  const claimCount = new Int32Array(P + extraPids.length);
  const single = new Int32Array(C).fill(-1); // the one ID all linked members name
  const several = new Map<number, Map<number, number>>(); // clusters whose members name several IDs
  for (let c = 0; c < C; c++) {
    let code = -1;
    let votes: Map<number, number> | undefined;
    for (let k = start[c]; k < start[c + 1]; k++) {
      const p = prevCode[members[k]];
      if (p === -1) continue;
      if (votes) votes.set(p, (votes.get(p) ?? 0) + 1);
      else if (code === -1 || code === p) code = p;
      else {
        votes = new Map([[code, 0]]);
        for (let k2 = start[c]; k2 < k; k2++) if (prevCode[members[k2]] === code) votes.set(code, votes.get(code)! + 1);
        votes.set(p, 1);
      }
    }
    if (votes) {
      several.set(c, votes);
      for (const p of votes.keys()) claimCount[slotOf(p)]++;
    } else if (code !== -1) {
      single[c] = code;
      claimCount[slotOf(code)]++;
    }
  }
  const assigned: string[] = new Array(C);
  const assignedRow = new Int32Array(C).fill(-1); // the person row the cluster keeps, if any
  const taken = new Uint8Array(P + extraPids.length);
  const claims: { c: number; code: number; pid: string; score: number }[] = [];
  const emailOf = db.prepare(`SELECT email_norm FROM persons WHERE profile_id = ? AND id = ?`).pluck();
  const contest = (c: number, votes: Iterable<[number, number]>) => {
    for (const [code, n] of votes) {
      const pid = pidOf(code);
      const email = code >= 0 ? (emailOf.get(profileId, pid) as string | null) : null;
      let emailHeld = false;
      if (email != null) for (let k = start[c]; k < start[c + 1] && !emailHeld; k++) emailHeld = nodes[members[k]].emails.includes(email);
      claims.push({ c, code, pid, score: (emailHeld ? 1_000_000 : 0) + n * 10 + (code >= 0 ? 1 : 0) });
    }
  };
  const assign = (c: number, code: number) => {
    assigned[c] = pidOf(code);
    if (code >= 0) assignedRow[c] = code;
    taken[slotOf(code)] = 1;
  };
  for (let c = 0; c < C; c++) {
    const code = single[c];
    if (code === -1) continue;
    if (claimCount[slotOf(code)] === 1) assign(c, code);
    else {
      let n = 0;
      for (let k = start[c]; k < start[c + 1]; k++) if (prevCode[members[k]] === code) n++;
      contest(c, [[code, n]]);
    }
  }
  for (const [c, votes] of several) contest(c, votes);
  claims.sort((a, b) => b.score - a.score || (a.pid < b.pid ? -1 : a.pid > b.pid ? 1 : 0));
  for (const cl of claims) if (assigned[cl.c] === undefined && !taken[slotOf(cl.code)]) assign(cl.c, cl.code);
  let need = 0;
  for (let c = 0; c < C; c++) if (assigned[c] === undefined) need++;
  // Fresh IDs ascending in completion order: a first build computes persons in that order (from
  // the fields read back in node order), so its rows arrive in primary-key order.
  // (Spelled when asked: a first build's million fresh IDs held as strings were 40 MB of its peak.)
  const fresh = newPersonIds(need);
  const freshOf = new Int32Array(need ? C : 0).fill(-1);
  for (let x = 0, k = 0; x < C; x++) if (assigned[byCompletion[x]] === undefined) freshOf[byCompletion[x]] = k++;
  const personId = (c: number): string => assigned[c] ?? fresh.at(freshOf[c]);
  lap('ids');

  // The contact's giving counts once: on the person holding its primary (else first) individual.
  const owner = new Map<string, number>(); // contact id → node index of its owning record
  for (let i = 0; i < N; i++) {
    const n = nodes[i];
    if (n.kind === 'crm_contact') owner.set(n.contactId, i);
    else if (n.kind === 'crm_individual') {
      const cur = owner.get(n.contactId);
      const o = cur === undefined ? undefined : (nodes[cur] as JoinIndividual);
      if (!o || n.isPrimary > o.isPrimary || (n.isPrimary === o.isPrimary && cmpId(n.id, o.id) < 0)) owner.set(n.contactId, i);
    }
  }
  // What a person row is computed from, as one digest: its ID and creation time, and per member
  // record its key, its digest and the flags that depend on other records. Under the same
  // settings and code an equal digest means an equal row and equal links (match cards only name
  // records of the same cluster), so unchanged persons are neither recomputed nor rewritten. The
  // settings are not part of it (joinSet.recompute says whom a new setting recomputes): after a
  // new setting, a person whose row reads the same is not written again.
  const inputDigest = (c: number): number => {
    const j = assignedRow[c];
    const parts: unknown[] = [personId(c), j === -1 ? now : prevCreated[j]]; // the created_at the row gets
    for (let k = start[c]; k < start[c + 1]; k++) {
      const i = members[k];
      const n = nodes[i];
      // Flags that depend on other records: household shared email, giving owner of the contact,
      // detached from email joins by a "not the same person" verdict (it changes match cards).
      const flags =
        (n.kind === 'crm_individual' && sharedKeys.has(n.key) ? 'S' : '') +
        ((n.kind === 'crm_individual' || n.kind === 'crm_contact') && owner.get(n.contactId) === i ? 'O' : '') +
        (detached.has(i) ? 'D' : '');
      parts.push(n.key, digests[i], flags);
    }
    return digest52(parts);
  };
  const rowOf = (c: number, cluster: IdNode[], digest: number): PersonRow => {
    const j = assignedRow[c];
    const isOwner = (contactId: string) => {
      const o = owner.get(contactId);
      return o !== undefined && clusterOfNode[o] === c;
    };
    const r = computePerson(personId(c), cluster, settings, now, j === -1 ? null : prevCreated[j], sharedKeys, isOwner);
    r.identity_hash = digestText(digest);
    return r;
  };

  // A new field authority changes only persons with records in two or more systems: a person of
  // one system displays its values whatever the authority (pickByAuthority falls through to the
  // only system that has one).
  const manySystems = (c: number): boolean => {
    let systems = 0;
    for (let k = start[c]; k < start[c + 1]; k++) systems |= SYSTEM_BIT[nodes[members[k]].kind];
    return (systems & (systems - 1)) !== 0;
  };
  const clusterDigest = new Float64Array(C);
  const changed: number[] = [];
  const recompute = joinSet.recompute;
  for (let c = 0; c < C; c++) {
    const d = (clusterDigest[c] = inputDigest(c));
    if (recompute === 'all' || recompute === 'setting' || assignedRow[c] === -1 || prevHash[assignedRow[c]] !== d || (recompute === 'manySystems' && manySystems(c))) changed.push(c);
  }
  let goneCount = 0;
  for (let j = 0; j < P; j++) if (!taken[j]) goneCount++;
  // Only changed persons are written. When many were recomputed (a first build, a new authority
  // setting) their fields are read in one pass, and the later steps look at everyone.
  const everyone = !scopeKeys && (firstBuild || changed.length + goneCount > C * 0.2);
  // The first build writes in bulk: secondary indexes dropped and built once afterwards (sorting
  // beats a million random b-tree insertions), rows in primary-key order. Any later rebuild
  // compares each recomputed row with the stored one and writes only what differs: after a new
  // field authority most persons read the same, and rewriting every row and index was 28 s of a
  // million-person recompute.
  const bulk = firstBuild;
  if (everyone && !fullNode && !fieldsCached) {
    fullNode = loadJoinNodes(db, profileId, true, false, { nodes, digests }).full; // the same records, in the same order, reading the same (checked), with fields
    timings.recordsRead = N;
  }
  lap('compute');
  // Every person computed and written once, in order, streams (rebuildCache.ts); a join that read
  // everything but writes a few persons here and there gets the rebuild's cache back for that.
  setCacheKib(db, everyone ? STREAMING_JOIN_CACHE_KIB : afterJoinCacheKib(scoped));
  // The load's and the clustering's garbage (the records' rows, the email index) goes before the
  // pass that holds the most, not after it.
  if (everyone) releaseGarbage();
  cp.step('persons');

  /**
   * Rows of the given clusters, as statement values (personValues) with their row digest: from the
   * fields the load wrote to the cache, read back in node order (rows then come in completion
   * order; a first build's computed on the person helper, personHelper.ts); else in the order
   * given, from the kept fields or read a batch at a time.
   */
  const eachRow = (clusters: ArrayLike<number>, use: (values: unknown[], digest: number, c: number) => void, writer?: PersonRowWriter) => {
    const cluster: IdNode[] = [];
    const emit = (c: number) => {
      const values = personValues(profileId, rowOf(c, cluster, clusterDigest[c]));
      use(values, personRowDigest(values), c);
    };
    if (!fullNode && fieldsCached) {
      // A person is computed once its last record has been read; only the fields of records whose
      // persons are still incomplete are held meanwhile (a first build held every record's).
      const wanted = new Uint8Array(C);
      for (let x = 0; x < clusters.length; x++) wanted[clusters[x]] = 1;
      const held = new Map<number, string>();
      // Computing every person promotes a little of each batch to the old generation, ~0.2 GB
      // over a million persons that V8 would collect only past the pass's peak (a first build; a
      // rebuild from scratch at 1M: 951 MB at the pass's end, 853 MB collected). A new field
      // authority computes a third of them and the heap it grows here is mostly the fields held
      // for persons still incomplete: collecting cost its pass 1-1.8 s at 1M for ~40 MB.
      const collectOnBeat = (recompute === 'all' || recompute === 'setting') && everyone;
      // A pass over everyone computes on the helper: a first build's (~11 s off a million persons),
      // whose rows come shaped for the writer (personRowWriter.ts), and a new setting's (a new
      // phone region at 1M: 40.7 s, its persons pass 16.0 s on this thread alone), which gets back
      // only the rows that read differently from the stored ones, for `use` to write. Not a
      // rebuild from scratch ('all'), which rewrites every row after reading every record: what a
      // thread allocates stays with the C allocator after it ends, and the app's rebuild from
      // scratch at 1M peaked at 1,002-1,039 MB with the helper (stop 36), 826-894 MB without.
      // Only a first build reads on the mirror reader (nodeCache.ts).
      const helper = writer
        ? PersonHelper.start(clusters.length, { profileId, settings, now, omittable: writer.omittable }, (row) => writer.insertShaped(row as ShapedRow))
        : everyone && (recompute === 'setting' || recompute === 'manySystems')
          ? PersonHelper.start(clusters.length, { profileId, settings, now, omittable: [], answer: 'changed' }, (row, c) => {
              if (!row) return; // reads as stored
              const digest = row.pop() as number;
              use(row, digest, c);
            })
          : null;
      try {
        streamCachedFields(db, profileId, nodes, digests, (i, text) => {
          if ((i & 0xffff) === 0) cp.check();
          if (collectOnBeat && i > 0 && i % garbageBeat.records === 0) releaseGarbage();
          const c = clusterOfNode[i];
          if (!wanted[c]) return;
          if (members[start[c + 1] - 1] !== i) {
            held.set(i, text);
            return;
          }
          if (helper) {
            const j = assignedRow[c];
            helper.cluster(c, personId(c), j === -1 ? null : prevCreated[j], clusterDigest[c], j === -1 ? NaN : prevRowDigest[j]);
            for (let k = start[c]; k < start[c + 1]; k++) {
              const m = members[k];
              const n = nodes[m];
              const flags =
                (n.kind === 'crm_individual' && sharedKeys.has(n.key) ? SHARED_EMAIL : 0) |
                ((n.kind === 'crm_individual' || n.kind === 'crm_contact') && owner.get(n.contactId) === m ? GIVING_OWNER : 0);
              helper.member(n.kind, n.id, flags, m === i ? text : held.get(m)!);
              held.delete(m);
            }
            helper.added();
            return;
          }
          cluster.length = 0;
          for (let k = start[c]; k < start[c + 1]; k++) {
            const m = members[k];
            cluster.push(nodeFromFields(nodes[m], m === i ? text : held.get(m)!));
            held.delete(m);
          }
          emit(c);
        });
        if (helper) {
          helper.finish();
          timings.helperPersons = helper.computed;
          if (helper.computedHere) timings.helperPersonsHere = helper.computedHere;
          timings.helperWaitMs = Math.round(helper.waitedMs);
        }
      } finally {
        helper?.close();
      }
      return;
    }
    if (fullNode) {
      for (let x = 0; x < clusters.length; x++) {
        if ((x & 0xffff) === 0) cp.check();
        const c = clusters[x];
        cluster.length = 0;
        for (let k = start[c]; k < start[c + 1]; k++) cluster.push(fullNode(members[k]));
        emit(c);
      }
      return;
    }
    const BATCH = 5000;
    for (let b = 0; b < clusters.length; b += BATCH) {
      cp.check();
      const batch = Array.prototype.slice.call(clusters, b, b + BATCH) as number[];
      // The records this rebuild re-read from the mirrors come with their fields; the others of
      // the same persons are read now: from their kept fields, one row each, where those are
      // current, else from the mirrors (after a 1% sync at a million persons, ~20,000 mirror
      // pages read for them, most of which pushed pages the later steps read again out of the cache).
      const byKey = new Map<string, IdNode>();
      const notRead: number[] = [];
      for (const c of batch) {
        for (let k = start[c]; k < start[c + 1]; k++) {
          const key = nodes[members[k]].key;
          const n = joinSet.reread(key);
          if (n) byKey.set(key, n);
          else notRead.push(members[k]);
        }
      }
      const kept = notRead.length ? keptFieldsOf(db, profileId, nodes, digests, notRead) : null;
      timings.recordsFromKept = (timings.recordsFromKept ?? 0) + (kept?.size ?? 0);
      const unread: string[] = [];
      for (const m of notRead) {
        const text = kept!.get(m);
        if (text === undefined) unread.push(nodes[m].key);
        else byKey.set(nodes[m].key, nodeFromFields(nodes[m], text));
      }
      if (unread.length) for (const n of loadNodes(db, profileId, unread).nodes) byKey.set(n.key, n);
      for (const c of batch) {
        cluster.length = 0;
        for (let k = start[c]; k < start[c + 1]; k++) cluster.push(byKey.get(nodes[members[k]].key)!);
        emit(c);
      }
    }
  };

  const cols = PERSON_COLUMNS;
  const restore: Dropped[] = [];
  let rowsWritten = bulk ? C : 0; // person rows inserted, updated or deleted
  // Clusters whose rows were inserted or changed in a column other than the measures (evidencePersons).
  const rowMoved = new Uint8Array(bulk ? 0 : C);
  // After a new field authority the persons in two systems are recomputed, a third of a large
  // store, and most read as they did. A person whose row and links read the same has the same
  // conflicts (they compare each system's own values, which no authority picks), split evidence
  // and measures, and the same inputs (a row holds their digest, identity_hash: a sync's change
  // landing with the setting rewrites it): the later steps look only at the persons written here,
  // while few enough that reading them one by one beats reading everyone (at a million persons
  // conflicts and split detection over everyone took 3.5-6 s of a recompute that wrote no row).
  // A new phone region recomputes everyone, and persons whose rows and links read the same have
  // the same split evidence and measures too (their conflicts may not: conflictsOfEveryone).
  const rewritten = everyone && !bulk && (recompute === 'manySystems' || recompute === 'setting') ? new Set<string>() : null;
  if (bulk) {
    restore.push(dropIndexes(db, 'persons'));
    // A first build writes active links only: the partial index over the others gets nothing from it.
    if (firstBuild && orphanLinks.length === 0 && !prevCode.some((x) => x !== -1)) restore.push(dropIndexes(db, 'person_links', { keep: ['person_links_inactive'] }));
    db.prepare('DELETE FROM persons WHERE profile_id = ?').run(profileId);
    lap('delete');
    // A first build's clusters hold IDs ascending in completion order: rows go in primary-key order.
    // The values go as arguments, not as one array: better-sqlite3 reads an array element by
    // element through V8's API, and binding a person's 76 values that way was most of the row's
    // cost (real rows, 300k: 1.85-1.94 s as an array, 1.37 s as arguments; SQLite's own insert
    // 0.17 s); and only the values a row has (personRowWriter.ts).
    const writer = new PersonRowWriter(db);
    eachRow(byCompletion, (values, digest) => writer.insert(values, digest), writer);
    timings.personShapes = writer.shapes;
  } else {
    const del = db.prepare('DELETE FROM persons WHERE profile_id = ? AND id = ?');
    for (let j = 0; j < P; j++) {
      if (taken[j]) continue;
      rowsWritten += del.run(profileId, prevIds[j]).changes;
      rewritten?.add(prevIds[j]);
    }
    lap('delete');
    // A recomputed person's row is compared with the stored one and only the columns that differ
    // are set: SQLite then touches only the indexes over those columns (a new last name: the name
    // index, not the dozen others), which is most of the cost of a rebuild after a sync. A row
    // whose digest equals the stored row's is not read back at all (after a new field authority,
    // most rows).
    const insert = db.prepare(`INSERT INTO persons (profile_id, ${cols.join(', ')}, row_digest) VALUES (?, ${cols.map(() => '?').join(', ')}, ?)`);
    const stored = db.prepare(`SELECT ${cols.join(', ')} FROM persons WHERE profile_id = ? AND id = ?`).raw();
    const setDigest = db.prepare(`UPDATE persons SET row_digest = ? WHERE profile_id = ? AND id = ?`);
    const updates = new Map<string, Statement>();
    // A resolved conflict's chosen value goes on the row as the evaluation after the join would
    // put it back (conflicts.ts: keptChoices), where the join recomputes everyone: such a row is
    // then written once, or not at all, as displayRecompute.ts's are (a new authority at a
    // million persons with 52,000 resolutions wrote 105,102 rows before, 72,353 after). Not for
    // a scope: reading a store's resolutions costs 0.1-0.2 s at that count, and a sync reaches
    // few of those persons.
    const chosen = everyone ? chosenValues(db, profileId) : null;
    const region = settings.defaultPhoneRegion;
    eachRow(changed, (values, digest, c) => {
      const id = values[ID_COL + 1] as string;
      if (chosen && putChosenValues(values, chosen.get(id), region)) digest = personRowDigest(values);
      const j = assignedRow[c]; // the stored row this person keeps, if any
      if (j !== -1 && prevRowDigest[j] === digest) return; // reads as stored
      const old = stored.get(profileId, id) as unknown[] | undefined;
      if (!old) {
        values.push(digest);
        insert.run(...values); // as arguments: see the first build's insert
        rowsWritten++;
        rewritten?.add(id);
        rowMoved[c] = 1;
        return;
      }
      // updated_at is when the row last read differently: set with a change, never a change itself.
      const set: number[] = [];
      for (let k = 0; k < cols.length; k++) if (values[k + 1] !== old[k] && k !== ID_COL && k !== CREATED_COL && k !== UPDATED_COL) set.push(k);
      if (!set.length) {
        // The same row, its digest unknown (cleared by another writer, or never written): learn it.
        setDigest.run(digest, profileId, id);
        return;
      }
      for (const k of set) if (!MEASURE_ONLY_COLS.has(k)) rowMoved[c] = 1;
      set.push(UPDATED_COL);
      rowsWritten++;
      rewritten?.add(id);
      const sig = set.join(',');
      let stmt = updates.get(sig);
      if (!stmt) updates.set(sig, (stmt = db.prepare(`UPDATE persons SET ${set.map((k) => `${cols[k]} = ?`).join(', ')}, row_digest = ? WHERE profile_id = ? AND id = ?`)));
      stmt.run(...set.map((k) => values[k + 1]), digest, profileId, id);
    });
  }
  lap('insert_persons');
  cp.step('links');

  // Links.
  const lastRun = (db.prepare(`SELECT MAX(finished_at) AS at FROM identity_runs WHERE profile_id = ? AND finished_at IS NOT NULL`).get(profileId) as { at: string | null }).at ?? now;
  // A link that stays active is updated without naming `active`: SQLite moves an index entry when
  // the statement sets a column the index holds or its WHERE reads, whatever the value, and all
  // three indexes of person_links read `active` (after a 1% sync at a million persons, ~9,700
  // index pages a rebuild read and wrote for links whose entries stayed where they were). An
  // inactive link found again (changes 0: the upsert's WHERE declined it) is reactivated apart.
  const upsert = db.prepare(
    `INSERT INTO person_links (profile_id, source, source_id, person_id, email_at_link, first_seen_at, last_seen_at, how, match_card_json, active)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
     ON CONFLICT (profile_id, source, source_id, person_id) DO UPDATE SET
       email_at_link = excluded.email_at_link, last_seen_at = excluded.last_seen_at, how = excluded.how,
       match_card_json = excluded.match_card_json
     WHERE active = 1`,
  );
  const reactivate = db.prepare(
    `UPDATE person_links SET email_at_link = ?, last_seen_at = ?, how = ?, match_card_json = ?, active = 1
     WHERE profile_id = ? AND source = ? AND source_id = ? AND person_id = ?`,
  );
  const deactivate = db.prepare(`UPDATE person_links SET active = 0, last_seen_at = ? WHERE profile_id = ? AND source = ? AND source_id = ? AND person_id = ?`);
  const isChanged = new Uint8Array(C);
  for (const c of changed) isChanged[c] = 1;
  const linked = new Set<string>(); // persons a link was written for or taken from (evidencePersons)
  let linksWritten = 0;
  for (let i = 0; i < N; i++) {
    const c = clusterOfNode[i];
    if (!isChanged[c] && prevCode[i] === assignedRow[c]) continue;
    const n = nodes[i];
    const pid = personId(c);
    const email = n.emails[0] ?? null;
    let card = cards[i];
    if (!card) {
      if (n.kind === 'crm_contact') card = { k: 'contact', v: n.contact.name ?? n.id };
      else if (email && start[c + 1] - start[c] > 1) card = { k: 'email', v: email };
      else card = { k: 'alone', v: email };
    }
    const cardJson = JSON.stringify(card);
    if (prevCode[i] === assignedRow[c] && assignedRow[c] !== -1 && prevSaid[i] === digest52([`${card.k}\u001f${cardJson}\u001f${email ?? ''}`])) continue; // says the same
    const prev = prevCode[i] === -1 ? undefined : pidOf(prevCode[i]);
    if (prev !== undefined && prev !== pid) {
      deactivate.run(lastRun, profileId, n.kind, n.id, prev);
      rewritten?.add(prev);
      linked.add(prev);
    }
    linked.add(pid);
    if (upsert.run(profileId, n.kind, n.id, pid, email, now, now, card.k, cardJson).changes === 0) reactivate.run(email, now, card.k, cardJson, profileId, n.kind, n.id, pid);
    rewritten?.add(pid);
    linksWritten++;
  }
  timings.linksWritten = linksWritten;
  for (const [source, sourceId, pid] of orphanLinks) {
    deactivate.run(lastRun, profileId, source, sourceId, pid);
    rewritten?.add(pid);
    linked.add(pid);
  }
  lap('links');

  // Findings of the join (crmKey pointing elsewhere).
  db.prepare(`CREATE TEMP TABLE IF NOT EXISTS identity_seen_findings (kind TEXT, source TEXT, source_id TEXT, PRIMARY KEY (kind, source, source_id)) WITHOUT ROWID`).run();
  db.prepare('DELETE FROM temp.identity_seen_findings').run();
  const fUpsert = db.prepare(
    `INSERT INTO identity_findings (profile_id, kind, source, source_id, person_id, detail_json, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (profile_id, kind, source, source_id) DO UPDATE SET person_id = excluded.person_id, detail_json = excluded.detail_json, last_seen_at = excluded.last_seen_at`,
  );
  const fSeen = db.prepare('INSERT OR IGNORE INTO temp.identity_seen_findings VALUES (?, ?, ?)');
  const personOfNode = (i: number) => personId(clusterOfNode[i]);
  for (const sh of shared) {
    const persons = [...new Set(sh.individuals.map(personOfNode))];
    findings.push({
      kind: 'household_shared_email',
      source: 'crm_contact',
      sourceId: `${sh.contactId}:${sh.email}`,
      nodeIdx: sh.individuals[0],
      detail: { contactId: sh.contactId, email: sh.email, individualIds: sh.individuals.map((i) => nodes[i].id), persons },
    });
  }
  for (const f of findings) {
    fUpsert.run(profileId, f.kind, f.source, f.sourceId, personOfNode(f.nodeIdx), JSON.stringify(f.detail), now, now);
    fSeen.run(f.kind, f.source, f.sourceId);
  }
  // Findings no longer seen go; a scoped join saw only the findings of its records (a donor's,
  // or a household's shared email, named contact:email).
  const notSeen = `NOT EXISTS (SELECT 1 FROM temp.identity_seen_findings s WHERE s.kind = f.kind AND s.source = f.source AND s.source_id = f.source_id)`;
  if (scopeKeys) {
    db.prepare(
      `DELETE FROM identity_findings AS f WHERE f.profile_id = @p AND ${notSeen} AND (
         EXISTS (SELECT 1 FROM temp.join_scope x WHERE x.source = f.source AND x.source_id = f.source_id)
         OR (f.source = 'crm_contact' AND EXISTS (SELECT 1 FROM temp.join_scope x WHERE x.source = 'crm_contact' AND x.source_id = substr(f.source_id, 1, instr(f.source_id, ':') - 1))))`,
    ).run({ p: profileId });
  } else db.prepare(`DELETE FROM identity_findings AS f WHERE f.profile_id = @p AND ${notSeen}`).run({ p: profileId });
  lap('findings');

  timings.personsWritten = changed.length + goneCount; // recomputed or removed
  timings.personRowsWritten = rowsWritten;
  // What the later steps must look at again: null when everyone was recomputed.
  let changedRecords: string[] | null = null;
  let changedPersons: string[] | null = null;
  let evidencePersons: string[] | null = null;
  if (!everyone) {
    changedRecords = orphanLinks.map(([source, id]) => source + ':' + id);
    changedPersons = [];
    evidencePersons = [];
    const measuresOnly = joinSet.measuresOnlyKeys;
    const reread = measuresOnly?.size ? new Set(joinSet.rereadKeys) : null;
    // A person the sync reached only through the hours or gifts of its records (see evidencePersons).
    const measuresMovedOnly = (c: number, pid: string): boolean => {
      if (!measuresOnly || !reread || rowMoved[c] || linked.has(pid)) return false;
      let moved = 0;
      for (let k = start[c]; k < start[c + 1]; k++) {
        const key = nodes[members[k]].key;
        if (measuresOnly.has(key)) moved++;
        else if (reread.has(key)) return false;
      }
      return moved > 0;
    };
    for (const c of changed) {
      const pid = personId(c);
      changedPersons.push(pid);
      if (!measuresMovedOnly(c, pid)) evidencePersons.push(pid);
      for (let k = start[c]; k < start[c + 1]; k++) changedRecords.push(nodes[members[k]].key);
    }
    for (let j = 0; j < P; j++) {
      if (taken[j]) continue;
      changedPersons.push(prevIds[j]);
      evidencePersons.push(prevIds[j]);
    }
    timings.evidencePersons = evidencePersons.length;
  }
  const fewRewritten = rewritten !== null && rewritten.size <= C * AUTHORITY_SCOPE_SHARE;
  if (rewritten && fewRewritten) changedPersons = evidencePersons = [...rewritten];
  const authorityOnly = fewRewritten && recompute === 'manySystems';
  const conflictsOfEveryone = fewRewritten && recompute === 'setting';
  notePersonChanges(db, profileId, changedPersons ?? 'all');
  // Lineage can change only where a record's emails did (email lineage follows the mirrors'
  // addresses, all of which are join emails) and for records no longer live.
  const lineageRecords = joinSet.emailChangedKeys ? [...joinSet.emailChangedKeys, ...orphanLinks.map(([source, id]) => source + ':' + id)] : null;
  timings.lineageRecords = lineageRecords ? lineageRecords.length : joinSet.totalRecords;
  // Totals: a scoped join saw only its part of the store.
  const persons = scopeKeys
    ? joinSet.personCount != null
      ? joinSet.personCount + C - P // every person in scope before is one of the P; after, one per cluster
      : (db.prepare(`SELECT COUNT(*) FROM persons WHERE profile_id = ?`).pluck().get(profileId) as number)
    : C;
  saveNodeCache(db, profileId, { nodeCount: joinSet.totalRecords, personCount: persons, settingsDigest, settings });
  return {
    dropped: restore,
    persons,
    links: joinSet.totalRecords,
    newPersons: need,
    removedPersons: goneCount,
    findings: findings.length,
    changedRecords,
    lineageRecords,
    changedPersons,
    evidencePersons,
    authorityOnly,
    conflictsOfEveryone,
    scoped,
    joinedEveryone: everyone,
    timings,
  };
}

/**
 * A new field authority or phone region with nothing else changed: the displayed values (and,
 * for a region, the phones) computed again from the person rows (displayRecompute.ts), reported
 * as a join that recomputed the persons in two or more systems (for a region, every person) and
 * wrote those that read differently.
 */
function displaysAgain(
  db: Db,
  profileId: number,
  settings: IdentitySettings,
  now: string,
  cp: Checkpoint,
  joinSet: CachedJoinSet,
  t: { settingsDigest: number; timings: Record<string, number>; lap: (name: string) => void },
): JoinStats {
  cp.step('persons');
  setCacheKib(db, STREAMING_JOIN_CACHE_KIB); // one pass over the rows, in key order
  const phones = !!joinSet.phonesAgain;
  const { read, written } = recomputeDisplays(db, profileId, settings, now, () => cp.check(), { phones });
  t.lap('insert_persons');
  const persons = joinSet.personCount ?? (db.prepare(`SELECT COUNT(*) FROM persons WHERE profile_id = ?`).pluck().get(profileId) as number);
  const few = written.length <= persons * AUTHORITY_SCOPE_SHARE;
  // As after the join of everyone a new setting makes: the conflicts of the persons not written
  // take a new authority as a column update, but compare phones as a new region reads them.
  const authorityOnly = few && !phones;
  const changedPersons = few ? written : null;
  notePersonChanges(db, profileId, changedPersons ?? 'all');
  saveNodeCache(db, profileId, { nodeCount: joinSet.totalRecords, personCount: persons, settingsDigest: t.settingsDigest, settings });
  Object.assign(t.timings, { recordsJoined: 0, linksWritten: 0, personsWritten: read, personRowsWritten: written.length, lineageRecords: 0 });
  return {
    dropped: [],
    persons,
    links: joinSet.totalRecords,
    newPersons: 0,
    removedPersons: 0,
    findings: db.prepare(`SELECT COUNT(*) FROM identity_findings WHERE profile_id = ?`).pluck().get(profileId) as number,
    changedRecords: [],
    lineageRecords: [],
    changedPersons,
    evidencePersons: changedPersons,
    authorityOnly,
    conflictsOfEveryone: few && phones,
    scoped: false,
    joinedEveryone: false,
    timings: t.timings,
  };
}
