/**
 * Finds a record's position in a join set by its kind and id, without a map over every record.
 * A join set lists each kind's records together and in id order (nodes.ts, nodeCache.ts), so a
 * binary search finds any of them; a caller reading records in that same order (the links, in
 * their key order) is served by a cursor that steps along. A map of 1.44M keys was half a second
 * of a million-person join to build and ~100 MB its garbage collector walked for the whole
 * rebuild. A set not in that order (none today) is indexed by a map, so an answer never depends
 * on the order.
 */
import type { JoinNode, NodeKind } from './nodes';

export interface NodeLocator {
  /** The position of the record of this kind and id, or undefined when the set does not hold it. */
  at(kind: string, id: string): number | undefined;
  /** The same, by key ('vomo:12'). */
  atKey(key: string): number | undefined;
}

const KINDS: readonly NodeKind[] = ['vomo', 'crm_individual', 'crm_contact', 'raise'];

export function locateNodes(nodes: readonly JoinNode[]): NodeLocator {
  const ranges = kindRanges(nodes);
  if (!ranges) return mapLocator(nodes);
  const next = new Map<string, number>(); // per kind: the position after the last one found
  const at = (kind: string, id: string): number | undefined => {
    const r = ranges.get(kind);
    if (!r) return undefined;
    const guess = next.get(kind) ?? r[0];
    if (guess < r[1] && nodes[guess].id === id) {
      next.set(kind, guess + 1);
      return guess;
    }
    let lo = r[0];
    let hi = r[1];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (nodes[mid].id < id) lo = mid + 1;
      else hi = mid;
    }
    if (lo < r[1] && nodes[lo].id === id) {
      next.set(kind, lo + 1);
      return lo;
    }
    return undefined;
  };
  return { at, atKey: (key) => splitKey(key, at) };
}

/** Each kind's [first, end) positions, when every kind is contiguous and in strictly ascending id order; else null. */
function kindRanges(nodes: readonly JoinNode[]): Map<string, [number, number]> | null {
  const ranges = new Map<string, [number, number]>();
  let i = 0;
  while (i < nodes.length) {
    const kind = nodes[i].kind;
    if (ranges.has(kind)) return null; // a kind in two places
    const from = i;
    for (i++; i < nodes.length && nodes[i].kind === kind; i++) if (!(nodes[i - 1].id < nodes[i].id)) return null;
    ranges.set(kind, [from, i]);
  }
  return ranges;
}

function mapLocator(nodes: readonly JoinNode[]): NodeLocator {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => index.set(n.key, i));
  return { at: (kind, id) => index.get(kind + ':' + id), atKey: (key) => index.get(key) };
}

function splitKey(key: string, at: (kind: string, id: string) => number | undefined): number | undefined {
  const colon = key.indexOf(':');
  if (colon < 0) return undefined;
  const kind = key.slice(0, colon);
  return KINDS.includes(kind as NodeKind) ? at(kind, key.slice(colon + 1)) : undefined;
}
