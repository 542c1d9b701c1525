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
import type { IdentitySettings } from '../../src-shared/domain/identity';
import { loadNodes, type IdNode, type CrmIndividualNode, type VomoNode, type RaiseNode } from './nodes';
import { normName } from './normalize';
import { computePerson, identityHash, PERSON_COLUMNS, cmpId, type PersonRow } from './personRow';
import { newPersonIds } from './ids';
import type { CompactCard } from './matchCards';

export interface JoinStats {
  /** Recreate the indexes the rebuild dropped for its bulk writes; call before reading by index. */
  restoreIndexes: () => void;
  persons: number;
  links: number;
  newPersons: number;
  removedPersons: number;
  findings: number;
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
 * Of several individuals of one contact reached by the same email or crmKey: the one whose
 * first name matches the other record's, else the primary, else the lowest id.
 */
function pickIndividual(inds: CrmIndividualNode[], firstName: string | null): CrmIndividualNode {
  const f = normName(firstName);
  if (f) {
    const hit = inds.find((i) => normName(i.firstName) === f);
    if (hit) return hit;
  }
  return [...inds].sort((a, b) => b.isPrimary - a.isPrimary || cmpId(a.id, b.id))[0];
}

const systemOf = (n: IdNode) => (n.kind === 'crm_contact' ? 'crm_individual' : n.kind);

export interface SharedEmail {
  contactId: string;
  email: string;
  individualKeys: string[];
}

/**
 * The join rule: records of *different* systems sharing a normalized email are one person (every
 * email of every individual counts); a Raise donor's crmKey joins that contact; an email or
 * crmKey reaching several individuals of one contact joins the one whose first name matches,
 * else the primary; every CRM+ individual is otherwise its own person. The steward's "same"
 * decisions join; a "not same" verdict detaches the later record from email and crmKey joins.
 */
export function clusterNodes(nodes: IdNode[], decisions: Decision[]) {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => index.set(n.key, i));
  const contactInds = new Map<string, CrmIndividualNode[]>();
  const bareContact = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (n.kind === 'crm_individual') {
      const list = contactInds.get(n.contactId);
      if (list) list.push(n);
      else contactInds.set(n.contactId, [n]);
    } else if (n.kind === 'crm_contact') bareContact.set(n.contactId, i);
  });
  const byEmail = new Map<string, number[]>();
  nodes.forEach((n, i) => {
    for (const e of n.emails) {
      const l = byEmail.get(e);
      if (l) l.push(i);
      else byEmail.set(e, [i]);
    }
  });

  const run = (detached: Set<number>) => {
    const uf = new UnionFind(nodes.length);
    const cards: (CompactCard | undefined)[] = new Array(nodes.length);
    const findings: Finding[] = [];
    const shared: SharedEmail[] = [];
    for (const [e, all] of byEmail) {
      if (all.length < 2) continue;
      const list = all.filter((i) => !detached.has(i));
      // Individuals of one household sharing the email: say so, and join only one of them.
      let inds: Map<string, CrmIndividualNode[]> | null = null;
      for (const i of list) {
        const n = nodes[i];
        if (n.kind !== 'crm_individual') continue;
        inds ??= new Map();
        const g = inds.get(n.contactId);
        if (g) g.push(n);
        else inds.set(n.contactId, [n]);
      }
      const other = list.find((i) => nodes[i].kind === 'vomo') ?? list.find((i) => nodes[i].kind === 'raise');
      const otherFirst = other === undefined ? null : (nodes[other] as VomoNode | RaiseNode).firstName;
      const chosen: number[] = [];
      for (const i of list) if (nodes[i].kind === 'vomo' || nodes[i].kind === 'raise') chosen.push(i);
      if (inds) {
        for (const [contactId, g] of inds) {
          if (g.length > 1) shared.push({ contactId, email: e, individualKeys: g.map((x) => x.key) });
          chosen.push(index.get((g.length > 1 ? pickIndividual(g, otherFirst) : g[0]).key)!);
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
      const byMail = inds?.filter((x) => x.emails.some((e) => n.emails.includes(e))) ?? [];
      const pool = byMail.length ? byMail : (inds ?? []);
      const target = pool.length ? (pool.length > 1 ? pickIndividual(pool, n.firstName) : pool[0]) : undefined;
      const targetIdx = target ? index.get(target.key)! : bareContact.get(n.crmKey);
      if (targetIdx === undefined) {
        findings.push({ kind: 'crm_key_unknown_contact', source: 'raise', sourceId: n.id, nodeIdx: i, detail: { crmKey: n.crmKey } });
        continue;
      }
      const contactEmails = (inds ?? []).flatMap((x) => x.emails);
      if (n.emails[0] && contactEmails.length && !contactEmails.includes(n.emails[0])) {
        findings.push({ kind: 'crm_key_email_mismatch', source: 'raise', sourceId: n.id, nodeIdx: i, detail: { crmKey: n.crmKey, raiseEmail: n.emails[0], crmEmails: contactEmails } });
      }
      if (detached.has(i)) continue;
      if (uf.find(targetIdx) !== uf.find(i)) cards[i] = { k: 'crm_key', v: n.crmKey, via: nodes[targetIdx].key };
      uf.union(targetIdx, i);
    }
    for (const d of decisions) {
      if (d.verdict !== 'same') continue;
      const a = index.get(d.key_a);
      const b = index.get(d.key_b);
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
    const a = index.get(d.key_a);
    const b = index.get(d.key_b);
    if (a === undefined || b === undefined) continue;
    if (result.uf.find(a) === result.uf.find(b)) detached.add(Math.max(a, b));
  }
  if (detached.size) result = run(detached);
  return { ...result, index, detached };
}

export function rebuildJoin(db: Db, profileId: number, settings: IdentitySettings, now: string): JoinStats {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const n = performance.now();
    timings[name] = Math.round(n - t);
    t = n;
  };

  const { nodes } = loadNodes(db, profileId);
  lap('load');
  const decisions = db
    .prepare(`SELECT key_a, key_b, verdict FROM identity_decisions WHERE profile_id = ? AND revoked_at IS NULL ORDER BY id`)
    .all(profileId) as Decision[];
  const { uf, cards, findings, shared, index } = clusterNodes(nodes, decisions);
  const sharedKeys = new Set<string>();
  for (const sh of shared) for (const k of sh.individualKeys) sharedKeys.add(k);
  const clusters = new Map<number, number[]>();
  for (let i = 0; i < nodes.length; i++) {
    const r = uf.find(i);
    const c = clusters.get(r);
    if (c) c.push(i);
    else clusters.set(r, [i]);
  }
  lap('cluster');

  // Previous state: active links and persons.
  const prevLink = new Map<string, { pid: string; card: string | null; email: string | null }>();
  for (const r of db
    .prepare(`SELECT source, source_id, person_id, match_card_json, email_at_link FROM person_links WHERE profile_id = ? AND active = 1`)
    .raw()
    .iterate(profileId) as Iterable<[string, string, string, string | null, string | null]>) {
    prevLink.set(r[0] + ':' + r[1], { pid: r[2], card: r[3], email: r[4] });
  }
  const prevPerson = new Map<string, { email: string | null; created: string; hash: string | null }>();
  for (const r of db.prepare(`SELECT id, email_norm, created_at, identity_hash FROM persons WHERE profile_id = ?`).raw().all(profileId) as [string, string | null, string, string | null][]) {
    prevPerson.set(r[0], { email: r[1], created: r[2], hash: r[3] });
  }
  lap('previous');

  // Claims: each cluster on the IDs its records were linked to.
  const clusterList = [...clusters.values()];
  // Most clusters claim one ID nobody else claims: they take it without a sort.
  const votesOf: (Map<string, number> | null)[] = new Array(clusterList.length).fill(null);
  const claimCount = new Map<string, number>();
  clusterList.forEach((c, ci) => {
    let votes: Map<string, number> | null = null;
    if (c.length === 1) {
      const p = prevLink.get(nodes[c[0]].key);
      if (p) {
        votes = new Map([[p.pid, 1]]);
        claimCount.set(p.pid, (claimCount.get(p.pid) ?? 0) + 1);
      }
      votesOf[ci] = votes;
      return;
    }
    for (const i of c) {
      const p = prevLink.get(nodes[i].key);
      if (!p) continue;
      votes ??= new Map();
      votes.set(p.pid, (votes.get(p.pid) ?? 0) + 1);
    }
    votesOf[ci] = votes;
    if (votes) for (const pid of votes.keys()) claimCount.set(pid, (claimCount.get(pid) ?? 0) + 1);
  });
  const assigned: (string | undefined)[] = new Array<string | undefined>(clusterList.length).fill(undefined);
  const taken = new Set<string>();
  const claims: { c: number; pid: string; score: number }[] = [];
  clusterList.forEach((c, ci) => {
    const votes = votesOf[ci];
    if (!votes) return;
    if (votes.size === 1) {
      const pid = votes.keys().next().value as string;
      if (claimCount.get(pid) === 1) {
        assigned[ci] = pid;
        taken.add(pid);
        return;
      }
    }
    for (const [pid, n] of votes) {
      const prev = prevPerson.get(pid);
      const emailHeld = prev?.email != null && c.some((i) => nodes[i].emails.includes(prev.email!));
      claims.push({ c: ci, pid, score: (emailHeld ? 1_000_000 : 0) + n * 10 + (prev ? 1 : 0) });
    }
  });
  claims.sort((a, b) => b.score - a.score || (a.pid < b.pid ? -1 : a.pid > b.pid ? 1 : 0));
  for (const cl of claims) {
    if (assigned[cl.c] !== undefined || taken.has(cl.pid)) continue;
    assigned[cl.c] = cl.pid;
    taken.add(cl.pid);
  }
  const need = assigned.filter((x) => x === undefined).length;
  const fresh = newPersonIds(need);
  let k = 0;
  for (let ci = 0; ci < assigned.length; ci++) if (assigned[ci] === undefined) assigned[ci] = fresh[k++];
  lap('ids');

  // Person rows.
  const rows: PersonRow[] = new Array(clusterList.length);
  const personOfNode = new Array<string>(nodes.length);
  clusterList.forEach((c, ci) => {
    const pid = assigned[ci]!;
    for (const i of c) personOfNode[i] = pid;
    rows[ci] = computePerson(
      pid,
      c.map((i) => nodes[i]),
      settings,
      now,
      prevPerson.get(pid)?.created ?? null,
      sharedKeys,
    );
  });
  // The contact's giving counts once: on the person holding its primary (else first) individual.
  const owner = new Map<string, { pid: string; prim: number; id: string }>();
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n.kind === 'crm_contact') owner.set(n.contactId, { pid: personOfNode[i], prim: 2, id: '' });
    else if (n.kind === 'crm_individual') {
      const cur = owner.get(n.contactId);
      if (!cur || n.isPrimary > cur.prim || (n.isPrimary === cur.prim && cmpId(n.id, cur.id) < 0)) owner.set(n.contactId, { pid: personOfNode[i], prim: n.isPrimary, id: n.id });
    }
  }
  const ownerPids = new Set<string>();
  for (const [contactId, o] of owner) ownerPids.add(o.pid + '\u0000' + contactId);
  for (const r of rows) if (r.crm_contact_id && ownerPids.has(r.id + '\u0000' + r.crm_contact_id)) r.crm_giving_owner = 1;
  lap('compute');

  // Only persons whose identity columns changed are written. When many changed (a first build,
  // a new authority setting) the writes go in bulk: secondary indexes are dropped and rebuilt
  // once (sorting beats a million random b-tree insertions) and rows go in primary-key order.
  const changed: PersonRow[] = [];
  const current = new Set<string>();
  for (const r of rows) {
    r.identity_hash = identityHash(r);
    current.add(r.id);
    if (prevPerson.get(r.id)?.hash !== r.identity_hash) changed.push(r);
  }
  const gone: string[] = [];
  for (const pid of prevPerson.keys()) if (!current.has(pid)) gone.push(pid);
  const bulk = prevPerson.size === 0 || changed.length + gone.length > rows.length * 0.2;
  const restore: string[] = [];
  const cols = PERSON_COLUMNS;
  const vals: unknown[] = new Array(cols.length + 1);
  vals[0] = profileId;
  if (bulk) {
    restore.push(...dropIndexes(db, 'persons'));
    if (prevLink.size === 0) restore.push(...dropIndexes(db, 'person_links'));
    db.prepare('DELETE FROM persons WHERE profile_id = ?').run(profileId);
    rows.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    lap('delete');
    const insert = db.prepare(`INSERT INTO persons (profile_id, ${cols.join(', ')}) VALUES (?, ${cols.map(() => '?').join(', ')})`);
    for (const r of rows) {
      for (let j = 0; j < cols.length; j++) vals[j + 1] = r[cols[j]];
      insert.run(vals);
    }
  } else {
    const del = db.prepare('DELETE FROM persons WHERE profile_id = ? AND id = ?');
    for (const pid of gone) del.run(profileId, pid);
    lap('delete');
    const upsert = db.prepare(
      `INSERT INTO persons (profile_id, ${cols.join(', ')}) VALUES (?, ${cols.map(() => '?').join(', ')})
       ON CONFLICT (profile_id, id) DO UPDATE SET ${cols.filter((c) => c !== 'id' && c !== 'created_at').map((c) => `${c} = excluded.${c}`).join(', ')}`,
    );
    for (const r of changed) {
      for (let j = 0; j < cols.length; j++) vals[j + 1] = r[cols[j]];
      upsert.run(vals);
    }
  }
  lap('insert_persons');

  // Links.
  const lastRun = (db.prepare(`SELECT MAX(finished_at) AS at FROM identity_runs WHERE profile_id = ? AND finished_at IS NOT NULL`).get(profileId) as { at: string | null }).at ?? now;
  const upsert = db.prepare(
    `INSERT INTO person_links (profile_id, source, source_id, person_id, email_at_link, first_seen_at, last_seen_at, how, match_card_json, active)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
     ON CONFLICT (profile_id, source, source_id, person_id) DO UPDATE SET
       email_at_link = excluded.email_at_link, last_seen_at = excluded.last_seen_at, how = excluded.how,
       match_card_json = excluded.match_card_json, active = 1`,
  );
  const deactivate = db.prepare(`UPDATE person_links SET active = 0, last_seen_at = ? WHERE profile_id = ? AND source = ? AND source_id = ? AND person_id = ?`);
  const clusterSize = new Map<string, number>();
  for (const c of clusterList) clusterSize.set(personOfNode[c[0]], c.length);
  let linkCount = 0;
  const seen = new Set<string>();
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    seen.add(n.key);
    const pid = personOfNode[i];
    let card = cards[i];
    if (!card) {
      if (n.kind === 'crm_contact') card = { k: 'contact', v: n.contact.name ?? n.id };
      else if (n.emails[0] && (clusterSize.get(pid) ?? 1) > 1) card = { k: 'email', v: n.emails[0] };
      else card = { k: 'alone', v: n.emails[0] ?? null };
    }
    const cardJson = JSON.stringify(card);
    const email = n.emails[0] ?? null;
    const prev = prevLink.get(n.key);
    const source = n.kind;
    linkCount++;
    if (prev && prev.pid === pid && prev.card === cardJson && prev.email === email) continue;
    if (prev && prev.pid !== pid) deactivate.run(lastRun, profileId, source, n.id, prev.pid);
    upsert.run(profileId, source, n.id, pid, email, now, now, card.k, cardJson);
  }
  for (const [key, p] of prevLink) {
    if (seen.has(key)) continue;
    const i = key.indexOf(':');
    deactivate.run(lastRun, profileId, key.slice(0, i), key.slice(i + 1), p.pid);
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
  for (const sh of shared) {
    const first = index.get(sh.individualKeys[0]);
    const persons = [...new Set(sh.individualKeys.map((k) => personOfNode[index.get(k)!]))];
    findings.push({
      kind: 'household_shared_email',
      source: 'crm_contact',
      sourceId: `${sh.contactId}:${sh.email}`,
      nodeIdx: first!,
      detail: { contactId: sh.contactId, email: sh.email, individualIds: sh.individualKeys.map((k) => k.slice('crm_individual:'.length)), persons },
    });
  }
  for (const f of findings) {
    fUpsert.run(profileId, f.kind, f.source, f.sourceId, personOfNode[f.nodeIdx], JSON.stringify(f.detail), now, now);
    fSeen.run(f.kind, f.source, f.sourceId);
  }
  db.prepare(
    `DELETE FROM identity_findings WHERE profile_id = ? AND NOT EXISTS (SELECT 1 FROM temp.identity_seen_findings s WHERE s.kind = identity_findings.kind AND s.source = identity_findings.source AND s.source_id = identity_findings.source_id)`,
  ).run(profileId);
  lap('findings');

  let removed = 0;
  for (const pid of prevPerson.keys()) if (!taken.has(pid)) removed++;
  const restoreIndexes = () => {
    for (const sql of restore) db.exec(sql);
    restore.length = 0;
  };
  timings.personsWritten = bulk ? rows.length : changed.length + gone.length;
  return { restoreIndexes, persons: rows.length, links: linkCount, newPersons: need, removedPersons: removed, findings: findings.length, timings };
}

/** Drop a table's secondary indexes (every one, whoever declared it) and return their SQL. */
export function dropIndexes(db: Db, table: string): string[] {
  const list = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`).all(table) as { name: string; sql: string }[];
  for (const i of list) db.exec(`DROP INDEX "${i.name}"`);
  return list.map((i) => i.sql);
}
