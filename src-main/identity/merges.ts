/**
 * Merges and their undo. Only on the steward's approval, in one transaction (the caller's):
 * the survivor takes the other person's links (and through them its participations, gifts
 * and decisions), the merged row is removed, a 'same' decision is recorded so rebuilds keep
 * the merge, and person_merges keeps a snapshot of every affected row. Undo restores those rows
 * exactly and revokes the decision. Nothing here talks to a remote API.
 */
import type { Db } from '../store/db';
import type { IdentitySettings } from '../../src-shared/domain/identity';
import { AppError } from '../../src-shared/errors';
import { recordDecision } from './decisions';
import { recomputePersons } from './recompute';
import { queueUnderShownNames } from './conflicts';
import { representativeKeys, lastDetectionAt, DECIDED_LAST_SEEN } from './splits';
import { notePersonChanges } from './personChanges';

type Row = Record<string, unknown>;
interface Snapshot {
  persons: Row[];
  links: Row[];
  conflicts: Row[];
  candidates: Row[];
  findings: Row[];
}

const insertableColumns = new Map<string, string[]>();
function columnsOf(db: Db, table: string): string[] {
  let cols = insertableColumns.get(table);
  if (!cols) {
    // table_xinfo marks generated columns hidden (2, 3): they cannot be inserted.
    cols = (db.prepare(`PRAGMA table_xinfo(${table})`).all() as { name: string; hidden: number }[]).filter((c) => c.hidden === 0).map((c) => c.name);
    insertableColumns.set(table, cols);
  }
  return cols;
}

function takeSnapshot(db: Db, profileId: number, ids: string[]): Snapshot {
  const [a, b] = ids;
  const sel = (table: string, where: string, ...args: unknown[]) => {
    const cols = columnsOf(db, table);
    return db.prepare(`SELECT ${cols.join(', ')} FROM ${table} WHERE profile_id = ? AND (${where}) ORDER BY 1, 2, 3`).all(profileId, ...args) as Row[];
  };
  return {
    persons: sel('persons', 'id IN (?, ?)', a, b),
    links: sel('person_links', 'person_id IN (?, ?)', a, b),
    conflicts: sel('conflicts', 'person_id IN (?, ?)', a, b),
    candidates: sel('split_candidates', 'person_a IN (?, ?) OR person_b IN (?, ?)', a, b, a, b),
    findings: sel('identity_findings', 'person_id IN (?, ?)', a, b),
  };
}

function clearRows(db: Db, profileId: number, ids: string[]): void {
  const [a, b] = ids;
  db.prepare(`DELETE FROM persons WHERE profile_id = ? AND id IN (?, ?)`).run(profileId, a, b);
  db.prepare(`DELETE FROM person_links WHERE profile_id = ? AND person_id IN (?, ?)`).run(profileId, a, b);
  db.prepare(`DELETE FROM conflicts WHERE profile_id = ? AND person_id IN (?, ?)`).run(profileId, a, b);
  db.prepare(`DELETE FROM split_candidates WHERE profile_id = ? AND (person_a IN (?, ?) OR person_b IN (?, ?))`).run(profileId, a, b, a, b);
  db.prepare(`DELETE FROM identity_findings WHERE profile_id = ? AND person_id IN (?, ?)`).run(profileId, a, b);
}

function restoreRows(db: Db, table: string, rows: Row[]): void {
  for (const r of rows) {
    const cols = Object.keys(r);
    db.prepare(`INSERT OR REPLACE INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...cols.map((c) => r[c]));
  }
}

export interface MergeInput {
  profileId: number;
  survivorId: string;
  mergedId: string;
  candidateId?: number | null;
  reason?: string | null;
  actor: string;
  now: string;
  settings: IdentitySettings;
}

export function mergePersons(db: Db, m: MergeInput): { mergeId: number; snapshot: Snapshot } {
  const { profileId, survivorId, mergedId, now } = m;
  if (survivorId === mergedId) throw new AppError('BAD_INPUT', 'A person cannot be merged with itself.');
  const exists = db.prepare(`SELECT id FROM persons WHERE profile_id = ? AND id = ?`);
  for (const id of [survivorId, mergedId]) if (!exists.get(profileId, id)) throw new AppError('NOT_FOUND', `There is no person ${id} (it may have been merged already).`);
  const snapshot = takeSnapshot(db, profileId, [survivorId, mergedId]);
  const rep = representativeKeys(db, profileId);
  const keyS = rep(survivorId);
  const keyM = rep(mergedId);
  if (!keyS || !keyM) throw new AppError('CONFLICT', 'One of these persons has no live source record to merge.');
  const cand = m.candidateId ? (db.prepare(`SELECT kind FROM split_candidates WHERE id = ?`).get(m.candidateId) as { kind: string } | undefined) : undefined;

  const info = db
    .prepare(`INSERT INTO person_merges (profile_id, survivor_id, merged_id, candidate_id, reason, merged_at, merged_by, snapshot_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(profileId, survivorId, mergedId, m.candidateId ?? null, m.reason ?? null, now, m.actor, JSON.stringify(snapshot));
  const mergeId = Number(info.lastInsertRowid);
  recordDecision(db, profileId, keyS, keyM, 'same', { emailJoined: false, kind: cand?.kind ?? 'manual', reason: m.reason, actor: m.actor, now, mergeId });

  // Links: the survivor takes every link (history included); its own rows for the same
  // source records (old history) give way.
  db.prepare(
    `DELETE FROM person_links WHERE profile_id = ? AND person_id = ? AND (source, source_id) IN (SELECT source, source_id FROM person_links WHERE profile_id = ? AND person_id = ?)`,
  ).run(profileId, survivorId, profileId, mergedId);
  db.prepare(
    `UPDATE person_links SET person_id = ?, how = CASE WHEN active = 1 THEN 'merge' ELSE how END,
       match_card_json = CASE WHEN active = 1 THEN json_object('k', 'merge', 'v', ?, 'via', ?) ELSE match_card_json END, last_seen_at = CASE WHEN active = 1 THEN ? ELSE last_seen_at END
     WHERE profile_id = ? AND person_id = ?`,
  ).run(survivorId, m.reason ?? null, keyS, now, profileId, mergedId);
  db.prepare(`DELETE FROM persons WHERE profile_id = ? AND id = ?`).run(profileId, mergedId);
  db.prepare(`DELETE FROM conflicts WHERE profile_id = ? AND person_id = ?`).run(profileId, mergedId);
  db.prepare(`UPDATE identity_findings SET person_id = ? WHERE profile_id = ? AND person_id = ?`).run(survivorId, profileId, mergedId);
  const [a, b] = survivorId < mergedId ? [survivorId, mergedId] : [mergedId, survivorId];
  db.prepare(`UPDATE split_candidates SET status = 'merged', decided_at = ?, ${DECIDED_LAST_SEEN} WHERE profile_id = ? AND person_a = ? AND person_b = ?`).run(now, lastDetectionAt(db, profileId), profileId, a, b);
  db.prepare(`DELETE FROM split_candidates WHERE profile_id = ? AND status = 'open' AND (person_a = ? OR person_b = ?)`).run(profileId, mergedId, mergedId);
  notePersonChanges(db, profileId, [mergedId]);
  recomputePersons(db, profileId, [survivorId], m.settings, now);
  return { mergeId, snapshot };
}

export function undoMerge(db: Db, profileId: number, mergeId: number, actor: string, now: string): { survivorId: string; mergedId: string } {
  const row = db.prepare(`SELECT * FROM person_merges WHERE profile_id = ? AND id = ?`).get(profileId, mergeId) as
    | { survivor_id: string; merged_id: string; snapshot_json: string; undone_at: string | null }
    | undefined;
  if (!row) throw new AppError('NOT_FOUND', `There is no merge ${mergeId}.`);
  if (row.undone_at) throw new AppError('CONFLICT', 'This merge was already undone.');
  const later = db.prepare(`SELECT id FROM person_merges WHERE profile_id = ? AND id > ? AND undone_at IS NULL AND (survivor_id IN (?, ?) OR merged_id IN (?, ?))`).get(
    profileId,
    mergeId,
    row.survivor_id,
    row.merged_id,
    row.survivor_id,
    row.merged_id,
  ) as { id: number } | undefined;
  if (later) throw new AppError('CONFLICT', `Undo the later merge ${later.id} of these persons first.`);
  const snap = JSON.parse(row.snapshot_json) as Snapshot;
  const ids = [row.survivor_id, row.merged_id];
  clearRows(db, profileId, ids);
  restoreRows(db, 'persons', snap.persons);
  restoreRows(db, 'person_links', snap.links);
  restoreRows(db, 'conflicts', snap.conflicts);
  queueUnderShownNames(db, profileId, ids);
  restoreRows(db, 'split_candidates', snap.candidates);
  restoreRows(db, 'identity_findings', snap.findings);
  db.prepare(`UPDATE identity_decisions SET revoked_at = ? WHERE profile_id = ? AND merge_id = ? AND revoked_at IS NULL`).run(now, profileId, mergeId);
  db.prepare(`UPDATE person_merges SET undone_at = ?, undone_by = ? WHERE id = ?`).run(now, actor, mergeId);
  notePersonChanges(db, profileId, ids);
  return { survivorId: row.survivor_id, mergedId: row.merged_id };
}
