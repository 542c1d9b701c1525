/**
 * One identity rebuild, in order: the join (persons with their measures, and links), email
 * lineage, conflicts, the indexes the join dropped for bulk writes, split candidates. Run inside the
 * caller's transaction, all of it: a failure or a cancel between two phases rolls back to the
 * store as it was (DDL included: the dropped indexes come back with the rollback). The service
 * wraps it with the run record and the data.changed event, the benchmark calls it as is, so both
 * measure the same work.
 */
import type { Db } from '../store/db';
import type { IdentitySettings, RebuildSummary } from '../../src-shared/domain/identity';
import { rebuildJoin } from './joinBuilder';
import { refreshLineage } from './lineage';
import { evaluateConflicts, setConflictAuthority } from './conflicts';
import { detectSplits } from './splits';
import { dropNodeCache } from './nodeCache';
import { restoreIndexes } from '../store/bulkIndexes';
import { checkpoint, type RebuildHooks } from './rebuildHooks';
import { releaseGarbage } from '../core/garbage';
import { afterJoinCacheKib, REBUILD_CACHE_KIB, setCacheKib } from './rebuildCache';

export type { RebuildHooks } from './rebuildHooks';

export { REBUILD_CACHE_KIB, SCOPED_REBUILD_CACHE_KIB } from './rebuildCache';

export function rebuildIdentity(db: Db, profileId: number, settings: IdentitySettings, now: string, hooks?: RebuildHooks): RebuildSummary & { detected: number } {
  if (!db.inTransaction) throw new Error('rebuildIdentity runs inside a transaction: a failure or a cancel must roll all of it back');
  // The connection gets its own size back after (rebuildCache.ts says why a rebuild's differs).
  const cacheBefore = db.pragma('cache_size', { simple: true }) as number;
  setCacheKib(db, REBUILD_CACHE_KIB);
  try {
    return rebuildWithCache(db, profileId, settings, now, hooks);
  } finally {
    db.pragma(`cache_size = ${cacheBefore}`);
  }
}

function rebuildWithCache(db: Db, profileId: number, settings: IdentitySettings, now: string, hooks?: RebuildHooks): RebuildSummary & { detected: number } {
  const cp = checkpoint(hooks);
  const started = performance.now();
  const lastRun = (db.prepare(`SELECT MAX(finished_at) AS at FROM identity_runs WHERE profile_id = ? AND finished_at IS NOT NULL`).get(profileId) as { at: string | null }).at ?? now;
  const stats = rebuildJoin(db, profileId, settings, now, cp, { mirrorsCommitted: hooks?.mirrorsCommitted });
  setCacheKib(db, afterJoinCacheKib(stats.scoped)); // a join that streamed everyone ran with a small one
  // A join that recomputed everyone (a first build, a new setting) leaves its records, clusters
  // and the garbage of a million person rows behind it, and V8, which sized the heap for the
  // join, would not collect before the end of the rebuild while the later phases grow around
  // them: at a million persons 0.5-0.7 GB of dead heap where 20 MB is live.
  if (stats.joinedEveryone) releaseGarbage();
  let t = performance.now();
  const lap = (name: string) => {
    const n = performance.now();
    stats.timings[name] = Math.round(n - t);
    t = n;
  };
  stats.timings.join = Math.round(t - started);
  // Lineage, conflicts and split candidates can only change for the persons the join recomputed
  // (their digests cover the records' emails); lineage only for the records read again.
  cp.step('lineage');
  refreshLineage(db, profileId, now, lastRun, stats.lineageRecords);
  lap('lineage');
  cp.step('conflicts');
  if (stats.authorityOnly) setConflictAuthority(db, profileId, settings.fieldAuthority);
  const c = evaluateConflicts(db, profileId, settings, now, stats.conflictsOfEveryone ? undefined : (stats.evidencePersons ?? undefined));
  lap('conflicts');
  cp.step('indexes');
  restoreIndexes(db, stats.dropped);
  lap('indexes');
  cp.step('splits');
  const s = detectSplits(db, profileId, now, stats.evidencePersons);
  lap('splits');
  cp.done();
  for (const [k, v] of Object.entries(s.timings)) stats.timings['splits.' + k] = v;
  return {
    persons: stats.persons,
    links: stats.links,
    newPersons: stats.newPersons,
    removedPersons: stats.removedPersons,
    conflictsOpen: c.open,
    candidatesOpen: s.open,
    findings: stats.findings,
    detected: s.detected,
    ms: Math.round(performance.now() - started),
    timings: stats.timings,
  };
}

/**
 * Forget what lets a rebuild skip work: every person's input digest and the node cache. The next
 * rebuild reads every record from the mirrors and recomputes every person, keeping person IDs
 * (through the links) and the steward's decisions: a rebuild from scratch.
 */
export function forgetRebuildShortcuts(db: Db, profileId: number): void {
  db.prepare(`UPDATE persons SET identity_hash = NULL, row_digest = NULL WHERE profile_id = ?`).run(profileId);
  dropNodeCache(db, profileId);
}
