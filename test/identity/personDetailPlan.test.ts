/**
 * A person's detail must cost the same at any store size: each of its queries is driven from the
 * person's own links through an index, never by walking a profile's table (the email lineage once
 * took 2 s per person at 1M persons).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { tempCore } from '../helpers/tempCore';
import { HOUSEHOLD_OWNER, LINEAGE_OF_PERSON } from '../../src-main/identity/personDetail';
import { LAST_DETECTION } from '../../src-main/identity/splits';
import { candidatesFrom } from '../../src-main/identity/queries';

describe('the person detail query plans', () => {
  const core = tempCore();
  afterAll(() => core.cleanup());

  it('reads the email lineage from the person\u2019s links, searching both tables by index', () => {
    const plan = (core.db.prepare(`EXPLAIN QUERY PLAN ${LINEAGE_OF_PERSON}`).all(1, 'P1') as { detail: string }[]).map((r) => r.detail);
    expect(plan[0]).toMatch(/^SEARCH l USING (COVERING )?INDEX person_links_by_person/);
    expect(plan[1]).toMatch(/^SEARCH e USING PRIMARY KEY \(profile_id=\? AND source=\? AND source_id=\?\)/);
    expect(plan.filter((d) => d.startsWith('SCAN'))).toEqual([]);
  });

  it('finds the person a household\u2019s giving counts on from the household\u2019s records and their links, each by index', () => {
    const plan = (core.db.prepare(`EXPLAIN QUERY PLAN ${HOUSEHOLD_OWNER}`).all({ p: 1, contact: 'C1', person: 'P1' }) as { detail: string }[]).map((r) => r.detail);
    expect(plan).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SEARCH i USING COVERING INDEX crm_individuals_by_contact \(profile_id=\? AND contact_id=\?\)/),
        expect.stringMatching(/^SEARCH l USING COVERING INDEX person_links_active \(profile_id=\? AND source=\? AND source_id=\?\)/),
        expect.stringMatching(/^SEARCH p USING PRIMARY KEY \(profile_id=\? AND id=\?\)/),
      ]),
    );
    // The only scans are of the household's few records, never of a table.
    expect(plan.filter((d) => d.startsWith('SCAN'))).toEqual(['SCAN CONSTANT ROW', 'SCAN r']);
  });

  it('lists a person\u2019s split candidates from either side of each pair by index, never walking the queue', () => {
    const sql = `SELECT split_candidates.* FROM ${candidatesFrom(true)} WHERE profile_id = @pid AND status = @status ORDER BY score DESC, id LIMIT 50`;
    const plan = (core.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ pid: 1, status: 'open', person: 'P1' }) as { detail: string }[]).map((r) => r.detail);
    expect(plan).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SEARCH split_candidates USING COVERING INDEX sqlite_autoindex_split_candidates_1 \(profile_id=\? AND person_a=\?\)/),
        expect.stringMatching(/^SEARCH split_candidates USING COVERING INDEX split_candidates_by_person_b \(profile_id=\? AND person_b=\?\)/),
        expect.stringMatching(/^SEARCH split_candidates USING INTEGER PRIMARY KEY \(rowid=\?\)/),
      ]),
    );
    expect(plan.filter((d) => /^SCAN split_candidates|USING INDEX split_candidates_queue/.test(d))).toEqual([]);
  });

  it('finds the last rebuild a candidate list says its open candidates were seen by from the newest run back, by index, without a sort', () => {
    const plan = (core.db.prepare(`EXPLAIN QUERY PLAN ${LAST_DETECTION}`).all(1) as { detail: string }[]).map((r) => r.detail);
    expect(plan).toEqual([expect.stringMatching(/^SEARCH identity_runs USING INDEX identity_runs_by_profile \(profile_id=\?\)/)]);
  });
});
