/**
 * Moving the clock: day events, the Raise → CRM+ sync and the nightly batch (04:00 UTC each
 * night) run in time order, each stamping its own instant, so the change log of an advance is
 * exactly what an incremental sync over (from, to] can see.
 */
import type { TransactionQueue } from '../crm/transactions';
import { runSyncUntil } from '../raise/platformSync';
import type { SyncReport } from '../raise/platformSync';
import { DAY, HOUR } from '../time';
import type { ChangeSummary } from './changelog';
import { dayActions } from './events';
import type { Action } from './events';
import type { World } from './world';

export const NIGHTLY_BATCH_HOUR = 4;

export interface AdvanceResult {
  from: string;
  to: string;
  events: { at: string; label: string }[];
  sync: SyncReport;
  batches: { at: string; processed: number }[];
  changes: ChangeSummary;
}

export function advanceWorld(w: World, tx: TransactionQueue, ms: number): AdvanceResult {
  const from = w.now;
  const to = from + ms;
  const start = w.ctx.startMs;
  const acts: Action[] = [];
  const firstDay = Math.max(1, Math.floor((from - start) / DAY));
  const lastDay = Math.floor((to - start) / DAY) + 1;
  for (let d = firstDay; d <= lastDay; d++) for (const a of dayActions(w, d)) if (a.at > from && a.at <= to) acts.push(a);
  // Nightly batches at 04:00 UTC inside the window.
  const firstNight = Math.ceil((from - NIGHTLY_BATCH_HOUR * HOUR) / DAY) * DAY + NIGHTLY_BATCH_HOUR * HOUR;
  const batches: AdvanceResult['batches'] = [];
  for (let t = firstNight; t <= to; t += DAY) {
    if (t <= from) continue;
    acts.push({ at: t, label: 'nightly batch', apply: (w2) => void batches.push({ at: new Date(t).toISOString(), processed: tx.runBatch(w2).processed }) });
  }
  acts.sort((a, b) => a.at - b.at);
  const sync: SyncReport = { synced: [], skipped: [] };
  const events: AdvanceResult['events'] = [];
  let k = 0;
  for (;;) {
    const a = acts[k];
    const s = w.pendingSync[0];
    if (s && s.at <= to && (!a || s.at <= a.at)) {
      w.now = s.at;
      runSyncUntil(w, s.at, sync);
    } else if (a) {
      w.now = a.at;
      a.apply(w);
      events.push({ at: new Date(a.at).toISOString(), label: a.label });
      k++;
    } else break;
  }
  w.now = to;
  w.bump();
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), events, sync, batches, changes: w.changes.summarize(from, to) };
}
