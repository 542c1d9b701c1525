/**
 * Tokens that may live in main-process memory for this session only: the embedded sandbox's
 * generated tokens when no OS keychain can be reached (they open nothing but servers on this
 * machine). Real tokens never come here; they go to the keychain or fail with its reason.
 */
import type { ApiName } from '../../src-shared/domain/apis';
import { accountFor, type SecretStore } from './secretStore';

export class SessionOverlaySecretStore implements SecretStore {
  private readonly session = new Map<string, string>();
  constructor(readonly inner: SecretStore) {}

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
    if (this.session.has(accountFor(profileId, api))) return true;
    return this.inner.has(profileId, api);
  }
  async get(profileId: number, api: ApiName) {
    return this.session.get(accountFor(profileId, api)) ?? this.inner.get(profileId, api);
  }
  status() {
    return this.inner.status();
  }
}
