/**
 * What each long job does, over the services of the connection it runs on (the worker's own, or
 * the core's when inline). Every job checks its cancel token between steps; the long
 * transactions hold the write gate exclusively, so the core's short writes never wait on them.
 */
import type { JobKind } from '../../src-shared/domain/jobs';
import type { Db } from '../store/db';
import type { EventBus } from '../core/events';
import type { IdentityService } from '../identity/identityService';
import type { ReconcileService } from '../reconcile/service';
import type { Connections } from '../connections/connections';
import { CHANGED_ROWS, ensureInsightMeasures, refreshInsightMeasures } from '../insights/measures';
import { currentMeasures } from '../insights/service';
import { adjustListCounts, takeListCounts } from '../insights/listCounts';
import { exportList, type ExportDeps } from '../export/listExport';
import { writeFindingsCsv } from '../reconcile/csv';
import { isCancelled } from './cancel';
import { log } from '../core/log';
import type { JobContext, JobInput, JobOutput, RebuildJobInput } from './types';

/** The services a job runs with, built by the composition root over one connection. */
export interface JobServices {
  db: Db;
  events: Pick<EventBus, 'emit'>;
  identity: IdentityService;
  reconcile: ReconcileService;
  connections: Connections;
  exports: ExportDeps;
}

type Impl<K extends JobKind> = (s: JobServices, input: JobInput<K>, ctx: JobContext) => Promise<JobOutput<K>>;

export const jobKinds: { [K in JobKind]: Impl<K> } = {
  rebuild: (s, i, ctx) =>
    ctx.exclusive(() =>
      s.identity.rebuild(i.profileId, i.kind, { fromScratch: i.fromScratch }, { shouldCancel: () => ctx.token.aborted, onProgress: (step, done, total) => ctx.progress({ step, done, total }) }),
    ),

  measures: (s, i, ctx) =>
    ctx.exclusive(() => {
      const current = i.force ? null : currentMeasures(s.db, i.profileId, i.asOf);
      if (current) return current;
      ctx.progress({ step: 'measures', done: 0, total: 1 });
      ctx.token.throwIfAborted();
      // Forced: every person. Otherwise only the persons identity changed since (every person
      // after a full rebuild, or for another score day).
      const refresh = () => (i.force ? { state: refreshInsightMeasures(s.db, i.profileId, { asOf: i.asOf }) } : ensureInsightMeasures(s.db, i.profileId, { scoreDay: i.asOf }));
      // The lists' counts are taken here, off the core's thread, in the measures' transaction: a
      // cancel while counting leaves the measures as they were too. A read-only store counts on
      // read. After a refresh of a sync's changed persons they move by those persons' rows.
      const state = s.db.readonly
        ? refresh().state
        : s.db.transaction(() => {
            const r = refresh();
            ctx.progress({ step: 'counts', done: 0, total: 1 });
            const check = () => ctx.token.throwIfAborted();
            const moved = 'changedFrom' in r && r.changedFrom && adjustListCounts(s.db, i.profileId, r.changedFrom, r.state, CHANGED_ROWS, check);
            if (!moved) takeListCounts(s.db, i.profileId, r.state, check);
            return r.state;
          })();
      s.events.emit('data.changed', { profileId: i.profileId, scope: 'insights' });
      return state;
    }),

  conflicts: (s, i, ctx) =>
    ctx.exclusive(() =>
      s.identity.setConflicts(i.profileId, i.ids, i.action, i.choice, i.value, i.note, {
        check: () => ctx.token.throwIfAborted(),
        progress: (step, done, total) => ctx.progress({ step, done, total }),
      }),
    ),

  export: (s, i, ctx) =>
    exportList(s.exports, i.request, i, { signal: ctx.token, onProgress: (step, done, total) => ctx.progress({ step, done, total }) }),

  findingsCsv: (s, i, ctx) =>
    writeFindingsCsv({ db: s.db, runs: s.reconcile.runs, events: s.events }, i, { signal: ctx.token, onProgress: (step, done, total) => ctx.progress({ step, done, total }) }),

  fixList: (s, i, ctx) => s.identity.writeFixList(i, { signal: ctx.token, onProgress: (step, done, total) => ctx.progress({ step, done, total }) }),

  async reconcile(s, i, ctx) {
    const run = () =>
      s.reconcile.run({ ...i, signal: ctx.token.abortSignal, onProgress: (step, done, total, message) => ctx.progress({ step, done, total, message }) });
    // Inline (the CLI) the connection is shared: keep the run's own transactions.
    if (!ctx.dedicatedConnection) return run();
    // A sandbox's servers start (and write their URLs) before the run's transaction opens.
    await s.connections.prepare(i.profileId);
    // In the worker the run is one transaction across its network calls: a cancelled or failed
    // run leaves the store exactly as it was (its re-synced records and deletion marks too).
    return ctx.exclusive(async () => {
      s.db.exec('BEGIN');
      try {
        const out = await run();
        s.db.exec('COMMIT');
        return out;
      } catch (err) {
        if (s.db.inTransaction) s.db.exec('ROLLBACK');
        if (!isCancelled(err) && !ctx.token.aborted) s.reconcile.recordFailure(i.profileId, (err as Error).message);
        throw err;
      }
    });
  },
};

/**
 * Jobs that read every record (a rebuild from scratch, or for a new setting, or one the store says
 * will: the first after a first sync, or after a sync that changed a large part of the records)
 * start in a job process no job has used, so what earlier jobs left resident is not under their
 * peak (processRunner.ts). The store is asked on the core's thread: a count of at most a fifth of
 * the records' marks, and a failure to ask only costs the clean process.
 */
export function wantsCleanProcess(kind: JobKind, input: unknown, identity?: Pick<IdentityService, 'nextRebuildReadsEverything'>): boolean {
  if (kind !== 'rebuild') return false;
  const i = input as RebuildJobInput;
  if (i.fromScratch === true || i.kind === 'settings') return true;
  try {
    return identity?.nextRebuildReadsEverything(i.profileId) ?? false;
  } catch (err) {
    log.warn('could not tell whether a rebuild reads every record; it runs in the current job process', { error: err });
    return false;
  }
}
