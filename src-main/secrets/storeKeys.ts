/**
 * Where the store's key comes from.
 *
 * - The OS keychain (the app, and the CLI by default): service "Twofold", account
 *   "store-key:<salt>", where <salt> is the hex of the store file's first 16 bytes (its
 *   SQLCipher salt, kept in clear by the format and fixed for the file's life). The entry
 *   follows the file, not the folder's path: a data folder that is moved or renamed keeps its
 *   key, and a file set aside (a new store, a restore) keeps its own entry, so it can still be
 *   opened if it is ever put back. The value is the 256-bit key in hex.
 * - TWOFOLD_STORE_KEY (the CLI only, for scheduled jobs on machines without a keychain): 64 hex
 *   characters, read for one run, never written anywhere. Nothing else is a key source.
 *
 * A key is created only for a folder with no store yet, or with a plain store about to be
 * encrypted: an encrypted store whose key can't be found is reported (missing key), never
 * replaced by a new key.
 */
import { AppError } from '../../src-shared/errors';
import { KEYCHAIN_SERVICE } from './secretStore';
import { KeytarLoader } from './keytarLoader';
import { StoreKey, storeKeyHex, randomSalt } from '../store/cipher';
import { databasePath } from '../store/db';
import { inspectStoreFile, readOnlyReason } from '../store/storeFile';
import { keychainUnavailable, missingKey } from '../store/storeErrors';
import type { StoreKeyGrant } from '../store/openStore';

export interface StoreKeySource {
  /** Named in messages: "the OS keychain", "TWOFOLD_STORE_KEY". */
  readonly where: string;
  get(salt: Buffer): Promise<StoreKey | null>;
  /** Records the key of a file about to be written with this salt (before it is written). */
  save(salt: Buffer, key: StoreKey): Promise<void>;
  /** The key a new store gets. */
  newKey(): StoreKey;
}

export const STORE_KEY_ENV = 'TWOFOLD_STORE_KEY';

export function storeKeyAccount(salt: Buffer): string {
  return `store-key:${salt.toString('hex')}`;
}

export class KeychainStoreKeys implements StoreKeySource {
  readonly where = 'the OS keychain';
  private readonly keytar: KeytarLoader;
  constructor(modulePath?: string) {
    this.keytar = new KeytarLoader(modulePath);
  }
  async get(salt: Buffer): Promise<StoreKey | null> {
    const hex = await this.keytar.call((k) => k.getPassword(KEYCHAIN_SERVICE, storeKeyAccount(salt)));
    return hex ? StoreKey.fromHex(hex) : null;
  }
  async save(salt: Buffer, key: StoreKey): Promise<void> {
    await this.keytar.call((k) => k.setPassword(KEYCHAIN_SERVICE, storeKeyAccount(salt), storeKeyHex(key)));
  }
  newKey(): StoreKey {
    return StoreKey.random();
  }
}

/** TWOFOLD_STORE_KEY: one key for whatever store this run opens (or creates). */
export class EnvStoreKey implements StoreKeySource {
  readonly where = STORE_KEY_ENV;
  constructor(private readonly key: StoreKey) {}
  static fromEnv(env: NodeJS.ProcessEnv = process.env): EnvStoreKey | null {
    const raw = env[STORE_KEY_ENV];
    if (raw === undefined || raw.trim() === '') return null;
    const key = StoreKey.fromHex(raw);
    if (!key) throw new AppError('BAD_INPUT', `${STORE_KEY_ENV} must be 64 hexadecimal characters (a 256-bit key); it is not.`);
    return new EnvStoreKey(key);
  }
  async get(): Promise<StoreKey> {
    return this.key;
  }
  async save(): Promise<void> {
    /* the key is the caller's; nothing is written */
  }
  newKey(): StoreKey {
    return this.key;
  }
}

/** For tests of code that merely needs a keyed store; the keychain itself is tested for real. */
export class MemoryStoreKeys implements StoreKeySource {
  readonly where = 'the test key store';
  readonly keys = new Map<string, StoreKey>();
  async get(salt: Buffer) {
    return this.keys.get(salt.toString('hex')) ?? null;
  }
  async save(salt: Buffer, key: StoreKey) {
    this.keys.set(salt.toString('hex'), key);
  }
  newKey() {
    return StoreKey.random();
  }
}

/**
 * The key a data folder's store opens with, created (and recorded first) when the folder has no
 * store yet or a plain one to encrypt. Null: a read-only plain store, opened as it is.
 */
export async function resolveStoreKey(dataDir: string, source: StoreKeySource): Promise<StoreKeyGrant | null> {
  const file = databasePath(dataDir);
  const state = inspectStoreFile(file);
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AppError && err.code === 'KEYCHAIN_UNAVAILABLE') throw keychainUnavailable(file, err.message);
      throw err;
    }
  };
  if (state.kind === 'encrypted') {
    const key = await guard(() => source.get(state.salt));
    if (!key) throw missingKey(file, source.where);
    return { key, salt: state.salt, from: source.where };
  }
  if (state.kind === 'plain' && readOnlyReason(file)) return null;
  return guard(() => newStoreGrant(source));
}

/** A key and salt for a file about to be written (a new store, a restore), recorded first. */
export async function newStoreGrant(source: StoreKeySource): Promise<StoreKeyGrant> {
  const salt = randomSalt();
  const key = source.newKey();
  await source.save(salt, key);
  return { key, salt, from: source.where };
}
