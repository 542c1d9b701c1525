import { describe, expect, it } from 'vitest';
import { locateNodes } from '../../src-main/identity/nodeLocator';
import { personCodes } from '../../src-main/identity/personCodes';
import type { JoinNode } from '../../src-main/identity/nodes';

const vomo = (id: string): JoinNode => ({ kind: 'vomo', key: 'vomo:' + id, id, emails: [], firstName: null });
const ind = (id: string): JoinNode => ({ kind: 'crm_individual', key: 'crm_individual:' + id, id, emails: [], contactId: 'c' + id, firstName: null, isPrimary: 0 });
const raise = (id: string): JoinNode => ({ kind: 'raise', key: 'raise:' + id, id, emails: [], firstName: null, crmKey: null });

// A join set as the loaders give it: each kind together, in id order (SQLite's text order).
const sorted = [vomo('1'), vomo('10'), vomo('2'), vomo('a:b'), ind('1'), ind('5'), raise('d1'), raise('d2')];

describe('locating a record in a join set', () => {
  it('finds every record by kind and id, and by key, in any order of asking', () => {
    const locate = locateNodes(sorted);
    const order = [...sorted.keys()];
    for (const ask of [order, [...order].reverse(), [3, 0, 7, 4, 4, 1, 6, 2, 5]]) {
      for (const i of ask) {
        expect(locate.at(sorted[i].kind, sorted[i].id)).toBe(i);
        expect(locate.atKey(sorted[i].key)).toBe(i);
      }
    }
  });

  it('answers undefined for a record the set does not hold, without losing its place', () => {
    const locate = locateNodes(sorted);
    expect(locate.at('vomo', '1')).toBe(0);
    expect(locate.at('vomo', '11')).toBeUndefined(); // between two ids
    expect(locate.at('vomo', 'zz')).toBeUndefined(); // past the last
    expect(locate.at('vomo', '10')).toBe(1);
    expect(locate.at('crm_contact', '1')).toBeUndefined(); // a kind the set has none of
    expect(locate.at('nonsense', '1')).toBeUndefined();
    expect(locate.atKey('vomo')).toBeUndefined(); // not a key
    expect(locate.atKey('vomo:a:b')).toBe(3); // an id may hold a colon
    expect(locate.at('raise', 'd2')).toBe(7);
  });

  it('gives the same answers for a set that is not in id order', () => {
    const shuffled = [raise('d2'), vomo('2'), ind('5'), vomo('1'), raise('d1'), ind('1'), vomo('a:b'), vomo('10')];
    const locate = locateNodes(shuffled);
    shuffled.forEach((n, i) => expect(locate.at(n.kind, n.id)).toBe(i));
    expect(locate.at('vomo', '11')).toBeUndefined();
    // The same kind in two places, each part in order, is not a sorted set either.
    const split = [vomo('1'), ind('1'), vomo('2')];
    const l2 = locateNodes(split);
    split.forEach((n, i) => expect(l2.atKey(n.key)).toBe(i));
  });
});

describe('coding person IDs', () => {
  it('codes a stored ID by its position and an unknown one by its place in extras, once each', () => {
    for (const ids of [['P1', 'P3', 'P5'], ['P5', 'P1', 'P3']]) {
      const extras: string[] = [];
      const code = personCodes(ids, extras);
      for (const id of ids) expect(code(id)).toBe(ids.indexOf(id));
      expect(code('P4')).toBe(-2);
      expect(code('P0')).toBe(-3);
      expect(code('P4')).toBe(-2);
      expect(code('P9')).toBe(-4);
      expect(extras).toEqual(['P4', 'P0', 'P9']);
    }
    expect(personCodes([], [])('P1')).toBe(-2);
  });
});
