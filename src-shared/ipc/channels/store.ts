/**
 * The store itself: whether it is open, backups and restores, starting a new store. These are
 * answered by the shell's host even when the store can't be opened (a lost key, a damaged file),
 * so the app can show why and offer the ways out. No channel here (or anywhere) returns a key.
 */
import { z } from 'zod';
import { channel, EmptyInput, OkOutput } from '../channel';
import { BackupSummary, StoreJob, StoreStatus } from '../../domain/store';

const Passphrase = z.string().min(1).max(1024);
const FilePath = z.string().trim().min(1).max(4096);

export const storeChannels = {
  'store.status': channel(EmptyInput, StoreStatus),
  /** Sets the unopenable store aside (kept, renamed, never deleted) and starts an empty one. */
  'store.startNew': channel(z.object({ confirm: z.literal(true) }), z.object({ keptAs: z.string().nullable() })),
  /** Starts a backup to `file` (default: a dated file in the backup folder); progress comes as store.job events. */
  'backup.create': channel(z.object({ file: FilePath.optional(), passphrase: Passphrase, overwrite: z.boolean().default(false) }), StoreJob),
  /** What a backup holds, read with its passphrase; nothing is changed. */
  'backup.preview': channel(z.object({ file: FilePath, passphrase: Passphrase }), BackupSummary),
  /** Replaces the store with the backup (the current store is kept aside); progress comes as store.job events. */
  'backup.restore': channel(z.object({ file: FilePath, passphrase: Passphrase, confirm: z.literal(true) }), StoreJob),
  'backup.cancel': channel(z.object({ jobId: z.string() }), OkOutput),
  /** Electron's save / open dialog for a backup file; null when cancelled or in the web shell. */
  'backup.choosePath': channel(z.object({ purpose: z.enum(['save', 'open']), defaultPath: z.string().optional() }), z.object({ path: z.string().nullable() })),
};
