import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src-main/sandbox/index';
import type { SandboxHandle } from '../../src-main/sandbox/index';
import { admin, byModified, call, plain, sha, walkCrm, walkRaise, walkVomoUsers } from './helpers';

async function walk(h: SandboxHandle) {
  const strip = (x: unknown) => JSON.parse(JSON.stringify(x).split(h.crm.baseUrl).join('CRM'));
  return strip({
    users: await walkVomoUsers(h, plain(h)),
    contacts: (await walkCrm(h, plain(h), '/api/Contact/Query/FullContact', byModified, 500)).list,
    gifts: (await walkCrm(h, plain(h), '/api/Gift/Query/FullGift', {}, 500)).list,
    donors: await walkRaise(h, plain(h), 'Donor', '', 500),
    campaigns: await walkRaise(h, plain(h), 'Campaign'),
  });
}

describe('replay', () => {
  it('a sandbox restarted with the recorded actions serves the same state', async () => {
    const a = await startSandbox({ people: 300, seed: 17, rateLimits: 'off' });
    let b: SandboxHandle | undefined;
    try {
      a.clock.advance({ days: 1 });
      await call(a, 'crm', '/api/Contact/Transaction', { body: { referenceSource: 'Twofold/VOMO', referenceId: '424242', firstName: 'Guy', lastName: 'Gardner', email: 'guy@gardner.example' } });
      await call(a, 'crm', '/api/Contact/Transaction', { body: { firstName: 'No', email: 'bad' } }); // 422: not recorded
      await call(a, 'vomo', '/users', { body: { first_name: 'Guy', last_name: 'Gardner', email: 'guy@gardner.example', birthday: '1980-01-01', gender: 'M' } });
      await call(a, 'raise', '/api/Campaign/1110/toggle-sync', { method: 'PUT' });
      await admin(a, 'nightly-batch', {});
      const users = await walkVomoUsers(a, plain(a));
      await admin(a, 'delete', { api: 'vomo', resource: 'users', id: users.find((u) => typeof u.id === 'number')!.id });
      a.clock.advance({ days: 2, hours: 5 });
      const actions = a.actions();
      expect(actions.map((x) => (x.kind === 'write' ? `${x.method} ${x.path}` : x.kind))).toEqual(['advance', 'POST /api/Contact/Transaction', 'POST /users', 'PUT /api/Campaign/1110/toggle-sync', 'nightly-batch', 'delete', 'advance']);
      b = await startSandbox({ people: 300, seed: 17, rateLimits: 'off', replay: actions });
      expect(b.clock.nowMs()).toBe(a.clock.nowMs());
      expect(sha(await walk(b))).toBe(sha(await walk(a)));
      const strip = (m: object) => ({ ...m, stateVersion: 0 });
      expect(sha(strip(b.manifest()))).toBe(sha(strip(a.manifest())));
      expect(b.actions()).toEqual(actions);
    } finally {
      await a.stop();
      await b?.stop();
    }
  });
});
