/** Messages between the core and its job worker (structured-clone safe). */
import type { JobKind } from '../../src-shared/domain/jobs';
import type { IpcErrorShape } from '../../src-shared/errors';
import type { EventMessage } from '../../src-shared/ipc/events';
import type { JobProgress } from './types';

/** What the worker needs to open the store and build its services. */
export interface WorkerInit {
  dataDir: string;
  /** Electron's own-ABI better-sqlite3 addon (see README: native modules). */
  nativeBinding?: string;
  logLevel?: string;
  /**
   * The store key's bytes, for the worker's own connection: in the memory of the job process and
   * its worker thread only, sent over their private channels (never in an argument, the
   * environment or a file). null for a plain store.
   */
  storeKey: Uint8Array | null;
  /** "the OS keychain" or "TWOFOLD_STORE_KEY", for messages. */
  keyFrom?: string;
  /** The store can only be read (its file or folder is read-only). */
  readonly?: boolean;
  /** How often the idle worker folds the write-ahead log into the file (store/checkpoints.ts). */
  idleFoldMs?: number;
  /**
   * Fold the log right after each job (default true). The identity bench turns it off and folds
   * (and times) it itself, so that a fold is not counted in the next job's time.
   */
  foldAfterJob?: boolean;
  /** A job that leaves the worker's JavaScript heap above this ends the worker (default RETIRE_ABOVE_HEAP_MB). */
  retireAboveHeapMb?: number;
  /**
   * A job that leaves the worker's process above this resident size ends the worker too (the job
   * process sets it, and ends with its worker; unset: no such limit).
   */
  retireAboveRssMb?: number;
  /** The smallest persons pass computed on a second thread (identity/personHelper.ts; default HELPER_MIN_CLUSTERS). */
  personHelperMinClusters?: number;
  /** The smallest store whose load of every record reads on a second connection (identity/mirrorReader.ts; default READER_MIN_RECORDS). */
  mirrorReaderMinRecords?: number;
}

/**
 * V8 keeps a finished job's garbage until something allocates again: after a million-person
 * rebuild an idle app held 2.5 GB for as long as it stayed open. A worker a job left above this
 * ends after it, which gives the memory back at once; a new one starts in a fraction of a second.
 * A fresh worker's heap is a few tens of MB; a rebuild that read a large part of a big store (a
 * first build, a new setting) leaves gigabytes.
 */
export const RETIRE_ABOVE_HEAP_MB = 256;

/**
 * A job process a job left above this resident size ends after it; the next job gets a new one
 * (processRunner.ts). What a big rebuild freed stays with the C allocator (SQLite's page cache
 * among it) and in V8's heap: a process that went on running jobs started the next large rebuild
 * with 0.4-0.6 GB already resident (identity bench, 1M: full recompute peak 1.13-1.23 GB); such a
 * job now gets a process no job has used anyway (wantsCleanProcess, kinds.ts). A rebuild after a
 * 1% sync at 1M leaves 0.6-0.7 GB (its 384 MB page cache, identity/rebuildCache.ts, stays with the
 * allocator) and keeps its process: the next such rebuild, in a process whose connection and
 * code are warm, is 0.2-0.5 s faster. At 640 MB every other one paid for a new process. An idle
 * process above RETIRE_IDLE_ABOVE_RSS_MB still ends after IDLE_RETIRE_MS.
 */
export const RETIRE_ABOVE_RSS_MB = 768;

/** An idle job process above this resident size ends after IDLE_RETIRE_MS without a job. */
export const RETIRE_IDLE_ABOVE_RSS_MB = 256;
export const IDLE_RETIRE_MS = 60_000;

/**
 * V8's semi-space (MB) where long jobs run: the job worker (its young generation is three of
 * them) and the processes the shells start (--max-semi-space-size). A rebuild makes millions of
 * short-lived values per phase; V8's default (16 MB) promotes them to the old generation, where
 * every major collection walks them again (~12% of a 1M-person rebuild). 64 MB cost as much time
 * as 32 MB and was 65-160 MB more of a million-person rebuild's peak (identity bench, 1M plain:
 * first build 1,092 -> 929 MB, full recompute 1,246 / 1,253 -> 1,206 / 1,201 MB, times within noise).
 * scripts/start.js, scripts/bench.js, package.json and the responsiveness bench say the same.
 */
export const SEMI_SPACE_MB = 32;

/** The core answers these for a job (the worker has no keychain, no sandbox servers, no gate). */
export interface HostCalls {
  'secrets.get': { args: [profileId: number, api: 'vomo' | 'crm' | 'raise']; result: string | null };
  'sandboxes.prepare': { args: [profileId: number]; result: void };
  'clock.sandboxNow': { args: [profileId: number, start: boolean]; result: string | null };
  'gate.acquire': { args: []; result: void };
  'gate.release': { args: []; result: void };
}
export type HostMethod = keyof HostCalls;

export type ToWorker =
  | { type: 'run'; jobId: number; kind: JobKind; input: unknown; flag: Int32Array }
  | { type: 'cancel'; jobId: number }
  | { type: 'host.result'; callId: number; ok: true; value: unknown }
  | { type: 'host.result'; callId: number; ok: false; error: IpcErrorShape };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'progress'; jobId: number; progress: JobProgress }
  | { type: 'event'; message: EventMessage }
  // retiring: the job left this worker's heap above WorkerInit.retireAboveHeapMb; it ends now
  // (send it nothing more) and the next job needs a new worker.
  | { type: 'done'; jobId: number; output: unknown; retiring: boolean }
  | { type: 'failed'; jobId: number; error: IpcErrorShape; retiring: boolean }
  | { type: 'host'; callId: number; method: HostMethod; args: unknown[] };

/** What the job process needs: its worker's init, and how its worker runner runs. */
export interface JobProcessInit {
  worker: WorkerInit;
  hardStopMs?: number;
  /** A job that leaves the process above this resident size ends it (default RETIRE_ABOVE_RSS_MB). */
  retireAboveRssMb?: number;
  /** An idle process above idleRetireAboveRssMb (default RETIRE_IDLE_ABOVE_RSS_MB) ends after idleRetireMs without a job (default IDLE_RETIRE_MS). */
  idleRetireMs?: number;
  idleRetireAboveRssMb?: number;
}

/** What a job cost its process (logged; the identity bench reports it). */
export interface JobUsage {
  /** CPU time (user + system) of the process while the job ran. */
  cpuMs: number;
  /** Of it, in the kernel: on a machine where memory is slow to fault in, most of it is that. */
  systemMs: number;
  /** Pages the process faulted in while the job ran (first touches of memory it had not used or had given back). */
  minorFaults: number;
  /** The process's peak resident size since it started: the job's, or an earlier small job's. */
  peakRssMb: number;
}

/** Messages between the core and its job process (jobHost.ts), over the process's IPC channel. */
export type ToJobProcess =
  | { type: 'init'; init: JobProcessInit }
  | { type: 'run'; jobId: number; kind: JobKind; input: unknown }
  | { type: 'cancel'; jobId: number }
  // End now (between jobs): the next job wants a process no job has used.
  | { type: 'end' }
  | { type: 'host.result'; callId: number; ok: true; value: unknown }
  | { type: 'host.result'; callId: number; ok: false; error: IpcErrorShape };

export type FromJobProcess =
  | { type: 'ready' }
  // Idle and large for IDLE_RETIRE_MS: it ends now; send it nothing more.
  | { type: 'ending' }
  | { type: 'fatal'; message: string }
  | { type: 'progress'; jobId: number; progress: JobProgress }
  | { type: 'event'; message: EventMessage }
  // retiring: the process ends after this job (send it nothing more).
  | { type: 'done'; jobId: number; output: unknown; retiring: boolean; usage: JobUsage }
  | { type: 'failed'; jobId: number; error: IpcErrorShape; retiring: boolean; usage: JobUsage }
  | { type: 'host'; callId: number; method: HostMethod; args: unknown[] };
