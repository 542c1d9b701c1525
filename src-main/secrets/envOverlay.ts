/**
 * CLI-only: TWOFOLD_VOMO_TOKEN / TWOFOLD_CRM_TOKEN / TWOFOLD_RAISE_TOKEN supply a token for one
 * run (scheduled jobs on machines without a keychain). They are read, never written anywhere.
 */
import type { ApiName } from '../../src-shared/domain/apis';
import type { SecretStore } from './secretStore';

const ENV_NAMES: Record<ApiName, string> = {
  vomo: 'TWOFOLD_VOMO_TOKEN',
  crm: 'TWOFOLD_CRM_TOKEN',
  raise: 'TWOFOLD_RAISE_TOKEN',
};

export class EnvOverlaySecretStore implements SecretStore {
  constructor(
    private readonly inner: SecretStore,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}
  private fromEnv(api: ApiName): string | null {
    const v = this.env[ENV_NAMES[api]]?.trim();
    return v ? v : null;
  }
  forStore(storeId: string): EnvOverlaySecretStore {
    return new EnvOverlaySecretStore(this.inner.forStore(storeId), this.env);
  }
  set(profileId: number, api: ApiName, token: string) {
    return this.inner.set(profileId, api, token);
  }
  delete(profileId: number, api: ApiName) {
    return this.inner.delete(profileId, api);
  }
  async has(profileId: number, api: ApiName) {
    if (this.fromEnv(api)) return true;
    return this.inner.has(profileId, api).catch(() => false);
  }
  async get(profileId: number, api: ApiName) {
    return this.fromEnv(api) ?? this.inner.get(profileId, api);
  }
  async status() {
    const s = await this.inner.status();
    if (s.available) return s;
    const any = (Object.keys(ENV_NAMES) as ApiName[]).some((a) => this.fromEnv(a));
    return any ? { available: true, reason: 'tokens from TWOFOLD_*_TOKEN for this run' } : s;
  }
}
