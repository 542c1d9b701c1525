import { ReconcileSettings } from '../../src-shared/domain/reconcile';
import type { SettingsRepo } from '../store/repos/settings';
import type { AuditRepo } from '../store/repos/audit';

export const SETTINGS_KEY = 'reconcile';

export function getReconcileSettings(core: { settings: SettingsRepo }, profileId: number): ReconcileSettings {
  return core.settings.get(profileId, SETTINGS_KEY, ReconcileSettings);
}

export function setReconcileSettings(core: { settings: SettingsRepo; audit: AuditRepo }, profileId: number, patch: Partial<ReconcileSettings>): ReconcileSettings {
  const next = ReconcileSettings.parse({ ...getReconcileSettings(core, profileId), ...stripUndefined(patch) });
  core.settings.set(profileId, SETTINGS_KEY, next);
  core.audit.record({ profileId, action: 'reconcile.settings', subjectType: 'settings', subjectId: SETTINGS_KEY, detail: next });
  return next;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
