/** keytar behind SecretStore (API tokens). */
import type { ApiName } from '../../src-shared/domain/apis';
import { KEYCHAIN_SERVICE, accountFor, type SecretStore } from './secretStore';
import { KeytarLoader } from './keytarLoader';

export { describeKeychainError } from './keytarLoader';

export class KeychainSecretStore implements SecretStore {
  private readonly keytar: KeytarLoader;

  /**
   * `modulePath` lets Electron load an Electron-ABI build of keytar (or: the loader to share);
   * `storeId` names the store whose tokens these are (forStore).
   */
  constructor(modulePath?: string | KeytarLoader, private readonly storeId: string | null = null) {
    this.keytar = modulePath instanceof KeytarLoader ? modulePath : new KeytarLoader(modulePath);
  }

  forStore(storeId: string): KeychainSecretStore {
    return new KeychainSecretStore(this.keytar, storeId);
  }

  async set(profileId: number, api: ApiName, token: string): Promise<void> {
    await this.keytar.call((k) => k.setPassword(KEYCHAIN_SERVICE, accountFor(profileId, api, this.storeId), token));
  }
  async has(profileId: number, api: ApiName): Promise<boolean> {
    return (await this.get(profileId, api)) !== null;
  }
  async delete(profileId: number, api: ApiName): Promise<void> {
    await this.keytar.call(async (k) => {
      await k.deletePassword(KEYCHAIN_SERVICE, accountFor(profileId, api, this.storeId));
      // An entry under the old shared name would otherwise come back at the next read (get).
      if (this.storeId) await k.deletePassword(KEYCHAIN_SERVICE, accountFor(profileId, api));
    });
  }
  async get(profileId: number, api: ApiName): Promise<string | null> {
    const account = accountFor(profileId, api, this.storeId);
    return this.keytar.call(async (k) => {
      const token = await k.getPassword(KEYCHAIN_SERVICE, account);
      if (token !== null || !this.storeId) return token;
      // A token saved before tokens were named by their store (one entry per profile number, which
      // every data folder on the machine shared): the first store to ask for it takes it, so it
      // is in one store's entry, not both.
      const legacy = accountFor(profileId, api);
      const old = await k.getPassword(KEYCHAIN_SERVICE, legacy);
      if (old === null) return null;
      await k.setPassword(KEYCHAIN_SERVICE, account, old);
      await k.deletePassword(KEYCHAIN_SERVICE, legacy);
      return old;
    });
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
