/** Migration 0098 (reconciliation findings in the list's order by index): each finding takes its group's rank and its time as it sorts. */
import { describe, expect, it } from 'vitest';
import { seedProfile, storeAcrossMigration } from '../helpers/migrationStore';
import { RunsRepo } from '../../src-main/reconcile/runs';

describe('migration 0098: reconcile_findings_page', () => {
  it('ranks the findings a store holds, replaces the (run, group, kind) index, and a stored run lists and compares as before', () => {
    const db = storeAcrossMigration(98, (before) => {
      seedProfile(before);
      before.exec(`INSERT INTO reconcile_runs (id, profile_id, at, as_of, status, settings_json) VALUES (1, 1, 'a', '2026-01-01', 'ok', '{}'), (2, 1, 'b', '2026-01-02', 'ok', '{}')`);
      const finding = before.prepare(
        `INSERT INTO reconcile_findings (run_id, kind, grp, api, resource, source_id, subject, label, occurred_at, detail_json, fingerprint) VALUES (?, ?, ?, 'raise', 'gifts', ?, ?, 'x', ?, '{}', ?)`,
      );
      finding.run(1, 'gift_missing_in_crm', 'missing_in_crm', '1', 'raise_gift:1', '2026-01-01', 'f1');
      finding.run(2, 'gift_not_yet_synced', 'not_yet_synced', '2', 'raise_gift:2', null, 'f2');
      finding.run(2, 'gift_missing_in_crm', 'missing_in_crm', '1', 'raise_gift:1', '2026-01-01', 'f1-changed');
      finding.run(2, 'gift_missing_in_crm', 'missing_in_crm', '3', 'raise_gift:3', '2026-01-03', 'f3');
      finding.run(2, 'store_stale', 'a_group_of_later_versions', '4', 'store:4', '2026-01-04', 'f4');
    });
    expect(db.prepare(`SELECT grp, grp_rank, occurred_sort FROM reconcile_findings ORDER BY id`).raw().all()).toEqual([
      ['missing_in_crm', 0, '2026-01-01'],
      ['not_yet_synced', 6, ''],
      ['missing_in_crm', 0, '2026-01-01'],
      ['missing_in_crm', 0, '2026-01-03'],
      ['a_group_of_later_versions', 8, '2026-01-04'],
    ]);
    const indexes = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reconcile_findings' AND sql IS NOT NULL ORDER BY name`).pluck().all();
    expect(indexes).toEqual(['reconcile_findings_by_fingerprint', 'reconcile_findings_by_subject', 'reconcile_findings_page']);
    expect(db.prepare('SELECT count(*) FROM reconcile_runs WHERE diff_json IS NULL').pluck().get()).toBe(2);
    // A run stored before keeps no comparison: it is counted when read, and the list pages in order.
    const runs = new RunsRepo(db);
    expect(runs.diff(2, 1)).toMatchObject({ new: 3, changed: 1, fixed: 0, same: 0 });
    const page = runs.findings(2, 1, { limit: 2 });
    expect(page.rows.map((f) => f.sourceId)).toEqual(['3', '1']);
    expect(page.total).toBe(4);
    const rest = runs.findings(2, 1, { cursor: page.nextCursor, limit: 2 });
    expect(rest.rows.map((f) => f.sourceId)).toEqual(['2', '4']);
    expect(rest.nextCursor).toBeNull();
  });
});
