import { describe, expect, it } from 'vitest';
import { digest52, digest52Values, digestFromText, digestText } from '../../src-main/identity/digest';

describe('row digests', () => {
  it('tell null, empty, numbers and their text apart, and value boundaries too', () => {
    const seen = new Set<number>();
    for (const vals of [[null], [''], ['null'], [1], ['1'], ['ab', 'c'], ['a', 'bc'], ['a\u0001', 'b'], ['a', '\u0001b'], []]) seen.add(digest52(vals));
    expect(seen.size).toBe(10);
  });

  it('round-trip through their stored text exactly, and unknown text never equals a digest', () => {
    for (const vals of [['x'], [null, 3, 'é'], Array.from({ length: 50 }, (_, i) => `v${i}`)]) {
      const d = digest52(vals);
      expect(Number.isSafeInteger(d)).toBe(true);
      expect(digestText(d)).toMatch(/^[0-9a-f]{13}$/);
      expect(digestFromText(digestText(d))).toBe(d);
    }
    // md5/base64 digests written by earlier versions: the row is rewritten once.
    expect(digestFromText('1B2M2Y8AsgTpgAmY7PhCfg==')).toBeNaN();
    expect(digestFromText(null)).toBeNaN();
  });

  it('over the values of a row (digest52Values): numbers by their exact value, 0 and -0 alike, text and boundaries as digest52, skipped positions kept in place', () => {
    const seen = new Set<number>();
    const rows: unknown[][] = [[null], [''], ['null'], [1], ['1'], [1.0000000000000002], [2 ** 53], [2 ** 53 + 2], [-1], [0.1 + 0.2], [0.3], ['ab', 'c'], ['a', 'bc'], [1, null], [null, 1], []];
    for (const vals of rows) seen.add(digest52Values(vals));
    expect(seen.size).toBe(rows.length);
    expect(digest52Values([0, 'x'])).toBe(digest52Values([-0, 'x']));
    expect(Number.isSafeInteger(digest52Values(['x', 3.5, null]))).toBe(true);
    const skip = Uint8Array.from([0, 1, 0]);
    expect(digest52Values(['a', 'changed', 'c'], skip)).toBe(digest52Values(['a', 'other', 'c'], skip));
    expect(digest52Values(['a', 'x', 'c'], skip)).toBe(digest52Values(['a', null, 'c']));
    expect(digest52Values(['a', 'x', 'c'], skip)).not.toBe(digest52Values(['a', 'c']));
  });

  it('digest52 gives the values stores already hold (identity_hash, the node cache): pinned', () => {
    const cases: unknown[][] = [[], [null], [''], ['null'], [1], ['1'], ['ab', 'c'], [null, 3, 'é'], [0.1 + 0.2, -0, 2 ** 53, 'x', null]];
    expect(cases.map((c) => digest52(c))).toEqual([
      1276245688880515, 3784202617283873, 3237595294863245, 164695634821632, 2147619571175121, 1991956090410780, 3309637280951809, 1898606664507200,
      1159531362164056,
    ]);
  });
});

