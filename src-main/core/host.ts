/**
 * What a shell (Electron, the web shell, `twofold serve`) runs: the core when its store opens,
 * and the store itself around it — why it can't open (a lost key, a damaged file), backups,
 * restores and starting a new store. The host's own channels (`store.*`, `backup.*`) answer
 * whether or not a core is open; every other channel goes to the core, or fails with the
 * store's problem (which names the file and the ways out).
 *
 * The store key stays here: the host resolves it (secrets/storeKeys.ts), hands it to the core
 * it creates and to the backup worker, and never to a handler's reply.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore, type Backend, type Core, type CoreOptions, type ShellHooks } from './app';
import type { EventMessage } from '../../src-shared/ipc/events';
import type { DownloadEntry } from '../export/downloads';
import { EventBus } from './events';
import { log } from './log';
import { version } from './version';
import type { SecretStore } from '../secrets/secretStore';
import { newStoreGrant, resolveStoreKey, type StoreKeySource } from '../secrets/storeKeys';
import type { StoreKeyGrant } from '../store/openStore';
import { databasePath } from '../store/db';
import { inspectStoreFile, setAside } from '../store/storeFile';
import { assertStoreNotInUse } from '../store/openStore';
import type { StoreKey } from '../store/cipher';
import { StoreError } from '../store/storeErrors';
import { BACKUP_EXTENSION, readBackupSummary, startBackup, startRestore, type StoreJob as RunningJob } from '../store/backup';
import { allMigrations } from '../store/migrations';
import { RunLog } from '../sync/runs';
import { createChannelDispatcher, type Dispatch } from '../ipc/dispatcher';
import { storeHandlers } from '../ipc/handlers/store';
import type { HandlerContext } from '../ipc/handlerTypes';
import { hostContract, isChannelName } from '../../src-shared/ipc/contract';
import type { Envelope } from '../../src-shared/ipc/channel';
import { AppError } from '../../src-shared/errors';
import type { BackupSummary, StoreJob, StoreStatus } from '../../src-shared/domain/store';

export interface HostOptions {
  dataDir: string;
  /** Where the store key comes from: the OS keychain, or TWOFOLD_STORE_KEY (CLI only). */
  keys: StoreKeySource;
  secrets?: SecretStore;
  sqliteNativeBinding?: string;
  shell: HandlerContext['shell'];
  hooks?: ShellHooks & {
    /** Electron's dialogs for a backup file. */
    chooseBackupPath?(purpose: 'save' | 'open', defaultPath: string): Promise<string | null>;
  };
  /** Where backups go by default (~/Twofold backups). */
  backupFolder?: string;
  /** What the core is built with beyond the store (its job worker; tests' sync and push tuning). */
  core?: Pick<CoreOptions, 'jobWorker' | 'sync' | 'push'>;
}

export interface HostHandlerContext {
  host: CoreHost;
  shell: HandlerContext['shell'];
}

export function defaultBackupFolder(): string {
  return path.join(os.homedir(), 'Twofold backups');
}

export function defaultBackupName(now = new Date()): string {
  return `twofold-${now.toISOString().slice(0, 19).replace(/[T:]/g, '-')}${BACKUP_EXTENSION}`;
}

const PROGRESS_MS = 500;

/** The audit row of a backup or restore; a read-only store can't take one, which is no reason to fail. */
function auditQuietly(core: Core, action: string, file: string, detail: unknown): void {
  try {
    core.audit.record({ profileId: null, action, subjectType: 'file', subjectId: file, detail });
  } catch (err) {
    log.warn(`${action} not audited`, { error: err });
  }
}

/** A shell's backend: the store's own channels, and the core's once the store opens. */
export class CoreHost implements Backend {
  readonly events = new EventBus();
  private core: Core | null = null;
  private grant: StoreKeyGrant | null = null;
  private failure: StoreError | null = null;
  private restoring = false;
  private job: { status: StoreJob; run: RunningJob<unknown>; finished: Promise<void> } | null = null;
  private readonly dispatch: Dispatch<HostHandlerContext>;

  constructor(readonly opts: HostOptions) {
    this.dispatch = createChannelDispatcher(hostContract, storeHandlers, (ctx) => databasePath(ctx.host.opts.dataDir));
  }

  get dataDir(): string {
    return this.opts.dataDir;
  }
  get storeFile(): string {
    return databasePath(this.opts.dataDir);
  }

  /** Opens the store and its core; a store that can't be opened leaves the host answering why. */
  async open(): Promise<void> {
    try {
      this.grant = await resolveStoreKey(this.opts.dataDir, this.opts.keys);
      this.core = createCore({
        dataDir: this.opts.dataDir,
        storeKey: this.grant,
        secrets: this.opts.secrets,
        sqliteNativeBinding: this.opts.sqliteNativeBinding,
        shell: this.opts.shell,
        hooks: this.opts.hooks,
        events: this.events,
        ...this.opts.core,
      });
      this.failure = null;
    } catch (err) {
      this.core = null;
      if (!(err instanceof StoreError)) throw err;
      this.failure = err;
      log.info('the store could not be opened', { problem: err.problem, file: err.file });
    }
  }

  current(): Core | null {
    return this.core;
  }

  /** Every event of the host and of the core it opens (they share the host's bus). */
  subscribe(listener: (message: EventMessage) => void): () => void {
    return this.events.subscribe(listener);
  }

  /** A download the open core registered (none while the store is unavailable). */
  async download(id: string): Promise<DownloadEntry | undefined> {
    return this.core?.download(id);
  }

  async invoke(channel: string, input: unknown, shell: HandlerContext['shell'] = this.opts.shell): Promise<Envelope<unknown>> {
    if (Object.prototype.hasOwnProperty.call(hostContract, channel)) return this.dispatch(channel, input, { host: this, shell });
    if (this.core) return this.core.invoke(channel, input, shell);
    if (!isChannelName(channel)) return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `There is no channel named "${channel.slice(0, 80)}".` } };
    const message = this.restoring ? 'A backup is being restored; Twofold opens the store again when it is done.' : (this.failure?.message ?? 'The store is not open.');
    return { ok: false, error: { code: 'STORE_UNAVAILABLE', message } };
  }

  status(): StoreStatus {
    const core = this.core;
    return {
      state: core ? 'open' : this.restoring ? 'restoring' : 'unavailable',
      dataDir: this.opts.dataDir,
      file: this.storeFile,
      encrypted: core ? core.store.encrypted : true,
      readOnly: core ? core.store.readOnly : null,
      keySource: this.opts.keys.where,
      problem: core ? null : (this.failure?.problem ?? null),
      message: core ? null : (this.failure?.message ?? null),
      recoverable: !core && !!this.failure?.recoverable,
      backupFolder: this.opts.backupFolder ?? defaultBackupFolder(),
      job: this.job?.status ?? null,
    };
  }

  /** The ways out of a lost key or a damaged file: the file is kept aside, an empty store starts. */
  async startNewStore(): Promise<{ keptAs: string | null }> {
    if (this.core || !this.failure?.recoverable) {
      throw new AppError('CONFLICT', 'A new store is started only when the current one cannot be opened (a lost key or a damaged file).');
    }
    const keptAs = setAside(this.storeFile, 'unopened');
    log.info('store set aside for a new one', { keptAs });
    await this.open();
    this.events.emit('store.changed', { state: this.core ? 'open' : 'unavailable' });
    return { keptAs };
  }

  private requireNoJob(): void {
    if (this.job?.status.phase === 'running') throw new AppError('CONFLICT', `A ${this.job.status.kind} is already running.`);
  }

  private track<T>(kind: StoreJob['kind'], file: string, run: RunningJob<T>, onDone: (r: T, status: StoreJob) => Promise<void> | void, onFail: () => Promise<void> | void): StoreJob {
    const status: StoreJob = { id: crypto.randomUUID(), kind, phase: 'running', file, bytes: 0, totalBytes: run.progress().totalBytes, message: null, summary: null, previousStore: null };
    const tick = setInterval(() => {
      const p = run.progress();
      status.bytes = p.bytes;
      status.totalBytes = p.totalBytes;
      this.events.emit('store.job', { ...status });
    }, PROGRESS_MS);
    tick.unref();
    const finished = run.result.then(
      async (r) => {
        clearInterval(tick);
        status.phase = 'done';
        status.bytes = run.progress().bytes || status.totalBytes;
        await onDone(r, status);
        this.events.emit('store.job', { ...status });
      },
      async (err: unknown) => {
        clearInterval(tick);
        status.phase = err instanceof AppError && err.code === 'CANCELLED' ? 'cancelled' : 'failed';
        status.message = err instanceof AppError ? err.message : `The ${kind} failed: ${String((err as Error)?.message ?? err).split('\n')[0]}`;
        if (status.phase === 'failed') log.warn(`${kind} failed`, { error: status.message });
        await onFail();
        this.events.emit('store.job', { ...status });
      },
    );
    this.job = { status, run: run as RunningJob<unknown>, finished };
    return { ...status };
  }

  /** Starts a backup of the open store (it keeps running meanwhile). */
  startBackup(input: { file?: string; passphrase: string; overwrite?: boolean }): StoreJob {
    this.requireNoJob();
    const core = this.core;
    if (!core) throw new AppError('STORE_UNAVAILABLE', this.failure?.message ?? 'The store is not open.');
    let file = input.file;
    if (!file) {
      const folder = this.opts.backupFolder ?? defaultBackupFolder();
      fs.mkdirSync(folder, { recursive: true });
      file = path.join(folder, defaultBackupName());
    }
    const run = startBackup({
      storeFile: core.store.file,
      storeKey: core.store.encrypted ? (this.grant?.key ?? null) : null,
      target: file,
      passphrase: input.passphrase,
      overwrite: input.overwrite,
      appVersion: version,
      nativeBinding: this.opts.sqliteNativeBinding,
    });
    return this.track(
      'backup',
      path.resolve(file),
      run,
      (r, status) => {
        status.summary = r.summary;
        status.file = r.file;
        auditQuietly(core, 'store.backup', r.file, { bytes: r.bytes });
      },
      () => undefined,
    );
  }

  previewBackup(file: string, passphrase: string): Promise<BackupSummary> {
    return readBackupSummary(file, passphrase, this.opts.sqliteNativeBinding);
  }

  /**
   * Replaces the store with a backup. The passphrase is checked (and the contents read) before
   * the running store is touched; then the core closes, the backup is copied, re-keyed under a
   * new store key, verified and swapped in (the store that was there is kept aside), and the
   * core opens again — on the restored store, or on the old one if anything failed.
   */
  async startRestore(input: { file: string; passphrase: string }): Promise<StoreJob> {
    this.requireNoJob();
    await this.previewBackup(input.file, input.passphrase);
    const grant = await newStoreGrant(this.opts.keys).catch((err: unknown) => {
      throw new AppError('KEYCHAIN_UNAVAILABLE', `The restored store's key can't be kept in ${this.opts.keys.where}: ${(err as Error).message}`);
    });
    this.restoring = true;
    const before = this.core;
    this.core = null;
    await before?.close();
    try {
      await this.assertNoOtherProcess();
    } catch (err) {
      this.restoring = false;
      await this.open();
      throw err;
    }
    this.events.emit('store.changed', { state: 'restoring' });
    const run = startRestore({
      backupFile: input.file,
      passphrase: input.passphrase,
      dataDir: this.opts.dataDir,
      grant,
      latestMigration: Math.max(...allMigrations.map((m) => m.id)),
      nativeBinding: this.opts.sqliteNativeBinding,
    });
    const reopen = async (restored: boolean) => {
      this.restoring = false;
      await this.open();
      if (restored && this.core && !this.core.store.readOnly) new RunLog(this.core.db).closeRunsOfRestoredStore();
      this.events.emit('store.changed', { state: this.core ? 'open' : 'unavailable' });
    };
    return this.track(
      'restore',
      path.resolve(input.file),
      run,
      async (r, status) => {
        status.summary = r.summary;
        status.previousStore = r.previousStore;
        await reopen(true);
        if (this.core) auditQuietly(this.core, 'store.restore', path.resolve(input.file), { previousStore: r.previousStore });
      },
      () => reopen(false),
    );
  }

  /** A restore must not replace the file under another process (the app, a command) that has it open. */
  private async assertNoOtherProcess(): Promise<void> {
    const file = this.storeFile;
    const state = inspectStoreFile(file);
    if (state.kind === 'none') return;
    let key: StoreKey | null = null;
    if (state.kind === 'encrypted') {
      key = await this.opts.keys.get(state.salt).catch(() => null);
      // Without its key no process on this account can have it open.
      if (!key) return;
    }
    try {
      assertStoreNotInUse(file, key, this.opts.sqliteNativeBinding);
    } catch (err) {
      if (err instanceof StoreError && err.problem === 'busy') throw err;
      // A damaged file or a key that doesn't fit: nobody has it open either.
    }
  }

  cancel(jobId: string): void {
    if (this.job?.status.id === jobId && this.job.status.phase === 'running') this.job.run.cancel();
  }

  /** Waits for a running backup or restore (the CLI, tests). */
  async settled(): Promise<StoreJob | null> {
    if (!this.job) return null;
    await this.job.finished;
    return { ...this.job.status };
  }

  async close(): Promise<void> {
    if (this.job?.status.phase === 'running') this.job.run.cancel();
    const core = this.core;
    this.core = null;
    await core?.close();
  }
}
