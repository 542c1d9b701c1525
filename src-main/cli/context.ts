import type { Core } from '../core/app';
import { CoreHost } from '../core/host';
import { defaultDataDir } from '../core/paths';
import { KeychainSecretStore } from '../secrets/keychain';
import { EnvOverlaySecretStore } from '../secrets/envOverlay';
import { z } from 'zod';
import { EnvStoreKey, KeychainStoreKeys, type StoreKeySource } from '../secrets/storeKeys';
import { AppError } from '../../src-shared/errors';
import type { ProfileRow } from '../store/repos/profiles';
import { databasePath } from '../store/db';
import { storeWriteError } from '../store/storeErrors';

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
   * The host of this run's store (created once; opened unless `open` is false). The store key
   * comes from TWOFOLD_STORE_KEY when it is set, else from the OS keychain. `shell` says what
   * this process is to others (`serve` is the app), on the first call only.
   */
  host(opts?: { open?: boolean; shell?: Core['shell'] }): Promise<CoreHost>;
  /** The open core; commands that use it run after host() (a preAction hook sees to it). */
  core(): Core;
  /** Resolves a profile by name or numeric id, or fails with a one-line reason. */
  profile(nameOrId: string): ProfileRow;
  /** Unwraps an IPC envelope: data, or a CliError carrying the typed error's message. */
  call<T = unknown>(channel: string, input: unknown): Promise<T>;
  print(value: unknown, json: boolean, text?: (v: any) => string): void;
  close(): Promise<void>;
}

export function storeKeySource(env: NodeJS.ProcessEnv = process.env): StoreKeySource {
  try {
    return EnvStoreKey.fromEnv(env) ?? new KeychainStoreKeys();
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

export function createCliContext(getDataDirOption: () => string | undefined): CliContext {
  let host: CoreHost | null = null;
  let opened: Promise<void> | null = null;
  const ctx: CliContext = {
    dataDir: () => getDataDirOption() ?? defaultDataDir(),
    async host(opts = {}) {
      host ??= new CoreHost({
        dataDir: ctx.dataDir(),
        keys: storeKeySource(),
        secrets: new EnvOverlaySecretStore(new KeychainSecretStore()),
        shell: opts.shell ?? 'cli',
      });
      if (opts.open !== false) {
        opened ??= host.open();
        await opened;
      }
      return host;
    },
    core() {
      const core = host?.current();
      if (core) return core;
      if (!host) throw new CliError('internal: the store was not opened before this command');
      throw new CliError(host.status().message ?? `the store ${databasePath(ctx.dataDir())} is not open`);
    },
    profile(nameOrId) {
      const c = ctx.core();
      const row = /^\d+$/.test(nameOrId) ? (c.profiles.get(Number(nameOrId)) ?? c.profiles.byName(nameOrId)) : c.profiles.byName(nameOrId);
      if (!row) throw new CliError(`no profile named "${nameOrId}" (see: twofold profile list)`);
      return row;
    },
    async call<T>(channel: string, input: unknown): Promise<T> {
      const h = await ctx.host();
      const env = await h.invoke(channel, input, 'cli');
      if (!env.ok) throw new CliError(env.error.message, 1);
      return env.data as T;
    },
    print(value, json, text) {
      if (json) process.stdout.write(JSON.stringify(value, null, 2) + '\n');
      else process.stdout.write((text ? text(value) : String(value)) + '\n');
    },
    async close() {
      if (host) await host.close();
      host = null;
      opened = null;
    },
  };
  return ctx;
}

/** The one line a failure prints; a write the store refused (read-only, or its disk full) names the store. */
export function oneLine(err: unknown, storeFile?: string): string {
  if (err instanceof CliError || err instanceof AppError) return err.message;
  // A schema check that fired below the CLI's own option checks: say which value and why, in words.
  if (err instanceof z.ZodError) {
    return `invalid input: ${err.issues.map((i) => `${i.path.map(String).join('.') || 'value'}: ${i.message}`).join('; ')}`;
  }
  if (storeFile) {
    const refused = storeWriteError(err, storeFile);
    if (refused instanceof AppError) return refused.message;
  }
  const msg = (err as Error)?.message ?? String(err);
  return msg.split('\n')[0];
}
