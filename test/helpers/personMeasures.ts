/**
 * For tests and benchmarks that write person rows by hand: the VOMO measures a rebuild's person
 * pass would give them, from their active VOMO links' participations (the same aggregates).
 */
import type { Db } from '../../src-main/store/db';
import { VOMO_AGGREGATES } from '../../src-main/identity/measures';

export function fillVomoMeasures(db: Db, profileId: number): void {
  const at = (i: number) => `json_extract(a.agg, '$[${i}]')`;
  db.prepare(
    `UPDATE persons SET vomo_participations_count = ${at(0)}, vomo_hours_total = COALESCE(${at(1)}, 0), vomo_hours_verified = COALESCE(${at(2)}, 0),
       first_participation_at = ${at(3)}, last_participation_at = ${at(4)}, vomo_verified_count = COALESCE(${at(5)}, 0),
       vomo_verified_by_flag = COALESCE(${at(6)}, 0), vomo_verified_by_check = COALESCE(${at(7)}, 0), first_attended_at = ${at(8)}, last_attended_at = ${at(9)}
     FROM (SELECT l.person_id AS pid, json_array(${VOMO_AGGREGATES('p')}) AS agg
           FROM person_links l JOIN vomo_participations p ON p.profile_id = l.profile_id AND p.user_id = l.source_id
           WHERE l.profile_id = @pid AND l.source = 'vomo' AND l.active = 1 GROUP BY l.person_id) a
     WHERE persons.profile_id = @pid AND persons.id = a.pid`,
  ).run({ pid: profileId });
}
