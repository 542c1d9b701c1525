import type { Statement } from 'better-sqlite3-multiple-ciphers';
import type { Db } from '../db';

export interface AuditEntry {
  profileId: number | null;
  actor?: string;
  action: string;
  subjectType?: string | null;
  subjectId?: string | null;
  detail?: unknown;
}

export interface AuditRow {
  id: number;
  profile_id: number | null;
  at: string;
  actor: string;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  detail_json: string | null;
}

/** Append-only. Callers write inside their own transaction so an action and its audit row land together. */
export class AuditRepo {
  /** Prepared once: a bulk decision records a row per conflict (73,000), and each prepare cost ~6 µs. */
  private insert: Statement | null = null;

  constructor(private readonly db: Db) {}

  record(e: AuditEntry): number {
    this.insert ??= this.db.prepare(
      `INSERT INTO audit_log (profile_id, at, actor, action, subject_type, subject_id, detail_json)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const info = this.insert.run(
        e.profileId,
        new Date().toISOString(),
        e.actor ?? defaultActor(),
        e.action,
        e.subjectType ?? null,
        e.subjectId ?? null,
        e.detail === undefined ? null : JSON.stringify(e.detail),
      );
    return Number(info.lastInsertRowid);
  }

  list(profileId: number, opts: { subjectType?: string; subjectId?: string; limit?: number } = {}): AuditRow[] {
    const where = ['profile_id = ?'];
    const args: unknown[] = [profileId];
    if (opts.subjectType) {
      where.push('subject_type = ?');
      args.push(opts.subjectType);
    }
    if (opts.subjectId) {
      where.push('subject_id = ?');
      args.push(opts.subjectId);
    }
    args.push(opts.limit ?? 200);
    return this.db
      .prepare(`SELECT * FROM audit_log WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT ?`)
      .all(...args) as AuditRow[];
  }
}

/** The steward using this machine: the OS user name, as an audit trail needs a "who". */
export function defaultActor(): string {
  return process.env.TWOFOLD_ACTOR || process.env.USER || process.env.USERNAME || 'steward';
}
