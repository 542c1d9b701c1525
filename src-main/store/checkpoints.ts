/**
 * Who folds the write-ahead log into the store file. By default SQLite does it inside the commit
 * that takes the log past 1,000 pages, on whatever thread committed. When the core has a job
 * worker, that must never be the serving thread (a rebuild's log at 1M persons takes seconds to
 * fold, and on an encrypted store every page is decrypted and encrypted again), nor the job's own
 * commit (the steward waits for the job's result, not for the fold): the worker folds the log
 * after each job and whenever it is idle, and no other connection does.
 */
import type { Db } from './db';

/** This connection leaves folding the log to the job worker. */
export function leaveCheckpointsToWorker(db: Db): void {
  if (!db.readonly) db.pragma('wal_autocheckpoint = 0');
}

/**
 * Folds what the log holds into the file, without waiting for readers (a reader's snapshot keeps
 * the frames it needs; the rest are copied). Returns the log's frames and how many are now in the file.
 */
export function foldLog(db: Db): { frames: number; folded: number } {
  if (db.readonly) return { frames: 0, folded: 0 };
  const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
  return { frames: Math.max(0, r?.log ?? 0), folded: Math.max(0, r?.checkpointed ?? 0) };
}
