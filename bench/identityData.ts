/**
 * The identity benchmark's organization, generated in SQL so a million persons take seconds.
 * Shared by the benchmark and by profiling runs that reuse one generated database.
 */
/** What generation needs of a connection (better-sqlite3's Database; kept structural so the e2e project can use it too). */
interface Db {
  exec(sql: string): unknown;
  prepare(sql: string): { run(...params: unknown[]): unknown };
}

/**
 * Person index i in 1..N: VOMO users for i ≤ 0.6N; CRM+ contacts (one individual each, every
 * 20th a two-person household) for i > 0.4N, the overlap written in upper case; Raise donors for
 * 0.5N < i ≤ 0.7N, half joining through crmKey. 1% of persons get a duplicate row elsewhere
 * (same phone, a similar name) for the split detector to find.
 */
export function generate(db: Db, n: number): void {
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

/**
 * What a typical sync brings: about 1% of the records changed (emails, names, deletions, new
 * donors, new hours). Each round changes another 1% (round 0 is the one every earlier run used).
 */
export function syncOnePercent(db: Db, n: number, round = 0): void {
  const now = '2026-02-01T00:00:00.000Z';
  const r = round;
  const tag = r ? `r${r}-` : ''; // ids of the records a round adds
  db.exec(`UPDATE vomo_users SET email = 'moved${tag}' || id || '@ex.org', email_norm = 'moved${tag}' || id || '@ex.org' WHERE profile_id = 1 AND CAST(id AS INTEGER) % 200 = ${7 + r}`);
  db.exec(`UPDATE vomo_users SET gone_at = '${now}' WHERE profile_id = 1 AND CAST(id AS INTEGER) % 1000 = ${11 + r}`);
  db.exec(`UPDATE crm_individuals SET last_name = last_name || '-Lee' WHERE profile_id = 1 AND CAST(id AS INTEGER) % 200 = ${13 + r}`);
  db.exec(`UPDATE crm_contacts SET name = name || ' (renamed)' WHERE profile_id = 1 AND CAST(id AS INTEGER) % 400 = ${17 + r}`);
  db.exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${Math.floor(n / 500)})
    INSERT INTO raise_donors (profile_id, id, first_name, last_name, email, email_norm, is_test_mode, raw_json, first_synced_at, last_synced_at)
    SELECT 1, 'new${tag}' || i, 'New', 'Donor', 'p' || (i * 3 + ${r}) || '@ex.org', 'p' || (i * 3 + ${r}) || '@ex.org', 0, '{}', '${now}', '${now}' FROM s`);
  db.exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${Math.floor(n / 100)})
    INSERT INTO vomo_participations (profile_id, user_id, id, hours, checked_in_at, verified, raw_json, last_synced_at)
    SELECT 1, (i * 50 + ${r}) % ${Math.floor(n * 0.6)} + 1, 'new${tag}' || i, 3, '2026-01-20T10:00:00Z', 1, '{}', '${now}' FROM s`);
}
