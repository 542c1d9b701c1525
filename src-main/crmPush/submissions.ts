/**
 * The store of "Add to CRM+": batches (the previews as shown) and submissions (one row per
 * reference pair, ever).
 *
 * Rules: `claim()` is the only way a pair gets to 'submitting', and it commits before the HTTP
 * call; it succeeds only from a state in which nothing is held in CRM+ for the pair ('failed',
 * 'preview', no row) or from 'submitting' itself once the caller has resolved it. Every state
 * change writes its audit row in the same transaction.
 */
import type { Db } from '../store/db';
import type { AuditRepo } from '../store/repos/audit';
import type { PushCounts, PushPreviewItem, PushSubmission, PushSubmissionStatus } from '../../src-shared/domain/crmPush';

export interface SubmissionRow {
  id: number;
  profile_id: number;
  person_id: string | null;
  vomo_user_id: string;
  reference_source: string;
  reference_id: string;
  status: PushSubmissionStatus;
  method: 'transaction' | 'direct' | 'existing';
  display_name: string | null;
  email: string | null;
  body_json: string | null;
  error_status: number | null;
  error_field: string | null;
  error_message: string | null;
  attempts: number;
  submitted_at: string | null;
  followup_due_at: string | null;
  confirmed_contact_id: string | null;
  confirmed_individual_id: string | null;
  confirmed_at: string | null;
  confirmed_how: string | null;
  last_checked_at: string | null;
  check_count: number;
  batch_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface BatchRow {
  id: number;
  profile_id: number;
  list_name: string | null;
  person_ids_json: string;
  items_json: string;
  counts_json: string;
  status: 'previewed' | 'submitting' | 'done' | 'stopped';
  created_at: string;
  created_by: string;
  submitted_at: string | null;
  finished_at: string | null;
  summary_json: string | null;
}

/** States in which nothing of ours is held in CRM+: a new send may start. */
export const CLAIMABLE: readonly PushSubmissionStatus[] = ['preview', 'failed'];
/** States that mean "CRM+ has (or will have) this contact": never send again. */
export const SETTLED: readonly PushSubmissionStatus[] = ['pending', 'confirmed', 'linked_existing', 'needs_followup'];

const wall = () => new Date().toISOString();

export class SubmissionsRepo {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditRepo,
  ) {}

  // ------------------------------------------------------------------ batches

  createBatch(profileId: number, list: string | null, personIds: string[], items: PushPreviewItem[], counts: PushCounts, actor: string): BatchRow {
    const now = wall();
    const id = this.db.transaction(() => {
      const info = this.db
        .prepare(
          `INSERT INTO crm_push_batches (profile_id, list_name, person_ids_json, items_json, counts_json, status, created_at, created_by)
           VALUES (?, ?, ?, ?, ?, 'previewed', ?, ?)`,
        )
        .run(profileId, list, JSON.stringify(personIds), JSON.stringify(items), JSON.stringify(counts), now, actor);
      const batchId = Number(info.lastInsertRowid);
      this.audit.record({ profileId, action: 'crm_push.preview', subjectType: 'crm_push_batch', subjectId: String(batchId), detail: { list, persons: personIds.length, counts } });
      return batchId;
    })();
    return this.batch(profileId, id)!;
  }

  batch(profileId: number, id: number): BatchRow | undefined {
    return this.db.prepare('SELECT * FROM crm_push_batches WHERE profile_id = ? AND id = ?').get(profileId, id) as BatchRow | undefined;
  }

  batchItems(b: BatchRow): PushPreviewItem[] {
    return JSON.parse(b.items_json) as PushPreviewItem[];
  }

  setBatchStatus(profileId: number, id: number, status: BatchRow['status'], summary?: unknown): void {
    const now = wall();
    this.db
      .prepare(
        `UPDATE crm_push_batches SET status = ?,
           submitted_at = COALESCE(submitted_at, CASE WHEN ? = 'submitting' THEN ? END),
           finished_at = CASE WHEN ? IN ('done', 'stopped') THEN ? ELSE finished_at END,
           summary_json = COALESCE(?, summary_json)
         WHERE profile_id = ? AND id = ?`,
      )
      .run(status, status, now, status, now, summary === undefined ? null : JSON.stringify(summary), profileId, id);
  }

  // ------------------------------------------------------------------ submissions

  get(profileId: number, source: string, referenceId: string): SubmissionRow | undefined {
    return this.db
      .prepare('SELECT * FROM crm_push_submissions WHERE profile_id = ? AND reference_source = ? AND reference_id = ?')
      .get(profileId, source, referenceId) as SubmissionRow | undefined;
  }

  byId(profileId: number, id: number): SubmissionRow | undefined {
    return this.db.prepare('SELECT * FROM crm_push_submissions WHERE profile_id = ? AND id = ?').get(profileId, id) as SubmissionRow | undefined;
  }

  /** Existing rows for many reference ids at once (the preview marks "already submitted"). */
  byReferenceIds(profileId: number, source: string, ids: string[]): Map<string, SubmissionRow> {
    const out = new Map<string, SubmissionRow>();
    const stmt = this.db.prepare('SELECT * FROM crm_push_submissions WHERE profile_id = ? AND reference_source = ? AND reference_id = ?');
    for (const id of ids) {
      const r = stmt.get(profileId, source, id) as SubmissionRow | undefined;
      if (r) out.set(id, r);
    }
    return out;
  }

  /**
   * Commits the intent to send before the request leaves: inserts the row as 'submitting', or
   * moves it there from a claimable state (or from 'submitting' when `resume` — the caller
   * resolved an interrupted run by a lookup first). False: another run owns the pair or it is
   * already settled; the caller must not send.
   */
  claim(
    profileId: number,
    c: { personId: string; vomoUserId: string; source: string; referenceId: string; name: string; email: string | null; body: unknown; batchId: number; method: 'transaction' | 'direct' },
    opts: { resume?: boolean } = {},
  ): boolean {
    const now = wall();
    const allowed = opts.resume ? [...CLAIMABLE, 'submitting'] : [...CLAIMABLE];
    return this.db.transaction(() => {
      const existing = this.get(profileId, c.source, c.referenceId);
      if (existing && !allowed.includes(existing.status)) return false;
      if (existing) {
        this.db
          .prepare(
            `UPDATE crm_push_submissions SET status = 'submitting', method = ?, person_id = ?, display_name = ?, email = ?, body_json = ?,
               error_status = NULL, error_field = NULL, error_message = NULL, batch_id = ?, updated_at = ?
             WHERE id = ?`,
          )
          .run(c.method, c.personId, c.name, c.email, JSON.stringify(c.body), c.batchId, now, existing.id);
      } else {
        this.db
          .prepare(
            `INSERT INTO crm_push_submissions (profile_id, person_id, vomo_user_id, reference_source, reference_id, status, method, display_name, email, body_json, batch_id, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, 'submitting', ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(profileId, c.personId, c.vomoUserId, c.source, c.referenceId, c.method, c.name, c.email, JSON.stringify(c.body), c.batchId, now, now);
      }
      return true;
    })();
  }

  /** Counted before each HTTP send (committed), so a resend after a crash shows as attempts = 2. */
  countAttempt(id: number): void {
    this.db.prepare('UPDATE crm_push_submissions SET attempts = attempts + 1, updated_at = ? WHERE id = ?').run(wall(), id);
  }

  markPending(row: SubmissionRow, submittedAt: string, followupDueAt: string): void {
    this.db.transaction(() => {
      this.db
        .prepare(`UPDATE crm_push_submissions SET status = 'pending', submitted_at = ?, followup_due_at = ?, updated_at = ? WHERE id = ? AND status = 'submitting'`)
        .run(submittedAt, followupDueAt, wall(), row.id);
      this.audit.record({
        profileId: row.profile_id,
        action: 'crm_push.submit',
        subjectType: 'person',
        subjectId: row.person_id,
        detail: { referenceSource: row.reference_source, referenceId: row.reference_id, batchId: row.batch_id, attempt: row.attempts, submittedAt },
      });
    })();
  }

  markFailed(row: SubmissionRow, e: { status: number | null; field: string | null; message: string }): void {
    this.db.transaction(() => {
      this.db
        .prepare(`UPDATE crm_push_submissions SET status = 'failed', error_status = ?, error_field = ?, error_message = ?, updated_at = ? WHERE id = ?`)
        .run(e.status, e.field, e.message, wall(), row.id);
      this.audit.record({
        profileId: row.profile_id,
        action: 'crm_push.failed',
        subjectType: 'person',
        subjectId: row.person_id,
        detail: { referenceSource: row.reference_source, referenceId: row.reference_id, batchId: row.batch_id, status: e.status, field: e.field, message: e.message },
      });
    })();
  }

  /** Outcome unknown (timeout, dropped connection, 5xx): stays 'submitting', resolved by lookup next time. */
  markUnknown(row: SubmissionRow, message: string): void {
    this.db.transaction(() => {
      this.db.prepare(`UPDATE crm_push_submissions SET error_message = ?, updated_at = ? WHERE id = ?`).run(message, wall(), row.id);
      this.audit.record({
        profileId: row.profile_id,
        action: 'crm_push.unknown',
        subjectType: 'person',
        subjectId: row.person_id,
        detail: { referenceSource: row.reference_source, referenceId: row.reference_id, message },
      });
    })();
  }

  /** A contact was found (by our reference, by email, or created directly): the pair is settled. */
  markFound(
    profileId: number,
    f: {
      personId: string | null;
      vomoUserId: string;
      source: string;
      referenceId: string;
      name: string | null;
      email: string | null;
      contactId: string;
      individualId: string | null;
      how: 'reference' | 'email' | 'direct';
      status: 'confirmed' | 'linked_existing';
      at: string;
      batchId: number | null;
      body?: unknown;
    },
  ): void {
    const now = wall();
    this.db.transaction(() => {
      const existing = this.get(profileId, f.source, f.referenceId);
      if (existing) {
        if ((existing.status === 'confirmed' || existing.status === 'linked_existing') && existing.confirmed_contact_id === f.contactId) return;
        // A pair we sent that turns up in CRM+ is a confirmation, however it was found.
        const weSent = existing.status === 'pending' || existing.status === 'needs_followup' || existing.status === 'submitting';
        const status = weSent ? 'confirmed' : f.status;
        const method = f.how === 'direct' ? 'direct' : weSent || existing.status === 'confirmed' ? existing.method : 'existing';
        f = { ...f, status };
        this.db
          .prepare(
            `UPDATE crm_push_submissions SET status = ?, method = ?, confirmed_contact_id = ?, confirmed_individual_id = ?, confirmed_at = ?, confirmed_how = ?,
               error_status = NULL, error_field = NULL, error_message = NULL, person_id = COALESCE(?, person_id), updated_at = ?
             WHERE id = ?`,
          )
          .run(status, method, f.contactId, f.individualId, f.at, f.how, f.personId, now, existing.id);
      } else {
        this.db
          .prepare(
            `INSERT INTO crm_push_submissions (profile_id, person_id, vomo_user_id, reference_source, reference_id, status, method, display_name, email, body_json,
               confirmed_contact_id, confirmed_individual_id, confirmed_at, confirmed_how, batch_id, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            profileId,
            f.personId,
            f.vomoUserId,
            f.source,
            f.referenceId,
            f.status,
            f.how === 'direct' ? 'direct' : 'existing',
            f.name,
            f.email,
            f.body === undefined ? null : JSON.stringify(f.body),
            f.contactId,
            f.individualId,
            f.at,
            f.how,
            f.batchId,
            now,
            now,
          );
      }
      this.audit.record({
        profileId,
        action: f.status === 'linked_existing' ? 'crm_push.link_existing' : 'crm_push.confirm',
        subjectType: 'person',
        subjectId: f.personId,
        detail: { referenceSource: f.source, referenceId: f.referenceId, contactId: f.contactId, individualId: f.individualId, how: f.how, batchId: f.batchId },
      });
    })();
  }

  /** A poll found nothing: remember when (wall clock), and flag it when past the follow-up time. */
  markChecked(row: SubmissionRow, overdue: boolean): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE crm_push_submissions SET last_checked_at = ?, check_count = check_count + 1,
             status = CASE WHEN ? AND status = 'pending' THEN 'needs_followup' ELSE status END, updated_at = ?
           WHERE id = ?`,
        )
        .run(wall(), overdue ? 1 : 0, wall(), row.id);
      if (overdue && row.status === 'pending') {
        this.audit.record({
          profileId: row.profile_id,
          action: 'crm_push.needs_followup',
          subjectType: 'person',
          subjectId: row.person_id,
          detail: { referenceSource: row.reference_source, referenceId: row.reference_id, submittedAt: row.submitted_at, followupDueAt: row.followup_due_at },
        });
      }
    })();
  }

  /** Rows a confirmation pass looks up: waiting ones, plus interrupted sends. */
  awaiting(profileId: number): SubmissionRow[] {
    return this.db
      .prepare(`SELECT * FROM crm_push_submissions WHERE profile_id = ? AND status IN ('pending', 'needs_followup', 'submitting') ORDER BY submitted_at, id`)
      .all(profileId) as SubmissionRow[];
  }

  list(profileId: number, opts: { status?: PushSubmissionStatus | 'waiting'; offset: number; limit: number }): { rows: SubmissionRow[]; total: number; counts: Record<string, number> } {
    const where = ['profile_id = ?', "status <> 'preview'"];
    const args: unknown[] = [profileId];
    if (opts.status === 'waiting') where.push(`status IN ('pending', 'submitting')`);
    else if (opts.status) {
      where.push('status = ?');
      args.push(opts.status);
    }
    const w = where.join(' AND ');
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM crm_push_submissions WHERE ${w}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM crm_push_submissions WHERE ${w} ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?`)
      .all(...args, opts.limit, opts.offset) as SubmissionRow[];
    const counts: Record<string, number> = {};
    for (const r of this.db.prepare(`SELECT status, COUNT(*) AS n FROM crm_push_submissions WHERE profile_id = ? GROUP BY status`).all(profileId) as { status: string; n: number }[]) {
      counts[r.status] = r.n;
    }
    return { rows, total, counts };
  }

  /**
   * The confirmed links: VOMO user → CRM+ contact, for the identity join to treat as links
   * (how = 'reference'). Confirmed and linked_existing rows only.
   */
  confirmedLinks(profileId: number): { vomoUserId: string; contactId: string; individualId: string | null; personId: string | null; how: string }[] {
    return (
      this.db
        .prepare(
          `SELECT vomo_user_id, confirmed_contact_id, confirmed_individual_id, person_id, confirmed_how FROM crm_push_submissions
           WHERE profile_id = ? AND status IN ('confirmed', 'linked_existing') AND confirmed_contact_id IS NOT NULL ORDER BY id`,
        )
        .all(profileId) as { vomo_user_id: string; confirmed_contact_id: string; confirmed_individual_id: string | null; person_id: string | null; confirmed_how: string }[]
    ).map((r) => ({ vomoUserId: r.vomo_user_id, contactId: r.confirmed_contact_id, individualId: r.confirmed_individual_id, personId: r.person_id, how: r.confirmed_how }));
  }
}

export function toSubmission(r: SubmissionRow): PushSubmission {
  let body: unknown = null;
  try {
    body = r.body_json ? JSON.parse(r.body_json) : null;
  } catch {
    body = null;
  }
  return {
    id: r.id,
    personId: r.person_id,
    vomoUserId: r.vomo_user_id,
    name: r.display_name,
    email: r.email,
    referenceSource: r.reference_source,
    referenceId: r.reference_id,
    status: r.status,
    method: r.method,
    body,
    errorField: r.error_field,
    errorMessage: r.error_message,
    submittedAt: r.submitted_at,
    confirmedContactId: r.confirmed_contact_id,
    confirmedAt: r.confirmed_at,
    confirmedHow: r.confirmed_how,
    lastCheckedAt: r.last_checked_at,
    checkCount: r.check_count,
    followupDueAt: r.followup_due_at,
    batchId: r.batch_id,
    updatedAt: r.updated_at,
  };
}
