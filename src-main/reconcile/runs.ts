/**
 * Runs and their findings: stored, listed, paged and compared with the run before.
 *
 * A finding's subject names what it is about; comparing two runs by subject tells what is new
 * (not in the previous run), fixed (in the previous run only), changed (the same subject with
 * another kind or other values: a gift that went from "not yet synced" to "missing") and the same.
 */
import type { Db } from '../store/db';
import {
  GROUP_ORDER,
  KIND_GROUP,
  RunSettings,
  RunSummary,
  type Finding,
  type FindingGroup,
  type FindingKind,
  type RunDiff,
  type RunInfo,
} from '../../src-shared/domain/reconcile';
import type { FindingDraft } from './types';
import { PersonLookup, decodeRefs, encodeRefs } from './people';

interface RunRow {
  id: number;
  profile_id: number;
  at: string;
  as_of: string;
  finished_at: string | null;
  status: RunInfo['status'];
  settings_json: string;
  summary_json: string | null;
}

interface FindingRow {
  id: number;
  run_id: number;
  kind: FindingKind;
  grp: FindingGroup;
  api: Finding['api'];
  resource: string;
  source_id: string;
  subject: string;
  person_id: string | null;
  person_ref: string | null;
  label: string | null;
  crm_url: string | null;
  occurred_at: string | null;
  detail_json: string;
  fingerprint: string;
  change?: Finding['change'];
}

export function fingerprintOf(f: FindingDraft): string {
  return `${f.kind}|${f.subject}${f.fingerprintExtra ? '|' + f.fingerprintExtra : ''}`;
}

export class RunsRepo {
  constructor(private readonly db: Db) {}

  start(profileId: number, asOf: string, settings: RunSettings): number {
    const info = this.db
      .prepare(`INSERT INTO reconcile_runs (profile_id, at, as_of, status, settings_json) VALUES (?, ?, ?, 'running', ?)`)
      .run(profileId, new Date().toISOString(), asOf, JSON.stringify(settings));
    return Number(info.lastInsertRowid);
  }

  /** Stores the findings and the summary in one transaction: a run is visible whole or not at all. */
  finish(runId: number, status: RunInfo['status'], findings: FindingDraft[], summary: RunSummary): void {
    const insert = this.db.prepare(
      `INSERT INTO reconcile_findings (run_id, kind, grp, api, resource, source_id, subject, person_id, person_ref, label, crm_url, occurred_at, detail_json, fingerprint)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const subjects = new Set<string>();
    this.db.transaction(() => {
      for (const f of findings) {
        if (subjects.has(f.subject)) continue;
        subjects.add(f.subject);
        insert.run(
          runId,
          f.kind,
          KIND_GROUP[f.kind],
          f.api,
          f.resource,
          f.sourceId,
          f.subject,
          f.personId ?? null,
          encodeRefs(f.personRefs),
          f.label ?? null,
          f.crmUrl ?? null,
          f.occurredAt ?? null,
          JSON.stringify(f.detail),
          fingerprintOf(f),
        );
      }
      this.db
        .prepare(`UPDATE reconcile_runs SET status = ?, finished_at = ?, summary_json = ? WHERE id = ?`)
        .run(status, new Date().toISOString(), JSON.stringify(summary), runId);
    })();
  }

  fail(runId: number, message: string): void {
    this.db
      .prepare(`UPDATE reconcile_runs SET status = 'failed', finished_at = ?, summary_json = NULL, settings_json = json_set(settings_json, '$.error', ?) WHERE id = ?`)
      .run(new Date().toISOString(), message, runId);
  }

  /** Runs left 'running' by a process that ended mid-run. */
  abandonRunning(profileId: number): void {
    this.db.prepare(`UPDATE reconcile_runs SET status = 'failed', finished_at = ? WHERE profile_id = ? AND status = 'running'`).run(new Date().toISOString(), profileId);
  }

  get(runId: number): RunInfo | null {
    const row = this.db.prepare('SELECT * FROM reconcile_runs WHERE id = ?').get(runId) as RunRow | undefined;
    return row ? this.toInfo(row) : null;
  }

  list(profileId: number, limit = 50): RunInfo[] {
    const rows = this.db.prepare('SELECT * FROM reconcile_runs WHERE profile_id = ? ORDER BY at DESC, id DESC LIMIT ?').all(profileId, limit) as RunRow[];
    return rows.map((r) => this.toInfo(r));
  }

  latest(profileId: number): RunInfo | null {
    const row = this.db
      .prepare(`SELECT * FROM reconcile_runs WHERE profile_id = ? AND status IN ('ok', 'partial') ORDER BY id DESC LIMIT 1`)
      .get(profileId) as RunRow | undefined;
    return row ? this.toInfo(row) : null;
  }

  previousOf(run: { id: number; profileId: number }): number | null {
    const id = this.db
      .prepare(`SELECT id FROM reconcile_runs WHERE profile_id = ? AND id < ? AND status IN ('ok', 'partial') ORDER BY id DESC LIMIT 1`)
      .pluck()
      .get(run.profileId, run.id) as number | undefined;
    return id ?? null;
  }

  diff(runId: number, previousRunId: number | null): RunDiff {
    const byGroup: RunDiff['byGroup'] = {};
    const g = (k: string) => (byGroup[k] ??= { new: 0, fixed: 0, changed: 0, count: 0, previous: 0 });
    for (const k of GROUP_ORDER) g(k);
    const cur = this.db
      .prepare(
        `SELECT c.grp,
                count(*) AS count,
                sum(CASE WHEN p.id IS NULL THEN 1 ELSE 0 END) AS new,
                sum(CASE WHEN p.id IS NOT NULL AND p.fingerprint <> c.fingerprint THEN 1 ELSE 0 END) AS changed
           FROM reconcile_findings c
           LEFT JOIN reconcile_findings p ON p.run_id = ? AND p.subject = c.subject
          WHERE c.run_id = ?
          GROUP BY c.grp`,
      )
      .all(previousRunId ?? -1, runId) as { grp: string; count: number; new: number; changed: number }[];
    for (const r of cur) Object.assign(g(r.grp), { count: r.count, new: previousRunId === null ? 0 : r.new, changed: r.changed });
    let fixedTotal = 0;
    if (previousRunId !== null) {
      const prev = this.db
        .prepare(
          `SELECT p.grp, count(*) AS previous,
                  sum(CASE WHEN NOT EXISTS (SELECT 1 FROM reconcile_findings c WHERE c.run_id = ? AND c.subject = p.subject) THEN 1 ELSE 0 END) AS fixed
             FROM reconcile_findings p WHERE p.run_id = ? GROUP BY p.grp`,
        )
        .all(runId, previousRunId) as { grp: string; previous: number; fixed: number }[];
      for (const r of prev) {
        Object.assign(g(r.grp), { previous: r.previous, fixed: r.fixed });
        fixedTotal += r.fixed;
      }
    }
    const sum = (k: 'new' | 'changed' | 'count') => Object.values(byGroup).reduce((a, b) => a + b[k], 0);
    const total = sum('count');
    return {
      previousRunId,
      new: sum('new'),
      fixed: fixedTotal,
      changed: sum('changed'),
      same: previousRunId === null ? 0 : total - sum('new') - sum('changed'),
      byGroup,
    };
  }

  /**
   * One page of a run's findings with how each compares to the previous run. `change: 'fixed'`
   * lists the previous run's findings that this run no longer has. `limit: -1` reads every one.
   */
  findings(
    runId: number,
    previousRunId: number | null,
    f: { group?: FindingGroup; kind?: FindingKind; change?: 'all' | 'new' | 'changed' | 'fixed'; search?: string; offset: number; limit: number },
  ): { rows: Finding[]; total: number } {
    const prev = previousRunId ?? -1;
    const change = f.change ?? 'all';
    const where: string[] = [];
    const args: unknown[] = [];
    let from: string;
    if (change === 'fixed') {
      from = `FROM reconcile_findings c WHERE c.run_id = ? AND NOT EXISTS (SELECT 1 FROM reconcile_findings n WHERE n.run_id = ? AND n.subject = c.subject)`;
      args.push(prev, runId);
    } else {
      from = `FROM reconcile_findings c LEFT JOIN reconcile_findings p ON p.run_id = ? AND p.subject = c.subject WHERE c.run_id = ?`;
      args.push(prev, runId);
      if (change === 'new') where.push('p.id IS NULL');
      if (change === 'changed') where.push('p.id IS NOT NULL AND p.fingerprint <> c.fingerprint');
    }
    if (f.group) {
      where.push('c.grp = ?');
      args.push(f.group);
    }
    if (f.kind) {
      where.push('c.kind = ?');
      args.push(f.kind);
    }
    if (f.search?.trim()) {
      where.push(`(c.label LIKE ? ESCAPE '\\' OR c.source_id = ? OR c.person_id = ?)`);
      const s = f.search.trim();
      args.push(`%${s.replace(/[\\%_]/g, (m) => '\\' + m)}%`, s, s);
    }
    const cond = where.length ? ' AND ' + where.join(' AND ') : '';
    const total = this.db.prepare(`SELECT count(*) ${from}${cond}`).pluck().get(...args) as number;
    const changeExpr =
      change === 'fixed'
        ? `'fixed'`
        : previousRunId === null
          ? 'NULL'
          : `CASE WHEN p.id IS NULL THEN 'new' WHEN p.fingerprint <> c.fingerprint THEN 'changed' ELSE 'same' END`;
    const order = `CASE c.grp ${GROUP_ORDER.map((g, i) => `WHEN '${g}' THEN ${i}`).join(' ')} END, c.kind, c.occurred_at DESC, c.id`;
    const rows = this.db
      .prepare(`SELECT c.*, ${changeExpr} AS change ${from}${cond} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...args, f.limit, f.offset) as FindingRow[];
    // A person store built (or rebuilt) after the run still gives its findings a person.
    const unresolved = rows.filter((r) => !r.person_id && r.person_ref);
    if (unresolved.length) {
      const profileId = this.db.prepare('SELECT profile_id FROM reconcile_runs WHERE id = ?').pluck().get(runId) as number;
      const people = new PersonLookup(this.db, profileId);
      for (const r of unresolved) r.person_id = people.first(decodeRefs(r.person_ref));
    }
    return { rows: rows.map(toFinding), total };
  }

  private toInfo(row: RunRow): RunInfo {
    const settingsRaw = JSON.parse(row.settings_json);
    const summaryParsed = row.summary_json ? RunSummary.safeParse(JSON.parse(row.summary_json)) : null;
    return {
      id: row.id,
      profileId: row.profile_id,
      at: row.at,
      asOf: row.as_of,
      finishedAt: row.finished_at,
      status: row.status,
      settings: RunSettings.parse(settingsRaw),
      summary: summaryParsed?.success ? summaryParsed.data : null,
      previousRunId: this.previousOf({ id: row.id, profileId: row.profile_id }),
    };
  }
}

export function toFinding(r: FindingRow): Finding {
  let detail: Record<string, unknown> = {};
  try {
    detail = JSON.parse(r.detail_json);
  } catch {
    /* a malformed detail shows as empty rather than failing the page */
  }
  return {
    id: r.id,
    kind: r.kind,
    group: r.grp,
    api: r.api,
    resource: r.resource,
    sourceId: r.source_id,
    subject: r.subject,
    personId: r.person_id,
    label: r.label,
    crmUrl: r.crm_url,
    occurredAt: r.occurred_at,
    detail,
    change: r.change ?? null,
  };
}
