import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore, type Core, type CoreOptions } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/secrets/memoryStore';

/** A core on a fresh temporary data folder; the folder is removed by cleanup(). */
export function tempCore(opts: Partial<CoreOptions> = {}): Core & { cleanup(): Promise<void> } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-test-'));
  const core = createCore({ dataDir, secrets: new MemorySecretStore(), ...opts });
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
