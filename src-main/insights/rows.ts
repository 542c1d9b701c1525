/** From a SQL row to what the renderer, the CLI and the CSV see. */
import { ENGAGEMENT_COLUMN_KEYS, type ColumnKey, type InsightRow } from '../../src-shared/domain/insights';
import type { RawRow } from './query';
import { csvValue } from '../../src-shared/format';
import { daysBetween } from './dates';

/**
 * "View in CRM+": the person's CRM+ link from the join (Raise's crmKeyUrls or the contact's own
 * view URL), else one built from the profile's CRM+ base URL and the contact id.
 */
export function crmLink(raw: Pick<RawRow, 'crm_url' | 'crm_contact_id'>, crmBaseUrl: string | null): string | null {
  if (raw.crm_url) return raw.crm_url;
  if (!raw.crm_contact_id || !crmBaseUrl) return null;
  const origin = crmAppOrigin(crmBaseUrl);
  return origin === null ? null : `${origin}/Generosity/Contact/View/${encodeURIComponent(raw.crm_contact_id)}`;
}

// Every row of a list or an export has the same base URL: parsed per row, it took ~0.2 s of a
// 100k-row export (about a tenth).
let lastBase: { base: string; origin: string | null } | null = null;

/** The steward's CRM+ web app for an API base URL (the API lives on api.<host>, the app on app.<host>). */
function crmAppOrigin(crmBaseUrl: string): string | null {
  if (lastBase?.base === crmBaseUrl) return lastBase.origin;
  let origin: string | null;
  try {
    const u = new URL(crmBaseUrl);
    if (u.hostname.startsWith('api.')) u.hostname = 'app.' + u.hostname.slice(4);
    origin = u.origin;
  } catch {
    origin = null;
  }
  lastBase = { base: crmBaseUrl, origin };
  return origin;
}

function bool(v: number | null): boolean | null {
  return v === null || v === undefined ? null : v === 1;
}

export function displayNameOf(raw: Pick<RawRow, 'display_name' | 'display_first_name' | 'display_last_name' | 'display_email' | 'person_id'>): string {
  const n = raw.display_name ?? [raw.display_first_name, raw.display_last_name].filter(Boolean).join(' ');
  return n || raw.display_email || raw.person_id;
}

export function toInsightRow(raw: RawRow, ctx: { crmBaseUrl: string | null; scoredAsOf: string | null; withEngagement: boolean; countDays?: boolean }): InsightRow {
  const days = ctx.countDays !== false && ctx.scoredAsOf !== null;
  return {
    personId: raw.person_id,
    firstName: raw.display_first_name,
    lastName: raw.display_last_name,
    displayName: displayNameOf(raw),
    email: raw.display_email,
    phone: raw.display_phone,
    hasVomo: raw.has_vomo === 1,
    hasCrm: raw.has_crm === 1,
    hasRaise: raw.has_raise === 1,
    emailOptedIn: bool(raw.email_opted_in),
    lifetimeGivingCents: raw.lifetime_giving_cents ?? 0,
    giftCount: raw.gift_count ?? 0,
    firstGiftDate: raw.first_gift_date,
    lastGiftDate: raw.last_gift_date,
    firstRaiseGiftDate: raw.first_raise_gift_date,
    verifiedHours: raw.verified_hours ?? 0,
    totalHours: raw.total_hours ?? 0,
    participations: raw.participations ?? 0,
    verifiedParticipations: raw.verified_participations ?? 0,
    lastParticipationAt: raw.last_participation_at,
    crmUrl: crmLink(raw, ctx.crmBaseUrl),
    engagement: ctx.withEngagement
      ? {
          score: raw.score ?? 0,
          givingRecencyPts: raw.giving_recency_pts ?? 0,
          givingFrequencyPts: raw.giving_frequency_pts ?? 0,
          givingAmountPts: raw.giving_amount_pts ?? 0,
          servingRecencyPts: raw.serving_recency_pts ?? 0,
          servingHoursPts: raw.serving_hours_pts ?? 0,
          servingCountPts: raw.serving_count_pts ?? 0,
          // Counted from the day the parts were scored for, as the refresh counted them (measures.ts).
          daysSinceGift: days ? daysBetween(raw.last_gift_date, ctx.scoredAsOf!) : null,
          daysSinceParticipation: days ? daysBetween(raw.last_participation_at, ctx.scoredAsOf!) : null,
          scoredAsOf: ctx.scoredAsOf,
        }
      : null,
  };
}

export function systemsOf(r: Pick<InsightRow, 'hasVomo' | 'hasCrm' | 'hasRaise'>): string {
  return [r.hasVomo && 'VOMO', r.hasCrm && 'CRM+', r.hasRaise && 'Raise'].filter(Boolean).join(';');
}

/** The columns cellOf reads from a row's engagement (a row without it shows them empty). */
export const ENGAGEMENT_COLUMNS: ReadonlySet<ColumnKey> = new Set<ColumnKey>(ENGAGEMENT_COLUMN_KEYS);

/** A cell's value for CSV: what a spreadsheet reads back as a value (src-shared/format.ts csvValue). */
export function cellOf(r: InsightRow, key: ColumnKey): string | number | boolean | null {
  switch (key) {
    case 'personId':
      return r.personId;
    case 'firstName':
      return r.firstName;
    case 'lastName':
      return r.lastName;
    case 'email':
      return r.email;
    case 'phone':
      return r.phone;
    case 'systems':
      return systemsOf(r);
    case 'emailOptedIn':
      return r.emailOptedIn === null ? null : r.emailOptedIn ? 'yes' : 'no';
    case 'lifetimeGivingCents':
      return csvValue.money(r.lifetimeGivingCents);
    case 'giftCount':
      return r.giftCount;
    case 'firstGiftDate':
      return csvValue.day(r.firstGiftDate);
    case 'lastGiftDate':
      return csvValue.day(r.lastGiftDate);
    case 'firstRaiseGiftDate':
      return csvValue.day(r.firstRaiseGiftDate);
    case 'verifiedHours':
      return csvValue.number(r.verifiedHours);
    case 'totalHours':
      return csvValue.number(r.totalHours);
    case 'participations':
      return r.participations;
    case 'verifiedParticipations':
      return r.verifiedParticipations;
    case 'lastParticipationAt':
      return csvValue.day(r.lastParticipationAt);
    case 'crmUrl':
      return r.crmUrl;
    case 'score':
    case 'givingRecencyPts':
    case 'givingFrequencyPts':
    case 'givingAmountPts':
    case 'servingRecencyPts':
    case 'servingHoursPts':
    case 'servingCountPts':
      return r.engagement ? r.engagement[key] : null;
  }
}
