/** keytar behind SecretStore (API tokens). */
import type { ApiName } from '../../src-shared/domain/apis';
import { KEYCHAIN_SERVICE, accountFor, type SecretStore } from './secretStore';
import { KeytarLoader } from './keytarLoader';

export { describeKeychainError } from './keytarLoader';

export class KeychainSecretStore implements SecretStore {
  private readonly keytar: KeytarLoader;

  /** `modulePath` lets Electron load an Electron-ABI build of keytar. */
  constructor(modulePath?: string) {
    this.keytar = new KeytarLoader(modulePath);
  }

  async set(profileId: number, api: ApiName, token: string): Promise<void> {
    await this.keytar.call((k) => k.setPassword(KEYCHAIN_SERVICE, accountFor(profileId, api), token));
  }
  async has(profileId: number, api: ApiName): Promise<boolean> {
    return (await this.get(profileId, api)) !== null;
  }
  async delete(profileId: number, api: ApiName): Promise<void> {
    await this.keytar.call((k) => k.deletePassword(KEYCHAIN_SERVICE, accountFor(profileId, api)));
  }
  async get(profileId: number, api: ApiName): Promise<string | null> {
    return this.keytar.call((k) => k.getPassword(KEYCHAIN_SERVICE, accountFor(profileId, api)));
  }
  async status(): Promise<{ available: boolean; reason: string | null }> {
    try {
      await this.keytar.call((k) => k.findCredentials(KEYCHAIN_SERVICE));
      return { available: true, reason: null };
    } catch (err) {
      return { available: false, reason: (err as Error).message };
    }
  }
}
