/** The export log: every export, when, by whom, which list with which filters, and who was in it. */
import type { Db } from '../store/db';
import fs from 'node:fs';
import type { ExportLogEntry, FileExportKind } from '../../src-shared/domain/insights';
import type { ExportFile } from '../../src-shared/domain/store';
import { AppError } from '../../src-shared/errors';
import { defaultActor } from '../store/repos/audit';
import { storeWriteError } from '../store/storeErrors';
import { createCsvFileWriter } from './csvExport';

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
  /**
   * Where the CSV was written (a download's is the copy kept in the data folder until fetched);
   * null when no file of ours holds it (a fix list the web shell hands to the browser).
   */
  filePath: string | null;
  createdAt?: string;
}

/** A fix list or a reconciliation CSV: never outreach, nothing left out, its persons given by ID. */
export interface NewFileExport {
  profileId: number;
  kind: FileExportKind;
  filters: Record<string, unknown>;
  columns: readonly string[];
  rowCount: number;
  fileName: string;
  destination: 'file' | 'download';
  filePath: string | null;
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

/**
 * Inserts the log entry; `members.sql` selects (export id, profile id, person id) of the persons
 * written (params @exportId, @pid), best in person order (both tables then take them as appends
 * to a range rather than scattered inserts). An outreach export also marks them as asked now (person_asks).
 */
export function recordExport(db: Db, e: NewExport, members: { sql: string; params: Record<string, unknown> }): number {
  const createdAt = e.createdAt ?? new Date().toISOString();
  const exportId = insertEntry(db, e, createdAt);
  const params = { ...members.params, exportId, pid: e.profileId };
  db.prepare(`INSERT OR IGNORE INTO export_members (export_id, profile_id, person_id) ${members.sql}`).run(params);
  if (e.outreach) {
    db.prepare(
      `INSERT INTO person_asks (profile_id, person_id, last_asked_at)
       SELECT profile_id, person_id, @at FROM export_members WHERE export_id = @exportId
       ON CONFLICT (profile_id, person_id) DO UPDATE SET last_asked_at = max(last_asked_at, excluded.last_asked_at)`,
    ).run({ exportId, at: createdAt });
  }
  return exportId;
}

/**
 * Logs a fix list or a reconciliation CSV as the list exports are logged: who was in it (persons
 * named by ID, each once), and where its file is, so Settings lists it for deletion while it
 * exists. One transaction: an entry is never left without its members.
 */
function recordFileExport(db: Db, e: NewFileExport, personIds: Iterable<string>): number {
  return db.transaction(() => {
    const exportId = insertEntry(
      db,
      { ...e, list: e.kind, columns: [...e.columns], excludedOptedOut: 0, excludedRecentlyAsked: 0, outreach: false },
      new Date().toISOString(),
    );
    const add = db.prepare(`INSERT OR IGNORE INTO export_members (export_id, profile_id, person_id) VALUES (?, ?, ?)`);
    for (const personId of personIds) add.run(exportId, e.profileId, personId);
    return exportId;
  })();
}

/**
 * A file export logged and written as one step: the entry goes in first and the file is written
 * inside the same transaction, so a store that cannot log it (read-only, its disk full) writes no
 * file, a file that cannot be written leaves no entry, and a file written before a failed commit
 * is removed again. `e.filePath` is the file `write` makes (null: none of ours). Store refusals are
 * said as such (naming the store).
 */
function writeLoggedFile(db: Db, e: NewFileExport, personIds: Iterable<string>, write: () => void): number {
  let wrote = false;
  try {
    return db.transaction(() => {
      const exportId = recordFileExport(db, e, personIds);
      write();
      wrote = true;
      return exportId;
    })();
  } catch (err) {
    if (wrote && e.filePath) fs.rmSync(e.filePath, { force: true });
    throw storeWriteError(err, db.name);
  }
}

function insertEntry(db: Db, e: NewExport, createdAt: string): number {
  const info = db
    .prepare(
      `INSERT INTO exports (profile_id, created_at, actor, list, filters_json, columns_json, row_count,
         excluded_opted_out, excluded_recently_asked, outreach, file_name, destination, file_path)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      e.profileId,
      createdAt,
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
      e.filePath,
    );
  return Number(info.lastInsertRowid);
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

/**
 * The export files of a profile that still exist where they were written: unencrypted copies
 * of donor data the steward may want to delete. Newest first.
 */
export function listExportFiles(db: Db, profileId: number): ExportFile[] {
  const rows = db
    .prepare(`SELECT id, created_at, list, row_count, file_path FROM exports WHERE profile_id = ? AND file_path IS NOT NULL ORDER BY created_at DESC, id DESC`)
    .all(profileId) as { id: number; created_at: string; list: string; row_count: number; file_path: string }[];
  const out: ExportFile[] = [];
  for (const r of rows) {
    let bytes: number;
    try {
      const st = fs.statSync(r.file_path);
      if (!st.isFile()) continue;
      bytes = st.size;
    } catch {
      continue;
    }
    out.push({ exportId: r.id, createdAt: r.created_at, list: r.list, rowCount: r.row_count, filePath: r.file_path, bytes });
  }
  return out;
}

/** Deletes the file an export wrote (only that path; the log entry stays, saying who was in it). */
export function deleteExportFile(db: Db, profileId: number, exportId: number): string {
  const row = db.prepare(`SELECT file_path FROM exports WHERE id = ? AND profile_id = ?`).get(exportId, profileId) as { file_path: string | null } | undefined;
  if (!row) throw new AppError('NOT_FOUND', `There is no export ${exportId} in this profile.`);
  if (!row.file_path || !fs.existsSync(row.file_path)) throw new AppError('NOT_FOUND', 'That export file no longer exists.');
  fs.rmSync(row.file_path);
  return row.file_path;
}

/** One batch of a logged CSV: its rows' cells and the persons they name. */
export interface CsvBatch {
  rows: unknown[][];
  personIds: Iterable<string>;
}

/** What a stopped logged-CSV job may leave behind (its temporary file); removed by whoever stopped it. */
export function loggedCsvLitter(target: string): string[] {
  return [`${target}.partial`];
}

/**
 * A file export written by a job (a fix list, a reconciliation CSV): its batches go through the
 * CSV writer every export uses (csvExport.ts) into a temporary file, which is renamed when complete
 * and logged with the persons it names, with `also` (an audit row) in the same transaction
 * (writeLoggedFile). `stop` is asked before each batch and before the log: a cancel, like any
 * failure, leaves no file, no partial file and no entry. `what` names the file in an error.
 */
export async function writeLoggedCsv(
  db: Db,
  e: Omit<NewFileExport, 'rowCount' | 'filePath'> & { filePath: string },
  batches: Iterable<CsvBatch>,
  run: { stop(): void; what: string; also?(rowCount: number): void },
): Promise<number> {
  const [partial] = loggedCsvLitter(e.filePath);
  const writer = createCsvFileWriter(partial!, [...e.columns]);
  const personIds = new Set<string>();
  let renamed = false;
  try {
    for (const b of batches) {
      run.stop();
      for (const id of b.personIds) personIds.add(id);
      await writer.write(b.rows);
    }
    await writer.finish();
    run.stop();
    writeLoggedFile(db, { ...e, rowCount: writer.rowsWritten }, personIds, () => {
      fs.renameSync(partial!, e.filePath);
      renamed = true;
      run.also?.(writer.rowsWritten);
    });
    return writer.rowsWritten;
  } catch (err) {
    await writer.abort().catch(() => undefined);
    fs.rmSync(partial!, { force: true });
    // Renamed, then not logged (the store refused, or `also` failed): the file goes too.
    if (renamed) fs.rmSync(e.filePath, { force: true });
    if (err instanceof AppError) throw err;
    throw new AppError('INTERNAL', `${run.what} could not be written: ${(err as Error).message.split('\n')[0]}`);
  }
}
