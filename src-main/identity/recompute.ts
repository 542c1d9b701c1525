/** Recompute a few persons from their active links (after a merge, an undo, a resolution). */
import type { Db } from '../store/db';
import type { IdentitySettings } from '../../src-shared/domain/identity';
import { loadNodes } from './nodes';
import { computePerson, personValues, PERSON_COLUMNS } from './personRow';
import { applyMeasures } from './measures';
import { evaluateConflicts } from './conflicts';
import { markPersonsForRebuild } from './nodeCache';
import { notePersonChanges } from './personChanges';

export function recomputePersons(db: Db, profileId: number, personIds: string[], settings: IdentitySettings, now: string): void {
  const keysOf = db.prepare(`SELECT source || ':' || source_id AS k FROM person_links WHERE profile_id = ? AND person_id = ? AND active = 1`);
  const createdOf = db.prepare(`SELECT created_at FROM persons WHERE profile_id = ? AND id = ?`);
  const del = db.prepare(`DELETE FROM persons WHERE profile_id = ? AND id = ?`);
  const insert = db.prepare(`INSERT INTO persons (profile_id, ${PERSON_COLUMNS.join(', ')}) VALUES (?, ${PERSON_COLUMNS.map(() => '?').join(', ')})`);
  markPersonsForRebuild(db, profileId, personIds);
  notePersonChanges(db, profileId, personIds);
  for (const pid of personIds) {
    const keys = (keysOf.all(profileId, pid) as { k: string }[]).map((r) => r.k);
    const created = (createdOf.get(profileId, pid) as { created_at: string } | undefined)?.created_at ?? null;
    del.run(profileId, pid);
    if (!keys.length) continue;
    const { nodes } = loadNodes(db, profileId, keys);
    if (!nodes.length) continue;
    const row = computePerson(pid, nodes, settings, now, created);
    // No digest: the next rebuild recomputes this person once from the mirrors.
    row.identity_hash = null;
    insert.run(personValues(profileId, row));
  }
  applyMeasures(db, profileId, personIds);
  evaluateConflicts(db, profileId, settings, now, personIds);
}
