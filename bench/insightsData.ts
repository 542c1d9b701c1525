/**
 * The insights benchmark's organization, built in SQL: persons as a join leaves them, with their
 * VOMO links and participations. Shared by the benchmark and by profiling runs.
 */
import type { Db } from '../src-main/store/db';
import { fillVomoMeasures } from '../test/helpers/personMeasures';

/** The reference day the lists are read for. */
export const AS_OF = '2026-11-01';

/** Persons as a join leaves them, with their VOMO links and 1–3 participations per volunteer. */
export function build(db: Db, profileId: number, n: number, prefix: string): void {
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
       SELECT @pid, @prefix || printf('%09d', i), lower(f) || '.' || i || '@example.org', f, l, f || ' ' || l,
         CASE WHEN i % 13 = 0 THEN NULL ELSE lower(f) || '.' || i || '@example.org' END,
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
      `INSERT INTO person_links (profile_id, source, source_id, person_id, first_seen_at, last_seen_at, how, active)
       SELECT profile_id, 'vomo', vomo_user_id, id, 'x', 'x', 'email', 1 FROM persons WHERE profile_id = @pid AND has_vomo = 1`,
    ).run({ pid: profileId });
    // 1–3 participations per volunteer, some verified by flag, some by check-in and check-out.
    db.prepare(
      `WITH k(j) AS (VALUES (0), (1), (2))
       INSERT INTO vomo_participations (profile_id, user_id, id, hours, checked_in_at, checked_out_at, verified, raw_json, last_synced_at)
       SELECT p.profile_id, p.vomo_user_id, 'a' || k.j, ((CAST(substr(p.id, -6) AS INTEGER) * 13 + k.j * 7) % 40) / 4.0,
         strftime('%Y-%m-%dT%H:%M:%SZ', @asOf, '-' || ((CAST(substr(p.id, -6) AS INTEGER) * 29 + k.j * 101) % 900) || ' days'),
         CASE WHEN k.j = 1 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%SZ', @asOf, '-' || ((CAST(substr(p.id, -6) AS INTEGER) * 29 + k.j * 101) % 900) || ' days', '+2 hours') END,
         CASE CAST(substr(p.id, -6) AS INTEGER) % 3 WHEN 0 THEN NULL WHEN 1 THEN 1 ELSE k.j <> 2 END, '{}', 'x'
       FROM persons p CROSS JOIN k WHERE p.profile_id = @pid AND p.has_vomo = 1 AND k.j <= CAST(substr(p.id, -6) AS INTEGER) % 3`,
    ).run({ pid: profileId, asOf: AS_OF });
    fillVomoMeasures(db, profileId); // what a rebuild's person pass computes
    db.prepare(`INSERT INTO identity_runs (profile_id, started_at, finished_at, kind) VALUES (?, 'x', 'x', 'rebuild')`).run(profileId);
  })();
}

