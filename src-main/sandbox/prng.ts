/**
 * Deterministic randomness. Every record is a pure function of (seed, person index, stream), so
 * any page can be produced on demand without holding the population in memory.
 */

/** murmur3's finaliser: a cheap, well-mixed 32-bit scramble. */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of a few integers (seeds beyond 2^32 keep their high part). */
export function hash(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    const lo = p >>> 0;
    const hi = Math.floor(p / 4294967296) >>> 0;
    h = mix32(h ^ lo) + 0x6d2b79f5;
    if (hi) h = mix32(h ^ hi);
  }
  return mix32(h);
}

/** Hash of a string, for salting by name. */
export function hashString(s: string): number {
  let h = 2166136261;
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 16777619);
  return mix32(h);
}

/** mulberry32: tiny, fast, good enough for synthetic data. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Picks by relative weight: weighted([[a, 3], [b, 1]]). */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of choices) total += w;
    let r = this.next() * total;
    for (const [v, w] of choices) {
      r -= w;
      if (r < 0) return v;
    }
    return choices[choices.length - 1]![0];
  }
}

/** Independent streams per person, so adding a field to one stream leaves the others unchanged. */
export const STREAM = {
  role: 1,
  names: 2,
  vomo: 3,
  crm: 4,
  raise: 5,
  contact: 6,
  event: 7,
  fault: 8,
  token: 9,
  participations: 10,
} as const;

export function rngFor(seed: number, index: number, stream: number): Rng {
  return new Rng(hash(seed, index, stream));
}
