import type { Core } from '../core/app';
import { InsightSettings } from '../../src-shared/domain/insights';

const KEY = 'insights';

export function getInsightSettings(core: Pick<Core, 'settings'>, profileId: number): InsightSettings {
  return core.settings.get(profileId, KEY, InsightSettings.default(InsightSettings.parse({})));
}

export function setInsightSettings(core: Pick<Core, 'settings'>, profileId: number, patch: Partial<InsightSettings>): InsightSettings {
  const next = InsightSettings.parse({ ...getInsightSettings(core, profileId), ...patch });
  core.settings.set(profileId, KEY, next);
  return next;
}
