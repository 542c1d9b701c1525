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
   * The store key's bytes, for the worker's own connection (worker memory only: the worker is a
   * thread of the process that already holds the key). null for a plain store.
   */
  storeKey: Uint8Array | null;
  /** "the OS keychain" or "TWOFOLD_STORE_KEY", for messages. */
  keyFrom?: string;
  /** The store can only be read (its file or folder is read-only). */
  readonly?: boolean;
  /** How often the idle worker folds the write-ahead log into the file (store/checkpoints.ts). */
  idleFoldMs?: number;
  /** A job that leaves the worker's JavaScript heap above this ends the worker (default RETIRE_ABOVE_HEAP_MB). */
  retireAboveHeapMb?: number;
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
