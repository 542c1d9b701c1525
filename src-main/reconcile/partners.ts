/**
 * Records with no partner in the other system: volunteers with no CRM+ contact, contacts with no
 * VOMO user. Real-world figures (not everyone both gives and serves), never errors. Counted on
 * the joined person store when it has been built, else on the normalized email alone.
 *
 * Written as NOT IN (subquery): SQLite builds each subquery's set once, where a correlated
 * NOT EXISTS is planned as a walk over the whole table per row on a large organization.
 */
import type { Db } from '../store/db';
import type { RunSummary } from '../../src-shared/domain/reconcile';

export function partnerFigures(db: Db, profileId: number): RunSummary['partners'] {
  const p = profileId;
  const count = (sql: string, ...args: unknown[]) => db.prepare(sql).pluck().get(...args) as number;
  const hasPersons = db.prepare('SELECT 1 FROM persons WHERE profile_id = ? LIMIT 1').pluck().get(p) !== undefined;
  if (hasPersons) {
    const volunteersWithoutCrm = count(
      `SELECT count(*) FROM vomo_users u
        WHERE u.profile_id = ? AND u.gone_at IS NULL
          AND u.id NOT IN (SELECT l.source_id FROM person_links l JOIN persons ps ON ps.profile_id = l.profile_id AND ps.id = l.person_id
                            WHERE l.profile_id = ? AND l.source = 'vomo' AND l.active = 1 AND ps.has_crm = 1)
          AND u.id NOT IN (SELECT vomo_user_id FROM persons WHERE profile_id = ? AND has_crm = 1 AND vomo_user_id IS NOT NULL)`,
      p,
      p,
      p,
    );
    const contactsWithoutVomo = count(
      `SELECT count(*) FROM crm_contacts c
        WHERE c.profile_id = ? AND c.gone_at IS NULL
          AND c.id NOT IN (SELECT crm_contact_id FROM persons WHERE profile_id = ? AND has_vomo = 1 AND crm_contact_id IS NOT NULL)`,
      p,
      p,
    );
    return { volunteersWithoutCrm, contactsWithoutVomo, basis: 'persons' };
  }
  const volunteersWithoutCrm = count(
    `SELECT count(*) FROM vomo_users u
      WHERE u.profile_id = ? AND u.gone_at IS NULL
        AND (u.email_norm IS NULL OR u.email_norm NOT IN (
              SELECT m.email_norm FROM crm_contact_methods m
               WHERE m.profile_id = ? AND m.email_norm IS NOT NULL
                 AND m.contact_id IN (SELECT id FROM crm_contacts WHERE profile_id = ? AND gone_at IS NULL)))`,
    p,
    p,
    p,
  );
  const contactsWithoutVomo = count(
    `SELECT count(*) FROM crm_contacts c
      WHERE c.profile_id = ? AND c.gone_at IS NULL
        AND c.id NOT IN (
              SELECT m.contact_id FROM crm_contact_methods m
               WHERE m.profile_id = ? AND m.email_norm IS NOT NULL
                 AND m.email_norm IN (SELECT email_norm FROM vomo_users WHERE profile_id = ? AND gone_at IS NULL AND email_norm IS NOT NULL))`,
    p,
    p,
    p,
  );
  return { volunteersWithoutCrm, contactsWithoutVomo, basis: 'email' };
}
