/**
 * A sandbox profile's tokens, derived from its seed wherever they are needed: the app, a CLI run
 * and a restarted app all hold the same ones without storing them, and they open nothing but the
 * sandbox's loopback servers. Real profiles get null (their tokens live in the keychain).
 */
import type { ApiName } from '../../src-shared/domain/apis';
import type { ProfilesRepo } from '../store/repos/profiles';
import type { SettingsRepo } from '../store/repos/settings';
import { sandboxTokens } from '../sandbox/tokens';
import { SandboxSettings } from './embedded';

export function sandboxTokenFor(repos: { profiles: ProfilesRepo; settings: SettingsRepo }, profileId: number, api: ApiName): string | null {
  const profile = repos.profiles.get(profileId);
  if (!profile?.is_sandbox) return null;
  return sandboxTokens(repos.settings.get(profileId, 'sandbox', SandboxSettings).seed)[api];
}
