import fs from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import type { reconcileChannels } from '../../../src-shared/ipc/channels/reconcile';
import { AppError } from '../../../src-shared/errors';
import type { HandlerMap } from '../handlerTypes';
import { requireProfile } from './profiles';
import { getReconcileSettings, setReconcileSettings } from '../../reconcile/settings';
import { lagStats } from '../../reconcile/lag';
import { CSV_COLUMNS, findingsCsv, writeCsv } from '../../reconcile/csv';
import { writeLoggedFile } from '../../export/exportLog';
import { GROUP_LABELS, KIND_LABELS } from '../../../src-shared/domain/reconcile';
import type { Core } from '../../core/app';

function requireRun(core: Core, runId: number) {
  const run = core.reconcile.runs.get(runId);
  if (!run) throw new AppError('NOT_FOUND', `There is no reconciliation run ${runId}.`);
  return run;
}

export const reconcileHandlers: HandlerMap<typeof reconcileChannels> = {
  async 'reconcile.run'(input, { core }) {
    requireProfile(core, input.profileId);
    return core.reconcile.run(input);
  },
  async 'reconcile.cancel'(input, { core }) {
    requireProfile(core, input.profileId);
    return { cancelled: core.reconcile.cancel(input.profileId) };
  },
  async 'reconcile.runs'(input, { core }) {
    requireProfile(core, input.profileId);
    const svc = core.reconcile;
    return { runs: svc.runs.list(input.profileId, input.limit), running: svc.isRunning(input.profileId) };
  },
  async 'reconcile.report'(input, { core }) {
    const run = requireRun(core, input.runId);
    const runs = core.reconcile.runs;
    const { rows, total } = runs.findings(run.id, run.previousRunId, input);
    return { run, diff: runs.diff(run.id, run.previousRunId), findings: rows, total };
  },
  async 'reconcile.exportCsv'(input, { core, shell }) {
    const run = requireRun(core, input.runId);
    const { csv, rows, personIds } = findingsCsv(core.reconcile.runs, run.id, run.previousRunId, input);
    const fileName = `reconciliation-${run.asOf.slice(0, 10)}-run${run.id}${input.group ? '-' + input.group : ''}.csv`;
    // The findings name donors and their gifts, unencrypted in the file: logged as exports are, so
    // the export log keeps who was in it and Settings lists the file while it exists.
    const save = (file: string, destination: 'file' | 'download') => {
      const findings = [input.group && GROUP_LABELS[input.group], input.kind && KIND_LABELS[input.kind], input.change !== 'all' && `${input.change} since the run before`];
      writeLoggedFile(
        core.db,
        {
          profileId: run.profileId,
          kind: 'reconciliation',
          filters: { reconcileRunId: run.id, findings: findings.filter(Boolean).join(' · ') },
          columns: CSV_COLUMNS,
          rowCount: rows,
          fileName,
          destination,
          filePath: file,
        },
        personIds,
        () => writeCsv(file, csv),
      );
      core.events.emit('data.changed', { profileId: run.profileId, scope: 'exports' });
    };
    if (input.path) {
      // Only a local caller (the CLI, a test) names a file; the renderer never picks a path.
      if (shell !== 'cli' && shell !== 'test') throw new AppError('BAD_INPUT', 'A file path can only be given from the command line.');
      const file = path.resolve(input.path);
      save(file, 'file');
      return { rows, file, downloadId: null, fileName, cancelled: false };
    }
    if (shell === 'electron' && core.hooks.chooseSavePath) {
      const file = await core.hooks.chooseSavePath(fileName);
      if (!file) return { rows, file: null, downloadId: null, fileName, cancelled: true };
      save(file, 'file');
      return { rows, file, downloadId: null, fileName, cancelled: false };
    }
    const file = path.join(core.dataDir, 'exports', `${crypto.randomUUID()}.csv`);
    // The app's own downloads folder: made here, unlike a folder the steward names.
    fs.mkdirSync(path.dirname(file), { recursive: true });
    save(file, 'download');
    const id = crypto.randomBytes(16).toString('hex');
    core.downloads.set(id, { file, fileName, contentType: 'text/csv; charset=utf-8' });
    return { rows, file: shell === 'web' ? null : file, downloadId: id, fileName, cancelled: false };
  },
  async 'reconcile.settings.get'(input, { core }) {
    requireProfile(core, input.profileId);
    return getReconcileSettings(core, input.profileId);
  },
  async 'reconcile.settings.set'(input, { core }) {
    requireProfile(core, input.profileId);
    const { profileId, ...patch } = input;
    const next = setReconcileSettings(core, profileId, patch);
    core.events.emit('data.changed', { profileId, scope: 'reconcile.settings' });
    return next;
  },
  async 'reconcile.lagStats'(input, { core }) {
    requireProfile(core, input.profileId);
    const lagHours = input.lagHours ?? getReconcileSettings(core, input.profileId).lagHours;
    return { ...lagStats(core.db, input.profileId, lagHours), lagHours };
  },
};
