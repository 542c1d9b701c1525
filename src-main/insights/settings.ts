import type { SettingsRepo } from '../store/repos/settings';
import { InsightSettings } from '../../src-shared/domain/insights';

const KEY = 'insights';

export function getInsightSettings(core: { settings: SettingsRepo }, profileId: number): InsightSettings {
  return core.settings.get(profileId, KEY, InsightSettings.default(InsightSettings.parse({})));
}

export function setInsightSettings(core: { settings: SettingsRepo }, profileId: number, patch: Partial<InsightSettings>): InsightSettings {
  const next = InsightSettings.parse({ ...getInsightSettings(core, profileId), ...patch });
  core.settings.set(profileId, KEY, next);
  return next;
}
