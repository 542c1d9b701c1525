/**
 * After a sync, split detection's email-change step must cost what the rebuild's scope costs, not
 * what the store's history holds: past addresses and moved links only accumulate, one more with
 * every email a system changes. Its scoped queries walk the scope's links and search every
 * other table by index, from either end of a pair.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { tempCore } from '../helpers/tempCore';
import { createScopeTables, EMAIL_CHANGE_SQL, readsFromScope, SCOPE_PERSON_COST } from '../../src-main/identity/emailChangeEvidence';
import { fillPersonScope } from '../../src-main/identity/scopeTables';

describe('the scoped email-change query plans', () => {
  const core = tempCore();
  afterAll(() => core.cleanup());
  // The statistics a first build of a million persons leaves: no past address, no moved link yet.
  // With them the planner reads a record's past addresses from the index of all of them.
  core.db.exec('ANALYZE email_lineage'); // creates sqlite_stat1
  const stat = core.db.prepare(`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)`);
  core.db.exec(`DELETE FROM sqlite_stat1 WHERE tbl IN ('email_lineage', 'person_links')`);
  for (const [tbl, idx, s] of [
    ['email_lineage', 'email_lineage', '1440000 1001 1001 1 1'],
    ['email_lineage', 'email_lineage_by_email', '1440000 1001 1'],
    ['email_lineage', 'email_lineage_past', '0 0 0 0'],
    ['person_links', 'person_links', '1440000 1001 1001 1 1'],
    ['person_links', 'person_links_by_person', '1440000 1001 1 1'],
    ['person_links', 'person_links_active', '1440000 1001 1001 1'],
    ['person_links', 'person_links_inactive', '0 0 0 0'],
  ])
    stat.run(tbl, idx, s);
  core.db.exec('ANALYZE sqlite_schema');
  fillPersonScope(core.db, []);
  createScopeTables(core.db);
  const plan = (sql: string) => (core.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(sql.includes('@limit') ? { p: 1, limit: 10 } : { p: 1 }) as { detail: string }[]).map((r) => r.detail);
  const scans = (sql: string) => plan(sql).filter((d) => /^SCAN /.test(d));

  it('reads the scope’s links person by person from the links by person', () => {
    expect(plan(EMAIL_CHANGE_SQL.FILL_SCOPE_LINKS)).toEqual([
      expect.stringMatching(/^SCAN s$/),
      expect.stringMatching(/^SEARCH l USING (COVERING )?INDEX person_links_by_person \(profile_id=\? AND person_id=\?\)/),
    ]);
  });

  it('reads the scope’s records’ addresses, current and past, by each record’s key', () => {
    expect(plan(EMAIL_CHANGE_SQL.FILL_SCOPE_ADDRESSES)).toEqual([
      expect.stringMatching(/^SCAN sl$/),
      expect.stringMatching(/^SEARCH el USING PRIMARY KEY \(profile_id=\? AND source=\? AND source_id=\?\)/),
    ]);
  });

  it('finds past addresses from the scope’s own and from those it holds now, by index', () => {
    const p = plan(EMAIL_CHANGE_SQL.SCOPED_PAST_ADDRESSES);
    expect(scans(EMAIL_CHANGE_SQL.SCOPED_PAST_ADDRESSES)).toEqual(['SCAN a', 'SCAN a']);
    expect(p).toContainEqual(expect.stringMatching(/^SEARCH cur USING INDEX email_lineage_by_email \(profile_id=\? AND email_norm=\?\)/));
    expect(p).toContainEqual(expect.stringMatching(/^SEARCH el USING (COVERING )?INDEX email_lineage_past \(profile_id=\? AND is_current=\? AND email_norm=\?\)/));
  });

  it('finds moved links from the links a scope person lost and from those it holds, by index', () => {
    const p = plan(EMAIL_CHANGE_SQL.SCOPED_MOVED_LINKS);
    expect(scans(EMAIL_CHANGE_SQL.SCOPED_MOVED_LINKS)).toEqual(['SCAN sl', 'SCAN sl']);
    expect(p).toContainEqual(expect.stringMatching(/^SEARCH old USING (COVERING )?INDEX person_links_inactive/));
    expect(p).toContainEqual(expect.stringMatching(/^SEARCH cur USING (COVERING )?INDEX person_links_active/));
    expect(p).toContainEqual(expect.stringMatching(/^SEARCH mine USING PRIMARY KEY \(profile_id=\? AND source=\? AND source_id=\? AND person_id=\?\)/));
  });

  it('counts the history no further than the scope, from the indexes of past addresses and moved links', () => {
    expect(plan(EMAIL_CHANGE_SQL.PAST_ADDRESS_COUNT).join(' ')).toMatch(/SEARCH email_lineage USING COVERING INDEX email_lineage_past/);
    expect(plan(EMAIL_CHANGE_SQL.MOVED_LINK_COUNT).join(' ')).toMatch(/SEARCH person_links USING COVERING INDEX person_links_inactive/);
  });

  it('reads from the scope only where the history would cost more to read', () => {
    const db = core.db;
    db.prepare(`INSERT INTO profiles (id, name, is_sandbox, created_at, updated_at) VALUES (1, 'p', 1, 'n', 'n')`).run();
    const past = db.prepare(`INSERT INTO email_lineage (profile_id, source, source_id, email_norm, first_seen_at, last_seen_at, is_current) VALUES (1, 'vomo', ?, ?, 't', 't', 0)`);
    for (let i = 0; i < 9; i++) past.run(`v${i}`, `old${i}@x.example`);
    db.prepare(`INSERT INTO person_links (profile_id, source, source_id, person_id, first_seen_at, last_seen_at, how, active) VALUES (1, 'vomo', 'v0', 'P0', 't', 't', 'email', 0)`).run();
    // Ten rows of history; a scope person costs SCOPE_PERSON_COST rows.
    const costingTen = Math.floor(10 / SCOPE_PERSON_COST);
    expect(readsFromScope(db, 1, 100)).toBe(false);
    expect(readsFromScope(db, 1, costingTen + 1)).toBe(false);
    expect(readsFromScope(db, 1, costingTen - 1)).toBe(true);
    expect(readsFromScope(db, 1, 0)).toBe(true);
  });

  it('walks every past address and moved link when the rebuild recomputed everyone', () => {
    expect(plan(EMAIL_CHANGE_SQL.PAST_ADDRESSES)[0]).toMatch(/^SCAN el USING (COVERING )?INDEX email_lineage_past|^SEARCH el USING (COVERING )?INDEX email_lineage_past/);
    expect(plan(EMAIL_CHANGE_SQL.MOVED_LINKS)[0]).toMatch(/^(SCAN|SEARCH) old USING (COVERING )?INDEX person_links_inactive/);
  });
});
