/**
 * EXPLAIN QUERY PLAN for the first page of every list under every sort it allows, and for every
 * page after a cursor: the list is read by walking an index range in sort order (no temp B-tree
 * for ORDER BY), every other table is reached by key, and nothing scans a table without an index.
 * A count reads one covering index and no table, with or without filters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempCore } from '../helpers/tempCore';
import { addProfile, addPersons } from './fixtures.test';
import { LISTS, effectiveFilters } from '../../src-main/insights/listRegistry';
import { boundedKeys, buildListQuery, countSql, factsSql, keysetSegments, pageSql, sortIndex, SORTS } from '../../src-main/insights/query';
import { countIndex } from '../../src-main/insights/listIndexes';
import { InsightSettings } from '../../src-shared/domain/insights';
import { ensureInsightMeasures } from '../../src-main/insights/measures';

let core: ReturnType<typeof tempCore>;
let profileId: number;
beforeAll(() => {
  core = tempCore();
  profileId = addProfile(core.db);
  addPersons(core.db, profileId, [{ id: 'P1', first: 'A', last: 'B', vomo: true, crm: true }]);
  ensureInsightMeasures(core.db, profileId); // as every list read does first: the lists' own indexes exist
});
afterAll(() => core.cleanup());

function plan(sql: string, params: Record<string, unknown>): string[] {
  return (core.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ ...params, limit: 50, offset: 0 }) as { detail: string }[]).map((r) => r.detail);
}

const FILTERED = { minGivingCents: 0, minVerifiedHours: 0, hasEmail: true, system: 'vomo' } as const;

function expectIndexWalk(steps: string[], index: string) {
  const text = steps.join('\n');
  expect(text, text).not.toMatch(/TEMP B-TREE/);
  expect(text, text).toMatch(new RegExp(`^SEARCH (p|im) USING (COVERING )?INDEX ${index}\\b`));
  for (const s of steps) if (/^SCAN/.test(s)) expect(s, text).toMatch(/USING (COVERING )?INDEX/);
}

describe('list query plans', () => {
  for (const def of Object.values(LISTS)) {
    for (const key of def.sortKeys) {
      for (const dir of ['asc', 'desc'] as const) {
        it(`${def.name} by ${key} ${dir}: index walk, no temp B-tree, no full scan`, () => {
          const filters = effectiveFilters(FILTERED, InsightSettings.parse({}));
          for (const f of [effectiveFilters({}, InsightSettings.parse({})), filters]) {
            const q = buildListQuery({ profileId, list: def.name, filters: f, day: '2026-11-01', sort: { key, dir } });
            const steps = plan(pageSql(q), q.params);
            const text = steps.join('\n');
            expect(text, text).not.toMatch(/TEMP B-TREE/);
            expect(text, text).toMatch(new RegExp(`^(SCAN|SEARCH) (p|im) USING (COVERING )?INDEX ${sortIndex(def.name, key)}\\b`));
            for (const s of steps) {
              if (/^SCAN/.test(s)) expect(s, text).toMatch(/USING (COVERING )?INDEX/);
            }
            expect(text, text).toMatch(/SEARCH (im|p) USING PRIMARY KEY/);
          }
        });
      }
    }
  }

  it("one person's row (the person page's figures) is read by its primary key", () => {
    const q = buildListQuery({ profileId, list: 'all', filters: effectiveFilters({}, InsightSettings.parse({})), day: '2026-11-01', personId: 'P1' });
    const text = plan(pageSql(q), q.params).join('\n');
    expect(text, text).toMatch(/SEARCH p USING (COVERING )?INDEX sqlite_autoindex_persons_1|SEARCH p USING PRIMARY KEY/);
    expect(text, text).not.toMatch(/^SCAN/m);
  });

  for (const def of Object.values(LISTS)) {
    it(`${def.name}: every page after a cursor is index ranges in sort order, whatever the cursor holds`, () => {
      for (const key of def.sortKeys) {
        for (const dir of ['asc', 'desc'] as const) {
          const q = buildListQuery({ profileId, list: def.name, filters: effectiveFilters({}, InsightSettings.parse({})), day: '2026-11-01', sort: { key, dir } });
          const n = SORTS[key].terms.length;
          // Cursors with values and with NULLs (a person with no gift date, no first name).
          const cursors = [Array(n).fill('m'), Array(n).fill(null), ['m', ...Array(n - 1).fill(null)]];
          for (const values of cursors) {
            for (const walk of ['ASC', 'DESC'] as const) {
              const params = { ...q.params };
              const segments = keysetSegments(q, { key, dir, values, id: 'P5' }, walk, params);
              expect(segments.length).toBeGreaterThan(0);
              for (const seg of segments) expectIndexWalk(plan(pageSql(q, walk, seg), params), sortIndex(def.name, key));
            }
          }
        }
      }
    });

    it(`${def.name}: within the members' range (taken with the measures) a page is still index ranges in sort order`, () => {
      for (const key of boundedKeys(def.name)) {
        for (const dir of ['asc', 'desc'] as const) {
          const q = buildListQuery({ profileId, list: def.name, filters: effectiveFilters({}, InsightSettings.parse({})), day: '2026-11-01', sort: { key, dir } });
          for (const bounds of [{ min: 'a', max: 'z', nulls: 0 }, { min: 'a', max: 'z', nulls: 3 }]) {
            for (const values of [['m'], [null]]) {
              for (const walk of ['ASC', 'DESC'] as const) {
                const params = { ...q.params };
                for (const seg of keysetSegments(q, { key, dir, values, id: 'P5' }, walk, params, bounds)) expectIndexWalk(plan(pageSql(q, walk, seg), params), sortIndex(def.name, key));
              }
            }
          }
        }
      }
    });

    it(`${def.name}: the count and the members' range per sort key read one covering index`, () => {
      const q = buildListQuery({ profileId, list: def.name, filters: effectiveFilters({}, InsightSettings.parse({})), day: '2026-11-01' });
      const text = plan(factsSql(q, boundedKeys(def.name)), q.params).join('\n');
      expect(text, text).toMatch(new RegExp(`^(SCAN|SEARCH) im USING COVERING INDEX ${countIndex(def)}\\b`));
      expect(text, text).not.toMatch(/\bp\b|persons/);
    });

    it(`${def.name}: a count reads one covering index, with and without filters`, () => {
      for (const f of [{}, FILTERED]) {
        const q = buildListQuery({ profileId, list: def.name, filters: effectiveFilters(f, InsightSettings.parse({})), day: '2026-11-01' });
        const text = plan(countSql(q), q.params).join('\n');
        expect(text, text).toMatch(new RegExp(`^(SCAN|SEARCH) im USING COVERING INDEX ${countIndex(def)}\\b`));
        expect(text, text).not.toMatch(/\bp\b|persons/);
      }
    });
  }

  it('search goes through the name and email indexes', () => {
    const q = buildListQuery({ profileId, list: 'lapsed', filters: effectiveFilters({}, InsightSettings.parse({})), day: '2026-11-01', search: 'ada' });
    const text = plan(pageSql(q), q.params).join('\n');
    expect(text).toMatch(/persons_by_display_last/);
    expect(text).toMatch(/persons_by_display_first/);
    expect(text).toMatch(/persons_by_email/);
    expect(text).not.toMatch(/SCAN persons\b(?! USING)/);
    const q2 = buildListQuery({ profileId, list: 'all', filters: effectiveFilters({}, InsightSettings.parse({})), day: '2026-11-01', search: 'ada love' });
    const text2 = plan(pageSql(q2), q2.params).join('\n');
    expect(text2).toMatch(/persons_by_display_last/);
  });
});
