/** Everything about one person for the Person view. */
import type { Db } from '../store/db';
import type { IdentitySettings, PersonDetail } from '../../src-shared/domain/identity';
import { AppError } from '../../src-shared/errors';
import { parseCard } from './matchCards';
import { listCandidates, listConflicts, listMerges } from './queries';
import { compareKey } from './conflicts';
import { verifiedParticipationSql } from './verifiedHours';
import { raiseOriginSql } from '../store/giftOrigin';

type Row = Record<string, unknown>;

function strip(r: Row): Row {
  const { raw_json: _raw, profile_id: _p, ...rest } = r;
  return rest;
}

/**
 * The email lineage of one person's records. Driven from the person's links (CROSS JOIN keeps
 * that order): left to the planner, it walked the whole profile's lineage (2 s at 1M persons).
 */
export const LINEAGE_OF_PERSON = `SELECT e.* FROM person_links l CROSS JOIN email_lineage e
   ON e.profile_id = l.profile_id AND e.source = l.source AND e.source_id = l.source_id
  WHERE l.profile_id = ? AND l.person_id = ? AND l.active = 1
  ORDER BY e.first_seen_at, e.source, e.email_norm`;

/**
 * The person a CRM+ household's giving counts on, when that is another person than the one shown:
 * found from the household's records (its individuals, and the contact as a record of its own) and
 * their links, each by index. Asked of persons by their contact column, SQLite walked the whole
 * profile's persons at 1M (150-520 ms a detail view): a store's sampled statistics give that column
 * as many rows per value as a profile, most persons having no contact.
 */
export const HOUSEHOLD_OWNER = `SELECT p.id, p.display_name AS name
  FROM (SELECT 'crm_individual' AS source, i.id AS source_id FROM crm_individuals i INDEXED BY crm_individuals_by_contact
         WHERE i.profile_id = @p AND i.contact_id = @contact
        UNION ALL SELECT 'crm_contact', @contact) r
  CROSS JOIN person_links l INDEXED BY person_links_active ON l.profile_id = @p AND l.source = r.source AND l.source_id = r.source_id AND l.active = 1
  CROSS JOIN persons p ON p.profile_id = @p AND p.id = l.person_id
  WHERE p.crm_contact_id = @contact AND p.crm_giving_owner = 1 AND p.id <> @person
  LIMIT 1`;

export function personDetail(db: Db, profileId: number, personId: string, settings: IdentitySettings, audit: PersonDetail['audit']): PersonDetail {
  const p = db.prepare(`SELECT * FROM persons WHERE profile_id = ? AND id = ?`).get(profileId, personId) as Row | undefined;
  if (!p) {
    const merged = db.prepare(`SELECT survivor_id FROM person_merges WHERE profile_id = ? AND merged_id = ? AND undone_at IS NULL ORDER BY id DESC LIMIT 1`).get(profileId, personId) as
      | { survivor_id: string }
      | undefined;
    throw new AppError('NOT_FOUND', merged ? `Person ${personId} was merged into ${merged.survivor_id}.` : `There is no person ${personId}.`);
  }
  const linkRows = db.prepare(`SELECT * FROM person_links WHERE profile_id = ? AND person_id = ? ORDER BY active DESC, source, source_id`).all(profileId, personId) as Row[];
  const lastRun = (db.prepare(`SELECT MAX(finished_at) AS at FROM identity_runs WHERE profile_id = ?`).get(profileId) as { at: string | null }).at;
  const active = linkRows.filter((l) => l.active === 1);
  const idsOf = (src: string) => active.filter((l) => l.source === src).map((l) => l.source_id as string);
  const inList = (ids: string[]) => ids.map(() => '?').join(', ') || "''";
  const vomoIds = idsOf('vomo');
  const indIds = idsOf('crm_individual');
  const raiseIds = idsOf('raise');
  const vomo = db.prepare(`SELECT * FROM vomo_users WHERE profile_id = ? AND id IN (${inList(vomoIds)})`).all(profileId, ...vomoIds) as Row[];
  const inds = db.prepare(`SELECT * FROM crm_individuals WHERE profile_id = ? AND id IN (${inList(indIds)})`).all(profileId, ...indIds) as Row[];
  const contactIds = [...new Set([...inds.map((i) => i.contact_id as string), ...idsOf('crm_contact')])];
  const contacts = db.prepare(`SELECT * FROM crm_contacts WHERE profile_id = ? AND id IN (${inList(contactIds)})`).all(profileId, ...contactIds) as Row[];
  const methods = db.prepare(`SELECT * FROM crm_contact_methods WHERE profile_id = ? AND individual_id IN (${inList(indIds)}) ORDER BY individual_id, kind, id`).all(profileId, ...indIds) as Row[];
  const raise = db.prepare(`SELECT * FROM raise_donors WHERE profile_id = ? AND id IN (${inList(raiseIds)})`).all(profileId, ...raiseIds) as Row[];
  const lineage = db.prepare(LINEAGE_OF_PERSON).all(profileId, personId) as Row[];
  const crmGifts = db
    .prepare(
      `SELECT id, gift_date, amount_cents, gift_type, segment, CASE WHEN ${raiseOriginSql('crm_gifts')} THEN transaction_id END AS from_raise
         FROM crm_gifts WHERE profile_id = ? AND contact_id IN (${inList(contactIds)}) AND gone_at IS NULL ORDER BY gift_date DESC LIMIT 500`,
    )
    .all(profileId, ...contactIds) as Row[];
  const raiseGifts = db
    .prepare(
      `SELECT g.id, g.gift_date, g.amount_cents, g.campaign_name, g.status_text,
              (SELECT cg.id FROM crm_gifts cg WHERE cg.profile_id = g.profile_id AND ${raiseOriginSql('cg')} AND cg.transaction_id = g.id AND cg.gone_at IS NULL LIMIT 1) AS in_crm
         FROM raise_gifts g WHERE g.profile_id = ? AND g.donor_id IN (${inList(raiseIds)}) AND g.gone_at IS NULL ORDER BY g.gift_date DESC LIMIT 500`,
    )
    .all(profileId, ...raiseIds) as Row[];
  // Attended: checked in, else checked out (what "last participation" and the activity window read).
  const parts = db
    .prepare(
      `SELECT p.user_id, p.id, p.project_name, COALESCE(p.checked_in_at, p.checked_out_at, p.signed_up_at) AS at,
              COALESCE(p.checked_in_at, p.checked_out_at) IS NOT NULL AS attended, p.hours, p.verified,
              ${verifiedParticipationSql('p')} AS counts_verified
         FROM vomo_participations p WHERE p.profile_id = ? AND p.user_id IN (${inList(vomoIds)}) ORDER BY at DESC LIMIT 1000`,
    )
    .all(profileId, ...vomoIds) as Row[];
  const householdOwner =
    p.crm_contact_id && p.crm_giving_owner !== 1
      ? ((db.prepare(HOUSEHOLD_OWNER).get({ p: profileId, contact: p.crm_contact_id, person: personId }) as { id: string; name: string } | undefined) ?? null)
      : null;
  const crmCents = p.crm_giving_owner === 1 ? ((p.crm_life_to_date_cents as number | null) ?? 0) : null;

  const a = settings.fieldAuthority;
  const s = (v: unknown) => (v == null ? null : String(v));
  const field = (name: string, vomoV: unknown, crmV: unknown, raiseV: unknown, display: unknown, authority: string | null, cmp?: 'email' | 'first_name' | 'last_name' | 'phone') => {
    const kv = cmp ? compareKey(cmp, s(vomoV), settings.defaultPhoneRegion) : s(vomoV);
    const kc = cmp ? compareKey(cmp, s(crmV), settings.defaultPhoneRegion) : s(crmV);
    return { field: name, vomo: s(vomoV), crm: s(crmV), raise: s(raiseV), display: s(display), authority, disagree: kv != null && kc != null && kv !== kc };
  };
  const crmAddress = p.crm_contact_id ? contacts.find((c) => c.id === p.crm_contact_id) : undefined;
  const fmtAddr = (r: Row | undefined, keys: string[]) => (r ? keys.map((k) => r[k]).filter(Boolean).join(', ') || null : null);
  const raiseRow = raise.find((r) => r.id === p.raise_donor_id);
  const fields = [
    field('email', p.vomo_email, p.crm_email, p.raise_email, p.display_email, a.email, 'email'),
    field('first_name', p.vomo_first_name, p.crm_first_name, p.raise_first_name, p.display_first_name, a.first_name, 'first_name'),
    field('last_name', p.vomo_last_name, p.crm_last_name, p.raise_last_name, p.display_last_name, a.last_name, 'last_name'),
    field('phone', p.vomo_phone, p.crm_phone, p.raise_phone, p.display_phone, a.phone, 'phone'),
    field('address', p.vomo_address, fmtAddr(crmAddress, ['address1', 'city', 'state', 'postal']), fmtAddr(raiseRow, ['address1', 'city', 'state', 'postal']), p.address, null),
  ];

  return {
    person: p,
    displayName: (p.display_name as string) ?? personId,
    settings,
    sources: { vomo: vomo.map(strip), crmContacts: contacts.map(strip), crmIndividuals: inds.map(strip), crmMethods: methods.map(strip), raise: raise.map(strip) },
    fields,
    links: linkRows.map((l) => ({
      source: l.source as 'vomo',
      sourceId: l.source_id as string,
      sourceKey: `${l.source}:${l.source_id}`,
      active: l.active === 1,
      how: l.how as string,
      emailAtLink: (l.email_at_link as string | null) ?? null,
      firstSeenAt: l.first_seen_at as string,
      lastSeenAt: l.active === 1 ? (lastRun ?? (l.last_seen_at as string)) : (l.last_seen_at as string),
      matchCard: parseCard(l.match_card_json as string | null),
    })),
    lineage: lineage.map((e) => ({
      source: e.source as 'vomo',
      sourceId: e.source_id as string,
      email: (e.email as string | null) ?? null,
      emailNorm: e.email_norm as string,
      firstSeenAt: e.first_seen_at as string,
      lastSeenAt: e.is_current === 1 ? (lastRun ?? (e.last_seen_at as string)) : (e.last_seen_at as string),
      isCurrent: e.is_current === 1,
    })),
    gifts: [
      ...crmGifts.map((g) => ({
        system: 'crm' as const,
        id: g.id as string,
        date: s(g.gift_date),
        amountCents: (g.amount_cents as number | null) ?? null,
        detail: [g.gift_type, g.segment].filter(Boolean).join(' · ') || null,
        sameAs: s(g.from_raise),
      })),
      ...raiseGifts.map((g) => ({
        system: 'raise' as const,
        id: g.id as string,
        date: s(g.gift_date),
        amountCents: (g.amount_cents as number | null) ?? null,
        detail: [g.campaign_name, g.status_text].filter(Boolean).join(' · ') || null,
        sameAs: s(g.in_crm),
      })),
    ].sort((x, y) => (y.date ?? '').localeCompare(x.date ?? '')),
    participations: parts.map((r) => ({
      userId: r.user_id as string,
      id: r.id as string,
      projectName: (r.project_name as string | null) ?? null,
      date: s(r.at),
      attended: r.attended === 1,
      hours: (r.hours as number | null) ?? null,
      verified: r.counts_verified === 1,
      verifiedBy: r.verified != null ? ('flag' as const) : r.counts_verified === 1 ? ('check-in-out' as const) : ('none' as const),
    })),
    giving: {
      crmCents,
      raiseNotInCrmCents: Math.max(0, ((p.lifetime_giving_cents as number | null) ?? 0) - (crmCents ?? 0)),
      householdOwner,
    },
    figures: null,
    figuresUpdating: false,
    conflicts: listConflicts(db, { profileId, status: 'all', personId, offset: 0, limit: 100 }, settings).items,
    candidates: listCandidates(db, { profileId, status: 'open', personId, offset: 0, limit: 50 }).items,
    findings: (db.prepare(`SELECT * FROM identity_findings WHERE profile_id = ? AND person_id = ?`).all(profileId, personId) as Row[]).map((f) => ({
      kind: f.kind as string,
      source: f.source as string,
      sourceId: f.source_id as string,
      personId: (f.person_id as string | null) ?? null,
      detail: JSON.parse(f.detail_json as string) as Record<string, unknown>,
    })),
    merges: listMerges(db, profileId, personId, 50),
    audit,
  };
}
