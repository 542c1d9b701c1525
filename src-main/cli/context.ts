import { createCore, type Core } from '../core/app';
import { defaultDataDir } from '../core/paths';
import { KeychainSecretStore } from '../secrets/keychain';
import { EnvOverlaySecretStore } from '../secrets/envOverlay';
import { z } from 'zod';
import { AppError } from '../../src-shared/errors';
import type { ProfileRow } from '../store/repos/profiles';

/** A failure the CLI reports as one line on stderr with a non-zero exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

export interface CliContext {
  /** --data-dir, else TWOFOLD_DATA_DIR, else the desktop app's per-user folder. */
  dataDir(): string;
  /**
   * Opens the core once per run; tokens may come from TWOFOLD_*_TOKEN for this run only. `shell`
   * says what this process is to others (`serve` is the app), on the first call only.
   */
  core(shell?: Core['shell']): Core;
  /** Resolves a profile by name or numeric id, or fails with a one-line reason. */
  profile(nameOrId: string): ProfileRow;
  /** Unwraps an IPC envelope: data, or a CliError carrying the typed error's message. */
  call<T = unknown>(channel: string, input: unknown): Promise<T>;
  print(value: unknown, json: boolean, text?: (v: any) => string): void;
  close(): Promise<void>;
}

export function createCliContext(getDataDirOption: () => string | undefined): CliContext {
  let core: Core | null = null;
  const ctx: CliContext = {
    dataDir: () => getDataDirOption() ?? defaultDataDir(),
    core(shell = 'cli') {
      core ??= createCore({
        dataDir: ctx.dataDir(),
        secrets: new EnvOverlaySecretStore(new KeychainSecretStore()),
        shell,
      });
      return core;
    },
    profile(nameOrId) {
      const c = ctx.core();
      const row = /^\d+$/.test(nameOrId) ? (c.profiles.get(Number(nameOrId)) ?? c.profiles.byName(nameOrId)) : c.profiles.byName(nameOrId);
      if (!row) throw new CliError(`no profile named "${nameOrId}" (see: twofold profile list)`);
      return row;
    },
    async call<T>(channel: string, input: unknown): Promise<T> {
      const env = await ctx.core().invoke(channel, input, 'cli');
      if (!env.ok) throw new CliError(env.error.message, 1);
      return env.data as T;
    },
    print(value, json, text) {
      if (json) process.stdout.write(JSON.stringify(value, null, 2) + '\n');
      else process.stdout.write((text ? text(value) : String(value)) + '\n');
    },
    async close() {
      if (core) await core.close();
      core = null;
    },
  };
  return ctx;
}

export function oneLine(err: unknown): string {
  if (err instanceof CliError || err instanceof AppError) return err.message;
  // A schema check that fired below the CLI's own option checks: say which value and why, in words.
  if (err instanceof z.ZodError) {
    return `invalid input: ${err.issues.map((i) => `${i.path.map(String).join('.') || 'value'}: ${i.message}`).join('; ')}`;
  }
  const msg = (err as Error)?.message ?? String(err);
  return msg.split('\n')[0];
}
