/**
 * Export any list to CSV: exactly what the list shows with its filters, search and sort.
 *
 * Rules:
 * - the rows are fixed first, in a scratch database (exportSnapshot.ts), with each person's
 *   "recently asked" flag; then read back in batches in the list's order and streamed to the
 *   file, so memory stays bounded and no statement is left open while the event loop runs other
 *   calls on the same connection;
 * - outreach exports blank email addresses whose contact method is opted out (by default) and
 *   count them; persons recently exported for outreach are left out when asked and counted;
 * - the file is written under a temporary name and renamed when complete; only then is the
 *   export logged (with its members) and audited, in one transaction;
 * - a cancelled export (checked between batches) removes its partial file and scratch database
 *   and logs nothing: the store and the folder are as before.
 *
 * Where the file goes is decided by the caller first (ExportService: a save dialog, a download,
 * a path from the CLI); this runs as a job in the worker with its own connection.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { AuditRepo } from '../store/repos/audit';
import type { EventBus } from '../core/events';
import { AppError } from '../../src-shared/errors';
import { COLUMN_LABELS, ExportRequest, type ColumnKey, type ExportResult } from '../../src-shared/domain/insights';
import { LISTS } from '../insights/listRegistry';
import { prepareList, type ListDeps } from '../insights/service';
import type { RawRow } from '../insights/query';
import { ENGAGEMENT_COLUMNS, cellOf, toInsightRow } from '../insights/rows';
import { getInsightSettings } from '../insights/settings';
import { createCsvFileWriter } from './csvExport';
import { askedSince, recentlyAskedSql } from './recentlyAsked';
import { recordExport } from './exportLog';
import { storeWriteError } from '../store/storeErrors';
import { databasePath } from '../store/db';
import { listCount } from '../insights/listCounts';
import { personOrderParts, writeSnapshot, type SnapshotColumns } from './exportSnapshot';

export interface ExportDeps extends ListDeps {
  dataDir: string;
  audit: AuditRepo;
  events: Pick<EventBus, 'emit'>;
}

/** Where the file goes, decided before the job: a checked path, or a download's file. */
export interface ExportTarget {
  target: string;
  destination: 'file' | 'download';
  /** The scratch database's schema name; its file is `<exports>/<name>.scratch.sqlite`. */
  scratchName: string;
  downloadId: string | null;
}

export interface ExportRun {
  now?: () => number;
  signal?: { readonly aborted: boolean };
  onProgress?(step: string, done: number, total: number | null): void;
}

/**
 * Rows read back and written per batch. A batch's rows live across the file write's await, so
 * V8 moves them to the old generation: 5,000 a batch made a 1M-row export grow the heap by
 * ~300 MB before it collected. With 1,000 they die young (A/B, alternating: 100k rows 1.24–1.29
 * against 1.60–1.67 s, peak RSS 275 against 324–329 MB; everyone of a 1M profile 15.6–16.2 against
 * 19.1–22.4 s, 304 against 419–433 MB).
 */
const BATCH = 1000;

/** The SQL columns each CSV column needs (reading only these keeps a 100k-row export fast). */
const NEEDS: Record<ColumnKey, string[]> = {
  personId: [],
  firstName: ['p.display_first_name'],
  lastName: ['p.display_last_name'],
  email: ['p.display_email', 'p.email_opted_in'],
  phone: ['p.display_phone'],
  systems: ['im.has_vomo', 'im.has_crm', 'im.has_raise'],
  emailOptedIn: ['p.email_opted_in'],
  lifetimeGivingCents: ['im.lifetime_giving_cents'],
  giftCount: ['im.gift_count'],
  firstGiftDate: ['im.first_gift_date'],
  lastGiftDate: ['im.last_gift_date'],
  firstRaiseGiftDate: ['im.first_raise_gift_date'],
  verifiedHours: ['im.verified_hours'],
  totalHours: ['im.total_hours'],
  participations: ['im.participations'],
  verifiedParticipations: ['im.verified_participations'],
  lastParticipationAt: ['im.last_participation_at'],
  score: ['im.score'],
  givingRecencyPts: ['im.giving_recency_pts'],
  givingFrequencyPts: ['im.giving_frequency_pts'],
  givingAmountPts: ['im.giving_amount_pts'],
  servingRecencyPts: ['im.serving_recency_pts'],
  servingHoursPts: ['im.serving_hours_pts'],
  servingCountPts: ['im.serving_count_pts'],
  crmUrl: ['p.crm_url', 'p.crm_contact_id'],
};

function exportSelect(columns: ColumnKey[]): SnapshotColumns {
  const cols = new Set<string>(['p.id', 'p.email_opted_in']);
  for (const c of columns) for (const n of NEEDS[c]) cols.add(n);
  const list = [...cols];
  const alias = (c: string) => (c === 'p.id' ? 'person_id' : c.slice(c.indexOf('.') + 1));
  return { select: list.join(', '), aliases: list.map(alias) };
}
/**
 * A function that names a row read as an array, with one object literal of the columns' names.
 * Named key by key in a loop, each row went through twenty shape changes (and became a slow
 * dictionary for every later read): 0.8 s of a 1M-row export against 0.03 s. The names are the
 * snapshot statement's own column names, each written as a quoted key.
 */
export function rowMaker<T>(names: string[]): (values: unknown[]) => T {
  const body = `return { ${names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ')} };`;
  return new Function('v', body) as (values: unknown[]) => T;
}

let tempSeq = 0;

/** A fresh scratch schema name for an export of this process. */
export function scratchName(): string {
  return `exp_${process.pid}_${++tempSeq}_${crypto.randomBytes(4).toString('hex')}`;
}

export function scratchFile(dataDir: string, name: string): string {
  return path.join(dataDir, 'exports', `${name}.scratch.sqlite`);
}

/** What a stopped export may leave behind; removed by whoever stopped it. */
export function exportLitter(dataDir: string, t: ExportTarget): string[] {
  const scratch = scratchFile(dataDir, t.scratchName);
  return [`${t.target}.partial`, scratch, `${scratch}-journal`];
}

export function defaultExportFileName(list: string, day: string): string {
  return `twofold-${list}-${day}.csv`;
}

export function exportsDir(core: { dataDir: string }): string {
  const dir = path.join(core.dataDir, 'exports');
  fs.mkdirSync(dir, { recursive: true });
  // Downloads are fetched right away; anything older than a day is litter.
  for (const f of fs.readdirSync(dir)) {
    const full = path.join(dir, f);
    try {
      if (Date.now() - fs.statSync(full).mtimeMs > 86_400_000) fs.rmSync(full, { force: true });
    } catch {
      /* best effort */
    }
  }
  return dir;
}

export async function exportList(core: ExportDeps, raw: ExportRequest, dest: ExportTarget, run: ExportRun = {}): Promise<ExportResult> {
  const now = run.now ?? Date.now;
  const stopIfCancelled = () => {
    if (run.signal?.aborted) throw new AppError('CANCELLED', 'The export was cancelled; no file was written.');
  };
  const req = ExportRequest.parse(raw);
  run.onProgress?.('select', 0, null);
  const p = await prepareList(core, req);
  const def = LISTS[req.list];
  const columns: ColumnKey[] = req.columns?.length ? [...new Set(req.columns)] : ['personId', ...def.columns];
  const settings = getInsightSettings(core, req.profileId);
  const recentDays = req.excludeRecentlyAskedDays ?? settings.recentlyAskedDays;
  const since = askedSince(recentDays, now());
  const fileName = defaultExportFileName(req.list, p.day);
  const target = dest.target;
  const downloadId = dest.downloadId;
  const destKind = dest.destination;
  exportsDir(core);

  const db = core.db;
  // The snapshot lives in a scratch database file attached for this export only: one pass over
  // the list fixes its rows (with every column the file needs) without growing this process's
  // memory with the size of the export, and no statement stays open across the awaits below.
  const schema = dest.scratchName;
  const scratch = scratchFile(core.dataDir, schema);
  const q = p.query;
  const params = { ...q.params, askedSince: since ?? '9999' };
  const askedExpr = since ? recentlyAskedSql('p.id') : '0';
  const partial = `${target}.partial`;
  const sel = exportSelect(columns);
  let writer: ReturnType<typeof createCsvFileWriter> | null = null;
  let attached = false;
  try {
    stopIfCancelled();
    db.prepare(`ATTACH DATABASE ? AS ${schema}`).run(scratch);
    attached = true;
    db.exec(`PRAGMA ${schema}.journal_mode = OFF; PRAGMA ${schema}.synchronous = OFF; PRAGMA ${schema}.cache_size = -8192;`);
    const snap = writeSnapshot(db, {
      schema,
      query: q,
      columns: sel,
      askedExpr,
      optedOutExpr: `COALESCE(p.email_opted_in = 0 AND p.display_email IS NOT NULL AND p.display_email <> '', 0)`,
      params,
      parts: personOrderParts(q, () => listCount(db, req.profileId, q, p.state), p.state.persons),
      persons: p.state.persons,
      onStep: (step, done, total) => {
        stopIfCancelled();
        run.onProgress?.(step === 'part' ? 'sort' : 'merge', done, step === 'part' ? total : null);
      },
    });
    const counts = db
      .prepare(snap.countsSql)
      .get() as { rows: number; asked: number; opted_out: number };
    const blankOptedOut = req.excludeOptedOut && columns.includes('email');
    stopIfCancelled();

    writer = createCsvFileWriter(partial, columns.map((c) => COLUMN_LABELS[c]));
    // Read as arrays and named here: an object row is built column by column in native code,
    // 3.5 µs a row of this snapshot against 2 µs (a tenth of a 100k-row export).
    const batch = db.prepare(snap.batchSql(BATCH, sel.aliases)).raw(true);
    const named = rowMaker<RawRow & { pos: number }>(batch.columns().map((c) => c.name));
    // No column of a file is a day count: the rows' days since a gift or a participation (counted
    // from the scored day, rows.ts) are left out; the score's parts only when a column shows one.
    const withEngagement = columns.some((c) => ENGAGEMENT_COLUMNS.has(c));
    const ctx = { crmBaseUrl: p.crmBaseUrl, scoredAsOf: p.state.as_of, withEngagement, countDays: false };
    let after = 0;
    let written = 0;
    for (;;) {
      stopIfCancelled();
      run.onProgress?.('write', written, counts.rows);
      const rows = (batch.all({ after }) as unknown[][]).map(named);
      if (rows.length === 0) break;
      written += rows.length;
      after = rows[rows.length - 1]!.pos;
      const cells = rows.map((raw) => {
        const row = toInsightRow(raw, ctx);
        if (blankOptedOut && raw.email_opted_in === 0) row.email = null;
        return columns.map((c) => cellOf(row, c));
      });
      await writer.write(cells);
    }
    await writer.finish();
    stopIfCancelled();
    run.onProgress?.('record', counts.rows, counts.rows);
    fs.renameSync(partial, target);

    const excludedOptedOut = blankOptedOut ? counts.opted_out : 0;
    const filters = { ...p.filters, search: req.search ?? null, sort: q.sort, asOfDay: p.day, excludeOptedOut: req.excludeOptedOut, excludeRecentlyAskedDays: recentDays || null };
    const exportId = db.transaction(() => {
      const id = recordExport(
        db,
        {
          profileId: req.profileId,
          list: req.list,
          filters,
          columns,
          rowCount: counts.rows,
          excludedOptedOut,
          excludedRecentlyAsked: counts.asked,
          outreach: req.outreach,
          fileName: destKind === 'download' ? fileName : path.basename(target),
          destination: destKind === 'download' ? 'download' : 'file',
          filePath: target,
          createdAt: new Date(now()).toISOString(),
        },
        { sql: snap.membersSql, params: {} },
      );
      core.audit.record({
        profileId: req.profileId,
        action: 'export.create',
        subjectType: 'export',
        subjectId: String(id),
        detail: { list: req.list, rows: counts.rows, excludedOptedOut, excludedRecentlyAsked: counts.asked, filters },
      });
      return id;
    })();
    core.events.emit('data.changed', { profileId: req.profileId, scope: 'exports' });
    return {
      exportId,
      rowCount: counts.rows,
      excludedOptedOut,
      excludedRecentlyAsked: counts.asked,
      fileName: destKind === 'download' ? fileName : path.basename(target),
      filePath: destKind === 'download' ? null : target,
      downloadId,
      cancelled: false,
    };
  } catch (err) {
    if (writer) await writer.abort().catch(() => undefined);
    fs.rmSync(partial, { force: true });
    if (err instanceof AppError) throw err;
    const refused = storeWriteError(err, databasePath(core.dataDir));
    if (refused instanceof AppError) throw refused;
    throw new AppError('INTERNAL', `The export could not be written: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    if (attached) {
      try {
        db.exec(`DETACH DATABASE ${schema}`);
      } catch {
        /* a statement still open would hold it; the file is removed below either way */
      }
    }
    fs.rmSync(scratch, { force: true });
  }
}
