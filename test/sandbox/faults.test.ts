import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src-main/sandbox/index';
import { admin, byModified, call, plain, robust, sha, walkCrm, walkRaise, walkVomoUsers } from './helpers';

describe('flaky fault profile', () => {
  it('faults are transient: a retrying walk equals a clean walk, and a naive one trips', async () => {
    const h = await startSandbox({ people: 400, seed: 13, rateLimits: 'off', faults: 'flaky' });
    try {
      const walk = async (f: ReturnType<typeof robust>) => ({
        users: await walkVomoUsers(h, f),
        contacts: (await walkCrm(h, f, '/api/Contact/Query/FullContact', byModified, 20)).list,
        gifts: await walkRaise(h, f, 'Gift', '', 25),
      });
      const flaky = await walk(robust(h));
      let tripped = 0;
      for (let k = 0; k < 120; k++) {
        try {
          const r = await call(h, 'crm', '/api/Contact/Query/FullContact?take=5', { body: byModified });
          if (r.status !== 200 || r.json === undefined) tripped++;
        } catch {
          tripped++;
        }
      }
      expect(tripped).toBeGreaterThan(0);
      await admin(h, 'faults', { profile: 'none' });
      const clean = await walk(plain(h));
      expect(sha(flaky)).toBe(sha(clean));
    } finally {
      await h.stop();
    }
  });
});
