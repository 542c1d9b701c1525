import { Readable } from 'node:stream';
import { vi } from 'vitest';
import { runCli } from '../../src-main/cli/main';
import { TEST_STORE_KEY_HEX } from './tempCore';

/**
 * Runs `twofold --data-dir <dir> …` in this process, capturing stdout, stderr and the exit code.
 * It runs keychain-less, as a scheduled job does: the store key comes from TWOFOLD_STORE_KEY (the
 * test key unless the test set another). `stdin` is what the command reads (a passphrase), not a
 * terminal.
 */
export async function runCliIn(dir: string, args: string[], opts: { stdin?: string } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  const prev = process.exitCode;
  const prevKey = process.env.TWOFOLD_STORE_KEY;
  const prevStdin = Object.getOwnPropertyDescriptor(process, 'stdin')!;
  process.exitCode = undefined;
  process.env.TWOFOLD_STORE_KEY = prevKey ?? TEST_STORE_KEY_HEX;
  if (opts.stdin !== undefined) {
    Object.defineProperty(process, 'stdin', { value: Object.assign(Readable.from([Buffer.from(opts.stdin)]), { isTTY: false }), configurable: true });
  }
  try {
    const code = await runCli(['--data-dir', dir, ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    Object.defineProperty(process, 'stdin', prevStdin);
    if (prevKey === undefined) delete process.env.TWOFOLD_STORE_KEY;
    process.exitCode = prev;
  }
}
