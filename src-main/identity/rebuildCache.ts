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
 * dirties more pages than a 256 MB cache holds at a million persons: after a 1% sync, 78,000 (persons
 * and their indexes, links, the node cache, lineage). SQLite then spills dirty pages to the log
 * mid-transaction (from 90% of the cache), and once one of them is written again (the conflicts
 * step updates persons the join wrote) the commit reads the log back from that frame to
 * recompute its checksums: 77,000 frames read at the commit, 330,000 reads in all, where 384 MB
 * (SCOPED_REBUILD_CACHE_KIB) spills nothing and reads 223,000. 512 MB read less still but left the job process above the size at
 * which it is replaced (jobs/protocol.ts), so the next rebuild paid for a new process.
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
