import type { reconcileChannels } from '../../../src-shared/ipc/channels/reconcile';
import { AppError } from '../../../src-shared/errors';
import type { HandlerMap } from '../handlerTypes';
import { requireProfile } from './profiles';
import { getReconcileSettings, setReconcileSettings } from '../../reconcile/settings';
import { lagStats } from '../../reconcile/lag';
import { destinationFor, settleDestination } from '../../export/destination';
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
    const { rows, total, nextCursor, prevCursor } = runs.findings(run.id, run.previousRunId, input);
    return { run, diff: runs.diff(run.id, run.previousRunId), findings: rows, total, nextCursor, prevCursor };
  },
  async 'reconcile.exportCsv'(input, { core, shell }) {
    const run = requireRun(core, input.runId);
    const fileName = `reconciliation-${run.asOf.slice(0, 10)}-run${run.id}${input.group ? '-' + input.group : ''}.csv`;
    const dest = destinationFor(shell, input.path, !!core.hooks.chooseSavePath);
    const settled = await settleDestination({ dataDir: core.dataDir, chooseSavePath: core.hooks.chooseSavePath }, fileName, dest);
    const none = { rows: 0, file: null, downloadId: null, fileName, cancelled: true };
    if (!settled) return none;
    const { target, destination, downloadId } = settled;
    const filter = { group: input.group, kind: input.kind, change: input.change };
    try {
      // A job: reading and writing every finding of a large run takes seconds.
      const { rows } = await core.jobs.run('findingsCsv', { runId: run.id, filter, target, destination, fileName }, { profileId: run.profileId });
      if (downloadId) core.downloads.set(downloadId, { file: target, fileName, contentType: 'text/csv; charset=utf-8' });
      return { rows, file: shell === 'web' && downloadId ? null : target, downloadId, fileName, cancelled: false };
    } catch (err) {
      // The steward pressed Cancel: no file, nothing logged; say so rather than fail.
      if (err instanceof AppError && err.code === 'CANCELLED') return none;
      throw err;
    }
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
