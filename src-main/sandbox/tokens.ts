/** The sandbox's API tokens: a pure function of the seed, so every process derives the same ones. */
import { hash, STREAM } from './prng';

/** Tokens are deterministic per seed, shaped like each product's credentials. */
export function sandboxTokens(seed: number): { vomo: string; crm: string; raise: string } {
  const part = (n: number, len: number) => {
    let s = '';
    for (let k = 0; s.length < len; k++) s += hash(seed, n, k, STREAM.token).toString(36);
    return s.slice(0, len);
  };
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return {
    vomo: `${b64({ typ: 'JWT', alg: 'HS256' })}.${b64({ sub: 'sandbox', org: 'gotham-community-partners', seed })}.${part(1, 43)}`,
    crm: `sbx_${part(2, 48)}`,
    raise: `${b64({ typ: 'JWT', alg: 'HS256' })}.${b64({ sub: 'sandbox-raise', seed })}.${part(3, 43)}`,
  };
}

