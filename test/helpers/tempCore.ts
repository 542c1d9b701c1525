import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore, type Core, type CoreOptions } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/secrets/memoryStore';
import { StoreKey, randomSalt } from '../../src-main/store/cipher';
import type { StoreKeyGrant } from '../../src-main/store/openStore';
import { connect, databasePath, type Db } from '../../src-main/store/db';

/**
 * The key test stores are encrypted with (every test core is encrypted, as the app's is). Fixed,
 * so a test can reopen a folder, or hand it to the CLI as TWOFOLD_STORE_KEY.
 */
export const TEST_STORE_KEY_HEX = '5e1f0c2ab7d94e6f8a3c1b0d2e4f6a8c9b7d5e3f1a2c4e6b8d0f1e3c5a7b9d2f';

export function testStoreKey(): StoreKeyGrant {
  return { key: StoreKey.fromHex(TEST_STORE_KEY_HEX)!, salt: randomSalt(), from: 'the test key' };
}

/** A connection to a data folder's store made with the test key (a CLI run under TWOFOLD_STORE_KEY, a test core). */
export function openTestStore(dataDir: string, opts: { readonly?: boolean } = {}): Db {
  return connect(databasePath(dataDir), { key: StoreKey.fromHex(TEST_STORE_KEY_HEX)!, readonly: opts.readonly });
}

/** A core on a fresh temporary data folder; the folder is removed by cleanup(). */
export function tempCore(opts: Partial<CoreOptions> = {}): Core & { cleanup(): Promise<void> } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-test-'));
  const core = createCore({ dataDir, secrets: new MemorySecretStore(), storeKey: testStoreKey(), ...opts });
  return Object.assign(core, {
    async cleanup() {
      await core.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export function tempDir(prefix = 'twofold-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
