/** /__sandbox/*: the sandbox's own controls (loopback only, no token). */
import { advanceMs } from './clock';
import type { FaultProfile } from './http/faults';
import { json } from './http/router';
import type { Req, Res } from './http/types';
import { resolveLimits } from './http/rateLimit';
import type { RateLimitsOption } from './http/rateLimit';
import type { SandboxCore } from './core';

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
