/** The export log: every export, when, by whom, which list with which filters, and who was in it. */
import type { Db } from '../store/db';
import type { ExportLogEntry } from '../../src-shared/domain/insights';
import { defaultActor } from '../store/repos/audit';

export interface NewExport {
  profileId: number;
  list: string;
  filters: Record<string, unknown>;
  columns: string[];
  rowCount: number;
  excludedOptedOut: number;
  excludedRecentlyAsked: number;
  outreach: boolean;
  fileName: string;
  destination: 'file' | 'download';
  createdAt?: string;
}

interface ExportRow {
  id: number;
  created_at: string;
  actor: string;
  list: string;
  filters_json: string;
  columns_json: string;
  row_count: number;
  excluded_opted_out: number;
  excluded_recently_asked: number;
  outreach: number;
  file_name: string;
}

/** Inserts the log entry; `membersSql` selects the person ids that were written (param @exportId, @pid). */
export function recordExport(db: Db, e: NewExport, members: { sql: string; params: Record<string, unknown> }): number {
  const info = db
    .prepare(
      `INSERT INTO exports (profile_id, created_at, actor, list, filters_json, columns_json, row_count,
         excluded_opted_out, excluded_recently_asked, outreach, file_name, destination)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      e.profileId,
      e.createdAt ?? new Date().toISOString(),
      defaultActor(),
      e.list,
      JSON.stringify(e.filters),
      JSON.stringify(e.columns),
      e.rowCount,
      e.excludedOptedOut,
      e.excludedRecentlyAsked,
      e.outreach ? 1 : 0,
      e.fileName,
      e.destination,
    );
  const exportId = Number(info.lastInsertRowid);
  db.prepare(`INSERT OR IGNORE INTO export_members (export_id, profile_id, person_id) ${members.sql}`).run({
    ...members.params,
    exportId,
    pid: e.profileId,
  });
  return exportId;
}

export function listExports(db: Db, profileId: number, limit = 100): ExportLogEntry[] {
  const rows = db
    .prepare('SELECT * FROM exports WHERE profile_id = ? ORDER BY created_at DESC, id DESC LIMIT ?')
    .all(profileId, limit) as ExportRow[];
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    actor: r.actor,
    list: r.list,
    filters: JSON.parse(r.filters_json) as Record<string, unknown>,
    columns: JSON.parse(r.columns_json) as string[],
    rowCount: r.row_count,
    excludedOptedOut: r.excluded_opted_out,
    excludedRecentlyAsked: r.excluded_recently_asked,
    outreach: r.outreach === 1,
    fileName: r.file_name,
  }));
}

export function exportMembers(db: Db, exportId: number): string[] {
  return (db.prepare('SELECT person_id FROM export_members WHERE export_id = ? ORDER BY person_id').all(exportId) as { person_id: string }[]).map(
    (r) => r.person_id,
  );
}
