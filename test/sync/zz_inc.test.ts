import { it } from 'vitest';
import { startSandbox } from '../../src-main/sandbox/index';
import { makeEnv } from './helpers';

it('inc timing', async () => {
  const h = await startSandbox({ people: 33000, rateLimits: 'off', seed: 11 });
  const env = await makeEnv({ vomo: h.vomo.baseUrl, crm: h.crm.baseUrl, raise: h.raise.baseUrl }, { vomo: h.vomo.token, crm: h.crm.token, raise: h.raise.token }, { crm: { gifts: false } });
  (env.sync as unknown as { listeners: Set<unknown> }).listeners.clear();
  let t = performance.now();
  await env.sync.run(env.profileId, { apis: ['crm'], full: true });
  console.log('full', Math.round(performance.now() - t));
  h.clock.advance({ hours: 1 });
  const w = h.core.world;
  for (let i = 0; i < w.N; i += 100) { const p = w.plan(i); if (p.crm && !p.crm.deleted && !p.crm.malformed) { const c = w.touch(i).crm!; c.tags = [...c.tags, 'B']; c.modifiedAt = w.now; } }
  w.bump();
  const t0 = performance.now();
  const orig = globalThis.fetch;
  globalThis.fetch = (async (u: unknown, init?: RequestInit) => { const s = performance.now(); const r = await orig(u as string, init); const txt = await r.clone().text(); console.log('fetch', String(u).slice(-60), Math.round(performance.now() - s), 'ms', txt.length); return r; }) as typeof fetch;
  env.core.events.on('sync.progress', (p) => console.log('progress', p.phase, p.resource, p.records, Math.round(performance.now() - t0)));
  t = performance.now();
  const run = await env.sync.run(env.profileId, { apis: ['crm'] });
  console.log('inc', Math.round(performance.now() - t), run.startedAt, run.finishedAt);
  globalThis.fetch = orig;
  await env.close();
  await h.stop();
}, 600000);
