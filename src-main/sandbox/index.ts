/**
 * The sandbox: local servers that behave like VOMO, CRM+ and Raise closely enough that the same
 * connectors work against them and production with only base URL and token changed.
 * startSandbox() is the embedded entry; `twofold sandbox` (src-main/cli/commands/sandbox.ts)
 * is the CLI one. MANIFEST.md documents the organization and the manifest.
 */
import type { SandboxClock } from './clock';
import { advanceMs } from './clock';
import { SandboxCore } from './core';
import { crmErrors, crmRouter } from './crm/server';
import { startApiServer, syntheticReq } from './http/server';
import type { Router } from './http/router';
import type { SandboxAction } from './core';
import type { ServerShared, Started } from './http/server';
import type { Manifest } from './manifest/index';
import { sandboxTokens } from './tokens';
import { raiseErrors, raiseRouter } from './raise/server';
import { vomoErrors, vomoRouter } from './vomo/server';
import { adminHandler } from './admin';
import { resolveOptions } from './options';
import type { SandboxOptions } from './options';
import type { AdvanceResult } from './state/advance';

export type { SandboxOptions } from './options';
export type { Manifest } from './manifest/index';
export type { AdvanceResult } from './state/advance';
export type { SandboxAction } from './core';
export { resolveOptions } from './options';
export { sandboxTokens } from './tokens';

export interface ApiEndpoint {
  baseUrl: string;
  token: string;
}

export interface SandboxHandle {
  vomo: ApiEndpoint;
  crm: ApiEndpoint;
  raise: ApiEndpoint;
  /** Admin base URL, e.g. http://127.0.0.1:P/__sandbox (served by every one of the three ports). */
  admin: string;
  manifest(): Manifest;
  clock: SandboxClock & { advance(by: { hours?: number; days?: number }): AdvanceResult };
  /** Runs the pending Contact Transactions now (also runs by itself at 04:00 UTC on advance). */
  nightlyBatch(): ReturnType<SandboxCore['nightlyBatch']>;
  /** What changed the sandbox so far; pass it as `replay` to rebuild this state after a restart. */
  actions(): SandboxAction[];
  core: SandboxCore;
  stop(): Promise<void>;
}

/** Re-applies recorded actions in order; writes go through the same route handlers as before. */
async function replay(core: SandboxCore, actions: SandboxAction[], routers: Record<'vomo' | 'crm' | 'raise', Router>, origin: string): Promise<void> {
  for (const a of actions) {
    if (a.kind === 'advance') core.advance(a.ms);
    else if (a.kind === 'nightly-batch') core.nightlyBatch();
    else if (a.kind === 'raise-sync') core.raiseSync();
    else if (a.kind === 'delete') core.deleteRecord(a.api, a.resource, a.id);
    else if (a.kind === 'check-out') core.checkOut(a.vomoUserId, a.participationId);
    else {
      const req = syntheticReq(a.method, a.path, a.body, origin);
      const m = routers[a.api].match(req);
      if (!m || m === 'method') throw new Error(`cannot replay ${a.method} ${a.path}`);
      req.params = m.params;
      await m.handler(req);
      core.actions.push(a);
    }
  }
}

export async function startSandbox(opts: SandboxOptions & { replay?: SandboxAction[] } = {}): Promise<SandboxHandle> {
  const o = resolveOptions(opts);
  const core = new SandboxCore({ seed: o.seed, people: o.people, startMs: o.startMs, lagMs: o.lagMs, faults: o.faults, rateLimits: o.rateLimits, listLimit: o.listLimit });
  const tokens = sandboxTokens(o.seed);
  const shared: ServerShared = {
    faults: core.faults,
    limits: core.limits,
    unavailable: core.unavailable,
    now: () => core.world.now,
    admin: adminHandler(core),
    recordWrite: (api, method, path, body) => void core.actions.push({ kind: 'write', api, method, path, body }),
  };
  const started: Started[] = [];
  let crmBase = '';
  try {
    const at = (k: number) => (o.port === 0 ? 0 : o.port + k);
    const vomo = await startApiServer({ name: 'vomo', prefix: '/v1', token: () => tokens.vomo, router: vomoRouter(core.world, () => o.vomoPageSize), errors: vomoErrors, rateHeaders: 'laravel' }, shared, at(0), o.host);
    started.push(vomo);
    const crm = await startApiServer({ name: 'crm', prefix: '', token: () => tokens.crm, router: crmRouter(core.world, core.tx), errors: crmErrors, rateHeaders: 'crm' }, shared, at(1), o.host);
    started.push(crm);
    crmBase = `http://${o.host}:${crm.port}`;
    const raise = await startApiServer({ name: 'raise', prefix: '', token: () => tokens.raise, router: raiseRouter(core.world, () => crmBase), errors: raiseErrors, rateHeaders: 'none' }, shared, at(2), o.host);
    started.push(raise);
    const origin = (s: Started) => `http://${o.host}:${s.port}`;
    if (opts.replay?.length) await replay(core, opts.replay, { vomo: vomoRouter(core.world, () => o.vomoPageSize), crm: crmRouter(core.world, core.tx), raise: raiseRouter(core.world, () => crmBase) }, origin(crm));
    let stopped = false;
    return {
      vomo: { baseUrl: `${origin(vomo)}/v1`, token: tokens.vomo },
      crm: { baseUrl: origin(crm), token: tokens.crm },
      raise: { baseUrl: origin(raise), token: tokens.raise },
      admin: `${origin(crm)}/__sandbox`,
      manifest: () => core.manifest(),
      clock: {
        startMs: o.startMs,
        now: () => new Date(core.world.now),
        nowMs: () => core.world.now,
        advance: (by) => core.advance(advanceMs(by)),
      },
      nightlyBatch: () => core.nightlyBatch(),
      actions: () => [...core.actions],
      core,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await Promise.all(started.map((s) => s.close()));
      },
    };
  } catch (e) {
    await Promise.all(started.map((s) => s.close()));
    throw e;
  }
}
