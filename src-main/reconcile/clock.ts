/**
 * The reference time a run judges by ("as of"). The sandbox runs on its own clock, and a real
 * organization's records may carry times from a server whose clock is not ours, so: an explicit
 * `asOf` wins; else the newest clock hint we can get (the sandbox's clock, the `Date` an API
 * last answered with); else wall time. The newest record time in the mirrors is a floor either
 * way: a record cannot have been created after "now".
 */
import type { Core } from '../core/app';
import { sandboxNow } from '../sandboxRuntime/clock';
import type { RunSettings } from '../../src-shared/domain/reconcile';

export interface AsOf {
  asOf: string;
  source: RunSettings['asOfSource'];
}

/** API `Date` headers seen by this process (filled by the source adapters). */
export function apiClockHints(core: Core): Map<number, number> {
  return core.service('reconcile.apiClock', () => new Map<number, number>());
}

export function noteApiClock(core: Core, profileId: number, dateHeader: string | null | undefined): void {
  if (!dateHeader) return;
  const ms = Date.parse(dateHeader);
  if (!Number.isFinite(ms)) return;
  const hints = apiClockHints(core);
  // Remember it as an offset from wall time, so the hint keeps moving with time.
  hints.set(profileId, ms - Date.now());
}

export async function sandboxClock(core: Core, profileId: number): Promise<number | null> {
  return (await sandboxNow(core, profileId))?.getTime() ?? null;
}

export function newestRecordTime(core: Core, profileId: number): number | null {
  const row = core.db
    .prepare(
      `SELECT max(t) AS t FROM (
         SELECT max(created_at) AS t FROM raise_gifts WHERE profile_id = ?
         UNION ALL SELECT max(created_at) FROM crm_gifts WHERE profile_id = ?
         UNION ALL SELECT max(created_at) FROM raise_donors WHERE profile_id = ?
       )`,
    )
    .get(profileId, profileId, profileId) as { t: string | null };
  const ms = row.t ? Date.parse(row.t) : NaN;
  return Number.isFinite(ms) ? ms : null;
}

export async function resolveAsOf(core: Core, profileId: number, explicit?: string | null): Promise<AsOf> {
  if (explicit) return { asOf: new Date(explicit).toISOString(), source: 'input' };
  let best: number | null = null;
  let source: AsOf['source'] = 'wall';
  const sb = await sandboxClock(core, profileId);
  if (sb !== null) {
    best = sb;
    source = 'sandbox';
  }
  const offset = apiClockHints(core).get(profileId);
  if (offset !== undefined) {
    const api = Date.now() + offset;
    if (best === null || api > best) {
      best = api;
      source = 'api';
    }
  }
  if (best === null) best = Date.now();
  const floor = newestRecordTime(core, profileId);
  if (floor !== null && floor > best) {
    best = floor;
    source = 'data';
  }
  return { asOf: new Date(best).toISOString(), source };
}

/** YYYY-MM-DD of the UTC day `days` before the instant. */
export function dayBefore(iso: string, days: number): string {
  const ms = Date.parse(iso) - days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}
