/**
 * A 52-bit digest of a sequence of values, exact as a JS number: what a rebuild compares to
 * decide that a person row or a link is unchanged. Not a security hash. md5 over JSON cost
 * more than the rest of the row work at a million persons, and a number (unlike a string)
 * costs the garbage collector nothing to hold a million of.
 *
 * null, '' and 'null' differ (a type tag precedes each value), and values are separated by a
 * code above every UTF-16 unit, so no value can fake a boundary. Two multiply-xorshift lanes;
 * a missed change needs a 52-bit collision. Numbers are digested as their text.
 */
export const digest52 = (values: ArrayLike<unknown>): number => digestOf(values, false);

/**
 * digest52, with numbers mixed as their exact 64 bits (0 and -0 alike, as SQLite stores them)
 * instead of as text: a person row holds some thirty numbers, and turning each into a string was
 * most of the cost of digesting a million rows (personRowDigest). Its digests are not digest52's.
 * `skip[i]` set: value i reads as null (it still counts, so no value can shift into its place).
 */
export const digest52Values = (values: ArrayLike<unknown>, skip?: Uint8Array): number => digestOf(values, true, skip);

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

function digestOf(values: ArrayLike<unknown>, numberBits: boolean, skip?: Uint8Array): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < values.length; i++) {
    const v = skip?.[i] ? null : values[i];
    // The tag is mixed in as a unit of its own (no concatenated copy of a long value).
    const tag = v == null ? 0 : typeof v === 'string' ? 1 : 2;
    h1 = Math.imul(h1 ^ tag, 2654435761);
    h2 = Math.imul(h2 ^ tag, 1597334677);
    if (numberBits && typeof v === 'number') {
      F64[0] = v === 0 ? 0 : v;
      h1 = Math.imul(Math.imul(h1 ^ U32[0], 2654435761) ^ U32[1], 2246822507);
      h2 = Math.imul(Math.imul(h2 ^ U32[1], 1597334677) ^ U32[0], 3266489909);
    } else {
      const s = v == null ? '' : typeof v === 'string' ? v : String(v);
      for (let j = 0; j < s.length; j++) {
        const c = s.charCodeAt(j);
        h1 = Math.imul(h1 ^ c, 2654435761);
        h2 = Math.imul(h2 ^ c, 1597334677);
      }
    }
    h1 = Math.imul(h1 ^ 0x10000, 2654435761);
    h2 = Math.imul(h2 ^ 0x10000, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 12) * 4294967296 + (h1 >>> 0);
}

/** The stored text form of a digest (13 hex digits), and back; anything else reads as NaN (never equal). */
export const digestText = (d: number): string => Math.floor(d / 4294967296).toString(16).padStart(5, '0') + (d >>> 0).toString(16).padStart(8, '0');
export const digestFromText = (s: string | null): number => {
  if (s == null || s.length !== 13) return NaN;
  let d = 0;
  for (let i = 0; i < 13; i++) {
    const c = s.charCodeAt(i);
    const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (v < 0) return NaN;
    d = d * 16 + v; // 52 bits: exact in a double
  }
  return d;
};
