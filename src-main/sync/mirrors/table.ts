/**
 * Prepared upserts for one mirror table with `raw_json`, `first_synced_at`, `last_synced_at`
 * and `gone_at`. An upsert says whether the record is new, updated (its raw JSON differs) or
 * unchanged; unchanged rows only get `last_synced_at` (the deletion sweep reads it).
 * Callers run these inside their page transaction.
 */
import type { Db } from '../../store/db';

export type UpsertOutcome = 'new' | 'updated' | 'unchanged';

export class MirrorTable<Row extends { id: string }> {
  private readonly selectRaw;
  private readonly insert;
  private readonly update;
  private readonly touch;
  private readonly revive;
  private readonly sweepStmt;
  private readonly candidatesStmt;
  private readonly cols: (keyof Row & string)[];

  constructor(
    private readonly db: Db,
    readonly table: string,
    columns: (keyof Row & string)[],
  ) {
    this.cols = columns.filter((c) => c !== 'id');
    const colList = this.cols.join(', ');
    const params = this.cols.map(() => '?').join(', ');
    this.selectRaw = db.prepare(`SELECT raw_json, gone_at FROM ${table} WHERE profile_id = ? AND id = ?`).pluck(false);
    this.insert = db.prepare(
      `INSERT INTO ${table} (profile_id, id, ${colList}, raw_json, first_synced_at, last_synced_at, gone_at)
       VALUES (?, ?, ${params}, ?, ?, ?, NULL)`,
    );
    this.update = db.prepare(
      `UPDATE ${table} SET ${this.cols.map((c) => `${c} = ?`).join(', ')}, raw_json = ?, last_synced_at = ?, gone_at = NULL
       WHERE profile_id = ? AND id = ?`,
    );
    // A touch sets gone_at only to bring a record back: a statement that sets a column the
    // identity change-tracking triggers watch runs them, and a re-walk touches every row.
    this.touch = db.prepare(`UPDATE ${table} SET last_synced_at = ? WHERE profile_id = ? AND id = ?`);
    this.revive = db.prepare(`UPDATE ${table} SET last_synced_at = ?, gone_at = NULL WHERE profile_id = ? AND id = ?`);
    this.sweepStmt = db.prepare(
      `UPDATE ${table} SET gone_at = ? WHERE profile_id = ? AND gone_at IS NULL AND last_synced_at < ?`,
    );
    this.candidatesStmt = db.prepare(
      `SELECT coalesce(sum(last_synced_at < ?), 0) AS wouldMark, count(*) AS live FROM ${table} WHERE profile_id = ? AND gone_at IS NULL`,
    );
  }

  upsert(profileId: number, row: Row, rawJson: string, now: string): UpsertOutcome {
    const cur = this.selectRaw.get(profileId, row.id) as { raw_json: string; gone_at: string | null } | undefined;
    if (cur && cur.raw_json === rawJson) {
      (cur.gone_at ? this.revive : this.touch).run(now, profileId, row.id);
      return cur.gone_at ? 'updated' : 'unchanged';
    }
    const values: unknown[] = new Array(this.cols.length);
    for (let i = 0; i < this.cols.length; i++) values[i] = row[this.cols[i]!] ?? null;
    if (!cur) {
      this.insert.run(profileId, row.id, ...values, rawJson, now, now);
      return 'new';
    }
    this.update.run(...values, rawJson, now, profileId, row.id);
    return 'updated';
  }

  /** What `sweep` would mark, and how many rows are live: the deletion valve decides on these. */
  sweepCandidates(profileId: number, walkStartedAt: string): { wouldMark: number; live: number } {
    return this.candidatesStmt.get(walkStartedAt, profileId) as { wouldMark: number; live: number };
  }

  /** Marks rows not seen since `walkStartedAt` as gone (only after a complete full walk, through the DeletionValve). */
  sweep(profileId: number, walkStartedAt: string, now: string): number {
    return this.sweepStmt.run(now, profileId, walkStartedAt).changes;
  }
}
