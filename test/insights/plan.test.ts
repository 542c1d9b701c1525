/**
 * EXPLAIN QUERY PLAN for the first page of every list under every sort it allows: the list is
 * read by walking an index in sort order (no temp B-tree for ORDER BY), every other table is
 * reached by key, and nothing scans a table without an index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempCore } from '../helpers/tempCore';
import { addProfile, addPersons } from './fixtures.test';
import { LISTS, effectiveFilters } from '../../src-main/insights/listRegistry';
import { buildListQuery, pageSql, sortIndex } from '../../src-main/insights/query';
import { InsightSettings } from '../../src-shared/domain/insights';

let core: ReturnType<typeof tempCore>;
let profileId: number;
beforeAll(() => {
  core = tempCore();
  profileId = addProfile(core.db);
  addPersons(core.db, profileId, [{ id: 'P1', first: 'A', last: 'B', vomo: true, crm: true }]);
});
afterAll(() => core.cleanup());

function plan(sql: string, params: Record<string, unknown>): string[] {
  return (core.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ ...params, limit: 50, offset: 0 }) as { detail: string }[]).map((r) => r.detail);
}

describe('list query plans', () => {
  for (const def of Object.values(LISTS)) {
    for (const key of def.sortKeys) {
      for (const dir of ['asc', 'desc'] as const) {
        it(`${def.name} by ${key} ${dir}: index walk, no temp B-tree, no full scan`, () => {
          const filters = effectiveFilters({ minGivingCents: 0, minVerifiedHours: 0, hasEmail: true, system: 'vomo' }, InsightSettings.parse({}));
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
