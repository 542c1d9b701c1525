/**
 * Every list: what it holds, in plain words, its columns, its default sort and the sorts it
 * allows. Its rule is SQL over `insight_measures im`, which holds every fact a rule or a filter
 * reads (migration 0023), in two parts: `members`, the part that needs no parameter (a partial
 * index over exactly those rows keeps the list's count a short index read, see listIndexes.ts),
 * and `where`, the part the windows and the reference day fill in. The rules are the single
 * definition the UI, the CLI, the exports and the tests all read.
 *
 * Definitions (reference day D, see dates.ts):
 * - donor: in CRM+ or Raise (`persons.is_donor`); volunteer: in VOMO.
 * - still volunteering (active volunteer): attended a participation (checked in or out) on a
 *   day within the activity window, D − activityDays ≤ day ≤ D. activityDays 0 is the wider
 *   reading the steward can choose: every current VOMO volunteer, served or not.
 * - lapsed: last gift day ≤ D − lapseDays (a gift exactly lapseDays old is lapsed; one day newer is not).
 * - never gave: lifetime giving 0 across CRM+ and Raise (no CRM+ contact, or one with
 *   nothing given, and no Raise gift).
 * - recent first-time Raise donor: first Raise gift within D − recentDays … D, and no gift
 *   anywhere before it.
 */
import { ENGAGEMENT_COLUMN_KEYS, type ColumnKey, type ListFilters, type ListInfo, type ListName, type ListSort, type SortKey } from '../../src-shared/domain/insights';
import type { InsightSettings } from '../../src-shared/domain/insights';
import { addDays } from './dates';
import { fmtCount, fmtDay, plural } from '../../src-shared/format';

export type FilterKey = ListInfo['filters'][number];

export interface ListDef {
  name: ListName;
  title: string;
  description: string;
  columns: ColumnKey[];
  defaultSort: ListSort;
  sortKeys: SortKey[];
  filters: FilterKey[];
  /** Who can be on the list whatever the windows: a condition over `im` without parameters (null: everyone). */
  members: string | null;
  /**
   * The list's own partial index over its members (where `members` is selective): the columns
   * its windows read first, so a count with the default filters is one range of that index.
   */
  ownIndex?: string[];
  /** The rest of the rule: SQL condition and its named parameters, for the effective filters and reference day. */
  where(f: Required<Pick<ListFilters, 'lapseDays' | 'activityDays' | 'recentDays'>>, day: string): { sql: string; params: Record<string, unknown> };
  /** Plain words with the numbers filled in. */
  definition(f: Required<Pick<ListFilters, 'lapseDays' | 'activityDays' | 'recentDays'>>, day: string): string;
  /** The engagement score is computed for a reference day: lists that show it need it current. */
  needsScoreDay?: boolean;
}

const BASE: ColumnKey[] = ['firstName', 'lastName', 'email', 'systems'];
const COMMON_SORTS: SortKey[] = ['name', 'email', 'lifetimeGivingCents', 'lastGiftDate', 'verifiedHours', 'lastParticipationAt'];
const COMMON_FILTERS: FilterKey[] = ['system', 'minGivingCents', 'minVerifiedHours', 'hasEmail'];

const IS_DONOR = '(im.has_crm = 1 OR im.has_raise = 1)';
const EVERYONE = { sql: '1 = 1', params: {} as Record<string, unknown> };

/**
 * "Still volunteering": attended a VOMO participation within the activity window (the list's
 * name promises that). 0 turns the window off: every current VOMO volunteer counts.
 */
function activeVolunteer(day: string, activityDays: number) {
  if (activityDays <= 0) return EVERYONE;
  return {
    sql: `im.last_participation_at >= @activityFrom AND im.last_participation_at < @dayAfter`,
    params: { activityFrom: addDays(day, -activityDays), dayAfter: addDays(day, 1) },
  };
}

function days(n: number): string {
  return plural(n, 'day');
}

/** "who served … within the N-day activity window", or the wider reading, in words. */
export function activityRule(day: string, activityDays: number): string {
  return activityDays > 0
    ? `who attended a VOMO participation on or after ${fmtDay(addDays(day, -activityDays))} (the ${fmtCount(activityDays)}-day activity window)`
    : 'who are current VOMO volunteers, whether or not they served recently (the activity window is off)';
}

export const LISTS: Record<ListName, ListDef> = {
  all: {
    name: 'all',
    title: 'People',
    description: 'Everyone in the joined person store.',
    columns: [...BASE, 'lifetimeGivingCents', 'lastGiftDate', 'verifiedHours', 'crmUrl'],
    defaultSort: { key: 'name', dir: 'asc' },
    sortKeys: COMMON_SORTS,
    filters: COMMON_FILTERS,
    members: null,
    where: () => EVERYONE,
    definition: () => 'Every person in the joined store.',
  },
  lapsed: {
    name: 'lapsed',
    title: 'Lapsed donors still volunteering',
    description: 'Gave before, not within the lapse window, and still volunteering: a path back to giving.',
    columns: [...BASE, 'lifetimeGivingCents', 'lastGiftDate', 'lastParticipationAt', 'verifiedHours', 'crmUrl'],
    defaultSort: { key: 'lifetimeGivingCents', dir: 'desc' },
    sortKeys: COMMON_SORTS,
    filters: ['lapseDays', 'activityDays', ...COMMON_FILTERS],
    members: `im.has_vomo = 1 AND ${IS_DONOR}`,
    ownIndex: ['last_gift_date'],
    where(f, day) {
      const active = activeVolunteer(day, f.activityDays);
      return {
        sql: `im.last_gift_date IS NOT NULL AND im.last_gift_date < @lapseBefore AND ${active.sql}`,
        params: { lapseBefore: addDays(day, -f.lapseDays + 1), ...active.params },
      };
    },
    definition: (f, day) =>
      `Donors whose last gift (CRM+ or Raise) was on or before ${fmtDay(addDays(day, -f.lapseDays))}, ${days(f.lapseDays)} or more before ${fmtDay(day)}, ${activityRule(day, f.activityDays)}.`,
  },
  'top-volunteers': {
    name: 'top-volunteers',
    title: 'Top volunteers who never gave',
    description: 'Volunteers with verified hours and no gift in CRM+ or Raise: an untapped opportunity.',
    columns: [...BASE, 'verifiedHours', 'verifiedParticipations', 'participations', 'lastParticipationAt', 'crmUrl'],
    defaultSort: { key: 'verifiedHours', dir: 'desc' },
    sortKeys: ['verifiedHours', 'name', 'email', 'lastParticipationAt'],
    filters: ['minVerifiedHours', 'system', 'hasEmail'],
    members: `im.has_vomo = 1 AND im.lifetime_giving_cents = 0 AND im.verified_hours > 0`,
    ownIndex: ['verified_hours'],
    where: () => EVERYONE,
    definition: () => 'VOMO volunteers with verified hours and no gift in CRM+ or Raise (no CRM+ contact, or lifetime giving 0), most verified hours first.',
  },
  'volunteer-only': {
    name: 'volunteer-only',
    title: 'Volunteers only',
    description: 'In VOMO, not in CRM+ or Raise.',
    columns: [...BASE, 'verifiedHours', 'participations', 'lastParticipationAt'],
    defaultSort: { key: 'name', dir: 'asc' },
    // Nobody on it has given: giving and gift-date sorts would tie every row.
    sortKeys: ['name', 'email', 'verifiedHours', 'lastParticipationAt'],
    filters: ['minVerifiedHours', 'hasEmail'],
    members: `im.has_vomo = 1 AND im.has_crm = 0 AND im.has_raise = 0`,
    where: () => EVERYONE,
    definition: () => 'Persons in VOMO and in neither CRM+ nor Raise.',
  },
  'donors-only': {
    name: 'donors-only',
    title: 'Donors only',
    description: 'In CRM+ or Raise, not in VOMO.',
    columns: [...BASE, 'lifetimeGivingCents', 'giftCount', 'lastGiftDate', 'crmUrl'],
    defaultSort: { key: 'lifetimeGivingCents', dir: 'desc' },
    // Nobody on it volunteers: hours and participation sorts would tie every row.
    sortKeys: ['name', 'email', 'lifetimeGivingCents', 'lastGiftDate'],
    filters: ['system', 'minGivingCents', 'hasEmail'],
    members: `im.has_vomo = 0 AND ${IS_DONOR}`,
    where: () => EVERYONE,
    definition: () => 'Persons in CRM+ or Raise and not in VOMO.',
  },
  'donor-volunteers': {
    name: 'donor-volunteers',
    title: 'Donor-volunteers',
    description: 'In VOMO and in CRM+ or Raise: the most engaged supporters.',
    columns: [...BASE, 'lifetimeGivingCents', 'lastGiftDate', 'verifiedHours', 'lastParticipationAt', 'crmUrl'],
    defaultSort: { key: 'lifetimeGivingCents', dir: 'desc' },
    sortKeys: COMMON_SORTS,
    filters: COMMON_FILTERS,
    members: `im.has_vomo = 1 AND ${IS_DONOR}`,
    where: () => EVERYONE,
    definition: () => 'Persons in VOMO and in CRM+ or Raise.',
  },
  'raise-first-time': {
    name: 'raise-first-time',
    title: 'New Raise donors who volunteer',
    description: 'Volunteers whose first gift ever came through Raise, recently.',
    columns: [...BASE, 'firstRaiseGiftDate', 'lifetimeGivingCents', 'verifiedHours', 'crmUrl'],
    defaultSort: { key: 'firstRaiseGiftDate', dir: 'desc' },
    sortKeys: ['firstRaiseGiftDate'],
    filters: ['recentDays', 'minGivingCents', 'minVerifiedHours', 'hasEmail'],
    members: `im.has_vomo = 1 AND im.has_raise = 1 AND im.first_raise_gift_date IS NOT NULL
              AND (im.first_gift_date IS NULL OR substr(im.first_gift_date, 1, 10) >= substr(im.first_raise_gift_date, 1, 10))`,
    ownIndex: ['first_raise_gift_date'],
    where(f, day) {
      return {
        sql: `im.first_raise_gift_date >= @recentFrom AND im.first_raise_gift_date < @dayAfter`,
        params: { recentFrom: addDays(day, -f.recentDays), dayAfter: addDays(day, 1) },
      };
    },
    definition: (f, day) =>
      `VOMO volunteers whose first Raise gift was on or after ${fmtDay(addDays(day, -f.recentDays))} (within ${days(f.recentDays)} of ${fmtDay(day)}) with no earlier gift in CRM+.`,
  },
  engagement: {
    name: 'engagement',
    title: 'Engagement',
    description: 'Giving and serving side by side; the score is the sum of six published parts.',
    columns: [
      ...BASE,
      ...ENGAGEMENT_COLUMN_KEYS,
      'lastGiftDate',
      'giftCount',
      'lifetimeGivingCents',
      'lastParticipationAt',
      'verifiedHours',
      'verifiedParticipations',
    ],
    defaultSort: { key: 'score', dir: 'desc' },
    sortKeys: ['score', ...COMMON_SORTS],
    filters: COMMON_FILTERS,
    needsScoreDay: true,
    members: `im.score > 0`,
    where: () => EVERYONE,
    definition: (_f, day) => `Everyone who gave or served, scored for ${fmtDay(day)}: giving recency + frequency + amount + serving recency + hours + count, 0–5 points each.`,
  },
};

export function effectiveFilters(filters: ListFilters, settings: InsightSettings): ListFilters & Required<Pick<ListFilters, 'lapseDays' | 'activityDays' | 'recentDays'>> {
  return {
    ...filters,
    lapseDays: filters.lapseDays ?? settings.lapseDays,
    activityDays: filters.activityDays ?? settings.activityDays,
    recentDays: filters.recentDays ?? settings.recentDays,
  };
}

export function listInfo(def: ListDef): ListInfo {
  return {
    name: def.name,
    title: def.title,
    description: def.description,
    columns: def.columns,
    defaultSort: def.defaultSort,
    sortKeys: def.sortKeys,
    filters: def.filters,
  };
}
