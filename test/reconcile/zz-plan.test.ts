import { it } from 'vitest';
import fs from 'node:fs';
import { tempCore } from '../helpers/tempCore';
import { RAISE_ORIGIN } from '../../src-main/reconcile/raiseCrm';
import { reconcileRaiseCrm } from '../../src-main/reconcile/raiseCrm';
import { lagStats } from '../../src-main/reconcile/lag';
const out: string[] = [];
it('plan', async () => {
  const core = tempCore();
  const p = core.profiles.insert({ name: 'x', vomoUrl: null, crmUrl: null, raiseUrl: null }).id;
  const db = core.db;
  const plan = (sql: string) => out.push((db.prepare('EXPLAIN QUERY PLAN ' + sql).all(p) as { detail: string }[]).map((r) => r.detail).join('\n') + '\n---');
  plan(`SELECT g.id FROM raise_gifts g LEFT JOIN crm_gifts cg ON cg.profile_id = g.profile_id AND cg.${RAISE_ORIGIN} AND cg.transaction_id = g.id AND cg.gone_at IS NULL WHERE g.profile_id = ?`);
  plan(`SELECT cg.id FROM crm_gifts cg LEFT JOIN raise_gifts g ON g.profile_id = cg.profile_id AND g.id = cg.transaction_id WHERE cg.profile_id = ? AND cg.${RAISE_ORIGIN} AND cg.gone_at IS NULL AND (g.id IS NULL OR g.gone_at IS NOT NULL)`);
  const N = 150_000;
  const now = '2026-01-01T00:00:00.000Z';
  db.transaction(() => {
    db.prepare(`INSERT INTO raise_campaigns (profile_id,id,name,can_sync,raw_json,first_synced_at,last_synced_at) VALUES (?,?,?,?,?,?,?)`).run(p, 'C1', 'c', 1, '{}', now, now);
    const d = db.prepare(`INSERT INTO raise_donors (profile_id,id,crm_key,created_at,raw_json,first_synced_at,last_synced_at) VALUES (?,?,?,?,?,?,?)`);
    const g = db.prepare(`INSERT INTO raise_gifts (profile_id,id,donor_id,campaign_id,amount_cents,gift_date,created_at,raw_json,first_synced_at,last_synced_at) VALUES (?,?,?,?,?,?,?,?,?,?)`);
    const c = db.prepare(`INSERT INTO crm_gifts (profile_id,id,contact_id,transaction_source,transaction_id,amount_cents,gift_date,created_at,raw_json,first_synced_at,last_synced_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)`);
    for (let i = 0; i < N; i++) {
      d.run(p, 'D' + i, i % 50 ? 'K' + i : null, '2025-06-01T00:00:00.000Z', '{}', now, now);
      for (let k = 0; k < 2; k++) {
        const id = `G${i}_${k}`;
        g.run(p, id, 'D' + i, 'C1', 1000, '2025-06-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z', '{}', now, now);
        if ((i + k) % 97) c.run(p, 'CG' + id, 'K' + i, 'Raise', id, 1000, '2025-06-01', '2025-06-01T02:00:00.000Z', '{}', now, now);
      }
    }
  })();
  let t = Date.now();
  const r = reconcileRaiseCrm(db, { profileId: p, asOf: '2026-01-01T00:00:00.000Z', lagHours: 24, dateToleranceDays: 1 });
  out.push('raiseCrm ms ' + (Date.now() - t) + ' ' + r.findings.length + ' ' + JSON.stringify(r.counts));
  t = Date.now();
  const l = lagStats(db, p, 24);
  out.push('lag ms ' + (Date.now() - t) + ' ' + l.count + ' ' + l.medianSeconds);
  fs.writeFileSync('/tmp/recon-plan.txt', out.join('\n'));
  await core.cleanup();
}, 300_000);
