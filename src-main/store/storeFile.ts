/**
 * What is on disk before anything opens it: no store yet, a plain SQLite file (made before
 * encryption), or an encrypted one (or bytes that are not a store at all — only a key can tell).
 * Looking never writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readHead, SALT_BYTES, SQLITE_HEADER } from './cipher';

export type StoreFileState =
  | { kind: 'none' }
  | { kind: 'plain' }
  /** `salt` is the file's first 16 bytes, which name its key. */
  | { kind: 'encrypted'; salt: Buffer };

export function inspectStoreFile(file: string): StoreFileState {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return { kind: 'none' };
  }
  // An empty file holds nothing (SQLite makes one when a first start dies before its first
  // write), unless a write-ahead log beside it holds the pages.
  if (size === 0 && fileSize(`${file}-wal`) === 0) return { kind: 'none' };
  const head = readHead(file) ?? Buffer.alloc(0);
  if (head.length === SALT_BYTES && head.equals(SQLITE_HEADER)) return { kind: 'plain' };
  return { kind: 'encrypted', salt: head };
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * Why the store can only be read, or null when it can be written. The owner's write bit counts
 * even for root (who may write anything): a steward who marks the file read-only means it.
 */
export function readOnlyReason(file: string): string | null {
  try {
    fs.accessSync(file, fs.constants.W_OK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return 'the file is not writable';
  }
  if ((fs.statSync(file).mode & 0o200) === 0) return 'the file is marked read-only';
  try {
    fs.accessSync(path.dirname(file), fs.constants.W_OK);
  } catch {
    return 'its folder is not writable';
  }
  return null;
}

/** The files SQLite keeps beside a store (write-ahead log, shared memory, rollback journal). */
export function sidecars(file: string): string[] {
  return [`${file}-wal`, `${file}-shm`, `${file}-journal`];
}

/** fsync a file or a folder (a rename is durable once its folder is synced). Best effort on Windows. */
export function fsyncPath(p: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(p, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* folders can't be opened for sync on Windows; the rename is still atomic there */
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/**
 * Moves a store (and its sidecars) out of the way under a dated name beside it; returns the new
 * path. Used when a steward starts a new store or restores over one: the old file is never
 * deleted. The main file goes first; sidecars left behind by a kill in between are moved aside
 * by `setAsideOrphans` before a new store is created, so a new file never adopts an old log.
 */
export function setAside(file: string, why: string, now = new Date()): string | null {
  if (!fs.existsSync(file)) return null;
  const target = freeName(`${file}.${why}-${stamp(now)}`);
  fs.renameSync(file, target);
  for (const s of sidecars(file)) if (fs.existsSync(s)) fs.renameSync(s, target + s.slice(file.length));
  fsyncPath(path.dirname(file));
  return target;
}

/** Sidecars with no store beside them (a kill between the renames above): kept, renamed. */
export function setAsideOrphans(file: string, now = new Date()): string[] {
  if (fs.existsSync(file)) return [];
  const moved: string[] = [];
  for (const s of sidecars(file)) {
    if (!fs.existsSync(s)) continue;
    const target = freeName(`${s}.orphan-${stamp(now)}`);
    fs.renameSync(s, target);
    moved.push(target);
  }
  return moved;
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

function freeName(base: string): string {
  let target = base;
  for (let i = 2; fs.existsSync(target); i++) target = `${base}-${i}`;
  return target;
}

/**
 * Puts `replacement` where the store is, in one rename. The store that was there (if any) is
 * kept under a dated name first — a hard link, so the store stays whole at its path until the
 * rename replaces it — and its sidecars go with it, so the new file never adopts an old log.
 * Returns where the old store was kept, or null.
 */
export function replaceStoreFile(file: string, replacement: string, why: string, now = new Date()): string | null {
  let aside: string | null = null;
  if (fs.existsSync(file)) {
    aside = freeName(`${file}.${why}-${stamp(now)}`);
    try {
      fs.linkSync(file, aside);
    } catch {
      fs.copyFileSync(file, aside);
    }
  }
  for (const s of sidecars(file)) {
    if (!fs.existsSync(s)) continue;
    fs.renameSync(s, aside ? aside + s.slice(file.length) : freeName(`${s}.orphan-${stamp(now)}`));
  }
  fs.renameSync(replacement, file);
  fsyncPath(path.dirname(file));
  return aside;
}
