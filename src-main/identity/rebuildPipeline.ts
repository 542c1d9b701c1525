/**
 * One identity rebuild, in order: the join (persons and links), email lineage, measures,
 * conflicts, the indexes the join dropped for bulk writes, split candidates. Run inside the
 * caller's transaction; the service wraps it with the run record and the data.changed event,
 * the benchmark calls it as is, so both measure the same work.
 */
import type { Db } from '../store/db';
import type { IdentitySettings, RebuildSummary } from '../../src-shared/domain/identity';
import { rebuildJoin } from './joinBuilder';
import { refreshLineage } from './lineage';
import { applyMeasures } from './measures';
import { evaluateConflicts } from './conflicts';
import { detectSplits } from './splits';
import { dropNodeCache } from './nodeCache';
import { AppError } from '../../src-shared/errors';

/**
 * How a caller follows and stops a rebuild: progress after each phase, and a cancel flag read
 * between phases (a worker's shared-memory flag; an AbortSignal fits too). Stopping throws
 * CANCELLED, so the caller's transaction rolls the whole rebuild back.
 */
export interface RebuildHooks {
  /** Called when a phase is done: its name, how many phases are done, how many there are. */
  onProgress?(step: string, done: number, total: number): void;
  /** Aborting it cancels the rebuild at the next check. */
  signal?: AbortSignal;
  /** Polled at every check; true cancels the rebuild (a worker's shared-memory flag). */
  shouldCancel?(): boolean;
}

const PHASES = ['join', 'lineage', 'measures', 'conflicts', 'indexes', 'splits'] as const;

export function rebuildIdentity(db: Db, profileId: number, settings: IdentitySettings, now: string, hooks: RebuildHooks = {}): RebuildSummary & { detected: number } {
  const started = performance.now();
  const checkpoint = (phase: (typeof PHASES)[number]) => {
    if (hooks.signal?.aborted || hooks.shouldCancel?.()) throw new AppError('CANCELLED', 'The rebuild was cancelled; the person store is as it was.');
    hooks.onProgress?.(phase, PHASES.indexOf(phase) + 1, PHASES.length);
  };
  hooks.onProgress?.('join', 0, PHASES.length);
  const lastRun = (db.prepare(`SELECT MAX(finished_at) AS at FROM identity_runs WHERE profile_id = ? AND finished_at IS NOT NULL`).get(profileId) as { at: string | null }).at ?? now;
  const stats = rebuildJoin(db, profileId, settings, now);
  let t = performance.now();
  const lap = (name: string) => {
    const n = performance.now();
    stats.timings[name] = Math.round(n - t);
    t = n;
  };
  stats.timings.join = Math.round(t - started);
  checkpoint('join');
  // Lineage, measures, conflicts and split candidates can only change for the persons the join
  // recomputed (their digests cover the records' emails and the participations and gifts the
  // measures read).
  refreshLineage(db, profileId, now, lastRun, stats.changedRecords);
  lap('lineage');
  checkpoint('lineage');
  applyMeasures(db, profileId, stats.changedPersons ?? undefined, { ownerKnown: true });
  lap('measures');
  checkpoint('measures');
  const c = evaluateConflicts(db, profileId, settings, now, stats.changedPersons ?? undefined);
  lap('conflicts');
  checkpoint('conflicts');
  stats.restoreIndexes();
  lap('indexes');
  checkpoint('indexes');
  const s = detectSplits(db, profileId, now, stats.changedPersons);
  lap('splits');
  for (const [k, v] of Object.entries(s.timings)) stats.timings['splits.' + k] = v;
  checkpoint('splits');
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
  db.prepare(`UPDATE persons SET identity_hash = NULL WHERE profile_id = ?`).run(profileId);
  dropNodeCache(db, profileId);
}
