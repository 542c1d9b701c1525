/**
 * The long jobs: each kind's input and output, and what a job may use while it runs. The same
 * implementations (kinds.ts) run in the worker thread (the app) and inline (the CLI).
 */
import type { JobKind } from '../../src-shared/domain/jobs';
import type { RebuildSummary } from '../../src-shared/domain/identity';
import type { ExportRequest, ExportResult } from '../../src-shared/domain/insights';
import type { RunInfo } from '../../src-shared/domain/reconcile';
import type { InsightStateRow } from '../insights/measures';
import type { RunInput } from '../reconcile/service';
import type { ConflictDecision } from '../identity/identityService';
import type { FindingsCsvInput } from '../reconcile/csv';
import type { FixListInput } from '../identity/fixLists';
import type { CancelToken } from './cancel';

export interface RebuildJobInput {
  profileId: number;
  kind: 'rebuild' | 'refresh' | 'settings';
  fromScratch?: boolean;
}

export interface MeasuresJobInput {
  profileId: number;
  /** The reference day of the engagement score (YYYY-MM-DD or an instant); default today. */
  asOf?: string;
  /** Recompute even when the measures are current ("Refresh now"). */
  force?: boolean;
}

export interface ExportJobInput {
  request: ExportRequest;
  /** The checked file to write (a chosen path, or a download's file under the data folder). */
  target: string;
  destination: 'file' | 'download';
  /** The scratch database's schema name (its file sits in the exports folder): known to the core, so a stopped worker's litter can be removed. */
  scratchName: string;
  downloadId: string | null;
}

export type ReconcileJobInput = Omit<RunInput, 'signal'>;

export type ConflictsJobInput = ConflictDecision;

export interface JobSpecs {
  rebuild: { input: RebuildJobInput; output: RebuildSummary };
  measures: { input: MeasuresJobInput; output: InsightStateRow };
  export: { input: ExportJobInput; output: ExportResult };
  reconcile: { input: ReconcileJobInput; output: RunInfo };
  conflicts: { input: ConflictsJobInput; output: { updated: number } };
  findingsCsv: { input: FindingsCsvInput; output: { rows: number } };
  fixList: { input: FixListInput; output: { rows: number } };
}
export type JobInput<K extends JobKind> = JobSpecs[K]['input'];
export type JobOutput<K extends JobKind> = JobSpecs[K]['output'];

export interface JobProgress {
  step: string;
  done: number;
  total: number | null;
  message?: string | null;
}

/** What a running job may use besides its services. */
export interface JobContext {
  readonly token: CancelToken;
  progress(p: JobProgress): void;
  /** Holds the write gate exclusively around a long transaction (see writeGate.ts). */
  exclusive<T>(fn: () => T | Promise<T>): Promise<T>;
  /** True in the worker: the job owns its connection, so a transaction may span awaits. */
  readonly dedicatedConnection: boolean;
}

/** One job handed to a runner. */
export interface RunnableJob<K extends JobKind = JobKind> {
  id: number;
  kind: K;
  input: JobInput<K>;
  token: CancelToken;
  onProgress(p: JobProgress): void;
}

/** Where jobs execute: the job process (ProcessRunner), a worker thread (WorkerRunner, inside it) or the calling thread (InlineRunner). */
export interface JobRunner {
  run<K extends JobKind>(job: RunnableJob<K>): Promise<JobOutput<K>>;
  /** Asks the running job to stop; a runner may also stop it harder when it does not. */
  cancel(jobId: number): void;
  close(): Promise<void>;
}
