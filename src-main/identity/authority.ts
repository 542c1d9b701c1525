import { IdentitySettings, type AuthoritySource, type ConflictField } from '../../src-shared/domain/identity';
import type { SettingsRepo } from '../store/repos/settings';

/** Settings key of the identity settings (field authority, default phone region). */
export const IDENTITY_SETTINGS_KEY = 'identity';

export function readIdentitySettings(settings: SettingsRepo, profileId: number): IdentitySettings {
  return settings.get(profileId, IDENTITY_SETTINGS_KEY, IdentitySettings);
}

export function writeIdentitySettings(settings: SettingsRepo, profileId: number, value: IdentitySettings): IdentitySettings {
  const parsed = IdentitySettings.parse(value);
  settings.set(profileId, IDENTITY_SETTINGS_KEY, parsed);
  return parsed;
}

export interface SideValues {
  vomo: string | null;
  crm: string | null;
  raise: string | null;
}

const SOURCES = ['vomo', 'crm', 'raise'] as const;
// The fallback order per authority, built once: this runs four times per person on every rebuild.
const ORDER = Object.fromEntries(SOURCES.map((a) => [a, [a, ...SOURCES.filter((s) => s !== a)]])) as Record<AuthoritySource, AuthoritySource[]>;

/** The displayed value: the authority's, else the first other system that has one (VOMO, CRM+, Raise). */
export function pickByAuthority(values: SideValues, authority: AuthoritySource): string | null {
  for (const s of ORDER[authority] ?? SOURCES) {
    const v = values[s];
    if (v != null && v !== '') return v;
  }
  return null;
}

export type { AuthoritySource, ConflictField };
