/**
 * Records with no partner in the other system: volunteers with no CRM+ contact, contacts with no
 * VOMO user. Real-world figures (not everyone both gives and serves), never errors. Counted on
 * the joined person store when it has been built, else on the normalized email alone.
 */
import type { Db } from '../store/db';
import type { RunSummary } from '../../src-shared/domain/reconcile';

export function partnerFigures(db: Db, profileId: number): RunSummary['partners'] {
  const p = profileId;
  const hasPersons = db.prepare('SELECT 1 FROM persons WHERE profile_id = ? LIMIT 1').pluck().get(p) !== undefined;
  if (hasPersons) {
    const volunteersWithoutCrm = db
      .prepare(
        `SELECT count(*) FROM vomo_users u
          WHERE u.profile_id = ? AND u.gone_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM person_links l JOIN persons ps ON ps.profile_id = l.profile_id AND ps.id = l.person_id
                             WHERE l.profile_id = u.profile_id AND l.source = 'vomo' AND l.source_id = u.id AND l.active = 1 AND ps.has_crm = 1)
            AND NOT EXISTS (SELECT 1 FROM persons ps WHERE ps.profile_id = u.profile_id AND ps.vomo_user_id = u.id AND ps.has_crm = 1)`,
      )
      .pluck()
      .get(p) as number;
    const contactsWithoutVomo = db
      .prepare(
        `SELECT count(*) FROM crm_contacts c
          WHERE c.profile_id = ? AND c.gone_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM persons ps WHERE ps.profile_id = c.profile_id AND ps.crm_contact_id = c.id AND ps.has_vomo = 1)`,
      )
      .pluck()
      .get(p) as number;
    return { volunteersWithoutCrm, contactsWithoutVomo, basis: 'persons' };
  }
  const volunteersWithoutCrm = db
    .prepare(
      `SELECT count(*) FROM vomo_users u
        WHERE u.profile_id = ? AND u.gone_at IS NULL
          AND (u.email_norm IS NULL OR NOT EXISTS (SELECT 1 FROM crm_contact_methods m JOIN crm_contacts c ON c.profile_id = m.profile_id AND c.id = m.contact_id AND c.gone_at IS NULL
                                                  WHERE m.profile_id = u.profile_id AND m.email_norm = u.email_norm))`,
    )
    .pluck()
    .get(p) as number;
  const contactsWithoutVomo = db
    .prepare(
      `SELECT count(*) FROM crm_contacts c
        WHERE c.profile_id = ? AND c.gone_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM crm_contact_methods m JOIN vomo_users u ON u.profile_id = m.profile_id AND u.email_norm = m.email_norm AND u.gone_at IS NULL
                           WHERE m.profile_id = c.profile_id AND m.contact_id = c.id AND m.email_norm IS NOT NULL)`,
    )
    .pluck()
    .get(p) as number;
  return { volunteersWithoutCrm, contactsWithoutVomo, basis: 'email' };
}
