/**
 * The list engine: one SELECT per (list, filters, search, sort), paged in SQLite by keyset.
 *
 * Rules (this is what keeps a list fast at a million persons):
 * - a list's rule and filters read only `insight_measures im`, the narrow table of list facts
 *   (listRegistry.ts); persons is joined by key for the columns a row shows. A count is then one
 *   index range over `im` (the list's own partial index, or a sort index), never a table scan.
 * - every sort key names the index that walks it (`INDEXED BY`), and the query is built so the
 *   walk drives the join: name and email sorts drive `persons`, the others drive
 *   `insight_measures` (CROSS JOIN fixes the order). A page reads one index range from its
 *   cursor and stops after LIMIT matches; no temp B-tree. test/insights/plan.test.ts proves it.
 * - the sort always ends with the person id in the same direction, which the index carries
 *   (WITHOUT ROWID indexes end with the primary key), so the order is total and a page is named
 *   by its last row's sort values and id (the cursor): page 5,000 costs what page 1 costs, and a
 *   sync between two pages neither repeats nor skips a person whose sort values it left alone.
 *   A cursor's condition is split into index ranges run one after the other (keysetSegments).
 * - search is a prefix match on last name, first name (NOCASE indexes) or normalized email,
 *   collected first into a MATERIALIZED set of ids through those indexes, then filtered and
 *   sorted (a search narrows to few rows, so sorting them is cheap).
 */
import type { Db } from '../store/db';
import { AppError } from '../../src-shared/errors';
import type { ListFilters, ListName, ListSort, SortKey } from '../../src-shared/domain/insights';
import { LISTS, type ListDef } from './listRegistry';
import { countIndex, listIndexName } from './listIndexes';

/** One sort term: its SQL (with its collation) and the row column holding its value. */
interface Term {
  sql: string;
  col: keyof RawRow;
}

interface SortSpec {
  driver: 'persons' | 'measures';
  index: string;
  /** ORDER BY terms without direction; the id tiebreak is appended. */
  terms: Term[];
  idTerm: string;
  /** Extra condition the (partial) index needs. */
  requires?: string;
}

export const SORTS: Record<SortKey, SortSpec> = {
  name: {
    driver: 'persons',
    index: 'persons_by_display_last',
    terms: [
      { sql: 'p.display_last_name COLLATE NOCASE', col: 'display_last_name' },
      { sql: 'p.display_first_name COLLATE NOCASE', col: 'display_first_name' },
    ],
    idTerm: 'p.id',
  },
  email: { driver: 'persons', index: 'persons_by_email', terms: [{ sql: 'p.email_norm', col: 'email_norm' }], idTerm: 'p.id' },
  lifetimeGivingCents: { driver: 'measures', index: 'insight_measures_by_giving', terms: [{ sql: 'im.lifetime_giving_cents', col: 'lifetime_giving_cents' }], idTerm: 'im.person_id' },
  lastGiftDate: { driver: 'measures', index: 'insight_measures_by_last_gift', terms: [{ sql: 'im.last_gift_date', col: 'last_gift_date' }], idTerm: 'im.person_id' },
  // Only the list of first-time Raise donors sorts by it, through its own index.
  firstRaiseGiftDate: {
    driver: 'measures',
    index: listIndexName(LISTS['raise-first-time']),
    terms: [{ sql: 'im.first_raise_gift_date', col: 'first_raise_gift_date' }],
    idTerm: 'im.person_id',
  },
  verifiedHours: { driver: 'measures', index: 'insight_measures_by_hours', terms: [{ sql: 'im.verified_hours', col: 'verified_hours' }], idTerm: 'im.person_id' },
  lastParticipationAt: {
    driver: 'measures',
    index: 'insight_measures_by_last_participation',
    terms: [{ sql: 'im.last_participation_at', col: 'last_participation_at' }],
    idTerm: 'im.person_id',
  },
  score: { driver: 'measures', index: 'insight_measures_by_score', terms: [{ sql: 'im.score', col: 'score' }], idTerm: 'im.person_id' },
};

/** Lists whose sort has an index of their own (a partial index over exactly the list's members). */
export const LIST_SORT_INDEX: Partial<Record<ListName, Partial<Record<SortKey, { index: string; requires?: string }>>>> = {
  'volunteer-only': { name: { index: 'persons_volunteer_only_by_name', requires: 'p.has_vomo = 1 AND p.has_crm = 0 AND p.has_raise = 0' } },
  'top-volunteers': { verifiedHours: { index: listIndexName(LISTS['top-volunteers']) } },
  lapsed: { lastGiftDate: { index: listIndexName(LISTS.lapsed) } },
};

export function sortIndex(list: ListName, key: SortKey): string {
  return LIST_SORT_INDEX[list]?.[key]?.index ?? SORTS[key].index;
}

export const ROW_COLUMNS = `
  p.id AS person_id, p.display_first_name, p.display_last_name, p.display_name, p.display_email, p.display_phone, p.email_norm,
  im.has_vomo, im.has_crm, im.has_raise, p.email_opted_in, im.lifetime_giving_cents, im.first_gift_date, im.last_gift_date,
  im.first_raise_gift_date, p.crm_url, p.crm_contact_id,
  im.total_hours, im.verified_hours, im.participations, im.verified_participations, im.last_participation_at, im.gift_count,
  im.giving_recency_pts, im.giving_frequency_pts, im.giving_amount_pts,
  im.serving_recency_pts, im.serving_hours_pts, im.serving_count_pts, im.score`;

export interface RawRow {
  person_id: string;
  display_first_name: string | null;
  display_last_name: string | null;
  display_name: string | null;
  display_email: string | null;
  display_phone: string | null;
  email_norm: string | null;
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
  /** The same rows counted from insight_measures alone (the rule and filters read only `im`). */
  countFrom: string;
  where: string;
  countWhere: string;
  /**
   * Every condition a row must meet, over `insight_measures im` joined to `persons p` by key, with
   * no sort index named: the members read in person order (an export of a long list, export/).
   */
  memberWhere: string;
  orderBy: string;
  params: Record<string, unknown>;
  sort: ListSort;
  /** The sort's terms, id last, for keyset paging. */
  terms: Term[];
  idTerm: string;
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
  // The rule and the filters: conditions over insight_measures only.
  const conds: string[] = [];
  if (def.members) conds.push(`(${def.members})`);
  const w = def.where(input.filters, input.day);
  if (w.sql !== '1 = 1') conds.push(`(${w.sql})`);
  Object.assign(params, w.params);
  const f = input.filters;
  if (f.system === 'vomo') conds.push('im.has_vomo = 1');
  if (f.system === 'crm') conds.push('im.has_crm = 1');
  if (f.system === 'raise') conds.push('im.has_raise = 1');
  if (f.minGivingCents !== undefined) {
    conds.push('im.lifetime_giving_cents >= @minGiving');
    params.minGiving = f.minGivingCents;
  }
  if (f.minVerifiedHours !== undefined) {
    conds.push('im.verified_hours >= @minHours');
    params.minHours = f.minVerifiedHours;
  }
  if (f.hasEmail) conds.push('im.has_email = 1');
  const own = LIST_SORT_INDEX[input.list]?.[sort.key];
  const requires = [spec.requires, own?.requires].filter((x): x is string => !!x);

  const dir = sort.dir === 'desc' ? 'DESC' : 'ASC';
  const orderBy = [...spec.terms.map((t) => t.sql), spec.idTerm].map((t) => `${t} ${dir}`).join(', ');

  const cte = input.search ? searchCte(input.search, params) : null;
  let from: string;
  let driver: string;
  if (cte) {
    from = `hits CROSS JOIN persons p ON p.profile_id = @pid AND p.id = hits.id
            CROSS JOIN insight_measures im ON im.profile_id = p.profile_id AND im.person_id = p.id`;
    driver = 'p.profile_id = @pid';
  } else if (input.personId !== undefined) {
    // One person: by the primary key, not by walking a sort index.
    from = `persons p CROSS JOIN insight_measures im ON im.profile_id = p.profile_id AND im.person_id = p.id`;
    driver = 'p.profile_id = @pid';
  } else if (spec.driver === 'persons') {
    from = `persons p INDEXED BY ${sortIndex(input.list, sort.key)}
            CROSS JOIN insight_measures im ON im.profile_id = p.profile_id AND im.person_id = p.id`;
    driver = 'p.profile_id = @pid';
  } else {
    from = `insight_measures im INDEXED BY ${sortIndex(input.list, sort.key)}
            CROSS JOIN persons p ON p.profile_id = im.profile_id AND p.id = im.person_id`;
    driver = 'im.profile_id = @pid';
  }
  // One person's row (the person page reads its figures through the lists' own query).
  if (input.personId !== undefined) {
    requires.push('p.id = @personId');
    params.personId = input.personId;
  }
  const where = [driver, ...conds, ...requires].join('\n AND ');
  const countFrom = cte ? `hits CROSS JOIN insight_measures im ON im.profile_id = @pid AND im.person_id = hits.id` : `insight_measures im INDEXED BY ${countIndex(def)}`;
  const countWhere = ['im.profile_id = @pid', ...conds].join('\n AND ');
  const memberWhere = ['im.profile_id = @pid', ...conds, ...requires].join('\n AND ');
  return { with: cte ? `WITH ${cte}` : '', from, countFrom, where, countWhere, memberWhere, orderBy, params, sort, terms: spec.terms, idTerm: spec.idTerm };
}

/**
 * What the measures job found of a list's members under one sort key (insights/listCounts.ts):
 * the least and greatest value and how many have none. A walk by that key then seeks to the first
 * member and stops after the last one, instead of reading every non-member before or after them
 * (sorted by last participation, the 400,000 persons with none came first or last: 180 ms a page
 * at 1M). Only for a sort of one term; exact for the default filters the job counted with.
 */
export interface KeyBounds {
  min: string | number | null;
  max: string | number | null;
  nulls: number;
}

/** The sort keys of a list whose members' range the measures job records: one term of insight_measures each. */
export function boundedKeys(list: ListName): SortKey[] {
  return LISTS[list].sortKeys.filter((k) => SORTS[k].driver === 'measures' && SORTS[k].terms.length === 1);
}

/**
 * The count and, per key, the members' range, in one pass over the list's count index; or over
 * another table of measures rows (`rows`, aliased im: the few a refresh changed, before or after).
 */
export function factsSql(q: BuiltQuery, keys: SortKey[], rows?: string): string {
  const cols = keys.flatMap((k, i) => {
    const t = SORTS[k].terms[0]!.sql;
    return [`MIN(${t}) AS min${i}`, `MAX(${t}) AS max${i}`, `COUNT(*) - COUNT(${t}) AS nulls${i}`];
  });
  return `${q.with} SELECT COUNT(*) AS n${cols.length ? `, ${cols.join(', ')}` : ''} FROM ${rows ? `${rows} im` : q.countFrom} WHERE ${q.countWhere}`;
}

/** Where a page starts: after (or, walking back, before) the row with these sort values and id. */
export interface Cursor {
  key: SortKey;
  dir: ListSort['dir'];
  values: (string | number | null)[];
  id: string;
}

export function cursorOf(q: BuiltQuery, row: RawRow): Cursor {
  return { key: q.sort.key, dir: q.sort.dir, values: q.terms.map((t) => row[t.col] as string | number | null), id: row.person_id };
}

/** Opaque to the renderer: base64url of the cursor's JSON. */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.key, c.dir, c.values, c.id])).toString('base64url');
}

export function decodeCursor(text: string, sort: ListSort): Cursor {
  let c: Cursor | null = null;
  try {
    const [key, dir, values, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [SortKey, ListSort['dir'], (string | number | null)[], string];
    if (typeof id === 'string' && Array.isArray(values) && values.every((v) => v === null || typeof v === 'string' || typeof v === 'number')) c = { key, dir, values, id };
  } catch {
    /* reported below */
  }
  if (!c) throw new AppError('BAD_INPUT', 'That page position is not valid; start again from the first page.');
  if (c.key !== sort.key || c.dir !== sort.dir || c.values.length !== SORTS[sort.key].terms.length) {
    throw new AppError('BAD_INPUT', 'That page position belongs to another sort; start again from the first page.');
  }
  return c;
}

/**
 * The rows after a cursor, in the sort's order, as conditions each of which is one index range,
 * to be read one after the other: first the rows equal on every term with a later id, then, from
 * the last term to the first, the rows equal on the terms before and later on this one. NULL
 * sorts first ascending and last descending (SQLite's order), so "later" than NULL ascending is
 * IS NOT NULL, and descending the NULLs come after every value, in a range of their own.
 */
export function keysetSegments(q: BuiltQuery, c: Cursor, dir: 'ASC' | 'DESC', params: Record<string, unknown>, bounds: KeyBounds | null = null): string[] {
  const terms = q.terms;
  const b = terms.length === 1 ? bounds : null;
  const eq = (i: number) => {
    const v = c.values[i];
    if (v === null) return `${terms[i].sql} IS NULL`;
    params[`k${i}`] = v;
    return `${terms[i].sql} = @k${i}`;
  };
  // Members' range on the one sort term (see KeyBounds): a range segment stops where the last
  // member is, and NULLs are walked only when a member has one.
  const inRange = b ? (b.min === null ? null : ` AND ${rangeOf(terms[0].sql, b, params)}`) : '';
  const later = (i: number): string[] => {
    const v = c.values[i];
    const out: string[] =
      dir === 'ASC' ? [v === null ? `${terms[i].sql} IS NOT NULL` : `${terms[i].sql} > @k${i}`] : v === null ? [] : [`${terms[i].sql} < @k${i}`, `${terms[i].sql} IS NULL`];
    if (!b) return out;
    return out.flatMap((seg) => (seg.endsWith('IS NULL') ? (b.nulls > 0 ? [seg] : []) : inRange === null ? [] : [seg + inRange]));
  };
  params.kid = c.id;
  const prefix = (n: number) => Array.from({ length: n }, (_, i) => eq(i));
  const segments = [[...prefix(terms.length), `${q.idTerm} ${dir === 'ASC' ? '>' : '<'} @kid`].join(' AND ')];
  for (let i = terms.length - 1; i >= 0; i--) for (const l of later(i)) segments.push([...prefix(i), l].join(' AND '));
  return segments;
}

/** `term` between the members' least and greatest value (the seek and the stop of a walk). */
function rangeOf(term: string, b: KeyBounds, params: Record<string, unknown>): string {
  params.bmin = b.min;
  params.bmax = b.max;
  return `${term} >= @bmin AND ${term} <= @bmax`;
}

/** The first page's condition under the members' range: none when NULLs must be walked too. */
function firstSegments(q: BuiltQuery, params: Record<string, unknown>, bounds: KeyBounds | null): string[] {
  const b = q.terms.length === 1 ? bounds : null;
  if (!b || b.nulls > 0) return [''];
  if (b.min === null) return [];
  return [rangeOf(q.terms[0].sql, b, params)];
}

/**
 * A page's SQL: the first page (no cursor), or one keyset segment (`extra`). The segment's
 * condition goes first: where a rule also bounds the sort key (score > 0, a gift before the lapse
 * day), SQLite seeks with the first bound it meets, and seeking with the rule's would walk every
 * row before the cursor again (a last page of the engagement list took 340 ms at 250k).
 */
export function pageSql(q: BuiltQuery, dir: 'ASC' | 'DESC' = q.sort.dir === 'desc' ? 'DESC' : 'ASC', extra = ''): string {
  const sortDir = q.sort.dir === 'desc' ? 'DESC' : 'ASC';
  const orderBy = dir === sortDir ? q.orderBy : [...q.terms.map((t) => t.sql), q.idTerm].map((t) => `${t} ${dir}`).join(', ');
  return `${q.with} SELECT ${ROW_COLUMNS} FROM ${q.from} WHERE ${extra ? `${extra} AND ` : ''}${q.where} ORDER BY ${orderBy} LIMIT @limit`;
}

export function countSql(q: BuiltQuery): string {
  return `${q.with} SELECT COUNT(*) AS n FROM ${q.countFrom} WHERE ${q.countWhere}`;
}

/**
 * Up to `limit` rows from a cursor: after it (next), or before it walking back (prev; the rows
 * still come back in the list's order). No cursor: the first page, or walking back, the last.
 */
export function queryPage(db: Db, q: BuiltQuery, opts: { cursor?: Cursor | null; direction?: 'next' | 'prev'; limit: number; bounds?: KeyBounds | null }): RawRow[] {
  const forward = q.sort.dir === 'desc' ? 'DESC' : 'ASC';
  const dir = opts.direction === 'prev' ? (forward === 'ASC' ? 'DESC' : 'ASC') : forward;
  const rows: RawRow[] = [];
  const params = { ...q.params };
  const bounds = opts.bounds ?? null;
  const segments = opts.cursor ? keysetSegments(q, opts.cursor, dir, params, bounds) : firstSegments(q, params, bounds);
  for (const seg of segments) {
    const need = opts.limit - rows.length;
    if (need <= 0) break;
    for (const r of db.prepare(pageSql(q, dir, seg)).all({ ...params, limit: need }) as RawRow[]) rows.push(r);
  }
  return opts.direction === 'prev' ? rows.reverse() : rows;
}

/** A page by position (the CLI's and old callers' offset): read with OFFSET, slower the deeper it goes. */
export function queryOffset(db: Db, q: BuiltQuery, offset: number, limit: number): RawRow[] {
  return db.prepare(`${pageSql(q)} OFFSET @offset`).all({ ...q.params, offset, limit }) as RawRow[];
}

export function queryCount(db: Db, q: BuiltQuery): number {
  return (db.prepare(countSql(q)).get(q.params) as { n: number }).n;
}
