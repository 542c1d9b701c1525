/**
 * The list engine: one SELECT per (list, filters, search, sort), paged in SQLite.
 *
 * Rules (this is what keeps a list fast at a million persons):
 * - every sort key names the index that walks it (`INDEXED BY`), and the query is built so the
 *   walk drives the join: persons-sorted lists drive `persons`, measure-sorted lists drive
 *   `insight_measures` (CROSS JOIN fixes the order). The first page reads one index range and
 *   stops after LIMIT matches; no temp B-tree. test/insights/plan.test.ts proves it.
 * - the sort always ends with the person id in the same direction, which the index carries
 *   (WITHOUT ROWID indexes end with the primary key), so paging is stable.
 * - search is a prefix match on last name, first name (NOCASE indexes) or normalized email,
 *   collected first into a MATERIALIZED set of ids through those indexes, then filtered and
 *   sorted (a search narrows to few rows, so sorting them is cheap).
 */
import type { Db } from '../store/db';
import type { ListFilters, ListName, ListSort, SortKey } from '../../src-shared/domain/insights';
import { LISTS, type ListDef } from './listRegistry';

interface SortSpec {
  driver: 'persons' | 'measures';
  index: string;
  /** ORDER BY terms without direction; the id tiebreak is appended. */
  terms: string[];
  idTerm: string;
  /** Extra condition the (partial) index needs. */
  requires?: string;
}

export const SORTS: Record<SortKey, SortSpec> = {
  name: {
    driver: 'persons',
    index: 'persons_by_display_last',
    terms: ['p.display_last_name COLLATE NOCASE', 'p.display_first_name COLLATE NOCASE'],
    idTerm: 'p.id',
  },
  email: { driver: 'persons', index: 'persons_by_email', terms: ['p.email_norm'], idTerm: 'p.id' },
  lifetimeGivingCents: { driver: 'persons', index: 'persons_by_giving', terms: ['p.lifetime_giving_cents'], idTerm: 'p.id' },
  lastGiftDate: { driver: 'persons', index: 'persons_by_last_gift', terms: ['p.last_gift_date'], idTerm: 'p.id' },
  firstRaiseGiftDate: {
    driver: 'persons',
    index: 'persons_by_first_raise_gift',
    terms: ['p.first_raise_gift_date'],
    idTerm: 'p.id',
    requires: 'p.first_raise_gift_date IS NOT NULL',
  },
  verifiedHours: { driver: 'measures', index: 'insight_measures_by_hours', terms: ['im.verified_hours'], idTerm: 'im.person_id' },
  lastParticipationAt: {
    driver: 'measures',
    index: 'insight_measures_by_last_participation',
    terms: ['im.last_participation_at'],
    idTerm: 'im.person_id',
  },
  score: { driver: 'measures', index: 'insight_measures_by_score', terms: ['im.score'], idTerm: 'im.person_id' },
};

/** Lists whose sort has an index of their own (a partial index over exactly the list's members). */
export const LIST_SORT_INDEX: Partial<Record<ListName, Partial<Record<SortKey, string>>>> = {
  'volunteer-only': { name: 'persons_volunteer_only_by_name' },
};

export function sortIndex(list: ListName, key: SortKey): string {
  return LIST_SORT_INDEX[list]?.[key] ?? SORTS[key].index;
}

export const ROW_COLUMNS = `
  p.id AS person_id, p.display_first_name, p.display_last_name, p.display_name, p.display_email, p.display_phone,
  p.has_vomo, p.has_crm, p.has_raise, p.email_opted_in, p.lifetime_giving_cents, p.first_gift_date, p.last_gift_date,
  p.first_raise_gift_date, p.crm_url, p.crm_contact_id,
  im.total_hours, im.verified_hours, im.participations, im.verified_participations, im.last_participation_at, im.gift_count,
  im.days_since_gift, im.days_since_participation, im.giving_recency_pts, im.giving_frequency_pts, im.giving_amount_pts,
  im.serving_recency_pts, im.serving_hours_pts, im.serving_count_pts, im.score`;

export interface RawRow {
  person_id: string;
  display_first_name: string | null;
  display_last_name: string | null;
  display_name: string | null;
  display_email: string | null;
  display_phone: string | null;
  has_vomo: number;
  has_crm: number;
  has_raise: number;
  email_opted_in: number | null;
  lifetime_giving_cents: number | null;
  first_gift_date: string | null;
  last_gift_date: string | null;
  first_raise_gift_date: string | null;
  crm_url: string | null;
  crm_contact_id: string | null;
  total_hours: number | null;
  verified_hours: number | null;
  participations: number | null;
  verified_participations: number | null;
  last_participation_at: string | null;
  gift_count: number | null;
  days_since_gift: number | null;
  days_since_participation: number | null;
  giving_recency_pts: number | null;
  giving_frequency_pts: number | null;
  giving_amount_pts: number | null;
  serving_recency_pts: number | null;
  serving_hours_pts: number | null;
  serving_count_pts: number | null;
  score: number | null;
}

export interface BuiltQuery {
  /** `WITH …` prefix (search) or ''. */
  with: string;
  from: string;
  /** The same rows without the index hint: a count lets the planner pick (covering indexes). */
  countFrom: string;
  where: string;
  countWhere: string;
  orderBy: string;
  params: Record<string, unknown>;
  sort: ListSort;
}

export interface BuildInput {
  profileId: number;
  list: ListName;
  filters: ListFilters & Required<Pick<ListFilters, 'lapseDays' | 'activityDays' | 'recentDays'>>;
  day: string;
  search?: string;
  sort?: ListSort;
  /** One person's row (the person page reads its figures through the lists' own query). */
  personId?: string;
}

/** The upper bound of a prefix range: the prefix with its last character incremented. */
export function prefixUpper(prefix: string): string {
  const chars = Array.from(prefix);
  const last = chars.pop()!;
  return chars.join('') + String.fromCodePoint(last.codePointAt(0)! + 1);
}

function searchCte(search: string, params: Record<string, unknown>): string | null {
  const tokens = search.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return null;
  // A leading or lone token that looks like an email or id: email prefix / exact id.
  if (tokens.length === 1) {
    const t = tokens[0]!;
    params.s1 = t;
    params.s1u = prefixUpper(t);
    params.se = t.toLowerCase();
    params.seu = prefixUpper(t.toLowerCase());
    params.sid = t;
    return `hits(id) AS MATERIALIZED (
        SELECT id FROM persons WHERE profile_id = @pid AND display_last_name >= @s1 COLLATE NOCASE AND display_last_name < @s1u COLLATE NOCASE
        UNION SELECT id FROM persons WHERE profile_id = @pid AND display_first_name >= @s1 COLLATE NOCASE AND display_first_name < @s1u COLLATE NOCASE
        UNION SELECT id FROM persons WHERE profile_id = @pid AND email_norm >= @se AND email_norm < @seu
        UNION SELECT id FROM persons WHERE profile_id = @pid AND id = @sid)`;
  }
  // "Ada Love": first-name prefix and last-name prefix (either order), through the last-name index.
  const first = tokens[0]!;
  const last = tokens.slice(1).join(' ');
  params.sf = first;
  params.sfu = prefixUpper(first);
  params.sl = last;
  params.slu = prefixUpper(last);
  return `hits(id) AS MATERIALIZED (
      SELECT id FROM persons WHERE profile_id = @pid AND display_last_name >= @sl COLLATE NOCASE AND display_last_name < @slu COLLATE NOCASE
         AND display_first_name >= @sf COLLATE NOCASE AND display_first_name < @sfu COLLATE NOCASE
      UNION SELECT id FROM persons WHERE profile_id = @pid AND display_last_name >= @sf COLLATE NOCASE AND display_last_name < @sfu COLLATE NOCASE
         AND display_first_name >= @sl COLLATE NOCASE AND display_first_name < @slu COLLATE NOCASE)`;
}

export function resolveSort(def: ListDef, sort?: ListSort): ListSort {
  if (sort && def.sortKeys.includes(sort.key)) return sort;
  return def.defaultSort;
}

export function buildListQuery(input: BuildInput): BuiltQuery {
  const def = LISTS[input.list];
  const sort = resolveSort(def, input.sort);
  const spec = SORTS[sort.key];
  const params: Record<string, unknown> = { pid: input.profileId };
  const conds: string[] = [];

  const w = def.where(input.filters, input.day);
  conds.push(`(${w.sql})`);
  Object.assign(params, w.params);
  const f = input.filters;
  if (f.system === 'vomo') conds.push('p.has_vomo = 1');
  if (f.system === 'crm') conds.push('p.has_crm = 1');
  if (f.system === 'raise') conds.push('p.has_raise = 1');
  if (f.minGivingCents !== undefined) {
    conds.push('p.lifetime_giving_cents >= @minGiving');
    params.minGiving = f.minGivingCents;
  }
  if (f.minVerifiedHours !== undefined) {
    conds.push('im.verified_hours >= @minHours');
    params.minHours = f.minVerifiedHours;
  }
  if (f.hasEmail) conds.push("p.display_email IS NOT NULL AND p.display_email <> ''");
  if (input.personId !== undefined) {
    conds.push('p.id = @personId');
    params.personId = input.personId;
  }
  if (spec.requires) conds.push(spec.requires);

  const dir = sort.dir === 'desc' ? 'DESC' : 'ASC';
  const orderBy = [...spec.terms, spec.idTerm].map((t) => `${t} ${dir}`).join(', ');

  const cte = input.search ? searchCte(input.search, params) : null;
  let from: string;
  if (cte) {
    from = `hits CROSS JOIN persons p ON p.profile_id = @pid AND p.id = hits.id
            LEFT JOIN insight_measures im ON im.profile_id = p.profile_id AND im.person_id = p.id`;
    conds.unshift('p.profile_id = @pid');
  } else if (input.personId !== undefined) {
    // One person: by the primary key, not by walking a sort index.
    from = `persons p LEFT JOIN insight_measures im ON im.profile_id = p.profile_id AND im.person_id = p.id`;
    conds.unshift('p.profile_id = @pid');
  } else if (spec.driver === 'persons') {
    from = `persons p INDEXED BY ${sortIndex(input.list, sort.key)}
            LEFT JOIN insight_measures im ON im.profile_id = p.profile_id AND im.person_id = p.id`;
    conds.unshift('p.profile_id = @pid');
  } else {
    from = `insight_measures im INDEXED BY ${sortIndex(input.list, sort.key)}
            CROSS JOIN persons p ON p.profile_id = im.profile_id AND p.id = im.person_id`;
    conds.unshift('im.profile_id = @pid');
  }
  const driverCond = conds[0]!;
  const where = conds.join('\n AND ');
  const countFrom = cte
    ? from
    : /\bim\./.test(where)
      ? `persons p LEFT JOIN insight_measures im ON im.profile_id = p.profile_id AND im.person_id = p.id`
      : 'persons p';
  const countWhere = [driverCond === 'im.profile_id = @pid' ? 'p.profile_id = @pid' : driverCond, ...conds.slice(1)].join('\n AND ');
  return { with: cte ? `WITH ${cte}` : '', from, countFrom, where, countWhere, orderBy, params, sort };
}

export function pageSql(q: BuiltQuery): string {
  return `${q.with} SELECT ${ROW_COLUMNS} FROM ${q.from} WHERE ${q.where} ORDER BY ${q.orderBy} LIMIT @limit OFFSET @offset`;
}

export function countSql(q: BuiltQuery): string {
  return `${q.with} SELECT COUNT(*) AS n FROM ${q.countFrom} WHERE ${q.countWhere}`;
}

export function queryPage(db: Db, q: BuiltQuery, offset: number, limit: number): RawRow[] {
  return db.prepare(pageSql(q)).all({ ...q.params, offset, limit }) as RawRow[];
}

export function queryCount(db: Db, q: BuiltQuery): number {
  return (db.prepare(countSql(q)).get(q.params) as { n: number }).n;
}
