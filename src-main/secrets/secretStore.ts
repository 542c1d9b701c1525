/**
 * Where API tokens live. Rules: tokens go to the OS keychain (service "Twofold", account
 * "<profileId>:<api>") and nowhere else; `get` exists only for connectors in the main process,
 * the IPC surface exposes set / has / delete.
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
}

export const KEYCHAIN_SERVICE = 'Twofold';
export function accountFor(profileId: number, api: ApiName): string {
  return `${profileId}:${api}`;
}
