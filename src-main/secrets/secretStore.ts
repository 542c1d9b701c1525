/**
 * Where API tokens live. Rules: tokens go to the OS keychain (service "Twofold", account
 * "<store id>:<profileId>:<api>", the store's id from migration 0094) and nowhere else; `get`
 * exists only for connectors in the main process, the IPC surface exposes set / has / delete.
 */
import type { ApiName } from '../../src-shared/domain/apis';

export interface SecretStore {
  set(profileId: number, api: ApiName, token: string): Promise<void>;
  has(profileId: number, api: ApiName): Promise<boolean>;
  delete(profileId: number, api: ApiName): Promise<void>;
  /** Main-process only: for a connector about to make a call. */
  get(profileId: number, api: ApiName): Promise<string | null>;
  /** Whether a keychain can be used at all, and if not, why (shown to the steward). */
  status(): Promise<{ available: boolean; reason: string | null }>;
  /**
   * The same store of tokens, for one store's profiles only: profile numbers start at 1 in every
   * data folder, so without it two folders' profiles share their tokens.
   */
  forStore(storeId: string): SecretStore;
}

export const KEYCHAIN_SERVICE = 'Twofold';
/**
 * The keychain account of a token: the store's id first. Without one (null): a store an older
 * version made, opened read-only, and the name every token had before tokens were kept per store.
 */
export function accountFor(profileId: number, api: ApiName, storeId: string | null = null): string {
  return storeId ? `${storeId}:${profileId}:${api}` : `${profileId}:${api}`;
}
