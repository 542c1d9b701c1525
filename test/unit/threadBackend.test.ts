/**
 * The web shell's thread backend: one that can't start (its core failed with an unexpected error,
 * like a full disk while the store is encrypted) is ended, so `twofold serve` exits with the reason
 * instead of staying alive with nothing to serve.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startThreadBackend } from '../../src-main/backend/thread';
import { tempDir } from '../helpers/tempCore';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('startThreadBackend', () => {
  it('rejects with the reason a backend could not start, and ends its thread', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const beat = path.join(dir, 'beat');
    // A stand-in backend: it keeps working (a heartbeat) and then reports it could not start.
    const script = path.join(dir, 'backend.js');
    fs.writeFileSync(
      script,
      `const { parentPort } = require('node:worker_threads');
       const fs = require('node:fs');
       let n = 0;
       setInterval(() => fs.writeFileSync(${JSON.stringify(beat)}, String(++n)), 20);
       parentPort.on('message', (m) => {
         if (m.type === 'init') setTimeout(() => parentPort.postMessage({ type: 'fatal', message: 'ENOSPC: no space left on device, write' }), 100);
       });`,
    );
    await expect(startThreadBackend({ dataDir: dir, envTokens: true, storeKeys: 'env-or-keychain' }, script)).rejects.toThrow(/ENOSPC/);
    const after = fs.readFileSync(beat, 'utf8');
    await new Promise((r) => setTimeout(r, 200));
    expect(fs.readFileSync(beat, 'utf8')).toBe(after); // no beat since: the thread is gone
  });
});
