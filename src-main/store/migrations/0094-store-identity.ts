import { randomBytes } from 'node:crypto';
import type { Migration } from '../migrate';

/**
 * store_identity: one random id per store, made when the store is created (or first opened by this
 * version) and kept for its life; a backup carries it as the store's own. API tokens are kept in
 * the OS keychain under it (secrets/secretStore.ts): under the profile's number alone, two data
 * folders on one machine (a second --data-dir, a test organization beside the real one) read and
 * overwrote each other's tokens, and one folder could sync with the other organization's.
 */
export const migration: Migration = {
  id: 94,
  name: 'store: an identity of its own, which its keychain entries are named by',
  up(db) {
    db.exec(`CREATE TABLE store_identity (
      only INTEGER PRIMARY KEY CHECK (only = 1),
      id TEXT NOT NULL,
      created_at TEXT NOT NULL
    );`);
    db.prepare(`INSERT INTO store_identity (only, id, created_at) VALUES (1, ?, ?)`).run(randomBytes(16).toString('hex'), new Date().toISOString());
  },
};
