import type { Db } from './db';

/**
 * The store's own id (migration 0094), or null where it has none: a read-only store that an older
 * version made cannot be given one.
 */
export function storeIdentity(db: Db): string | null {
  const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'store_identity'`).get();
  if (!table) return null;
  return (db.prepare(`SELECT id FROM store_identity WHERE only = 1`).pluck().get() as string | undefined) ?? null;
}
