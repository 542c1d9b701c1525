import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32

/** A new person ID: 'P' + 12 base32 characters (60 random bits), generated once and kept. */
export function newPersonIds(n: number): string[] {
  const buf = randomBytes(n * 8);
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    let s = 'P';
    for (let j = 0; j < 12; j++) {
      // 12 chars × 5 bits from 8 bytes (first 60 bits)
      const bit = j * 5;
      const byte = i * 8 + (bit >> 3);
      const shift = bit & 7;
      const v = ((buf[byte] << 8) | (buf[byte + 1] ?? 0)) >> (11 - shift);
      s += ALPHABET[v & 31];
    }
    out[i] = s;
  }
  return out;
}
