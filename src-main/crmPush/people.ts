/**
 * Who "Add to CRM+" is about: persons of the joined store, by id or by insight list, with the
 * VOMO values the Transaction body is built from (the VOMO mirror's own row first: the body
 * describes the volunteer as VOMO has them, whatever the display authority chose).
 */
import type { Db } from '../store/db';
import { AppError } from '../../src-shared/errors';
import type { InsightsService } from '../insights/service';
import type { ListFilters, ListName } from '../../src-shared/domain/insights';
import type { PushPerson } from './transactionBody';

export interface PersonForPush extends PushPerson {
  displayName: string;
  hasCrm: boolean;
  crmContactId: string | null;
}

interface Row {
  id: string;
  vomo_user_id: string | null;
  display_name: string | null;
  display_email: string | null;
  has_crm: number;
  crm_contact_id: string | null;
  p_first: string | null;
  p_last: string | null;
  p_email: string | null;
  p_phone: string | null;
  p_address: string | null;
  u_first: string | null;
  u_last: string | null;
  u_email: string | null;
  u_phone: string | null;
  u_address: string | null;
}

export function loadPersons(db: Db, profileId: number, personIds: string[]): PersonForPush[] {
  const stmt = db.prepare(
    `SELECT p.id, p.vomo_user_id, p.display_name, p.display_email, p.has_crm, p.crm_contact_id,
            p.vomo_first_name AS p_first, p.vomo_last_name AS p_last, p.vomo_email AS p_email, p.vomo_phone AS p_phone, p.vomo_address AS p_address,
            u.first_name AS u_first, u.last_name AS u_last, u.email AS u_email, u.phone AS u_phone, u.address AS u_address
     FROM persons p LEFT JOIN vomo_users u ON u.profile_id = p.profile_id AND u.id = p.vomo_user_id AND u.gone_at IS NULL
     WHERE p.profile_id = ? AND p.id = ?`,
  );
  const out: PersonForPush[] = [];
  const seen = new Set<string>();
  for (const id of personIds) {
    if (seen.has(id)) continue;
    seen.add(id);
    const r = stmt.get(profileId, id) as Row | undefined;
    if (!r) throw new AppError('NOT_FOUND', `There is no person ${id} in this profile (the store may have been rebuilt; reload the list).`);
    const firstName = r.u_first ?? r.p_first;
    const lastName = r.u_last ?? r.p_last;
    out.push({
      personId: r.id,
      vomoUserId: r.vomo_user_id,
      firstName,
      lastName,
      email: r.u_email ?? r.p_email,
      phone: r.u_phone ?? r.p_phone,
      address: r.u_address ?? r.p_address,
      displayName: r.display_name ?? ([firstName, lastName].filter(Boolean).join(' ') || r.display_email || r.id),
      hasCrm: r.has_crm === 1,
      crmContactId: r.crm_contact_id,
    });
  }
  return out;
}

/** The person ids of an insight list as the steward sees it (same filters, search and order). */
export async function listPersonIds(
  insights: Pick<InsightsService, 'allRows'>,
  profileId: number,
  list: ListName,
  opts: { filters?: ListFilters; search?: string; max: number },
): Promise<{ ids: string[]; truncated: boolean }> {
  const { rows } = await insights.allRows({ profileId, list, filters: opts.filters, search: opts.search }, opts.max + 1);
  const ids = rows.map((r) => r.personId);
  const truncated = ids.length > opts.max;
  return { ids: truncated ? ids.slice(0, opts.max) : ids, truncated };
}
