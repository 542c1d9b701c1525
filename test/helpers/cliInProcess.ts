import { vi } from 'vitest';
import { runCli } from '../../src-main/cli/main';

/** Runs `twofold --data-dir <dir> …` in this process, capturing stdout, stderr and the exit code. */
export async function runCliIn(dir: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  const prev = process.exitCode;
  process.exitCode = undefined;
  try {
    const code = await runCli(['--data-dir', dir, ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = prev;
  }
}
