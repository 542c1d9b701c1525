/**
 * The page cache a rebuild runs with, phase by phase (KiB; negative cache_size means KiB).
 *
 * A rebuild touches the same persons, links and lineage pages in several phases; on an encrypted
 * store each page that falls out of the connection's 64 MB cache is read, decrypted and verified
 * again, so the rebuild runs with a larger one (REBUILD_CACHE_KIB). A join that streams everyone
 * (a first build, a new setting) reads each record, writes each person and each link once, in
 * order: a large cache holds nothing it reads again, and at a million persons it was 0.2-0.3 GB of
 * the process at the join's peak. That join runs with a small one and the phases after it get the
 * rebuild's size back.
 */
import type { Db } from '../store/db';

export const REBUILD_CACHE_KIB = 262_144;
export const STREAMING_JOIN_CACHE_KIB = 32_768;

export function setCacheKib(db: Db, kib: number): void {
  db.pragma(`cache_size = -${kib}`);
}
