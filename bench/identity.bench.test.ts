/**
 * Identity benchmark: join rebuild and split detection at 250k and 1M persons, mirror rows
 * generated in SQL. Prints JSON and writes bench-results/identity.json.
 * Run: npm run bench -- identity   (IDENTITY_BENCH_SIZES=250000,1000000 to choose sizes)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'vitest';
import { openDatabase, type Db } from '../src-main/store/db';
import { IdentitySettings } from '../src-shared/domain/identity';
import { rebuildJoin } from '../src-main/identity/joinBuilder';
import { refreshLineage } from '../src-main/identity/lineage';
import { applyMeasures } from '../src-main/identity/measures';
import { evaluateConflicts } from '../src-main/identity/conflicts';
import { detectSplits } from '../src-main/identity/splits';

const SIZES = (process.env.IDENTITY_BENCH_SIZES ?? '250000,1000000').split(',').map(Number);

/**
 * Person index i in 1..N: VOMO users for i ≤ 0.6N; CRM+ contacts (one individual each, every
 * 20th a two-person household) for i > 0.4N, the overlap written in upper case; Raise donors for
 * 0.5N < i ≤ 0.7N, half joining through crmKey. 1% of persons get a duplicate row elsewhere
 * (same phone, a similar name) for the split detector to find.
 */
function generate(db: Db, n: number): void {
  const now = '2026-01-01T00:00:00.000Z';
  db.prepare(`INSERT INTO profiles (id, name, is_sandbox, created_at, updated_at) VALUES (1, 'bench', 1, ?, ?)`).run(now, now);
  const seq = (from: string, to: string) => `WITH RECURSIVE s(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM s WHERE i < ${to})`;
  const firsts = `json_extract('["Ann","Bob","Cara","Dan","Eve","Finn","Gail","Hal","Ida","Jon","Kim","Lee","Max","Nia","Otto","Pia","Quin","Rae","Sam","Tia"]', '$[' || (i % 20) || ']')`;
  const lasts = `json_extract('["Smith","Johnson","Williams","Brown","Jones","Garcia","Miller","Davis","Rodriguez","Martinez","Hernandez","Lopez","Gonzalez","Wilson","Anderson","Thomas","Taylor","Moore","Jackson","Martin","Lee","Perez","Thompson","White","Harris","Sanchez","Clark","Ramirez","Lewis","Robinson","Walker","Young","Allen","King","Wright","Scott","Torres","Nguyen","Hill","Flores","Green","Adams","Nelson","Baker","Hall","Rivera","Campbell","Mitchell","Carter","Roberts"]', '$[' || (i % 50) || ']') || CASE WHEN i % 7 = 0 THEN '-' || (i % 13) ELSE '' END`;
  // A phone of its own per person: (2xx) then seven digits from i.
  const phone = `('(' || (200 + (i / 10000000) % 800) || ') ' || substr(substr('0000000' || (i % 10000000), -7), 1, 3) || '-' || substr('0000000' || (i % 10000000), -4))`;
  const V = Math.floor(n * 0.6);
  const C0 = Math.floor(n * 0.4);
  const R0 = Math.floor(n * 0.5);
  const R1 = Math.floor(n * 0.7);
  db.exec(`${seq('1', String(V))}
    INSERT INTO vomo_users (profile_id, id, email, email_norm, first_name, last_name, phone, updated_at, raw_json, first_synced_at, last_synced_at)
    SELECT 1, i, 'p' || i || '@ex.org', 'p' || i || '@ex.org', ${firsts}, ${lasts}, '+1' || replace(replace(replace(replace(${phone}, '(', ''), ')', ''), ' ', ''), '-', ''), '${now}', '{}', '${now}', '${now}' FROM s`);
  db.exec(`${seq('1', String(V))}
    INSERT INTO vomo_participations (profile_id, user_id, id, hours, checked_in_at, verified, raw_json, last_synced_at)
    SELECT 1, i, 'a' || i, 1 + i % 5, '2025-0' || (1 + i % 9) || '-15T10:00:00Z', i % 3 <> 0, '{}', '${now}' FROM s`);
  db.exec(`${seq(String(C0 + 1), String(n))}
    INSERT INTO crm_contacts (profile_id, id, contact_type, name, postal, life_to_date_giving_cents, last_gift_date, raw_json, first_synced_at, last_synced_at)
    SELECT 1, i, 'Household', 'Contact ' || i, substr('00000' || (10000 + i % 89999), -5), (i % 50) * 1000, '2024-0' || (1 + i % 9) || '-01', '{}', '${now}', '${now}' FROM s`);
  db.exec(`${seq(String(C0 + 1), String(n))}
    INSERT INTO crm_individuals (profile_id, id, contact_id, first_name, last_name, is_primary) SELECT 1, i, i, ${firsts}, ${lasts}, 1 FROM s`);
  db.exec(`${seq(String(C0 + 1), String(n))}
    INSERT INTO crm_contact_methods (profile_id, id, contact_id, individual_id, type, kind, value, email_norm, is_opted_in, is_primary)
    SELECT 1, 'e' || i, i, i, 'Home Email', 'email', CASE WHEN i <= ${V} THEN 'P' || i || '@EX.org' ELSE 'p' || i || '@ex.org' END, 'p' || i || '@ex.org', 1, 1 FROM s`);
  db.exec(`${seq(String(C0 + 1), String(n))}
    INSERT INTO crm_contact_methods (profile_id, id, contact_id, individual_id, type, kind, value, is_opted_in, is_primary)
    SELECT 1, 'f' || i, i, i, 'Home Phone', 'phone', ${phone}, 1, 1 FROM s`);
  // Households: every 20th contact has a second individual with an email of their own.
  db.exec(`${seq(String(C0 + 1), String(n))}
    INSERT INTO crm_individuals (profile_id, id, contact_id, first_name, last_name, is_primary) SELECT 1, 'h' || i, i, 'Partner', ${lasts}, 0 FROM s WHERE i % 20 = 0`);
  db.exec(`${seq(String(C0 + 1), String(n))}
    INSERT INTO crm_contact_methods (profile_id, id, contact_id, individual_id, type, kind, value, email_norm, is_opted_in, is_primary)
    SELECT 1, 'he' || i, i, 'h' || i, 'Home Email', 'email', 'h' || i || '@ex.org', 'h' || i || '@ex.org', 1, 1 FROM s WHERE i % 20 = 0`);
  db.exec(`${seq(String(C0 + 1), String(n))}
    INSERT INTO crm_gifts (profile_id, id, contact_id, gift_date, amount_cents, raw_json, first_synced_at, last_synced_at)
    SELECT 1, 'g' || i, i, '2024-0' || (1 + i % 9) || '-01', (i % 50) * 1000, '{}', '${now}', '${now}' FROM s`);
  db.exec(`${seq(String(R0 + 1), String(R1))}
    INSERT INTO raise_donors (profile_id, id, first_name, last_name, email, email_norm, crm_key, is_test_mode, raw_json, first_synced_at, last_synced_at)
    SELECT 1, i, ${firsts}, ${lasts}, 'p' || i || '@ex.org', 'p' || i || '@ex.org', CASE WHEN i % 2 = 0 THEN i END, 0, '{}', '${now}', '${now}' FROM s`);
  db.exec(`${seq(String(R0 + 1), String(R1))}
    INSERT INTO raise_gifts (profile_id, id, donor_id, amount_cents, gift_date, status_text, raw_json, first_synced_at, last_synced_at)
    SELECT 1, 'r' || i, i, 2500, '2025-05-01T12:00:00Z', 'Success', '{}', '${now}', '${now}' FROM s`);
  // Duplicates: 1% of VOMO users also exist as a Raise donor under another email, same phone.
  db.exec(`${seq('1', String(Math.floor(n / 100)))}
    INSERT INTO raise_donors (profile_id, id, first_name, last_name, email, email_norm, phone, is_test_mode, raw_json, first_synced_at, last_synced_at)
    SELECT 1, 'd' || (i * 37 % ${V} + 1), ${firsts.replace(/\(i % 20\)/g, `((i * 37 % ${V} + 1) % 20)`)}, ${lasts.replace(/\(i % /g, `((i * 37 % ${V} + 1) % `)},
      'dup' || i || '@other.org', 'dup' || i || '@other.org', ${phone.replace(/i %/g, `(i * 37 % ${V} + 1) %`)}, 0, '{}', '${now}', '${now}' FROM s`);
  db.exec('ANALYZE');
}

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const r = fn();
  return [r, Math.round(performance.now() - t)];
}

it('identity rebuild and split detection scale near-linearly', { timeout: 3_600_000 }, () => {
  const settings = IdentitySettings.parse(undefined);
  const results: Record<string, unknown>[] = [];
  for (const n of SIZES) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twofold-bench-identity-'));
    const db = openDatabase(path.join(dir, 'bench.sqlite'));
    try {
      const [, genMs] = time(() => db.transaction(() => generate(db, n))());
      const full = (now: string) =>
        db.transaction(() => {
          const t: Record<string, number> = {};
          const [join, joinMs] = time(() => rebuildJoin(db, 1, settings, now));
          t.join = joinMs;
          [, t.lineage] = time(() => refreshLineage(db, 1, now, now));
          [, t.measures] = time(() => applyMeasures(db, 1));
          [, t.conflicts] = time(() => evaluateConflicts(db, 1, settings, now));
          [, t.indexes] = time(() => join.restoreIndexes());
          const [splits, splitMs] = time(() => detectSplits(db, 1, now));
          t.splits = splitMs;
          for (const [k, v] of Object.entries(splits.timings)) t['splits.' + k] = v;
          db.prepare(`INSERT INTO identity_runs (profile_id, started_at, finished_at, kind) VALUES (1, ?, ?, 'rebuild')`).run(now, now);
          return { join, splits, t };
        })();
      const [first, firstMs] = time(() => full('2026-01-02T00:00:00.000Z'));
      const [second, secondMs] = time(() => full('2026-01-03T00:00:00.000Z'));
      const r = {
        persons: first.join.persons,
        targetPersons: n,
        links: first.join.links,
        generateMs: genMs,
        firstRebuildMs: firstMs,
        secondRebuildMs: secondMs,
        firstTimings: { ...first.join.timings, ...first.t },
        secondTimings: { ...second.join.timings, ...second.t },
        splitDetectionMs: second.t.splits,
        candidates: second.splits.detected,
        rssMb: Math.round(process.memoryUsage().rss / 1e6),
        // Other processes share the two cores: the 1-minute load average puts the times in context.
        loadAverage: os.loadavg().map((x) => +x.toFixed(2)),
      };
      results.push(r);
      process.stdout.write(JSON.stringify(r) + '\n');
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const out = { benchmark: 'identity', machine: { cpus: os.cpus().length, node: process.version }, targetMs: 30_000, results };
  if (results.length >= 2) {
    const [a, b] = [results[0], results[results.length - 1]] as { persons: number; secondRebuildMs: number; splitDetectionMs: number }[];
    Object.assign(out, {
      scaling: {
        personsRatio: +(b.persons / a.persons).toFixed(2),
        rebuildRatio: +(b.secondRebuildMs / a.secondRebuildMs).toFixed(2),
        splitDetectionRatio: +(b.splitDetectionMs / a.splitDetectionMs).toFixed(2),
      },
    });
  }
  fs.mkdirSync('bench-results', { recursive: true });
  fs.writeFileSync('bench-results/identity.json', JSON.stringify(out, null, 2));
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
});
