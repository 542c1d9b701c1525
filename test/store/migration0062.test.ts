import path from 'node:path';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/store/db';
import { raiseGiftInCrmSql } from '../../src-main/store/giftOrigin';
import { tempDir } from '../helpers/tempCore';

describe('migration 62: CRM+ gifts from Raise by transaction id', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("looks a Raise gift's CRM+ copy up through the partial index, whatever the source's casing", () => {
    const dir = tempDir();
    dirs.push(dir);
    const db = openDatabase(path.join(dir, 'a.sqlite'));
    const pid = Number(db.prepare("INSERT INTO profiles (name, vomo_url, crm_url, created_at, updated_at) VALUES ('A', 'v', 'c', 'x', 'x')").run().lastInsertRowid);
    const gift = db.prepare("INSERT INTO crm_gifts (profile_id, id, contact_id, transaction_source, transaction_id, amount_cents, raw_json, first_synced_at, last_synced_at) VALUES (?, ?, 'c', ?, ?, 100, '{}', 'x', 'x')");
    gift.run(pid, 'c1', 'RaiseDonors', 'r1');
    gift.run(pid, 'c2', 'Online', 'r2');
    db.prepare("INSERT INTO raise_gifts (profile_id, id, donor_id, amount_cents, raw_json, first_synced_at, last_synced_at) VALUES (?, 'r1', 'd', 100, '{}', 'x', 'x'), (?, 'r2', 'd', 100, '{}', 'x', 'x')").run(pid, pid);
    const sql = `SELECT g.id FROM raise_gifts g WHERE g.profile_id = ? AND ${raiseGiftInCrmSql('g')} ORDER BY g.id`;
    expect(db.prepare(sql).all(pid)).toEqual([{ id: 'r1' }]);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(pid) as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan).toMatch(/crm_gifts_from_raise/);
    db.close();
  });
});
