/**
 * What the last sync of one API left behind, read from the run log's tables, for domains that
 * must not act on a store a failed or held sync left (the CRM+ push). The sync domain writes
 * these rows; this is only a narrow read of them.
 */
import type { Db } from '../db';
import type { ApiName } from '../../../src-shared/domain/apis';

export interface LastCollector {
  runId: number;
  status: string;
  errorCode: string | null;
  error: string | null;
  finishedAt: string | null;
}

/** The newest collector row of this API for the profile: running (with a live heartbeat) or finished. */
export function lastCollector(db: Db, profileId: number, api: ApiName, staleMs = 30_000): LastCollector | null {
  const rows = db
    .prepare(
      `SELECT c.run_id AS runId, c.status, c.error_code AS errorCode, c.error_message AS error, c.finished_at AS finishedAt,
              coalesce(r.heartbeat_at, r.started_at) AS beat
         FROM sync_run_collectors c JOIN sync_runs r ON r.id = c.run_id
        WHERE r.profile_id = ? AND c.api = ?
        ORDER BY c.run_id DESC LIMIT 5`,
    )
    .all(profileId, api) as (LastCollector & { beat: string })[];
  for (const { beat, ...row } of rows) {
    // A "running" row whose process died is not a sync in progress; look further back.
    if (row.status === 'running' && Date.now() - Date.parse(beat) > staleMs) continue;
    return row;
  }
  return null;
}

/**
 * How far the CRM+ contacts mirror reaches: the newest modified time its last completed walk read
 * (the sync's contacts checkpoint), or null when no walk of contacts ever completed.
 */
export function crmContactsWatermark(db: Db, profileId: number): string | null {
  const raw = db.prepare(`SELECT cursor_json FROM sync_checkpoints WHERE profile_id = ? AND api = 'crm' AND resource = 'contacts'`).pluck().get(profileId) as string | undefined;
  if (!raw) return null;
  try {
    const cp = JSON.parse(raw) as { watermark?: unknown; lastCompletedAt?: unknown };
    return typeof cp.watermark === 'string' && cp.lastCompletedAt ? cp.watermark : null;
  } catch {
    return null;
  }
}
