/**
 * A person's detail must cost the same at any store size: each of its queries is driven from the
 * person's own links through an index, never by walking a profile's table (the email lineage once
 * took 2 s per person at 1M persons).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { tempCore } from '../helpers/tempCore';
import { HOUSEHOLD_OWNER, LINEAGE_OF_PERSON } from '../../src-main/identity/personDetail';
import { LAST_DETECTION } from '../../src-main/identity/splits';

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

  it('finds the last rebuild a candidate list says its open candidates were seen by from the newest run back, by index, without a sort', () => {
    const plan = (core.db.prepare(`EXPLAIN QUERY PLAN ${LAST_DETECTION}`).all(1) as { detail: string }[]).map((r) => r.detail);
    expect(plan).toEqual([expect.stringMatching(/^SEARCH identity_runs USING INDEX identity_runs_by_profile \(profile_id=\?\)/)]);
  });
});
