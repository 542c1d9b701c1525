import type { Migration } from '../migrate';

/** The groups' order as of this migration (src-shared GROUP_ORDER); later runs write their own rank. */
const GROUP_ORDER = ['missing_in_crm', 'probably_failed', 'crm_only', 'mismatch', 'store_drift', 'gone', 'not_yet_synced', 'held_back'];

/**
 * A run's findings in the view's order by index. The list shows them by group (in the steward's
 * order, not the alphabet's), kind, newest first, id; no index carried that, so every page sorted
 * the whole run and skipped to its offset (200,000 findings: 160-300 ms for page 1, ~500 ms for
 * page 2,000). A finding now holds its group's rank and its time as it sorts ('' for none: an
 * expression in the index left the planner sorting the rows that tie on kind and time), and one
 * index carries the order: a page reads one range from its cursor. It also serves what the old (run, group, kind) index did, which goes.
 * A run keeps its comparison with the run before (`diff_json`): both runs are fixed once the later
 * one finishes, and counting it joined every finding of both on each page shown.
 */
export const migration: Migration = {
  id: 98,
  name: 'reconciliation findings: the list order by index, the comparison kept',
  up(db) {
    db.exec(`
      ALTER TABLE reconcile_findings ADD COLUMN grp_rank INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE reconcile_findings ADD COLUMN occurred_sort TEXT NOT NULL DEFAULT '';
      UPDATE reconcile_findings SET grp_rank = CASE grp ${GROUP_ORDER.map((g, i) => `WHEN '${g}' THEN ${i}`).join(' ')} ELSE ${GROUP_ORDER.length} END,
        occurred_sort = coalesce(occurred_at, '');
      DROP INDEX reconcile_findings_by_run;
      CREATE INDEX reconcile_findings_page ON reconcile_findings (run_id, grp_rank, kind, occurred_sort DESC, id);
      ALTER TABLE reconcile_runs ADD COLUMN diff_json TEXT;
    `);
  },
};
