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
 *
 * A join that follows a sync's records through the store holds only those in its heap, and it
 * dirties more pages than a 256 MB cache holds at a million persons: after a 1% sync, 78,000
 * (persons and their indexes, links, the node cache, lineage). From 90% of the cache SQLite spills
 * the oldest dirty pages to the log mid-transaction and drops clean ones that the later phases
 * (lineage, conflicts, split candidates) then read again: 254,000 reads in all, each decrypted on
 * an encrypted store. In 384 MB (SCOPED_REBUILD_CACHE_KIB) nothing spills and 223,000 are read
 * (identity bench, 1M, after a 1% sync: 3.36-3.57 -> 3.28-3.51 s plain, 4.20-4.25 -> 3.86-4.05 s
 * encrypted). 512 MB read less still, but the process then holds more than the job process keeps
 * between jobs (jobs/protocol.ts), so every next rebuild paid for a new process.
 */
import type { Db } from '../store/db';

export const REBUILD_CACHE_KIB = 262_144;
export const SCOPED_REBUILD_CACHE_KIB = 393_216;
export const STREAMING_JOIN_CACHE_KIB = 32_768;

export function setCacheKib(db: Db, kib: number): void {
  db.pragma(`cache_size = -${kib}`);
}

/** The cache a join's later steps and the phases after it run with: larger when it followed a scope. */
export function afterJoinCacheKib(scoped: boolean): number {
  return scoped ? SCOPED_REBUILD_CACHE_KIB : REBUILD_CACHE_KIB;
}
