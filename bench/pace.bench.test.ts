/**
 * Pace benchmark (issue 15): how close to the servers' limits Twofold runs, how long syncs take
 * with no limits, and how many requests an incremental sync and the "Add to CRM+" preview spend.
 *
 *   (a) sandbox with rate limits "real" (CRM+ on the "scaled" 100/minute budget, so a run of a
 *       few minutes crosses several windows): per API, requests per second achieved as a share
 *       of what the server allows, and the number of 429s. Each API syncs alone, capped in time.
 *   (b) rate limits off, PACE_PEOPLE (default 2000,20000) people: full and incremental sync
 *       times (the sync, then the post-sync identity rebuild), the incremental after one day of
 *       sandbox activity.
 *   (c) VOMO requests spent by that incremental sync, and how many participations the store
 *       still has wrong afterwards (compared with what the sandbox serves).
 *   (d) CRM+ requests spent by opening the push preview on the volunteer-only list, twice.
 *
 * Run: npm run bench -- pace   (PACE_PARTS=a,b,c,d; PACE_PEOPLE=2000,20000; PACE_CAP_S=150; PACE_APIS=vomo,crm,raise)
 * Requests are counted at the client's fetch (every response, by the server's port and status).
 * Writes bench-results/pace.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../src-main/sandbox/index';
import { resolveLimits } from '../src-main/sandbox/http/rateLimit';
import { tempCore } from '../test/helpers/tempCore';
import type { Core } from '../src-main/core/app';

const PARTS = new Set((process.env.PACE_PARTS ?? 'a,b,c,d').split(',').map((s) => s.trim()));
const PEOPLE = (process.env.PACE_PEOPLE ?? '2000,20000').split(',').map(Number).filter((n) => n > 0);
const CAP_S = Number(process.env.PACE_CAP_S ?? 150);
const APIS = (process.env.PACE_APIS ?? 'vomo,crm,raise').split(',').map((s) => s.trim()) as ('vomo' | 'crm' | 'raise')[];

// ------------------------------------------------------------------ counting every response

interface Tally {
  requests: number;
  limited: number;
  first: number;
  last: number;
  /** When each answer other than a 429 arrived (ms). */
  okAt: number[];
}
const tallies = new Map<string, Tally>();
const realFetch = globalThis.fetch;
globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
  const res = await realFetch(input, init);
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (!url.pathname.startsWith('/__sandbox')) {
    const t = tallies.get(url.port) ?? { requests: 0, limited: 0, first: Date.now(), last: 0, okAt: [] };
    t.requests++;
    if (res.status === 429) t.limited++;
    else t.okAt.push(Date.now());
    t.last = Date.now();
    tallies.set(url.port, t);
  }
  return res;
}) as typeof fetch;

function portOf(baseUrl: string): string {
  return new URL(baseUrl).port;
}
function tallyOf(baseUrl: string): Tally {
  return tallies.get(portOf(baseUrl)) ?? { requests: 0, limited: 0, first: 0, last: 0, okAt: [] };
}
function resetTally(baseUrl: string): void {
  tallies.delete(portOf(baseUrl));
}

async function profileFor(core: Core, h: SandboxHandle): Promise<number> {
  // A plain profile pointed at the sandbox, as a steward would add it: no sandbox tuning.
  const p = core.profiles.insert({ name: `Pace ${Date.now()}`, vomoUrl: h.vomo.baseUrl, crmUrl: h.crm.baseUrl, raiseUrl: h.raise.baseUrl });
  for (const api of ['vomo', 'crm', 'raise'] as const) await core.secrets.set(p.id, api, h[api].token);
  return p.id;
}

function load(): string {
  return os.loadavg().map((x) => x.toFixed(2)).join(' ');
}

const results: Record<string, unknown> = { at: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version } };
function save(): void {
  fs.mkdirSync(path.resolve(__dirname, '..', 'bench-results'), { recursive: true });
  fs.writeFileSync(path.resolve(__dirname, '..', 'bench-results', 'pace.json'), JSON.stringify(results, null, 2) + '\n');
}

// ------------------------------------------------------------------ (a)

it.runIf(PARTS.has('a'))(
  '(a) pace against the real limits',
  async () => {
    const limits = { ...resolveLimits('real'), crm: resolveLimits('scaled').crm };
    const h = await startSandbox({ people: 2000, seed: 21, rateLimits: limits });
    const core = tempCore();
    try {
      const profileId = await profileFor(core, h);
      const svc = core.sync;
      // Many small pages, so each API makes enough requests to cross several windows.
      svc.configure({ crm: { take: 10 }, raise: { take: 5 } });
      const out: Record<string, unknown> = {};
      for (const api of APIS) {
        const base = h[api].baseUrl;
        resetTally(base);
        const lim = limits[api]!;
        const t0 = Date.now();
        const timer = setTimeout(() => svc.cancel(profileId), CAP_S * 1000);
        const run = await svc.run(profileId, { apis: [api], full: true });
        clearTimeout(timer);
        const t = tallyOf(base);
        const secs = (t.last - t.first) / 1000;
        // Over whole server windows only: a run cut off mid-window would flatter a client that
        // spends its window's budget early.
        const windows = Math.max(1, Math.floor((t.last - t.first) / lim.windowMs));
        const span = windows * lim.windowMs;
        const ok = t.okAt.filter((at) => at < t.first + span).length;
        const allowed = lim.limit / (lim.windowMs / 1000);
        const achieved = ok / (span / 1000);
        out[api] = {
          status: run.status,
          seconds: Number(secs.toFixed(1)),
          measuredOverSeconds: span / 1000,
          wallSeconds: Number(((Date.now() - t0) / 1000).toFixed(1)),
          requests: t.requests,
          answered429: t.limited,
          per1000: Number(((t.limited * 1000) / Math.max(1, t.requests)).toFixed(2)),
          allowedPerSecond: Number(allowed.toFixed(3)),
          achievedPerSecond: Number(achieved.toFixed(3)),
          share: Number((achieved / allowed).toFixed(3)),
          limit: `${lim.limit} per ${lim.windowMs / 1000} s`,
          load: load(),
        };
        console.log(`(a) ${api}`, JSON.stringify(out[api]));
      }
      results.a = out;
      save();
    } finally {
      await core.cleanup();
      await h.stop();
    }
  },
  3_600_000,
);

// ------------------------------------------------------------------ (b) (c) (d)

/** Participations the store holds differently from what the sandbox serves (missing, extra or changed check-out). */
function staleParticipations(core: Core, profileId: number, h: SandboxHandle): number {
  const w = h.core.world;
  const rows = core.db
    .prepare('SELECT user_id, id, checked_out_at FROM vomo_participations WHERE profile_id = ?')
    .all(profileId) as { user_id: string; id: string; checked_out_at: string | null }[];
  const have = new Map(rows.map((r) => [`${r.user_id}/${r.id}`, r.checked_out_at]));
  let stale = 0;
  const seen = new Set<string>();
  for (const i of w.allIndexes()) {
    const v = w.plan(i).vomo;
    if (!v || v.deleted || v.malformed) continue;
    for (const p of v.participations) {
      const key = `${v.id}/${p.id}`;
      seen.add(key);
      const out = p.checkedOutAt === null ? null : new Date(Math.floor(p.checkedOutAt / 1000) * 1000).toISOString();
      if (!have.has(key) || have.get(key) !== out) stale++;
    }
  }
  for (const k of have.keys()) if (!seen.has(k) && w.vomoUser(Number(k.split('/')[0]))) stale++;
  return stale;
}

for (const people of PEOPLE) {
  it.runIf(PARTS.has('b') || PARTS.has('c') || PARTS.has('d'))(
    `(b)(c)(d) ${people} people, rate limits off`,
    async () => {
      const h = await startSandbox({ people, seed: 22, rateLimits: 'off' });
      const core = tempCore();
      try {
        const profileId = await profileFor(core, h);
        const svc = core.sync;
        let listenersMs = 0;
        const timed = async (full: boolean) => {
          const t = performance.now();
          const run = await svc.run(profileId, { full });
          const total = performance.now() - t;
          const sync = Date.parse(run.finishedAt!) - Date.parse(run.startedAt);
          listenersMs = Math.round(total - sync);
          return { status: run.status, syncSeconds: Number((sync / 1000).toFixed(1)), rebuildSeconds: Number((listenersMs / 1000).toFixed(1)), totalSeconds: Number((total / 1000).toFixed(1)), load: load() };
        };
        const full = await timed(true);
        console.log(`(b) ${people} full`, JSON.stringify(full));
        h.clock.advance({ days: 1 });
        resetTally(h.vomo.baseUrl);
        const inc = await timed(false);
        const vomoRequests = tallyOf(h.vomo.baseUrl).requests;
        const stale = staleParticipations(core, profileId, h);
        console.log(`(b) ${people} incremental`, JSON.stringify(inc), `(c) VOMO requests ${vomoRequests}, stale participations ${stale}`);
        const entry: Record<string, unknown> = { full, incremental: inc, c: { vomoRequests, staleParticipationsAfter: stale } };
        if (PARTS.has('d')) {
          const push = core.push;
          resetTally(h.crm.baseUrl);
          const p1 = await push.preview({ profileId, list: 'volunteer-only' });
          const first = tallyOf(h.crm.baseUrl).requests;
          resetTally(h.crm.baseUrl);
          const t = performance.now();
          const p2 = await push.preview({ profileId, list: 'volunteer-only' });
          const second = tallyOf(h.crm.baseUrl).requests;
          entry.d = {
            persons: p1.items.length,
            counts: p1.counts,
            announced: (p1 as unknown as { requestsAnnounced?: number }).requestsAnnounced ?? null,
            firstOpenRequests: first,
            secondOpenRequests: second,
            secondOpenSeconds: Number(((performance.now() - t) / 1000).toFixed(2)),
            sameCounts: JSON.stringify(p1.counts) === JSON.stringify(p2.counts),
          };
          console.log(`(d) ${people}`, JSON.stringify(entry.d));
        }
        results[`people${people}`] = entry;
        save();
        expect(full.status).toBe('ok');
      } finally {
        await core.cleanup();
        await h.stop();
      }
    },
    6 * 3_600_000,
  );
}
