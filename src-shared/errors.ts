import { z } from 'zod';

/**
 * The closed set of error codes that may cross the IPC boundary. A message travels with each
 * code, written for the steward; stacks, SQL and secrets never do.
 */
export const ErrorCode = z.enum([
  'VALIDATION', // the input did not match the channel's schema
  'UNKNOWN_CHANNEL',
  'NOT_FOUND',
  'CONFLICT', // e.g. a profile name already taken, a sync already running
  'BAD_INPUT', // valid shape, but not acceptable (a bad URL, a bad file path)
  'KEYCHAIN_UNAVAILABLE',
  'TOKEN_MISSING',
  'UNAUTHENTICATED', // a remote API refused the token
  'RATE_LIMITED',
  'NETWORK', // a remote API could not be reached or kept failing
  'REMOTE_ERROR', // a remote API answered with an error we could not recover from
  'CANCELLED',
  'DELETIONS_HELD', // a full sync would have marked more records deleted than allowed at once; nothing was marked
  'STORE_UNAVAILABLE', // the store file can't be opened (missing or wrong key, damaged, in use); the message names the file and the ways out
  'STORE_READ_ONLY', // the store file is read-only: reading works, this call needed to write
  'STORE_DISK_FULL', // the store's disk is full: the write that ran out of room was undone, reading works
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const IpcErrorShape = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Field-level problems for VALIDATION, e.g. [{ path: 'name', message: 'Required' }]. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type IpcErrorShape = z.infer<typeof IpcErrorShape>;

/** Thrown by main-process code to send a specific code and steward-facing message. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'AppError';
  }

  toShape(): IpcErrorShape {
    return { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) };
  }
}

/** Thrown on the renderer side when a call comes back with an error envelope. */
export class IpcError extends Error {
  readonly code: ErrorCode;
  readonly issues?: { path: string; message: string }[];
  constructor(shape: IpcErrorShape) {
    super(shape.message);
    this.name = 'IpcError';
    this.code = shape.code;
    this.issues = shape.issues;
  }
}
