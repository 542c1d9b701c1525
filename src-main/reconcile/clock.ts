/**
 * The reference time a run judges by ("as of"). The sandbox runs on its own clock, and a real
 * organization's records may carry times from a server whose clock is not ours, so: an explicit
 * `asOf` wins; else the sandbox's clock for a sandbox profile; else wall time. The newest record time in the mirrors is a floor either
 * way: a record cannot have been created after "now".
 */
import type { Db } from '../store/db';
import type { SandboxClock } from '../sandboxRuntime/clock';
import type { RunSettings } from '../../src-shared/domain/reconcile';

export interface AsOf {
  asOf: string;
  source: RunSettings['asOfSource'];
}

export function newestRecordTime(db: Db, profileId: number): number | null {
  const row = db
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

export async function resolveAsOf(core: { db: Db; clock: SandboxClock }, profileId: number, explicit?: string | null): Promise<AsOf> {
  if (explicit) return { asOf: new Date(explicit).toISOString(), source: 'input' };
  let best: number | null = null;
  let source: AsOf['source'] = 'wall';
  // A sandbox profile whose servers are not running in this process gets them started.
  const sb = await core.clock.sandboxNow(profileId, { start: true });
  if (sb !== null) {
    best = sb.getTime();
    source = 'sandbox';
  }
  if (best === null) best = Date.now();
  const floor = newestRecordTime(core.db, profileId);
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
