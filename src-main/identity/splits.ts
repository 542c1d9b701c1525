/**
 * Split detection: pairs of persons that are probably one person in two rows, each with its
 * evidence (in plain words) and a score. Blocking keeps it near-linear: every signal is read
 * through an index or one ordered pass (email history, moved source IDs, CRM+ references,
 * Raise crmKey, E.164 phone blocks, postal + last-name blocks); pairs are only formed inside a
 * block, and oversized blocks (a shared office number) are skipped. A pair the steward called
 * "not the same person" is never proposed again.
 */
import type { Db } from '../store/db';
import type { Evidence } from '../../src-shared/domain/identity';
import { nameSimilarity } from './normalize';
import { renderCard, describeKey } from './matchCards';
import { fillPersonScope } from './scopeTables';
import { EMAIL_CHANGE_POINTS, emailChangeEvidence } from './emailChangeEvidence';

const MAX_BLOCK = 12;

export const KIND_POINTS = { email_change: EMAIL_CHANGE_POINTS, reference: 90, crm_key: 85, phone_name: 80, name_postal: 65 } as const;

interface Pair {
  a: string;
  b: string;
  evidence: Evidence[];
}

const cmpText = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

export function pairKey(x: string, y: string): [string, string] {
  return x < y ? [x, y] : [y, x];
}

/**
 * Scope: null = every person; otherwise the persons a rebuild recomputed or removed. Pairs of
 * two persons outside the scope are left as they are: their evidence (lineage, links,
 * references, keys, blocks) can only change through a recomputed person.
 */
export function detectSplits(
  db: Db,
  profileId: number,
  now: string,
  scope: string[] | null = null,
): { open: number; detected: number; timings: Record<string, number> } {
  const scoped = scope ? new Set(scope) : null;
  const outside = (a: string, b: string) => scoped !== null && !scoped.has(a) && !scoped.has(b);
  const timings: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (name: string) => {
    const n = performance.now();
    timings[name] = Math.round(n - t0);
    t0 = n;
  };
  const pairs = new Map<string, Pair>();
  const add = (x: string, y: string, ev: Evidence) => {
    if (!x || !y || x === y) return;
    const [a, b] = pairKey(x, y);
    const k = a + '|' + b;
    let p = pairs.get(k);
    if (!p) pairs.set(k, (p = { a, b, evidence: [] }));
    if (!p.evidence.some((e) => e.kind === ev.kind && e.text === ev.text)) p.evidence.push(ev);
  };

  // 1. Email change: an address a record showed before is now another person's; or a source ID
  //    that was linked to a person that still exists is now linked elsewhere. Scoped: the pairs
  //    with a recomputed person, from either end (emailChangeEvidence.ts says why).
  if (scope) fillPersonScope(db, scope);
  emailChangeEvidence(db, profileId, scope ? scope.length : null, add);
  lap('email_change');
  // 2. A CRM+ contact reference naming a VOMO user or Raise donor that lives in another row.
  //    Scoped: the references of the contacts a recomputed person holds, and those naming a
  //    recomputed person's VOMO user or Raise donor (by id under any source text: the source
  //    names its system in free text, read below); a pair needs one of its persons in scope.
  {
    const personOf = activePersonLookup(db, profileId);
    const contactPersons = db.prepare(
      `SELECT DISTINCT l.person_id AS p FROM crm_individuals i
       JOIN person_links l ON l.profile_id = i.profile_id AND l.source = 'crm_individual' AND l.source_id = i.id AND l.active = 1
       WHERE i.profile_id = ? AND i.contact_id = ?`,
    );
    const scopedLinks = (sources: string) =>
      `temp.identity_person_scope s CROSS JOIN person_links l INDEXED BY person_links_by_person
         ON l.profile_id = @p AND l.person_id = s.id AND l.active = 1 AND l.source IN (${sources})`;
    const references = scope
      ? `SELECT r.contact_id, r.source, r.ref_id FROM (
           SELECT DISTINCT CASE l.source WHEN 'crm_contact' THEN l.source_id ELSE i.contact_id END AS id FROM ${scopedLinks(`'crm_individual', 'crm_contact'`)}
           LEFT JOIN crm_individuals i ON l.source = 'crm_individual' AND i.profile_id = @p AND i.id = l.source_id) c
         CROSS JOIN crm_contact_references r ON r.profile_id = @p AND r.contact_id = c.id
         UNION
         SELECT r.contact_id, r.source, r.ref_id FROM ${scopedLinks(`'vomo', 'raise'`)}
         CROSS JOIN (SELECT DISTINCT source FROM crm_contact_references WHERE profile_id = @p) t
         CROSS JOIN crm_contact_references r INDEXED BY crm_references_by_ref ON r.profile_id = @p AND r.source = t.source AND r.ref_id = l.source_id`
      : `SELECT contact_id, source, ref_id FROM crm_contact_references WHERE profile_id = @p`;
    for (const r of db.prepare(references).iterate({ p: profileId }) as Iterable<{
      contact_id: string;
      source: string;
      ref_id: string;
    }>) {
      const src = referenceSource(r.source);
      if (!src) continue;
      const q = personOf(`${src}:${r.ref_id}`);
      if (!q) continue;
      const ps = (contactPersons.all(profileId, r.contact_id) as { p: string }[]).map((x) => x.p);
      const bare = personOf(`crm_contact:${r.contact_id}`);
      if (bare) ps.push(bare);
      if (ps.includes(q)) continue;
      for (const p of ps) {
        add(p, q, {
          kind: 'reference',
          points: KIND_POINTS.reference,
          text: `CRM+ contact ${r.contact_id} carries the reference ${r.source}/${r.ref_id}, which is ${describeKey(`${src}:${r.ref_id}`)} in the other row.`,
          matchCard: renderCard({ k: 'reference', v: `${r.source}/${r.ref_id} on CRM+ contact ${r.contact_id}` }),
        });
      }
    }
  }
  lap('reference');
  // 3. A Raise donor joined through its crmKey whose own email is another row's join email.
  //    Scoped: the donors of recomputed persons, and the donors whose email a recomputed person holds.
  const donorPairs = (from: string) =>
    `SELECT l.person_id AS p, o.id AS q, d.id AS donor, d.crm_key, d.email_norm FROM ${from}
     WHERE d.gone_at IS NULL AND d.crm_key IS NOT NULL AND d.email_norm IS NOT NULL AND o.id <> l.person_id`;
  const link = `person_links l INDEXED BY person_links_active ON l.profile_id = d.profile_id AND l.source = 'raise' AND l.source_id = d.id AND l.active = 1 AND l.how = 'crm_key'`;
  for (const r of db
    .prepare(
      scope
        ? `${donorPairs(`temp.identity_person_scope s CROSS JOIN person_links ls ON ls.profile_id = @p AND ls.person_id = s.id AND ls.source = 'raise' AND ls.active = 1
             CROSS JOIN raise_donors d ON d.profile_id = @p AND d.id = ls.source_id CROSS JOIN ${link}
             CROSS JOIN persons o INDEXED BY persons_by_email ON o.profile_id = @p AND o.email_norm = d.email_norm`)}
           UNION
           ${donorPairs(`temp.identity_person_scope s CROSS JOIN persons o ON o.profile_id = @p AND o.id = s.id
             CROSS JOIN raise_donors d INDEXED BY raise_donors_by_email ON d.profile_id = @p AND d.email_norm = o.email_norm CROSS JOIN ${link}`)}`
        : `${donorPairs(`raise_donors d CROSS JOIN ${link} CROSS JOIN persons o INDEXED BY persons_by_email ON o.profile_id = d.profile_id AND o.email_norm = d.email_norm`)} AND d.profile_id = @p`,
    )
    .iterate({ p: profileId }) as Iterable<{ p: string; q: string; donor: string; crm_key: string; email_norm: string }>) {
    add(r.p, r.q, {
      kind: 'crm_key',
      points: KIND_POINTS.crm_key,
      text: `Raise donor ${r.donor} points at CRM+ contact ${r.crm_key} through its crmKey, but its email ${r.email_norm} is the other row's.`,
      matchCard: renderCard({ k: 'crm_key', v: r.crm_key, via: `raise:${r.donor}` }),
    });
  }

  lap('crm_key');
  // 4 and 5. Blocks: same E.164 phone; same postal code and last name. The blocks themselves are
  // found by grouping over the covering indexes in SQLite (no row leaves the database unless its
  // block has 2..MAX_BLOCK members), so memory and time follow the number of blocks, not persons.
  interface P {
    id: string;
    key: string;
    f: string | null;
    l: string | null;
    contact: string | null;
  }
  const readBlocks = (sql: string): P[][] => {
    const blocks = new Map<string, P[]>();
    for (const r of db.prepare(sql).raw().iterate({ p: profileId, max: MAX_BLOCK }) as Iterable<[string, string, string | null, string | null, string | null]>) {
      const row = { key: r[0], id: r[1], f: r[2], l: r[3], contact: r[4] };
      const b = blocks.get(row.key);
      if (b) b.push(row);
      else blocks.set(row.key, [row]);
    }
    return [...blocks.values()];
  };
  // Scoped (after a rebuild that recomputed few persons): only the blocks a recomputed person
  // is in; a pair of two unchanged persons has unchanged evidence and keeps its row.
  // Every block query is driven from the few keys it starts with (CROSS JOIN fixes the loop
  // order): left to choose, the planner may walk a whole persons index in the outer loop, 1.5 s
  // at a million persons even with nothing in scope.
  const scopedPersons = `temp.identity_person_scope s CROSS JOIN persons p ON p.profile_id = @p AND p.id = s.id`;
  const phoneBlocks = readBlocks(
    scope
      ? `WITH k AS (SELECT DISTINCT p.phone_e164 AS k FROM ${scopedPersons} WHERE p.phone_e164 IS NOT NULL),
         b AS (SELECT k.k FROM k CROSS JOIN persons p INDEXED BY persons_by_phone ON p.profile_id = @p AND p.phone_e164 = k.k GROUP BY k.k HAVING COUNT(*) BETWEEN 2 AND @max)
         SELECT p.phone_e164, p.id, p.display_first_name, p.display_last_name, p.crm_contact_id
         FROM b CROSS JOIN persons p INDEXED BY persons_by_phone ON p.profile_id = @p AND p.phone_e164 = b.k
         ORDER BY p.phone_e164, p.id`
      : `WITH b AS (SELECT phone_e164 AS k FROM persons INDEXED BY persons_by_phone
                WHERE profile_id = @p AND phone_e164 IS NOT NULL GROUP BY phone_e164 HAVING COUNT(*) BETWEEN 2 AND @max)
         SELECT p.phone_e164, p.id, p.display_first_name, p.display_last_name, p.crm_contact_id
         FROM b CROSS JOIN persons p INDEXED BY persons_by_phone ON p.profile_id = @p AND p.phone_e164 = b.k
         ORDER BY p.phone_e164, p.id`,
  );
  // name_key is 'last|first': the members of a last-name block are the keys in ['last|', 'last}').
  const postalBlocks = readBlocks(
    `WITH b AS (${
      scope
        ? `SELECT k.postal, k.last FROM (SELECT DISTINCT p.postal, substr(p.name_key, 1, instr(p.name_key, '|') - 1) AS last FROM ${scopedPersons}
             WHERE p.postal IS NOT NULL AND instr(p.name_key, '|') > 1) k
           CROSS JOIN persons p INDEXED BY persons_by_postal_name
             ON p.profile_id = @p AND p.postal = k.postal AND p.name_key >= k.last || '|' AND p.name_key < k.last || '}'
           GROUP BY k.postal, k.last HAVING COUNT(*) BETWEEN 2 AND @max`
        : `SELECT postal, substr(name_key, 1, instr(name_key, '|') - 1) AS last FROM persons INDEXED BY persons_by_postal_name
           WHERE profile_id = @p AND postal IS NOT NULL AND instr(name_key, '|') > 1
           GROUP BY postal, last HAVING COUNT(*) BETWEEN 2 AND @max`
    })
     SELECT b.postal || '|' || b.last, p.id, p.display_first_name, p.display_last_name, p.crm_contact_id
     FROM b CROSS JOIN persons p INDEXED BY persons_by_postal_name
       ON p.profile_id = @p AND p.postal = b.postal AND p.name_key >= b.last || '|' AND p.name_key < b.last || '}'
     ORDER BY 1, p.id`,
  );
  const block = (blocks: P[][], onPair: (x: P, y: P) => void) => {
    for (const rows of blocks) for (let i = 0; i < rows.length; i++) for (let j = i + 1; j < rows.length; j++) onPair(rows[i], rows[j]);
  };
  // Two individuals of one CRM+ household are known to be two people: not a candidate.
  const household = (x: P, y: P) => x.contact != null && x.contact === y.contact;
  block(phoneBlocks, (x, y) => {
    if (household(x, y)) return;
    const sim = nameSimilarity(x.f, x.l, y.f, y.l);
    if (sim < 0.85) return;
    add(x.id, y.id, {
      kind: 'phone_name',
      points: Math.min(KIND_POINTS.phone_name, 50 + Math.round(sim * 30)),
      text: `Both rows have the phone ${x.key} and similar names (${[x.f, x.l].filter(Boolean).join(' ')} / ${[y.f, y.l].filter(Boolean).join(' ')}, similarity ${Math.round(sim * 100)}%).`,
      matchCard: renderCard({ k: 'phone', v: x.key }),
    });
  });
  block(postalBlocks, (x, y) => {
    if (household(x, y)) return;
    const sim = nameSimilarity(x.f, x.l, y.f, y.l);
    if (sim < 0.9) return;
    add(x.id, y.id, {
      kind: 'name_postal',
      points: Math.min(KIND_POINTS.name_postal, 40 + Math.round(sim * 25)),
      text: `Similar names (${[x.f, x.l].filter(Boolean).join(' ')} / ${[y.f, y.l].filter(Boolean).join(' ')}) at the same postal code ${x.key.split('|')[0]}.`,
      matchCard: renderCard({ k: 'postal', v: x.key.split('|')[0] }),
    });
  });

  lap('blocks');
  // The steward's "not the same person" verdicts, mapped onto today's persons.
  const rejected = new Set<string>();
  const personOf = activePersonLookup(db, profileId);
  for (const d of db
    .prepare(`SELECT key_a, key_b FROM identity_decisions WHERE profile_id = ? AND verdict = 'not_same' AND revoked_at IS NULL`)
    .all(profileId) as { key_a: string; key_b: string }[]) {
    const pa = personOf(d.key_a);
    const pb = personOf(d.key_b);
    if (!pa || !pb || pa === pb) continue;
    const [a, b] = pairKey(pa, pb);
    rejected.add(a + '|' + b);
  }

  const existing = new Map<string, { id: number; status: string; person_a: string; person_b: string }>();
  for (const r of db.prepare(`SELECT id, person_a, person_b, status FROM split_candidates WHERE profile_id = ?`).iterate(profileId) as Iterable<{
    id: number;
    person_a: string;
    person_b: string;
    status: string;
  }>)
    existing.set(r.person_a + '|' + r.person_b, r);
  const rep = representativeKeys(db, profileId);
  const insert = db.prepare(
    `INSERT INTO split_candidates (profile_id, person_a, person_b, key_a, key_b, kind, score, evidence_json, status, first_seen_at, last_seen_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
  );
  const update = db.prepare(`UPDATE split_candidates SET key_a = ?, key_b = ?, kind = ?, score = ?, evidence_json = ?, last_seen_at = ? WHERE id = ?`);
  const keep = new Set<number>();
  let detected = 0;
  for (const [k, p] of pairs) {
    if (rejected.has(k)) continue;
    if (outside(p.a, p.b)) {
      const ex = existing.get(k);
      if (ex) keep.add(ex.id);
      continue;
    }
    const ka = rep(p.a);
    const kb = rep(p.b);
    if (!ka || !kb) continue;
    // A total order: a scoped rebuild reads the same evidence in another order than one of
    // everyone, and both must write the same row.
    p.evidence.sort((x, y) => y.points - x.points || cmpText(x.kind, y.kind) || cmpText(x.text, y.text));
    const kinds = new Set(p.evidence.map((e) => e.kind));
    const score = Math.min(100, p.evidence[0].points + 3 * (kinds.size - 1));
    detected++;
    const ex = existing.get(k);
    if (ex) {
      keep.add(ex.id);
      update.run(ka, kb, p.evidence[0].kind, score, JSON.stringify(p.evidence), now, ex.id);
    } else insert.run(profileId, p.a, p.b, ka, kb, p.evidence[0].kind, score, JSON.stringify(p.evidence), now, now);
  }
  const drop = db.prepare(`DELETE FROM split_candidates WHERE id = ?`);
  for (const ex of existing.values()) if (ex.status === 'open' && !keep.has(ex.id) && !outside(ex.person_a, ex.person_b)) drop.run(ex.id);
  // Every open candidate has just been seen (re-detected, or unchanged outside the scope), which
  // its row does not say: an open candidate was last seen by the last rebuild (lastSeenOf), and
  // rewriting every open row to say so dirtied ~1,900 pages of a rebuild after a 1% sync at a
  // million persons (10,000 candidates), whatever the sync touched.
  const open = (db.prepare(`SELECT COUNT(*) AS n FROM split_candidates WHERE profile_id = ? AND status = 'open'`).get(profileId) as { n: number }).n;
  lap('persist');
  return { open, detected, timings };
}

/**
 * When split detection last ran for a profile: the start of its last finished rebuild (every
 * rebuild ends with it, rebuildPipeline.ts). null before the first.
 */
export function lastDetectionAt(db: Db, profileId: number): string | null {
  return (db.prepare(LAST_DETECTION).pluck().get(profileId) as string | undefined) ?? null;
}

/** The newest runs first through identity_runs_by_profile, to the first finished rebuild (the candidate list asks it each time). */
export const LAST_DETECTION = `SELECT started_at FROM identity_runs WHERE profile_id = ? AND kind IN ('rebuild', 'refresh', 'settings') AND finished_at IS NOT NULL
  ORDER BY started_at DESC LIMIT 1`;

/**
 * A candidate's last seen: its row's for a decided one (set when it was decided), the last
 * detection's for an open one (detectSplits leaves open rows it did not look at as they were).
 */
export function lastSeenOf(row: { status: string; last_seen_at: string }, lastDetection: string | null): string {
  return row.status === 'open' && lastDetection !== null && lastDetection > row.last_seen_at ? lastDetection : row.last_seen_at;
}

/** The SET clause that decides a candidate: its last seen becomes the last detection's if later (bound as ?). */
export const DECIDED_LAST_SEEN = `last_seen_at = MAX(last_seen_at, COALESCE(?, last_seen_at))`;

/** A person's representative source key: VOMO user, else CRM+ individual, else contact, else Raise. */
export function representativeKeys(db: Db, profileId: number): (personId: string) => string | null {
  const stmt = db.prepare(
    `SELECT source || ':' || source_id AS k FROM person_links WHERE profile_id = ? AND person_id = ? AND active = 1
     ORDER BY CASE source WHEN 'vomo' THEN 0 WHEN 'crm_individual' THEN 1 WHEN 'crm_contact' THEN 2 ELSE 3 END, source_id LIMIT 1`,
  );
  return (pid) => (stmt.get(profileId, pid) as { k: string } | undefined)?.k ?? null;
}

/** The person a source key is actively linked to now. */
export function activePersonLookup(db: Db, profileId: number): (key: string) => string | null {
  const stmt = db.prepare(`SELECT person_id FROM person_links WHERE profile_id = ? AND source = ? AND source_id = ? AND active = 1`);
  return (key) => {
    const i = key.indexOf(':');
    return (stmt.get(profileId, key.slice(0, i), key.slice(i + 1)) as { person_id: string } | undefined)?.person_id ?? null;
  };
}

/** Which system a CRM+ contact reference names, from its free-text source ("VOMO", "Raise", ...). */
export function referenceSource(source: string): 'vomo' | 'raise' | null {
  const s = source.toLowerCase();
  if (s.includes('raise')) return 'raise';
  if (s.includes('vomo') || s.includes('volunteer')) return 'vomo';
  return null;
}
