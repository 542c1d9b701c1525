/**
 * "Export CSV" as the steward starts it: where the file goes is settled first, on the core (a
 * save dialog in Electron, a download in the web shell, a path from the CLI), then the export
 * runs as a job; a download is offered once its file is complete.
 */
import { ExportRequest, type ExportResult } from '../../src-shared/domain/insights';
import { AppError } from '../../src-shared/errors';
import type { JobQueue } from '../jobs/queue';
import { referenceDay } from '../insights/dates';
import { LISTS } from '../insights/listRegistry';
import { defaultExportFileName, scratchName } from './listExport';
import type { Downloads } from './downloads';
import { settleDestination, type DestinationDeps, type ExportDestination } from './destination';

export interface ExportServiceDeps extends DestinationDeps {
  jobs: Pick<JobQueue, 'run'>;
  downloads: Downloads;
  /** Brings a profile's insight measures up to date (their own job, so a cancelled export leaves them be). */
  measures(profileId: number, scoreDay?: string): Promise<unknown>;
}

export class ExportService {
  constructor(private readonly deps: ExportServiceDeps) {}

  async create(raw: ExportRequest, dest: ExportDestination): Promise<ExportResult> {
    const req = ExportRequest.parse(raw);
    let day: string;
    try {
      day = referenceDay(req.asOf);
    } catch {
      throw new AppError('BAD_INPUT', `"${req.asOf}" is not a date.`);
    }
    const fileName = defaultExportFileName(req.list, day);
    const settled = await settleDestination(this.deps, fileName, dest);
    if (!settled) return cancelled(fileName);
    const { target, destination, downloadId } = settled;
    await this.deps.measures(req.profileId, LISTS[req.list].needsScoreDay ? day : undefined);
    try {
      const result = await this.deps.jobs.run('export', { request: req, target, destination, scratchName: scratchName(), downloadId }, { profileId: req.profileId });
      if (downloadId) this.deps.downloads.set(downloadId, { file: target, fileName, contentType: 'text/csv; charset=utf-8' });
      return result;
    } catch (err) {
      // The steward pressed Cancel: no file, nothing logged; say so rather than fail.
      if (err instanceof AppError && err.code === 'CANCELLED') return cancelled(fileName);
      throw err;
    }
  }
}

function cancelled(fileName: string): ExportResult {
  return { exportId: 0, rowCount: 0, excludedOptedOut: 0, excludedRecentlyAsked: 0, fileName, filePath: null, downloadId: null, cancelled: true };
}
