/**
 * The composition root: store, secrets, events, services and the IPC dispatcher, shared by the
 * Electron shell, the web shell, the CLI and the tests. No Electron import here or below.
 */
import fs from 'node:fs';
import { openDatabase, type Db } from '../store/db';
import { openStore, type StoreKeyGrant } from '../store/openStore';
import type { EncryptStep } from '../store/encryptStore';
import type { Migration } from '../store/migrate';
import { ProfilesRepo } from '../store/repos/profiles';
import { SettingsRepo } from '../store/repos/settings';
import { AuditRepo } from '../store/repos/audit';
import type { SecretStore } from '../secrets/secretStore';
import { KeychainSecretStore } from '../secrets/keychain';
import { SessionOverlaySecretStore } from '../secrets/sessionOverlay';
import { EventBus } from './events';
import { createDispatcher, type Dispatch } from '../ipc/dispatcher';
import { allHandlers } from '../ipc/handlers';
import type { HandlerContext } from '../ipc/handlerTypes';
import type { Envelope } from '../../src-shared/ipc/channel';
import { wireDomainServices } from './wiring';
import { sandboxTokenFor } from '../sandboxRuntime/tokens';

export interface CoreOptions {
  dataDir: string;
  /**
   * The store's key (secrets/storeKeys.ts: resolveStoreKey). null opens or creates a plain
   * store: only tests and the plain benchmark do that; every shell passes a key.
   */
  storeKey: StoreKeyGrant | null;
  secrets?: SecretStore;
  /** Electron passes the path of its own-ABI better-sqlite3 addon. */
  sqliteNativeBinding?: string;
  shell?: HandlerContext['shell'];
  hooks?: ShellHooks;
  /** The shell host's bus, which outlives a core replaced by a restore. */
  events?: EventBus;
  /** Tests stop the process after a step of the plain → encrypted migration. */
  afterEncryptStep?: (step: EncryptStep) => void;
  /** Tests build a store as an earlier version left it (fewer migrations). */
  migrations?: Migration[];
}

/** What the shells and services may know about the store (never its key). */
export interface StoreInfo {
  file: string;
  encrypted: boolean;
  /** Why only reads work, or null. */
  readOnly: string | null;
}

/** What only a shell can do, offered to services (the Electron save dialog, for one). */
export interface ShellHooks {
  /** Ask the steward where to save a file; null when they cancel. Absent in the web shell and CLI. */
  chooseSavePath?(defaultName: string): Promise<string | null>;
}

export interface Core {
  readonly dataDir: string;
  readonly db: Db;
  readonly store: StoreInfo;
  /**
   * Another connection to the same store, keyed and set up like the first (long jobs, reports
   * on a read-only connection). The key stays inside the core; the caller closes the connection.
   */
  openConnection(opts?: { readonly?: boolean }): Db;
  readonly profiles: ProfilesRepo;
  readonly settings: SettingsRepo;
  readonly audit: AuditRepo;
  readonly secrets: SecretStore;
  /** The same store: sandbox tokens derived from the seed, and tokens kept in memory for this session. */
  readonly sessionSecrets: SessionOverlaySecretStore;
  readonly events: EventBus;
  readonly shell: HandlerContext['shell'];
  readonly hooks: ShellHooks;
  /** One instance per name for the life of the core (services keep caches and running jobs). */
  service<T>(name: string, factory: () => T): T;
  /** Run a channel the way a shell would: validated, enveloped. */
  invoke(channel: string, input: unknown, shell?: HandlerContext['shell']): Promise<Envelope<unknown>>;
  /** Register cleanup for a service (stop a sandbox, cancel a sync) run by close(). */
  onClose(fn: () => void | Promise<void>): void;
  close(): Promise<void>;
}

export function createCore(opts: CoreOptions): Core {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const grant = opts.storeKey;
  const opened = openStore(opts.dataDir, grant, { nativeBinding: opts.sqliteNativeBinding, afterEncryptStep: opts.afterEncryptStep, migrations: opts.migrations });
  const db = opened.db;
  const services = new Map<string, unknown>();
  const closers: (() => void | Promise<void>)[] = [];
  let dispatch: Dispatch | null = null;
  let closed = false;
  const profiles = new ProfilesRepo(db);
  const settings = new SettingsRepo(db);
  const sessionSecrets = new SessionOverlaySecretStore(opts.secrets ?? new KeychainSecretStore(), (profileId, api) => sandboxTokenFor({ profiles, settings }, profileId, api));

  const core: Core = {
    dataDir: opts.dataDir,
    db,
    store: { file: opened.file, encrypted: opened.encrypted, readOnly: opened.readOnly },
    openConnection(o = {}) {
      return openDatabase(opened.file, {
        key: opened.encrypted ? grant?.key : null,
        keyFrom: grant?.from,
        nativeBinding: opts.sqliteNativeBinding,
        readonly: o.readonly || !!opened.readOnly,
      });
    },
    profiles,
    settings,
    audit: new AuditRepo(db),
    secrets: sessionSecrets,
    sessionSecrets,
    events: opts.events ?? new EventBus(),
    shell: opts.shell ?? 'test',
    hooks: opts.hooks ?? {},
    service<T>(name: string, factory: () => T): T {
      if (!services.has(name)) services.set(name, factory());
      return services.get(name) as T;
    },
    invoke(channel, input, shell) {
      dispatch ??= createDispatcher(allHandlers);
      return dispatch(channel, input, { core, shell: shell ?? core.shell });
    },
    onClose(fn) {
      closers.push(fn);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const fn of closers.reverse()) {
        try {
          await fn();
        } catch {
          /* closing is best effort; the database close below must still happen */
        }
      }
      db.close();
    },
  };
  wireDomainServices(core);
  return core;
}
