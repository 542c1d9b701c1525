/**
 * Split evidence of the kind "email change": an address a record showed before is now another
 * person's; or a source ID once linked to a person that still exists is now linked elsewhere.
 *
 * Read from the history, it starts from every past address and every moved link; both only
 * grow, one more with every email a system changes. A rebuild that recomputed a few persons
 * (temp.identity_person_scope) needs only the pairs with one of them, and reads from the scope
 * instead once the history would cost more to read: from either end of a pair, so a pair with
 * one end in scope gets all of its evidence, and the cost follows the cheaper of the two.
 */
import type { Db } from '../store/db';
import type { Evidence } from '../../src-shared/domain/identity';
import { describeKey, renderCard } from './matchCards';

export const EMAIL_CHANGE_POINTS = 95;

type Add = (x: string, y: string, ev: Evidence) => void;

interface PastAddress {
  q: string;
  source: string;
  source_id: string;
  old: string;
  p: string;
}

interface MovedLink {
  p: string;
  q: string;
  source: string;
  source_id: string;
  old_email: string | null;
  new_email: string | null;
}

// CROSS JOIN fixes every loop order below: left to the planner without statistics (right after
// a first build rebuilt the indexes), the unscoped one drove from every link and scanned the
// lineage for each, which never finishes at 250k persons.
const PAST_ADDRESSES = `SELECT DISTINCT l.person_id AS q, el.source, el.source_id, el.email_norm AS old, l2.person_id AS p
  FROM email_lineage el INDEXED BY email_lineage_past
  CROSS JOIN person_links l INDEXED BY person_links_active ON l.profile_id = el.profile_id AND l.source = el.source AND l.source_id = el.source_id AND l.active = 1
  CROSS JOIN email_lineage cur INDEXED BY email_lineage_by_email ON cur.profile_id = el.profile_id AND cur.email_norm = el.email_norm AND cur.is_current = 1
  CROSS JOIN person_links l2 INDEXED BY person_links_active ON l2.profile_id = cur.profile_id AND l2.source = cur.source AND l2.source_id = cur.source_id AND l2.active = 1
  WHERE el.profile_id = @p AND el.is_current = 0 AND l2.person_id <> l.person_id`;

const MOVED_LINKS = `SELECT old.person_id AS p, cur.person_id AS q, old.source, old.source_id, old.email_at_link AS old_email, cur.email_at_link AS new_email
  FROM person_links old INDEXED BY person_links_inactive
  CROSS JOIN person_links cur INDEXED BY person_links_active ON cur.profile_id = old.profile_id AND cur.source = old.source AND cur.source_id = old.source_id AND cur.active = 1
  CROSS JOIN persons p ON p.profile_id = old.profile_id AND p.id = old.person_id
  WHERE old.profile_id = @p AND old.active = 0 AND cur.person_id <> old.person_id AND old.how <> 'merge'`;

// The scope's links, active and not, from the covering index (one search per person), and the
// addresses, current and past, of the records they link (one search per record): read once for
// the queries after them.
const FILL_SCOPE_LINKS = `INSERT INTO temp.identity_scope_links (person_id, source, source_id, active)
  SELECT l.person_id, l.source, l.source_id, l.active
  FROM temp.identity_person_scope s CROSS JOIN person_links l INDEXED BY person_links_by_person ON l.profile_id = @p AND l.person_id = s.id`;
// No condition on is_current: a first build leaves the past addresses counted empty, and with
// one the planner walks all of them for each record instead of reading the record's by its key.
const FILL_SCOPE_ADDRESSES = `INSERT INTO temp.identity_scope_addresses (person_id, source, source_id, email_norm, is_current)
  SELECT sl.person_id, el.source, el.source_id, el.email_norm, el.is_current
  FROM temp.identity_scope_links sl
  CROSS JOIN email_lineage el ON el.profile_id = @p AND el.source = sl.source AND el.source_id = sl.source_id
  WHERE sl.active = 1`;

// A scope record's own past address that another person's record holds now (q in scope), and a
// past address of another person's record that a scope record holds now (p in scope).
const SCOPED_PAST_ADDRESSES = `SELECT a.person_id AS q, a.source, a.source_id, a.email_norm AS old, l2.person_id AS p
  FROM temp.identity_scope_addresses a
  CROSS JOIN email_lineage cur INDEXED BY email_lineage_by_email ON cur.profile_id = @p AND cur.email_norm = a.email_norm AND cur.is_current = 1
  CROSS JOIN person_links l2 INDEXED BY person_links_active ON l2.profile_id = @p AND l2.source = cur.source AND l2.source_id = cur.source_id AND l2.active = 1
  WHERE a.is_current = 0 AND l2.person_id <> a.person_id
  UNION
  SELECT l.person_id AS q, el.source, el.source_id, el.email_norm AS old, a.person_id AS p
  FROM temp.identity_scope_addresses a
  CROSS JOIN email_lineage el INDEXED BY email_lineage_past ON el.profile_id = @p AND el.is_current = 0 AND el.email_norm = a.email_norm
  CROSS JOIN person_links l INDEXED BY person_links_active ON l.profile_id = @p AND l.source = el.source AND l.source_id = el.source_id AND l.active = 1
  WHERE a.is_current = 1 AND l.person_id <> a.person_id`;

// A link a scope person lost (p in scope), and one a scope person holds that another person lost
// (q in scope); each link's own row (its email, how it was made) read by key for the few found.
const SCOPED_MOVED_LINKS = `SELECT sl.person_id AS p, cur.person_id AS q, sl.source, sl.source_id, mine.email_at_link AS old_email, cur.email_at_link AS new_email
  FROM temp.identity_scope_links sl
  CROSS JOIN person_links cur INDEXED BY person_links_active ON cur.profile_id = @p AND cur.source = sl.source AND cur.source_id = sl.source_id AND cur.active = 1
  CROSS JOIN person_links mine ON mine.profile_id = @p AND mine.source = sl.source AND mine.source_id = sl.source_id AND mine.person_id = sl.person_id
  CROSS JOIN persons p ON p.profile_id = @p AND p.id = sl.person_id
  WHERE sl.active = 0 AND mine.how <> 'merge' AND cur.person_id <> sl.person_id
  UNION
  SELECT old.person_id AS p, sl.person_id AS q, sl.source, sl.source_id, old.email_at_link AS old_email, mine.email_at_link AS new_email
  FROM temp.identity_scope_links sl
  CROSS JOIN person_links old INDEXED BY person_links_inactive ON old.profile_id = @p AND old.source = sl.source AND old.source_id = sl.source_id AND old.active = 0
  CROSS JOIN persons p ON p.profile_id = @p AND p.id = old.person_id
  CROSS JOIN person_links mine ON mine.profile_id = @p AND mine.source = sl.source AND mine.source_id = sl.source_id AND mine.person_id = sl.person_id
  WHERE sl.active = 1 AND old.how <> 'merge' AND old.person_id <> sl.person_id`;

// How much history there is, counted no further than the scope's cost (readsFromScope).
const PAST_ADDRESS_COUNT = `SELECT COUNT(*) FROM (SELECT 1 FROM email_lineage INDEXED BY email_lineage_past WHERE profile_id = @p AND is_current = 0 LIMIT @limit)`;
const MOVED_LINK_COUNT = `SELECT COUNT(*) FROM (SELECT 1 FROM person_links INDEXED BY person_links_inactive WHERE profile_id = @p AND active = 0 LIMIT @limit)`;

export const EMAIL_CHANGE_SQL = { PAST_ADDRESSES, MOVED_LINKS, FILL_SCOPE_LINKS, FILL_SCOPE_ADDRESSES, SCOPED_PAST_ADDRESSES, SCOPED_MOVED_LINKS, PAST_ADDRESS_COUNT, MOVED_LINK_COUNT };

/** The temp tables the scoped queries read (also for a query plan test). */
export function createScopeTables(db: Db): void {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS identity_scope_links (person_id TEXT NOT NULL, source TEXT NOT NULL, source_id TEXT NOT NULL, active INTEGER NOT NULL)`);
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS identity_scope_addresses (
    person_id TEXT NOT NULL, source TEXT NOT NULL, source_id TEXT NOT NULL, email_norm TEXT NOT NULL, is_current INTEGER NOT NULL)`);
}

/**
 * What reading one scope person costs against one row of history: its links, each linked
 * record's addresses, each searched for a match, against a past address's or moved link's few
 * searches. Measured at a million persons (plain, in process) in rebuilds after a 1% sync with
 * ten to thirteen syncs of history: ~12.6 µs a scope person (19,900: 250 ms), ~5 µs a row of
 * history (~60,000: 290-355 ms).
 */
export const SCOPE_PERSON_COST = 2.5;

/**
 * Whether a rebuild that recomputed `scopeSize` persons reads the email-change evidence from the
 * scope: where the store's history (past addresses and moved links) costs more to read. Either
 * way finds every pair with a person in scope.
 */
export function readsFromScope(db: Db, profileId: number, scopeSize: number): boolean {
  const budget = Math.ceil(scopeSize * SCOPE_PERSON_COST);
  const count = (sql: string) => db.prepare(sql).pluck().get({ p: profileId, limit: budget + 1 }) as number;
  return count(PAST_ADDRESS_COUNT) + count(MOVED_LINK_COUNT) > budget;
}

/**
 * Adds every email-change pair; given the scope's size (temp.identity_person_scope, filled), at
 * least every pair with a person in scope, the others being left as they are by the caller.
 */
export function emailChangeEvidence(db: Db, profileId: number, scopeSize: number | null, add: Add): void {
  const scoped = scopeSize !== null && readsFromScope(db, profileId, scopeSize);
  if (scoped) createScopeTables(db);
  try {
    if (scoped) {
      db.prepare(FILL_SCOPE_LINKS).run({ p: profileId });
      db.prepare(FILL_SCOPE_ADDRESSES).run({ p: profileId });
    }
    for (const r of db.prepare(scoped ? SCOPED_PAST_ADDRESSES : PAST_ADDRESSES).iterate({ p: profileId }) as Iterable<PastAddress>) {
      const who = describeKey(`${r.source}:${r.source_id}`);
      add(r.p, r.q, {
        kind: 'email_change',
        points: EMAIL_CHANGE_POINTS,
        text: `${who} used to have the email ${r.old}, which the other row still has: the email changed in one system only.`,
        matchCard: renderCard({ k: 'email_history', v: `${who} showed ${r.old} before` }),
      });
    }
    for (const r of db.prepare(scoped ? SCOPED_MOVED_LINKS : MOVED_LINKS).iterate({ p: profileId }) as Iterable<MovedLink>) {
      const who = describeKey(`${r.source}:${r.source_id}`);
      add(r.p, r.q, {
        kind: 'email_change',
        points: EMAIL_CHANGE_POINTS,
        text: `${who} was part of the other row${r.old_email ? ` under ${r.old_email}` : ''} and now appears${r.new_email ? ` under ${r.new_email}` : ''}: the same source ID moved.`,
        matchCard: renderCard({ k: 'email_history', v: `${who} moved from one row to the other` }),
      });
    }
  } finally {
    if (scoped) db.exec('DELETE FROM temp.identity_scope_links; DELETE FROM temp.identity_scope_addresses');
  }
}
