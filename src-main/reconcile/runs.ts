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
  RunDiff,
  type RunInfo,
} from '../../src-shared/domain/reconcile';
import { AppError } from '../../src-shared/errors';
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
  grp_rank: number;
  occurred_sort: string;
  change?: Finding['change'];
}

export interface FindingsQuery {
  group?: FindingGroup;
  kind?: FindingKind;
  change?: 'all' | 'new' | 'changed' | 'fixed';
  search?: string;
  /** A page's edge from the page before (its `nextCursor` or `prevCursor`), and which way to walk. */
  cursor?: string | null;
  direction?: 'next' | 'prev';
  offset?: number;
  limit: number;
}

export interface FindingsPage {
  rows: Finding[];
  total: number;
  /** The page after this one, or before it; null where the list ends. */
  nextCursor: string | null;
  prevCursor: string | null;
}

/** A group's place in the list (a group this version does not know goes last). */
function groupRank(g: string): number {
  const i = GROUP_ORDER.indexOf(g as FindingGroup);
  return i < 0 ? GROUP_ORDER.length : i;
}

/** A finding's place in the list: its group's rank, its kind, its time ('' for none), its id. */
type PageKey = [rank: number, kind: string, occurred: string, id: number];

function encodePageKey(r: FindingRow): string {
  return Buffer.from(JSON.stringify([r.grp_rank, r.kind, r.occurred_sort, r.id])).toString('base64url');
}

function decodePageKey(text: string): PageKey {
  try {
    const k = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(k) && k.length === 4 && Number.isInteger(k[0]) && typeof k[1] === 'string' && typeof k[2] === 'string' && Number.isInteger(k[3])) return k as PageKey;
  } catch {
    /* reported below */
  }
  throw new AppError('BAD_INPUT', 'That page position is not valid; start again from the first page.');
}

/**
 * The findings after (or before) a page key, as four ranges of the page index (migration 0098)
 * read one after the other: the same group, kind and time with a later id, the same group and
 * kind with an older time (newest first), the same group with a later kind, a later group.
 */
function pageSegments(k: PageKey, back: boolean, params: Record<string, unknown>): string[] {
  Object.assign(params, { kr: k[0], kk: k[1], ko: k[2], kid: k[3] });
  const later = back ? '<' : '>';
  const older = back ? '>' : '<';
  return [
    `c.grp_rank = @kr AND c.kind = @kk AND c.occurred_sort = @ko AND c.id ${later} @kid`,
    `c.grp_rank = @kr AND c.kind = @kk AND c.occurred_sort ${older} @ko`,
    `c.grp_rank = @kr AND c.kind ${later} @kk`,
    `c.grp_rank ${later} @kr`,
  ];
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
      `INSERT INTO reconcile_findings (run_id, kind, grp, grp_rank, api, resource, source_id, subject, person_id, person_ref, label, crm_url, occurred_at, occurred_sort, detail_json, fingerprint)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
          groupRank(KIND_GROUP[f.kind]),
          f.api,
          f.resource,
          f.sourceId,
          f.subject,
          f.personId ?? null,
          encodeRefs(f.personRefs),
          f.label ?? null,
          f.crmUrl ?? null,
          f.occurredAt ?? null,
          f.occurredAt ?? '',
          JSON.stringify(f.detail),
          fingerprintOf(f),
        );
      }
      // The comparison with the run before is counted once, here in the run's job, and kept.
      const diff = this.countDiff(runId, this.previousOf({ id: runId, profileId: this.profileOf(runId) }));
      this.db
        .prepare(`UPDATE reconcile_runs SET status = ?, finished_at = ?, summary_json = ?, diff_json = ? WHERE id = ?`)
        .run(status, new Date().toISOString(), JSON.stringify(summary), JSON.stringify(diff), runId);
    })();
  }

  private profileOf(runId: number): number {
    return this.db.prepare('SELECT profile_id FROM reconcile_runs WHERE id = ?').pluck().get(runId) as number;
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

  /**
   * How a run compares with the run before, per group. Kept with the run when it finishes (both
   * runs are fixed from then on); a run stored before that is counted once and remembered.
   */
  diff(runId: number, previousRunId: number | null): RunDiff {
    const kept = this.db.prepare('SELECT diff_json FROM reconcile_runs WHERE id = ?').pluck().get(runId) as string | null | undefined;
    if (kept) {
      const parsed = RunDiff.safeParse(JSON.parse(kept));
      if (parsed.success && parsed.data.previousRunId === previousRunId) return parsed.data;
    }
    const key = `${runId}:${previousRunId}`;
    let d = this.counted.get(key);
    if (!d) {
      d = this.countDiff(runId, previousRunId);
      if (this.counted.size >= 16) this.counted.delete(this.counted.keys().next().value!);
      this.counted.set(key, d);
    }
    return d;
  }

  private readonly counted = new Map<string, RunDiff>();

  private countDiff(runId: number, previousRunId: number | null): RunDiff {
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
   * One page of a run's findings in the list's order (group, kind, newest first, id) with how
   * each compares to the previous run. `change: 'fixed'` lists the previous run's findings that
   * this run no longer has. A page is read from a cursor (`nextCursor`, `prevCursor` of the page
   * before) as index ranges, so the last page costs what the first does; `offset` only without
   * one (the CLI and tests), and `limit: -1` reads every finding.
   */
  findings(runId: number, previousRunId: number | null, f: FindingsQuery): FindingsPage {
    const change = f.change ?? 'all';
    const params: Record<string, unknown> = { run: runId, prev: previousRunId ?? -1 };
    const where: string[] = [];
    let from: string;
    let cond: string;
    if (change === 'fixed') {
      from = `FROM reconcile_findings c INDEXED BY reconcile_findings_page`;
      cond = `c.run_id = @prev AND NOT EXISTS (SELECT 1 FROM reconcile_findings n WHERE n.run_id = @run AND n.subject = c.subject)`;
    } else {
      from = `FROM reconcile_findings c INDEXED BY reconcile_findings_page LEFT JOIN reconcile_findings p ON p.run_id = @prev AND p.subject = c.subject`;
      cond = 'c.run_id = @run';
      if (change === 'new') where.push('p.id IS NULL');
      if (change === 'changed') where.push('p.id IS NOT NULL AND p.fingerprint <> c.fingerprint');
    }
    // A group is its rank (each group this version knows has its own), and a kind belongs to one
    // group: naming the rank keeps the read, and a count, inside the index's range.
    const group = f.kind ? KIND_GROUP[f.kind] : f.group;
    if (group) {
      where.push('c.grp_rank = @rank');
      params.rank = groupRank(group);
    }
    if (f.kind) {
      where.push('c.kind = @kind');
      params.kind = f.kind;
    }
    const search = f.search?.trim();
    if (search) {
      where.push(`(c.label LIKE @like ESCAPE '\\' OR c.source_id = @search OR c.person_id = @search)`);
      Object.assign(params, { like: `%${search.replace(/[\\%_]/g, (m) => '\\' + m)}%`, search });
    }
    const filter = [cond, ...where].join(' AND ');
    // Counting every finding needs no look at the run before (the join cost a lookup a finding).
    const countFrom = change === 'all' ? 'FROM reconcile_findings c INDEXED BY reconcile_findings_page' : from;
    const total = this.totalOf(runId, previousRunId, change, group, f.kind, search) ?? (this.db.prepare(`SELECT count(*) ${countFrom} WHERE ${filter}`).pluck().get(params) as number);
    const changeExpr =
      change === 'fixed'
        ? `'fixed'`
        : previousRunId === null
          ? 'NULL'
          : `CASE WHEN p.id IS NULL THEN 'new' WHEN p.fingerprint <> c.fingerprint THEN 'changed' ELSE 'same' END`;
    const back = f.direction === 'prev';
    const dir = back ? 'DESC' : 'ASC';
    const rev = back ? 'ASC' : 'DESC';
    const offset = back || f.cursor ? 0 : f.offset ?? 0;
    const page = (extra: string, limit: number) =>
      this.db
        .prepare(
          `SELECT c.*, ${changeExpr} AS change ${from} WHERE ${extra ? extra + ' AND ' : ''}${filter}
            ORDER BY c.grp_rank ${dir}, c.kind ${dir}, c.occurred_sort ${rev}, c.id ${dir} LIMIT @limit OFFSET @offset`,
        )
        .all({ ...params, limit, offset }) as FindingRow[];
    let rows: FindingRow[];
    let more = false;
    if (f.limit < 0) rows = page('', -1);
    else {
      // One row past the page says whether another page follows in the direction walked.
      const want = f.limit + 1;
      rows = [];
      if (f.cursor) {
        for (const seg of pageSegments(decodePageKey(f.cursor), back, params)) {
          if (rows.length >= want) break;
          rows.push(...page(seg, want - rows.length));
        }
      } else rows = page('', want);
      more = rows.length > f.limit;
      rows = rows.slice(0, f.limit);
      if (back) rows.reverse();
    }
    // Walking forward, a page from a cursor or an offset has rows before it; walking back, a page
    // from a cursor has the cursor's row after it.
    const before = back ? more : !!f.cursor || offset > 0;
    const after = back ? !!f.cursor : more;
    // A person store built (or rebuilt) after the run still gives its findings a person.
    const unresolved = rows.filter((r) => !r.person_id && r.person_ref);
    if (unresolved.length) {
      const people = new PersonLookup(this.db, this.profileOf(runId));
      for (const r of unresolved) r.person_id = people.first(decodeRefs(r.person_ref));
    }
    const first = rows[0];
    const last = rows[rows.length - 1];
    return {
      rows: rows.map(toFinding),
      total,
      nextCursor: after && last ? encodePageKey(last) : null,
      prevCursor: before && first ? encodePageKey(first) : null,
    };
  }

  /** A filter's count from the kept comparison where it has it (no kind, no search), else null. */
  private totalOf(runId: number, previousRunId: number | null, change: FindingsQuery['change'], group: FindingGroup | undefined, kind: FindingKind | undefined, search: string | undefined): number | null {
    if (kind || search) return null;
    const d = this.diff(runId, previousRunId);
    const of = (k: 'count' | 'new' | 'changed' | 'fixed') => (group ? (d.byGroup[group]?.[k] ?? 0) : Object.values(d.byGroup).reduce((a, b) => a + b[k], 0));
    switch (change ?? 'all') {
      case 'all':
        return of('count');
      // Without a run before, every finding is new (the list's filter finds none in it).
      case 'new':
        return previousRunId === null ? of('count') : of('new');
      case 'changed':
        return of('changed');
      case 'fixed':
        return previousRunId === null ? 0 : of('fixed');
    }
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
