/** Read models for the views: a person's brief, the conflicts and split candidate queues, merges. */
import type { Db } from '../store/db';
import type { Conflict, MergeRecord, PersonBrief, SplitCandidate, Evidence } from '../../src-shared/domain/identity';
import { pickByAuthority } from './authority';
import { AppError } from '../../src-shared/errors';
import { lastDetectionAt, lastSeenOf } from './splits';
import type { IdentitySettings } from '../../src-shared/domain/identity';

type Row = Record<string, unknown>;

export function toBrief(r: Row | undefined): PersonBrief | null {
  if (!r) return null;
  return {
    id: r.id as string,
    displayName: (r.display_name as string) ?? '',
    displayEmail: (r.display_email as string | null) ?? null,
    displayPhone: (r.display_phone as string | null) ?? null,
    postal: (r.postal as string | null) ?? null,
    hasVomo: r.has_vomo === 1,
    hasCrm: r.has_crm === 1,
    hasRaise: r.has_raise === 1,
    vomoUserId: (r.vomo_user_id as string | null) ?? null,
    crmContactId: (r.crm_contact_id as string | null) ?? null,
    raiseDonorId: (r.raise_donor_id as string | null) ?? null,
    lifetimeGivingCents: (r.lifetime_giving_cents as number) ?? 0,
    vomoHoursVerified: (r.vomo_hours_verified as number) ?? 0,
  };
}

export function toConflict(r: Row, settings: IdentitySettings): Conflict {
  const authority = (r.authority as 'vomo' | 'crm' | 'raise') ?? settings.fieldAuthority[r.field as 'email'];
  return {
    id: r.id as number,
    personId: r.person_id as string,
    personName: (r.display_name as string | null) ?? (r.person_id as string),
    field: r.field as Conflict['field'],
    vomoValue: (r.vomo_value as string | null) ?? null,
    crmValue: (r.crm_value as string | null) ?? null,
    authority,
    authorityValue: pickByAuthority({ vomo: (r.vomo_value as string | null) ?? null, crm: (r.crm_value as string | null) ?? null, raise: null }, authority),
    status: r.status as Conflict['status'],
    resolution: (r.resolution as string | null) ?? null,
    chosenValue: (r.chosen_value as string | null) ?? null,
    resolvedAt: (r.resolved_at as string | null) ?? null,
    resolvedBy: (r.resolved_by as string | null) ?? null,
    active: r.active === 1,
    firstSeenAt: r.first_seen_at as string,
    lastSeenAt: r.last_seen_at as string,
    reopenedAt: (r.reopened_at as string | null) ?? null,
  };
}

export interface ConflictQuery {
  profileId: number;
  status: 'open' | 'resolved' | 'dismissed' | 'all';
  field?: string | null;
  newSinceLastSync?: boolean;
  personId?: string | null;
  /** Where the page starts (a page's edge, from `nextCursor` or `prevCursor`); without one, `offset`. */
  cursor?: string | null;
  direction?: 'next' | 'prev';
  offset?: number;
  limit: number;
}

export interface ConflictPage {
  total: number;
  items: Conflict[];
  counts: Record<string, number>;
  /** The page after this one, or before it; null where the queue ends. */
  nextCursor: string | null;
  prevCursor: string | null;
}

/** A conflict's place in the queue: its field, its person's last name as shown, its id. */
type QueueKey = [field: string, name: string, id: number];

function encodeQueueKey(r: Row): string {
  return Buffer.from(JSON.stringify([r.field, r.person_sort, r.id])).toString('base64url');
}

function decodeQueueKey(text: string): QueueKey {
  try {
    const k = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(k) && k.length === 3 && typeof k[0] === 'string' && typeof k[1] === 'string' && Number.isInteger(k[2])) return k as QueueKey;
  } catch {
    /* reported below */
  }
  throw new AppError('BAD_INPUT', 'That page position is not valid; start again from the first page.');
}

/**
 * The conflicts after (or before) a queue key, as three index ranges read one after the other:
 * the same field and name with a later id, the same field with a later name, a later field.
 * Each is one range of the queue index (migration 0097), so the last page costs what the first
 * does; a sync between two pages neither repeats nor skips a conflict whose place it left alone.
 */
function queueSegments(k: QueueKey, later: '>' | '<', params: Record<string, unknown>): string[] {
  params.kf = k[0];
  params.ks = k[1];
  params.kid = k[2];
  return [`c.field = @kf AND c.person_sort = @ks AND c.id ${later} @kid`, `c.field = @kf AND c.person_sort ${later} @ks`, `c.field ${later} @kf`];
}

/** A queue's filter: its WHERE over `conflicts c` and the parameters it names. */
export function conflictFilter(db: Db, q: Omit<ConflictQuery, 'cursor' | 'direction' | 'offset' | 'limit'>): { where: string; params: Record<string, unknown> } {
  const where = ['c.profile_id = @pid', 'c.active = 1'];
  const params: Record<string, unknown> = { pid: q.profileId };
  if (q.status !== 'all') {
    where.push('c.status = @status');
    params.status = q.status;
  }
  if (q.field) {
    where.push('c.field = @field');
    params.field = q.field;
  }
  if (q.personId) {
    where.push('c.person_id = @person');
    params.person = q.personId;
  }
  if (q.newSinceLastSync) {
    // New since the rebuild before the latest one.
    const prev = db.prepare(`SELECT started_at FROM identity_runs WHERE profile_id = ? AND kind IN ('rebuild', 'refresh') ORDER BY id DESC LIMIT 1 OFFSET 1`).get(q.profileId) as
      | { started_at: string }
      | undefined;
    if (prev) {
      // The few conflicts found or reopened since, by their own indexes; tested against each
      // conflict's timestamps instead, a page walked the queue reading every row it passed
      // (45-290 ms at 157,000 open conflicts, 500-1,200 of them new).
      where.push(`c.id IN (SELECT id FROM conflicts WHERE profile_id = @pid AND first_seen_at > @since
        UNION ALL SELECT id FROM conflicts WHERE profile_id = @pid AND reopened_at > @since)`);
      params.since = prev.started_at;
    }
  }
  return { where: where.join(' AND '), params };
}

/**
 * A page of a queue in its order (field, name, id), walked forward (ASC) or back, after `extra`
 * (a keyset segment) if any. The queue's index is named: with a status, the one that has it; a
 * person's few conflicts are found by the person instead.
 */
export function conflictPageSql(q: Pick<ConflictQuery, 'status' | 'personId'>, where: string, dir: 'ASC' | 'DESC', extra = '', withOffset = false): string {
  const index = q.personId ? '' : q.status === 'all' ? ' INDEXED BY conflicts_queue_all' : ' INDEXED BY conflicts_queue';
  return `SELECT c.*, p.display_name FROM conflicts c${index} LEFT JOIN persons p ON p.profile_id = c.profile_id AND p.id = c.person_id
    WHERE ${extra ? `${extra} AND ` : ''}${where} ORDER BY c.field ${dir}, c.person_sort ${dir}, c.id ${dir} LIMIT @limit${withOffset ? ' OFFSET @offset' : ''}`;
}

export function listConflicts(db: Db, q: ConflictQuery, settings: IdentitySettings): ConflictPage {
  const { where: w, params } = conflictFilter(db, q);
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM conflicts c WHERE ${w}`).get(params) as { n: number }).n;
  const back = q.direction === 'prev';
  const dir = back ? 'DESC' : 'ASC';
  const offset = back || q.cursor ? 0 : (q.offset ?? 0);
  const page = (extra: string, limit: number) => db.prepare(conflictPageSql(q, w, dir, extra, offset > 0)).all({ ...params, limit, offset }) as Row[];
  // One row past the page says whether another page follows in the direction walked.
  const want = q.limit + 1;
  let rows: Row[] = [];
  if (q.cursor) {
    for (const seg of queueSegments(decodeQueueKey(q.cursor), back ? '<' : '>', params)) {
      if (rows.length >= want) break;
      rows.push(...page(seg, want - rows.length));
    }
  } else rows = page('', want);
  const more = rows.length > q.limit;
  rows = rows.slice(0, q.limit);
  if (back) rows.reverse();
  const first = rows[0];
  const last = rows[rows.length - 1];
  // Walking forward, a page from a cursor or an offset has rows before it; walking back, a page
  // from a cursor has the cursor's row after it.
  const before = back ? more : !!q.cursor || offset > 0;
  const after = back ? !!q.cursor : more;
  const counts: Record<string, number> = {};
  for (const r of db.prepare(`SELECT field, COUNT(*) AS n FROM conflicts WHERE profile_id = ? AND active = 1 AND status = 'open' GROUP BY field`).all(q.profileId) as {
    field: string;
    n: number;
  }[])
    counts[r.field] = r.n;
  return {
    total,
    items: rows.map((r) => toConflict(r, settings)),
    counts,
    nextCursor: after && last ? encodeQueueKey(last) : null,
    prevCursor: before && first ? encodeQueueKey(first) : null,
  };
}

export function toCandidate(db: Db, r: Row, lastDetection = lastDetectionAt(db, r.profile_id as number)): SplitCandidate {
  const person = db.prepare(`SELECT * FROM persons WHERE profile_id = ? AND id = ?`);
  return {
    id: r.id as number,
    kind: r.kind as string,
    score: r.score as number,
    status: r.status as SplitCandidate['status'],
    evidence: JSON.parse(r.evidence_json as string) as Evidence[],
    a: toBrief(person.get(r.profile_id, r.person_a) as Row | undefined),
    b: toBrief(person.get(r.profile_id, r.person_b) as Row | undefined),
    personA: r.person_a as string,
    personB: r.person_b as string,
    firstSeenAt: r.first_seen_at as string,
    lastSeenAt: lastSeenOf(r as { status: string; last_seen_at: string }, lastDetection),
  };
}

/**
 * What a candidate list reads from: one person's pairs (a person's detail; @person) are found from
 * either side by index, as person_a or person_b, and then filtered. Asked as an OR over the two
 * columns, the planner walked the profile's whole queue by status.
 */
export function candidatesFrom(ofPerson: boolean): string {
  return ofPerson
    ? `(SELECT id AS cid FROM split_candidates WHERE profile_id = @pid AND person_a = @person
        UNION ALL SELECT id FROM split_candidates INDEXED BY split_candidates_by_person_b WHERE profile_id = @pid AND person_b = @person) x
       CROSS JOIN split_candidates ON split_candidates.id = x.cid`
    : 'split_candidates';
}

export function listCandidates(db: Db, q: { profileId: number; status: string; kind?: string | null; personId?: string | null; offset: number; limit: number }) {
  const where = ['profile_id = @pid'];
  const params: Record<string, unknown> = { pid: q.profileId, limit: q.limit, offset: q.offset };
  if (q.status !== 'all') {
    where.push('status = @status');
    params.status = q.status;
  }
  if (q.kind) {
    where.push('kind = @kind');
    params.kind = q.kind;
  }
  const from = candidatesFrom(!!q.personId);
  if (q.personId) params.person = q.personId;
  const w = where.join(' AND ');
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM ${from} WHERE ${w}`).get(params) as { n: number }).n;
  const rows = db.prepare(`SELECT split_candidates.* FROM ${from} WHERE ${w} ORDER BY score DESC, id LIMIT @limit OFFSET @offset`).all(params) as Row[];
  const lastDetection = lastDetectionAt(db, q.profileId);
  return { total, items: rows.map((r) => toCandidate(db, r, lastDetection)) };
}

export function listMerges(db: Db, profileId: number, personId?: string | null, limit = 200): MergeRecord[] {
  const rows = db
    .prepare(
      `SELECT id, survivor_id, merged_id, candidate_id, reason, merged_at, merged_by, undone_at, undone_by, snapshot_json FROM person_merges
       WHERE profile_id = ? ${personId ? 'AND (survivor_id = ? OR merged_id = ?)' : ''} ORDER BY id DESC LIMIT ?`,
    )
    .all(...(personId ? [profileId, personId, personId, limit] : [profileId, limit])) as Row[];
  return rows.map((r) => {
    const snap = JSON.parse(r.snapshot_json as string) as { persons: Row[] };
    const name = (id: unknown) => (snap.persons.find((p) => p.id === id)?.display_name as string | undefined) ?? null;
    return {
      id: r.id as number,
      survivorId: r.survivor_id as string,
      mergedId: r.merged_id as string,
      survivorName: name(r.survivor_id),
      mergedName: name(r.merged_id),
      candidateId: (r.candidate_id as number | null) ?? null,
      reason: (r.reason as string | null) ?? null,
      mergedAt: r.merged_at as string,
      mergedBy: r.merged_by as string,
      undoneAt: (r.undone_at as string | null) ?? null,
      undoneBy: (r.undone_by as string | null) ?? null,
    };
  });
}
