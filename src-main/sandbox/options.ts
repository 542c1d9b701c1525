/** Sandbox knobs, validated once for both the CLI and the embedded API. */
import { MAX_PEOPLE } from './generator/ids';
import { MIN_PEOPLE } from './generator/scenarios';
import type { FaultProfile } from './http/faults';
import type { RateLimitsOption } from './http/rateLimit';
import { DEFAULT_START } from './time';

export interface SandboxOptions {
  /** Population size; default 5,000 (demo). 100 to 1,000,000. */
  people?: number;
  seed?: number;
  faults?: FaultProfile;
  /** 'real' (default), 'scaled', 'off', or per-API {limit, windowMs}. */
  rateLimits?: RateLimitsOption;
  /** First port (VOMO; CRM+ +1, Raise +2); 0 (default) picks free ports. */
  port?: number;
  host?: string;
  /** VOMO's fixed server page size; 15 like the docs. */
  vomoPageSize?: number;
  /** Raise → CRM+ sync lag; default 2 hours. */
  syncLagHours?: number;
  /** Sandbox start instant; default 2026-11-01T12:00:00Z. */
  startAt?: string | number | Date;
  /** Populations up to this size get full lists in the manifest; above it, counts only. */
  manifestListLimit?: number;
}

export interface ResolvedOptions {
  people: number;
  seed: number;
  faults: FaultProfile;
  rateLimits: RateLimitsOption;
  port: number;
  host: string;
  vomoPageSize: number;
  lagMs: number;
  startMs: number;
  listLimit: number;
}

export function resolveOptions(o: SandboxOptions = {}): ResolvedOptions {
  const people = o.people ?? 5000;
  if (!Number.isInteger(people) || people < MIN_PEOPLE || people > MAX_PEOPLE) throw new RangeError(`people must be a whole number from ${MIN_PEOPLE} to ${MAX_PEOPLE} (got ${o.people})`);
  const seed = o.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative whole number (got ${o.seed})`);
  const faults = o.faults ?? 'none';
  if (faults !== 'none' && faults !== 'flaky') throw new RangeError(`faults must be none or flaky (got ${String(faults)})`);
  const rateLimits = o.rateLimits ?? 'real';
  if (typeof rateLimits === 'string' && !['real', 'scaled', 'off'].includes(rateLimits)) throw new RangeError(`rate limits must be real, scaled or off (got ${rateLimits})`);
  const port = o.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65533) throw new RangeError(`port must be 0 or a free port number (got ${o.port})`);
  const vomoPageSize = o.vomoPageSize ?? 15;
  if (!Number.isInteger(vomoPageSize) || vomoPageSize < 1 || vomoPageSize > 1000) throw new RangeError(`vomoPageSize must be 1 to 1000 (got ${o.vomoPageSize})`);
  const lagH = o.syncLagHours ?? 2;
  if (!Number.isFinite(lagH) || lagH < 0) throw new RangeError(`syncLagHours must be non-negative (got ${o.syncLagHours})`);
  const startMs = o.startAt === undefined ? DEFAULT_START : new Date(o.startAt).getTime();
  if (!Number.isFinite(startMs)) throw new RangeError(`startAt is not a date (got ${String(o.startAt)})`);
  return {
    people,
    seed,
    faults,
    rateLimits,
    port,
    host: o.host ?? '127.0.0.1',
    vomoPageSize,
    lagMs: Math.round(lagH * 3600) * 1000,
    startMs: Math.floor(startMs / 1000) * 1000,
    listLimit: o.manifestListLimit ?? 50_000,
  };
}
