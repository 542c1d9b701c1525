/**
 * Checkpoints per (profile, API, resource): a collector-specific JSON cursor. Written only
 * inside the transaction that commits the page it describes, so a checkpoint never runs ahead
 * of the rows (kill -9 at any point resumes from the last committed page).
 */
import type { Db } from '../store/db';
import type { ApiName } from '../../src-shared/domain/apis';

export class Checkpoints {
  private readonly sel;
  private readonly put;
  private readonly del;
  private readonly delAll;
  constructor(private readonly db: Db) {
    this.sel = db.prepare('SELECT cursor_json FROM sync_checkpoints WHERE profile_id = ? AND api = ? AND resource = ?').pluck();
    this.put = db.prepare(
      `INSERT INTO sync_checkpoints (profile_id, api, resource, cursor_json, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (profile_id, api, resource) DO UPDATE SET cursor_json = excluded.cursor_json, updated_at = excluded.updated_at`,
    );
    this.del = db.prepare('DELETE FROM sync_checkpoints WHERE profile_id = ? AND api = ? AND resource = ?');
    this.delAll = db.prepare('DELETE FROM sync_checkpoints WHERE profile_id = ? AND api = ?');
  }

  get<T>(profileId: number, api: ApiName, resource: string): T | null {
    const raw = this.sel.get(profileId, api, resource) as string | undefined;
    if (!raw) return null;
    try {
      return JSON.parse(raw) as T;
    } catch {
      return null;
    }
  }

  /** Call inside the page transaction. */
  set(profileId: number, api: ApiName, resource: string, cursor: unknown, now = new Date().toISOString()): void {
    this.put.run(profileId, api, resource, JSON.stringify(cursor), now);
  }

  clear(profileId: number, api: ApiName, resource?: string): void {
    if (resource) this.del.run(profileId, api, resource);
    else this.delAll.run(profileId, api);
  }
}

/**
 * What a resource's checkpoint holds between walks and during one:
 * - `watermark`: the highest modified/updated time fully synced (null: never completed);
 * - `walk`: the walk in progress (its own cursor type), null when idle.
 */
export interface ResourceCheckpoint<W> {
  watermark: string | null;
  lastCompletedAt: string | null;
  walk: W | null;
}
