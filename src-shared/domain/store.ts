/** The store as the steward sees it: open or not and why, backups and what they hold. */
import { z } from 'zod';

export const StoreProblem = z.enum(['missing-key', 'wrong-key', 'damaged', 'keychain', 'busy', 'read-only', 'newer', 'disk-full']);
export type StoreProblem = z.infer<typeof StoreProblem>;

export const BackupSummary = z.object({
  /** When the backup was made, and by which Twofold. */
  createdAt: z.string().nullable(),
  appVersion: z.string().nullable(),
  schemaVersion: z.number().nullable(),
  sizeBytes: z.number(),
  profiles: z.array(
    z.object({
      name: z.string(),
      isSandbox: z.boolean(),
      persons: z.number(),
      lastSyncAt: z.string().nullable(),
      /** The steward's decisions: same / not-same verdicts, merges, resolved or dismissed conflicts. */
      verdicts: z.number(),
      merges: z.number(),
      resolvedConflicts: z.number(),
    }),
  ),
  auditEntries: z.number(),
  /** Always false: API tokens live in the OS keychain, never in the store. */
  tokensIncluded: z.literal(false),
});
export type BackupSummary = z.infer<typeof BackupSummary>;

export const StoreJob = z.object({
  id: z.string(),
  kind: z.enum(['backup', 'restore']),
  phase: z.enum(['running', 'done', 'failed', 'cancelled']),
  /** The backup file (written or read). */
  file: z.string(),
  bytes: z.number(),
  totalBytes: z.number(),
  message: z.string().nullable(),
  summary: BackupSummary.nullable(),
  /** After a restore: where the store that was there before was kept. */
  previousStore: z.string().nullable(),
});
export type StoreJob = z.infer<typeof StoreJob>;

export const StoreStatus = z.object({
  state: z.enum(['open', 'unavailable', 'restoring']),
  dataDir: z.string(),
  file: z.string(),
  encrypted: z.boolean(),
  /** Why only reads work, or null. */
  readOnly: z.string().nullable(),
  /** Where the key comes from: "the OS keychain" or "TWOFOLD_STORE_KEY". */
  keySource: z.string(),
  problem: StoreProblem.nullable(),
  /** The steward-facing explanation when the store is unavailable (names the file and the ways out). */
  message: z.string().nullable(),
  /** Whether restoring a backup or starting a new store are the ways out. */
  recoverable: z.boolean(),
  /** Where backups go unless the steward picks another place. */
  backupFolder: z.string(),
  job: StoreJob.nullable(),
});
export type StoreStatus = z.infer<typeof StoreStatus>;

export const ExportFile = z.object({
  exportId: z.number(),
  createdAt: z.string(),
  list: z.string(),
  rowCount: z.number(),
  /** Where the CSV was written (unencrypted). */
  filePath: z.string(),
  bytes: z.number(),
});
export type ExportFile = z.infer<typeof ExportFile>;
