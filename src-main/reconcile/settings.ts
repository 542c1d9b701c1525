import { ReconcileSettings } from '../../src-shared/domain/reconcile';
import type { Core } from '../core/app';

export const SETTINGS_KEY = 'reconcile';

export function getReconcileSettings(core: Core, profileId: number): ReconcileSettings {
  return core.settings.get(profileId, SETTINGS_KEY, ReconcileSettings);
}

export function setReconcileSettings(core: Core, profileId: number, patch: Partial<ReconcileSettings>): ReconcileSettings {
  const next = ReconcileSettings.parse({ ...getReconcileSettings(core, profileId), ...stripUndefined(patch) });
  core.settings.set(profileId, SETTINGS_KEY, next);
  core.audit.record({ profileId, action: 'reconcile.settings', subjectType: 'settings', subjectId: SETTINGS_KEY, detail: next });
  return next;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
