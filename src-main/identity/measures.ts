/**
 * Denormalized measures on persons (hours, participations, giving, gift dates), set-based:
 * aggregates per person into one temp table, then one UPDATE that writes only the rows whose
 * measures changed. A rebuild computes the same measures in its person pass
 * (personMeasures.ts); this path serves merges, undo and resolutions, which recompute a few
 * persons outside a rebuild. Scope: every person of the profile, or a list of person IDs, for
 * which the CRM+ giving owner is derived from the links first.
 */
import type { Db } from '../store/db';
import { verifiedParticipationSql } from './verifiedHours';
import { fillPersonScope } from './scopeTables';
import { raiseGiftInCrmSql } from '../store/giftOrigin';

/**
 * The definitions every view, list, export and the CLI read from these columns:
 * - lifetime giving: the CRM+ contact's lifetime giving (lifeToDate, else the sum of its gifts)
 *   plus the Raise gifts CRM+ does not have yet (held back or not synced). A Raise gift that
 *   reached CRM+ is a CRM+ gift too and counts once.
 * - last / first gift: the latest / earliest gift day over CRM+ and Raise.
 * - verified hours: verifiedHours.ts. Last participation: the latest attended instant (check-in,
 *   else check-out); a sign-up never attended is not service.
 */
const ATTENDED = (p: string) => `COALESCE(${p}.checked_in_at, ${p}.checked_out_at)`;

const RAISE_OK = `COALESCE(LOWER(g.status_text), '') NOT LIKE '%fail%' AND COALESCE(LOWER(g.status_text), '') NOT LIKE '%refund%'
  AND COALESCE(LOWER(g.status_text), '') NOT LIKE '%declin%' AND COALESCE(LOWER(g.status_text), '') NOT LIKE '%void%'`;

/**
 * Per source record, the inputs the measures below aggregate, as a correlated scalar subquery on
 * the record's alias (one JSON array or NULL): a VOMO user's participations, a Raise donor's
 * counted gifts, a CRM+ contact's live gifts. They go into the records' digests (nodes.ts), so
 * a person whose members' inputs are unchanged keeps its measures, and a rebuild recomputes
 * measures only for the persons it recomputed, from these inputs (personMeasures.ts). Keep these
 * in step with applyMeasures.
 */
export const MEASURE_INPUTS = {
  vomo: (u: string) => `SELECT json_array(${VOMO_AGGREGATES('p')})
         FROM vomo_participations p WHERE p.profile_id = ${u}.profile_id AND p.user_id = ${u}.id`,
  raise: (d: string) => `SELECT json_array(COUNT(*), SUM(COALESCE(g.amount_cents, 0)), MIN(g.gift_date), MAX(g.gift_date),
            SUM(CASE WHEN ${raiseGiftInCrmSql('g')} THEN 0 ELSE COALESCE(g.amount_cents, 0) END))
          FROM raise_gifts g WHERE g.profile_id = ${d}.profile_id AND g.donor_id = ${d}.id AND g.gone_at IS NULL AND ${RAISE_OK}`,
  crmContact: (c: string) => `SELECT json_array(COUNT(*), SUM(g.amount_cents), MIN(g.gift_date), MAX(g.gift_date))
               FROM crm_gifts g WHERE g.profile_id = ${c}.profile_id AND g.contact_id = ${c}.id AND g.gone_at IS NULL`,
};

/**
 * A VOMO user's (or a person's) participations, in the order personMeasures.ts reads them:
 * count, all hours, verified hours, first and last attended instant as stored, verified count,
 * judged by VOMO's flag, judged by check-in and check-out, first and last attended instant in ISO UTC.
 */
export function VOMO_AGGREGATES(p: string): string {
  const verified = verifiedParticipationSql(p);
  const attended = `strftime('%Y-%m-%dT%H:%M:%SZ', ${ATTENDED(p)})`;
  return `COUNT(*), SUM(COALESCE(${p}.hours, 0)), SUM(CASE WHEN ${verified} THEN COALESCE(${p}.hours, 0) ELSE 0 END),
    MIN(${ATTENDED(p)}), MAX(${ATTENDED(p)}),
    SUM(CASE WHEN ${verified} THEN 1 ELSE 0 END), SUM(${p}.verified IS NOT NULL),
    SUM(${p}.verified IS NULL AND ${p}.checked_in_at IS NOT NULL AND ${p}.checked_out_at IS NOT NULL), MIN(${attended}), MAX(${attended})`;
}

const COLS = [
  'vomo_hours_total',
  'vomo_hours_verified',
  'vomo_participations_count',
  'first_participation_at',
  'last_participation_at',
  'vomo_verified_count',
  'vomo_verified_by_flag',
  'vomo_verified_by_check',
  'first_attended_at',
  'last_attended_at',
  'crm_life_to_date_cents',
  'crm_gift_count',
  'raise_giving_cents',
  'raise_gift_count',
  'first_raise_gift_date',
  'last_raise_gift_date',
  'lifetime_giving_cents',
  'first_gift_date',
  'last_gift_date',
];

export function applyMeasures(db: Db, profileId: number, scope?: string[]): void {
  let inP = '';
  let inL = '';
  if (scope) {
    fillPersonScope(db, scope);
    inP = ' AND p.id IN (SELECT id FROM temp.identity_person_scope)';
    inL = ' AND l.person_id IN (SELECT id FROM temp.identity_person_scope)';
    // The contact's giving counts once: on the person holding its primary (else first) individual.
    db.prepare(
      `UPDATE persons AS p SET crm_giving_owner = COALESCE((
           SELECT l.person_id = p.id FROM crm_individuals i
           JOIN person_links l ON l.profile_id = i.profile_id AND l.source = 'crm_individual' AND l.source_id = i.id AND l.active = 1
           WHERE i.profile_id = p.profile_id AND i.contact_id = p.crm_contact_id
           ORDER BY i.is_primary DESC, CAST(i.id AS INTEGER), i.id LIMIT 1), p.crm_contact_id IS NOT NULL)
       WHERE p.profile_id = ?${inP}`,
    ).run(profileId);
  }
  const params = { pid: profileId };
  db.exec('DROP TABLE IF EXISTS temp.m_v; DROP TABLE IF EXISTS temp.m_c; DROP TABLE IF EXISTS temp.m_r; DROP TABLE IF EXISTS temp.m_all');
  db.prepare(
    `CREATE TEMP TABLE m_v AS
     SELECT l.person_id AS pid, SUM(COALESCE(p.hours, 0)) AS total, SUM(CASE WHEN ${verifiedParticipationSql('p')} THEN COALESCE(p.hours, 0) ELSE 0 END) AS verified,
       COUNT(*) AS cnt, MIN(${ATTENDED('p')}) AS first_at, MAX(${ATTENDED('p')}) AS last_at,
       SUM(CASE WHEN ${verifiedParticipationSql('p')} THEN 1 ELSE 0 END) AS v_cnt, SUM(p.verified IS NOT NULL) AS by_flag,
       SUM(p.verified IS NULL AND p.checked_in_at IS NOT NULL AND p.checked_out_at IS NOT NULL) AS by_check,
       MIN(strftime('%Y-%m-%dT%H:%M:%SZ', ${ATTENDED('p')})) AS first_att,
       MAX(strftime('%Y-%m-%dT%H:%M:%SZ', ${ATTENDED('p')})) AS last_att
     FROM person_links l JOIN vomo_participations p ON p.profile_id = l.profile_id AND p.user_id = l.source_id
     WHERE l.profile_id = @pid AND l.source = 'vomo' AND l.active = 1${inL}
     GROUP BY l.person_id`,
  ).run(params);
  db.exec('CREATE UNIQUE INDEX temp.m_v_pid ON m_v (pid)');
  // CRM+: lifeToDate as parsed, else the sum of the contact's gifts; only on the giving owner.
  db.prepare(
    `CREATE TEMP TABLE m_c AS
     SELECT p.id AS pid, c.life_to_date_giving_cents AS ltd, c.last_gift_date AS c_last, g.cnt, g.total, g.first_date, g.last_date
     FROM persons p JOIN crm_contacts c ON c.profile_id = p.profile_id AND c.id = p.crm_contact_id
     LEFT JOIN (SELECT contact_id, COUNT(*) AS cnt, SUM(amount_cents) AS total, MIN(gift_date) AS first_date, MAX(gift_date) AS last_date
                FROM crm_gifts WHERE profile_id = @pid AND gone_at IS NULL${
                  scope ? ` AND contact_id IN (SELECT crm_contact_id FROM persons WHERE profile_id = @pid AND id IN (SELECT id FROM temp.identity_person_scope))` : ''
                } GROUP BY contact_id) g ON g.contact_id = p.crm_contact_id
     WHERE p.profile_id = @pid AND p.crm_giving_owner = 1${inP}`,
  ).run(params);
  db.exec('CREATE UNIQUE INDEX temp.m_c_pid ON m_c (pid)');
  db.prepare(
    `CREATE TEMP TABLE m_r AS
     SELECT l.person_id AS pid, SUM(COALESCE(g.amount_cents, 0)) AS total, COUNT(*) AS cnt, MIN(g.gift_date) AS first_date, MAX(g.gift_date) AS last_date,
       SUM(CASE WHEN ${raiseGiftInCrmSql('g')} THEN 0 ELSE COALESCE(g.amount_cents, 0) END) AS not_in_crm
     FROM person_links l JOIN raise_gifts g ON g.profile_id = l.profile_id AND g.donor_id = l.source_id
     WHERE l.profile_id = @pid AND l.source = 'raise' AND l.active = 1 AND g.gone_at IS NULL AND ${RAISE_OK}${inL}
     GROUP BY l.person_id`,
  ).run(params);
  db.exec('CREATE UNIQUE INDEX temp.m_r_pid ON m_r (pid)');
  // A Raise gift that reached CRM+ is in the CRM+ lifetime already: add only those it lacks.
  db.prepare(
    `CREATE TEMP TABLE m_all AS
     SELECT pid, vomo_hours_total, vomo_hours_verified, vomo_participations_count, first_participation_at, last_participation_at,
       vomo_verified_count, vomo_verified_by_flag, vomo_verified_by_check, first_attended_at, last_attended_at,
       crm_life_to_date_cents, crm_gift_count, raise_giving_cents, raise_gift_count, first_raise_gift_date, last_raise_gift_date,
       COALESCE(crm_life_to_date_cents, 0) + raise_not_in_crm_cents AS lifetime_giving_cents,
       CASE WHEN crm_first IS NULL THEN first_raise_gift_date WHEN first_raise_gift_date IS NULL THEN crm_first ELSE MIN(crm_first, first_raise_gift_date) END AS first_gift_date,
       CASE WHEN crm_last IS NULL THEN last_raise_gift_date WHEN last_raise_gift_date IS NULL THEN crm_last ELSE MAX(crm_last, last_raise_gift_date) END AS last_gift_date
     FROM (
       SELECT p.id AS pid,
         COALESCE(v.total, 0) AS vomo_hours_total, COALESCE(v.verified, 0) AS vomo_hours_verified, COALESCE(v.cnt, 0) AS vomo_participations_count,
         v.first_at AS first_participation_at, v.last_at AS last_participation_at,
         COALESCE(v.v_cnt, 0) AS vomo_verified_count, COALESCE(v.by_flag, 0) AS vomo_verified_by_flag, COALESCE(v.by_check, 0) AS vomo_verified_by_check,
         v.first_att AS first_attended_at, v.last_att AS last_attended_at,
         COALESCE(c.ltd, c.total) AS crm_life_to_date_cents, COALESCE(c.cnt, 0) AS crm_gift_count,
         COALESCE(r.total, 0) AS raise_giving_cents, COALESCE(r.not_in_crm, 0) AS raise_not_in_crm_cents, COALESCE(r.cnt, 0) AS raise_gift_count,
         substr(r.first_date, 1, 10) AS first_raise_gift_date, substr(r.last_date, 1, 10) AS last_raise_gift_date,
         substr(c.first_date, 1, 10) AS crm_first,
         CASE WHEN c.c_last IS NULL THEN substr(c.last_date, 1, 10) WHEN c.last_date IS NULL OR c.c_last > c.last_date THEN substr(c.c_last, 1, 10) ELSE substr(c.last_date, 1, 10) END AS crm_last
       FROM persons p LEFT JOIN temp.m_v v ON v.pid = p.id LEFT JOIN temp.m_c c ON c.pid = p.id LEFT JOIN temp.m_r r ON r.pid = p.id
       WHERE p.profile_id = @pid${inP}
     )`,
  ).run(params);
  db.exec('CREATE UNIQUE INDEX temp.m_all_pid ON m_all (pid)');
  db.prepare(
    `UPDATE persons SET ${COLS.map((c) => `${c} = m.${c}`).join(', ')}
     FROM temp.m_all m WHERE persons.profile_id = @pid AND persons.id = m.pid${
       // Scoped: the IN on the key makes the planner start from the few scoped persons, not walk every person.
       scope ? ' AND persons.id IN (SELECT id FROM temp.identity_person_scope)' : ''
     } AND (${COLS.map((c) => `persons.${c} IS NOT m.${c}`).join(' OR ')})`,
  ).run(params);
  db.exec('DROP TABLE IF EXISTS temp.m_v; DROP TABLE IF EXISTS temp.m_c; DROP TABLE IF EXISTS temp.m_r; DROP TABLE IF EXISTS temp.m_all');
}
