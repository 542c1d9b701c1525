import type { insightsChannels } from '../../../src-shared/ipc/channels/insights';
import type { HandlerMap } from '../handlerTypes';
import { requireProfile } from './profiles';
import { LISTS, listInfo } from '../../insights/listRegistry';
import { overview } from '../../insights/overview';
import { getInsightSettings, setInsightSettings } from '../../insights/settings';
import { deleteExportFile, listExportFiles, listExports } from '../../export/exportLog';
import { defaultAsOf } from '../../insights/referenceClock';
import { destinationFor } from '../../export/destination';

export const insightsHandlers: HandlerMap<typeof insightsChannels> = {
  async 'insights.overview'(input, { core }) {
    requireProfile(core, input.profileId);
    await core.insights.measures(input.profileId);
    return overview(core.db, input.profileId, core.reconcile.runs.latest(input.profileId)?.summary?.total ?? null);
  },
  'insights.lists'() {
    return Object.values(LISTS).map(listInfo);
  },
  async 'insights.list'(input, { core }) {
    const { withTotal, ...query } = input;
    return core.insights.listPage({ ...query, asOf: await defaultAsOf(core.clock, input.profileId, input.asOf) }, { withTotal });
  },
  async 'insights.count'(input, { core }) {
    return { total: await core.insights.listCount({ ...input, asOf: await defaultAsOf(core.clock, input.profileId, input.asOf) }) };
  },
  'insights.settings.get'(input, { core }) {
    requireProfile(core, input.profileId);
    return getInsightSettings(core, input.profileId);
  },
  'insights.settings.set'(input, { core }) {
    requireProfile(core, input.profileId);
    const next = setInsightSettings(core, input.profileId, input.patch);
    core.audit.record({ profileId: input.profileId, action: 'insights.settings', subjectType: 'settings', subjectId: 'insights', detail: input.patch });
    core.events.emit('data.changed', { profileId: input.profileId, scope: 'insights.settings' });
    return next;
  },
  async 'insights.refresh'(input, { core }) {
    requireProfile(core, input.profileId);
    const state = await core.jobs.run('measures', { profileId: input.profileId, asOf: input.asOf, force: true }, { profileId: input.profileId });
    return { refreshedAt: state.refreshed_at, persons: state.persons };
  },
  async 'exports.create'(input, { core, shell }) {
    requireProfile(core, input.profileId);
    // Electron asks where to save; the web shell offers a download. Neither lets the renderer name a path.
    const dest = destinationFor(shell, null, !!core.hooks.chooseSavePath);
    return core.exports.create({ ...input, asOf: await defaultAsOf(core.clock, input.profileId, input.asOf) }, dest);
  },
  'exports.list'(input, { core }) {
    requireProfile(core, input.profileId);
    return listExports(core.db, input.profileId, input.limit);
  },
  'exports.files'(input, { core }) {
    requireProfile(core, input.profileId);
    return listExportFiles(core.db, input.profileId);
  },
  'exports.deleteFile'(input, { core }) {
    requireProfile(core, input.profileId);
    const file = deleteExportFile(core.db, input.profileId, input.exportId);
    core.audit.record({ profileId: input.profileId, action: 'export.deleteFile', subjectType: 'export', subjectId: String(input.exportId), detail: { file } });
    core.events.emit('data.changed', { profileId: input.profileId, scope: 'exports' });
    return { ok: true as const };
  },
};
