/**
 * The composition root: the one place that builds the store, secrets, events, connections,
 * clocks, the job queue and every domain service from explicit dependencies, and the IPC
 * dispatcher over them. The backend (Electron's utility process, the web shell's worker thread),
 * the CLI and the tests create a core here; domain modules never import this file.
 * No Electron import here or below.
 */
import fs from 'node:fs';
import { openDatabase, type Db } from '../store/db';
import { openStore, type StoreKeyGrant } from '../store/openStore';
import { leaveCheckpointsToWorker } from '../store/checkpoints';
import { keyMaterialForWorker } from '../store/cipher';
import type { EncryptStep } from '../store/encryptStore';
import type { Migration } from '../store/migrate';
import { ProfilesRepo } from '../store/repos/profiles';
import { SettingsRepo } from '../store/repos/settings';
import { AuditRepo } from '../store/repos/audit';
import type { SecretStore } from '../secrets/secretStore';
import { KeychainSecretStore } from '../secrets/keychain';
import { SessionOverlaySecretStore } from '../secrets/sessionOverlay';
import { storeIdentity } from '../store/storeIdentity';
import { EventBus } from './events';
import { createDispatcher, type Dispatch } from '../ipc/dispatcher';
import { allHandlers } from '../ipc/handlers';
import { writePolicy } from '../ipc/writePolicy';
import type { HandlerContext } from '../ipc/handlerTypes';
import type { Envelope } from '../../src-shared/ipc/channel';
import { isChannelName } from '../../src-shared/ipc/contract';
import type { EventMessage } from '../../src-shared/ipc/events';
import { WriteGate } from '../jobs/writeGate';
import { JobQueue } from '../jobs/queue';
import { InlineRunner } from '../jobs/inlineRunner';
import { ProcessRunner } from '../jobs/processRunner';
import { jobLitter } from '../jobs/litter';
import { wantsCleanProcess } from '../jobs/kinds';
import type { JobRunner } from '../jobs/types';
import { EmbeddedSandboxes } from '../sandboxRuntime/embedded';
import type { SandboxClock } from '../sandboxRuntime/clock';
import { Connections } from '../connections/connections';
import { apiObservations } from '../store/repos/apiObservations';
import { SyncService, type SyncServiceOptions } from '../sync/syncService';
import { IdentityService } from '../identity/identityService';
import { InsightsService, currentMeasures } from '../insights/service';
import { insightState, latestIdentityRun, type InsightStateRow } from '../insights/measures';
import { referenceDay } from '../insights/dates';
import { ExportService } from '../export/exportService';
import { Downloads, type DownloadEntry } from '../export/downloads';
import { RunsRepo } from '../reconcile/runs';
import { PushService, checkPendingAfterSync, type PushServiceOptions } from '../crmPush/pushService';
import type { RunInfo } from '../../src-shared/domain/reconcile';
import type { ReconcileJobInput } from '../jobs/types';
import { createJobServices } from './jobServices';
import { sandboxTokenFor } from '../sandboxRuntime/tokens';

export type Shell = HandlerContext['shell'];

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
  shell?: Shell;
  hooks?: ShellHooks;
  /** The shell host's bus, which outlives a core replaced by a restore. */
  events?: EventBus;
  /** Tests stop the process after a step of the plain → encrypted migration. */
  afterEncryptStep?: (step: EncryptStep) => void;
  /** Tests build a store as an earlier version left it (fewer migrations). */
  migrations?: Migration[];
  /**
   * Run long jobs in a process of their own from this bundled entry (out/main/jobHost.js, with
   * out/main/jobWorker.js beside it). Without it they run inline on the core's thread: the CLI,
   * and tests that are not about threads.
   */
  jobWorker?: { script: string; hardStopMs?: number; execArgv?: string[]; idleFoldMs?: number };
  sync?: SyncServiceOptions;
  push?: PushServiceOptions;
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

/** What a shell needs of the core, wherever the core runs (here, or behind a message port). */
export interface Backend {
  invoke(channel: string, input: unknown, shell?: Shell): Promise<Envelope<unknown>>;
  subscribe(listener: (message: EventMessage) => void): () => void;
  download(id: string): Promise<DownloadEntry | undefined>;
  close(): Promise<void>;
}

/** Reconciliation as the core offers it: runs as jobs, reports from the reader connection. */
export interface ReconcileFacade {
  readonly runs: RunsRepo;
  run(input: ReconcileJobInput): Promise<RunInfo>;
  isRunning(profileId: number): boolean;
  /** Stops the profile's running (or queued) reconciliation; false when none. */
  cancel(profileId: number): boolean;
}

export interface Core extends Backend {
  readonly dataDir: string;
  /** The core's connection: reads (WAL snapshots) and short writes under the gate. */
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
  readonly shell: Shell;
  readonly hooks: ShellHooks;
  readonly gate: WriteGate;
  readonly jobs: JobQueue;
  readonly sandboxes: EmbeddedSandboxes;
  readonly clock: SandboxClock;
  readonly connections: Connections;
  readonly sync: SyncService;
  readonly identity: IdentityService;
  readonly insights: InsightsService;
  readonly exports: ExportService;
  readonly reconcile: ReconcileFacade;
  readonly push: PushService;
  readonly downloads: Downloads;
}

export function createCore(opts: CoreOptions): Core {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const dataDir = opts.dataDir;
  const grant = opts.storeKey;
  const opened = openStore(dataDir, grant, { nativeBinding: opts.sqliteNativeBinding, afterEncryptStep: opts.afterEncryptStep, migrations: opts.migrations });
  const db = opened.db;
  const store: StoreInfo = { file: opened.file, encrypted: opened.encrypted, readOnly: opened.readOnly };
  // Every further connection (the job worker's, a report's) is keyed like the first, in one place.
  const openConnection = (o: { readonly?: boolean } = {}) =>
    openDatabase(opened.file, {
      key: opened.encrypted ? grant?.key : null,
      keyFrom: grant?.from,
      nativeBinding: opts.sqliteNativeBinding,
      readonly: o.readonly || !!opened.readOnly,
    });
  const profiles = new ProfilesRepo(db);
  const settings = new SettingsRepo(db);
  const audit = new AuditRepo(db);
  const events = opts.events ?? new EventBus();
  const gate = new WriteGate();
  // Tokens are this store's (its id names their keychain entries: secretStore.ts); sandbox tokens
  // are derived from the sandbox's seed in every process (sandboxRuntime/tokens.ts).
  const keychain = opts.secrets ?? new KeychainSecretStore();
  const storeId = storeIdentity(db);
  const sessionSecrets = new SessionOverlaySecretStore(storeId ? keychain.forStore(storeId) : keychain, (profileId, api) => sandboxTokenFor({ profiles, settings }, profileId, api));
  const secrets: SecretStore = sessionSecrets;
  const hooks = opts.hooks ?? {};
  const downloads = new Downloads();

  const sandboxes = new EmbeddedSandboxes({ db, profiles, settings, audit, events, shell: opts.shell ?? 'test', gate });
  // Late-bound: the sync owns the tuning, and the connections serve the sync.
  let sync!: SyncService;
  const connections = new Connections({
    profiles,
    secrets,
    sandboxes,
    tuning: () => sync.currentTuning(),
    observations: apiObservations(db),
    paceCeiling: (profileId) => sync.settings(profileId).paceCeilingPerSecond,
  });
  sync = new SyncService({ db, profiles, settings, audit, events, gate, connections }, opts.sync);

  let jobs!: JobQueue;
  const identity = new IdentityService({
    db,
    settings,
    audit,
    events,
    requestRebuild: (profileId, kind, o) => jobs.run('rebuild', { profileId, kind, fromScratch: o?.fromScratch }, { profileId }),
    requestDecision: (d) => jobs.run('conflicts', d, { profileId: d.profileId }),
  });

  // With a job worker, folding the write-ahead log into the file is the worker's alone: never on
  // this (the serving) thread's commits.
  if (opts.jobWorker) leaveCheckpointsToWorker(db);
  const runner: JobRunner = opts.jobWorker
    ? new ProcessRunner({
        script: opts.jobWorker.script,
        init: {
          worker: {
            dataDir,
            nativeBinding: opts.sqliteNativeBinding,
            logLevel: process.env.TWOFOLD_LOG_LEVEL,
            storeKey: opened.encrypted && grant ? keyMaterialForWorker(grant.key) : null,
            keyFrom: grant?.from,
            readonly: !!opened.readOnly,
            idleFoldMs: opts.jobWorker.idleFoldMs,
          },
          hardStopMs: opts.jobWorker.hardStopMs,
        },
        host: { secrets, sandboxes, clock: sandboxes, gate, events },
        execArgv: opts.jobWorker.execArgv,
        litter: jobLitter(dataDir),
        cleanProcessFor: (kind, input) => wantsCleanProcess(kind, input, identity),
      })
    : new InlineRunner(createJobServices({ db, dataDir, events, secrets, sandboxes, clock: sandboxes, identity, connections }), gate);
  jobs = new JobQueue(runner, events);
  if (runner instanceof ProcessRunner) runner.warm();

  const insights = new InsightsService({
    db,
    profiles,
    settings,
    events,
    // Stale measures are a job; the read waits for it without holding this thread. A store never
    // built has nothing to measure: it answers at once (a first sync holds the gate until it ends).
    measures: async (profileId, scoreDay) =>
      currentMeasures(db, profileId, scoreDay) ?? (latestIdentityRun(db, profileId) === null ? noMeasures(profileId, scoreDay) : jobs.run('measures', { profileId, asOf: scoreDay }, { profileId })),
    measuresNow: (profileId) => {
      const current = currentMeasures(db, profileId);
      if (current) return { state: current, updating: false };
      if (latestIdentityRun(db, profileId) === null) return { state: noMeasures(profileId), updating: false };
      // One refresh, however many reads ask meanwhile; a failure is the job's to report.
      if (!jobs.active(profileId, 'measures')) jobs.submit('measures', { profileId }, { profileId });
      return { state: insightState(db, profileId) ?? null, updating: true };
    },
  });
  const exports = new ExportService({ dataDir, jobs, downloads, measures: (profileId, day) => insights.measures(profileId, day), chooseSavePath: hooks.chooseSavePath });
  const reconcile: ReconcileFacade = {
    runs: new RunsRepo(db),
    run: (input) => jobs.run('reconcile', input, { profileId: input.profileId }),
    isRunning: (profileId) => !!jobs.active(profileId, 'reconcile'),
    cancel: (profileId) => jobs.cancelKind(profileId, 'reconcile') > 0,
  };
  const push = new PushService({ db, profiles, settings, audit, events, connections, clock: sandboxes, insights }, opts.push);

  // After every sync: the person store, then the insight measures, as jobs the Sync view shows
  // as its last step; then pending CRM+ submissions are checked.
  const offAfterSync = sync.onAfterSync(async (profileId, runId) => {
    try {
      await jobs.run('rebuild', { profileId, kind: 'refresh' }, { profileId, syncRunId: runId });
      const asOf = (await sandboxes.sandboxNow(profileId))?.toISOString().slice(0, 10);
      await jobs.run('measures', { profileId, asOf }, { profileId, syncRunId: runId });
    } catch (err) {
      events.emit('task.progress', { profileId, task: 'identity', step: 'refresh', current: 0, total: null, done: true, message: `Identity refresh failed: ${(err as Error).message}` });
      throw err;
    }
  });
  const offPush = checkPendingAfterSync(push, events, (fn) => gate.shared(fn));

  let dispatch: Dispatch | null = null;
  let closed = false;
  const core: Core = {
    dataDir,
    db,
    store,
    openConnection,
    profiles,
    settings,
    audit,
    secrets,
    sessionSecrets,
    events,
    shell: opts.shell ?? 'test',
    hooks,
    gate,
    jobs,
    sandboxes,
    clock: sandboxes,
    connections,
    sync,
    identity,
    insights,
    exports,
    reconcile,
    push,
    downloads,
    invoke(channel, input, shell) {
      dispatch ??= createDispatcher(allHandlers);
      const run = () => dispatch!(channel, input, { core, shell: shell ?? core.shell });
      return isChannelName(channel) && (writePolicy as Record<string, string | undefined>)[channel] === 'write' ? gate.shared(run) : run();
    },
    subscribe: (listener) => events.subscribe(listener),
    download: async (id) => downloads.get(id),
    async close() {
      if (closed) return;
      closed = true;
      offAfterSync();
      offPush();
      // Jobs first: a sync waiting on its follow-up rebuild is released by the rebuild's cancel.
      for (const step of [() => jobs.close(), () => sync.close(), () => sandboxes.close()]) {
        try {
          await step();
        } catch {
          /* closing is best effort; the database close below must still happen */
        }
      }
      db.close();
    },
  };
  return core;
}

/** The measures of a profile whose person store was never built: none yet. */
function noMeasures(profileId: number, scoreDay?: string): InsightStateRow {
  return { profile_id: profileId, refreshed_at: new Date().toISOString(), as_of: referenceDay(scoreDay), identity_run_id: null, persons: 0, by_flag: 0, by_check: 0, unverified: 0 };
}
