/**
 * What the steward is told when the store can't be used, in one place so the CLI line, the
 * app's "store unavailable" screen and the IPC error say the same thing. Rules: every message
 * names the file, says the file was left as it is, and names the ways out; none suggests
 * deleting anything.
 */
import { AppError } from '../../src-shared/errors';

export type StoreProblem =
  /** The file is encrypted and no key for it was found (keychain reset, another account or computer). */
  | 'missing-key'
  /** A key was found (TWOFOLD_STORE_KEY, or the keychain entry) and it does not open the file. */
  | 'wrong-key'
  /** SQLite reads the file but it is damaged (truncated, overwritten). */
  | 'damaged'
  /** The OS keychain that holds the key can't be reached. */
  | 'keychain'
  /** Another Twofold process holds the store while it must be changed exclusively (first encryption). */
  | 'busy'
  /** The store is read-only and needs a write to be opened (first encryption, a schema upgrade). */
  | 'read-only'
  /** A newer Twofold wrote it. */
  | 'newer'
  /** The disk has no room for a change the store needs before it opens (its first encryption). */
  | 'disk-full';

export const WAYS_OUT =
  'Ways out: restore a backup (twofold restore <backup file>, or Restore a backup in the app), or start a new store (twofold store new, or Start a new store in the app); the current file is kept aside, never deleted.';

export class StoreError extends AppError {
  constructor(
    readonly problem: StoreProblem,
    readonly file: string,
    message: string,
  ) {
    super('STORE_UNAVAILABLE', message);
    this.name = 'StoreError';
  }
  /** Whether "restore a backup" and "start a new store" are the ways out (not for a locked keychain or a busy file). */
  get recoverable(): boolean {
    return this.problem === 'missing-key' || this.problem === 'wrong-key' || this.problem === 'damaged';
  }
}

export function missingKey(file: string, where: string): StoreError {
  return new StoreError(
    'missing-key',
    file,
    `Twofold cannot open the store ${file}: it is encrypted and its key is not in ${where}. The key is lost when the keychain is reset or this is another user account or computer (or the file is not a Twofold store at all). The file was left as it is. ${WAYS_OUT}`,
  );
}

export function wrongKey(file: string, where: string): StoreError {
  return new StoreError(
    'wrong-key',
    file,
    `The key from ${where} does not open the store ${file}: either it is not this file's key or the file is damaged. The file was left as it is. ${WAYS_OUT}`,
  );
}

export function damaged(file: string, detail: string): StoreError {
  return new StoreError(
    'damaged',
    file,
    `The store ${file} is damaged (${detail}); Twofold stopped without changing it. ${WAYS_OUT}`,
  );
}

export function keychainUnavailable(file: string, reason: string): StoreError {
  return new StoreError(
    'keychain',
    file,
    `The key of the store ${file} is kept in the OS keychain, which can't be reached: ${reason.replace(/,? or use TWOFOLD_\*_TOKEN with the CLI/, '')} The command line can also take the store's key from TWOFOLD_STORE_KEY.`,
  );
}

export function busy(file: string, what = 'encrypted once'): StoreError {
  return new StoreError(
    'busy',
    file,
    `The store ${file} is open in another Twofold (the app or a command) while it must be ${what}; close the other one and try again. Nothing was changed.`,
  );
}

export function readOnlyNeedsWrite(file: string, what: string): StoreError {
  return new StoreError('read-only', file, `The store ${file} is read-only and ${what}, which writes to it. Make the file writable (chmod u+w "${file}") and start again.`);
}

/** The disk is full: the OS's ENOSPC, or SQLite's SQLITE_FULL. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 'ENOSPC' || (typeof code === 'string' && code.startsWith('SQLITE_FULL'));
}

export function diskFull(file: string, what: string, bytesNeeded: number): StoreError {
  const gb = Math.max(0.1, Math.round(bytesNeeded / 1e8) / 10);
  return new StoreError(
    'disk-full',
    file,
    `The disk holding the store ${file} is full: it must be ${what}, which needs about ${gb} GB free beside it (the store's own size). Free some space and start again. Nothing was changed.`,
  );
}

export function newer(file: string, detail: string): StoreError {
  return new StoreError('newer', file, `The store ${file} cannot be opened: ${detail}`);
}

/** The message of a write refused because the store is read-only (reports still work). */
export function readOnlyWrite(file: string): AppError {
  return new AppError(
    'STORE_READ_ONLY',
    `The store ${file} is read-only, so this can't be saved; reports still work. Make the file writable (chmod u+w "${file}") to change it.`,
  );
}

/** SQLite's "can't write" codes: the file, its folder or its journal is read-only. */
export function isReadOnlyError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_READONLY');
}

/**
 * The message of a write the store's disk had no room for (SQLite's SQLITE_FULL, from a sync, a
 * rebuild, a merge...). SQLite undoes the transaction that ran out of room; what earlier
 * transactions saved (a sync's earlier pages) is kept, and reading still works.
 */
export function diskFullWrite(file: string): AppError {
  return new AppError(
    'STORE_DISK_FULL',
    `The disk holding the store ${file} is full, so this could not be finished: the write that ran out of room was undone, and what was saved before it is kept. Free some space and try again; reports still work.`,
  );
}

/** SQLite's own "no room" code: the store's disk (or its size limit) is full. Not ENOSPC from other files, such as an export's. */
function isStoreFull(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_FULL');
}

/** A write the store refused for want of permission or room, said as such (naming the file); anything else as it was. */
export function storeWriteError(err: unknown, file: string): unknown {
  if (isReadOnlyError(err)) return readOnlyWrite(file);
  if (isStoreFull(err)) return diskFullWrite(file);
  return err;
}
