/**
 * The store's encryption: SQLCipher 4 settings (SQLite3MultipleCiphers' "sqlcipher" scheme,
 * legacy=4: AES-256-CBC with a fresh random IV at every page write, 4096-byte pages) under a
 * random 256-bit raw key. A raw key skips SQLCipher's PBKDF2 (the key is random, not a
 * password), so opening a connection costs nothing extra.
 *
 * Two profiles, both plain SQLCipher settings (a file opens in SQLCipher itself with
 * `cipher_compatibility = 4` and, for the first, `cipher_use_hmac = OFF`):
 *   'no-page-mac'  the store on this computer. Confidentiality is the threat a lost laptop
 *                  poses, and AES-256 gives it; the per-page HMAC-SHA512 SQLCipher adds by
 *                  default only detects a page altered on disk, which needs someone who can
 *                  already write to the steward's disk (the same reason full-disk encryption,
 *                  FileVault, BitLocker and LUKS, use unauthenticated AES-XTS). It cost 85% of
 *                  the encryption's price: a million-person rebuild after a 1% sync reads ~500,000
 *                  pages scattered over the store, ~9 µs of HMAC each (measured: 10.3 s with it,
 *                  6.5 s without, 4.2 s unencrypted).
 *   'page-mac'     HMAC-SHA512 per page: backups (a file that travels, written once, where a
 *                  wrong passphrase and any altered byte are refused), and stores written
 *                  before this profile existed, which are re-encrypted once (openStore.ts).
 *
 * Rules:
 * - `keyConnection` is the one place a connection is keyed; every connection to a store (the
 *   app's, a second one for long jobs, the backup worker's) goes through it or through
 *   `applyCipherPragmas`.
 * - The key bytes live in a `StoreKey` and only this module reads them: nothing that holds a
 *   StoreKey can print, log or serialise the key by accident (it has no enumerable fields and
 *   its toJSON/inspect say "[store key]").
 * - A store file's first 16 bytes are its SQLCipher salt, kept in clear by the format and fixed
 *   for the file's life; it names the file's key in the keychain (see storeKeys.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type Database from 'better-sqlite3-multiple-ciphers';
import { registerSecret } from '../core/log';

const bytesOf = new WeakMap<StoreKey, Buffer>();

export type CipherProfile = 'no-page-mac' | 'page-mac';
/** What a store is written with, and what a backup is written with. */
export const STORE_CIPHER: CipherProfile = 'no-page-mac';
export const BACKUP_CIPHER: CipherProfile = 'page-mac';
/** The order an existing file's profile is tried in: the current one first. */
export const CIPHER_PROFILES: readonly CipherProfile[] = ['no-page-mac', 'page-mac'];

export const KEY_BYTES = 32;
export const SALT_BYTES = 16;

export class StoreKey {
  private constructor(bytes: Buffer) {
    bytesOf.set(this, Buffer.from(bytes));
    // A key that reached a log line by any path is masked there.
    registerSecret(bytes.toString('hex'));
    registerSecret(bytes.toString('base64'));
  }
  static random(): StoreKey {
    return new StoreKey(crypto.randomBytes(KEY_BYTES));
  }
  static fromBytes(bytes: Buffer): StoreKey {
    if (bytes.length !== KEY_BYTES) throw new Error(`a store key is ${KEY_BYTES} bytes`);
    return new StoreKey(bytes);
  }
  /** 64 hex characters (TWOFOLD_STORE_KEY, the keychain entry); anything else is refused. */
  static fromHex(hex: string): StoreKey | null {
    const t = hex.trim();
    return /^[0-9a-fA-F]{64}$/.test(t) ? new StoreKey(Buffer.from(t, 'hex')) : null;
  }
  equals(other: StoreKey): boolean {
    return crypto.timingSafeEqual(bytesOf.get(this)!, bytesOf.get(other)!);
  }
  toJSON(): string {
    return '[store key]';
  }
  toString(): string {
    return '[store key]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[store key]';
  }
}

/** For the keychain entry and TWOFOLD_STORE_KEY only. */
export function storeKeyHex(key: StoreKey): string {
  return bytesOf.get(key)!.toString('hex');
}

/**
 * The raw-key value: <key> or, when creating or re-keying a file, <key><salt>, so the new
 * file's salt is the one we chose (and recorded the key under) before writing it.
 */
function rawKeyHex(key: StoreKey | Buffer, salt?: Buffer): string {
  const k = Buffer.isBuffer(key) ? key : bytesOf.get(key)!;
  return k.toString('hex') + (salt ? salt.toString('hex') : '');
}

/**
 * The cipher settings and the key, as pragmas. Self-contained on purpose (no imports, no outer
 * names): the backup/restore worker thread runs this same function from its source text, so
 * there is one definition of how a store connection is keyed. Before `rekey` the settings
 * are those the file is re-encrypted with (a profile can change with the key).
 */
export function applyCipherPragmas(db: { pragma(source: string): unknown }, rawHex: string, op: 'key' | 'rekey', profile: 'no-page-mac' | 'page-mac'): void {
  db.pragma("cipher = 'sqlcipher'");
  db.pragma('legacy = 4');
  // After `legacy`, which resets the scheme's settings to SQLCipher 4's defaults (HMAC on).
  db.pragma('hmac_use = ' + (profile === 'page-mac' ? '1' : '0'));
  db.pragma(op + " = \"x'" + rawHex + "'\"");
}

/** Keys a fresh connection. Must run before anything reads the file. */
export function keyConnection(db: Database.Database, key: StoreKey | Buffer, salt?: Buffer, profile: CipherProfile = STORE_CIPHER): void {
  applyCipherPragmas(db, rawKeyHex(key, salt), 'key', profile);
}

/**
 * Re-encrypts the whole file under another key and/or profile (or encrypts a plain one).
 * SQLite3MC refuses this in WAL mode, so callers switch the file to a rollback journal first.
 */
export function rekeyConnection(db: Database.Database, key: StoreKey | Buffer, salt: Buffer, profile: CipherProfile = STORE_CIPHER): void {
  applyCipherPragmas(db, rawKeyHex(key, salt), 'rekey', profile);
}

/** What the backup/restore worker needs to key its own connection (worker memory only). */
export function keyMaterialForWorker(key: StoreKey): Buffer {
  return Buffer.from(bytesOf.get(key)!);
}

export const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** The first 16 bytes of a file: the SQLCipher salt of an encrypted store. */
export function readHead(file: string): Buffer | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(SALT_BYTES);
    const n = fs.readSync(fd, buf, 0, SALT_BYTES, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

export function randomSalt(): Buffer {
  // The salt is read back from the file's head to find its key, so it must never look like a
  // plain SQLite header (a 1 in 2^128 chance, excluded anyway).
  for (;;) {
    const s = crypto.randomBytes(SALT_BYTES);
    if (!s.equals(SQLITE_HEADER)) return s;
  }
}
