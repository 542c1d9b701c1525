/**
 * Tokens that are not the keychain's to keep: a sandbox profile's, derived from its seed in every
 * process (`derive`), and tokens remembered in main-process memory for this session only. They
 * open nothing but servers on this machine. Real tokens never come here; they go to the keychain
 * or fail with its reason.
 */
import type { ApiName } from '../../src-shared/domain/apis';
import { accountFor, type SecretStore } from './secretStore';

export class SessionOverlaySecretStore implements SecretStore {
  private readonly session = new Map<string, string>();
  constructor(
    readonly inner: SecretStore,
    private readonly derive: (profileId: number, api: ApiName) => string | null = () => null,
  ) {}

  /** Keep a token in memory for this process when the keychain refused it. */
  remember(profileId: number, api: ApiName, token: string): void {
    this.session.set(accountFor(profileId, api), token);
  }
  set(profileId: number, api: ApiName, token: string) {
    this.session.delete(accountFor(profileId, api));
    return this.inner.set(profileId, api, token);
  }
  async delete(profileId: number, api: ApiName) {
    this.session.delete(accountFor(profileId, api));
    return this.inner.delete(profileId, api);
  }
  async has(profileId: number, api: ApiName) {
    if (this.session.has(accountFor(profileId, api)) || this.derive(profileId, api) !== null) return true;
    return this.inner.has(profileId, api);
  }
  async get(profileId: number, api: ApiName) {
    return this.derive(profileId, api) ?? this.session.get(accountFor(profileId, api)) ?? this.inner.get(profileId, api);
  }
  status() {
    return this.inner.status();
  }
  forStore(storeId: string): SessionOverlaySecretStore {
    return new SessionOverlaySecretStore(this.inner.forStore(storeId), this.derive);
  }
}
