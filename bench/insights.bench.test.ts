/**
 * Insights at scale: 1,000,000 synthetic persons built directly in SQL in a temporary data
 * folder. Measures the median time of each list's first page and of the overview, the count
 * of each list (cold), a search, and a 100,000-row CSV export's time and peak RSS.
 * Prints JSON and writes bench-results/insights.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempCore } from '../test/helpers/tempCore';
import { overview, overlapCounts } from '../src-main/insights/overview';
import { LISTS } from '../src-main/insights/listRegistry';
import type { Db } from '../src-main/store/db';

const N = Number(process.env.INSIGHTS_BENCH_PERSONS ?? 1_000_000);
const EXPORT_ROWS = 100_000;
const AS_OF = '2026-11-01';
const RUNS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function repeat(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await timeAsync(fn));
  return out;
}

function time(fn: () => unknown): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function build(db: Db, profileId: number, n: number, prefix: string): void {
  const FIRST = ['Ada', 'Ben', 'Cleo', 'Dan', 'Eve', 'Fay', 'Gus', 'Hal', 'Ivy', 'Jo', 'Kim', 'Lu', 'Mia', 'Ned', 'Oli', 'Pia', 'Quin', 'Ray', 'Sue', 'Tom', 'Uma', 'Vic', 'Wes', 'Xia', 'Yan', 'Zoe', '王', 'Ελένη', 'José', 'Zoë'];
  const LAST = ['Smith', 'Jones', 'Garcia', 'Nguyen', 'Kim', 'Okafor', 'Müller', 'Rossi', 'Silva', 'Kowalski', 'Dubois', 'Ivanova', 'Tanaka', 'Haddad', 'Cohen', 'Patel', "O'Brien", 'Smith, Jr.', 'Lee', 'Brown'];
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS fn (k INTEGER PRIMARY KEY, v TEXT); CREATE TEMP TABLE IF NOT EXISTS ln (k INTEGER PRIMARY KEY, v TEXT);
           DELETE FROM temp.fn; DELETE FROM temp.ln;`);
  FIRST.forEach((v, k) => db.prepare('INSERT INTO temp.fn VALUES (?, ?)').run(k, v));
  LAST.forEach((v, k) => db.prepare('INSERT INTO temp.ln VALUES (?, ?)').run(k, v));
  db.transaction(() => {
    db.prepare(
      `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < @n),
       base AS (
         SELECT i, h % 10 < 6 AS v, (h / 10) % 10 < 5 AS c, (h / 100) % 10 < 2 AS r,
                (SELECT v FROM temp.fn WHERE k = (h / 1000) % ${FIRST.length}) AS f,
                (SELECT v FROM temp.ln WHERE k = (h / 100000) % ${LAST.length}) || CASE WHEN i % 3 = 0 THEN '' ELSE '-' || (i % 997) END AS l
           FROM (SELECT i, (i * 2654435761) % 4294967296 AS h FROM seq))
       INSERT INTO persons (profile_id, id, email_norm, display_first_name, display_last_name, display_name, display_email, display_phone,
         has_vomo, has_crm, has_raise, vomo_user_id, crm_contact_id, raise_donor_id, name_key, email_opted_in,
         crm_gift_count, raise_gift_count, lifetime_giving_cents, first_gift_date, last_gift_date, first_raise_gift_date, created_at, updated_at)
       SELECT @pid, @prefix || printf('%09d', i), lower(f) || '.' || i || '@example.org', f, l, f || ' ' || l, lower(f) || '.' || i || '@example.org',
         '+1555' || printf('%07d', i % 10000000),
         v, c, r, CASE WHEN v THEN 'u' || i END, CASE WHEN c THEN 'c' || i END, CASE WHEN r THEN 'r' || i END,
         lower(l) || '|' || lower(f), CASE i % 7 WHEN 0 THEN 0 WHEN 1 THEN NULL ELSE 1 END,
         CASE WHEN c THEN (i * 13) % 20 ELSE 0 END, CASE WHEN r THEN 1 + (i % 3) ELSE 0 END,
         CASE WHEN (c OR r) AND (i % 11) <> 0 THEN (i * 7919) % 500000 ELSE 0 END,
         CASE WHEN (c OR r) AND (i % 11) <> 0 THEN date(@asOf, '-' || (400 + (i * 37) % 3000) || ' days') END,
         CASE WHEN (c OR r) AND (i % 11) <> 0 THEN date(@asOf, '-' || ((i * 31) % 2000) || ' days') END,
         CASE WHEN r THEN date(@asOf, '-' || ((i * 17) % 900) || ' days') END,
         'x', 'x'
       FROM base`,
    ).run({ n, pid: profileId, prefix, asOf: AS_OF });
    db.prepare(
      `INSERT INTO insight_measures (profile_id, person_id, total_hours, verified_hours, participations, verified_participations,
         verified_by_check, last_participation_at, gift_count, score)
       SELECT profile_id, id,
         CASE WHEN has_vomo THEN (CAST(substr(id, -6) AS INTEGER) * 13) % 400 / 2.0 + 3 ELSE 0 END,
         CASE WHEN has_vomo THEN (CAST(substr(id, -6) AS INTEGER) * 13) % 400 / 2.0 ELSE 0 END,
         CASE WHEN has_vomo THEN 1 + CAST(substr(id, -6) AS INTEGER) % 40 ELSE 0 END,
         CASE WHEN has_vomo THEN CAST(substr(id, -6) AS INTEGER) % 40 ELSE 0 END,
         CASE WHEN has_vomo THEN CAST(substr(id, -6) AS INTEGER) % 40 ELSE 0 END,
         CASE WHEN has_vomo THEN strftime('%Y-%m-%dT%H:%M:%SZ', @asOf, '-' || ((CAST(substr(id, -6) AS INTEGER) * 29) % 700) || ' days') END,
         crm_gift_count, (CAST(substr(id, -6) AS INTEGER) * 17) % 31
       FROM persons WHERE profile_id = @pid`,
    ).run({ pid: profileId, asOf: AS_OF });
    db.prepare(
      `INSERT INTO insight_state (profile_id, refreshed_at, as_of, identity_run_id, persons) VALUES (?, ?, ?, NULL, ?)`,
    ).run(profileId, new Date().toISOString(), AS_OF, n);
  })();
}

describe('insights at a million persons', () => {
  it('first pages, overview, counts, search and a 100k-row export', async () => {
    const core = tempCore();
    const db = core.db;
    const results: Record<string, unknown> = { persons: N };
    try {
      const pid = Number(db.prepare("INSERT INTO profiles (name, vomo_url, crm_url, created_at, updated_at) VALUES ('Big', 'https://v', 'https://api.virtuoussoftware.com', 'x', 'x')").run().lastInsertRowid);
      const exportPid = Number(db.prepare("INSERT INTO profiles (name, vomo_url, crm_url, created_at, updated_at) VALUES ('Export', 'https://v', 'https://c', 'x', 'x')").run().lastInsertRowid);
      const t0 = Date.now();
      build(db, pid, N, 'P');
      build(db, exportPid, EXPORT_ROWS, 'E');
      results.buildSeconds = (Date.now() - t0) / 1000;
      db.pragma('wal_checkpoint(TRUNCATE)');

      const firstPage: Record<string, number> = {};
      const counts: Record<string, { rows: number; ms: number }> = {};
      for (const def of Object.values(LISTS)) {
        await core.insights.listPage({ profileId: pid, list: def.name, asOf: AS_OF }, { withTotal: false }); // warm the statement cache
        const ms = await repeat(RUNS, () => core.insights.listPage({ profileId: pid, list: def.name, asOf: AS_OF }, { withTotal: false }));
        firstPage[def.name] = +median(ms).toFixed(2);
        let rows = 0;
        const cms = await timeAsync(async () => (rows = await core.insights.listCount({ profileId: pid, list: def.name, asOf: AS_OF })));
        counts[def.name] = { rows, ms: +cms.toFixed(1) };
      }
      results.firstPageMedianMs = firstPage;
      results.countColdMs = counts;
      results.overviewColdMs = +time(() => overview(db, pid)).toFixed(2);
      const ov = Array.from({ length: RUNS }, () => time(() => overview(db, pid)));
      results.overviewMedianMs = +median(ov).toFixed(2);
      results.overlapLiveMedianMs = +median(Array.from({ length: 5 }, () => time(() => overlapCounts(db, pid)))).toFixed(2);
      const search = await repeat(RUNS, () => core.insights.listPage({ profileId: pid, list: 'donor-volunteers', asOf: AS_OF, search: 'Kowal' }, { withTotal: false }));
      results.searchMedianMs = +median(search).toFixed(2);
      const deep = await repeat(5, () => core.insights.listPage({ profileId: pid, list: 'all', asOf: AS_OF, offset: 200_000 }, { withTotal: false }));
      results.offset200kMedianMs = +median(deep).toFixed(2);

      // Export: 100,000 rows, streamed; peak RSS sampled while it runs.
      (globalThis as { gc?: () => void }).gc?.();
      const rssBefore = process.memoryUsage().rss;
      let peak = rssBefore;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
      const out = path.join(core.dataDir, 'bench-export.csv');
      const te = Date.now();
      const res = await core.exports.create({ profileId: exportPid, list: 'all', asOf: AS_OF, columns: ['personId', 'firstName', 'lastName', 'email', 'phone', 'systems', 'lifetimeGivingCents', 'lastGiftDate', 'verifiedHours', 'crmUrl'] }, { kind: 'file', path: out });
      const exportMs = Date.now() - te;
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      results.export = {
        rows: res.rowCount,
        ms: exportMs,
        fileMB: +(fs.statSync(out).size / 1e6).toFixed(1),
        rssBeforeMB: +(rssBefore / 1e6).toFixed(1),
        rssPeakMB: +(peak / 1e6).toFixed(1),
        rssGrowthMB: +((peak - rssBefore) / 1e6).toFixed(1),
      };

      process.stdout.write(JSON.stringify(results, null, 2) + '\n');
      const dir = path.resolve(__dirname, '..', 'bench-results');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'insights.json'), JSON.stringify({ at: new Date().toISOString(), ...results }, null, 2));

      for (const [list, ms] of Object.entries(firstPage)) expect(ms, `${list} first page`).toBeLessThan(100);
      expect(results.overviewMedianMs as number).toBeLessThan(100);
      expect(res.rowCount).toBe(EXPORT_ROWS);
      expect(exportMs).toBeLessThan(3000);
    } finally {
      await core.cleanup();
    }
  });
});
