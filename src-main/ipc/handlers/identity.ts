import { AppError } from '../../../src-shared/errors';
import type { identityChannels } from '../../../src-shared/ipc/channels/identity';
import type { HandlerMap } from '../handlerTypes';
import type { Core } from '../../core/app';
import { requireProfile } from './profiles';
import { fixListFileName } from '../../identity/fixLists';
import { destinationFor, settleDestination } from '../../export/destination';
import { profileNow } from '../../sandboxRuntime/clock';
import type { RebuildSummary } from '../../../src-shared/domain/identity';

function svc(core: Core, profileId: number) {
  requireProfile(core, profileId);
  return core.identity;
}

export const identityHandlers: HandlerMap<typeof identityChannels> = {
  'identity.rebuild': (i, { core }) => svc(core, i.profileId).requestRebuild(i.profileId, 'rebuild'),
  'identity.status': (i, { core }) => {
    const s = svc(core, i.profileId);
    const n = (sql: string) => (core.db.prepare(sql).get(i.profileId) as { n: number }).n;
    const run = s.lastRun(i.profileId);
    return {
      lastRunAt: run?.finished_at ?? null,
      persons: n('SELECT COUNT(*) AS n FROM persons WHERE profile_id = ?'),
      openConflicts: n(`SELECT COUNT(*) AS n FROM conflicts WHERE profile_id = ? AND active = 1 AND status = 'open'`),
      openCandidates: n(`SELECT COUNT(*) AS n FROM split_candidates WHERE profile_id = ? AND status = 'open'`),
      findings: n('SELECT COUNT(*) AS n FROM identity_findings WHERE profile_id = ?'),
      summary: run?.summary_json ? (JSON.parse(run.summary_json) as RebuildSummary) : null,
    };
  },
  'identity.settings.get': (i, { core }) => svc(core, i.profileId).settings(i.profileId),
  async 'identity.settings.set'(i, { core }) {
    const s = svc(core, i.profileId);
    const saved = await core.gate.shared(() => s.saveSettings(i.profileId, i.settings));
    // Display values and conflict authorities follow the new settings.
    await s.requestRebuild(i.profileId, 'settings');
    return saved;
  },
  'identity.precision': (i, { core }) => svc(core, i.profileId).precision(i.profileId),
  'identity.findings': (i, { core }) => svc(core, i.profileId).findings(i.profileId),

  async 'people.get'(i, { core }) {
    const person = svc(core, i.profileId).person(i.profileId, i.personId);
    const { figures, updating } = await core.insights.personFigures(i.profileId, i.personId);
    return { ...person, figures, figuresUpdating: updating };
  },
  async 'people.linkVerdict'(i, { core }) {
    const s = svc(core, i.profileId);
    await core.gate.shared(() => s.recordLinkVerdict(i.profileId, i.personId, i.keyA, i.keyB, i.verdict, i.reason ?? null));
    // "Not the same" detaches a record: the join follows.
    if (i.verdict === 'not_same') await s.requestRebuild(i.profileId, 'rebuild');
    return { ok: true as const };
  },

  'conflicts.list': (i, { core }) =>
    svc(core, i.profileId).listConflicts({
      profileId: i.profileId,
      status: i.status,
      field: i.field ?? null,
      newSinceLastSync: i.newSinceLastSync,
      personId: i.personId ?? null,
      cursor: i.cursor ?? null,
      direction: i.direction,
      offset: i.offset,
      limit: i.limit,
    }),
  // A decision on many conflicts is a job, which takes the write gate itself; a few are written
  // here, under the gate (writePolicy: 'self').
  'conflicts.resolve': (i, { core }) =>
    svc(core, i.profileId).decideConflicts({ profileId: i.profileId, ids: i.ids, action: 'resolve', choice: i.choice, value: i.value ?? null, note: i.note ?? null }, (w) => core.gate.shared(w)),
  'conflicts.dismiss': (i, { core }) =>
    svc(core, i.profileId).decideConflicts({ profileId: i.profileId, ids: i.ids, action: 'dismiss', choice: null, value: null, note: i.note ?? null }, (w) => core.gate.shared(w)),
  'conflicts.reopen': (i, { core }) =>
    svc(core, i.profileId).decideConflicts({ profileId: i.profileId, ids: i.ids, action: 'reopen', choice: null, value: null, note: null }, (w) => core.gate.shared(w)),
  'conflicts.bulkResolve': (i, { core }) => svc(core, i.profileId).bulkConflicts(i.profileId, i.field, i.action, i.choice ?? null, i.ids ?? null, (w) => core.gate.shared(w)),
  async 'conflicts.exportFixList'(i, { core, shell }) {
    svc(core, i.profileId);
    const dest = destinationFor(shell, i.path, !!core.hooks.chooseSavePath);
    const day = (await profileNow(core.clock, i.profileId)).at.toISOString().slice(0, 10);
    const fileName = fixListFileName(i.system, day);
    // A closed dialog costs nothing; before, the renderer then saved the list as a download.
    const none = { rows: 0, fileName, path: null, downloadId: null, cancelled: true };
    const settled = await settleDestination({ dataDir: core.dataDir, chooseSavePath: core.hooks.chooseSavePath }, fileName, dest);
    if (!settled) return none;
    const { target, destination, downloadId } = settled;
    try {
      // A job: a million persons may have 150,000 open conflicts to read and write (5-8 s).
      const { rows } = await core.jobs.run('fixList', { profileId: i.profileId, system: i.system, target, destination, fileName }, { profileId: i.profileId });
      if (downloadId) core.downloads.set(downloadId, { file: target, fileName, contentType: 'text/csv; charset=utf-8' });
      return { rows, fileName, path: destination === 'file' ? target : null, downloadId, cancelled: false };
    } catch (err) {
      if (err instanceof AppError && err.code === 'CANCELLED') return none;
      throw err;
    }
  },

  'splits.list': (i, { core }) =>
    svc(core, i.profileId).listCandidates({ profileId: i.profileId, status: i.status, kind: i.kind ?? null, personId: i.personId ?? null, offset: i.offset, limit: i.limit }),
  'splits.approve': (i, { core }) => svc(core, i.profileId).approve(i.profileId, i.candidateId, i.survivorId ?? null, i.reason ?? null),
  'splits.reject': (i, { core }) => svc(core, i.profileId).reject(i.profileId, i.candidateId, i.reason ?? null),
  'merges.list': (i, { core }) => svc(core, i.profileId).listMerges(i.profileId),
  'merges.undo': (i, { core }) => svc(core, i.profileId).undo(i.profileId, i.mergeId),
};
