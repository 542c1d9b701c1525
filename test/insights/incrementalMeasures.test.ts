/**
 * The measures kept current without recomputing everyone, each way leaving exactly what a refresh
 * of everyone leaves:
 * - after a sync, the persons identity noted as changed are recomputed, and only the rows that
 *   read differently are written (new, gone and changed persons);
 * - on a new score day (the engagement score's recency parts are the only measures that depend on
 *   the day) only the persons whose last gift or participation crosses a recency step are
 *   rescored. The days since a gift or a participation are counted when a row is read, from the
 *   day the parts were scored for, the way the refresh's SQL counts them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPersons, coreWithPersons, markIdentityRun, type PersonSeed } from './fixtures.test';
import { CHANGED_ROWS, changedStatements, ensureInsightMeasures, insightState, recencyRanges, refreshInsightMeasures, rescoreStatements } from '../../src-main/insights/measures';
import { adjustListCounts, countKey, storedFacts, takeListCounts, type ListFacts } from '../../src-main/insights/listCounts';
import { LISTS, effectiveFilters } from '../../src-main/insights/listRegistry';
import { buildListQuery } from '../../src-main/insights/query';
import { InsightSettings, type ListName } from '../../src-shared/domain/insights';
import { ENGAGEMENT_RULES, pointsOf } from '../../src-main/insights/engagement';
import { addDays, daysBetween } from '../../src-main/insights/dates';
import type { Db } from '../../src-main/store/db';

const D0 = '2026-11-01';
const GIVING = ENGAGEMENT_RULES.find((r) => r.key === 'givingRecencyPts')!;
const SERVING = ENGAGEMENT_RULES.find((r) => r.key === 'servingRecencyPts')!;

/**
 * A last gift on every day from 800 days before D0 to 10 days after it, and a last participation
 * on every day too (late in the UTC day, in another order), so every recency step is crossed by
 * someone whichever way the day moves; plus dates SQLite and the row reader must read alike.
 */
function seeds(): PersonSeed[] {
  const out: PersonSeed[] = [];
  for (let k = -10; k <= 800; k++) {
    const served = addDays(D0, -((k * 7) % 811) + 10);
    out.push({
      id: `P${String(k + 10).padStart(4, '0')}`,
      first: 'P',
      last: String(k),
      email: `p${k + 10}@example.org`,
      vomo: k % 5 !== 0,
      crm: true,
      givingCents: 1_000 * (k % 13),
      crmGifts: k % 4,
      lastGift: k % 17 === 0 ? undefined : addDays(D0, -k),
      parts: k % 5 !== 0 ? [[`${served}T23:30:00Z`, `${served}T23:59:00Z`, 2]] : [],
    });
  }
  // A day past its month's end (both roll it over), a month that is not one, words (both: none).
  out.push({ id: 'Q1', first: 'Q', last: 'Rollover', email: 'q1@example.org', crm: true, givingCents: 500, crmGifts: 1, lastGift: '2026-02-30' });
  out.push({ id: 'Q2', first: 'Q', last: 'Month', email: 'q2@example.org', crm: true, givingCents: 500, crmGifts: 1, lastGift: '2026-13-01' });
  out.push({ id: 'Q3', first: 'Q', last: 'Words', email: 'q3@example.org', crm: true, givingCents: 500, crmGifts: 1, lastGift: 'not a date' });
  return out;
}

const PARTS = 'giving_recency_pts, giving_frequency_pts, giving_amount_pts, serving_recency_pts, serving_hours_pts, serving_count_pts, score';
/** Every column a list, a count or an export reads (the days-since columns are no longer written). */
function measures(db: Db, profileId: number): unknown[] {
  return db
    .prepare(
      `SELECT person_id, total_hours, verified_hours, participations, verified_participations, verified_by_flag, verified_by_check,
              first_participation_at, last_participation_at, gift_count, ${PARTS},
              has_vomo, has_crm, has_raise, has_email, lifetime_giving_cents, first_gift_date, last_gift_date, first_raise_gift_date
         FROM insight_measures WHERE profile_id = ? ORDER BY person_id`,
    )
    .raw()
    .all(profileId);
}

/** Rows inserted, updated or deleted in insight_measures since the last call (counted by temporary triggers). */
function rowsWritten(db: Db): number {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS written (n INTEGER NOT NULL);
    INSERT INTO temp.written SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM temp.written);
    CREATE TEMP TRIGGER IF NOT EXISTS written_i AFTER INSERT ON main.insight_measures BEGIN UPDATE temp.written SET n = n + 1; END;
    CREATE TEMP TRIGGER IF NOT EXISTS written_u AFTER UPDATE ON main.insight_measures BEGIN UPDATE temp.written SET n = n + 1; END;
    CREATE TEMP TRIGGER IF NOT EXISTS written_d AFTER DELETE ON main.insight_measures BEGIN UPDATE temp.written SET n = n + 1; END;`);
  const n = db.prepare('SELECT n FROM temp.written').pluck().get() as number;
  db.exec('UPDATE temp.written SET n = 0');
  return n;
}

let core: ReturnType<typeof coreWithPersons>['core'];
let profileId: number;
let db: Db;
let persons: number;

beforeAll(() => {
  ({ core, profileId } = coreWithPersons(seeds()));
  db = core.db;
  persons = db.prepare('SELECT COUNT(*) FROM persons WHERE profile_id = ?').pluck().get(profileId) as number;
});
afterAll(() => core.cleanup());

/** What a refresh of everyone for `day` leaves, computed in a transaction that is rolled back. */
function everyoneFor(day: string): unknown[] {
  let out: unknown[] = [];
  const rollback = new Error('rollback');
  try {
    db.transaction(() => {
      refreshInsightMeasures(db, profileId, { asOf: day });
      out = measures(db, profileId);
      throw rollback;
    })();
  } catch (err) {
    if (err !== rollback) throw err;
  }
  return out;
}

describe('the persons a sync changed', () => {
  it('are recomputed for the scored day, and only the rows that read differently are written', () => {
    refreshInsightMeasures(db, profileId, { asOf: D0 });
    const state0 = insightState(db, profileId)!;
    const before = new Map((measures(db, profileId) as unknown[][]).map((r) => [r[0], JSON.stringify(r)]));
    // A gift (P0100), a participation's hours (P0150), a new name only (P0200), an email removed
    // (P0250: has_email), a person gone (P0300), a new person (NEW2), and one noted twice.
    db.prepare(`UPDATE persons SET lifetime_giving_cents = lifetime_giving_cents + 100_000, crm_gift_count = crm_gift_count + 1, last_gift_date = ? WHERE profile_id = ? AND id = 'P0100'`).run(addDays(D0, -1), profileId);
    db.prepare(`UPDATE persons SET vomo_hours_verified = vomo_hours_verified + 3.25, vomo_hours_total = vomo_hours_total + 3.25 WHERE profile_id = ? AND id = 'P0150'`).run(profileId);
    db.prepare(`UPDATE persons SET display_last_name = 'Renamed', display_name = 'P Renamed' WHERE profile_id = ? AND id = 'P0200'`).run(profileId);
    db.prepare(`UPDATE persons SET display_email = NULL WHERE profile_id = ? AND id = 'P0250'`).run(profileId);
    db.prepare(`DELETE FROM persons WHERE profile_id = ? AND id = 'P0300'`).run(profileId);
    addPersons(db, profileId, [{ id: 'NEW2', first: 'New', last: 'Two', email: 'new2@example.org', crm: true, givingCents: 7_000, crmGifts: 1, lastGift: addDays(D0, -30) }]);
    markIdentityRun(db, profileId, ['P0100', 'P0150', 'P0200', 'P0250', 'P0300', 'NEW2', 'P0100']);
    const expected = everyoneFor(D0);
    rowsWritten(db);
    const { state } = ensureInsightMeasures(db, profileId);
    const written = rowsWritten(db);
    const after = measures(db, profileId) as unknown[][];
    expect(after).toEqual(expected);
    const changed = after.filter((r) => before.get(r[0]) !== JSON.stringify(r)).map((r) => r[0]);
    expect(changed.sort()).toEqual(['NEW2', 'P0100', 'P0150', 'P0250']);
    expect(written).toBe(changed.length + 1); // and P0300's row deleted; P0200's new name is not a measure
    // The totals moved by the difference, as a count of everyone gives them.
    const counted = db.prepare(`SELECT COUNT(*) AS persons, SUM(verified_by_flag) AS by_flag, SUM(verified_by_check) AS by_check FROM insight_measures WHERE profile_id = ?`).get(profileId) as Record<string, number>;
    expect({ persons: state.persons, by_flag: state.by_flag, by_check: state.by_check }).toEqual(counted);
    expect(state.persons).toBe(state0.persons);
    expect(state.as_of).toBe(D0);
    expect(state.identity_run_id).not.toBe(state0.identity_run_id);
  });
});

describe("the lists' counts after a sync", () => {
  const factsFor = (state: NonNullable<ReturnType<typeof insightState>>) =>
    new Map(
      (Object.keys(LISTS) as ListName[]).map((list) => {
        const q = buildListQuery({ profileId, list, filters: effectiveFilters({}, InsightSettings.parse({})), day: state.as_of });
        return [list, storedFacts(db, profileId, countKey(q, state))];
      }),
    );

  it("move by the changed persons' rows: the same counts and NULLs as counting again, ranges no narrower", async () => {
    refreshInsightMeasures(db, profileId, { asOf: D0 });
    takeListCounts(db, profileId, insightState(db, profileId)!);
    // Persons leaving and joining lists: a lapsed donor gives again, volunteers give for the first
    // time or stop serving, a donor's giving ends, an email goes, hours grow, one person goes and one comes.
    db.prepare(`UPDATE persons SET lifetime_giving_cents = lifetime_giving_cents + 50_000, crm_gift_count = crm_gift_count + 1, last_gift_date = ? WHERE profile_id = ? AND id IN ('P0400', 'P0500', 'P0600')`).run(addDays(D0, -3), profileId);
    db.prepare(`UPDATE persons SET has_crm = 0, lifetime_giving_cents = 0, crm_gift_count = 0, last_gift_date = NULL, first_gift_date = NULL WHERE profile_id = ? AND id IN ('P0020', 'P0021', 'P0700')`).run(profileId);
    db.prepare(`UPDATE persons SET has_vomo = 0, vomo_hours_verified = 0, vomo_hours_total = 0, last_attended_at = NULL WHERE profile_id = ? AND id IN ('P0011', 'P0012')`).run(profileId);
    db.prepare(`UPDATE persons SET vomo_hours_verified = vomo_hours_verified + 40, vomo_verified_count = vomo_verified_count + 4 WHERE profile_id = ? AND id IN ('P0013', 'P0014')`).run(profileId);
    db.prepare(`UPDATE persons SET display_email = NULL WHERE profile_id = ? AND id = 'P0015'`).run(profileId);
    db.prepare(`DELETE FROM persons WHERE profile_id = ? AND id = 'P0016'`).run(profileId);
    addPersons(db, profileId, [{ id: 'NEW3', first: 'New', last: 'Three', email: 'new3@example.org', vomo: true, crm: true, givingCents: 9_000, crmGifts: 2, lastGift: addDays(D0, -500), parts: [[`${D0}T10:00:00Z`, `${D0}T12:00:00Z`, 2]] }]);
    const changedIds = ['P0400', 'P0500', 'P0600', 'P0020', 'P0021', 'P0700', 'P0011', 'P0012', 'P0013', 'P0014', 'P0015', 'P0016', 'NEW3'];
    markIdentityRun(db, profileId, changedIds);
    const r = ensureInsightMeasures(db, profileId);
    expect(r.changedFrom).toBeDefined();
    expect(adjustListCounts(db, profileId, r.changedFrom!, r.state, CHANGED_ROWS)).toBe(true);
    const moved = factsFor(r.state);
    takeListCounts(db, profileId, r.state);
    const exact = factsFor(r.state);
    let counted = 0;
    for (const list of Object.keys(LISTS) as ListName[]) {
      const m = moved.get(list)!;
      const e = exact.get(list)!;
      expect(m.n, list).toBe(e.n);
      counted += e.n;
      for (const [key, b] of Object.entries(e.bounds) as [string, ListFacts['bounds'][keyof ListFacts['bounds']]][]) {
        const a = m.bounds[key as keyof ListFacts['bounds']]!;
        expect(a.nulls, `${list} ${key}`).toBe(b!.nulls);
        if (b!.min !== null) expect(a.min! <= b!.min, `${list} ${key} min ${a.min} ${b!.min}`).toBe(true);
        if (b!.max !== null) expect(a.max! >= b!.max, `${list} ${key} max ${a.max} ${b!.max}`).toBe(true);
      }
    }
    expect(counted).toBeGreaterThan(0);
  });

  it('are counted again when the facts before are missing, or the day moved', () => {
    refreshInsightMeasures(db, profileId, { asOf: D0 });
    db.prepare('DELETE FROM insight_counts WHERE profile_id = ?').run(profileId);
    markIdentityRun(db, profileId, ['P0401']);
    const r = ensureInsightMeasures(db, profileId);
    expect(adjustListCounts(db, profileId, r.changedFrom!, r.state, CHANGED_ROWS)).toBe(false);
    expect(db.prepare('SELECT COUNT(*) FROM insight_counts WHERE profile_id = ?').pluck().get(profileId)).toBe(0);
    markIdentityRun(db, profileId, ['P0402']);
    expect(ensureInsightMeasures(db, profileId, { scoreDay: addDays(D0, 1) }).changedFrom).toBeUndefined();
  });

  it('taken by the measures job after a sync equal a count of every list', async () => {
    refreshInsightMeasures(db, profileId, { asOf: D0 });
    takeListCounts(db, profileId, insightState(db, profileId)!);
    db.prepare(`UPDATE persons SET lifetime_giving_cents = 0, crm_gift_count = 0, last_gift_date = NULL WHERE profile_id = ? AND id IN ('P0101', 'P0102')`).run(profileId);
    markIdentityRun(db, profileId, ['P0101', 'P0102']);
    const state = await core.jobs.run('measures', { profileId }, { profileId });
    for (const list of Object.keys(LISTS) as ListName[]) {
      const q = buildListQuery({ profileId, list, filters: effectiveFilters({}, InsightSettings.parse({})), day: state.as_of });
      expect(storedFacts(db, profileId, countKey(q, state))?.n, list).toBe(db.prepare(`SELECT COUNT(*) FROM ${q.countFrom} WHERE ${q.countWhere}`).pluck().get(q.params));
    }
  });
});

describe('a new score day', () => {
  it('leaves the rows a refresh of everyone for that day leaves, rewriting only the persons whose recency points change', () => {
    refreshInsightMeasures(db, profileId, { asOf: D0 });
    let day = D0;
    for (const shift of [1, 1, 6, -3, 30, -45, 0]) {
      const to = addDays(day, shift);
      const before = new Map((measures(db, profileId) as unknown[][]).map((r) => [r[0], JSON.stringify(r)]));
      const expected = everyoneFor(to);
      rowsWritten(db);
      ensureInsightMeasures(db, profileId, { scoreDay: to });
      const written = rowsWritten(db);
      const after = measures(db, profileId);
      expect(after, `${day} → ${to}`).toEqual(expected);
      expect(insightState(db, profileId)!.as_of).toBe(to);
      // One row written per person whose points changed, no other.
      const differing = (after as unknown[][]).filter((r) => before.get(r[0]) !== JSON.stringify(r)).length;
      if (shift !== 0) expect(differing).toBeGreaterThan(0);
      expect(written).toBe(differing);
      day = to;
    }
  });

  it('rescores everyone in one pass when the day is far from the scored one, with the same result', () => {
    refreshInsightMeasures(db, profileId, { asOf: D0 });
    const to = addDays(D0, 400);
    const expected = everyoneFor(to);
    rowsWritten(db);
    ensureInsightMeasures(db, profileId, { scoreDay: to });
    expect(measures(db, profileId)).toEqual(expected);
    // The refresh of everyone deletes and inserts every row.
    expect(rowsWritten(db)).toBe(2 * persons);
  });

  it('takes the persons identity changed for the scored day, then moves everyone to the new one', () => {
    refreshInsightMeasures(db, profileId, { asOf: D0 });
    db.prepare(`UPDATE persons SET lifetime_giving_cents = lifetime_giving_cents + 100_000, last_gift_date = ? WHERE profile_id = ? AND id IN ('P0100', 'P0200')`).run(addDays(D0, -2), profileId);
    addPersons(db, profileId, [{ id: 'NEW', first: 'New', last: 'Person', email: 'new@example.org', crm: true, givingCents: 7_000, crmGifts: 1, lastGift: addDays(D0, -90) }]);
    markIdentityRun(db, profileId, ['P0100', 'P0200', 'NEW']);
    const to = addDays(D0, 2);
    const expected = everyoneFor(to);
    const { state } = ensureInsightMeasures(db, profileId, { scoreDay: to });
    expect(measures(db, profileId)).toEqual(expected);
    expect(state.persons).toBe(persons + 1);
    expect(state.as_of).toBe(to);
    db.prepare(`DELETE FROM persons WHERE profile_id = ? AND id = 'NEW'`).run(profileId);
    markIdentityRun(db, profileId, ['NEW']);
  });

  it('gives a row the days since its last gift and participation as of the scored day, as the parts were scored', async () => {
    const to = addDays(D0, 5);
    ensureInsightMeasures(db, profileId, { scoreDay: to });
    const rows = [];
    let cursor: string | undefined;
    do {
      const page = await core.insights.listPage({ profileId, list: 'engagement', asOf: to, limit: 500, cursor });
      rows.push(...page.rows);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(rows.length).toBeGreaterThan(500);
    for (const row of rows) {
      const e = row.engagement!;
      expect(e.scoredAsOf).toBe(to);
      expect(pointsOf(GIVING, e.daysSinceGift), row.personId).toBe(e.givingRecencyPts);
      expect(pointsOf(SERVING, e.daysSinceParticipation), row.personId).toBe(e.servingRecencyPts);
    }
  });
});

describe('the recency ranges of a day change', () => {
  it('hold a date exactly when one of its recency parts scores differently on the two days', () => {
    for (const [from, to] of [
      [D0, addDays(D0, 1)],
      [D0, addDays(D0, 9)],
      [D0, addDays(D0, -4)],
      [D0, addDays(D0, 200)],
    ] as const) {
      const ranges = recencyRanges(from, to);
      for (let k = -300; k <= 1100; k++) {
        const g = addDays(D0, -k);
        const inRanges = ranges.some(([s, e]) => g >= s && g < e);
        const differs = [GIVING, SERVING].some((rule) => pointsOf(rule, daysBetween(g, from)) !== pointsOf(rule, daysBetween(g, to)));
        expect(inRanges, `${g}: ${from} → ${to}`).toBe(differs);
        // An instant on that day falls in the same ranges.
        expect(ranges.some(([s, e]) => `${g}T23:59:59.999Z` >= s && `${g}T23:59:59.999Z` < e)).toBe(inRanges);
      }
      // Merged and in order: each range starts after the previous one ends.
      for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0] > ranges[i - 1]![1]).toBe(true);
    }
  });

  it('count days as the refresh SQL does, for days, instants and values that are not dates', () => {
    const values = ['2026-10-31', '2025-11-01', '2026-11-05', '2024-02-29', '2024-02-30', '2026-02-30', '2026-02-31', '2026-04-31', '2026-13-01',
      '2026-00-10', '2026-01-32', '2026-01-00', '0099-06-15', '1600-02-29', '1900-02-29', '2000-02-29', '2026-10-31T23:59:59.999Z',
      '2026-11-01T00:00:00+14:00', 'not a date', '', '2026-1-5', '2026-11-1T', '-2026-11-01', '2026/11/01', '２０２６-11-01', null];
    for (let k = 0; k < 1500; k++) values.push(addDays('1999-12-25', k * 7 + (k % 5)));
    for (const day of [D0, '2024-03-01', '2027-01-01', '1970-01-01', '0099-01-01']) {
      for (const v of values) {
        const sql = db.prepare('SELECT CAST(julianday(?) - julianday(substr(?, 1, 10)) AS INTEGER)').pluck().get(day, v) as number | null;
        expect(daysBetween(v, day), `${v} at ${day}`).toBe(sql);
      }
    }
  });
});

describe('the incremental refreshes, planned', () => {
  const plan = (sql: string, params: Record<string, unknown>) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ ...params, pid: profileId }) as { detail: string }[]).map((r) => r.detail);

  it("reach the changed persons' rows by key, driven from the changed persons", () => {
    if (!insightState(db, profileId)) refreshInsightMeasures(db, profileId, { asOf: D0 });
    markIdentityRun(db, profileId, ['P0101']);
    ensureInsightMeasures(db, profileId); // its temporary tables are on this connection from now on
    const sql = changedStatements();
    const steps = (name: keyof typeof sql) => {
      const params = /@day/.test(sql[name]) ? { day: D0 } : {};
      return (/@pid/.test(sql[name]) ? plan(sql[name], params) : (db.prepare(`EXPLAIN QUERY PLAN ${sql[name]}`).all() as { detail: string }[]).map((r) => r.detail)).join('\n');
    };
    const totals = steps('totals');
    expect(totals, totals).toMatch(/^SCAN s\nSEARCH im USING PRIMARY KEY \(profile_id=\? AND person_id=\?\)$/);
    const fresh = steps('fresh');
    expect(fresh, fresh).toMatch(/SCAN s\b[\s\S]*SEARCH p USING PRIMARY KEY \(profile_id=\? AND id=\?\)/);
    const gone = steps('gone');
    expect(gone, gone).toMatch(/^SEARCH insight_measures USING PRIMARY KEY \(profile_id=\? AND person_id=\?\)/);
    const upsert = steps('upsert');
    expect(upsert, upsert).toMatch(/^SCAN n\n[\s\S]*SEARCH im USING PRIMARY KEY \(profile_id=\? AND person_id=\?\)$/);
    for (const text of [totals, fresh, gone, upsert]) for (const line of text.split('\n')) if (/^SCAN/.test(line)) expect(line, text).toMatch(/^SCAN (s|n|(temp\.)?insight_scope|(temp\.)?insight_fresh)\b/);
  });

  it('finds the candidates as ranges of the date indexes and updates each row by its key', () => {
    for (const to of [addDays(D0, 1), addDays(D0, -20), addDays(D0, 60)]) {
      const { params, candidates, update } = rescoreStatements(D0, to);
      const reads = plan(candidates, params);
      const searches: string[] = reads.filter((s) => /^(SEARCH|SCAN)/.test(s));
      expect(searches.length).toBe(2 * recencyRanges(D0, to).length); // one range per part and day range
      for (const step of searches)
        expect(step).toMatch(/^SEARCH insight_measures USING COVERING INDEX insight_measures_by_last_(gift|participation) \(profile_id=\? AND last_(gift_date|participation_at)>\? AND last_(gift_date|participation_at)<\?\)$/);
      const writes = plan(update, params).join('\n');
      expect(writes, writes).toMatch(/^SEARCH insight_measures USING PRIMARY KEY \(profile_id=\? AND person_id=\?\)/);
      expect(writes, writes).not.toMatch(/\bSCAN\b/);
    }
  });
});
