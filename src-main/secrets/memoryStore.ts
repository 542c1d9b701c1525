import type { ApiName } from '../../src-shared/domain/apis';
import { accountFor, type SecretStore } from './secretStore';

/**
 * In-memory store for tests of code that merely needs *a* SecretStore (sync, identity, …).
 * The keychain itself is tested against a real Secret Service, never with this.
 */
export class MemorySecretStore implements SecretStore {
  private readonly map = new Map<string, string>();
  async set(p: number, a: ApiName, t: string) {
    this.map.set(accountFor(p, a), t);
  }
  async has(p: number, a: ApiName) {
    return this.map.has(accountFor(p, a));
  }
  async delete(p: number, a: ApiName) {
    this.map.delete(accountFor(p, a));
  }
  async get(p: number, a: ApiName) {
    return this.map.get(accountFor(p, a)) ?? null;
  }
  async status() {
    return { available: true, reason: null };
  }
  /** A memory store is made for one core: it is already that store's. */
  forStore(): MemorySecretStore {
    return this;
  }
}
