/**
 * The changed-persons feed (migration 0024): every writer of persons rows notes the persons it
 * wrote or removed, and a view that keeps its own per-person copy (the insight measures) takes
 * the feed to recompute only those. '*' stands for every person (a full rebuild).
 */
import type { Db } from '../store/db';

const EVERYONE = '*';

export function notePersonChanges(db: Db, profileId: number, ids: Iterable<string> | 'all'): void {
  if (ids === 'all') {
    db.prepare(`DELETE FROM identity_person_changes WHERE profile_id = ?`).run(profileId);
    db.prepare(`INSERT INTO identity_person_changes (profile_id, person_id) VALUES (?, ?)`).run(profileId, EVERYONE);
    return;
  }
  if (db.prepare(`SELECT 1 FROM identity_person_changes WHERE profile_id = ? AND person_id = ?`).get(profileId, EVERYONE)) return;
  const ins = db.prepare(`INSERT OR IGNORE INTO identity_person_changes (profile_id, person_id) VALUES (?, ?)`);
  for (const id of ids) ins.run(profileId, id);
}

/** The persons changed since the last take ('all': every one), and the feed emptied. Run in the caller's transaction. */
export function takePersonChanges(db: Db, profileId: number): string[] | 'all' {
  const ids = db.prepare(`SELECT person_id FROM identity_person_changes WHERE profile_id = ?`).pluck().all(profileId) as string[];
  db.prepare(`DELETE FROM identity_person_changes WHERE profile_id = ?`).run(profileId);
  return ids.includes(EVERYONE) ? 'all' : ids;
}
