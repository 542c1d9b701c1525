/** /__sandbox/*: the sandbox's own controls (loopback only, no token). */
import { advanceMs } from './clock';
import type { FaultProfile } from './http/faults';
import { json } from './http/router';
import type { Req, Res } from './http/types';
import { resolveLimits } from './http/rateLimit';
import type { RateLimitsOption } from './http/rateLimit';
import type { SandboxCore } from './core';

/** The path prefix (under each API's base) of every resource the admin can switch off. */
const RESOURCE_PATHS: Record<'vomo' | 'crm' | 'raise', Record<string, string>> = {
  vomo: { users: '/users', projects: '/projects' },
  crm: { contacts: '/api/Contact/Query', gifts: '/api/Gift/Query' },
  raise: { campaigns: '/api/Campaign', donors: '/api/Donor', gifts: '/api/Gift', recurringGifts: '/api/RecurringGift' },
};

export function adminHandler(core: SandboxCore): (req: Req) => Promise<Res> {
  return async (req) => {
    const path = req.segments.slice(1).join('/').toLowerCase();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const bad = (message: string) => json(400, { message });
    try {
      switch (`${req.method} ${path}`) {
        case 'POST advance': {
          let ms: number;
          try {
            ms = advanceMs({ hours: body.hours as number | undefined, days: body.days as number | undefined });
          } catch (e) {
            return bad((e as Error).message);
          }
          return json(200, core.advance(ms));
        }
        case 'POST nightly-batch':
          return json(200, core.nightlyBatch());
        case 'POST raise-sync':
          return json(200, core.raiseSync());
        case 'GET manifest':
          return json(200, core.manifest());
        case 'GET state':
          return json(200, core.state());
        case 'GET changes': {
          const since = req.query.get('since');
          return json(200, core.changesSince(since ? Date.parse(since) : core.world.ctx.startMs));
        }
        case 'POST delete': {
          const r = core.deleteRecord(String(body.api ?? ''), String(body.resource ?? ''), Number(body.id));
          return r.ok ? json(200, r) : json(404, r);
        }
        case 'POST check-out': {
          const uid = Number(body.vomoUserId);
          if (!Number.isInteger(uid)) return bad('vomoUserId must be a VOMO user id');
          const pid = body.participationId === undefined || body.participationId === null ? null : Number(body.participationId);
          const r = core.checkOut(uid, pid);
          return r.ok ? json(200, r) : json(404, r);
        }
        case 'POST resources': {
          const api = String(body.api ?? '') as 'vomo' | 'crm' | 'raise';
          const prefix = RESOURCE_PATHS[api]?.[String(body.resource ?? '')];
          if (!prefix) return bad(`unknown resource; use one of ${Object.entries(RESOURCE_PATHS).map(([a, m]) => Object.keys(m).map((r) => `${a} ${r}`).join(', ')).join(', ')}`);
          const status = body.status === null || body.status === undefined ? 200 : Number(body.status);
          if (![200, 403, 404, 405, 501].includes(status)) return bad('status must be 403, 404, 405 or 501 (or 200 / null to switch the resource back on)');
          const list = core.unavailable[api].filter((u) => u.prefix !== prefix);
          if (status !== 200) list.push({ prefix, status });
          core.unavailable[api].splice(0, core.unavailable[api].length, ...list);
          return json(200, { unavailable: core.unavailable });
        }
        case 'POST faults': {
          const p = body.profile;
          if (p !== 'none' && p !== 'flaky') return bad('profile must be "none" or "flaky"');
          core.faults.setProfile(p as FaultProfile);
          return json(200, { profile: p });
        }
        case 'POST rate-limits': {
          try {
            const mode = (body.mode ?? body) as RateLimitsOption;
            Object.assign(core.limits, resolveLimits(mode));
          } catch (e) {
            return bad((e as Error).message);
          }
          return json(200, { limits: core.limits });
        }
        default:
          return json(404, { message: `No sandbox admin route ${req.method} /__sandbox/${path}` });
      }
    } catch (e) {
      return json(500, { message: (e as Error).message });
    }
  };
}
