import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32, in ASCII order
const CODE = Array.from(ALPHABET, (c) => c.charCodeAt(0));
const P = 'P'.charCodeAt(0);
const TWO_23 = 2 ** 23;

/** A run of new person IDs, each spelled when asked (the same string every time). */
export interface PersonIds {
  readonly length: number;
  at(i: number): string;
}

/**
 * New person IDs: 'P' + 12 base32 characters (60 random bits), generated once and kept, in
 * ascending order, so a first build's rows go in primary-key order. They are sorted as numbers
 * before they become strings (sorting a million built strings took 0.7 s): the first 53 bits,
 * exact in a double, in a typed array; the last 7 drawn after, which can misorder only two IDs
 * whose first 53 bits are equal. Order is for speed only; uniqueness rests on the 60 bits.
 * Kept as those numbers (9 bytes an ID) and spelled when asked: a first build asks for each a few
 * times over its join, and a million of them held as strings were 40 MB of its peak.
 */
export function newPersonIds(n: number): PersonIds {
  const buf = randomBytes(n * 8);
  const keys = new Float64Array(n);
  const low = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    keys[i] = buf.readUIntBE(i * 8, 6) * 32 + (buf[i * 8 + 6] >>> 3); // 48 + 5 bits
    low[i] = buf[i * 8 + 7] & 127;
  }
  keys.sort();
  return {
    length: n,
    at(i) {
      if (!(i >= 0 && i < n)) throw new RangeError(`person ID ${i} of ${n}`);
      const hi = Math.floor(keys[i] / TWO_23); // the first 30 bits
      const lo = (keys[i] % TWO_23) * 128 + low[i]; // the next 23, then 7 more
      return String.fromCharCode(
        P,
        CODE[(hi >>> 25) & 31], CODE[(hi >>> 20) & 31], CODE[(hi >>> 15) & 31], CODE[(hi >>> 10) & 31], CODE[(hi >>> 5) & 31], CODE[hi & 31],
        CODE[(lo >>> 25) & 31], CODE[(lo >>> 20) & 31], CODE[(lo >>> 15) & 31], CODE[(lo >>> 10) & 31], CODE[(lo >>> 5) & 31], CODE[lo & 31],
      );
    },
  };
}
