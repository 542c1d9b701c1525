/**
 * Per-collector progress: pages, records, total when known, rate budget, ETA. Emitted as typed
 * `sync.progress` events, at most every `intervalMs` (and always on a phase change), so a
 * 200,000-record sync does not flood the renderer.
 */
import type { ApiName } from '../../src-shared/domain/apis';
import type { SyncProgress } from '../../src-shared/ipc/events';

export type Phase = SyncProgress['phase'];

export class ProgressReporter {
  private state: SyncProgress;
  private lastEmit = 0;
  private readonly startedAt = Date.now();
  /** Records counted toward the ETA since the current resource began. */
  private resourceStart = { at: Date.now(), records: 0 };
  private waitUntil = 0;

  constructor(
    profileId: number,
    runId: number,
    api: ApiName,
    private readonly emit: (p: SyncProgress) => void,
    private readonly intervalMs = 250,
  ) {
    this.state = {
      profileId,
      runId,
      api,
      phase: 'estimating',
      resource: null,
      pages: 0,
      records: 0,
      total: null,
      budgetRemaining: null,
      etaSeconds: null,
      message: null,
    };
  }

  snapshot(): SyncProgress {
    return { ...this.state };
  }

  /** A new resource (users, contacts, …): its own total and ETA. */
  resource(resource: string, total: number | null): void {
    this.resourceStart = { at: Date.now(), records: this.state.records };
    this.update({ resource, total: total === null ? null : this.state.records + total, phase: 'running', message: null }, true);
  }

  update(patch: Partial<SyncProgress>, force = false): void {
    const phaseChanged = patch.phase !== undefined && patch.phase !== this.state.phase;
    this.state = { ...this.state, ...patch };
    this.state.etaSeconds = this.eta();
    const now = Date.now();
    if (force || phaseChanged || now - this.lastEmit >= this.intervalMs) {
      this.lastEmit = now;
      this.emit(this.snapshot());
    }
  }

  addPage(records: number): void {
    this.update({ pages: this.state.pages + 1, records: this.state.records + records, phase: 'running' });
  }

  waiting(ms: number, message: string): void {
    this.waitUntil = Math.max(this.waitUntil, Date.now() + ms);
    this.update({ phase: 'waiting', message }, true);
  }

  budget(remaining: number | null): void {
    this.update({ budgetRemaining: remaining });
  }

  finish(phase: Phase, message: string | null = null): void {
    this.update({ phase, message, etaSeconds: null }, true);
    this.state.etaSeconds = null;
  }

  elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  private eta(): number | null {
    const s = this.state;
    if (s.phase === 'done' || s.phase === 'failed' || s.phase === 'cancelled' || s.phase === 'skipped') return null;
    const wait = Math.max(0, this.waitUntil - Date.now()) / 1000;
    if (s.total === null) return wait > 0 ? Math.round(wait) : null;
    const done = s.records - this.resourceStart.records;
    const left = Math.max(0, s.total - s.records);
    const secs = (Date.now() - this.resourceStart.at) / 1000;
    if (done <= 0 || secs <= 0) return wait > 0 ? Math.round(wait) : null;
    return Math.round(left / (done / secs) + wait);
  }
}
