/** Person IDs: 'P' and 12 Crockford base32 characters, ascending as generated, practically never repeated. */
import { describe, expect, it } from 'vitest';
import { newPersonIds } from '../../src-main/identity/ids';

describe('newPersonIds', () => {
  it('gives IDs of the documented shape, in ascending string order, all different', () => {
    const run = newPersonIds(200_000);
    expect(run.length).toBe(200_000);
    const ids = Array.from({ length: run.length }, (_, i) => run.at(i));
    for (const id of ids.slice(0, 1000)) expect(id).toMatch(/^P[0-9A-HJKMNP-TV-Z]{12}$/);
    let misordered = 0;
    for (let i = 1; i < ids.length; i++) if (ids[i - 1] >= ids[i]) misordered++;
    expect(misordered).toBe(0); // equal first 53 bits are the only way: ~2e-6 here
    expect(new Set(ids).size).toBe(ids.length);
    // Every character position takes many values: all 60 bits are random.
    for (let pos = 1; pos <= 12; pos++) expect(new Set(ids.map((id) => id[pos])).size).toBe(32);
    expect(newPersonIds(0).length).toBe(0);
    expect(newPersonIds(1).at(0)).toMatch(/^P[0-9A-HJKMNP-TV-Z]{12}$/);
  });

  it('spells each ID the same every time it is asked for, and none outside the run', () => {
    const run = newPersonIds(1000);
    for (const i of [0, 1, 500, 999]) expect(run.at(i)).toBe(run.at(i));
    expect(() => run.at(1000)).toThrow(RangeError);
    expect(() => run.at(-1)).toThrow(RangeError);
  });
});
