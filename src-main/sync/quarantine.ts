/**
 * Records that failed to parse, kept with the reason and their raw JSON. One open row per
 * (profile, API, resource, source id): seen again → last_seen_at moves; parsed cleanly later →
 * resolved_at is set. Writes happen inside the page transaction.
 */
import type { Db } from '../store/db';
import type { ApiName } from '../../src-shared/domain/apis';

export class QuarantineWriter {
  private readonly upsertWithId;
  private readonly findNoId;
  private readonly insertNoId;
  private readonly touchNoId;
  private readonly resolveStmt;
  private readonly open = new Map<string, Set<string>>();

  constructor(
    db: Db,
    private readonly profileId: number,
    private readonly runId: number | null,
  ) {
    this.upsertWithId = db.prepare(
      `INSERT INTO quarantine (profile_id, api, resource, source_id, reason, raw_json, run_id, first_seen_at, last_seen_at, resolved_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
       ON CONFLICT (profile_id, api, resource, source_id) WHERE source_id IS NOT NULL
       DO UPDATE SET reason = excluded.reason, raw_json = excluded.raw_json, run_id = excluded.run_id,
                     last_seen_at = excluded.last_seen_at, resolved_at = NULL`,
    );
    this.findNoId = db
      .prepare(
        `SELECT id FROM quarantine WHERE profile_id = ? AND api = ? AND resource = ? AND source_id IS NULL AND raw_json = ? LIMIT 1`,
      )
      .pluck();
    this.insertNoId = db.prepare(
      `INSERT INTO quarantine (profile_id, api, resource, source_id, reason, raw_json, run_id, first_seen_at, last_seen_at)
       VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?)`,
    );
    this.touchNoId = db.prepare('UPDATE quarantine SET last_seen_at = ?, run_id = ?, reason = ?, resolved_at = NULL WHERE id = ?');
    this.resolveStmt = db.prepare(
      `UPDATE quarantine SET resolved_at = ? WHERE profile_id = ? AND api = ? AND resource = ? AND source_id = ? AND resolved_at IS NULL`,
    );
    const rows = db
      .prepare('SELECT api, resource, source_id FROM quarantine WHERE profile_id = ? AND resolved_at IS NULL AND source_id IS NOT NULL')
      .all(profileId) as { api: string; resource: string; source_id: string }[];
    for (const r of rows) this.openSet(r.api, r.resource).add(r.source_id);
  }

  private openSet(api: string, resource: string): Set<string> {
    const k = `${api}/${resource}`;
    let s = this.open.get(k);
    if (!s) this.open.set(k, (s = new Set()));
    return s;
  }

  add(api: ApiName, resource: string, sourceId: string | null, reason: string, rawJson: string, now: string): void {
    if (sourceId) {
      this.upsertWithId.run(this.profileId, api, resource, sourceId, reason, rawJson, this.runId, now, now);
      this.openSet(api, resource).add(sourceId);
      return;
    }
    const existing = this.findNoId.get(this.profileId, api, resource, rawJson) as number | undefined;
    if (existing) this.touchNoId.run(now, this.runId, reason, existing);
    else this.insertNoId.run(this.profileId, api, resource, reason, rawJson, this.runId, now, now);
  }

  /** The record parsed cleanly: close its open quarantine entry, if any (cheap when none). */
  resolve(api: ApiName, resource: string, sourceId: string, now: string): void {
    const s = this.open.get(`${api}/${resource}`);
    if (!s || !s.has(sourceId)) return;
    this.resolveStmt.run(now, this.profileId, api, resource, sourceId);
    s.delete(sourceId);
  }
}
