/**
 * The identity facade: the rebuild, the steward's actions (resolve, merge, undo, reject) each in
 * one transaction with its audit row, and the queries for the views.
 * Every change emits data.changed (scope 'identity') and records an identity_runs row, which
 * tells the insights lists their measures are stale.
 *
 * The same class serves the core (its reader connection: queries and short actions) and the job
 * worker (its own connection: `rebuild`, which holds one transaction for the whole pipeline).
 * Actions that need a rebuild ask for one through `requestRebuild`, which the composition root
 * points at the job queue.
 */
import { SPLIT_KIND_LABELS } from '../../src-shared/domain/identity';
import type { Db } from '../store/db';
import type { SettingsRepo } from '../store/repos/settings';
import type { AuditRepo } from '../store/repos/audit';
import type { EventBus } from '../core/events';
import type { IdentitySettings, RebuildSummary, ConflictField } from '../../src-shared/domain/identity';
import { AppError } from '../../src-shared/errors';
import { defaultActor } from '../store/repos/audit';
import { readIdentitySettings, writeIdentitySettings } from './authority';
import { forgetRebuildShortcuts, rebuildIdentity, type RebuildHooks } from './rebuildPipeline';
import { RecordCacheStale } from './nodes';
import { nextRebuildReadsEverything } from './nodeCache';
import { evaluateConflicts, setConflictStatus, type Choice, type ConflictRow } from './conflicts';
import { redisplayPersons } from './displayRecompute';
import { notePersonChanges } from './personChanges';
import { representativeKeys, activePersonLookup, lastDetectionAt, DECIDED_LAST_SEEN } from './splits';
import { mergePersons, undoMerge } from './merges';
import { recordDecision, precision } from './decisions';
import { listConflicts, listCandidates, listMerges, type ConflictQuery } from './queries';
import { personDetail } from './personDetail';
import { writeFixListFile, type FixListInput } from './fixLists';
import { refreshPlannerStats } from '../store/plannerStats';

export type RebuildKind = 'rebuild' | 'refresh' | 'settings';

export interface IdentityDeps {
  db: Db;
  settings: SettingsRepo;
  audit: AuditRepo;
  events: Pick<EventBus, 'emit'>;
  /** Runs a rebuild where this core runs long jobs; without it, here and now. */
  requestRebuild?(profileId: number, kind: RebuildKind, opts?: { fromScratch?: boolean }): Promise<RebuildSummary>;
  /** Runs a decision on many conflicts as a job (the composition root points it at the job queue). */
  requestDecision?(d: ConflictDecision): Promise<{ updated: number }>;
}

/** A steward's decision on some conflicts: what `conflicts.resolve`, `dismiss`, `reopen` and `bulkResolve` ask. */
export interface ConflictDecision {
  profileId: number;
  ids: number[];
  action: 'resolve' | 'dismiss' | 'reopen';
  choice: Choice | null;
  value: string | null;
  note: string | null;
}

/** A decision's job: checked for a cancel and told how far it got. */
export interface DecisionHooks {
  check?(): void;
  progress?(step: string, done: number, total: number): void;
}

/**
 * Decisions on more conflicts than this run as a job. A page's worth (the view's 50, a selection)
 * takes well under a second even at 1M; a field's every conflict may take many.
 */
export const INLINE_DECISIONS = 500;

function checkDecision(d: Pick<ConflictDecision, 'action' | 'choice' | 'value'>): void {
  if (d.action === 'resolve' && !d.choice) throw new AppError('BAD_INPUT', 'Choose VOMO, CRM+, a value, or keep both.');
  if (d.choice === 'custom' && (d.value == null || d.value.trim() === '')) throw new AppError('BAD_INPUT', 'Type the value to keep.');
}

export class IdentityService {
  constructor(private readonly deps: IdentityDeps) {}

  private get db() {
    return this.deps.db;
  }

  settings(profileId: number): IdentitySettings {
    return readIdentitySettings(this.deps.settings, profileId);
  }

  saveSettings(profileId: number, value: IdentitySettings): IdentitySettings {
    const saved = writeIdentitySettings(this.deps.settings, profileId, value);
    this.deps.audit.record({ profileId, action: 'identity.settings', subjectType: 'profile', subjectId: String(profileId), detail: saved });
    return saved;
  }

  async setSettings(profileId: number, value: IdentitySettings): Promise<IdentitySettings> {
    const saved = this.saveSettings(profileId, value);
    // Display values and conflict authorities follow the new settings.
    await this.requestRebuild(profileId, 'settings');
    return saved;
  }

  /** A rebuild through the job queue when there is one (the app), else here (the CLI, tests). */
  requestRebuild(profileId: number, kind: RebuildKind = 'rebuild', opts: { fromScratch?: boolean } = {}): Promise<RebuildSummary> {
    if (this.deps.requestRebuild) return this.deps.requestRebuild(profileId, kind, opts);
    return Promise.resolve(this.rebuild(profileId, kind, opts));
  }

  private changed(profileId: number): void {
    this.deps.events.emit('data.changed', { profileId, scope: 'identity' });
  }

  private run<T>(profileId: number, kind: string, fn: (now: string) => T, summary?: (r: T) => unknown): T {
    const now = new Date().toISOString();
    const db = this.db;
    const result = db.transaction(() => {
      const info = db.prepare(`INSERT INTO identity_runs (profile_id, started_at, kind) VALUES (?, ?, ?)`).run(profileId, now, kind);
      const r = fn(now);
      db.prepare(`UPDATE identity_runs SET finished_at = ?, summary_json = ? WHERE id = ?`).run(
        new Date().toISOString(),
        summary ? JSON.stringify(summary(r)) : null,
        Number(info.lastInsertRowid),
      );
      return r;
    })();
    this.changed(profileId);
    return result;
  }

  /** Whether the next rebuild reads every record, as the store says before it starts (nodeCache.ts). */
  nextRebuildReadsEverything(profileId: number): boolean {
    return nextRebuildReadsEverything(this.db, profileId);
  }

  /**
   * Rebuild the join from the mirrors, then lineage, measures, conflicts and split candidates.
   * fromScratch: every record read again and every person recomputed, as if nothing had been
   * built before (IDs and decisions kept); otherwise only what changed since the last rebuild.
   * hooks: progress between phases and cancel (a cancelled rebuild rolls back: the store, its
   * run record included, is as it was, and the error says CANCELLED).
   */
  rebuild(profileId: number, kind: RebuildKind = 'rebuild', opts: { fromScratch?: boolean } = {}, hooks: RebuildHooks = {}): RebuildSummary {
    try {
      return this.rebuildOnce(profileId, kind, opts, hooks);
    } catch (e) {
      // A change the node cache missed rolled the rebuild back before it wrote a person: the
      // same rebuild from scratch reads every record from the mirrors instead.
      if (e instanceof RecordCacheStale && !opts.fromScratch) return this.rebuildOnce(profileId, kind, { ...opts, fromScratch: true }, hooks);
      throw e;
    }
  }

  private rebuildOnce(profileId: number, kind: RebuildKind, opts: { fromScratch?: boolean }, hooks: RebuildHooks): RebuildSummary {
    const settings = this.settings(profileId);
    // A transaction of the rebuild's own (not one a caller may have written mirrors in).
    hooks = { ...hooks, mirrorsCommitted: !this.db.inTransaction };
    return this.run(
      profileId,
      kind,
      (now) => {
        // The mirrors just changed size; plans chosen on stale statistics scan whole tables per
        // row. Inside the transaction, so a cancelled rebuild leaves even the statistics as they were.
        refreshPlannerStats(this.db);
        if (opts.fromScratch) forgetRebuildShortcuts(this.db, profileId);
        const { detected: _detected, ...summary } = rebuildIdentity(this.db, profileId, settings, now, hooks);
        return summary;
      },
      (r) => r,
    );
  }

  /** After a sync run (whatever its status: partial data is still data). */
  refreshAfterSync(profileId: number): RebuildSummary {
    return this.rebuild(profileId, 'refresh');
  }

  person(profileId: number, personId: string) {
    const audit = this.deps.audit.list(profileId, { subjectType: 'person', subjectId: personId, limit: 100 }).map((a) => ({ at: a.at, actor: a.actor, action: a.action, detail: a.detail_json }));
    return personDetail(this.db, profileId, personId, this.settings(profileId), audit);
  }

  listConflicts(q: ConflictQuery) {
    return listConflicts(this.db, q, this.settings(q.profileId));
  }

  private conflictRows(profileId: number, ids: number[]): ConflictRow[] {
    const stmt = this.db.prepare(`SELECT * FROM conflicts WHERE profile_id = ? AND id = ?`);
    return ids.map((id) => {
      const r = stmt.get(profileId, id) as ConflictRow | undefined;
      if (!r) throw new AppError('NOT_FOUND', `There is no conflict ${id}.`);
      return r;
    });
  }

  /**
   * A steward's decision on conflicts, where it runs: a few conflicts here (a click waits for no
   * queue), many as a job (`requestDecision`: in the job process, with progress and a cancel,
   * behind a running rebuild), so the core's thread keeps serving while 73,000 are resolved.
   */
  async decideConflicts(d: ConflictDecision, underGate: <T>(write: () => T) => Promise<T> = async (write) => write()): Promise<{ updated: number }> {
    checkDecision(d);
    if (d.ids.length > INLINE_DECISIONS && this.deps.requestDecision) return this.deps.requestDecision(d);
    return underGate(() => this.setConflicts(d.profileId, d.ids, d.action, d.choice, d.value, d.note));
  }

  /** Resolve (choose VOMO, CRM+, a custom value, or keep both), dismiss or reopen conflicts. */
  setConflicts(
    profileId: number,
    ids: number[],
    action: ConflictDecision['action'],
    choice: Choice | null,
    value: string | null,
    note: string | null,
    hooks: DecisionHooks = {},
  ): { updated: number } {
    checkDecision({ action, choice, value });
    const actor = defaultActor();
    const settings = this.settings(profileId);
    const check = hooks.check ?? (() => {});
    const progress = hooks.progress ?? (() => {});
    return this.run(profileId, 'conflicts', (now) => {
      const rows = this.conflictRows(profileId, ids);
      const persons = new Set<string>();
      const status = action === 'resolve' ? 'resolved' : action === 'dismiss' ? 'dismissed' : 'open';
      for (let k = 0; k < rows.length; k++) {
        if (k % 1000 === 0) {
          check();
          progress('conflicts', k, rows.length);
        }
        const r = rows[k];
        setConflictStatus(this.db, r, status, action === 'resolve' ? choice : null, value?.trim() ?? null, actor, now, note);
        persons.add(r.person_id);
        this.deps.audit.record({
          profileId,
          actor,
          action: `conflict.${action}`,
          subjectType: 'person',
          subjectId: r.person_id,
          detail: { conflictId: r.id, field: r.field, vomo: r.vomo_value, crm: r.crm_value, choice, value: value ?? null, note, previousStatus: r.status },
        });
      }
      // Display values: back to the authority, then the chosen values on top as the persons'
      // conflicts are evaluated again (with their open counts). Only what a person shows moves,
      // so it is picked again from the person's row: recomputed from the mirrors, as a merge
      // is, a bulk resolution of 5,000 conflicts took 5.8 s at 1M and marked every record of
      // those persons for the next rebuild. The persons go in the order their rows are stored:
      // a bulk decision reaches tens of thousands of them.
      const byRow = [...persons].sort();
      check();
      progress('persons', 0, byRow.length);
      redisplayPersons(this.db, profileId, byRow, settings, now, check);
      check();
      progress('evaluate', 0, byRow.length);
      evaluateConflicts(this.db, profileId, settings, now, byRow, check);
      notePersonChanges(this.db, profileId, byRow);
      check();
      return { updated: rows.length };
    });
  }

  /** Every open conflict of a field (or these), resolved one way or dismissed. */
  async bulkConflicts(
    profileId: number,
    field: ConflictField,
    action: 'resolve' | 'dismiss',
    choice: Choice | null,
    ids?: number[] | null,
    underGate?: <T>(write: () => T) => Promise<T>,
  ): Promise<{ updated: number }> {
    const target =
      ids && ids.length
        ? ids
        : (this.db.prepare(`SELECT id FROM conflicts WHERE profile_id = ? AND field = ? AND active = 1 AND status = 'open'`).all(profileId, field) as { id: number }[]).map((r) => r.id);
    if (!target.length) return { updated: 0 };
    if (action === 'resolve' && choice === 'custom') throw new AppError('BAD_INPUT', 'A custom value cannot be applied in bulk.');
    return this.decideConflicts({ profileId, ids: target, action, choice, value: null, note: 'bulk' }, underGate);
  }

  listCandidates = (q: Parameters<typeof listCandidates>[1]) => listCandidates(this.db, q);

  /** Approve a candidate: merge the two persons (the survivor keeps its ID). */
  approve(profileId: number, candidateId: number, survivorId: string | null, reason: string | null) {
    const c = this.db.prepare(`SELECT * FROM split_candidates WHERE profile_id = ? AND id = ?`).get(profileId, candidateId) as
      | { person_a: string; person_b: string; status: string; kind: string }
      | undefined;
    if (!c) throw new AppError('NOT_FOUND', `There is no candidate ${candidateId}.`);
    if (c.status !== 'open') throw new AppError('CONFLICT', `This candidate is already ${c.status}.`);
    const survivor = survivorId ?? this.pickSurvivor(profileId, c.person_a, c.person_b);
    if (survivor !== c.person_a && survivor !== c.person_b) throw new AppError('BAD_INPUT', 'The survivor must be one of the pair.');
    const merged = survivor === c.person_a ? c.person_b : c.person_a;
    return this.merge(profileId, survivor, merged, candidateId, reason ?? `Approved in review: ${(SPLIT_KIND_LABELS[c.kind] ?? c.kind).toLowerCase()}`);
  }

  /** The survivor by default: the row in more systems, else the older one. */
  private pickSurvivor(profileId: number, a: string, b: string): string {
    const q = this.db.prepare(`SELECT has_vomo + has_crm + has_raise AS n, created_at FROM persons WHERE profile_id = ? AND id = ?`);
    const ra = q.get(profileId, a) as { n: number; created_at: string } | undefined;
    const rb = q.get(profileId, b) as { n: number; created_at: string } | undefined;
    if (!ra || !rb) throw new AppError('NOT_FOUND', 'One of these persons no longer exists; run a rebuild.');
    if (ra.n !== rb.n) return ra.n > rb.n ? a : b;
    return ra.created_at <= rb.created_at ? a : b;
  }

  merge(profileId: number, survivorId: string, mergedId: string, candidateId: number | null, reason: string | null) {
    const actor = defaultActor();
    const settings = this.settings(profileId);
    return this.run(profileId, 'merge', (now) => {
      const { mergeId, snapshot } = mergePersons(this.db, { profileId, survivorId, mergedId, candidateId, reason, actor, now, settings });
      this.deps.audit.record({
        profileId,
        actor,
        action: 'person.merge',
        subjectType: 'person',
        subjectId: survivorId,
        detail: { mergeId, survivorId, mergedId, candidateId, reason, snapshot },
      });
      this.deps.audit.record({ profileId, actor, action: 'person.merged_into', subjectType: 'person', subjectId: mergedId, detail: { mergeId, survivorId } });
      return { mergeId, survivorId, mergedId };
    });
  }

  undo(profileId: number, mergeId: number) {
    const actor = defaultActor();
    return this.run(profileId, 'undo', (now) => {
      const r = undoMerge(this.db, profileId, mergeId, actor, now);
      this.deps.audit.record({ profileId, actor, action: 'person.merge.undo', subjectType: 'person', subjectId: r.survivorId, detail: { mergeId, ...r } });
      return { mergeId, ...r };
    });
  }

  /** "Not the same person": remembered as a decision; the pair is never proposed again. */
  reject(profileId: number, candidateId: number, reason: string | null) {
    const actor = defaultActor();
    return this.run(profileId, 'reject', (now) => {
      const c = this.db.prepare(`SELECT * FROM split_candidates WHERE profile_id = ? AND id = ?`).get(profileId, candidateId) as
        | { id: number; person_a: string; person_b: string; key_a: string; key_b: string; kind: string; status: string }
        | undefined;
      if (!c) throw new AppError('NOT_FOUND', `There is no candidate ${candidateId}.`);
      if (c.status !== 'open') throw new AppError('CONFLICT', `This candidate is already ${c.status}.`);
      const rep = representativeKeys(this.db, profileId);
      const ka = rep(c.person_a) ?? c.key_a;
      const kb = rep(c.person_b) ?? c.key_b;
      recordDecision(this.db, profileId, ka, kb, 'not_same', { emailJoined: false, kind: c.kind, reason, actor, now });
      this.db.prepare(`UPDATE split_candidates SET status = 'rejected', decided_at = ?, ${DECIDED_LAST_SEEN} WHERE id = ?`).run(now, lastDetectionAt(this.db, profileId), c.id);
      this.deps.audit.record({ profileId, actor, action: 'candidate.reject', subjectType: 'person', subjectId: c.person_a, detail: { candidateId, personA: c.person_a, personB: c.person_b, kind: c.kind, reason } });
      return { ok: true as const };
    });
  }

  /**
   * A verdict on two records the email join put in one person: "same" confirms the join,
   * "not same" detaches the second record (rebuild follows). Both measure the join's precision.
   */
  async linkVerdict(profileId: number, personId: string, keyA: string, keyB: string, verdict: 'same' | 'not_same', reason: string | null) {
    this.recordLinkVerdict(profileId, personId, keyA, keyB, verdict, reason);
    if (verdict === 'not_same') await this.requestRebuild(profileId);
    return { ok: true as const };
  }

  /** Records the verdict; a "not same" needs a rebuild after it (the caller asks for one). */
  recordLinkVerdict(profileId: number, personId: string, keyA: string, keyB: string, verdict: 'same' | 'not_same', reason: string | null): void {
    const actor = defaultActor();
    const lookup = activePersonLookup(this.db, profileId);
    if (lookup(keyA) !== personId || lookup(keyB) !== personId) throw new AppError('BAD_INPUT', 'Both records must be linked to this person.');
    const now = new Date().toISOString();
    this.db.transaction(() => {
      recordDecision(this.db, profileId, keyA, keyB, verdict, { emailJoined: true, kind: 'link', reason, actor, now });
      this.deps.audit.record({ profileId, actor, action: `link.${verdict}`, subjectType: 'person', subjectId: personId, detail: { keyA, keyB, reason } });
    })();
    if (verdict === 'same') this.changed(profileId);
  }

  listMerges = (profileId: number) => listMerges(this.db, profileId);
  precision = (profileId: number) => precision(this.db, profileId);

  findings(profileId: number) {
    return (this.db.prepare(`SELECT * FROM identity_findings WHERE profile_id = ? ORDER BY kind, source_id`).all(profileId) as Record<string, unknown>[]).map((f) => ({
      kind: f.kind as string,
      source: f.source as string,
      sourceId: f.source_id as string,
      personId: (f.person_id as string | null) ?? null,
      detail: JSON.parse(f.detail_json as string) as Record<string, unknown>,
    }));
  }

  /** A fix list written to its file, logged and audited: the `fixList` job's work. */
  writeFixList(input: FixListInput, job: Parameters<typeof writeFixListFile>[3] = {}): Promise<{ rows: number }> {
    return writeFixListFile(this.deps, this.settings(input.profileId), input, job);
  }

  lastRun(profileId: number) {
    return this.db.prepare(`SELECT * FROM identity_runs WHERE profile_id = ? AND kind IN ('rebuild', 'refresh', 'settings') ORDER BY id DESC LIMIT 1`).get(profileId) as
      | { id: number; started_at: string; finished_at: string | null; summary_json: string | null }
      | undefined;
  }
}
